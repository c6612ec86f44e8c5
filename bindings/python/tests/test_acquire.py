"""mcdropout.acquire: acquisition scores on hand-made samples (closed forms), top-k with
ties, the estimators' MC samples, the wheel bandit and the Thompson policies. The numbers
come from the Rust crate; these tests check the binding passes them through unchanged.

Tolerances: the closed forms are sums of a few terms of size ≤ ln 2 (1e-12 is far above
their rounding)."""

from __future__ import annotations

import math

import numpy as np
import pytest

import mcdropout
from mcdropout import (
    DropoutThompson,
    LinearThompson,
    MCDropoutClassifier,
    MCDropoutRegressor,
    acquisition_scores,
    select_batch,
    wheel_bandit,
)


def _samples() -> np.ndarray:
    """T = 2 passes, N = 3 candidates, C = 2 classes."""
    p0 = [[1.0, 0.0], [1.0, 0.0], [0.8, 0.2]]
    p1 = [[1.0, 0.0], [0.0, 1.0], [0.4, 0.6]]
    return np.array([p0, p1])


def _h(p: list[float]) -> float:
    return -sum(v * math.log(v) for v in p if v > 0)


def test_closed_forms() -> None:
    s = _samples()
    ln2 = math.log(2)
    bald = acquisition_scores(s, "bald")
    want = [0.0, ln2, _h([0.6, 0.4]) - 0.5 * (_h([0.8, 0.2]) + _h([0.4, 0.6]))]
    np.testing.assert_allclose(bald, want, atol=1e-12)
    np.testing.assert_allclose(
        acquisition_scores(s, "max-entropy"), [0.0, ln2, _h([0.6, 0.4])], atol=1e-12
    )
    np.testing.assert_array_equal(acquisition_scores(s, "variation-ratio"), [0.0, 0.5, 0.5])
    np.testing.assert_allclose(acquisition_scores(s, "mean-std"), [0.0, 0.5, 0.2], atol=1e-12)
    reg = np.array([[1.0, 2.0, 0.0], [3.0, 2.0, 4.0]])
    np.testing.assert_array_equal(acquisition_scores(reg, "max-variance"), [1.0, 0.0, 4.0])


def test_top_k_ties_and_errors() -> None:
    np.testing.assert_array_equal(select_batch([0.5, 0.9, 0.5, 0.9], 3), [1, 3, 0])
    with pytest.raises(ValueError, match="batch size"):
        select_batch([0.1, 0.2], 0)
    with pytest.raises(ValueError, match="larger than the pool"):
        select_batch([0.1, 0.2], 3)
    with pytest.raises(ValueError, match="unknown acquisition function"):
        acquisition_scores(_samples(), "oracle")
    with pytest.raises(ValueError, match="does not apply to classifiers"):
        acquisition_scores(_samples(), "max-variance")


def test_random_scores_are_seeded() -> None:
    a = acquisition_scores(_samples(), "random", seed=3)
    np.testing.assert_array_equal(a, acquisition_scores(_samples(), "random", seed=3))
    assert not np.array_equal(a, acquisition_scores(_samples(), "random", seed=4))


def test_scores_from_estimators() -> None:
    rng = np.random.default_rng(0)
    x = rng.uniform(-1, 1, size=(80, 2))
    y = (x[:, 0] > 0).astype(int)
    clf = MCDropoutClassifier(dropout=0.2, epochs=30, n_samples=30, random_state=0).fit(x, y)
    u = clf.predict_uncertainty(x, return_samples=True)
    bald = acquisition_scores(u, "bald")
    # Same MC run: the BALD score is the estimator's mutual information.
    np.testing.assert_allclose(bald, u.mutual_information, atol=1e-12)
    picked = select_batch(bald, 5)
    assert len(set(picked.tolist())) == 5
    with pytest.raises(ValueError, match="return_samples=True"):
        acquisition_scores(clf.predict_uncertainty(x), "bald")
    reg = MCDropoutRegressor(tau=10.0, epochs=20, n_samples=30, random_state=0).fit(x, x[:, 0])
    d = reg.predict_distribution(x, return_samples=True)
    var = acquisition_scores(d, "max-variance")
    np.testing.assert_allclose(var, d.samples.var(axis=0), rtol=1e-9, atol=1e-12)


def test_wheel_and_policies() -> None:
    ctx, rewards, means = wheel_bandit(0.5, 400, seed=1)
    assert ctx.shape == (400, 2) and rewards.shape == (400, 5) and means.shape == (400, 5)
    assert np.all(np.hypot(ctx[:, 0], ctx[:, 1]) <= 1.0)
    with pytest.raises(ValueError, match=r"\(0, 1\)"):
        wheel_bandit(1.5, 10)

    def run(policy: DropoutThompson | LinearThompson) -> list[int]:
        arms = []
        for t in range(ctx.shape[0]):
            a = policy.choose(t, ctx[t].tolist())
            policy.update(t, ctx[t].tolist(), a, float(rewards[t, a]))
            arms.append(a)
        return arms

    def ts(seed: int, shared: bool = False) -> DropoutThompson:
        return DropoutThompson(2, 5, seed=seed, train_every=50, steps=20, shared=shared)

    a = run(ts(7))
    assert a == run(ts(7))
    assert a != run(ts(8))
    assert run(ts(7, shared=True)) == run(ts(7, shared=True))
    lin = run(LinearThompson(2, 5, seed=2))
    assert lin == run(LinearThompson(2, 5, seed=2))
    regret = means.max(axis=1) - means[np.arange(400), lin]
    uniform = means.max(axis=1) - means.mean(axis=1)
    # Linear TS learns the inner/outer split well enough to beat uniform by far.
    assert regret.sum() < 0.5 * uniform.sum()
    with pytest.raises(ValueError, match="arm 5"):
        LinearThompson(2, 5).update(0, [0.0, 0.0], 5, 1.0)


def test_exported() -> None:
    for name in ["acquisition_scores", "select_batch", "wheel_bandit", "DropoutThompson"]:
        assert name in mcdropout.__all__
