"""Acting on uncertainty: Bayesian active learning and Thompson sampling.

Acquisition scores (Gal, Islam & Ghahramani, ICML 2017) are computed from one MC run of
an estimator — ``predict_uncertainty(X, return_samples=True)`` of
:class:`MCDropoutClassifier` or ``predict_distribution(X, return_samples=True)``-style
samples of :class:`MCDropoutRegressor` — and :func:`select_batch` picks the top ``k``
(ties in increasing index order). :class:`DropoutThompson` and :class:`LinearThompson` are
contextual-bandit policies (MC-dropout Thompson sampling with a fresh mask set per
decision, or greedy; exact Normal-inverse-gamma linear Thompson sampling), and
:func:`wheel_bandit` samples the wheel bandit of Riquelme, Tucker & Snoek (ICLR 2018).
Every number is computed by the Rust crate.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import numpy.typing as npt

from ._mcdropout import (
    DropoutThompson,
    LinearThompson,
    class_acquisition_scores,
    regression_acquisition_scores,
    select_top_k,
    wheel_sample,
)

CLASSIFIER_FUNCTIONS = ("bald", "max-entropy", "variation-ratio", "mean-std", "random")
REGRESSOR_FUNCTIONS = ("max-variance", "random")


def _samples(obj: Any, field: str) -> npt.NDArray[np.float64]:
    if isinstance(obj, np.ndarray):
        return np.ascontiguousarray(obj, dtype=np.float64)
    value = getattr(obj, field, None)
    if value is None:
        raise ValueError(
            f"no {field} in {type(obj).__name__}: request them with return_samples=True"
        )
    return np.ascontiguousarray(value, dtype=np.float64)


def acquisition_scores(samples: Any, function: str = "bald", seed: int = 0) -> np.ndarray:
    """Scores of N candidates (larger = acquire first).

    ``samples`` is a ``ClassUncertainty`` with ``prob_samples`` (T × N × C), a
    ``PredictiveDistribution`` with ``samples`` (T × N), or such an array. Classifier
    functions: bald, max-entropy, variation-ratio, mean-std, random; regressor functions:
    max-variance, random. ``seed`` is used by random only.
    """
    if isinstance(samples, np.ndarray):
        arr = np.ascontiguousarray(samples, dtype=np.float64)
    elif getattr(samples, "prob_samples", None) is not None:
        arr = _samples(samples, "prob_samples")
    else:
        arr = _samples(samples, "samples")
    if arr.ndim == 3:
        return class_acquisition_scores(function, arr, int(seed))
    if arr.ndim == 2:
        return regression_acquisition_scores(function, arr, int(seed))
    raise ValueError(
        f"samples must be T × N × C class probabilities or T × N regression outputs, "
        f"got an array of shape {arr.shape}"
    )


def select_batch(scores: Any, k: int) -> np.ndarray:
    """Indices of the ``k`` largest scores, largest first; equal scores in increasing
    index order. ``k`` must be between 1 and the number of scores."""
    s = np.ascontiguousarray(scores, dtype=np.float64)
    return np.asarray(select_top_k(s, int(k)), dtype=np.int64)


def wheel_bandit(delta: float, n: int, seed: int = 0) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """``n`` contexts of the wheel bandit with exploration parameter ``delta`` in (0, 1):
    (contexts n × 2, rewards n × 5, mean rewards n × 5)."""
    return wheel_sample(float(delta), int(n), int(seed))


__all__ = [
    "CLASSIFIER_FUNCTIONS",
    "REGRESSOR_FUNCTIONS",
    "DropoutThompson",
    "LinearThompson",
    "acquisition_scores",
    "select_batch",
    "wheel_bandit",
]
