"""Reading model files of any kind."""

from __future__ import annotations

import os
from typing import Any

from . import _mcdropout
from ._network import PathLike


def load(path: PathLike) -> Any:
    """The fitted estimator stored in a model file written by the command line or by an
    estimator's ``save``: an :class:`MCDropoutRegressor`, :class:`MCDropoutClassifier` or
    :class:`ExactGPRegressor`, by the kind the file records; a method-model file (one
    target or several) gives a :class:`ConcreteDropoutRegressor` or
    :class:`DeepEnsembleRegressor`."""
    from .classifier import MCDropoutClassifier
    from .gp import ExactGPRegressor
    from .regressor import MCDropoutRegressor

    p = os.fspath(path)
    kind = _mcdropout.model_kind(p)
    if kind == "classifier":
        return MCDropoutClassifier.load(p)
    if kind == "gp":
        return ExactGPRegressor.load(p)
    if kind == "multi-regressor":
        return MCDropoutRegressor.load(p)
    if kind == "regressor" and _mcdropout.is_method_model_file(p):
        from .methods import load_method_model

        return load_method_model(p)
    return MCDropoutRegressor.load(p)
