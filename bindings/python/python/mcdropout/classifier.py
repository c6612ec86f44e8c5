"""MCDropoutClassifier: a dropout softmax network with MC-dropout class probabilities and
their uncertainty."""

from __future__ import annotations

import os
from typing import Any

import numpy as np
from sklearn.base import BaseEstimator, ClassifierMixin
from sklearn.utils.multiclass import check_classification_targets
from sklearn.utils.validation import check_is_fitted

from . import _frame, _mcdropout, _validation
from ._frame import FrameMixin
from ._network import NetworkMixin, PathLike
from ._summary import ClassUncertainty


@_frame.documented
class MCDropoutClassifier(FrameMixin, NetworkMixin, ClassifierMixin, BaseEstimator):
    """Dropout network classification with Monte-Carlo dropout probabilities and
    uncertainty (predictive entropy, mutual information / BALD, variation ratio),
    trained and run by the Rust engine.

    The network ends in one logit per class and is trained with the mean softmax
    cross-entropy plus the prior's weight decay λ_i = l² (1 − p_i) / (2N) (or
    ``weight_decay``). Any labels work (numbers or strings); ``classes_`` holds them
    sorted. Integer labels are stored in model files as they are; other labels are
    stored as their index in ``classes_``.

    Parameters
    ----------
    hidden_layer_sizes : sequence of int, default (50,)
    activation : {"relu", "tanh", "sigmoid", "identity"}, default "relu"
    dropout : float, default 0.05
        Drop probability before every layer, in [0, 1).
    weight_decay : float or None, default None
        Kernel weight decay of the first layer instead of the prior's l² (1 − p) / (2N).
    length_scale : float, default 1e-2
    {frame_parameters}
    epochs, batch_size : int, default 40, 128
    optimizer : {"adam", "sgd"}, default "adam"
    learning_rate : float, default 1e-3
    momentum : float, default 0.9 (SGD only)
    precision : {"float32", "float64"}, default "float32"
    n_samples : int, default 10000
        Stochastic passes T per prediction.
    random_state : int, RandomState or None, default 0
        Seed of training and of the prediction masks (bit-identical results for any
        ``n_jobs``).
    n_jobs : int or None, default None
        Threads for MC prediction (None: every core).

    Attributes
    ----------
    model_, classes_, dropout_, n_iter_, loss_, seed_
    {frame_attributes}

    Examples
    --------
    >>> import numpy as np
    >>> from mcdropout import MCDropoutClassifier
    >>> rng = np.random.default_rng(0)
    >>> X = np.vstack([rng.normal(-2, 1, (50, 2)), rng.normal(2, 1, (50, 2))])
    >>> y = np.array(["a"] * 50 + ["b"] * 50)
    >>> clf = MCDropoutClassifier(epochs=100, n_samples=200).fit(X, y)
    >>> clf.predict([[-3.0, -3.0], [3.0, 3.0]]).tolist()
    ['a', 'b']
    """

    def __init__(
        self,
        hidden_layer_sizes: Any = (50,),
        activation: str = "relu",
        dropout: float = 0.05,
        weight_decay: float | None = None,
        length_scale: float = 1e-2,
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
        random_state: int | np.random.RandomState | None = 0,
        n_jobs: int | None = None,
    ) -> None:
        self.hidden_layer_sizes = hidden_layer_sizes
        self.activation = activation
        self.dropout = dropout
        self.weight_decay = weight_decay
        self.length_scale = length_scale
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
        self.random_state = random_state
        self.n_jobs = n_jobs

    def fit(self, X: Any, y: Any) -> MCDropoutClassifier:
        """Trains the classifier on X (n × d) and labels y (n). X may be a pandas
        DataFrame with text, category, string and missing cells (see ``categorical`` and
        ``missing``). Returns self."""
        fit = self._fit_input(X, y, y_numeric=False)
        y = fit.y
        check_classification_targets(y)
        classes, index = np.unique(y, return_inverse=True)
        if np.issubdtype(classes.dtype, np.integer) and np.all(np.abs(classes) < 2**52):
            labels = y.astype(np.float64)
        else:
            labels = index.astype(np.float64)
        settings = self._settings()
        settings["feature_names"] = fit.feature_names
        wd = None if self.weight_decay is None else float(self.weight_decay)
        model = _mcdropout.fit_classifier(fit.X, labels, settings, wd)
        self.model_ = self._store_encoding(model, fit)
        self.classes_ = classes
        self._fit_report()
        return self

    def _mc(self, X: Any, keep_samples: bool = False, row_keys: Any = None) -> dict[str, Any]:
        check_is_fitted(self, "model_")
        X = self._predict_input(X)
        keys = _validation.row_keys_of(row_keys, X.shape[0])
        return dict(
            self.model_.predict_mc(
                X, self._samples(), self._mc_seed(), bool(keep_samples), self.n_jobs, keys
            )
        )

    def predict_proba(self, X: Any) -> np.ndarray:
        """MC-dropout mean class probabilities p̄ (N × C, columns in ``classes_`` order)."""
        return self._mc(X)["probs"]

    def predict(self, X: Any) -> np.ndarray:
        """The class of highest MC mean probability (first on ties)."""
        out = self._mc(X)
        return self.classes_[np.asarray(out["class_index"], dtype=np.intp)]

    def predict_uncertainty(
        self, X: Any, return_samples: bool = False, row_keys: Any = None
    ) -> ClassUncertainty:
        """Predicted class, mean probabilities, predictive entropy, mutual information
        (BALD) and variation ratio per row, from one MC run; with ``return_samples`` also
        the T × N × C softmax outputs. ``row_keys`` as in
        :meth:`MCDropoutRegressor.predict_distribution`."""
        out = self._mc(X, keep_samples=return_samples, row_keys=row_keys)
        return ClassUncertainty(
            predicted=self.classes_[np.asarray(out["class_index"], dtype=np.intp)],
            probs=out["probs"],
            entropy=out["entropy"],
            mutual_information=out["mutual_info"],
            variation_ratio=out["variation_ratio"],
            prob_samples=out.get("prob_samples"),
        )

    def predict_proba_deterministic(self, X: Any) -> np.ndarray:
        """Softmax probabilities of the deterministic pass (dropout off)."""
        check_is_fitted(self, "model_")
        return self.model_.predict_proba_deterministic(self._predict_input(X))

    def evaluate(self, X: Any, y: Any, bins: int = 15) -> dict[str, Any]:
        """Accuracy, NLL, Brier score, ECE and MCE (``bins`` equal-width bins) of the
        deterministic pass and of MC dropout, and the mean uncertainties."""
        check_is_fitted(self, "model_")
        X = self._predict_input(X)
        y = np.asarray(y).reshape(-1)
        if y.shape[0] != X.shape[0]:
            raise ValueError(f"X has {X.shape[0]} rows but y has {y.shape[0]} labels")
        index = np.searchsorted(self.classes_, y)
        unknown = (index >= len(self.classes_)) | (
            self.classes_[np.minimum(index, len(self.classes_) - 1)] != y
        )
        if np.any(unknown):
            row = int(np.flatnonzero(unknown)[0])
            raise ValueError(
                f"y row {row} (0-based): label {y[row]!r} was never seen in training "
                f"(classes: {list(self.classes_)})"
            )
        labels = np.asarray(self.model_.classes, dtype=np.float64)[index]
        bins = _validation.positive_int("bins", bins)
        return dict(
            self.model_.evaluate(X, labels, self._samples(), self._mc_seed(), bins, self.n_jobs)
        )

    @classmethod
    def load(cls, path: PathLike) -> MCDropoutClassifier:
        """A fitted estimator from a classifier model file (written by :meth:`save` or
        ``mcdropout train --task classify``); ``classes_`` are the file's labels."""
        return cls._from_model(_mcdropout.Classifier.load(os.fspath(path)))

    @classmethod
    def _from_model(cls, model: Any, classes: np.ndarray | None = None) -> MCDropoutClassifier:
        sizes = list(model.sizes)
        est = cls(hidden_layer_sizes=tuple(sizes[1:-1]), dropout=model.dropout[0])
        est.model_ = model
        est.classes_ = np.asarray(model.classes) if classes is None else np.asarray(classes)
        est._inputs_from_model(model)
        est.seed_ = 0
        est._fit_report()
        return est
