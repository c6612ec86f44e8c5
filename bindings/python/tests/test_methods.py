"""ConcreteDropoutRegressor and DeepEnsembleRegressor: the same numbers as the command
line on the same seed (both directions), reproducibility, pickling, bad input, and the
heteroscedastic head recovering a noise curve that grows with x.

Equality with the CLI is exact: the CLI's CSV prints every float in its shortest
round-trip form, so parsing it back gives the exact float64."""

from __future__ import annotations

import json
import pickle
import subprocess
from io import StringIO
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from sklearn.model_selection import cross_val_score

import mcdropout
from mcdropout import (
    ConcreteDropoutRegressor,
    DeepEnsembleRegressor,
    MCDropoutRegressor,
    ModelFileError,
    log_likelihood_scorer,
)

COLUMNS = ["mean", "std", "epistemic_std", "aleatoric_std", "lower", "upper"]


def _write(path: Path, x: np.ndarray, y: np.ndarray | None = None) -> None:
    cols = {f"x{i}": x[:, i] for i in range(x.shape[1])}
    if y is not None:
        cols["y"] = y
    pd.DataFrame(cols).to_csv(path, index=False, float_format="%.17g")


def _frame(x: np.ndarray) -> pd.DataFrame:
    return pd.DataFrame(x, columns=[f"x{i}" for i in range(x.shape[1])])


def _run(cli: Path, *args: str) -> str:
    return subprocess.run([str(cli), *args], check=True, capture_output=True, text=True).stdout


def _predict(cli: Path, model: Path, data: Path, samples: int, seed: int) -> pd.DataFrame:
    out = _run(
        cli,
        "predict",
        "--model",
        str(model),
        "--data",
        str(data),
        "--samples",
        str(samples),
        "--seed",
        str(seed),
    )
    return pd.read_csv(StringIO(out), dtype=str).map(float)


def _assert_same(got: pd.DataFrame, d: mcdropout.MixtureDistribution) -> None:
    for c in COLUMNS:
        assert np.array_equal(got[c].to_numpy(), getattr(d, c)), c


@pytest.mark.parametrize(
    ("flags", "make"),
    [
        (
            ["--method", "concrete", "--heteroscedastic", "--dropout", "0.2"],
            lambda: ConcreteDropoutRegressor(dropout=0.2, epochs=30, random_state=5),
        ),
        (
            ["--method", "concrete", "--tau", "2", "--dropout", "0.2"],
            lambda: ConcreteDropoutRegressor(
                dropout=0.2, heteroscedastic=False, tau=2.0, epochs=30, random_state=5
            ),
        ),
        (
            ["--method", "ensemble", "--members", "3"],
            lambda: DeepEnsembleRegressor(members=3, epochs=30, random_state=5),
        ),
    ],
    ids=["concrete", "concrete-fixed-tau", "ensemble"],
)
def test_cli_and_python_models_are_the_same(cli, friedman, tmp_path, flags, make):  # type: ignore[no-untyped-def]
    x, y = friedman
    _write(tmp_path / "train.csv", x, y)
    _write(tmp_path / "x.csv", x[:40])
    _run(
        cli,
        "train",
        "--data",
        str(tmp_path / "train.csv"),
        "--target",
        "y",
        *flags,
        "--epochs",
        "30",
        "--seed",
        "5",
        "--out",
        str(tmp_path / "cli.model"),
    )
    # CLI file → Python: same predictive numbers as `mcdropout predict`.
    loaded = mcdropout.load(tmp_path / "cli.model")
    assert type(loaded) is type(make())
    loaded.set_params(n_samples=300)
    got = _predict(cli, tmp_path / "cli.model", tmp_path / "x.csv", 300, 0)
    _assert_same(got, loaded.predict_distribution(x[:40]))

    # Trained in Python with the same settings and seed: the same networks (weights and
    # learned rates), so the same numbers.
    est = make().set_params(n_samples=300).fit(_frame(x), y)
    assert est.dropout_rates_ == loaded.dropout_rates_
    xf = _frame(x[:40])
    assert np.array_equal(est.predict_deterministic(xf), loaded.predict_deterministic(x[:40]))

    # Python file → CLI: `mcdropout predict --seed 5` gives what the estimator gives.
    est.save(tmp_path / "py.model")
    got = _predict(cli, tmp_path / "py.model", tmp_path / "x.csv", 300, 5)
    _assert_same(got, est.predict_distribution(_frame(x[:40])))

    # And `mcdropout evaluate`'s test log-likelihood is the estimator's score.
    _write(tmp_path / "test.csv", x[:60], y[:60])
    ev = _run(
        cli,
        "evaluate",
        "--model",
        str(tmp_path / "py.model"),
        "--data",
        str(tmp_path / "test.csv"),
        "--target",
        "y",
        "--samples",
        "300",
        "--seed",
        "5",
        "--json",
    )
    # serde_json prints shortest round-trip floats: the parse is exact.
    assert json.loads(ev)["ll"] == est.score(_frame(x[:60]), y[:60])


def test_seeded_fits_are_reproducible_and_pickle(friedman):  # type: ignore[no-untyped-def]
    x, y = friedman
    for make in (
        lambda s: ConcreteDropoutRegressor(epochs=10, n_samples=100, random_state=s),
        lambda s: DeepEnsembleRegressor(members=2, epochs=10, random_state=s),
    ):
        a, b, c = make(3).fit(x, y), make(3).fit(x, y), make(4).fit(x, y)
        assert np.array_equal(a.predict(x[:20]), b.predict(x[:20]))
        assert not np.array_equal(a.predict(x[:20]), c.predict(x[:20]))
        # Prediction threads change nothing (each row's and member's streams are keyed).
        one = a.set_params(n_jobs=1).predict(x[:20], return_std=True)
        two = a.set_params(n_jobs=2).predict(x[:20], return_std=True)
        assert np.array_equal(one[0], two[0]) and np.array_equal(one[1], two[1])
        a.set_params(n_jobs=None)
        back = pickle.loads(pickle.dumps(a))
        mean, std = back.predict(x[:20], return_std=True)
        assert np.array_equal(mean, a.predict(x[:20]))
        assert np.array_equal(std, a.predict(x[:20], return_std=True)[1])


def test_ensemble_has_one_network_per_member_and_no_dropout(friedman):  # type: ignore[no-untyped-def]
    x, y = friedman
    est = DeepEnsembleRegressor(members=4, epochs=5).fit(x, y)
    assert est.n_members_ == 4
    assert est.dropout_rates_ == [[0.0, 0.0]] * 4
    assert est.tau_ is None and est.heteroscedastic_


def test_distribution_parts_add_up_and_score_is_the_scorer(friedman):  # type: ignore[no-untyped-def]
    x, y = friedman
    est = ConcreteDropoutRegressor(epochs=20, n_samples=200).fit(x, y)
    d = est.predict_distribution(x[:50], level=0.9)
    # float64 rounding only: the parts are computed and added in f64.
    np.testing.assert_allclose(d.std**2, d.epistemic_std**2 + d.aleatoric_std**2, rtol=1e-12)
    assert np.all(d.lower < d.mean) and np.all(d.mean < d.upper) and d.level == 0.9
    assert (
        est.score(x, y) == log_likelihood_scorer(est, x, y) == est.evaluate(x, y)["log_likelihood"]
    )
    # score is a log-likelihood, so cross_val_score uses it (higher is better).
    s = cross_val_score(ConcreteDropoutRegressor(epochs=5, n_samples=50), x, y, cv=2)
    assert s.shape == (2,) and np.all(np.isfinite(s))


@pytest.mark.parametrize(
    ("est", "name"),
    [
        (ConcreteDropoutRegressor(dropout=0.0), "dropout"),
        (ConcreteDropoutRegressor(dropout=1.0), "dropout"),
        (ConcreteDropoutRegressor(dropout=-0.5), "dropout"),
        (ConcreteDropoutRegressor(temperature=0.0), "temperature"),
        (ConcreteDropoutRegressor(heteroscedastic=False, tau=-1.0), "tau"),
        (ConcreteDropoutRegressor(epochs=0), "epochs"),
        (ConcreteDropoutRegressor(hidden_layer_sizes=(0,)), "hidden_layer_sizes"),
        (DeepEnsembleRegressor(members=0), "members"),
        (DeepEnsembleRegressor(members=2.5), "members"),  # type: ignore[arg-type]
        (DeepEnsembleRegressor(activation="swish"), "activation"),
        (DeepEnsembleRegressor(precision="float16"), "precision"),
    ],
)
def test_bad_parameters_raise_value_error_naming_them(sine, est, name):  # type: ignore[no-untyped-def]
    x, y = sine
    with pytest.raises(ValueError, match=name):
        est.fit(x, y)


def test_bad_data_and_files(sine, tmp_path):  # type: ignore[no-untyped-def]
    x, y = sine
    est = DeepEnsembleRegressor(members=2, epochs=3)
    y_nan = y.copy()
    y_nan[7] = np.nan
    with pytest.raises(ValueError, match="row 7"):
        est.fit(x, y_nan)
    with pytest.raises(ValueError, match="constant|same value"):
        est.fit(x, np.ones_like(y))
    est.fit(x, y)
    with pytest.raises(ValueError, match="feature"):
        est.predict(np.c_[x, x])
    with pytest.raises(ValueError, match="level"):
        est.predict_distribution(x, level=1.5)
    est.save(tmp_path / "e.model")
    with pytest.raises(ValueError, match="made by method 'ensemble', not 'concrete'"):
        ConcreteDropoutRegressor.load(tmp_path / "e.model")
    # A plain MC-dropout file is not a method model, and vice versa.
    MCDropoutRegressor(epochs=3).fit(x, y).save(tmp_path / "m.model")
    with pytest.raises(ModelFileError):
        DeepEnsembleRegressor.load(tmp_path / "m.model")
    with pytest.raises(ModelFileError):
        MCDropoutRegressor.load(tmp_path / "e.model")
    (tmp_path / "bad.model").write_bytes(b"not a model")
    with pytest.raises(ModelFileError):
        DeepEnsembleRegressor.load(tmp_path / "bad.model")


def test_heteroscedastic_head_recovers_a_noise_std_growing_with_x() -> None:
    # y = sin(2πx) + ε, ε ~ N(0, σ(x)²), σ(x) = 0.05 + 0.5 x, x ~ U(0, 1): the crate's
    # synthetic set (tests/methods_models.rs), drawn here with numpy.
    rng = np.random.default_rng(1)
    x = rng.uniform(0.0, 1.0, (4000, 1))
    sigma = 0.05 + 0.5 * x[:, 0]
    y = np.sin(2 * np.pi * x[:, 0]) + sigma * rng.standard_normal(4000)
    est = ConcreteDropoutRegressor(epochs=400, n_samples=2000, random_state=3).fit(x, y)
    grid = np.arange(1, 10).reshape(-1, 1) / 10.0
    got = est.predict_distribution(grid).aleatoric_std
    want = 0.05 + 0.5 * grid[:, 0]
    # Tolerance: the net's noise estimate at x pools roughly the points within ±0.05
    # (≈ 400 of 4000); the relative standard error of a std from n points is 1/√(2n) ≈
    # 3.5 %, so 15 % is ≈ 4 standard errors and also covers the MC error of T = 2000
    # passes (< 1 %). The same bound as the crate's test of this curve.
    np.testing.assert_array_less(np.abs(got - want) / want, 0.15)
    assert np.all(np.diff(got) > 0), got  # grows with x as the data's noise does
    rates = est.dropout_rates_[0]
    assert all(0.0 < p < 1.0 for p in rates)


@pytest.mark.parametrize(
    "est",
    [
        ConcreteDropoutRegressor(hidden_layer_sizes=(32,), epochs=300, n_samples=100),
        DeepEnsembleRegressor(members=2, hidden_layer_sizes=(32,), epochs=300),
    ],
    ids=["concrete", "ensemble"],
)
def test_r2_on_scikit_learns_toy_regression_data(est):  # type: ignore[no-untyped-def]
    # scikit-learn's check_regressors_train asserts score > 0.5 as R²; our score is the
    # log-likelihood (that check is xfailed with this reason), so the R² part is here,
    # on the data the check uses (its _regression_dataset, rebuilt here).
    from sklearn.datasets import make_regression
    from sklearn.metrics import r2_score
    from sklearn.preprocessing import StandardScaler

    x, y = make_regression(
        n_samples=200, n_features=10, n_informative=1, bias=5.0, noise=20, random_state=42
    )
    x = StandardScaler().fit_transform(x)
    est.fit(x, y)
    assert r2_score(y, est.predict(x)) > 0.5


def test_readme_python_methods_example_runs(tmp_path):  # type: ignore[no-untyped-def]
    import re
    import sys

    from conftest import REPO

    readme = (REPO / "README.md").read_text()
    start = readme.index("<!-- python-methods -->")
    m = re.search(r"```python\n(.*?)```", readme[start:], re.S)
    assert m
    out = subprocess.run(
        [sys.executable, "-c", m.group(1)], cwd=tmp_path, capture_output=True, text=True, check=True
    ).stdout.splitlines()
    assert len(out) == 3
    # The claim the example's comment makes: the predicted noise std at x = 0.8 is above
    # the one at x = 0.2 (true values 0.45 and 0.15: a factor 3, far beyond the ≈ 15 %
    # estimation error stated in test_heteroscedastic_head_recovers_…).
    lo, hi = (float(v) for v in re.findall(r"[-+]?\d*\.\d+(?:e[-+]?\d+)?", out[1]))
    assert hi > 2 * lo
