#!/usr/bin/env python3
"""Draws docs/scaling.png from bench/perf/scaling.py's CSV: three log-log panels (time vs
rows N, width, passes T), ours and PyTorch side by side.
Usage: python3 bench/perf/plot_scaling.py bench/perf/scaling.csv docs/scaling.png"""

import csv
import sys

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt


def main():
    src, dst = sys.argv[1], sys.argv[2]
    with open(src) as f:
        rows = list(csv.DictReader(f))
    axes = [
        ("rows", "rows N (one epoch, 13-50-1)"),
        ("width", "width W (one epoch, N = 10^4)"),
        ("T", "MC passes T (1000 points)"),
    ]
    fig, ax = plt.subplots(1, 3, figsize=(13, 4))
    for a, (key, label) in zip(ax, axes):
        sel = [r for r in rows if r["axis"] == key]
        x = [float(r["value"]) for r in sel]
        a.loglog(x, [float(r["ours_s"]) for r in sel], "o-", label="mcdropout")
        a.loglog(
            x, [float(r["torch_s"]) for r in sel], "s--", label="PyTorch (1 thread)"
        )
        for xi, r in zip(x, sel):
            a.annotate(
                f"{float(r['ratio']):.0f}x",
                (xi, float(r["ours_s"])),
                textcoords="offset points",
                xytext=(0, -12),
                ha="center",
                fontsize=8,
            )
        a.set_xlabel(label)
        a.set_ylabel("seconds")
        a.grid(True, which="both", alpha=0.3)
        a.legend()
    fig.suptitle(
        "Cost growth, mcdropout vs PyTorch (both 1 thread); labels: PyTorch / ours"
    )
    fig.tight_layout()
    fig.savefig(dst, dpi=120)


if __name__ == "__main__":
    main()
