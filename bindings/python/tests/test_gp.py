"""ExactGPRegressor against scikit-learn's GaussianProcessRegressor with the same fixed
hyper-parameters: the exact GP posterior is a closed form, so both must agree to
floating-point precision."""

from __future__ import annotations

import numpy as np
import pytest
from sklearn.gaussian_process import GaussianProcessRegressor
from sklearn.gaussian_process.kernels import RBF, ConstantKernel, WhiteKernel

from mcdropout import ExactGPRegressor


def test_posterior_matches_scikit_learn_at_fixed_hyper_parameters(sine) -> None:  # type: ignore[no-untyped-def]
    x, y = sine
    gp = ExactGPRegressor(optimise=False, noise_var=0.1).fit(x, y)
    params = gp.kernel_params_
    # Our kernel works on standardised inputs and targets; express the same model for
    # scikit-learn in those units (variance, length-scale and noise as fitted).
    xm, xs = x.mean(axis=0), x.std(axis=0)
    ym, ys = y.mean(), y.std()
    variance = next(v for k, v in params.items() if "variance" in k)
    length = next(v for k, v in params.items() if "length" in k)
    kernel = ConstantKernel(variance, "fixed") * RBF(length, "fixed") + WhiteKernel(0.1, "fixed")
    sk = GaussianProcessRegressor(kernel, alpha=0.0, optimizer=None, normalize_y=False)
    sk.fit((x - xm) / xs, (y - ym) / ys)
    grid = np.linspace(-1.5, 1.5, 31).reshape(-1, 1)
    m_sk, s_sk = sk.predict((grid - xm) / xs, return_std=True)
    d = gp.predict_distribution(grid)
    # Cholesky solves of a 200 × 200 system with condition number ≲ 1e4: 1e-8 relative.
    np.testing.assert_allclose(d.mean, m_sk * ys + ym, rtol=1e-8, atol=1e-8)
    # scikit-learn's std with a WhiteKernel includes the noise, as our total std does.
    np.testing.assert_allclose(d.std, s_sk * ys, rtol=1e-7, atol=1e-9)
    assert gp.noise_var_ == pytest.approx(0.1 * ys**2, rel=1e-12)


def test_fit_improves_marginal_likelihood_and_samples_have_the_posterior_moments(sine) -> None:  # type: ignore[no-untyped-def]
    x, y = sine
    fixed = ExactGPRegressor(optimise=False).fit(x, y)
    fitted = ExactGPRegressor(restarts=1).fit(x, y)
    assert fitted.log_marginal_likelihood_ > fixed.log_marginal_likelihood_
    assert fitted.n_iter_ >= 1
    grid = np.linspace(-1, 1, 5).reshape(-1, 1)
    draws = fitted.sample_f(grid, n_draws=4000, random_state=1)
    d = fitted.predict_distribution(grid)
    # 4000 draws: the sample mean is within 5 standard errors of the posterior mean.
    se = d.epistemic_std / np.sqrt(4000)
    assert np.all(np.abs(draws.mean(axis=0) - d.mean) < 5 * se + 1e-12)
