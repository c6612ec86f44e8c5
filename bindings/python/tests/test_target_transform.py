"""MCDropoutRegressor(target_transform="log"|"log1p"): the network models z = g(y) and every
figure is in the original units of y (issue 23, item 3). Checked against numpy formulas
from the returned per-pass samples and against scipy.stats.lognorm."""

from __future__ import annotations

import numpy as np
import pytest
from scipy import stats
from sklearn.datasets import load_diabetes

from mcdropout import MCDropoutRegressor


@pytest.fixture(scope="module")
def diabetes():  # type: ignore[no-untyped-def]
    # A positive, right-skewed target (disease progression, 25 to 346).
    x, y = load_diabetes(return_X_y=True)
    assert y.min() > 0
    return x, y


def _fit(x, y, transform, samples):  # type: ignore[no-untyped-def]
    # τ of z = log y: a noise std of 0.4 on the log scale.
    return MCDropoutRegressor(
        tau=6.25, target_transform=transform, epochs=60, n_samples=samples, random_state=3
    ).fit(x, y)


@pytest.mark.parametrize("transform, shift", [("log", 0.0), ("log1p", 1.0)])
def test_mean_and_std_follow_from_the_passes(diabetes, transform, shift):  # type: ignore[no-untyped-def]
    x, y = diabetes
    reg = _fit(x, y, transform, 300)
    assert reg.model_.target_transform == transform
    d = reg.predict_distribution(x[:30], return_samples=True)
    s2 = 1.0 / reg.tau_  # noise variance of z
    mu = np.log(d.samples + shift)  # the samples are g⁻¹(μ_t): recover μ_t
    m = np.exp(mu + s2 / 2)  # each pass's log-normal mean (of y + shift)
    mean = m.mean(axis=0) - shift
    var = np.exp(2 * mu + 2 * s2).mean(axis=0) - (mean + shift) ** 2
    # Float rounding of T-term sums on both sides (1e-12 relative); the variance loses a
    # factor E[Y²]/Var[Y] (< 1e3 here) to cancellation: 1e-9.
    np.testing.assert_allclose(d.mean, mean, rtol=1e-12)
    np.testing.assert_allclose(d.std**2, var, rtol=1e-9)
    np.testing.assert_allclose(d.epistemic_std**2, m.var(axis=0), rtol=1e-9)
    np.testing.assert_allclose(d.aleatoric_std**2, np.expm1(s2) * (m**2).mean(axis=0), rtol=1e-12)
    # Not exp of the mean of z.
    assert np.all(d.mean > np.exp(mu.mean(axis=0)) - shift)
    # The interval: central in z, mapped back (Φ⁻¹(0.975) to 1e-16).
    q = stats.norm.ppf(0.975)
    sz = np.sqrt(mu.var(axis=0) + s2)
    np.testing.assert_allclose(d.lower, np.exp(mu.mean(axis=0) - q * sz) - shift, rtol=1e-12)
    np.testing.assert_allclose(d.upper, np.exp(mu.mean(axis=0) + q * sz) - shift, rtol=1e-12)
    assert np.all(d.draws > -shift)


def test_one_pass_is_scipys_lognormal(diabetes):  # type: ignore[no-untyped-def]
    x, y = diabetes
    reg = _fit(x, y, "log", 1)
    d = reg.predict_distribution(x[:25], return_samples=True)
    s = np.sqrt(1.0 / reg.tau_)
    ln = stats.lognorm(s=s, scale=d.samples[0])  # median exp(μ) = the pass's sample
    # Closed forms through scipy's own code: float rounding, 1e-12 relative.
    np.testing.assert_allclose(d.mean, ln.mean(), rtol=1e-12)
    np.testing.assert_allclose(d.std, ln.std(), rtol=1e-12)
    np.testing.assert_allclose(d.lower, ln.ppf(0.025), rtol=1e-12)
    np.testing.assert_allclose(d.upper, ln.ppf(0.975), rtol=1e-12)
    e = reg.evaluate(x[:25], y[:25])
    # The log-likelihood with the Jacobian is the log-normal's log-density of y.
    assert e["log_likelihood"] == pytest.approx(ln.logpdf(y[:25]).mean(), rel=1e-12)
    # With one pass the mixture is the moment-matched Gaussian of z.
    assert e["gaussian_log_likelihood"] == pytest.approx(e["log_likelihood"], rel=1e-12)
    np.testing.assert_allclose(e["mc_rmse"], np.sqrt(np.mean((d.mean - y[:25]) ** 2)), rtol=1e-12)


def test_the_transform_survives_save_and_load(diabetes, tmp_path):  # type: ignore[no-untyped-def]
    x, y = diabetes
    reg = _fit(x, y, "log1p", 50)
    path = tmp_path / "m.model"
    reg.save(path)
    back = MCDropoutRegressor.load(path)
    assert back.model_.target_transform == "log1p"
    np.testing.assert_array_equal(
        back.predict_deterministic(x[:10]), reg.predict_deterministic(x[:10])
    )
    a = back.model_.predict_mc(x[:10], 50, 7, 0.9)
    b = reg.model_.predict_mc(x[:10], 50, 7, 0.9)
    for k in ("mean", "std", "aleatoric_std", "lower", "upper"):
        np.testing.assert_array_equal(a[k], b[k])


def test_bad_targets_and_names_are_value_errors(diabetes):  # type: ignore[no-untyped-def]
    x, y = diabetes
    y = y.copy()
    y[4] = 0.0
    with pytest.raises(ValueError, match=r"row 5 .*0 is not > 0.*log"):
        _fit(x, y, "log", 5)
    _fit(x, y, "log1p", 5)  # log1p takes zeros
    with pytest.raises(ValueError, match="none, log, log1p"):
        _fit(x, y, "exp", 5)
    with pytest.raises(ValueError, match="several targets"):
        _fit(x, np.c_[y + 1, y + 2], "log", 5)
