"""Choosing the dropout rate and τ on your own data (``mcdropout search`` from Python)."""

from __future__ import annotations

import json
from typing import Any

import numpy as np
from sklearn.base import clone

from . import _mcdropout, _validation
from .regressor import MCDropoutRegressor


def search(
    estimator: MCDropoutRegressor,
    X: Any,
    y: Any,
    *,
    dropout_rates: Any = None,
    tau_values: Any = None,
    tau_units: str = "standardised",
    validation_fraction: float = 0.2,
    folds: int | None = None,
    target_steps: int | None = 10_000,
    epochs: int | None = None,
    max_widenings: int = 3,
    n_samples: int = 10_000,
) -> tuple[MCDropoutRegressor, dict[str, Any]]:
    """Searches (dropout, τ) for ``estimator``'s network on (X, y) and trains the winner
    on every row, as ``mcdropout search`` does (README, "Choosing p and τ on your own
    data"): a seeded validation holdout (``validation_fraction``) or ``folds``-fold
    cross-validation, scored by the MC log-likelihood with ``n_samples`` passes; Gal's
    dropout grid and τ = 1, 2, …, 128 in standardised units by default, widened beyond an
    edge that wins (at most ``max_widenings`` rounds); epochs from ``target_steps``
    optimiser steps unless ``epochs`` is given. The estimator's own ``dropout``, ``tau``
    and ``epochs`` are not used; its network, optimiser, precision and ``random_state``
    are.

    Returns a fitted copy of ``estimator`` whose parameters are the winner's
    (``dropout``, ``tau`` in target units, ``tau_units="standardised"``, ``epochs``), so
    refitting it gives the same model, and the report: every point (``dropout``, ``tau``,
    ``val_ll``, ``val_rmse``, ``seconds``, ``round``), the winner (``best``),
    ``tau_original``, ``epochs``, ``widenings`` and ``on_edge``."""
    X, y = _validation.check_fit_data(estimator, X, y, y_numeric=True)

    def grid(values: Any, name: str) -> list[float] | None:
        if values is None:
            return None
        v = [float(a) for a in np.asarray(values, dtype=np.float64).ravel()]
        if not v:
            raise ValueError(f"invalid {name}: the grid is empty")
        return v

    settings = estimator._settings()
    model, text = _mcdropout.search_regressor(
        X,
        y,
        settings,
        grid(dropout_rates, "dropout_rates"),
        grid(tau_values, "tau_values"),
        str(tau_units),
        float(validation_fraction),
        None if folds is None else int(folds),
        None if target_steps is None else int(target_steps),
        None if epochs is None else int(epochs),
        int(max_widenings),
        int(n_samples),
        estimator.n_jobs,
    )
    report: dict[str, Any] = json.loads(text)
    best = clone(estimator).set_params(
        dropout=report["best"]["dropout"],
        tau=report["tau_original"],
        weight_decay=None,
        tau_units="standardised" if report["tau_units"] == "standardised" else "gal",
        epochs=report["epochs"],
    )
    best.model_ = model
    best.n_features_in_ = X.shape[1]
    if hasattr(estimator, "feature_names_in_"):
        best.feature_names_in_ = estimator.feature_names_in_
    best.seed_ = settings["random_state"]
    best._set_fitted()
    return best, report
