"""DataFrames as they are: text (object, category, string, bool) columns and missing cells,
encoded by the engine exactly as the command line encodes a file — one-hot categories
sorted as text, with ``missing="impute"`` the training mean and a missing-indicator input.
The encoding is stored in the model (and its file), so predicting on a raw frame applies
it again."""

from __future__ import annotations

import json
from typing import Any

import numpy as np

MISSING_RULES = ("error", "drop", "impute")


def _is_frame(X: Any) -> bool:
    return hasattr(X, "columns") and hasattr(X, "dtypes")


def _is_numeric(dtype: Any) -> bool:
    kind = getattr(dtype, "kind", "O")
    return kind in "iuf"


def is_raw(X: Any, categorical: Any, missing: str) -> bool:
    """Whether X goes through the encoding: a DataFrame with a non-numeric column, or
    with ``categorical`` naming columns or ``missing`` other than "error"."""
    if missing not in MISSING_RULES:
        raise ValueError(f"invalid missing: {missing!r} (expected one of {MISSING_RULES})")
    if not _is_frame(X):
        if missing != "error" or categorical_columns(categorical):
            raise ValueError(
                "invalid X: missing= and categorical= need a pandas DataFrame (column names)"
            )
        return False
    if missing != "error" or categorical_columns(categorical):
        return True
    return not all(_is_numeric(d) for d in X.dtypes)


def categorical_columns(categorical: Any) -> list[str]:
    """The columns named by ``categorical`` (besides "auto" and "none")."""
    if categorical in ("auto", "none", None):
        return []
    if isinstance(categorical, str):
        return [c.strip() for c in categorical.split(",")]
    return [str(c) for c in categorical]


def columns_of(X: Any) -> tuple[list[str], list[Any]]:
    """The frame's names and columns as the engine takes them: float64 arrays for numeric
    columns, lists of ``str | None`` for the others (read like a file's cells)."""
    names = [str(c) for c in X.columns]
    cols: list[Any] = []
    for c in X.columns:
        s = X[c]
        if _is_numeric(s.dtype):
            cols.append(np.ascontiguousarray(s.to_numpy(dtype=np.float64, na_value=np.nan)))
        else:
            values = s.astype(object).to_numpy()
            cols.append([None if _isna(v) else str(v) for v in values])
    return names, cols


def _isna(v: Any) -> bool:
    if v is None:
        return True
    try:
        return bool(v != v)  # NaN, pandas.NA and NaT compare unequal to themselves
    except TypeError:
        return True  # pandas.NA raises on bool()


def categories_of(encoding_json: str) -> dict[str, list[str]]:
    """The categories of each text column of an encoding, in the order of their inputs."""
    return {
        c["name"]: list(c["levels"])
        for c in json.loads(encoding_json)["columns"]
        if c["kind"] == "category"
    }
