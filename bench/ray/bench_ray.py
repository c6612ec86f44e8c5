"""Scoring throughput (stochastic passes per second) of the same rows by the command line
and by `mcdropout.ray.Scorer` on 1 and 2 Ray workers, back to back on this machine.

Run as root from the repository root after the test command has built .venv and the
binary (it moves itself into a network namespace of its own with only loopback up, as
the Ray tests do, and starts the same two-node cluster: two logical CPUs per node, so the
one-CPU scoring workers leave room for Ray Data's read and write tasks):

    .venv/bin/python bench/ray/bench_ray.py [--rows 20000] [--samples 1000] [--repeats 3]

Prints a markdown table for BENCHMARKS.md. Every timing covers reading the rows, scoring
and writing the result (CLI: CSV → CSV; Ray: Parquet → Parquet); the cluster's start and
the workers' start-up (model load) are outside the Ray timings only as far as Ray
overlaps them (they are inside: one pipeline run, cold actors each time).
"""

from __future__ import annotations

import argparse
import os
import platform
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd
from mcdropout import MCDropoutRegressor
from mcdropout.ray import Scorer

REPO = Path(__file__).resolve().parents[2]


def main() -> None:
    # The Ray tests' cluster helpers: network namespace, auth token, two nodes.
    sys.path.insert(0, str(REPO / "bindings" / "python" / "tests_ray"))
    import cluster as ray_cluster

    ray_cluster.use_token_auth()
    ap = argparse.ArgumentParser()
    ap.add_argument("--rows", type=int, default=20_000)
    ap.add_argument("--samples", type=int, default=1_000)
    ap.add_argument("--repeats", type=int, default=3)
    args = ap.parse_args()
    tmp = Path(tempfile.mkdtemp(prefix="mcdr-bench-"))
    rng = np.random.default_rng(0)
    x = rng.uniform(size=(args.rows, 8))
    names = [f"x{i}" for i in range(8)]
    train = pd.DataFrame(x[:500], columns=names)
    y = np.sin(3 * x[:500, 0]) + x[:500, 1]
    MCDropoutRegressor(hidden_layer_sizes=(50,), epochs=20, random_state=0).fit(
        train, y
    ).save(tmp / "m.model")
    frame = pd.DataFrame(x, columns=names)
    frame.insert(0, "row_id", np.arange(args.rows, dtype=np.int64))
    frame.to_csv(tmp / "rows.csv", index=False, float_format="%.17g")
    (tmp / "pq").mkdir()
    for i, part in enumerate(np.array_split(np.arange(args.rows), 4)):
        frame.iloc[part].to_parquet(tmp / "pq" / f"part-{i}.parquet", index=False)
    passes = args.rows * args.samples
    cli = REPO / "target" / "release" / "mcdropout"
    results: list[tuple[str, list[float]]] = []

    def cli_run(threads: int) -> float:
        cmd = [
            str(cli), "predict", "--model", str(tmp / "m.model"), "--data",
            str(tmp / "rows.csv"), "--key-column", "row_id", "--samples", str(args.samples),
            "--threads", str(threads), "--out", str(tmp / "cli_out.csv"),
        ]  # fmt: skip
        t0 = time.perf_counter()
        subprocess.run(cmd, check=True)
        return time.perf_counter() - t0

    ray_cluster.isolate_network()
    c = ray_cluster.start(num_cpus_per_node=2)
    import ray

    try:
        ray.init(address=c.address, log_to_driver=False)
        while len([n for n in ray.nodes() if n["Alive"]]) < 2:
            time.sleep(0.25)
        ctx = ray.data.DataContext.get_current()
        ctx.enable_progress_bars = False

        def ray_run(workers: int) -> float:
            out = tmp / f"ray_out_{workers}_{time.monotonic_ns()}"
            t0 = time.perf_counter()
            # At least as many blocks as workers: a block is scored by one worker.
            ray.data.read_parquet(str(tmp / "pq"), override_num_blocks=8).map_batches(
                Scorer,
                fn_constructor_kwargs={
                    "model": str(tmp / "m.model"),
                    "key_column": "row_id",
                    "samples": args.samples,
                },
                batch_format="pandas",
                batch_size=2_000,
                compute=ray.data.ActorPoolStrategy(size=workers),
                num_cpus=1,
                scheduling_strategy="SPREAD",
            ).write_parquet(str(out))
            return time.perf_counter() - t0

        ray_run(1)  # warm-up: worker processes and imports
        for _ in range(args.repeats):
            for name, fn in (
                ("CLI, 1 thread", lambda: cli_run(1)),
                ("CLI, 2 threads", lambda: cli_run(2)),
                ("Ray, 1 worker × 1 CPU", lambda: ray_run(1)),
                ("Ray, 2 workers × 1 CPU (spread over the nodes)", lambda: ray_run(2)),
            ):
                secs = fn()
                found = next((r for r in results if r[0] == name), None)
                if found is None:
                    results.append((name, [secs]))
                else:
                    found[1].append(secs)
    finally:
        ray.shutdown()
        left = c.stop()
        assert not left, left
        shutil.rmtree(c.temp_dir, ignore_errors=True)
        shutil.rmtree(tmp, ignore_errors=True)
    print(
        f"{args.rows} rows × T = {args.samples} = {passes:.2e} passes, 8 → 50 → 1 network; "
        f"{platform.processor() or platform.machine()}, {os.cpu_count()} cores; "
        f"best of {args.repeats} (median in brackets)\n"
    )
    print("| runner | seconds | passes/s |")
    print("|---|---|---|")
    for name, times in results:
        best, med = min(times), float(np.median(times))
        print(
            f"| {name} | {best:.2f} ({med:.2f}) | {passes / best:.3g} ({passes / med:.3g}) |"
        )


if __name__ == "__main__":
    main()
