"""Batch scoring of Ray Datasets: :class:`Scorer` for ``Dataset.map_batches``."""

from __future__ import annotations

import os
from typing import Any

import numpy as np

from .._network import PathLike
from ._common import assigned_cpus

REGRESSION_COLUMNS = ["mean", "std", "epistemic_std", "aleatoric_std", "lower", "upper"]
CLASS_COLUMNS = ["class", "entropy", "mutual_info", "variation_ratio"]


def output_columns(estimator: Any) -> list[str]:
    """The columns :class:`Scorer` adds for a fitted estimator, as ``mcdropout predict``
    names them: ``mean, std, epistemic_std, aleatoric_std, lower, upper`` for a regressor
    or GP; ``p_<label>`` per class then ``class, entropy, mutual_info, variation_ratio``
    for a classifier."""
    classes = getattr(estimator, "classes_", None)
    if classes is None:
        return list(REGRESSION_COLUMNS)
    return [f"p_{c}" for c in classes] + list(CLASS_COLUMNS)


def _keys_of(values: Any, column: str) -> np.ndarray:
    """The key column as uint64, or ValueError naming the first bad row."""
    k = np.asarray(values)
    if k.dtype.kind == "u":
        return k.astype(np.uint64, copy=False)
    if k.dtype.kind == "f":
        bad = ~(np.isfinite(k) & (k >= 0) & (k <= 2.0**53) & (np.floor(k) == k))
        if bad.any():
            row = int(np.flatnonzero(bad)[0])
            raise ValueError(
                f"key column {column!r}: row {row} of the batch holds {k[row]!r}, "
                "not a non-negative integer"
            )
        return k.astype(np.uint64)
    if k.dtype.kind != "i":
        raise ValueError(f"key column {column!r} must hold integers, got dtype {k.dtype}")
    if k.size and k.min() < 0:
        row = int(np.flatnonzero(k < 0)[0])
        raise ValueError(f"key column {column!r}: row {row} of the batch holds {int(k[row])} < 0")
    return k.astype(np.uint64)


class Scorer:
    """Adds MC-dropout predictive columns to the batches of a Ray Dataset.

    A callable class for ``Dataset.map_batches``: Ray builds one per worker (actor),
    which loads the model file once, then calls it on every batch; the batch comes back
    with the columns of ``mcdropout predict`` added (see :func:`output_columns`; with
    ``prefix`` in front of each name).

    Every row's T stochastic passes are drawn from streams keyed by (``seed``, the row's
    value in ``key_column``), so a row's numbers depend only on its features, key, seed
    and T — not on how the Dataset is cut into blocks or batches, nor on which worker or
    machine scores it — and equal bit for bit what ``mcdropout predict --key-column NAME
    --seed S --samples T`` prints for the same rows. Keys are non-negative integers (up to
    2⁵³ for the command line, which reads files as float64); rows sharing a key share
    their masks.

    A key column is required (``key_column=None`` raises ValueError): a Ray Dataset has
    no stable row number — a row's position within its batch changes with the block
    size, the parallelism and the file layout — so keying by position would give a row
    different numbers from run to run, and hashing the features would silently give
    duplicate rows identical masks and change with the last bit of a value. Add a row id
    to the data once (e.g. a ``row_id`` column written with the file) and name it here.

    Features are the model's feature names when the batch has all of them (models fitted
    on a DataFrame or trained by the command line with a header); otherwise every column
    but the key column, in order, which must then be as many as the model's features.
    A model fitted on a raw table (text, category or string columns, missing cells; by
    an estimator on a DataFrame or by ``mcdropout train`` on a CSV or Parquet file)
    stores its encoding: the batch must then hold its raw columns, as
    ``ray.data.read_parquet`` gives them (strings, nulls), and they are encoded as the
    estimators' ``predict`` and ``mcdropout predict`` encode them.
    A Gaussian-process model needs no masks; its key column is only dropped from the
    features.

    Parameters
    ----------
    model : path
        A model file from ``mcdropout train`` / ``mcdropout gp`` or an estimator's
        ``save``: an absolute path (workers do not run in the driver's folder) that every
        node can read.
    key_column : str
        Name of the integer key column.
    samples : int, default 10 000
        Stochastic passes T per row.
    seed : int, default 0
        Seed of the masks (``mcdropout predict --seed``).
    level : float, default 0.95
        Level of the central interval (regression).
    n_jobs : int or None
        Engine threads per worker; by default the CPUs Ray assigned the worker
        (``map_batches(..., num_cpus=c)``), so Ray's workers and the engine's threads
        share the cores without oversubscribing them.
    prefix : str, default ""
        Put in front of every added column name (an added name that is already a column
        of the batch is an error).
    unknown_category : {"error", "ignore"}, default "error"
        A category the model did not see in training (a model with an encoding): a
        ValueError naming row, column and value, or all-zero inputs
        (``mcdropout predict --unknown-category``).

    Examples
    --------
    >>> import ray  # doctest: +SKIP
    >>> ds = ray.data.read_parquet("rows.parquet")  # doctest: +SKIP
    >>> scored = ds.map_batches(
    ...     Scorer,
    ...     fn_constructor_kwargs={"model": "net.model", "key_column": "row_id", "samples": 1000},
    ...     batch_format="pandas",
    ...     compute=ray.data.ActorPoolStrategy(size=2),
    ...     num_cpus=1,
    ... )  # doctest: +SKIP
    >>> scored.write_parquet("scored/")  # doctest: +SKIP
    """

    def __init__(
        self,
        model: PathLike,
        key_column: str | None,
        *,
        samples: int = 10_000,
        seed: int = 0,
        level: float = 0.95,
        n_jobs: int | None = None,
        prefix: str = "",
        unknown_category: str = "error",
    ) -> None:
        from .. import _validation
        from ..io import load

        if key_column is None:
            raise ValueError(
                "Scorer needs key_column: the name of an integer column that identifies each "
                "row (a Ray Dataset has no stable row number, so without keys a row's MC "
                "masks would depend on how the data is split into blocks)"
            )
        self.key_column = str(key_column)
        self.estimator = load(os.fspath(model))
        self.samples = _validation.positive_int("samples", samples)
        self.seed = int(seed)
        if self.seed < 0:
            raise ValueError(f"invalid seed: must be non-negative, got {seed}")
        self.level = _validation.level_of(level)
        self.n_jobs = n_jobs if n_jobs is not None else assigned_cpus()
        self.prefix = str(prefix)
        est = self.estimator
        if unknown_category not in ("error", "ignore"):
            raise ValueError(
                f"invalid unknown_category: {unknown_category!r} (expected 'error' or 'ignore')"
            )
        wanted = {
            "n_samples": self.samples,
            "n_jobs": self.n_jobs,
            "level": self.level,
            "unknown_category": unknown_category,
        }
        own = est.get_params()
        est.set_params(**{k: v for k, v in wanted.items() if k in own})
        if hasattr(est, "n_samples"):
            est.seed_ = self.seed
        self.columns = [self.prefix + c for c in output_columns(est)]
        names = getattr(est, "feature_names_in_", None)
        self.feature_names = None if names is None else [str(n) for n in names]
        self.raw = est.model_.encoding_json is not None

    def _features(self, cols: dict[str, np.ndarray]) -> Any:
        """The model's inputs from a batch's columns: a DataFrame with the model's feature
        names when it has them all, else a float64 matrix of the other columns. For a model
        with a stored encoding, its raw columns as they are (the estimator encodes them as
        its ``predict`` does)."""
        if self.raw:
            import pandas as pd

            names = self.feature_names or []
            absent = [n for n in names if n not in cols]
            if absent:
                raise ValueError(
                    f"the batch lacks the model's column(s) {', '.join(absent)} "
                    f"(columns: {', '.join(cols)})"
                )
            return pd.DataFrame({n: cols[n] for n in names})
        if self.feature_names is not None and all(n in cols for n in self.feature_names):
            import pandas as pd

            return pd.DataFrame(
                {n: np.asarray(cols[n], dtype=np.float64) for n in self.feature_names}
            )
        else:
            names = [c for c in cols if c != self.key_column]
            expected = int(self.estimator.n_features_in_)
            if len(names) != expected:
                raise ValueError(
                    f"the batch has {len(names)} feature columns besides the key column "
                    f"{self.key_column!r} ({', '.join(names)}) but the model expects {expected}"
                )
        return np.column_stack([np.asarray(cols[n], dtype=np.float64) for n in names])

    def score(self, cols: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
        """The added columns for a batch given as column name → 1-D array."""
        if self.key_column not in cols:
            raise ValueError(
                f"key column {self.key_column!r} is not in the batch (columns: {', '.join(cols)})"
            )
        keys = _keys_of(cols[self.key_column], self.key_column)
        x = self._features(cols)
        est = self.estimator
        if hasattr(est, "classes_"):
            u = est.predict_uncertainty(x, row_keys=keys)
            values = [u.probs[:, j] for j in range(u.probs.shape[1])]
            values += [u.predicted, u.entropy, u.mutual_information, u.variation_ratio]
        elif hasattr(est, "n_samples"):
            d = est.predict_distribution(x, row_keys=keys)
            values = self._regression(d)
        else:
            values = self._regression(est.predict_distribution(x, level=self.level))
        return dict(zip(self.columns, values))

    @staticmethod
    def _regression(d: Any) -> list[np.ndarray]:
        n = d.mean.shape[0]
        return [
            d.mean,
            d.std,
            d.epistemic_std,
            np.full(n, d.aleatoric_std),
            d.lower,
            d.upper,
        ]

    def __call__(self, batch: Any) -> Any:
        """The batch (a pandas DataFrame or a dict of numpy arrays, as ``batch_format``
        gives it) with the predictive columns added, in the same format."""
        is_frame = hasattr(batch, "columns") and hasattr(batch, "assign")
        cols = {str(c): batch[c].to_numpy() for c in batch.columns} if is_frame else batch
        clash = [c for c in self.columns if c in cols]
        if clash:
            raise ValueError(
                f"the batch already has column(s) {', '.join(clash)}; pass prefix= to name "
                "the added columns apart"
            )
        added = self.score(cols)
        if is_frame:
            return batch.assign(**added)
        out = dict(batch)
        out.update(added)
        return out
