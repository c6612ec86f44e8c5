"""Scorers for scikit-learn's model selection."""

from __future__ import annotations

from typing import Any


def log_likelihood_scorer(estimator: Any, X: Any, y: Any) -> float:
    """The estimator's mean test log-likelihood of (X, y) — for MC-dropout regressors the
    paper's MC estimate, for GPs the exact Gaussian one. Higher is better, so it can be
    passed as ``scoring=`` to ``GridSearchCV`` or ``cross_val_score`` directly."""
    return float(estimator.log_likelihood(X, y))
