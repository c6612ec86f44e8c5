"""MCDropoutRegressor's predictions against their definitions and the engine's guarantees."""

from __future__ import annotations

import numpy as np
import pytest

from mcdropout import MCDropoutRegressor, PredictiveDistribution


@pytest.fixture()
def fitted(sine):  # type: ignore[no-untyped-def]
    x, y = sine
    return MCDropoutRegressor(tau=100.0, dropout=0.1, epochs=100, n_samples=400).fit(x, y), x, y


def test_summary_is_consistent_with_its_samples(fitted):  # type: ignore[no-untyped-def]
    reg, x, _ = fitted
    d = reg.predict_distribution(x[:20], level=0.9, return_samples=True)
    assert isinstance(d, PredictiveDistribution)
    assert d.samples.shape == (400, 20) and d.draws.shape == (400, 20)
    # The summary is the moments of the returned passes (same float operations up to
    # summation order: 1e-12 relative).
    np.testing.assert_allclose(d.mean, d.samples.mean(axis=0), rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(d.epistemic_std, d.samples.std(axis=0), rtol=1e-9, atol=1e-12)
    assert d.aleatoric_std == pytest.approx(0.1, rel=1e-15)  # τ = 100
    np.testing.assert_allclose(d.std**2, d.epistemic_std**2 + d.aleatoric_std**2, rtol=1e-12)
    z = 1.6448536269514722  # Φ⁻¹(0.95), the 90 % central interval
    np.testing.assert_allclose(d.upper - d.mean, z * d.std, rtol=1e-9)
    np.testing.assert_allclose(d.mean - d.lower, z * d.std, rtol=1e-9)
    # Draws are passes plus N(0, τ⁻¹) noise: their residuals have std 0.1; with 8000
    # residuals the sample std is within 5 % of it (relative s.e. 1/√(2·8000) ≈ 0.8 %).
    resid = (d.draws - d.samples).ravel()
    assert abs(resid.std() / 0.1 - 1.0) < 0.05
    mean, std = reg.predict(x[:20], return_std=True)
    assert np.array_equal(mean, d.mean) and np.array_equal(std, d.std)


def test_same_seed_same_numbers_any_thread_count(fitted):  # type: ignore[no-untyped-def]
    reg, x, _ = fitted
    one = reg.set_params(n_jobs=1).predict_distribution(x, return_samples=True)
    two = reg.set_params(n_jobs=2).predict_distribution(x, return_samples=True)
    assert np.array_equal(one.samples, two.samples)
    assert np.array_equal(one.std, two.std)


def test_training_is_reproducible_by_seed(sine):  # type: ignore[no-untyped-def]
    x, y = sine
    a = MCDropoutRegressor(epochs=20, n_samples=50, random_state=3).fit(x, y).predict(x)
    b = MCDropoutRegressor(epochs=20, n_samples=50, random_state=3).fit(x, y).predict(x)
    c = MCDropoutRegressor(epochs=20, n_samples=50, random_state=4).fit(x, y).predict(x)
    assert np.array_equal(a, b)
    assert not np.array_equal(a, c)


def test_log_likelihood_matches_its_definition(fitted):  # type: ignore[no-untyped-def]
    """The MC test log-likelihood of DESIGN §3 recomputed from the returned passes."""
    reg, x, y = fitted
    d = reg.predict_distribution(x, return_samples=True)
    tau = reg.tau_
    a = -0.5 * tau * (y[None, :] - d.samples) ** 2
    m = a.max(axis=0)
    ll = (
        m
        + np.log(np.exp(a - m).sum(axis=0))
        - np.log(a.shape[0])
        - 0.5 * np.log(2 * np.pi)
        + 0.5 * np.log(tau)
    )
    assert reg.log_likelihood(x, y) == pytest.approx(ll.mean(), rel=1e-10)


def test_fitted_attributes(fitted):  # type: ignore[no-untyped-def]
    reg, x, _ = fitted
    assert reg.n_features_in_ == 1
    assert reg.tau_ == 100.0
    assert reg.dropout_ == [0.1, 0.1]
    assert reg.n_iter_ == 100
    assert np.isfinite(reg.loss_)
    det = reg.predict_deterministic(x)
    assert det.shape == (200,)


def test_weight_decay_sets_tau(sine):  # type: ignore[no-untyped-def]
    """τ = l² (1 − p) / (2 N λ) (DESIGN §2)."""
    x, y = sine
    reg = MCDropoutRegressor(weight_decay=1e-4, dropout=0.1, length_scale=0.01, epochs=2).fit(x, y)
    assert reg.tau_ == pytest.approx(0.01**2 * 0.9 / (2 * 200 * 1e-4), rel=1e-12)


def test_row_keys_make_numbers_independent_of_position(fitted):  # type: ignore[no-untyped-def]
    reg, x, _ = fitted
    keys = np.arange(200, dtype=np.int64) * 7919 + 5
    whole = reg.predict_distribution(x, row_keys=keys, return_samples=True)
    order = np.random.default_rng(1).permutation(200)
    perm = reg.predict_distribution(x[order], row_keys=keys[order], return_samples=True)
    assert np.array_equal(perm.mean, whole.mean[order])
    assert np.array_equal(perm.draws, whole.draws[:, order])
    part = reg.predict_distribution(x[50:80], row_keys=keys[50:80])
    assert np.array_equal(part.std, whole.std[50:80])
    # Default keys are the positions.
    assert np.array_equal(reg.predict_distribution(x, row_keys=np.arange(200)).mean, reg.predict(x))
    with pytest.raises(ValueError, match="one key per row"):
        reg.predict_distribution(x, row_keys=keys[:10])
    with pytest.raises(ValueError, match="non-negative: row 3"):
        reg.predict_distribution(x[:5], row_keys=[0, 1, 2, -4, 5])
