"""A raw DataFrame in every estimator (issue 23): the classifier, the method estimators,
several targets and the GP take text, ``category`` and ``string`` columns and NaNs as
they are, encoded by the engine exactly as the command line encodes the same table
written as CSV. For each estimator the model fitted in Python and the one `mcdropout
train` (or `mcdropout gp`) fits on the CSV have the same encoding and the same weights,
and `mcdropout predict` on the raw CSV prints, byte for byte, what the estimators predict
on the frame — for the Python model file and for the CLI's, both ways.

The table is statsmodels' bundled Grunfeld investment data (220 firm-years of 11 firms);
the test makes ``firm`` a ``string`` column with three cells blanked, adds a ``category``
column ``decade`` (1930, 1940, 1950: codes that look like numbers) and a ``string``
column ``half`` ("1" before 1945, "2" after), and blanks some ``value`` cells.

Equality with the CLI is exact: the CLI prints every float in its shortest round-trip
form, so parsing it back gives the float64 the engine computed."""

from __future__ import annotations

import json
import subprocess
from collections.abc import Callable
from dataclasses import dataclass
from io import StringIO
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest

import mcdropout
from mcdropout import (
    ConcreteDropoutRegressor,
    DeepEnsembleRegressor,
    ExactGPRegressor,
    MCDropoutClassifier,
    MCDropoutRegressor,
)

sm = pytest.importorskip("statsmodels.api")

T, SEED = 200, 3
REGRESSION = ["mean", "std", "epistemic_std", "aleatoric_std", "lower", "upper"]
FIRMS_BLANKED = [4, 50, 101]  # rows whose firm the test blanks


def _grunfeld() -> pd.DataFrame:
    d = sm.datasets.grunfeld.load_pandas().data
    d["firm"] = d["firm"].astype(object).astype("string")
    d.loc[FIRMS_BLANKED, "firm"] = pd.NA
    d["decade"] = pd.Categorical((d["year"] // 10 * 10).astype(int))
    d["half"] = np.where(d["year"] < 1945, "1", "2")
    d["half"] = d["half"].astype("string")
    d.loc[d.index % 17 == 3, "value"] = np.nan
    # A label for the classifier: the tercile of invest (integers, as the CLI takes them).
    d["label"] = pd.qcut(d["invest"], 3, labels=False).astype(int)
    return d


@dataclass
class Kind:
    """An estimator, the CLI command that fits the same model, and its targets."""

    make: Callable[..., Any]
    command: list[str]
    targets: list[str]
    mc: bool = True  # whether prediction draws MC passes (not the GP)


NET = ["--epochs", "20", "--seed", str(SEED)]
KINDS = {
    "regressor": Kind(
        lambda **kw: MCDropoutRegressor(tau=4.0, epochs=20, random_state=SEED, **kw),
        ["train", "--tau", "4", *NET],
        ["invest"],
    ),
    "regressor-two-targets": Kind(
        lambda **kw: MCDropoutRegressor(tau=4.0, epochs=20, random_state=SEED, **kw),
        ["train", "--tau", "4", *NET],
        ["invest", "capital"],
    ),
    "classifier": Kind(
        lambda **kw: MCDropoutClassifier(epochs=20, random_state=SEED, **kw),
        ["train", "--task", "classify", *NET],
        ["label"],
    ),
    "concrete": Kind(
        lambda **kw: ConcreteDropoutRegressor(dropout=0.2, epochs=20, random_state=SEED, **kw),
        ["train", "--method", "concrete", "--heteroscedastic", "--dropout", "0.2", *NET],
        ["invest"],
    ),
    "ensemble": Kind(
        lambda **kw: DeepEnsembleRegressor(members=2, epochs=20, random_state=SEED, **kw),
        ["train", "--method", "ensemble", "--members", "2", *NET],
        ["invest"],
    ),
    "ensemble-two-targets": Kind(
        lambda **kw: DeepEnsembleRegressor(members=2, epochs=20, random_state=SEED, **kw),
        ["train", "--method", "ensemble", "--members", "2", *NET],
        ["invest", "capital"],
    ),
    "gp": Kind(
        lambda **kw: ExactGPRegressor(restarts=0, max_iter=20, random_state=SEED, **kw),
        ["gp", "--restarts", "0", "--max-iter", "20", "--seed", str(SEED)],
        ["invest"],
        mc=False,
    ),
}


def _split(d: pd.DataFrame, kind: Kind) -> tuple[pd.DataFrame, Any]:
    X = d.drop(columns=["invest", "capital", "label"])
    if "capital" not in kind.targets:
        X.insert(1, "capital", d["capital"])
    y = d[kind.targets] if len(kind.targets) > 1 else d[kind.targets[0]]
    return X, y


def _run(cli: Path, *args: str) -> str:
    return subprocess.run([str(cli), *args], check=True, capture_output=True, text=True).stdout


def _cli_predict(cli: Path, kind: Kind, model: Path, data: Path, *extra: str) -> pd.DataFrame:
    mc = ["--samples", str(T), "--seed", str(SEED)] if kind.mc else []
    out = _run(cli, "predict", "--model", str(model), "--data", str(data), *mc, *extra)
    return pd.read_csv(StringIO(out), dtype=str).map(float)


def _numbers(est: Any, X: pd.DataFrame) -> dict[str, np.ndarray]:
    """The estimator's predictions on X under the names of `mcdropout predict`'s columns."""
    if isinstance(est, MCDropoutClassifier):
        u = est.predict_uncertainty(X)
        cols = {f"p_{c}": u.probs[:, j] for j, c in enumerate(est.classes_)}
        cols["class"] = u.predicted.astype(np.float64)
        cols |= {"entropy": u.entropy, "mutual_info": u.mutual_information}
        cols["variation_ratio"] = u.variation_ratio
        return cols
    d = est.predict_distribution(X)
    n = len(X)
    if getattr(est, "n_outputs_", None):
        return {
            f"{t}_{c}": np.broadcast_to(getattr(d, c), (n, est.n_outputs_))[:, k]
            for k, t in enumerate(est.target_names_)
            for c in REGRESSION
        }
    return {c: np.broadcast_to(getattr(d, c), (n,)) for c in REGRESSION}


def _assert_same(got: pd.DataFrame, want: dict[str, np.ndarray]) -> None:
    for c, v in want.items():
        assert np.array_equal(got[c].to_numpy(), v), c


def _deterministic(est: Any, X: Any) -> np.ndarray:
    if isinstance(est, MCDropoutClassifier):
        return est.predict_proba_deterministic(X)
    if isinstance(est, ExactGPRegressor):
        return est.predict(X)
    return est.predict_deterministic(X)


@pytest.mark.parametrize("name", list(KINDS))
def test_every_estimator_fits_a_raw_frame_as_the_command_line(cli, tmp_path, name):  # type: ignore[no-untyped-def]
    kind = KINDS[name]
    d = _grunfeld()
    X, y = _split(d, kind)
    table = pd.concat([X, d[kind.targets]], axis=1)
    csv = tmp_path / "g.csv"
    table.to_csv(csv, index=False, float_format="%.17g")
    _run(
        cli, *kind.command, "--data", str(csv), "--target", ",".join(kind.targets),
        "--missing", "impute", "--categorical", "decade,half", "--out", str(tmp_path / "cli.model"),
    )  # fmt: skip

    # `decade` (category) and `half` (string) are categorical by their type, as the CSV's
    # are by --categorical; `firm` (string) is text anyway.
    est = kind.make(missing="impute").fit(X, y)
    if kind.mc:
        est.set_params(n_samples=T)
    assert list(est.feature_names_in_) == list(X.columns)
    firms = sorted(set(sm.datasets.grunfeld.load_pandas().data["firm"]))
    assert est.categories_ == {
        "firm": firms,
        "decade": ["1930", "1940", "1950"],
        "half": ["1", "2"],
    }
    enc = json.loads(est.model_.encoding_json)
    by_name = {c["name"]: c for c in enc["columns"]}
    assert by_name["firm"]["missing_level"] is True  # the blanked firms: a level of their own
    assert by_name["decade"]["missing_level"] is False
    present = d["value"].dropna()
    assert by_name["value"]["mean"] == pytest.approx(present.mean(), rel=1e-15)
    assert by_name["value"]["indicator"] is True

    # The CLI's model: the same encoding, the same weights.
    loaded = mcdropout.load(tmp_path / "cli.model")
    assert type(loaded) is type(est)
    assert json.loads(loaded.model_.encoding_json) == enc
    assert loaded.categories_ == est.categories_
    assert list(loaded.feature_names_in_) == list(X.columns)
    assert np.array_equal(_deterministic(est, X), _deterministic(loaded, X))

    # Python file → `mcdropout predict` on the raw CSV: the estimator's numbers exactly.
    est.save(tmp_path / "py.model")
    _assert_same(_cli_predict(cli, kind, tmp_path / "py.model", csv), _numbers(est, X))
    # CLI file → Python on the frame: `mcdropout predict`'s numbers exactly.
    if kind.mc:
        loaded.set_params(n_samples=T)
        loaded.seed_ = SEED
    _assert_same(_cli_predict(cli, kind, tmp_path / "cli.model", csv), _numbers(loaded, X))

    # An unseen firm: a ValueError naming the column and the value, or all-zero inputs —
    # then the same numbers as `mcdropout predict --unknown-category ignore`.
    new = X.iloc[[0, 1, 30]].copy()
    new.loc[new.index[1], "firm"] = "Ford"
    with pytest.raises(ValueError, match=r'column "firm": category "Ford" was not seen'):
        est.predict(new)
    new_csv = tmp_path / "new.csv"
    new.to_csv(new_csv, index=False, float_format="%.17g")
    est.set_params(unknown_category="ignore")
    got = _cli_predict(cli, kind, tmp_path / "py.model", new_csv, "--unknown-category", "ignore")
    _assert_same(got, _numbers(est, new))
    # The unseen firm's row is scored with no firm input: not the first firm's numbers.
    first = X.iloc[[1]]
    assert not np.array_equal(_deterministic(est, new.iloc[[1]]), _deterministic(est, first))


def test_category_and_string_columns_are_categorical_by_type_object_by_cells() -> None:
    """The same numeric-looking codes are categorical as ``category`` or ``string``, and
    numbers as ``object`` (a file's cell rule); with ``categorical="none"`` text is
    refused and the type does not count."""
    rng = np.random.default_rng(0)
    codes = rng.choice(["1", "2", "10"], size=60)
    y = rng.normal(size=60)
    base = pd.DataFrame({"x": rng.normal(size=60)})
    reg = dict(epochs=2, n_samples=20)
    for dtype in ["category", "string", "str"]:
        X = base.assign(code=pd.Series(codes).astype(dtype))
        est = MCDropoutRegressor(**reg).fit(X, y)
        # Sorted as text, as the command line sorts categories.
        assert est.categories_ == {"code": ["1", "10", "2"]}, dtype
        assert est.model_.feature_names == ["x", "code=1", "code=10", "code=2"]
        assert est.predict(X).shape == (60,)
    X = base.assign(code=pd.Series(codes, dtype=object))
    est = MCDropoutRegressor(missing="impute", **reg).fit(X, y)
    assert est.categories_ == {}
    assert est.model_.feature_names == ["x", "code"]
    # Named, an object column of codes is categorical too.
    est = MCDropoutClassifier(categorical=["code"], **reg).fit(X, y > 0)
    assert est.categories_ == {"code": ["1", "10", "2"]}
    # "none": codes typed as category are read by their cells (numbers), text is refused.
    X = base.assign(code=pd.Categorical(codes))
    est = MCDropoutRegressor(categorical="none", **reg).fit(X, y)
    assert est.categories_ == {} and est.model_.feature_names == ["x", "code"]
    with pytest.raises(ValueError, match=r"column word"):
        MCDropoutRegressor(categorical="none", **reg).fit(
            base.assign(word=pd.Categorical(rng.choice(["a", "b"], size=60))), y
        )


def test_missing_drop_and_errors_in_the_other_estimators() -> None:
    """``missing="drop"`` fits on the complete rows (the same model as on them by hand);
    the default names the row and column of a missing cell; a raw-fitted model refuses an
    array; a GP on a frame of numbers with ``missing="drop"`` stores no encoding, as the
    command line stores none for it."""
    d = _grunfeld()
    X, y = _split(d, KINDS["ensemble"])
    est = DeepEnsembleRegressor(members=2, epochs=5, missing="drop").fit(X, y)
    full = X.dropna()
    by_hand = DeepEnsembleRegressor(members=2, epochs=5).fit(full, y[full.index])
    assert np.array_equal(est.predict_deterministic(full), by_hand.predict_deterministic(full))
    with pytest.raises(ValueError, match=r"X:5: column value \(index 0\)"):
        ConcreteDropoutRegressor(epochs=2).fit(X, y)
    with pytest.raises(ValueError, match=r"pass a DataFrame with the columns value, capital"):
        est.predict(full.to_numpy())
    numbers = X[["value", "capital", "year"]]
    gp = ExactGPRegressor(restarts=0, max_iter=5, missing="drop").fit(numbers, y)
    assert gp.model_.encoding_json is None
    kept = numbers.dropna()
    assert gp.n_features_in_ == 3 and gp.predict(kept).shape == (len(kept),)
