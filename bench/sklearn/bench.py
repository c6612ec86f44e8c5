"""Exact GP fit + predict with scikit-learn, for comparison with `examples/gp_bench.rs`.

Writes the data (seeded) when asked, so both sides use the same rows:
    python bench.py --write DIR            # DIR/train.csv, DIR/test.csv
    python bench.py --data DIR --max-iter 50 --repeats 3
Kernel: ConstantKernel * RBF(ARD) + WhiteKernel, all initial values 1 except the noise
(0.1), on standardised inputs and targets (as mcdropout standardises internally);
optimiser: scipy L-BFGS-B with the same iteration cap, no restarts.
"""

import argparse, time, sys
import numpy as np


def make(n, d, seed):
    rng = np.random.default_rng(seed)
    x = rng.uniform(-3, 3, size=(n, d))
    f = (
        np.sin(x[:, 0]) + 0.5 * np.cos(2 * x[:, 1]) + 0.3 * x[:, 2] ** 2
        if d >= 3
        else np.sin(x[:, 0])
    )
    return x, f + 0.1 * rng.standard_normal(n)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--write")
    ap.add_argument("--data")
    ap.add_argument("--n", type=int, default=2000)
    ap.add_argument("--d", type=int, default=3)
    ap.add_argument("--max-iter", type=int, default=50)
    ap.add_argument("--repeats", type=int, default=3)
    a = ap.parse_args()
    if a.write:
        for name, seed in [("train", 1), ("test", 2)]:
            x, y = make(a.n, a.d, seed)
            hdr = ",".join([f"x{i}" for i in range(a.d)] + ["y"])
            np.savetxt(
                f"{a.write}/{name}.csv",
                np.column_stack([x, y]),
                delimiter=",",
                header=hdr,
                comments="",
            )
        return
    import scipy, sklearn
    from scipy.optimize import minimize
    from sklearn.gaussian_process import GaussianProcessRegressor
    from sklearn.gaussian_process.kernels import RBF, ConstantKernel, WhiteKernel

    tr = np.loadtxt(f"{a.data}/train.csv", delimiter=",", skiprows=1)
    te = np.loadtxt(f"{a.data}/test.csv", delimiter=",", skiprows=1)
    xtr, ytr, xte, yte = tr[:, :-1], tr[:, -1], te[:, :-1], te[:, -1]
    mu, sd = xtr.mean(0), xtr.std(0)
    nfev = {}

    def opt(obj, theta0, bounds):
        r = minimize(
            obj,
            theta0,
            method="L-BFGS-B",
            jac=True,
            bounds=bounds,
            options={"maxiter": a.max_iter},
        )
        nfev["n"], nfev["nit"] = r.nfev, r.nit
        return r.x, r.fun

    print(
        f"python {sys.version.split()[0]}, scikit-learn {sklearn.__version__}, numpy {np.__version__}, scipy {scipy.__version__}"
    )
    for rep in range(a.repeats):
        k = ConstantKernel(1.0) * RBF(length_scale=[1.0] * xtr.shape[1]) + WhiteKernel(
            0.1
        )
        gp = GaussianProcessRegressor(
            k, optimizer=opt, normalize_y=True, n_restarts_optimizer=0
        )
        t0 = time.perf_counter()
        gp.fit((xtr - mu) / sd, ytr)
        t1 = time.perf_counter()
        m, s = gp.predict((xte - mu) / sd, return_std=True)
        t2 = time.perf_counter()
        rmse = np.sqrt(np.mean((m - yte) ** 2))
        print(
            f"repeat {rep}: fit {t1 - t0:.3f} s ({nfev['nit']} iterations, {nfev['n']} evaluations), "
            f"predict {t2 - t1:.3f} s, total {t2 - t0:.3f} s; LML {gp.log_marginal_likelihood_value_:.3f}, test RMSE {rmse:.4f}"
        )


if __name__ == "__main__":
    main()
