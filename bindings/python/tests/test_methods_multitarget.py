"""ConcreteDropoutRegressor and DeepEnsembleRegressor with a 2-D y (N × D, D > 1): the
crate's MultiMethodModel. The same numbers as `mcdropout train --target a,b --method …
--heteroscedastic` / `predict` / `evaluate` on the same seed (both directions), shapes,
the parts of the predictive variance, the 1-D path untouched, pickling, bad input.

Equality with the command line is exact (`np.array_equal`): the same crate code runs on
the same seed, and the CLI writes shortest round-trip floats (`%.17g` read back exactly)."""

from __future__ import annotations

import json
import pickle
import subprocess
from io import StringIO
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest

import mcdropout
from mcdropout import ConcreteDropoutRegressor, DeepEnsembleRegressor


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


CASES = [
    (
        ["--method", "concrete", "--heteroscedastic", "--dropout", "0.2"],
        lambda: ConcreteDropoutRegressor(dropout=0.2, epochs=30, random_state=5),
    ),
    (
        ["--method", "ensemble", "--heteroscedastic", "--members", "3"],
        lambda: DeepEnsembleRegressor(members=3, epochs=30, random_state=5),
    ),
]


@pytest.mark.parametrize(("flags", "make"), CASES, ids=["concrete", "ensemble"])
def test_cli_and_python_multi_method_models_are_the_same(cli, two_targets, tmp_path, flags, make):  # type: ignore[no-untyped-def]
    x, y = two_targets
    pd.concat([_frame(x), _frame(y, "t")], axis=1).to_csv(
        tmp_path / "train.csv", index=False, float_format="%.17g"
    )
    _frame(x[:40]).to_csv(tmp_path / "x.csv", index=False, float_format="%.17g")
    _run(
        cli, "train", "--data", str(tmp_path / "train.csv"), "--target", "t0,t1", *flags,
        "--epochs", "30", "--seed", "5", "--out", str(tmp_path / "cli.model"),
    )  # fmt: skip

    def predict(model: Path, seed: int) -> pd.DataFrame:
        out = _run(
            cli, "predict", "--model", str(model), "--data", str(tmp_path / "x.csv"),
            "--samples", "300", "--seed", str(seed),
        )  # fmt: skip
        return pd.read_csv(StringIO(out), dtype=str).map(float)

    def same(got: pd.DataFrame, d: mcdropout.MixtureDistribution) -> None:
        assert d.epistemic_cov is not None and d.epistemic_cov.shape == (40, 2, 2)
        for k, t in enumerate(["t0", "t1"]):
            for c in ["mean", "std", "epistemic_std", "aleatoric_std", "lower", "upper"]:
                assert np.array_equal(got[f"{t}_{c}"].to_numpy(), getattr(d, c)[:, k]), (t, c)
        assert np.array_equal(got["cov_t0_t1"].to_numpy(), d.epistemic_cov[:, 0, 1])

    # CLI file → Python (mcdropout.load recognises the several-target method file).
    loaded = mcdropout.load(tmp_path / "cli.model")
    assert type(loaded) is type(make())
    assert loaded.n_outputs_ == 2 and loaded.target_names_ == ["t0", "t1"]
    loaded.set_params(n_samples=300)
    same(predict(tmp_path / "cli.model", 0), loaded.predict_distribution(x[:40]))

    # Trained in Python with the same settings and seed: the same networks.
    est = make().set_params(n_samples=300).fit(_frame(x), _frame(y, "t"))
    assert est.target_names_ == ["t0", "t1"]
    assert est.dropout_rates_ == loaded.dropout_rates_
    xf = _frame(x[:40])
    assert np.array_equal(est.predict_deterministic(xf), loaded.predict_deterministic(x[:40]))

    # Python file → CLI.
    est.save(tmp_path / "py.model")
    same(predict(tmp_path / "py.model", 5), est.predict_distribution(xf))

    # `mcdropout evaluate --json`'s joint mixture log-likelihood is log_likelihood/score.
    pd.concat([_frame(x[:60]), _frame(y[:60], "t")], axis=1).to_csv(
        tmp_path / "test.csv", index=False, float_format="%.17g"
    )
    out = _run(
        cli, "evaluate", "--model", str(tmp_path / "py.model"), "--data",
        str(tmp_path / "test.csv"), "--target", "t0,t1", "--samples", "300",
        "--seed", "5", "--json",
    )  # fmt: skip
    ev = json.loads(out)
    assert ev["ll_mixture"] == est.log_likelihood(_frame(x[:60]), y[:60])
    assert ev["ll_mixture"] == est.score(_frame(x[:60]), y[:60])
    assert ev["ll"] == list(est.evaluate(_frame(x[:60]), y[:60])["log_likelihood_per_target"])


@pytest.mark.parametrize(
    "make",
    [
        lambda: ConcreteDropoutRegressor(epochs=10, n_samples=100),
        lambda: DeepEnsembleRegressor(members=2, epochs=10),
    ],
    ids=["concrete", "ensemble"],
)
def test_shapes_and_variance_parts(two_targets, make):  # type: ignore[no-untyped-def]
    x, y = two_targets
    est = make().fit(x, y)
    mean, std = est.predict(x[:25], return_std=True)
    assert mean.shape == (25, 2) and std.shape == (25, 2)
    d = est.predict_distribution(x[:25])
    assert d.epistemic_cov is not None and d.epistemic_cov.shape == (25, 2, 2)
    # std² = aleatoric + epistemic per target (float rounding: relative 1e-12).
    np.testing.assert_allclose(
        d.std**2, d.aleatoric_std**2 + d.epistemic_std**2, rtol=1e-12, atol=0
    )
    # The epistemic covariance's diagonal is the epistemic variance, and it is symmetric
    # up to rounding: the crate's streaming (Welford) co-moment forms the (a, b) and
    # (b, a) products in different orders, so they agree to a few ulps per update of
    # the T·M components (1e-10 of the scale sqrt(var_a var_b) is far above that).
    diag = np.diagonal(d.epistemic_cov, axis1=1, axis2=2)
    np.testing.assert_allclose(diag, d.epistemic_std**2, rtol=1e-12, atol=1e-300)
    scale = np.sqrt(diag[:, :, None] * diag[:, None, :])
    asym = np.abs(d.epistemic_cov - np.swapaxes(d.epistemic_cov, 1, 2))
    assert np.all(asym <= 1e-10 * scale)
    assert np.all(d.lower < d.mean) and np.all(d.mean < d.upper)
    ev = est.evaluate(x[:50], y[:50])
    assert ev["log_likelihood_per_target"].shape == (2,) and ev["rmse"].shape == (2,)
    assert ev["log_likelihood"] == est.log_likelihood(x[:50], y[:50])


def test_one_dimensional_y_is_untouched(friedman):  # type: ignore[no-untyped-def]
    x, y = friedman
    for make in (
        lambda: ConcreteDropoutRegressor(epochs=10, n_samples=100),
        lambda: DeepEnsembleRegressor(members=2, epochs=10, n_samples=100),
    ):
        a = make().fit(x, y)
        assert isinstance(a.model_, mcdropout._mcdropout.MethodModel)
        assert not hasattr(a, "n_outputs_")
        d = a.predict_distribution(x[:10])
        assert d.epistemic_cov is None and d.mean.shape == (10,)
        # Refitting on 2-D y, then on 1-D y again, gives back the same 1-D model.
        b = make().fit(x, np.c_[y, -y])
        assert b.n_outputs_ == 2
        b.fit(x, y)
        assert not hasattr(b, "n_outputs_")
        assert np.array_equal(a.predict(x[:10]), b.predict(x[:10]))


def test_pickle_and_load(two_targets, tmp_path):  # type: ignore[no-untyped-def]
    x, y = two_targets
    ests: list[Any] = [
        ConcreteDropoutRegressor(epochs=5, n_samples=50).fit(x, y),
        DeepEnsembleRegressor(members=2, epochs=5, n_samples=50).fit(x, y),
    ]
    for est in ests:
        back = pickle.loads(pickle.dumps(est))
        assert np.array_equal(back.predict(x[:10]), est.predict(x[:10]))
        est.save(tmp_path / "m.model")
        again = type(est).load(tmp_path / "m.model").set_params(n_samples=50)
        assert np.array_equal(again.predict(x[:10]), est.predict(x[:10]))
        anyway = mcdropout.load(tmp_path / "m.model").set_params(n_samples=50)
        assert type(anyway) is type(est)
        assert np.array_equal(anyway.predict(x[:10]), est.predict(x[:10]))
    # A file of the other method is refused by name.
    with pytest.raises(mcdropout._mcdropout.ModelFileError, match="ensemble"):
        ConcreteDropoutRegressor.load(tmp_path / "m.model")


def test_bad_input(two_targets):  # type: ignore[no-untyped-def]
    x, y = two_targets
    bad = y.copy()
    bad[3, 1] = np.inf
    with pytest.raises(ValueError, match="y"):
        ConcreteDropoutRegressor(epochs=3).fit(x, bad)
    with pytest.raises(ValueError, match="rows|samples|inconsistent"):
        DeepEnsembleRegressor(members=2, epochs=3).fit(x, y[:-5])
    with pytest.raises(ValueError, match="invalid heteroscedastic.*2 targets"):
        ConcreteDropoutRegressor(epochs=3, heteroscedastic=False).fit(x, y)
    est = ConcreteDropoutRegressor(epochs=3, n_samples=20).fit(x, y)
    with pytest.raises(ValueError, match=r"shape \(10, 2\)"):
        est.evaluate(x[:10], y[:10, 0])
