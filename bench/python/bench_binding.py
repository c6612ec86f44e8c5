"""mcdropout's side of BENCHMARKS.md's Python comparisons (issue 13 item 7).

(a) binding overhead: MC prediction of a 9 -> 100 -> 1 ReLU network (dropout 0.05 before
    both layers), 4573 input rows, T passes (default 10 000), through Python
    (``MCDropoutRegressor.predict_distribution``) and through the Rust library
    (``Regressor::predict_mc`` in ``examples/mc_timing.rs``) on the same saved model and
    inputs, same seed and thread count, alternated run by run. Both report the mean of
    the predictive means, which must agree to the last bit.
(b) fit: ``MCDropoutRegressor.fit`` in Gal's Boston setting (split 0, 455 rows x 13,
    13 -> 50 -> 1 ReLU, p = 0.005, tau = 0.1, l = 0.01, Adam lr 1e-3, batch 128, 4000
    epochs, f32), the mirror of bench_torch.py part (b).
(c) imported PyTorch module: the module and inputs that ``bench_torch.py --only c
    --export DIR`` wrote, imported with ``mcdropout.from_state_dict`` and predicted with
    T passes on the engine at 1 and 2 threads (the mirror of bench_torch.py part (c)).

Run from the repository root, in the checkout's .venv (built by ``bash scripts/test.sh``)::

    .venv/bin/python bench/python/bench_binding.py --export DIR

Prints a table per part and, last, ``JSON: {...}`` with every figure.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import mcdropout
import numpy as np

REPO = Path(__file__).resolve().parents[2]


def _times(fn: Callable[[], Any], repeats: int) -> list[float]:
    out = []
    for _ in range(repeats):
        t = time.perf_counter()
        fn()
        out.append(time.perf_counter() - t)
    return out


def part_a(t: int, threads: int, repeats: int) -> dict[str, Any]:
    """Binding overhead: the same MC prediction through Python and through Rust."""
    rng = np.random.default_rng(2)
    x = rng.uniform(-2.0, 2.0, size=(4573, 9))
    y = x @ rng.standard_normal(9) + 0.1 * rng.standard_normal(4573)
    reg = mcdropout.MCDropoutRegressor(
        hidden_layer_sizes=(100,), dropout=0.05, epochs=5, n_samples=t, n_jobs=threads
    ).fit(x, y)
    exe = REPO / "target" / "release" / "examples" / "mc_timing"
    if not exe.exists():
        subprocess.run(
            ["cargo", "build", "--release", "--example", "mc_timing"],
            cwd=REPO,
            check=True,
        )
    with tempfile.TemporaryDirectory() as tmp:
        model, xs = Path(tmp) / "m.model", Path(tmp) / "x.npy"
        reg.save(model)
        np.save(xs, x)
        py_times: list[float] = []
        rust_times: list[float] = []
        py_check = rust_check = ""
        # Alternating rounds; in each, `repeats` predictions in one Rust process, then
        # `repeats` in this Python process (both warm after their first prediction).
        for _ in range(2):
            out = subprocess.run(
                [str(exe), str(model), str(xs), str(t), str(threads), str(repeats)],
                check=True,
                capture_output=True,
                text=True,
            ).stdout
            rust_times.append(float(out.split()[1]))
            rust_check = out.rsplit(" ", 1)[1].strip()
            for _ in range(repeats):
                start = time.perf_counter()
                d = reg.predict_distribution(x)
                py_times.append(time.perf_counter() - start)
            py_check = f"{d.mean.mean():.12f}"
    best_py, best_rust = min(py_times), min(rust_times)
    print(
        f"(a) MC 9-100-1, 4573 rows, T={t}, {threads} threads, best of 2 × {repeats}:"
    )
    print(f"    Rust library {best_rust:.3f} s, Python binding {best_py:.3f} s")
    print(f"    overhead {100 * (best_py / best_rust - 1):+.1f} %")
    print(f"    mean prediction: Rust {rust_check}, Python {py_check}")
    return {
        "T": t,
        "threads": threads,
        "rust_best_per_round_s": rust_times,
        "python_s": py_times,
        "overhead": best_py / best_rust - 1,
        "same_result": rust_check == py_check,
    }


def part_b(repeats: int, epochs: int) -> dict[str, Any]:
    """MCDropoutRegressor.fit in Gal's Boston setting (split 0)."""
    env = os.environ.get("MCDROPOUT_DATA")
    root = Path(env) if env else REPO.parent / "shared" / "data"
    d = root / "UCI_Datasets" / "bostonHousing" / "data"
    data = np.loadtxt(d / "data.txt")
    train = np.loadtxt(d / "index_train_0.txt", dtype=int)
    test = np.loadtxt(d / "index_test_0.txt", dtype=int)
    x, y = data[:, :13], data[:, 13]

    def fit() -> mcdropout.MCDropoutRegressor:
        return mcdropout.MCDropoutRegressor(
            dropout=0.005, tau=0.1, epochs=epochs, batch_size=128, n_samples=10_000
        ).fit(x[train], y[train])

    times = _times(fit, repeats)
    reg = fit()
    rmse = float(np.sqrt(np.mean((reg.predict_deterministic(x[test]) - y[test]) ** 2)))
    print(f"(b) MCDropoutRegressor.fit, Boston split 0, {epochs} epochs, f32:")
    print(f"    best {min(times):.3f} s, median {statistics.median(times):.3f} s")
    print(f"    deterministic-pass test RMSE {rmse:.3f}")
    return {"fit_s": times, "epochs": epochs, "test_rmse_det": rmse}


def part_c(export: Path, t: int, repeats: int) -> dict[str, Any]:
    """The exported PyTorch module's MC prediction on the engine."""
    from safetensors.numpy import load_file

    state = load_file(str(export / "mc_module.safetensors"))
    x = np.load(export / "mc_inputs.npy").astype(np.float64)
    keys = sorted({k.split(".")[0] for k in state}, key=int)
    p = float(os.environ.get("MC_DROPOUT_P", "0.05"))
    layers = [
        {"type": "Dropout", "p": p},
        {"type": "Linear", "key": keys[0]},
        {"type": "ReLU"},
        {"type": "Dropout", "p": p},
        {"type": "Linear", "key": keys[1]},
    ]
    reg = mcdropout.from_state_dict(state, layers, tau=1.0)
    out: dict[str, Any] = {"T": t, "rows": int(x.shape[0])}
    print(f"(c) imported PyTorch module on the engine, {x.shape[0]} rows, T={t}:")
    for threads in (1, 2):
        reg.set_params(n_samples=t, n_jobs=threads)
        times = _times(lambda: reg.predict_distribution(x), repeats)
        out[f"threads_{threads}_s"] = times
        print(f"    {threads} thread(s): best {min(times):.3f} s")
    return out


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--only", choices=["a", "b", "c"])
    ap.add_argument("--T", type=int, default=10_000)
    ap.add_argument("--threads", type=int, default=2, help="(a) threads of both sides")
    ap.add_argument("--repeats", type=int, default=3)
    ap.add_argument("--epochs", type=int, default=4000, help="(b) epochs")
    ap.add_argument("--export", type=Path, help="(c) folder written by bench_torch.py")
    args = ap.parse_args()
    res: dict[str, Any] = {"mcdropout": mcdropout.__version__}
    if args.only in (None, "a"):
        res["a"] = part_a(args.T, args.threads, args.repeats)
    if args.only in (None, "b"):
        res["b"] = part_b(args.repeats, args.epochs)
    if args.only in (None, "c"):
        if args.export is None:
            ap.error(
                "part (c) needs --export DIR (from bench_torch.py --only c --export DIR)"
            )
        res["c"] = part_c(args.export, args.T, args.repeats)
    print("JSON: " + json.dumps(res))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
