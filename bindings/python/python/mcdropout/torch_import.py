"""PyTorch MLPs on the mcdropout engine.

A ``torch.nn.Sequential`` of ``Dropout`` / ``Linear`` / ``ReLU|Tanh|Sigmoid`` layers, with a
dropout before each ``Linear`` as in Gal's networks (a missing one means p = 0), becomes an
estimator whose MC-dropout prediction runs on the Rust engine. The weights are read
through numpy; this module never imports torch itself (it only uses the module object it
is given), so ``import mcdropout`` works without torch installed.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np

from . import _mcdropout
from .classifier import MCDropoutClassifier
from .regressor import MCDropoutRegressor

_ACTIVATIONS = {"ReLU": "relu", "Tanh": "tanh", "Sigmoid": "sigmoid"}

Layer = Mapping[str, Any]


def describe_sequential(module: Any) -> list[dict[str, Any]]:
    """The layer list of a ``torch.nn.Sequential`` in the form
    :func:`from_state_dict` takes: ``{"type": "Dropout", "p": p}``,
    ``{"type": "Linear", "key": prefix}`` (the state_dict prefix of its weight and bias)
    and ``{"type": "ReLU" | "Tanh" | "Sigmoid"}``."""
    layers: list[dict[str, Any]] = []
    for name, child in module.named_children():
        kind = type(child).__name__
        if kind == "Dropout":
            layers.append({"type": "Dropout", "p": float(child.p)})
        elif kind == "Linear":
            layers.append({"type": "Linear", "key": name})
        elif kind in _ACTIVATIONS:
            layers.append({"type": kind})
        else:
            raise ValueError(
                f"layer {name!r}: {kind} is not supported (only Dropout, Linear, ReLU, Tanh "
                "and Sigmoid)"
            )
    return layers


def from_torch(
    module: Any,
    tau: float | None = None,
    classes: Sequence[Any] | None = None,
) -> MCDropoutRegressor | MCDropoutClassifier:
    """A fitted estimator running ``module`` (a trained ``torch.nn.Sequential``) with MC
    dropout on the engine.

    With ``tau`` (the noise precision, in the units of the module's outputs) the result is
    an :class:`MCDropoutRegressor` (the module must have one output); without it an
    :class:`MCDropoutClassifier` whose outputs are logits of ``classes`` (default
    ``0..C-1``). Inputs are used as they are: no standardisation is added.
    """
    state = {k: v.detach().cpu().numpy() for k, v in module.state_dict().items()}
    return from_state_dict(state, describe_sequential(module), tau=tau, classes=classes)


def from_state_dict(
    state_dict: Mapping[str, Any],
    layers: Sequence[Layer],
    tau: float | None = None,
    classes: Sequence[Any] | None = None,
) -> MCDropoutRegressor | MCDropoutClassifier:
    """As :func:`from_torch`, from a state_dict of arrays (e.g. read from a safetensors
    file with ``safetensors.numpy.load_file``) and the layer list of
    :func:`describe_sequential`."""
    kernels: list[np.ndarray] = []
    biases: list[list[float]] = []
    dropout: list[float] = []
    activations: set[str] = set()
    pending_p: float | None = None
    last_was_activation = False
    for i, layer in enumerate(layers):
        kind = layer.get("type")
        if kind == "Dropout":
            if pending_p is not None:
                raise ValueError(f"layer {i}: two Dropout layers in a row")
            pending_p = float(layer["p"])
        elif kind == "Linear":
            if kernels and not last_was_activation:
                raise ValueError(f"layer {i}: Linear without an activation before it")
            key = str(layer["key"])
            w = np.asarray(state_dict[f"{key}.weight"], dtype=np.float64)
            b = np.asarray(state_dict[f"{key}.bias"], dtype=np.float64)
            if w.ndim != 2 or b.shape != (w.shape[0],):
                raise ValueError(
                    f"layer {i} ({key}): weight {w.shape} and bias {b.shape} do not form a "
                    "Linear layer"
                )
            kernels.append(w.T)  # PyTorch stores (out, in); the engine (in, out)
            biases.append(b.tolist())
            dropout.append(0.0 if pending_p is None else pending_p)
            pending_p = None
            last_was_activation = False
        elif kind in _ACTIVATIONS:
            if not kernels or last_was_activation or pending_p is not None:
                raise ValueError(f"layer {i}: {kind} must follow a Linear layer")
            activations.add(_ACTIVATIONS[kind])
            last_was_activation = True
        else:
            raise ValueError(f"layer {i}: unsupported layer type {kind!r}")
    if not kernels:
        raise ValueError("the module has no Linear layer")
    if pending_p is not None or last_was_activation:
        raise ValueError("the module must end with a Linear layer (its output is linear)")
    if len(activations) > 1:
        raise ValueError(f"every hidden layer must use one activation, got {sorted(activations)}")
    activation = activations.pop() if activations else "identity"
    if tau is not None:
        reg = _mcdropout.regressor_from_layers(kernels, biases, dropout, activation, float(tau))
        return MCDropoutRegressor._from_model(reg)
    n_out = kernels[-1].shape[1]
    labels = np.arange(n_out) if classes is None else np.asarray(classes)
    if labels.shape != (n_out,):
        raise ValueError(f"the module has {n_out} outputs but {labels.size} classes were given")
    clf = _mcdropout.classifier_from_layers(
        kernels, biases, dropout, activation, list(range(n_out))
    )
    return MCDropoutClassifier._from_model(clf, classes=labels)
