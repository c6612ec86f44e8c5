"""MCDropoutRegressor with a 2-D y (N × D, D > 1): the crate's MultiRegressor. The same
numbers as `mcdropout train --target a,b` / `predict` on the same seed (both directions),
shapes and the parts of the predictive covariance, the joint log-likelihood against a
direct computation from the returned MC passes, the 1-D path untouched, bad input."""

from __future__ import annotations

import pickle
import subprocess
from io import StringIO
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from sklearn.exceptions import DataConversionWarning

import mcdropout
from mcdropout import MCDropoutRegressor


@pytest.fixture()
def two_targets(friedman):  # type: ignore[no-untyped-def]
    """Friedman #1 and a second target in other units (seeded)."""
    x, y = friedman
    rng = np.random.default_rng(4)
    y2 = 100.0 * np.sin(x[:, 0] * 3) + 5.0 * rng.standard_normal(len(y))
    return x, np.c_[y, y2]


def _frame(x: np.ndarray, prefix: str = "x") -> pd.DataFrame:
    return pd.DataFrame(x, columns=[f"{prefix}{i}" for i in range(x.shape[1])])


def _run(cli: Path, *args: str) -> str:
    return subprocess.run([str(cli), *args], check=True, capture_output=True, text=True).stdout


def test_cli_and_python_multi_models_are_the_same(cli, two_targets, tmp_path):  # type: ignore[no-untyped-def]
    x, y = two_targets
    pd.concat([_frame(x), _frame(y, "t")], axis=1).to_csv(
        tmp_path / "train.csv", index=False, float_format="%.17g"
    )
    _frame(x[:40]).to_csv(tmp_path / "x.csv", index=False, float_format="%.17g")
    common = ["--tau", "2", "--dropout", "0.1", "--epochs", "30", "--seed", "5"]
    _run(
        cli, "train", "--data", str(tmp_path / "train.csv"), "--target", "t0,t1", *common,
        "--out", str(tmp_path / "cli.model"),
    )  # fmt: skip

    def predict(model: Path, seed: int) -> pd.DataFrame:
        out = _run(
            cli, "predict", "--model", str(model), "--data", str(tmp_path / "x.csv"),
            "--samples", "300", "--seed", str(seed),
        )  # fmt: skip
        return pd.read_csv(StringIO(out), dtype=str).map(float)

    def same(got: pd.DataFrame, d: mcdropout.PredictiveDistribution) -> None:
        assert d.cov is not None
        for k, t in enumerate(["t0", "t1"]):
            assert np.array_equal(got[f"{t}_mean"].to_numpy(), d.mean[:, k])
            assert np.array_equal(got[f"{t}_std"].to_numpy(), d.std[:, k])
            assert np.array_equal(got[f"{t}_epistemic_std"].to_numpy(), d.epistemic_std[:, k])
            assert np.array_equal(got[f"{t}_lower"].to_numpy(), d.lower[:, k])
            assert np.array_equal(got[f"{t}_upper"].to_numpy(), d.upper[:, k])
        assert np.array_equal(got["cov_t0_t1"].to_numpy(), d.cov[:, 0, 1])

    loaded = mcdropout.load(tmp_path / "cli.model")
    assert isinstance(loaded, MCDropoutRegressor)
    assert loaded.n_outputs_ == 2 and loaded.target_names_ == ["t0", "t1"]
    loaded.set_params(n_samples=300)
    same(predict(tmp_path / "cli.model", 0), loaded.predict_distribution(x[:40]))

    est = MCDropoutRegressor(tau=2.0, dropout=0.1, epochs=30, random_state=5, n_samples=300)
    est.fit(_frame(x), _frame(y, "t"))
    assert est.target_names_ == ["t0", "t1"]
    xf = _frame(x[:40])
    assert np.array_equal(est.predict_deterministic(xf), loaded.predict_deterministic(x[:40]))
    est.save(tmp_path / "py.model")
    same(predict(tmp_path / "py.model", 5), est.predict_distribution(xf))


def test_shapes_and_the_parts_of_the_covariance(two_targets):  # type: ignore[no-untyped-def]
    x, y = two_targets
    est = MCDropoutRegressor(tau=4.0, epochs=30, n_samples=200).fit(x, y)
    assert est.n_outputs_ == 2 and est.target_names_ == ["y0", "y1"]
    mean, std = est.predict(x[:25], return_std=True)
    assert mean.shape == (25, 2) and std.shape == (25, 2)
    d = est.predict_distribution(x[:25], return_samples=True)
    assert d.cov is not None and d.samples is not None
    assert d.cov.shape == (25, 2, 2) and d.samples.shape == (200, 25, 2)
    assert np.asarray(d.aleatoric_std).shape == (2,)
    # Each target's noise std is σ_d τ^(-1/2) with σ_d its training std (τ in
    # standardised units); float64 rounding only.
    np.testing.assert_allclose(d.aleatoric_std, y.std(axis=0) / 2.0, rtol=1e-12)
    # cov = diag(noise) + sample covariance of the T passes (ddof 0), float rounding only.
    s = d.samples - d.samples.mean(axis=0)
    sample_cov = np.einsum("tni,tnj->nij", s, s) / s.shape[0]
    want = sample_cov + np.diag(np.asarray(d.aleatoric_std) ** 2)
    np.testing.assert_allclose(d.cov, want, rtol=1e-9, atol=1e-12 * np.abs(want).max())
    np.testing.assert_allclose(d.mean, d.samples.mean(axis=0), rtol=1e-12)
    np.testing.assert_allclose(d.std**2, np.diagonal(d.cov, axis1=1, axis2=2), rtol=1e-12)
    np.testing.assert_allclose(d.std**2, d.epistemic_std**2 + d.aleatoric_std**2, rtol=1e-12)


def test_joint_log_likelihood_is_the_mixture_of_the_passes(two_targets):  # type: ignore[no-untyped-def]
    x, y = two_targets
    est = MCDropoutRegressor(tau=4.0, epochs=30, n_samples=200).fit(x, y)
    d = est.predict_distribution(x[:50], return_samples=True)
    assert d.samples is not None
    var = np.asarray(d.aleatoric_std) ** 2
    # log N(y; ŷ_t, diag(var)) per pass and row, then log of the average over passes.
    r = y[:50][None, :, :] - d.samples
    logn = -0.5 * (r**2 / var).sum(axis=2) - 0.5 * np.log(2 * np.pi * var).sum()
    m = logn.max(axis=0)
    want = float(np.mean(m + np.log(np.exp(logn - m).mean(axis=0))))
    # Float rounding of a sum of 200 terms per row, not MC error (same masks): 1e-10.
    assert est.log_likelihood(x[:50], y[:50]) == pytest.approx(want, rel=1e-10)
    assert mcdropout.log_likelihood_scorer(est, x[:50], y[:50]) == est.log_likelihood(
        x[:50], y[:50]
    )
    ev = est.evaluate(x[:50], y[:50])
    assert ev["log_likelihood_per_target"].shape == (2,) and ev["rmse"].shape == (2,)


def test_one_dimensional_y_is_untouched(sine):  # type: ignore[no-untyped-def]
    x, y = sine
    a = MCDropoutRegressor(epochs=20, n_samples=100).fit(x, y)
    with pytest.warns(DataConversionWarning):
        b = MCDropoutRegressor(epochs=20, n_samples=100).fit(x, y.reshape(-1, 1))
    assert not hasattr(a, "n_outputs_") and not hasattr(b, "n_outputs_")
    assert np.array_equal(a.predict(x), b.predict(x))
    assert isinstance(a.model_, mcdropout._mcdropout.Regressor)
    # Refitting a 2-D estimator on 1-D y drops the several-target attributes.
    c = MCDropoutRegressor(epochs=5, n_samples=50).fit(x, np.c_[y, -y])
    assert c.n_outputs_ == 2
    c.fit(x, y)
    assert not hasattr(c, "n_outputs_") and c.predict(x).shape == (len(y),)


def test_pickle_and_load(two_targets, tmp_path):  # type: ignore[no-untyped-def]
    x, y = two_targets
    est = MCDropoutRegressor(tau=4.0, epochs=10, n_samples=100).fit(x, y)
    back = pickle.loads(pickle.dumps(est))
    assert np.array_equal(back.predict(x[:10]), est.predict(x[:10]))
    est.save(tmp_path / "m.model")
    again = MCDropoutRegressor.load(tmp_path / "m.model").set_params(n_samples=100)
    assert np.array_equal(again.predict(x[:10]), est.predict(x[:10]))


def test_bad_input(two_targets):  # type: ignore[no-untyped-def]
    x, y = two_targets
    bad = y.copy()
    bad[3, 1] = np.inf
    with pytest.raises(ValueError, match="y"):
        MCDropoutRegressor(epochs=3).fit(x, bad)
    with pytest.raises(ValueError, match="rows|samples|inconsistent"):
        MCDropoutRegressor(epochs=3).fit(x, y[:-5])
    with pytest.raises(ValueError, match="tau"):
        MCDropoutRegressor(epochs=3, tau=None).fit(x, y)
    with pytest.raises(ValueError, match="unique column names|listed twice"):
        MCDropoutRegressor(epochs=3).fit(x, pd.DataFrame(y, columns=["a", "a"]))
    est = MCDropoutRegressor(epochs=3, n_samples=20).fit(x, y)
    with pytest.raises(ValueError, match=r"shape \(10, 2\)"):
        est.evaluate(x[:10], y[:10, 0])
    with pytest.raises(ValueError, match="row_keys"):
        est.predict_distribution(x[:10], row_keys=np.arange(10))


def test_readme_python_multitarget_example_runs(tmp_path):  # type: ignore[no-untyped-def]
    import re
    import sys

    from conftest import REPO

    readme = (REPO / "README.md").read_text()
    start = readme.index("<!-- python-multitarget -->")
    m = re.search(r"```python\n(.*?)```", readme[start:], re.S)
    assert m
    out = subprocess.run(
        [sys.executable, "-c", m.group(1)], cwd=tmp_path, capture_output=True, text=True, check=True
    ).stdout.splitlines()
    assert out[0] == "(3, 2) (3, 2) (3, 2, 2)"
    assert np.isfinite(float(out[1]))
