"""ExactGPRegressor: exact Gaussian-process regression on the Rust engine."""

from __future__ import annotations

import os
from typing import Any

import numpy as np
from sklearn.base import BaseEstimator, RegressorMixin
from sklearn.utils.validation import check_is_fitted

from . import _frame, _mcdropout, _validation
from ._frame import FrameMixin
from ._network import PathLike
from ._summary import PredictiveDistribution
from .regressor import distribution_of


@_frame.documented
class ExactGPRegressor(FrameMixin, RegressorMixin, BaseEstimator):
    """Exact Gaussian-process regression (the model MC dropout approximates), with
    hyper-parameters chosen by maximising the log marginal likelihood (L-BFGS with
    seeded restarts). Inputs and targets are standardised inside.

    Parameters
    ----------
    kernel : str, default "se"
        Kernel expression: ``se``, ``matern32``, ``matern52``, ``periodic``, ``linear``,
        ``white``, ``constant``, ``arccos0``, ``arccos1``, combined with ``+``, ``*`` and
        parentheses, e.g. ``"se*periodic+white"``.
    noise_var : float, default 0.1
        Initial noise variance (standardised target units).
    optimise : bool, default True
        Fit the hyper-parameters (otherwise keep the initial ones).
    restarts : int, default 2
        Random restarts besides the default starting point.
    max_iter : int, default 100
        L-BFGS iterations per start.
    level : float, default 0.95
        Level of the central interval of :meth:`predict_distribution`.
    random_state : int, RandomState or None, default 0
        Seed of the restart points.
    {frame_parameters}

    Attributes
    ----------
    model_, noise_var_ (original units),
    log_marginal_likelihood_, kernel_params_ (dict of fitted parameters),
    n_iter_ (L-BFGS iterations over all starts)
    """

    def __init__(
        self,
        kernel: str = "se",
        noise_var: float = 0.1,
        optimise: bool = True,
        restarts: int = 2,
        max_iter: int = 100,
        level: float = 0.95,
        random_state: int | np.random.RandomState | None = 0,
        categorical: Any = "auto",
        max_categories: int = 100,
        missing: str = "error",
        unknown_category: str = "error",
    ) -> None:
        self.kernel = kernel
        self.noise_var = noise_var
        self.optimise = optimise
        self.restarts = restarts
        self.max_iter = max_iter
        self.level = level
        self.random_state = random_state
        self.categorical = categorical
        self.max_categories = max_categories
        self.missing = missing
        self.unknown_category = unknown_category

    def fit(self, X: Any, y: Any) -> ExactGPRegressor:
        """Fits the GP to X (n × d) and y (n); X may be a pandas DataFrame with text,
        category, string and missing cells (see ``categorical`` and ``missing``).
        Returns self."""
        fit = self._fit_input(X, y)
        if isinstance(self.restarts, bool) or not isinstance(self.restarts, (int, np.integer)):
            raise ValueError(f"invalid restarts: must be an integer >= 0, got {self.restarts!r}")
        if self.restarts < 0:
            raise ValueError(f"invalid restarts: must be an integer >= 0, got {self.restarts!r}")
        self.seed_ = _validation.seed_of(self.random_state)
        model = _mcdropout.fit_gp(
            fit.X,
            fit.y,
            str(self.kernel),
            float(self.noise_var),
            bool(self.optimise),
            int(self.restarts),
            _validation.positive_int("max_iter", self.max_iter),
            self.seed_,
            fit.feature_names,
        )
        self.model_ = self._store_encoding(model, fit)
        self._set_fitted()
        return self

    def _set_fitted(self) -> None:
        self.noise_var_ = float(self.model_.noise_var)
        self.log_marginal_likelihood_ = float(self.model_.log_marginal_likelihood)
        self.kernel_params_ = dict(self.model_.parameters())
        self.n_iter_ = int(self.model_.iterations)

    def predict(self, X: Any, return_std: bool = False) -> Any:
        """The predictive mean; with ``return_std`` also the predictive std of y (noise
        included)."""
        d = self.predict_distribution(X)
        return (d.mean, d.std) if return_std else d.mean

    def predict_distribution(self, X: Any, level: float | None = None) -> PredictiveDistribution:
        """Mean, std, epistemic std (posterior of f), aleatoric std (noise) and the exact
        central interval at ``level`` of the Gaussian predictive."""
        check_is_fitted(self, "model_")
        X = self._predict_input(X)
        lvl = _validation.level_of(self.level if level is None else level)
        return distribution_of(dict(self.model_.predict(X, lvl)))

    def sample_f(self, X: Any, n_draws: int = 1, random_state: int = 0) -> np.ndarray:
        """``n_draws`` joint posterior samples of the latent f at the rows of X
        (n_draws × N), seeded."""
        check_is_fitted(self, "model_")
        X = self._predict_input(X)
        seed = _validation.seed_of(random_state)
        return self.model_.sample(X, _validation.positive_int("n_draws", n_draws), seed)

    def evaluate(self, X: Any, y: Any) -> dict[str, float]:
        """RMSE, exact Gaussian test log-likelihood, interval coverage, mean std."""
        check_is_fitted(self, "model_")
        X = self._predict_input(X)
        y = np.asarray(y, dtype=np.float64).reshape(-1)
        if y.shape[0] != X.shape[0]:
            raise ValueError(f"X has {X.shape[0]} rows but y has {y.shape[0]} values")
        return dict(self.model_.evaluate(X, y, _validation.level_of(self.level)))

    def log_likelihood(self, X: Any, y: Any) -> float:
        """Mean test log-likelihood of (X, y) under the Gaussian predictive."""
        return float(self.evaluate(X, y)["log_likelihood"])

    def save(self, path: PathLike) -> None:
        """Writes the fitted GP in the command line's model-file format."""
        check_is_fitted(self, "model_")
        self.model_.save(os.fspath(path))

    @classmethod
    def load(cls, path: PathLike) -> ExactGPRegressor:
        """A fitted estimator from a GP model file (``mcdropout gp`` or :meth:`save`)."""
        return cls._from_model(_mcdropout.GaussianProcess.load(os.fspath(path)))

    @classmethod
    def _from_model(cls, model: Any) -> ExactGPRegressor:
        est = cls(kernel=model.kernel)
        est.model_ = model
        est._inputs_from_model(model)
        est._set_fitted()
        return est
