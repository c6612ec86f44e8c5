"""Exact GP fit + predict with GPyTorch on the CPU, for comparison with
`examples/gp_bench.rs` and `bench/sklearn/bench.py` (same data files, written by
`bench/sklearn/bench.py --write DIR`).

    python bench.py --data DIR --max-iter 50 --repeats 2 [--mode cholesky|default]

Model: ScaleKernel(RBFKernel(ARD)) with a GaussianLikelihood, i.e. sigma^2 * SE-ARD plus the
noise variance, initial values 1 (noise 0.1), on inputs and targets standardised with the
training statistics (as mcdropout and the scikit-learn script do), float64 throughout.
Optimiser budget: torch.optim.LBFGS with a strong-Wolfe line search, at most MAX_ITER
iterations, no restarts (GPyTorch optimises softplus-constrained raw parameters, where
mcdropout and scikit-learn use log-parameters).

--mode cholesky (default here): `max_cholesky_size` above n, so training and prediction
use a Cholesky factorisation: the exact GP, as mcdropout and scikit-learn compute it.
--mode default: GPyTorch's own defaults (above 800 points: conjugate gradients and
stochastic Lanczos quadrature, an approximation of the log marginal likelihood).
"""

import argparse
import sys
import time
from typing import Dict

import numpy as np


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--data", required=True)
    ap.add_argument("--max-iter", type=int, default=50)
    ap.add_argument("--repeats", type=int, default=2)
    ap.add_argument("--mode", choices=["cholesky", "default"], default="cholesky")
    a = ap.parse_args()
    import gpytorch
    import torch

    torch.set_default_dtype(torch.float64)
    tr = np.loadtxt(f"{a.data}/train.csv", delimiter=",", skiprows=1)
    te = np.loadtxt(f"{a.data}/test.csv", delimiter=",", skiprows=1)
    xtr, ytr, xte, yte = tr[:, :-1], tr[:, -1], te[:, :-1], te[:, -1]
    mu, sd = xtr.mean(0), xtr.std(0)
    ym, ys = ytr.mean(), ytr.std()
    x = torch.tensor((xtr - mu) / sd)
    y = torch.tensor((ytr - ym) / ys)
    xt = torch.tensor((xte - mu) / sd)
    n = x.shape[0]

    class Gp(gpytorch.models.ExactGP):  # type: ignore[misc]
        def __init__(self, lik: gpytorch.likelihoods.GaussianLikelihood) -> None:
            super().__init__(x, y, lik)
            self.mean_module = gpytorch.means.ZeroMean()
            self.covar_module = gpytorch.kernels.ScaleKernel(
                gpytorch.kernels.RBFKernel(ard_num_dims=x.shape[1])
            )

        def forward(self, z: torch.Tensor) -> gpytorch.distributions.MultivariateNormal:
            return gpytorch.distributions.MultivariateNormal(
                self.mean_module(z), self.covar_module(z)
            )

    size = 10**9 if a.mode == "cholesky" else 800
    print(
        f"python {sys.version.split()[0]}, gpytorch {gpytorch.__version__}, torch {torch.__version__}, "
        f"threads {torch.get_num_threads()}, mode {a.mode}"
    )
    for rep in range(a.repeats):
        lik = gpytorch.likelihoods.GaussianLikelihood()
        model = Gp(lik)
        model.covar_module.outputscale = 1.0
        model.covar_module.base_kernel.lengthscale = torch.ones(1, x.shape[1])
        lik.noise = 0.1
        mll = gpytorch.mlls.ExactMarginalLogLikelihood(lik, model)
        opt = torch.optim.LBFGS(
            model.parameters(), max_iter=a.max_iter, line_search_fn="strong_wolfe"
        )
        count: Dict[str, int] = {"n": 0}
        with gpytorch.settings.max_cholesky_size(size):
            t0 = time.perf_counter()
            model.train()
            lik.train()

            def closure() -> torch.Tensor:
                count["n"] += 1
                opt.zero_grad()
                loss = -mll(model(x), y)
                loss.backward()
                return loss

            opt.step(closure)
            t1 = time.perf_counter()
            model.eval()
            lik.eval()
            with torch.no_grad():
                pred = lik(model(xt))
                m = pred.mean.numpy() * ys + ym
                s = pred.variance.sqrt().numpy() * ys
            t2 = time.perf_counter()
            model.train()
            lik.train()
            with torch.no_grad():
                lml = float(mll(model(x), y)) * n
        rmse = float(np.sqrt(np.mean((m - yte) ** 2)))
        state = opt.state[opt._params[0]]
        print(
            f"repeat {rep}: fit {t1 - t0:.3f} s ({state.get('n_iter', 0)} iterations, {count['n']} evaluations), "
            f"predict {t2 - t1:.3f} s, total {t2 - t0:.3f} s; LML {lml:.3f}, test RMSE {rmse:.4f}, mean std {s.mean():.4f}"
        )


if __name__ == "__main__":
    main()
