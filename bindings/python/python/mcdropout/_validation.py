"""Input checks shared by the estimators (scikit-learn's conventions).

Arrays are converted only where needed: float64 and float32 input of any memory order is
passed to the engine as it is; other dtypes (integers, lists, DataFrames of numbers) are
converted to float64. NaN and infinite values are reported by the engine with their row
and column.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from sklearn.utils import check_random_state
from sklearn.utils.validation import validate_data

FLOATS = [np.float64, np.float32]


def check_fit_data(estimator: Any, X: Any, y: Any, *, y_numeric: bool) -> tuple[Any, Any]:
    """Validates training data: 2-D X with at least 2 rows, 1-D y of the same length."""
    try:
        X, y = validate_data(
            estimator,
            X,
            y,
            dtype=FLOATS,
            ensure_all_finite=False,
            ensure_min_samples=2,
            y_numeric=y_numeric,
            order=None,
        )
    except ValueError as e:
        if "Input y contains" in str(e):
            raise ValueError(_non_finite_y(y)) from e
        raise
    if y_numeric and y.dtype not in (np.float64, np.float32):
        y = y.astype(np.float64)
    return X, y


def _non_finite_y(y: Any) -> str:
    """Names the first NaN or infinite target value (scikit-learn's message does not)."""
    values = np.asarray(y, dtype=np.float64).reshape(-1)
    row = int(np.flatnonzero(~np.isfinite(values))[0])
    return (
        f"y has a non-finite value {float(values[row])} at row {row} (0-based); every target "
        "must be finite (NaN/inf)"
    )


def check_predict_data(estimator: Any, X: Any) -> Any:
    """Validates prediction data against what the estimator was fitted on."""
    return validate_data(estimator, X, dtype=FLOATS, ensure_all_finite=False, reset=False)


def feature_names(estimator: Any) -> list[str] | None:
    """The DataFrame column names seen in fit, as stored in model files."""
    names = getattr(estimator, "feature_names_in_", None)
    return None if names is None else [str(n) for n in names]


def seed_of(random_state: int | np.random.RandomState | None) -> int:
    """The engine's seed: an int as given; None or a RandomState draws one."""
    if isinstance(random_state, (int, np.integer)) and not isinstance(random_state, bool):
        if random_state < 0:
            raise ValueError(f"invalid random_state: must be non-negative, got {random_state}")
        return int(random_state)
    return int(check_random_state(random_state).randint(0, 2**31 - 1))


def positive_int(name: str, value: Any) -> int:
    """An integer ≥ 1, or ValueError naming the parameter."""
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < 1:
        raise ValueError(f"invalid {name}: must be an integer >= 1, got {value!r}")
    return int(value)


def level_of(level: Any) -> float:
    """An interval level in (0, 1), or ValueError."""
    if not (isinstance(level, (float, int, np.floating)) and 0.0 < float(level) < 1.0):
        raise ValueError(f"invalid level: must be in (0, 1), got {level!r}")
    return float(level)


def row_keys_of(keys: Any, n_rows: int) -> np.ndarray | None:
    """Per-row mask-stream keys as uint64 (one per row, non-negative integers), or None."""
    if keys is None:
        return None
    k = np.asarray(keys)
    if k.ndim != 1 or k.shape[0] != n_rows:
        raise ValueError(f"row_keys must hold one key per row: {k.shape} for {n_rows} rows")
    if k.dtype.kind == "u":
        return k.astype(np.uint64, copy=False)
    if k.dtype.kind != "i":
        raise ValueError(f"row_keys must be integers, got dtype {k.dtype}")
    if k.size and k.min() < 0:
        row = int(np.flatnonzero(k < 0)[0])
        raise ValueError(f"row_keys must be non-negative: row {row} has {int(k[row])}")
    return k.astype(np.uint64)


def is_multi_target(y: Any) -> bool:
    """Whether y is 2-D with more than one column (several targets)."""
    shape = getattr(y, "shape", None)
    if shape is None:
        try:
            shape = np.asarray(y).shape  # through __array__ (no array-function protocol)
        except (ValueError, TypeError):
            return False  # ragged or not numeric: the 1-D validation reports it
    return len(shape) == 2 and shape[1] > 1


def check_fit_data_multi(estimator: Any, X: Any, y: Any) -> tuple[Any, Any]:
    """Validates training data with an N × D target matrix (D > 1)."""
    X, y = validate_data(
        estimator,
        X,
        y,
        dtype=FLOATS,
        ensure_all_finite=False,
        ensure_min_samples=2,
        y_numeric=True,
        multi_output=True,
        order=None,
    )
    if y.dtype not in (np.float64, np.float32):
        y = y.astype(np.float64)
    return X, y
