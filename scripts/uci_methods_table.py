#!/usr/bin/env python3
"""Render results/uci-methods.md and results/uci-methods.json from the protocol runs.

Usage:
  python3 scripts/uci_methods_table.py CONCRETE.json ENSEMBLE.json results/uci-full.json \
      results/uci-gp.json ../shared/data/UCI_Datasets/PUBLISHED.md OUT_PREFIX

CONCRETE.json and ENSEMBLE.json are the results.json of `mcdropout uci --method concrete`
and `--method ensemble`; the mc-dropout rows come from uci-full.json (Gal's grid protocol,
same splits and code) and the GP rows from uci-gp.json.
"""

from __future__ import annotations

import json
import math
import re
import sys
from typing import Any

ORDER = [
    "bostonHousing",
    "concrete",
    "energy",
    "kin8nm",
    "naval-propulsion-plant",
    "power-plant",
    "wine-quality-red",
    "yacht",
]

# Lakshminarayanan, Pritzel & Blundell (NeurIPS 2017), Table 1, "Deep Ensembles" column:
# (RMSE, ±, NLL, ±) as printed; NLL is the negative test log-likelihood.
DEEP_ENSEMBLES = {
    "bostonHousing": (3.28, 1.00, 2.41, 0.25),
    "concrete": (6.03, 0.58, 3.06, 0.18),
    "energy": (2.09, 0.29, 1.38, 0.22),
    "kin8nm": (0.09, 0.00, -1.20, 0.02),
    "naval-propulsion-plant": (0.00, 0.00, -5.63, 0.05),
    "power-plant": (4.11, 0.17, 2.79, 0.04),
    "wine-quality-red": (0.64, 0.04, 0.94, 0.12),
    "yacht": (1.58, 0.48, 1.18, 0.21),
}


def published(path: str) -> dict[str, tuple[float, float, float, float]]:
    """Gal's finer grid-search figures: dataset -> (MC RMSE, se, LL, se)."""
    out = {}
    text = open(path).read().split("Finer figures", 1)[1]
    for line in text.splitlines():
        m = re.match(r"\| (\S+) \| ([-\d.]+) \| ([-\d.]+) \| ([-\d.]+) \| ([-\d.]+) \|", line)
        if m:
            out[m.group(1)] = tuple(float(m.group(i)) for i in range(2, 6))  # type: ignore
    return out


def by_name(path: str) -> tuple[dict[str, Any], dict[str, Any]]:
    d = json.load(open(path))
    return d, {r["dataset"]: r for r in d["datasets"]}


def fmt(v: float, se: float, digits: int = 3) -> str:
    return f"{v:.{digits}f} ± {se:.{digits}f}"


def digits_for(name: str) -> int:
    return 5 if name.startswith("naval") else (4 if name == "kin8nm" else 3)


def main() -> None:
    conc_path, ens_path, grid_path, gp_path, pub_path, out = sys.argv[1:7]
    conc_run, conc = by_name(conc_path)
    ens_run, ens = by_name(ens_path)
    _, grid = by_name(grid_path)
    _, gp = by_name(gp_path)
    pub = published(pub_path)
    rows = []
    md = []
    better = 0
    worse2 = []
    steps_conc = steps_grid = steps_ens = 0
    for name in ORDER:
        p = pub[name]
        g = grid[name]
        d = digits_for(name)
        for label, r in (
            ("mc-dropout (grid)", g),
            ("concrete + hetero", conc.get(name)),
            ("ensemble (M=5)", ens.get(name)),
            ("exact GP", gp.get(name)),
        ):
            if r is None:
                md.append(f"| {name} | {label} | — | — | | | | not run |")
                continue
            dz = (r["ll"]["mean"] - p[2]) / math.hypot(r["ll"]["se"], p[3])
            steps = r.get("steps", 0)
            md.append(
                f"| {name} | {label} | {fmt(r['mc_rmse']['mean'], r['mc_rmse']['se'], d)} | "
                f"{fmt(r['ll']['mean'], r['ll']['se'])} | {dz:+.2f} | "
                f"{'—' if label == 'exact GP' else f'{steps / 1e6:.2f} M'} | "
                f"{r['wall_seconds']:.0f} s | {r['n_splits']} |"
            )
            rows.append(
                {
                    "dataset": name,
                    "method": label,
                    "n_splits": r["n_splits"],
                    "mc_rmse": r["mc_rmse"],
                    "ll": r["ll"],
                    "ll_delta_over_pooled_se_vs_gal": dz,
                    "steps": steps,
                    "wall_seconds": r["wall_seconds"],
                }
            )
        c = conc.get(name)
        if c is not None:
            steps_conc += c["steps"]
            steps_grid += g["steps"]
            dz = (c["ll"]["mean"] - p[2]) / math.hypot(c["ll"]["se"], p[3])
            if c["ll"]["mean"] > p[2]:
                better += 1
            if dz < -2:
                worse2.append(name)
        e = ens.get(name)
        if e is not None:
            steps_ens += e["steps"]
        md.append(
            f"| {name} | *Gal, published (grid)* | {fmt(p[0], p[1], d)} | {fmt(p[2], p[3])} | | | | 20 |"
        )
        de = DEEP_ENSEMBLES[name]
        md.append(
            f"| {name} | *deep ensembles, published* | {de[0]:.2f} ± {de[1]:.2f} | "
            f"{-de[2]:.2f} ± {de[3]:.2f} | | | | 20 |"
        )
    head = [
        "| dataset | method | MC RMSE | test LL | Δ/σ vs Gal LL | training steps | wall | splits |",
        "|---|---|---|---|---|---|---|---|",
    ]
    summary = {
        "concrete_better_than_gal_ll": better,
        "concrete_datasets": len(conc),
        "concrete_worse_by_more_than_2_pooled_se": worse2,
        "concrete_steps": steps_conc,
        "grid_steps_same_datasets": steps_grid,
        "concrete_step_ratio": steps_conc / steps_grid if steps_grid else None,
        "ensemble_steps": steps_ens,
        "ensemble_step_ratio": steps_ens / sum(grid[n]["steps"] for n in ens) if ens else None,
        "concrete_total_wall_seconds": conc_run.get("total_wall_seconds"),
        "ensemble_total_wall_seconds": ens_run.get("total_wall_seconds"),
    }
    # Per-split evidence where Concrete dropout's mean LL is below Gal's published mean.
    ev = []
    for name in ORDER:
        c = conc.get(name)
        if c is None or c["ll"]["mean"] > pub[name][2]:
            continue
        g = {s["split"]: s for s in grid[name]["splits"]}
        ev.append(f"\n**{name}** (Concrete {c['ll']['mean']:.3f} vs Gal {pub[name][2]:.3f}):\n")
        ev.append("| split | LL concrete | LL grid (ours) | MC RMSE concrete | MC RMSE grid | epochs | learned p (input, hidden) | grid (p, τ) |")
        ev.append("|---|---|---|---|---|---|---|---|")
        for sp in c["splits"]:
            gs = g.get(sp["split"])
            ev.append(
                f"| {sp['split']} | {sp['test']['ll']:.3f} | {gs['test']['ll']:.3f} | "
                f"{sp['test']['mc_rmse']:.3f} | {gs['test']['mc_rmse']:.3f} | {sp['epochs']} | "
                f"{', '.join(f'{q:.4f}' for q in sp['dropout'])} | ({gs['dropout']}, {gs['tau']}) |"
            )
        wins = sum(1 for sp in c["splits"] if sp["test"]["ll"] > g[sp["split"]]["test"]["ll"])
        ev.append(f"\nConcrete beats our grid run on {wins} of {len(c['splits'])} splits.")
    # Chosen epochs and learned rates, per dataset.
    ch = ["| dataset | method | chosen epochs (median, min–max) | learned p input (median) | learned p hidden (median) |", "|---|---|---|---|---|"]
    for lab, src in (("concrete", conc), ("ensemble", ens)):
        for name in ORDER:
            r = src.get(name)
            if r is None:
                continue
            ep = sorted(sp["epochs"] for sp in r["splits"])
            p0 = sorted(sp["dropout"][0] for sp in r["splits"])
            p1 = sorted(sp["dropout"][-1] for sp in r["splits"])
            mid = len(ep) // 2
            ch.append(f"| {name} | {lab} | {ep[mid]} ({ep[0]}–{ep[-1]}) | {p0[mid]:.4f} | {p1[mid]:.4f} |")
    json.dump({"summary": summary, "rows": rows}, open(out + ".json", "w"), indent=1)
    open(out + ".table.md", "w").write(
        "\n".join(head + md) + "\n\n" + "\n".join(ch) + "\n" + "\n".join(ev) + "\n"
    )
    print(json.dumps(summary, indent=1))


if __name__ == "__main__":
    main()
