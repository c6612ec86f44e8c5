#!/usr/bin/env python3
"""Renders the detailed UCI table of results/uci.md from a `mcdropout uci --out DIR` run.

Usage: python3 scripts/uci_table.py DIR/results.json PUBLISHED.md > table.md

Adds to the CLI's table the pooled-standard-error distance to Gal's figures,
Δ/σ = (ours − Gal's) / sqrt(se_ours² + se_Gal²), and the most often chosen (p, τ).
Gal's figures are read from the "Finer figures" table of PUBLISHED.md.
"""
import collections
import json
import math
import sys


def published(path):
    rows, in_fine = {}, False
    for line in open(path):
        if line.startswith("Finer figures"):
            in_fine = True
        if in_fine and line.startswith("| ") and not line.startswith("| dataset"):
            cells = [c.strip() for c in line.strip().strip("|").split("|")]
            if len(cells) == 5:
                rows[cells[0]] = tuple(float(c) for c in cells[1:])
    return rows


def fmt(x):
    return f"{x:.3f}" if abs(x) >= 0.05 else f"{x:.5f}"


def main():
    run = json.load(open(sys.argv[1]))
    pub = published(sys.argv[2])
    print("| dataset | splits | RMSE (det.) | MC RMSE | MC RMSE (Gal) | Δ/σ | test LL "
          "| test LL (Gal) | Δ/σ | wall time | most chosen (p, τ) |")
    print("|---|---|---|---|---|---|---|---|---|---|---|")
    for d in run["datasets"]:
        g_rmse, g_rmse_se, g_ll, g_ll_se = pub[d["dataset"]]
        m, l, r = d["mc_rmse"], d["ll"], d["rmse"]
        z_rmse = (m["mean"] - g_rmse) / math.hypot(m["se"], g_rmse_se)
        z_ll = (l["mean"] - g_ll) / math.hypot(l["se"], g_ll_se)
        chosen = collections.Counter((s["dropout"], s["tau"]) for s in d["splits"])
        top = ", ".join(f"({p}, {t})×{c}" for (p, t), c in chosen.most_common(3))
        print(f"| {d['dataset']} | {d['n_splits']} | {fmt(r['mean'])} ± {fmt(r['se'])} "
              f"| {fmt(m['mean'])} ± {fmt(m['se'])} | {fmt(g_rmse)} ± {fmt(g_rmse_se)} "
              f"| {z_rmse:+.2f} | {fmt(l['mean'])} ± {fmt(l['se'])} "
              f"| {fmt(g_ll)} ± {fmt(g_ll_se)} | {z_ll:+.2f} "
              f"| {d['wall_seconds']:.0f} s | {top} |")
    total = run["total_wall_seconds"]
    steps = sum(d["steps"] for d in run["datasets"])
    print()
    print(f"total wall time {total:.0f} s ({total / 60:.1f} min) on {run['jobs']} threads, "
          f"{steps / 1e6:.2f} M training steps (seed {run['seed']}, T = {run['samples']}, "
          f"epochs × {run['epochs_multiplier']}, precision {run.get('precision', 'f64')})")


if __name__ == "__main__":
    main()
