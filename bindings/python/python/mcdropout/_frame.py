"""DataFrames as they are: text (object, category, string) columns and missing cells,
encoded by the engine exactly as the command line encodes a file — one-hot categories
sorted as text, with ``missing="impute"`` the training mean and a missing-indicator input.
The encoding is stored in the model (and its file), so predicting on a raw frame applies
it again. Every estimator takes frames through :class:`FrameMixin`.

Which columns are categorical:

- a pandas ``category`` column and a string column (``string[python]``,
  ``string[pyarrow]``, pandas 3's default ``str``, an Arrow string or dictionary column)
  are categorical by their type, even when their values look like numbers (``"01"``,
  ``"7"``): they are passed to the engine as named categorical columns, as the command
  line's Parquet reader treats string and dictionary columns;
- an ``object`` column keeps the rule of a file's cells: it is numeric when every present
  cell reads as a number, and categorical otherwise;
- numeric columns are numeric, unless named in ``categorical`` (codes); so are ``bool``
  columns (``True`` = 1), as the Parquet reader reads a boolean column;
- with ``categorical="none"`` text is refused and the type is no reason to be
  categorical.

A category column's cells are its values as text (``str``), so a category column of
integers has the categories ``"1"``, ``"2"``, … as in a file.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

import numpy as np

from . import _mcdropout, _validation

MISSING_RULES = ("error", "drop", "impute")

PARAMETERS_DOC = """
    categorical : "auto", "none" or a list of column names, default "auto"
        With a pandas DataFrame: a column of text is one-hot encoded over its categories
        seen in fit (sorted), as the command line's ``--categorical`` does. A
        ``category`` or string (``string``, pandas 3's ``str``) column is categorical by
        its type, even when its values look like numbers; an ``object`` column is
        categorical when a present cell does not read as a number; ``bool`` is 0/1. ``"none"``
        refuses text; named columns are categorical even when they hold numbers (codes).
    max_categories : int, default 100
        The most categories a text column may have; more is a ValueError naming it.
    missing : {"error", "drop", "impute"}, default "error"
        A DataFrame's missing cells (NaN, None, NA): an error naming row and column,
        rows dropped (from X and y), or numeric cells filled with the training mean
        beside a missing-indicator input and text cells given a category of their own.
        The rule and its statistics are stored in the model and applied at prediction.
    unknown_category : {"error", "ignore"}, default "error"
        A category not seen in fit at prediction: a ValueError naming row, column and
        value, or all-zero inputs."""

ATTRIBUTES_DOC = """
    n_features_in_, feature_names_in_ : as in scikit-learn (a DataFrame's raw columns).
    categories_ : dict of column name to list of str, the categories of each text
        column fitted from a DataFrame (empty without one)."""


def _is_frame(X: Any) -> bool:
    return hasattr(X, "columns") and hasattr(X, "dtypes")


def _is_numeric(dtype: Any) -> bool:
    kind = getattr(dtype, "kind", "O")
    return kind in "iufb"


def is_typed_text(dtype: Any) -> bool:
    """Whether a pandas dtype is categorical by its type: ``category``, a string dtype
    (``string[python]``, ``string[pyarrow]``, pandas 3's ``str``) or an Arrow string or
    dictionary type."""
    import pandas as pd

    if isinstance(dtype, (pd.CategoricalDtype, pd.StringDtype)):
        return True
    if isinstance(dtype, pd.ArrowDtype):
        name = str(dtype.pyarrow_dtype)
        return name.startswith(("string", "large_string", "dictionary"))
    return False


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


def engine_categorical(X: Any, categorical: Any) -> list[str]:
    """The columns the engine reads as categorical whatever their cells: those named by
    ``categorical``, then the frame's ``category`` and string columns (none with
    ``categorical="none"``, which refuses text)."""
    named = categorical_columns(categorical)
    if categorical == "none":
        return named
    typed = [str(c) for c, d in zip(X.columns, X.dtypes) if is_typed_text(d)]
    return named + [c for c in typed if c not in named]


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


def _is_identity(encoding_json: str) -> bool:
    """Whether an encoding changes nothing (every column numeric, nothing imputed): the
    command line stores none then, and so do the estimators."""
    return all(
        c["kind"] == "number" and c.get("mean") is None
        for c in json.loads(encoding_json)["columns"]
    )


def _rows_of(y: Any, kept: list[int], n_rows: int) -> Any:
    """The targets of the rows the encoding kept (all but those ``missing="drop"``
    dropped). Several targets are held column by column (Fortran order), as the command
    line selects its target columns from a table: their means and stds are then summed
    in the same order, so the model is the command line's bit for bit."""
    values = np.asarray(y)
    if values.ndim == 0 or values.shape[0] != n_rows:
        got = values.shape[0] if values.ndim else 0
        raise ValueError(f"invalid y: {got} values for {n_rows} rows of X")
    rows = values[np.asarray(kept, dtype=np.intp)]
    return np.asfortranarray(rows) if rows.ndim == 2 else rows


@dataclass
class FitInput:
    """Training data as the engine takes it: X (encoded for a raw frame), y (its kept
    rows), the model's feature names and the encoding to store (JSON, or None)."""

    X: Any
    y: Any
    feature_names: list[str] | None
    encoding: str | None = None


class FrameMixin:
    """The raw-DataFrame path every estimator shares (hyper-parameters ``categorical``,
    ``max_categories``, ``missing``, ``unknown_category``; fitted ``categories_``)."""

    categorical: Any
    max_categories: int
    missing: str
    unknown_category: str
    model_: Any

    def _fit_input(
        self, X: Any, y: Any, *, y_numeric: bool = True, multi: bool = False
    ) -> FitInput:
        """Validates (X, y) for fit; a raw DataFrame is encoded by the engine first (as
        the command line encodes a file) and its raw columns become
        ``feature_names_in_``."""

        def validate(X: Any, y: Any) -> tuple[Any, Any]:
            if multi:
                return _validation.check_fit_data_multi(self, X, y)
            return _validation.check_fit_data(self, X, y, y_numeric=y_numeric)

        self.categories_: dict[str, list[str]] = {}
        if not is_raw(X, self.categorical, str(self.missing)):
            X, y = validate(X, y)
            return FitInput(X, y, _validation.feature_names(self))
        names, cols = columns_of(X)
        Xe, enc, inputs, kept = _mcdropout.fit_encoding(
            names,
            cols,
            self.categorical != "none",
            engine_categorical(X, self.categorical),
            _validation.positive_int("max_categories", self.max_categories),
            str(self.missing),
        )
        Xe, y = validate(Xe, _rows_of(y, kept, len(X)))
        self.feature_names_in_ = np.asarray(names, dtype=object)
        self.n_features_in_ = len(names)
        return FitInput(Xe, y, list(inputs), None if _is_identity(enc) else enc)

    def _store_encoding(self, model: Any, fit: FitInput) -> Any:
        """``model`` with the encoding of ``fit`` stored (``categories_`` set from it)."""
        if fit.encoding is None:
            return model
        self.categories_ = categories_of(fit.encoding)
        return model.with_encoding(fit.encoding)

    def _predict_input(self, X: Any) -> Any:
        """X as the fitted model's inputs: a raw DataFrame through the stored encoding
        (``unknown_category`` applies), anything else validated as numbers."""
        if self.model_.encoding_json is None:
            return _validation.check_predict_data(self, X)
        if not _is_frame(X):
            raise ValueError(
                "invalid X: this model was fitted on a DataFrame with text or missing "
                "cells; pass a DataFrame with the columns "
                + ", ".join(str(n) for n in self.feature_names_in_)
            )
        names, cols = columns_of(X)
        Xe, _kept, _unknown = self.model_.encode_columns(
            names, cols, "error", str(self.unknown_category)
        )
        return Xe

    def _inputs_from_model(self, model: Any) -> None:
        """``n_features_in_``, ``feature_names_in_`` and ``categories_`` of a loaded model:
        with a stored encoding its raw columns, else the model's features."""
        enc = model.encoding_json
        if enc is None:
            self.categories_ = {}
            self.n_features_in_ = int(model.n_features)
            names = list(model.feature_names)
            if names != [f"x{i}" for i in range(len(names))]:
                self.feature_names_in_ = np.asarray(names, dtype=object)
            return
        raw = [c["name"] for c in json.loads(enc)["columns"]]
        self.feature_names_in_ = np.asarray(raw, dtype=object)
        self.n_features_in_ = len(raw)
        self.categories_ = categories_of(enc)


def documented(cls: Any) -> Any:
    """Puts the shared text of the DataFrame parameters and attributes into a class
    docstring, at its lines ``{frame_parameters}`` and ``{frame_attributes}``."""
    doc = cls.__doc__ or ""
    doc = doc.replace("\n    {frame_parameters}", PARAMETERS_DOC)
    cls.__doc__ = doc.replace("\n    {frame_attributes}", ATTRIBUTES_DOC)
    return cls
