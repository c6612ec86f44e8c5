"""Peak memory of `mcdropout predict` on a 10⁶-row Parquet file (issue 23, item 4).

Writes a table of 10⁶ rows (eight numeric features, one text column of five categories, a
few nulls, a price-like target) as Parquet (row groups of 10⁵ rows) and as CSV, trains a
9-input model (8 numbers + the one-hot text column) on its first 10 000 rows, then scores
the whole file with T passes and reports each command's wall time and peak resident memory
(GNU time's %M). With --out, a Parquet input is scored part by part
(PART_ROWS = 65 536 rows) into a staged file; the CSV input and stdout runs hold the whole
table. The outputs of the three runs are compared for equality.

    .venv/bin/python bench/perf/parquet_memory.py --bin target/release/mcdropout [--rows N] [--samples T]
"""

from __future__ import annotations

import argparse
import os
import subprocess
import tempfile
import time

import numpy as np
import pandas as pd


def run(cmd: list[str]) -> tuple[float, float]:
    """Wall seconds and peak RSS (MiB) of one command, measured by GNU time (`%M`): the
    rusage of a child forked by this Python process would count the interpreter's pages
    it inherits before exec."""
    with tempfile.NamedTemporaryFile("r") as f:
        t0 = time.perf_counter()
        subprocess.run(
            ["/usr/bin/time", "-f", "%M", "-o", f.name, *cmd],
            check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )  # fmt: skip
        wall = time.perf_counter() - t0
        return wall, int(f.read().split()[-1]) / 1024.0


def same_bytes(a: str, b: str) -> bool:
    with open(a, "rb") as fa, open(b, "rb") as fb:
        return fa.read() == fb.read()


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--bin", default="target/release/mcdropout")
    ap.add_argument("--rows", type=int, default=1_000_000)
    ap.add_argument("--samples", type=int, default=10)
    args = ap.parse_args()
    rng = np.random.default_rng(0)
    n = args.rows
    x = rng.normal(size=(n, 8))
    town = rng.choice(["north", "south", "east", "west", "centre"], size=n)
    y = np.exp(0.3 * x[:, 0] - 0.2 * x[:, 1] + 0.1 * rng.normal(size=n)) * 100.0
    df = pd.DataFrame({f"x{j}": x[:, j] for j in range(8)})
    df["town"] = town
    df["price"] = y
    df.loc[rng.choice(n, size=n // 1000, replace=False), "x3"] = np.nan
    with tempfile.TemporaryDirectory() as d:
        pq = os.path.join(d, "big.parquet")
        csv = os.path.join(d, "big.csv")
        df.to_parquet(pq, index=False, row_group_size=100_000)
        df.to_csv(csv, index=False)
        df.iloc[:10_000].to_csv(os.path.join(d, "train.csv"), index=False)
        mb = os.path.getsize(pq) / 2**20, os.path.getsize(csv) / 2**20
        print(f"{n} rows: Parquet {mb[0]:.1f} MiB, CSV {mb[1]:.1f} MiB")
        model = os.path.join(d, "m.model")
        subprocess.run(
            [args.bin, "train", "--data", os.path.join(d, "train.csv"), "--target", "price",
             "--hidden", "100", "--tau", "1e-3", "--epochs", "5", "--missing", "impute",
             "--out", model],
            check=True, stderr=subprocess.DEVNULL,
        )  # fmt: skip
        base = [args.bin, "predict", "--model", model, "--samples", str(args.samples)]
        out_pq = os.path.join(d, "o.parquet")
        runs = [
            (
                "Parquet in, --out o.parquet (in parts)",
                base + ["--data", pq, "--out", out_pq],
            ),
            (
                "Parquet in, --out o.csv (in parts)",
                base + ["--data", pq, "--out", f"{d}/p.csv"],
            ),
            (
                "CSV in, --out o.csv (whole table)",
                base + ["--data", csv, "--out", f"{d}/c.csv"],
            ),
        ]
        for name, cmd in runs:
            wall, peak = run(cmd)
            print(f"{name}: {wall:.2f} s, peak RSS {peak:.0f} MiB")
        same = same_bytes(f"{d}/p.csv", f"{d}/c.csv")
        back = pd.read_parquet(out_pq)
        csv_out = pd.read_csv(f"{d}/c.csv")
        print(
            f"outputs equal: CSV {same}, Parquet {bool((back.values == csv_out.values).all())}"
        )


if __name__ == "__main__":
    main()
