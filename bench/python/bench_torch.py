"""PyTorch CPU side of BENCHMARKS.md's Python comparisons (issue 13 item 7 (b), (c)).

(b) fit: the PyTorch loop equivalent to ``MCDropoutRegressor.fit`` on Gal's Boston
    setting. Split 0 of Gal's bostonHousing data (455 training rows x 13 features;
    x and y standardised with the training mean and ddof-0 std, a zero std taken as 1,
    as Gal's net.py does); 13 -> 50 -> 1 ReLU, dropout p = 0.005 before both Linears
    (``Net`` of bench/pytorch/bench.py: Keras' glorot-uniform kernels, zero biases);
    loss = MSE (mean) + lambda * sum ||W||^2 over the two kernels (biases excluded),
    lambda = l^2 (1 - p) / (2 N tau) = 1.0934e-6 (l = 0.01, tau = 0.1, N = 455);
    Adam(lr 1e-3, betas (0.9, 0.999), eps 1e-7); batch 128, rows reshuffled every
    epoch, last batch partial (455 = 3 * 128 + 71); 4000 epochs = 16 000 steps. The step
    is bench/pytorch/bench.py's step, unchanged. Timed: the whole fit, from seeding and
    building the model and optimiser to the last step (data already standardised in
    memory), after one untimed --warmup-epochs fit per configuration that absorbs
    PyTorch's one-off start-up costs (about 1 s the first time in a process). Best and
    median of --repeats fits; f32 unless --dtype says otherwise.
    After timing, the deterministic-pass RMSE on split 0's 51 test rows (original units)
    is printed as a sanity check (the README's `mcdropout evaluate` example: 2.8933).

(c) MC prediction with PyTorch's own loop: the module
    ``nn.Sequential(Dropout(p), Linear(9, 100), ReLU(), Dropout(p), Linear(100, 1))``
    (the shape of the golden ``regress_relu`` module, sized like the engine's MC
    benchmark; p = 0.05, seeded random weights), N = 4573 random input rows, T passes
    with dropout on (``module.train()``, ``torch.no_grad()``), float32; per row the MC
    mean and the sample variance (divisor T - 1). Variants as in bench/pytorch/bench.py:
      plain   - T forwards on all N rows, filling a T x N tensor;
      stacked - the inputs repeated k times (k N ~ --block-rows rows), so one forward is
                k passes; ceil(T / k) forwards.
    With --T-measure M the loop runs M passes and the time is scaled by T / M.
    --export DIR writes the module's state_dict (safetensors, PyTorch's key names) and
    the inputs (.npy), so the same module can be timed on mcdropout's engine.

Prints a table per part, and as its last line ``JSON: {...}`` with every figure.
"""

from __future__ import annotations

import argparse
import datetime
import importlib.util
import json
import math
import os
import platform
import statistics
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np
import torch
from torch import nn

REPO = Path(__file__).resolve().parents[2]


def _load_bench() -> Any:
    """bench/pytorch/bench.py: Gal's 2-layer ``Net`` and the MC loops ``mc_plain`` and
    ``mc_stacked`` (reused here so both scripts time the same PyTorch code)."""
    spec = importlib.util.spec_from_file_location(
        "pytorch_bench", REPO / "bench" / "pytorch" / "bench.py"
    )
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


_BENCH = _load_bench()
Net = _BENCH.Net

DTYPES = {"f32": torch.float32, "f64": torch.float64}


def cpu_model() -> str:
    """The CPU's model name from lscpu."""
    try:
        out = subprocess.run(
            ["lscpu"], check=False, capture_output=True, text=True
        ).stdout
        for line in out.splitlines():
            if line.startswith("Model name:"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


def boston_dir() -> Path:
    """$MCDROPOUT_DATA/UCI_Datasets/bostonHousing/data, else ../shared/data/..."""
    root = os.environ.get("MCDROPOUT_DATA")
    base = Path(root) if root else REPO.parent / "shared" / "data"
    return base / "UCI_Datasets" / "bostonHousing" / "data"


def load_boston(split: int) -> dict[str, np.ndarray]:
    """Split `split` of Gal's Boston data: raw train/test arrays (float64)."""
    d = boston_dir()
    data = np.loadtxt(d / "data.txt")
    train = np.loadtxt(d / f"index_train_{split}.txt", dtype=np.int64)
    test = np.loadtxt(d / f"index_test_{split}.txt", dtype=np.int64)
    x, y = data[:, :13], data[:, 13]
    return {
        "x_train": x[train],
        "y_train": y[train],
        "x_test": x[test],
        "y_test": y[test],
    }


# ----------------------------------------------------------------------------- (b)
def fit_once(
    x: torch.Tensor,
    y: torch.Tensor,
    threads: int,
    epochs: int,
    p: float = 0.005,
    lam: float = 1.0934e-6,
    hidden: int = 50,
    batch: int = 128,
    seed: int = 0,
) -> tuple[float, nn.Module, float]:
    """One whole fit; returns (seconds, model, last minibatch loss)."""
    torch.set_num_threads(threads)
    n_rows, d_in = x.shape
    t0 = time.perf_counter()
    torch.manual_seed(seed)
    model = Net(d_in, hidden, p).to(x.dtype)
    model.train()
    opt = torch.optim.Adam(model.parameters(), lr=1e-3, betas=(0.9, 0.999), eps=1e-7)
    weights = (model.fc1.weight, model.fc2.weight)
    mse = nn.MSELoss()

    def batches() -> Iterator[torch.Tensor]:
        for _ in range(epochs):  # one permutation per epoch, last batch partial
            perm = torch.randperm(n_rows)
            for s in range(0, n_rows, batch):
                yield perm[s : s + batch]

    # The step of bench/pytorch/bench.py, unchanged.
    def step(idx: torch.Tensor) -> torch.Tensor:
        xb, yb = x[idx], y[idx]
        loss = mse(model(xb), yb) + lam * sum((w * w).sum() for w in weights)
        loss.backward()
        opt.step()
        opt.zero_grad(set_to_none=True)
        return loss

    loss = torch.tensor(math.nan)
    for idx in batches():
        loss = step(idx)
    dt = time.perf_counter() - t0
    return dt, model, float(loss.item())


def run_fit(args: argparse.Namespace) -> list[dict[str, Any]]:
    """Part (b): --repeats whole fits per dtype and thread count."""
    raw = load_boston(args.split)
    xtr, ytr = raw["x_train"], raw["y_train"]
    mx, sx = xtr.mean(0), xtr.std(0)
    sx[sx == 0] = 1.0
    my, sy = ytr.mean(), ytr.std()
    steps = args.epochs * math.ceil(len(xtr) / 128)
    print(
        f"\n(b) whole fit, Boston split {args.split}: {len(xtr)} x {xtr.shape[1]}, "
        f"13-50-1 ReLU, p 0.005, lambda 1.0934e-6, Adam, batch 128, "
        f"{args.epochs} epochs ({steps} steps); best and median of {args.repeats}"
    )
    print(
        f"{'dtype':<7}{'threads':>8}{'best s':>9}{'median s':>10}{'us/step':>9}"
        f"{'test RMSE':>11}   all s"
    )
    rows = []
    for name in args.dtype:
        dtype = DTYPES[name]
        x = torch.tensor((xtr - mx) / sx, dtype=dtype)
        y = torch.tensor(((ytr - my) / sy)[:, None], dtype=dtype)
        xte = torch.tensor((raw["x_test"] - mx) / sx, dtype=dtype)
        for th in args.threads:
            times, rmse, last_loss = [], math.nan, math.nan
            if args.warmup_epochs > 0:  # untimed: PyTorch's one-off start-up costs
                fit_once(x, y, th, args.warmup_epochs)
            for _ in range(args.repeats):
                dt, model, last_loss = fit_once(x, y, th, args.epochs)
                times.append(dt)
                model.eval()
                with torch.no_grad():
                    pred = model(xte).squeeze(1).double().numpy() * sy + my
                rmse = float(np.sqrt(np.mean((pred - raw["y_test"]) ** 2)))
            assert math.isfinite(last_loss)
            best, med = min(times), statistics.median(times)
            print(
                f"{name:<7}{th:>8}{best:>9.2f}{med:>10.2f}{best / steps * 1e6:>9.1f}"
                f"{rmse:>11.4f}   " + ", ".join(f"{t:.2f}" for t in times),
                flush=True,
            )
            rows.append(
                {
                    "dtype": name,
                    "threads": th,
                    "epochs": args.epochs,
                    "steps": steps,
                    "best_s": best,
                    "median_s": med,
                    "all_s": times,
                    "best_us_per_step": best / steps * 1e6,
                    "test_rmse_det": rmse,
                    "last_batch_loss": last_loss,
                }
            )
    return rows


# ----------------------------------------------------------------------------- (c)
def mc_module(d_in: int, hidden: int, p: float, seed: int) -> nn.Sequential:
    """Dropout -> Linear -> ReLU -> Dropout -> Linear, Keras-style init (seeded)."""
    torch.manual_seed(seed)
    fc1, fc2 = nn.Linear(d_in, hidden), nn.Linear(hidden, 1)
    for layer in (fc1, fc2):
        nn.init.xavier_uniform_(layer.weight)
        nn.init.zeros_(layer.bias)
    return nn.Sequential(nn.Dropout(p), fc1, nn.ReLU(), nn.Dropout(p), fc2)


mc_plain = _BENCH.mc_plain  # T forwards on all rows -> T x N
mc_stacked = _BENCH.mc_stacked  # forwards on x repeated k times -> (T x N, k)


def mc_once(
    model: nn.Module,
    x: torch.Tensor,
    variant: str,
    threads: int,
    passes: int,
    block_rows: int,
) -> dict[str, Any]:
    """One timed MC prediction: passes + per-row mean and variance."""
    torch.set_num_threads(threads)
    model.train()  # dropout on at prediction time
    extra: dict[str, Any] = {}
    with torch.no_grad():
        mc_plain(model, x, 5)  # warm-up: allocator and thread pool start-up not timed
        t0 = time.perf_counter()
        if variant == "plain":
            yhat = mc_plain(model, x, passes)
        else:
            yhat, k = mc_stacked(model, x, passes, block_rows)
            extra["passes_per_block"] = k
        t1 = time.perf_counter()
        mean = yhat.mean(0)
        var = yhat.var(0, correction=1)
        t2 = time.perf_counter()
    assert bool(torch.isfinite(mean).all()) and bool(torch.isfinite(var).all())
    return {
        "total_s": t2 - t0,
        "passes_s": t1 - t0,
        "stats_s": t2 - t1,
        "mean_of_var": float(var.mean()),
        **extra,
    }


def run_mc(args: argparse.Namespace) -> list[dict[str, Any]]:
    """Part (c): plain and stacked MC loops per thread count."""
    model = mc_module(args.d_in, args.hidden, args.p, args.seed)
    gen = torch.Generator().manual_seed(args.seed + 1)
    x = torch.randn(args.n, args.d_in, generator=gen)
    if args.export:
        from safetensors.torch import save_file

        args.export.mkdir(parents=True, exist_ok=True)
        state = {k: v.contiguous() for k, v in model.state_dict().items()}
        save_file(state, str(args.export / "mc_module.safetensors"))
        (args.export / "mc_module.safetensors").chmod(0o644)  # save_file: mode 0600
        np.save(args.export / "mc_inputs.npy", x.numpy())
        print(f"exported {sorted(state)} and inputs {tuple(x.shape)} to {args.export}")
    tm = args.T_measure or args.T
    scale = args.T / tm
    note = "" if tm == args.T else f" (measured at T={tm}, scaled x{scale:g})"
    print(
        f"\n(c) MC prediction, {args.d_in}-{args.hidden}-1 ReLU, p {args.p}, "
        f"N={args.n}, T={args.T}, f32, no_grad{note}; best of {args.mc_repeats}"
    )
    print(f"{'variant':<9}{'threads':>8}{'total s':>10}{'passes s':>10}", end="")
    print(f"{'stats s':>9}   note")
    rows = []
    for th in args.threads:
        best_row: dict[str, Any] | None = None
        for variant in ("plain", "stacked"):
            reps = [
                mc_once(model, x, variant, th, tm, args.block_rows)
                for _ in range(args.mc_repeats)
            ]
            r = min(reps, key=lambda d: d["total_s"])
            row = {
                "variant": variant,
                "threads": th,
                "T": args.T,
                "T_measured": tm,
                "total_s": r["total_s"] * scale,
                "passes_s": r["passes_s"] * scale,
                "stats_s": r["stats_s"] * scale,
                "all_measured_total_s": [d["total_s"] for d in reps],
                "measured": r,
                "ns_per_row_pass": r["total_s"] / (tm * args.n) * 1e9,
            }
            rows.append(row)
            if best_row is None or row["total_s"] < best_row["total_s"]:
                best_row = row
            print(
                f"{variant:<9}{th:>8}{row['total_s']:>10.2f}{row['passes_s']:>10.2f}"
                f"{row['stats_s']:>9.2f}   "
                + (
                    f"{r['passes_per_block']} passes/block"
                    if "passes_per_block" in r
                    else ""
                ),
                flush=True,
            )
        assert best_row is not None
        best_row["best_for_threads"] = True
        print(
            f"{'best':<9}{th:>8}{best_row['total_s']:>10.2f}   ({best_row['variant']})"
        )
    return rows


def main() -> int:
    """Parse flags, run the selected parts, print the JSON line."""
    ap = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    ap.add_argument("--only", choices=["b", "c"], help="run only part (b) or (c)")
    ap.add_argument(
        "--threads",
        type=int,
        nargs="+",
        default=[1, 2],
        help="torch.set_num_threads values",
    )
    g = ap.add_argument_group("(b) fit")
    g.add_argument("--epochs", type=int, default=4000)
    g.add_argument(
        "--warmup-epochs", type=int, default=5, help="untimed fit before each timed set"
    )
    g.add_argument(
        "--repeats", type=int, default=3, help="whole fits per configuration"
    )
    g.add_argument("--dtype", nargs="+", default=["f32"], choices=list(DTYPES))
    g.add_argument("--split", type=int, default=0, help="Gal's train/test split")
    g = ap.add_argument_group("(c) MC prediction")
    g.add_argument("--T", type=int, default=10000, help="MC passes")
    g.add_argument(
        "--T-measure",
        type=int,
        default=None,
        help="run this many passes, scale time to --T",
    )
    g.add_argument("--n", type=int, default=4573, help="input rows")
    g.add_argument("--d-in", type=int, default=9)
    g.add_argument("--hidden", type=int, default=100)
    g.add_argument(
        "--p", type=float, default=0.05, help="dropout rate of both Dropouts"
    )
    g.add_argument(
        "--block-rows", type=int, default=1_000_000, help="rows per stacked block"
    )
    g.add_argument(
        "--mc-repeats", type=int, default=1, help="repeats; the fastest counts"
    )
    g.add_argument("--seed", type=int, default=1)
    g.add_argument(
        "--export", type=Path, default=None, help="write module and inputs here"
    )
    args = ap.parse_args()

    info = {
        "date": datetime.datetime.now().astimezone().isoformat(timespec="seconds"),
        "python": platform.python_version(),
        "torch": torch.__version__,
        "cpu": cpu_model(),
        "default_threads": torch.get_num_threads(),
        "argv": sys.argv[1:],
    }
    print(f"date   {info['date']}")
    print(f"python {info['python']}  torch {info['torch']}", end="")
    print(f"  (default threads {info['default_threads']})")
    print(f"cpu    {info['cpu']}")
    result: dict[str, Any] = {"info": info}
    if args.only in (None, "b"):
        result["fit"] = run_fit(args)
    if args.only in (None, "c"):
        result["mc"] = run_mc(args)
    print("JSON: " + json.dumps(result, sort_keys=True))
    return 0


if __name__ == "__main__":
    sys.exit(main())
