"""MCDropoutRegressor: a dropout network whose MC-dropout predictions carry uncertainty."""

from __future__ import annotations

from typing import Any

import numpy as np
from sklearn.base import BaseEstimator, RegressorMixin
from sklearn.utils.validation import check_is_fitted

from . import _frame, _mcdropout, _validation
from ._frame import FrameMixin
from ._network import NetworkMixin, PathLike
from ._summary import PredictiveDistribution


def distribution_of(out: dict[str, Any]) -> PredictiveDistribution:
    """The engine's predictive summary dict as a :class:`PredictiveDistribution`."""
    return PredictiveDistribution(
        mean=out["mean"],
        std=out["std"],
        epistemic_std=out["epistemic_std"],
        aleatoric_std=(
            float(out["aleatoric_std"])
            if np.ndim(out["aleatoric_std"]) == 0
            else out["aleatoric_std"]
        ),
        lower=out["lower"],
        upper=out["upper"],
        level=float(out["level"]),
        samples=out.get("samples"),
        draws=out.get("draws"),
    )


@_frame.documented
class MCDropoutRegressor(FrameMixin, NetworkMixin, RegressorMixin, BaseEstimator):
    """Dropout network regression with Monte-Carlo dropout predictive uncertainty
    (Gal & Ghahramani, ICML 2016), trained and run by the Rust engine.

    Inputs and targets are standardised inside with the training mean and std. The
    network has dropout before every dense layer (input included) and weight decay
    λ = l² (1 − p) / (2 N τ) from the prior length-scale l and the noise precision τ.
    Prediction keeps dropout on and averages ``n_samples`` stochastic passes; the
    predictive variance is their variance plus τ⁻¹.

    Parameters
    ----------
    hidden_layer_sizes : sequence of int, default (50,)
        Widths of the hidden layers.
    activation : {"relu", "tanh", "sigmoid", "identity"}, default "relu"
    dropout : float, default 0.05
        Drop probability before every layer, in [0, 1).
    tau : float, default 1.0
        Observation-noise precision τ in target units (sets the weight decay and the
        aleatoric variance τ⁻¹). Ignored when ``weight_decay`` is given.
    weight_decay : float or None, default None
        Kernel weight decay λ; τ = l² (1 − p) / (2 N λ) then follows.
    length_scale : float, default 1e-2
        Prior length-scale l.
    tau_units : {"gal", "standardised"}, default "gal"
        Whether τ enters λ as given (Gal's code) or as the precision of the
        standardised targets, τ σ_y².
    target_transform : {"none", "log", "log1p"}, default "none"
        Model a skewed positive target on a log scale: the network is fitted to
        z = log y (``log``, every target > 0) or z = log(1 + y) (``log1p``, every target
        ≥ 0), so ``tau`` is then the noise precision of z. Every prediction is in the
        original units of y: the mean of the back-transformed MC mixture,
        (1/T) Σ_t exp(μ_t + τ⁻¹/2) (``log1p``: minus 1), not exp of the mean; ``std`` from
        the mixture's second moment, split by the law of total variance into the spread
        of the passes' means (``epistemic_std``) and the mean of the passes' log-normal
        variances (``aleatoric_std``, per row); the interval is the central interval of
        z mapped back; ``samples`` are exp(μ_t) (each pass's median) and ``draws``
        exp(μ_t + ε); the log-likelihoods of :meth:`evaluate` include the Jacobian
        (−log y, or −log(1 + y)), so they compare with an untransformed model's.
        Single-target fits only.
    {frame_parameters}
    epochs, batch_size : int, default 40, 128
    optimizer : {"adam", "sgd"}, default "adam"
    learning_rate : float, default 1e-3
    momentum : float, default 0.9 (SGD only)
    precision : {"float32", "float64"}, default "float32"
        Arithmetic of training (weights are stored and used in float64).
    n_samples : int, default 10000
        Stochastic passes T per prediction.
    level : float, default 0.95
        Level of the central interval of :meth:`predict_distribution`.
    random_state : int, RandomState or None, default 0
        Seed of initialisation, shuffling, training masks and prediction masks. The same
        seed gives bit-identical results whatever ``n_jobs``; ``mcdropout predict
        --seed S --samples T`` on a saved model gives the same numbers as
        ``random_state=S, n_samples=T``.
    n_jobs : int or None, default None
        Threads for MC prediction (None: every core). Training uses one thread.

    Attributes
    ----------
    model_ : the fitted engine model (picklable).
    {frame_attributes}
    tau_ : float, the noise precision τ (target units).
    dropout_ : list of float, the drop probability before each layer.
    n_iter_ : int, epochs run. loss_ : float, final training objective.
    seed_ : int, the seed used.

    Examples
    --------
    >>> import numpy as np
    >>> from mcdropout import MCDropoutRegressor
    >>> X = np.linspace(-1, 1, 200).reshape(-1, 1)
    >>> y = np.sin(3 * X[:, 0])
    >>> reg = MCDropoutRegressor(tau=100.0, epochs=200, n_samples=500).fit(X, y)
    >>> mean, std = reg.predict(X, return_std=True)
    >>> bool(np.all(std > 0.1))  # at least the noise std τ^(-1/2) = 0.1
    True
    """

    def __init__(
        self,
        hidden_layer_sizes: Any = (50,),
        activation: str = "relu",
        dropout: float = 0.05,
        tau: float | None = 1.0,
        weight_decay: float | None = None,
        length_scale: float = 1e-2,
        tau_units: str = "gal",
        target_transform: str = "none",
        categorical: Any = "auto",
        max_categories: int = 100,
        missing: str = "error",
        unknown_category: str = "error",
        epochs: int = 40,
        batch_size: int = 128,
        optimizer: str = "adam",
        learning_rate: float = 1e-3,
        momentum: float = 0.9,
        precision: str = "float32",
        n_samples: int = 10_000,
        level: float = 0.95,
        random_state: int | np.random.RandomState | None = 0,
        n_jobs: int | None = None,
    ) -> None:
        self.hidden_layer_sizes = hidden_layer_sizes
        self.activation = activation
        self.dropout = dropout
        self.tau = tau
        self.weight_decay = weight_decay
        self.length_scale = length_scale
        self.tau_units = tau_units
        self.target_transform = target_transform
        self.categorical = categorical
        self.max_categories = max_categories
        self.missing = missing
        self.unknown_category = unknown_category
        self.epochs = epochs
        self.batch_size = batch_size
        self.optimizer = optimizer
        self.learning_rate = learning_rate
        self.momentum = momentum
        self.precision = precision
        self.n_samples = n_samples
        self.level = level
        self.random_state = random_state
        self.n_jobs = n_jobs

    def fit(self, X: Any, y: Any) -> MCDropoutRegressor:
        """Trains the network on X (n × d) and y (n), or y (n × D) for D > 1 targets
        (one network with D outputs; a column vector y (n × 1) is fitted as 1-D). X may
        be a pandas DataFrame with text, category, string and missing cells (see
        ``categorical`` and ``missing``). Returns self."""
        if _validation.is_multi_target(y):
            return self._fit_multi(X, y)
        fit = self._fit_input(X, y)
        settings = self._settings()
        settings["feature_names"] = fit.feature_names
        tau = None if self.tau is None else float(self.tau)
        wd = None if self.weight_decay is None else float(self.weight_decay)
        model = _mcdropout.fit_regressor(
            fit.X, fit.y, settings, tau, wd, str(self.tau_units), str(self.target_transform)
        )
        self.model_ = self._store_encoding(model, fit)
        self._set_fitted()
        return self

    def _fit_multi(self, X: Any, y: Any) -> MCDropoutRegressor:
        """Several targets: the crate's MultiRegressor. Each target is standardised with
        its own mean and std and τ is the noise precision of the standardised targets
        (targets in different units share no original units), whatever ``tau_units``."""
        if str(self.target_transform) != "none":
            raise ValueError(
                "invalid target_transform: does not apply yet to several targets "
                "(y of shape n × D); fit one target at a time"
            )
        columns = getattr(y, "columns", None)
        names = None if columns is None else [str(c) for c in columns]
        fit = self._fit_input(X, y, multi=True)
        settings = self._settings()
        settings["feature_names"] = fit.feature_names
        tau = None if self.tau is None else float(self.tau)
        wd = None if self.weight_decay is None else float(self.weight_decay)
        model = _mcdropout.fit_multi_regressor(fit.X, fit.y, settings, tau, wd, names)
        self.model_ = self._store_encoding(model, fit)
        self._set_fitted()
        return self

    def _is_multi(self) -> bool:
        return isinstance(self.model_, _mcdropout.MultiRegressor)

    def _set_fitted(self) -> None:
        self.tau_ = float(self.model_.tau)
        if self._is_multi():
            self.n_outputs_ = len(self.model_.target_names)
            self.target_names_ = list(self.model_.target_names)
        elif hasattr(self, "n_outputs_"):
            del self.n_outputs_
            del self.target_names_
        self._fit_report()

    def __sklearn_tags__(self) -> Any:
        tags = super().__sklearn_tags__()
        tags.target_tags.multi_output = True
        return tags

    def predict(self, X: Any, return_std: bool = False) -> Any:
        """The MC predictive mean of each row of X; with ``return_std`` also the
        predictive standard deviation (epistemic and aleatoric together), as
        scikit-learn's GaussianProcessRegressor returns them."""
        d = self.predict_distribution(X)
        return (d.mean, d.std) if return_std else d.mean

    def predict_distribution(
        self,
        X: Any,
        level: float | None = None,
        return_samples: bool = False,
        row_keys: Any = None,
    ) -> PredictiveDistribution:
        """The whole predictive summary at the rows of X: mean, std, epistemic and
        aleatoric std, the central interval at ``level`` (default ``self.level``) and,
        with ``return_samples``, the raw T × N passes and T × N predictive draws.

        ``row_keys`` (one non-negative integer per row) keys each row's MC masks, so a
        row's numbers do not depend on its position in X or on how rows are batched; by
        default row i is keyed by its position i."""
        check_is_fitted(self, "model_")
        X = self._predict_input(X)
        lvl = _validation.level_of(self.level if level is None else level)
        keys = _validation.row_keys_of(row_keys, X.shape[0])
        if self._is_multi():
            if keys is not None:
                raise ValueError("invalid row_keys: not offered for several targets")
            m = self.model_.predict_mc(
                X, self._samples(), self._mc_seed(), lvl, bool(return_samples), self.n_jobs
            )
            return PredictiveDistribution(
                mean=m["mean"],
                std=m["std"],
                epistemic_std=m["epistemic_std"],
                aleatoric_std=m["aleatoric_std"],
                lower=m["lower"],
                upper=m["upper"],
                level=float(m["level"]),
                samples=m.get("samples"),
                cov=m["cov"],
            )
        out = self.model_.predict_mc(
            X, self._samples(), self._mc_seed(), lvl, bool(return_samples), self.n_jobs, keys
        )
        return distribution_of(out)

    def predict_deterministic(self, X: Any) -> np.ndarray:
        """The deterministic pass (dropout off, weights scaled: the weight-averaging
        approximation)."""
        check_is_fitted(self, "model_")
        return self.model_.predict_deterministic(self._predict_input(X))

    def evaluate(self, X: Any, y: Any) -> dict[str, float]:
        """Held-out figures on labelled data: ``rmse`` (deterministic pass), ``mc_rmse``,
        ``log_likelihood`` (the paper's MC test log-likelihood), ``gaussian_log_likelihood``,
        ``coverage`` of the central interval, ``mean_std``, ``tau``, ``n``, ``samples``."""
        check_is_fitted(self, "model_")
        X = self._predict_input(X)
        if self._is_multi():
            Y = np.asarray(y, dtype=np.float64)
            if Y.ndim != 2 or Y.shape != (X.shape[0], self.n_outputs_):
                raise ValueError(
                    f"invalid y: expected shape ({X.shape[0]}, {self.n_outputs_}), got {Y.shape}"
                )
            lvl = _validation.level_of(self.level)
            return dict(
                self.model_.evaluate(X, Y, self._samples(), self._mc_seed(), lvl, self.n_jobs)
            )
        y = np.asarray(y, dtype=np.float64).reshape(-1)
        if y.shape[0] != X.shape[0]:
            raise ValueError(f"X has {X.shape[0]} rows but y has {y.shape[0]} values")
        lvl = _validation.level_of(self.level)
        return dict(self.model_.evaluate(X, y, self._samples(), self._mc_seed(), lvl, self.n_jobs))

    def log_likelihood(self, X: Any, y: Any) -> float:
        """Mean MC test log-likelihood of (X, y):
        logsumexp_t(−τ/2 (y − ŷ_t)²) − log T − ½ log 2π + ½ log τ, averaged over rows.
        For several targets, the joint log-likelihood of each row's D-vector under the
        mixture of the T Gaussians N(ŷ_t, diag(σ_d²/τ)), averaged over rows."""
        return float(self.evaluate(X, y)["log_likelihood"])

    @classmethod
    def load(cls, path: PathLike) -> MCDropoutRegressor:
        """A fitted estimator from a regression model file (written by :meth:`save` or
        ``mcdropout train``)."""
        import os

        p = os.fspath(path)
        if _mcdropout.model_kind(p) == "multi-regressor":
            return cls._from_model(_mcdropout.MultiRegressor.load(p))
        return cls._from_model(_mcdropout.Regressor.load(p))

    @classmethod
    def _from_model(cls, model: Any) -> MCDropoutRegressor:
        sizes = list(model.sizes)
        est = cls(hidden_layer_sizes=tuple(sizes[1:-1]), dropout=model.dropout[0], tau=model.tau)
        est.model_ = model
        est._inputs_from_model(model)
        est.seed_ = 0
        est._set_fitted()
        return est
