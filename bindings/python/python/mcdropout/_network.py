"""What the two dropout-network estimators share: their hyper-parameters as the engine
expects them, and saving."""

from __future__ import annotations

import os
from typing import Any, Union

from sklearn.utils.validation import check_is_fitted

from . import _validation

PathLike = Union[str, "os.PathLike[str]"]


class NetworkMixin:
    """Shared by :class:`MCDropoutRegressor` and :class:`MCDropoutClassifier`."""

    hidden_layer_sizes: Any
    activation: str
    dropout: float
    length_scale: float
    epochs: int
    batch_size: int
    optimizer: str
    learning_rate: float
    momentum: float
    precision: str
    random_state: Any
    n_samples: int
    model_: Any

    def _settings(self) -> dict[str, Any]:
        """The engine's training settings (validated there)."""
        hidden = self.hidden_layer_sizes
        if isinstance(hidden, (int,)) and not isinstance(hidden, bool):
            hidden = (hidden,)
        try:
            hidden = [int(h) for h in hidden]
        except TypeError:
            raise ValueError(
                f"invalid hidden_layer_sizes: expected a sequence of widths, got {hidden!r}"
            ) from None
        if any(h < 1 for h in hidden):
            raise ValueError(
                f"invalid hidden_layer_sizes: every width must be >= 1, got {hidden!r}"
            )
        self.seed_ = _validation.seed_of(self.random_state)
        return {
            "hidden_layer_sizes": hidden,
            "activation": str(self.activation),
            "dropout": float(self.dropout),
            "length_scale": float(self.length_scale),
            "epochs": _validation.positive_int("epochs", self.epochs),
            "batch_size": _validation.positive_int("batch_size", self.batch_size),
            "optimizer": str(self.optimizer),
            "learning_rate": float(self.learning_rate),
            "momentum": float(self.momentum),
            "precision": str(self.precision),
            "random_state": self.seed_,
            "feature_names": _validation.feature_names(self),
        }

    def _mc_seed(self) -> int:
        """The seed of the prediction masks: the one training used."""
        return int(getattr(self, "seed_", 0))

    def _samples(self) -> int:
        return _validation.positive_int("n_samples", self.n_samples)

    def save(self, path: PathLike) -> None:
        """Writes the fitted model to ``path`` in the command line's model-file format
        (``mcdropout predict --model PATH`` reads it)."""
        check_is_fitted(self, "model_")
        self.model_.save(os.fspath(path))

    def _fit_report(self) -> None:
        report = self.model_.training_report() if hasattr(self.model_, "training_report") else {}
        self.n_iter_ = int(report.get("epochs", 0))
        self.loss_ = float(report.get("final_loss", float("nan")))
        self.dropout_ = list(self.model_.dropout)
