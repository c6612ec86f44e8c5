"""`mcdropout.ray.Scorer` without a cluster (a plain call on batches, as Ray makes it on a
worker): a row's numbers follow its key, not the batch it lands in; no key column is a
clear error; `import mcdropout` does not import Ray. The cluster tests are in
`bindings/python/tests_ray`."""

from __future__ import annotations

import subprocess
import sys

import numpy as np
import pandas as pd
import pytest

from mcdropout import MCDropoutClassifier, MCDropoutRegressor
from mcdropout.ray import Scorer


@pytest.fixture()
def model_path(friedman, tmp_path):  # type: ignore[no-untyped-def]
    x, y = friedman
    frame = pd.DataFrame(x, columns=[f"f{i}" for i in range(x.shape[1])])
    MCDropoutRegressor(epochs=10, random_state=2).fit(frame, y).save(tmp_path / "m.model")
    return tmp_path / "m.model"


def _frame(friedman) -> pd.DataFrame:  # type: ignore[no-untyped-def]
    x, _ = friedman
    f = pd.DataFrame(x[:90], columns=[f"f{i}" for i in range(x.shape[1])])
    f.insert(0, "id", np.arange(1000, 1090, dtype=np.int64)[::-1])
    return f


def test_numbers_do_not_depend_on_batches(model_path, friedman):  # type: ignore[no-untyped-def]
    frame = _frame(friedman)
    scorer = Scorer(model_path, "id", samples=200, seed=4)
    whole = scorer(frame)
    # Other batches, in another order, as dicts of arrays (Ray's "numpy" format).
    parts = [frame.iloc[60:], frame.iloc[:25], frame.iloc[25:60]]
    pieces = [scorer({c: p[c].to_numpy() for c in p.columns}) for p in parts]
    joined = pd.concat([pd.DataFrame(p) for p in pieces]).sort_values("id", ascending=False)
    for c in scorer.columns:
        assert np.array_equal(joined[c].to_numpy(), whole[c].to_numpy()), c
    # The same as the estimator with these keys.
    est = scorer.estimator
    d = est.predict_distribution(frame.drop(columns="id"), row_keys=frame["id"].to_numpy())
    assert np.array_equal(whole["mean"].to_numpy(), d.mean)
    assert np.array_equal(whole["epistemic_std"].to_numpy(), d.epistemic_std)
    assert list(whole.columns[: frame.shape[1]]) == list(frame.columns)


def test_a_key_column_is_required(model_path, friedman):  # type: ignore[no-untyped-def]
    with pytest.raises(ValueError, match="needs key_column"):
        Scorer(model_path, None)
    scorer = Scorer(model_path, "row", samples=10)
    with pytest.raises(ValueError, match="key column 'row' is not in the batch"):
        scorer(_frame(friedman))
    bad = _frame(friedman).rename(columns={"id": "row"})
    bad.loc[3, "row"] = -5
    with pytest.raises(ValueError, match="row 3 of the batch holds -5"):
        scorer(bad)


def test_column_clash_and_prefix(model_path, friedman):  # type: ignore[no-untyped-def]
    frame = _frame(friedman).assign(mean=1.0)
    with pytest.raises(ValueError, match="already has column"):
        Scorer(model_path, "id", samples=10)(frame)
    out = Scorer(model_path, "id", samples=10, prefix="mc_")(frame)
    assert {"mc_mean", "mc_std", "mc_lower", "mc_upper"} <= set(out.columns)


def test_classifier_columns(blobs, tmp_path):  # type: ignore[no-untyped-def]
    x, y = blobs
    MCDropoutClassifier(epochs=10, random_state=1).fit(x, y).save(tmp_path / "c.model")
    batch = {"k": np.arange(len(x)), "a": x[:, 0], "b": x[:, 1]}
    out = Scorer(tmp_path / "c.model", "k", samples=50)(batch)
    probs = np.column_stack([out["p_0"], out["p_1"], out["p_2"]])
    assert np.allclose(probs.sum(axis=1), 1.0)
    assert set(np.unique(out["class"])) <= {0, 1, 2}
    assert np.all(out["mutual_info"] >= 0)


def test_import_mcdropout_does_not_import_ray() -> None:
    code = "import sys, mcdropout, mcdropout.ray; print('ray' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"
