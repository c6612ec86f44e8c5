"""Gal's UCI protocol as Ray tasks: :func:`run_uci`."""

from __future__ import annotations

import json
import os
import time
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from typing import Any

from .. import _mcdropout
from .._network import PathLike
from ._common import attempt_number, require_ray


@dataclass(frozen=True)
class UciSettings:
    """The protocol's settings, as the options of ``mcdropout uci`` of the same names
    (defaults as published: ×100 epochs, T = 10 000, one hidden layer, Gal's τ units, f32
    training). ``splits`` (0-based) or ``max_splits`` pick splits (default all); the grid
    overrides replace dropout_rates.txt / tau_values.txt."""

    epochs_multiplier: float = 100.0
    samples: int = 10_000
    layers: int = 1
    seed: int = 0
    splits: Sequence[int] | None = None
    max_splits: int | None = None
    dropout_rates: Sequence[float] | None = None
    tau_values: Sequence[float] | None = None
    tau_units: str = "gal"
    precision: str = "f32"

    def engine(self, n_splits: int) -> dict[str, Any]:
        """The dict the engine reads, for a dataset with ``n_splits`` splits."""
        if self.splits is not None and self.max_splits is not None:
            raise ValueError("give splits or max_splits, not both")
        splits = None if self.splits is None else [int(k) for k in self.splits]
        if self.max_splits is not None:
            splits = list(range(min(int(self.max_splits), n_splits)))
        d = asdict(self)
        del d["max_splits"]
        d["splits"] = splits
        for k in ("dropout_rates", "tau_values"):
            d[k] = None if d[k] is None else [float(v) for v in d[k]]
        return d


@dataclass(frozen=True)
class UciRun:
    """What :func:`run_uci` did: ``datasets`` as in results.json (per dataset: mean ±
    standard error of RMSE, MC RMSE and test log-likelihood, and every split with its
    grid), the markdown ``table`` next to Gal's published figures, ``retried_tasks`` (tasks
    Ray ran again after losing a worker), ``jobs`` (worker CPUs / CPUs per task) and the
    wall time."""

    datasets: list[dict[str, Any]]
    table: str
    retried_tasks: int
    jobs: int
    wall_seconds: float
    out: str | None = field(default=None)


def uci_grid_point(
    dataset: Any, settings: dict[str, Any], split: int, point: int, n_jobs: int | None
) -> tuple[str, int]:
    """Ray task: one (split, grid point) training and validation → (JSON, attempt)."""
    out = _mcdropout.uci_grid_point(dataset, settings, split, point, n_jobs)
    return out, attempt_number()


def uci_retrain_test(
    dataset: Any, settings: dict[str, Any], split: int, n_jobs: int | None, *points: Any
) -> tuple[str, int]:
    """Ray task: a split's choice by validation log-likelihood, retrain and test, from
    the results of its grid-point tasks → (JSON, attempt)."""
    out = _mcdropout.uci_retrain_test(dataset, settings, split, [p[0] for p in points], n_jobs)
    return out, attempt_number()


def run_uci(
    root: PathLike,
    datasets: Sequence[str],
    settings: UciSettings | None = None,
    *,
    out: PathLike | None = None,
    cpus_per_task: int = 1,
    max_retries: int = 3,
) -> UciRun:
    """Runs Gal's UCI protocol on the connected Ray cluster and returns its results.

    The driver reads each dataset (``<root>/<name>/data/`` in Gal's layout) once and puts
    it in Ray's object store; every (split, grid point) training and validation is a Ray
    task, and every split's choice of the best pair + retrain + test is a task that
    depends on its grid's tasks. Seeds come from (seed, split, grid point) only, so the
    numbers equal those of ``mcdropout uci`` with the same settings, whatever the number
    of workers or the order Ray runs the tasks in. A task whose worker dies is run again
    by Ray (up to ``max_retries`` times) with the same result. With ``out`` (an existing
    folder) writes results.json, summary.json and results.md as ``mcdropout uci --out``
    does (only the wall times and ``jobs`` differ).

    Each task asks Ray for ``cpus_per_task`` CPUs and runs the engine on that many
    threads.
    """
    ray = require_ray()
    if not ray.is_initialized():
        raise RuntimeError("connect to Ray first: ray.init() or ray.init(address=...)")
    if cpus_per_task < 1:
        raise ValueError(f"invalid cpus_per_task: must be >= 1, got {cpus_per_task}")
    if out is not None and not os.path.isdir(out):
        raise FileNotFoundError(f"--out folder {os.fspath(out)} does not exist")
    settings = settings or UciSettings()
    opts = {"num_cpus": cpus_per_task, "max_retries": max_retries, "retry_exceptions": False}
    grid_task = ray.remote(uci_grid_point).options(**opts)
    split_task = ray.remote(uci_retrain_test).options(**opts)
    start = time.perf_counter()
    submitted = []
    for name in datasets:
        ds = _mcdropout.UciDataset.load(os.fspath(root), name)
        s = settings.engine(ds.n_splits)
        splits, grid, _ = _mcdropout.uci_plan(ds, s)
        ds_ref = ray.put(ds)
        grid_refs = []
        split_refs = []
        for k in splits:
            points = [grid_task.remote(ds_ref, s, k, g, cpus_per_task) for g in range(len(grid))]
            grid_refs += points
            split_refs.append(split_task.remote(ds_ref, s, k, cpus_per_task, *points))
        submitted.append((name, s, grid_refs, split_refs))
    results: list[str] = []
    retried = 0
    for name, _s, grid_refs, split_refs in submitted:
        done = ray.get(split_refs)
        wall = time.perf_counter() - start
        retried += sum(a > 0 for _, a in done)
        retried += sum(a > 0 for _, a in ray.get(grid_refs))
        results.append(_mcdropout.uci_dataset_result(name, [j for j, _ in done], wall))
    total = time.perf_counter() - start
    jobs = max(1, int(ray.cluster_resources().get("CPU", 1) // cpus_per_task))
    if out is not None and submitted:
        _mcdropout.uci_write_results(os.fspath(out), submitted[0][1], jobs, total, results)
    return UciRun(
        datasets=[json.loads(r) for r in results],
        table=_mcdropout.uci_table(results),
        retried_tasks=retried,
        jobs=jobs,
        wall_seconds=total,
        out=None if out is None else os.fspath(out),
    )
