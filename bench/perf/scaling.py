#!/usr/bin/env python3
"""Scaling table of issue 11, item 7: ours vs PyTorch (CPU, 1 thread each), back to back
per configuration (ours, then PyTorch), as cost grows with
  - rows N (one training epoch, 13 -> 50 -> 1 ReLU, dropout 0.05, batch 128, Adam, f32),
  - width W (one epoch on N = 10 000 rows, 13 -> W -> 1),
  - passes T (MC inference, 9 -> 100 -> 1, dropout 0.05, 1000 points, mean/var/test LL).
Ours: `target/release/examples/scaling` (best of 3 after a warm-up). PyTorch:
bench/pytorch/bench.py's own loops (training: `train_once`, one epoch of steps after 20
warm-up steps; MC: the better of its plain and stacked variants).

Run with the PyTorch interpreter from the repository root:
    bench/pytorch/.venv/bin/python bench/perf/scaling.py [--quick] [--out bench/perf/scaling.csv]
then draw docs/scaling.png (needs matplotlib):
    python3 bench/perf/plot_scaling.py bench/perf/scaling.csv docs/scaling.png
--quick stops at N = 10^5 and T = 10^3 (for a loaded machine).
"""

import argparse
import csv
import math
import os
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "pytorch"))
import torch

import bench

OURS = "target/release/examples/scaling"


def ours(*args):
    env = dict(os.environ, RAYON_NUM_THREADS="1")
    out = subprocess.run(
        [OURS, *map(str, args)], capture_output=True, text=True, env=env, check=True
    )
    return float(out.stdout.split()[-1])


def torch_train(n, width):
    steps = math.ceil(n / 128)
    us = bench.train_once(
        torch.float32, 1, steps, 20, "default", n_rows=n, d_in=13, hidden=width
    )
    return us * steps / 1e6


def torch_mc(t, points):
    best = math.inf
    for variant in ("plain", "stacked"):
        r = bench.mc_once(variant, 1, t, 1_000_000, n=points)
        best = min(best, r["total_s"])
    return best


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--quick", action="store_true")
    ap.add_argument("--out", default="bench/perf/scaling.csv")
    a = ap.parse_args()
    subprocess.run(
        ["cargo", "build", "--release", "--example", "scaling"],
        check=True,
        capture_output=True,
    )
    ns = [1000, 10_000, 100_000] + ([] if a.quick else [1_000_000])
    widths = [50, 128, 256, 512, 1024]
    ts = [10, 100, 1000] + ([] if a.quick else [10_000])
    rows = []

    def record(axis, value, ours_s, torch_s):
        load = Path("/proc/loadavg").read_text().split()[0]
        rows.append(
            {
                "axis": axis,
                "value": value,
                "ours_s": ours_s,
                "torch_s": torch_s,
                "ratio": torch_s / ours_s,
                "load": load,
            }
        )
        print(
            f"{axis:>6} {value:>8}  ours {ours_s:10.5f} s  torch {torch_s:10.4f} s  ratio {torch_s / ours_s:7.1f}  load {load}",
            flush=True,
        )

    for n in ns:
        record("rows", n, ours("train", n, 50), torch_train(n, 50))
    for w in widths:
        record("width", w, ours("train", 10_000, w), torch_train(10_000, w))
    for t in ts:
        record("T", t, ours("mc", t, 1000), torch_mc(t, 1000))
    with open(a.out, "w", newline="") as f:
        w = csv.DictWriter(f, fieldnames=list(rows[0]))
        w.writeheader()
        w.writerows(rows)
    print(f"wrote {a.out} ({time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())})")


if __name__ == "__main__":
    main()
