"""mcdropout.search: the library's (p, τ) search from Python."""

from __future__ import annotations

import numpy as np
import pytest

from mcdropout import MCDropoutRegressor, search


def _data(sigma: float, n: int = 400) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(0)
    X = rng.standard_normal((n, 2))
    y = 0.6 * X[:, 0] + 0.8 * X[:, 1] + sigma * rng.standard_normal(n)
    return X, y


def test_search_finds_the_noise_and_refits_identically() -> None:
    # var f = 1, noise σ = 0.3: the closed-form standardised τ is (1 + σ²)/σ² ≈ 12.1; on a
    # ×10 grid the winner must be 10 (the nearest on a log scale, see tests/search_lib.rs).
    X, y = _data(0.3)
    base = MCDropoutRegressor(hidden_layer_sizes=(20,), n_samples=200)
    best, report = search(
        base,
        X,
        y,
        dropout_rates=[0.01],
        tau_values=[1, 10, 100, 1000],
        target_steps=2000,
        n_samples=200,
    )
    assert report["best"]["tau"] == 10.0
    assert len(report["points"]) == 4
    assert best.dropout == 0.01 and best.tau_units == "standardised"
    assert best.tau == pytest.approx(report["tau_original"])
    # The returned estimator's parameters reproduce its model exactly.
    again = MCDropoutRegressor(**best.get_params()).fit(X, y)
    np.testing.assert_array_equal(again.predict(X[:5]), best.predict(X[:5]))


def test_search_bad_input() -> None:
    X, y = _data(0.3, 50)
    base = MCDropoutRegressor()
    with pytest.raises(ValueError, match="tau_values"):
        search(base, X, y, tau_values=[])
    with pytest.raises(ValueError, match="folds"):
        search(base, X, y, folds=1)
    with pytest.raises(ValueError, match="validation-fraction"):
        search(base, X, y, validation_fraction=1.5)
    with pytest.raises(ValueError, match="tau_values"):
        search(base, X, y, tau_units="gal")
