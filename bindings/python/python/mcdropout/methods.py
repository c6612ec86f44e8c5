"""Beyond Gal's (p, τ) grid: :class:`ConcreteDropoutRegressor` (learned drop
probabilities, Gal, Hron & Kendall 2017, with the heteroscedastic head of Kendall & Gal
2017) and :class:`DeepEnsembleRegressor` (Lakshminarayanan, Pritzel & Blundell 2017),
trained and run by the Rust engine (``mcdropout::methods``).

Two classes rather than one ``method=`` parameter: their hyper-parameters differ (an
initial drop rate and temperature for one, a member count for the other), and in
scikit-learn every constructor parameter of an estimator must apply to it
(``get_params``/``set_params``, ``clone``, grid searches); a ``method=`` switch would carry
parameters that are silently ignored for the other method.

``score`` is the mean test log-likelihood of the predictive mixture (higher is better),
the figure the methods are compared by, equal to :func:`mcdropout.log_likelihood_scorer`;
the R² of :class:`sklearn.base.RegressorMixin` is ``sklearn.metrics.r2_score(y,
est.predict(X))``.
"""

from __future__ import annotations

import os
from typing import Any

import numpy as np
from sklearn.base import BaseEstimator, RegressorMixin
from sklearn.utils.validation import check_is_fitted

from . import _frame, _mcdropout, _validation
from ._frame import FrameMixin
from ._network import PathLike
from ._summary import MixtureDistribution


class _MethodRegressor(FrameMixin, RegressorMixin, BaseEstimator):
    """What the method estimators share (not public)."""

    _method: str = ""
    hidden_layer_sizes: Any
    activation: str
    length_scale: float
    epochs: int
    batch_size: int
    learning_rate: float
    precision: str
    n_samples: int
    level: float
    random_state: Any
    n_jobs: int | None
    model_: Any

    def _fit_model(
        self,
        X: Any,
        y: Any,
        *,
        dropout: float,
        heteroscedastic: bool,
        members: int,
        temperature: float,
        tau: float | None,
    ) -> None:
        multi = _validation.is_multi_target(y)
        names = None
        if multi:
            columns = getattr(y, "columns", None)
            names = None if columns is None else [str(c) for c in columns]
        fit = self._fit_input(X, y, multi=multi)
        X, y = fit.X, fit.y
        if multi and not heteroscedastic:
            raise ValueError(
                f"invalid heteroscedastic: {type(self).__name__} with {y.shape[1]} "
                "targets needs heteroscedastic=True (a fixed-τ network for several "
                "targets is MCDropoutRegressor)"
            )
        hidden = self.hidden_layer_sizes
        if isinstance(hidden, int) and not isinstance(hidden, bool):
            hidden = (hidden,)
        try:
            widths = [int(h) for h in hidden]
        except TypeError:
            raise ValueError(
                f"invalid hidden_layer_sizes: expected a sequence of widths, got {hidden!r}"
            ) from None
        if any(h < 1 for h in widths):
            raise ValueError(
                f"invalid hidden_layer_sizes: every width must be >= 1, got {hidden!r}"
            )
        self.seed_ = _validation.seed_of(self.random_state)
        settings = {
            "hidden_layer_sizes": widths,
            "activation": str(self.activation),
            "dropout": 0.05,  # the fixed MC-dropout rate: unused by these methods
            "length_scale": float(self.length_scale),
            "epochs": _validation.positive_int("epochs", self.epochs),
            "batch_size": _validation.positive_int("batch_size", self.batch_size),
            "optimizer": "adam",
            "learning_rate": float(self.learning_rate),
            "momentum": 0.9,
            "precision": str(self.precision),
            "random_state": self.seed_,
            "feature_names": fit.feature_names,
        }
        model: Any
        if multi:
            # Several targets: the crate's MultiMethodModel (heteroscedastic head only;
            # the crate names the argument when it is missing).
            model = _mcdropout.fit_multi_method(
                X,
                y,
                settings,
                self._method,
                bool(heteroscedastic),
                members,
                float(dropout),
                float(temperature),
                tau,
                names,
            )
        else:
            model = _mcdropout.fit_method(
                X,
                y,
                settings,
                self._method,
                bool(heteroscedastic),
                members,
                float(dropout),
                float(temperature),
                tau,
            )
        self.model_ = self._store_encoding(model, fit)
        self._set_fitted()

    def _set_fitted(self) -> None:
        report = dict(self.model_.training_report())
        self.n_iter_ = int(report["epochs"])
        self.loss_ = float(report["final_loss"])
        self.dropout_rates_ = [list(r) for r in self.model_.dropout_rates]
        tau = self.model_.tau
        self.tau_ = None if tau is None else float(tau)
        self.heteroscedastic_ = bool(self.model_.heteroscedastic)
        if self._is_multi():
            self.n_outputs_ = len(self.model_.target_names)
            self.target_names_ = list(self.model_.target_names)
        elif hasattr(self, "n_outputs_"):
            del self.n_outputs_
            del self.target_names_

    def _is_multi(self) -> bool:
        return isinstance(self.model_, _mcdropout.MultiMethodModel)

    def __sklearn_tags__(self) -> Any:
        tags = super().__sklearn_tags__()
        tags.target_tags.multi_output = True
        return tags

    def _samples(self) -> int:
        return _validation.positive_int("n_samples", self.n_samples)

    def _mc_seed(self) -> int:
        """The seed of the prediction masks: the one training used."""
        return int(getattr(self, "seed_", 0))

    def predict(self, X: Any, return_std: bool = False) -> Any:
        """The predictive mean of each row of X; with ``return_std`` also the predictive
        standard deviation (aleatoric and epistemic together)."""
        d = self.predict_distribution(X)
        return (d.mean, d.std) if return_std else d.mean

    def predict_distribution(self, X: Any, level: float | None = None) -> MixtureDistribution:
        """The mixture's mean, std, aleatoric and epistemic std and central interval at
        ``level`` (default ``self.level``), per row of X."""
        check_is_fitted(self, "model_")
        X = self._predict_input(X)
        lvl = _validation.level_of(self.level if level is None else level)
        out = self.model_.predict_mc(X, self._samples(), self._mc_seed(), lvl, self.n_jobs)
        return MixtureDistribution(
            mean=out["mean"],
            std=out["std"],
            epistemic_std=out["epistemic_std"],
            aleatoric_std=out["aleatoric_std"],
            lower=out["lower"],
            upper=out["upper"],
            level=float(out["level"]),
            epistemic_cov=out.get("epistemic_cov"),
        )

    def predict_deterministic(self, X: Any) -> np.ndarray:
        """The deterministic pass (no masks) of every member, averaged."""
        check_is_fitted(self, "model_")
        return self.model_.predict_deterministic(self._predict_input(X))

    def evaluate(self, X: Any, y: Any) -> dict[str, float]:
        """Held-out figures on labelled data: ``rmse`` (deterministic pass), ``mc_rmse``,
        ``log_likelihood`` (of the mixture), ``gaussian_log_likelihood`` (of the
        moment-matched Gaussian), ``coverage``, ``mean_std``, ``tau`` (1 / mean aleatoric
        variance), ``n``, ``samples`` — as ``mcdropout evaluate`` reports them."""
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
        """Mean test log-likelihood of (X, y) under the predictive mixture: per row,
        log of the average over components c of N(y; μ_c, σ²_c). For several targets, the
        joint log-density of each row's D-vector under the mixture of the diagonal
        Gaussians N(μ_c, diag σ²_c), averaged over rows."""
        return float(self.evaluate(X, y)["log_likelihood"])

    def score(self, X: Any, y: Any, sample_weight: Any = None) -> float:
        """The mean test log-likelihood (:meth:`log_likelihood`; higher is better), so
        that model selection compares predictive distributions, not only means."""
        if sample_weight is not None:
            raise ValueError("invalid sample_weight: the mixture log-likelihood is unweighted")
        return self.log_likelihood(X, y)

    def save(self, path: PathLike) -> None:
        """Writes the fitted model in the command line's model-file format (``mcdropout
        predict --model PATH`` reads it)."""
        check_is_fitted(self, "model_")
        self.model_.save(os.fspath(path))

    @classmethod
    def _from_model(cls, model: Any, **params: Any) -> Any:
        sizes = list(model.sizes)
        est = cls(hidden_layer_sizes=tuple(sizes[1:-1]), **params)
        est.model_ = model
        est._inputs_from_model(model)
        est.seed_ = 0
        est._set_fitted()
        return est


_SHARED_DOC = """
    hidden_layer_sizes : sequence of int, default (50,)
    activation : {"relu", "tanh", "sigmoid", "identity"}, default "relu"
    length_scale : float, default 1e-2
        Prior length-scale l (sets the weight decay).
    {frame_parameters}
    epochs, batch_size : int, default 40, 128
    learning_rate : float, default 1e-3 (Adam)
    precision : {"float32", "float64"}, default "float32"
    n_samples : int, default 10000
        MC passes T per prediction for a dropout network.
    level : float, default 0.95
    random_state : int, RandomState or None, default 0
        Seed of initialisation, shuffling, masks and prediction masks; the same seed gives
        bit-identical results whatever the thread count, and the same numbers as
        ``mcdropout train --seed S`` / ``predict --seed S``.
    n_jobs : int or None, default None
        Threads for prediction (None: every core).
"""


@_frame.documented
class ConcreteDropoutRegressor(_MethodRegressor):
    __doc__ = (
        """Concrete dropout regression (Gal, Hron & Kendall, NeurIPS 2017): each layer's
    drop probability is learned with the weights through the relaxed Bernoulli mask;
    prediction uses exact Bernoulli masks at the learned rates (MC dropout). By default
    the network also predicts an input-dependent noise variance (Kendall & Gal 2017).

    Parameters
    ----------
    dropout : float, default 0.1
        Initial drop probability of every layer, in (0, 1).
    temperature : float, default 0.1
        Temperature of the Concrete relaxation.
    heteroscedastic : bool, default True
        A mean and log-variance head; with False the noise precision is ``tau``.
    tau : float, default 1.0
        Noise precision of a homoscedastic model (``heteroscedastic=False`` only).
    """
        + _SHARED_DOC
        + """
    Attributes
    ----------
    model_, seed_, n_iter_, loss_
    {frame_attributes}
    dropout_rates_ : list of list of float, the learned drop probability before each
        layer (one list: one network).
    tau_ : float or None, τ of a homoscedastic model. heteroscedastic_ : bool.
    """
    )

    _method = "concrete"

    def __init__(
        self,
        dropout: float = 0.1,
        temperature: float = 0.1,
        heteroscedastic: bool = True,
        tau: float = 1.0,
        hidden_layer_sizes: Any = (50,),
        activation: str = "relu",
        length_scale: float = 1e-2,
        categorical: Any = "auto",
        max_categories: int = 100,
        missing: str = "error",
        unknown_category: str = "error",
        epochs: int = 40,
        batch_size: int = 128,
        learning_rate: float = 1e-3,
        precision: str = "float32",
        n_samples: int = 10_000,
        level: float = 0.95,
        random_state: int | np.random.RandomState | None = 0,
        n_jobs: int | None = None,
    ) -> None:
        self.dropout = dropout
        self.temperature = temperature
        self.heteroscedastic = heteroscedastic
        self.tau = tau
        self.hidden_layer_sizes = hidden_layer_sizes
        self.activation = activation
        self.length_scale = length_scale
        self.categorical = categorical
        self.max_categories = max_categories
        self.missing = missing
        self.unknown_category = unknown_category
        self.epochs = epochs
        self.batch_size = batch_size
        self.learning_rate = learning_rate
        self.precision = precision
        self.n_samples = n_samples
        self.level = level
        self.random_state = random_state
        self.n_jobs = n_jobs

    def fit(self, X: Any, y: Any) -> ConcreteDropoutRegressor:
        """Trains on X (n × d) and y (n), or y (n × D) for D > 1 targets (one network
        with D mean and D log-variance outputs; needs ``heteroscedastic=True``).
        Returns self."""
        p = float(self.dropout)
        if not 0.0 < p < 1.0:
            raise ValueError(
                f"invalid dropout: the initial drop probability must be in (0, 1), got {p}"
            )
        self._fit_model(
            X,
            y,
            dropout=p,
            heteroscedastic=bool(self.heteroscedastic),
            members=1,
            temperature=float(self.temperature),
            tau=None if self.heteroscedastic else float(self.tau),
        )
        return self

    @classmethod
    def load(cls, path: PathLike) -> ConcreteDropoutRegressor:
        """A fitted estimator from a model file of ``mcdropout train --method concrete``
        (or :meth:`save`)."""
        return _load_as(cls, path, "concrete")


@_frame.documented
class DeepEnsembleRegressor(_MethodRegressor):
    __doc__ = (
        """Deep ensemble regression (Lakshminarayanan, Pritzel & Blundell, NeurIPS 2017):
    ``members`` networks with a mean and log-variance head, trained from different seeds
    (in parallel, reproducibly), predicting with the uniform mixture of their Gaussians.

    Parameters
    ----------
    members : int, default 5
        Number of networks M (>= 1).
    """
        + _SHARED_DOC
        + """
    Attributes
    ----------
    model_, seed_, n_iter_, loss_
    {frame_attributes}
    dropout_rates_ : list of list of float, zeros (members have no dropout), one list
        per member.
    n_members_ : int. tau_ : None. heteroscedastic_ : True.
    """
    )

    _method = "ensemble"

    def __init__(
        self,
        members: int = 5,
        hidden_layer_sizes: Any = (50,),
        activation: str = "relu",
        length_scale: float = 1e-2,
        categorical: Any = "auto",
        max_categories: int = 100,
        missing: str = "error",
        unknown_category: str = "error",
        epochs: int = 40,
        batch_size: int = 128,
        learning_rate: float = 1e-3,
        precision: str = "float32",
        n_samples: int = 10_000,
        level: float = 0.95,
        random_state: int | np.random.RandomState | None = 0,
        n_jobs: int | None = None,
    ) -> None:
        self.members = members
        self.hidden_layer_sizes = hidden_layer_sizes
        self.activation = activation
        self.length_scale = length_scale
        self.categorical = categorical
        self.max_categories = max_categories
        self.missing = missing
        self.unknown_category = unknown_category
        self.epochs = epochs
        self.batch_size = batch_size
        self.learning_rate = learning_rate
        self.precision = precision
        self.n_samples = n_samples
        self.level = level
        self.random_state = random_state
        self.n_jobs = n_jobs

    def fit(self, X: Any, y: Any) -> DeepEnsembleRegressor:
        """Trains the M members on X (n × d) and y (n), or y (n × D) for D > 1 targets.
        Returns self."""
        m = _validation.positive_int("members", self.members)
        self._fit_model(
            X, y, dropout=0.1, heteroscedastic=True, members=m, temperature=0.1, tau=None
        )
        return self

    def _set_fitted(self) -> None:
        super()._set_fitted()
        self.n_members_ = int(self.model_.n_members)

    @classmethod
    def load(cls, path: PathLike) -> DeepEnsembleRegressor:
        """A fitted estimator from a model file of ``mcdropout train --method ensemble``
        (or :meth:`save`)."""
        return _load_as(cls, path, "ensemble")


def _load_model(path: PathLike) -> Any:
    """The engine model of a method-model file, with one target or several."""
    p = os.fspath(path)
    if _mcdropout.model_file_targets(p) > 1:
        return _mcdropout.MultiMethodModel.load(p)
    return _mcdropout.MethodModel.load(p)


def _load_as(cls: Any, path: PathLike, method: str) -> Any:
    model = _load_model(path)
    if model.method != method:
        raise _mcdropout.ModelFileError(
            f"invalid model file {os.fspath(path)!r}: it was made by method {model.method!r}, "
            f"not {method!r} (mcdropout.load reads any model file)"
        )
    if method == "ensemble":
        return cls._from_model(model, members=int(model.n_members))
    rates = model.dropout_rates[0]
    return cls._from_model(
        model,
        heteroscedastic=bool(model.heteroscedastic),
        tau=1.0 if model.tau is None else float(model.tau),
        dropout=float(rates[0]) if 0.0 < rates[0] < 1.0 else 0.1,
    )


def load_method_model(path: PathLike) -> Any:
    """The estimator for any method-model file: Concrete dropout or ensemble by the
    method the file records (a heteroscedastic MC-dropout file has no estimator yet)."""
    model = _load_model(path)
    if model.method == "ensemble":
        return DeepEnsembleRegressor.load(path)
    if model.method == "concrete":
        return ConcreteDropoutRegressor.load(path)
    raise _mcdropout.ModelFileError(
        f"invalid model file {os.fspath(path)!r}: a {model.method} model with a "
        "heteroscedastic head has no Python estimator; read it with "
        "mcdropout._mcdropout.MethodModel.load"
    )
