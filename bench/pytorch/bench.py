#!/usr/bin/env python3
"""PyTorch CPU baselines for mcdropout's BENCHMARKS.md.

(a) Training step of Gal's reference net (DropoutUncertaintyExps net.py):
    13 -> 50 -> 1 ReLU MLP, dropout p=0.05 on the input and on the hidden
    layer (nn.Dropout, inverted, model.train()), batch 128 out of N=455 rows
    reshuffled every epoch, loss = MSE mean + lambda * sum ||W||^2 (two weight
    matrices, biases excluded), lambda = 1e-4, Adam(lr=1e-3, betas=(0.9, 0.999),
    eps=1e-7).  One timed step = minibatch gather + forward + backward +
    optimizer.step + zero_grad.  Headline: torch's default Adam (on CPU the
    per-tensor loop); a supplementary row set uses Adam(fused=True).  Timed over --steps steps after --warmup
    warm-up steps; median over --repeats repeats; f32 and f64; 1 and 2 threads.

(b) MC-dropout inference: 9 -> 100 -> 1 ReLU MLP, dropout 0.05 on the input
    and hidden layer kept on at test time, random weights, N=4573 random test
    points, T stochastic passes.  Per point: MC mean, sample variance
    (unbiased, divisor T-1) and test log-likelihood
        ll = logsumexp_t(-tau/2 (y - yhat_t)^2) - log T - 1/2 log 2pi + 1/2 log tau
    (tau = 1, random y), averaged over points.  Variants:
      plain   - loop over T passes, each a forward on all N points, filling a
                T x N tensor;
      stacked - the test set repeated k times (k*N ~ --block-rows rows) so a
                forward does k passes at once; loop over ceil(T/k) blocks.
    Total seconds (passes + statistics), under torch.no_grad(), float32.

Prints a table, and as its last line `JSON: {...}` with every figure.
"""

import argparse
import datetime
import json
import math
import platform
import statistics
import subprocess
import sys
import time

import torch
import torch.nn as nn


def cpu_model():
    try:
        out = subprocess.run(["lscpu"], capture_output=True, text=True).stdout
        for line in out.splitlines():
            if line.startswith("Model name:"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


class DeepNet(nn.Module):
    """Dropout(p) before every Linear layer, ReLU between them (issue 11, item 3: the wide
    20 -> 512 -> 512 -> 1 net); the same initialisation as Net."""

    def __init__(self, d_in, hidden, p):
        super().__init__()
        sizes = [d_in, *hidden, 1]
        self.fcs = nn.ModuleList(nn.Linear(a, b) for a, b in zip(sizes, sizes[1:]))
        self.drop = nn.Dropout(p)
        for layer in self.fcs:
            nn.init.xavier_uniform_(layer.weight)
            nn.init.zeros_(layer.bias)

    def forward(self, x):
        for i, fc in enumerate(self.fcs):
            x = fc(self.drop(x))
            if i + 1 < len(self.fcs):
                x = torch.relu(x)
        return x


class Net(nn.Module):
    """Dropout(p) -> Linear(d, h) -> ReLU -> Dropout(p) -> Linear(h, 1)."""

    def __init__(self, d_in, hidden, p):
        super().__init__()
        self.drop_in = nn.Dropout(p)
        self.fc1 = nn.Linear(d_in, hidden)
        self.drop_h = nn.Dropout(p)
        self.fc2 = nn.Linear(hidden, 1)
        # Keras defaults used by net.py: glorot_uniform kernels, zero biases.
        for layer in (self.fc1, self.fc2):
            nn.init.xavier_uniform_(layer.weight)
            nn.init.zeros_(layer.bias)

    def forward(self, x):
        h = torch.relu(self.fc1(self.drop_in(x)))
        return self.fc2(self.drop_h(h))


# ----------------------------------------------------------------- (a)
def train_once(
    dtype,
    threads,
    steps,
    warmup,
    adam="default",
    n_rows=455,
    d_in=13,
    hidden=50,
    batch=128,
    p=0.05,
    lam=1e-4,
    seed=0,
):
    torch.set_num_threads(threads)
    torch.manual_seed(seed)
    x = torch.randn(n_rows, d_in, dtype=dtype)
    y = torch.randn(n_rows, 1, dtype=dtype)
    if isinstance(hidden, int):
        model = Net(d_in, hidden, p).to(dtype)
        weights = (model.fc1.weight, model.fc2.weight)
    else:
        model = DeepNet(d_in, hidden, p).to(dtype)
        weights = tuple(fc.weight for fc in model.fcs)
    model.train()
    impl = {"default": {}, "foreach": {"foreach": True}, "fused": {"fused": True}}[adam]
    opt = torch.optim.Adam(
        model.parameters(), lr=1e-3, betas=(0.9, 0.999), eps=1e-7, **impl
    )
    mse = nn.MSELoss()

    def batches():
        while True:  # one epoch per permutation, last batch partial (455 = 3*128 + 71)
            perm = torch.randperm(n_rows)
            for s in range(0, n_rows, batch):
                yield perm[s : s + batch]

    it = batches()

    def step():
        idx = next(it)
        xb, yb = x[idx], y[idx]
        loss = mse(model(xb), yb) + lam * sum((w * w).sum() for w in weights)
        loss.backward()
        opt.step()
        opt.zero_grad(set_to_none=True)
        return loss

    for _ in range(warmup):
        step()
    t0 = time.perf_counter()
    for _ in range(steps):
        loss = step()
    dt = time.perf_counter() - t0
    assert math.isfinite(loss.item())
    return dt / steps * 1e6


# ----------------------------------------------------------------- (b)
def mc_stats(yhat, y, tau=1.0):
    """yhat: T x N, y: N.  Returns (mean N, var N, mean test ll)."""
    T = yhat.shape[0]
    mean = yhat.mean(0)
    var = yhat.var(0, correction=1)
    ll = (
        torch.logsumexp(-0.5 * tau * (y - yhat) ** 2, 0)
        - math.log(T)
        - 0.5 * math.log(2 * math.pi)
        + 0.5 * math.log(tau)
    )
    return mean, var, ll.mean().item()


def mc_plain(model, x, T):
    out = torch.empty(T, x.shape[0], dtype=x.dtype)
    for t in range(T):
        out[t] = model(x).squeeze(1)
    return out


def mc_stacked(model, x, T, block_rows):
    n = x.shape[0]
    k = max(1, min(T, block_rows // n))
    xk = x.repeat(k, 1)
    out = torch.empty(T, n, dtype=x.dtype)
    for t0 in range(0, T, k):
        kk = min(k, T - t0)
        xb = xk if kk == k else xk[: kk * n]
        out[t0 : t0 + kk] = model(xb).view(kk, n)
    return out, k


def mc_once(
    variant, threads, T, block_rows, n=4573, d_in=9, hidden=100, p=0.05, seed=1
):
    torch.set_num_threads(threads)
    torch.manual_seed(seed)
    model = Net(d_in, hidden, p)
    model.train()  # dropout stays on at test time
    x = torch.randn(n, d_in)
    y = torch.randn(n)
    extra = {}
    with torch.no_grad():
        # short warm-up so allocator / thread pool start-up is not timed
        mc_plain(model, x, 5)
        t0 = time.perf_counter()
        if variant == "plain":
            yhat = mc_plain(model, x, T)
        else:
            yhat, k = mc_stacked(model, x, T, block_rows)
            extra["passes_per_block"] = k
            extra["rows_per_block"] = k * n
        t1 = time.perf_counter()
        mean, var, ll = mc_stats(yhat, y)
        t2 = time.perf_counter()
    assert math.isfinite(ll) and bool(torch.isfinite(var).all())
    return dict(total_s=t2 - t0, passes_s=t1 - t0, stats_s=t2 - t1, test_ll=ll, **extra)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--only", choices=["a", "b"], help="run only one benchmark")
    ap.add_argument("--steps", type=int, default=3000)
    ap.add_argument("--warmup", type=int, default=300)
    ap.add_argument("--repeats", type=int, default=3, help="repeats of (a)")
    ap.add_argument(
        "--adam",
        nargs="+",
        default=["default", "fused"],
        choices=["default", "foreach", "fused"],
        help="Adam implementations for (a); 'default' (PyTorch's own "
        "choice: the per-tensor loop on CPU) is the headline figure",
    )
    ap.add_argument(
        "--hidden",
        type=int,
        nargs="+",
        default=None,
        help="hidden widths for (a) (default: Gal's net, one layer of 50); "
        "e.g. --d-in 20 --hidden 512 512 for the wide net of issue 11",
    )
    ap.add_argument("--d-in", type=int, default=13, help="inputs for (a)")
    ap.add_argument(
        "--dtypes", nargs="+", default=["f32", "f64"], choices=["f32", "f64"]
    )
    ap.add_argument("--T", type=int, default=10000, help="MC passes for (b)")
    ap.add_argument(
        "--T-measure",
        type=int,
        default=None,
        help="measure (b) at this T and scale linearly to --T",
    )
    ap.add_argument("--block-rows", type=int, default=1_000_000)
    ap.add_argument(
        "--b-repeats",
        type=int,
        default=1,
        help="repeats of (b); the fastest is reported",
    )
    ap.add_argument("--threads", type=int, nargs="+", default=[1, 2])
    args = ap.parse_args()

    info = dict(
        date=datetime.datetime.now().astimezone().isoformat(timespec="seconds"),
        python=platform.python_version(),
        torch=torch.__version__,
        cpu=cpu_model(),
        cores=torch.get_num_threads(),
        mkl=torch.backends.mkl.is_available(),
        mkldnn=torch.backends.mkldnn.is_available(),
    )
    print(f"date   {info['date']}")
    print(
        f"python {info['python']}  torch {info['torch']}  "
        f"(default threads {info['cores']}, MKL {info['mkl']}, oneDNN {info['mkldnn']})"
    )
    print(f"cpu    {info['cpu']}")
    result = dict(info=info)

    if args.only in (None, "a"):
        print(
            f"\n(a) training step, "
            f"{'-'.join(map(str, [args.d_in, *(args.hidden or [50]), 1]))}, "
            f"batch 128, Adam; "
            f"{args.steps} steps after {args.warmup} warm-up; "
            f"median of {args.repeats}"
        )
        print(
            f"{'adam':<9}{'dtype':<7}{'threads':>8}{'median us/step':>16}"
            f"{'min':>9}   repeats"
        )
        ra = []
        for adam in args.adam:
            for dtype, name in ((torch.float32, "f32"), (torch.float64, "f64")):
                if name not in args.dtypes:
                    continue
                for th in args.threads:
                    hidden = args.hidden if args.hidden is not None else 50
                    reps = [
                        train_once(
                            dtype,
                            th,
                            args.steps,
                            args.warmup,
                            adam,
                            d_in=args.d_in,
                            hidden=hidden,
                        )
                        for _ in range(args.repeats)
                    ]
                    med = statistics.median(reps)
                    print(
                        f"{adam:<9}{name:<7}{th:>8}{med:>16.2f}{min(reps):>9.2f}   "
                        + ", ".join(f"{r:.2f}" for r in reps),
                        flush=True,
                    )
                    ra.append(
                        dict(
                            adam=adam,
                            dtype=name,
                            threads=th,
                            us_per_step=med,
                            min_us_per_step=min(reps),
                            repeats=reps,
                        )
                    )
        result["train_step"] = ra

    if args.only in (None, "b"):
        Tm = args.T_measure or args.T
        scale = args.T / Tm
        note = "" if Tm == args.T else f" (measured at T={Tm}, scaled x{scale:g})"
        print(f"\n(b) MC inference, 9-100-1, N=4573, T={args.T}, f32, no_grad{note}")
        print(
            f"{'variant':<9}{'threads':>8}{'total s':>10}{'passes s':>10}"
            f"{'stats s':>9}{'test ll':>10}"
        )
        rb = []
        for variant in ("plain", "stacked"):
            for th in args.threads:
                reps = [
                    mc_once(variant, th, Tm, args.block_rows)
                    for _ in range(args.b_repeats)
                ]
                r = min(reps, key=lambda d: d["total_s"]) if len(reps) > 1 else reps[0]
                tot = r["total_s"] * scale
                print(
                    f"{variant:<9}{th:>8}{tot:>10.2f}{r['passes_s'] * scale:>10.2f}"
                    f"{r['stats_s'] * scale:>9.2f}{r['test_ll']:>10.4f}"
                    + (
                        f"   [{r['passes_per_block']} passes/block]"
                        if "passes_per_block" in r
                        else ""
                    ),
                    flush=True,
                )
                rb.append(
                    dict(
                        variant=variant,
                        threads=th,
                        T=args.T,
                        T_measured=Tm,
                        total_s=tot,
                        measured=r,
                        all_total_s=[d["total_s"] for d in reps],
                    )
                )
        result["mc_inference"] = rb

    print("JSON: " + json.dumps(result, sort_keys=True))


if __name__ == "__main__":
    sys.exit(main())
