"""Result containers returned by the estimators' uncertainty methods."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class PredictiveDistribution:
    """The predictive distribution of a regressor at N inputs (original target units).

    ``std**2 = epistemic_std**2 + aleatoric_std**2``: the spread of the T stochastic
    passes (model uncertainty) plus the observation noise τ⁻¹. ``lower``/``upper`` bound
    the central interval at ``level`` of the moment-matched Gaussian. ``samples`` are the
    raw T × N stochastic outputs ŷ_t and ``draws`` the T × N predictive draws
    ŷ_t + N(0, τ⁻¹) (one per pass), present when requested (MC-dropout networks only).

    For a regressor fitted on several targets (y of shape N × D) ``mean``, ``std``,
    ``epistemic_std``, ``lower`` and ``upper`` are N × D, ``aleatoric_std`` holds the D
    noise stds, ``cov`` the N × D × D predictive covariances (τ⁻¹-diagonal plus the
    sample covariance of the T outputs) and ``samples`` is T × N × D.
    """

    mean: np.ndarray
    std: np.ndarray
    epistemic_std: np.ndarray
    aleatoric_std: float | np.ndarray
    lower: np.ndarray
    upper: np.ndarray
    level: float
    samples: np.ndarray | None = None
    draws: np.ndarray | None = None
    cov: np.ndarray | None = None


@dataclass(frozen=True)
class ClassUncertainty:
    """MC-dropout class probabilities and uncertainty of a classifier at N inputs.

    ``probs`` is the N × C mean of the T softmax outputs p̄; ``entropy`` is H[p̄] and
    ``mutual_information`` (BALD) is H[p̄] − mean_t H[p_t], both in nats;
    ``variation_ratio`` is 1 − (count of the modal class among the T argmaxes) / T.
    ``prob_samples`` (T × N × C) is present when requested.
    """

    predicted: np.ndarray
    probs: np.ndarray
    entropy: np.ndarray
    mutual_information: np.ndarray
    variation_ratio: np.ndarray
    prob_samples: np.ndarray | None = None


@dataclass(frozen=True)
class MixtureDistribution:
    """The predictive distribution of a method model at N inputs (original target
    units): the uniform mixture over members and MC passes of the Gaussians
    N(μ_c, σ²_c).

    ``mean`` is the average of the μ_c; ``aleatoric_std**2`` the average of the σ²_c
    (the predicted noise, per row); ``epistemic_std**2`` the variance of the μ_c;
    ``std**2`` their sum, the mixture's variance. ``lower``/``upper`` bound the central
    interval at ``level`` of the moment-matched Gaussian.

    For a model fitted on several targets (y of shape N × D) every array is N × D (each
    target's marginal) and ``epistemic_cov`` holds the N × D × D covariance of the μ_c
    (None for one target).
    """

    mean: np.ndarray
    std: np.ndarray
    epistemic_std: np.ndarray
    aleatoric_std: np.ndarray
    lower: np.ndarray
    upper: np.ndarray
    level: float
    epistemic_cov: np.ndarray | None = None
