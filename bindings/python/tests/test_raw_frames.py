"""A DataFrame as it is (issue 23): text columns and missing cells go in without
preprocessing, encoded by the engine exactly as the command line encodes the same table
written as CSV — so a model fitted in Python and one trained by `mcdropout train` on the
file have the same encoding and predict bit for bit alike. The table is statsmodels'
bundled Grunfeld investment data (220 firm-years, a text column `firm` with 11 firms, a
positive skewed target `invest`); the test blanks some `value` cells to have missing ones."""

from __future__ import annotations

import json
import subprocess
from io import StringIO

import numpy as np
import pandas as pd
import pytest

import mcdropout
from mcdropout import MCDropoutRegressor

sm = pytest.importorskip("statsmodels.api")


def _grunfeld() -> pd.DataFrame:
    d = sm.datasets.grunfeld.load_pandas().data
    d = d.astype({"firm": object})
    d.loc[d.index % 17 == 3, "value"] = np.nan  # missing cells, made by the test
    return d


def _settings() -> dict[str, object]:
    return dict(tau=4.0, epochs=20, random_state=3, n_samples=200)


def test_text_and_missing_cells_fit_as_on_the_command_line(cli, tmp_path):  # type: ignore[no-untyped-def]
    d = _grunfeld()
    X, y = d.drop(columns="invest"), d["invest"]
    d.to_csv(tmp_path / "g.csv", index=False, float_format="%.17g")
    subprocess.run(
        [
            str(cli), "train", "--data", str(tmp_path / "g.csv"), "--target", "invest",
            "--tau", "4", "--epochs", "20", "--seed", "3", "--missing", "impute",
            "--target-transform", "log", "--out", str(tmp_path / "cli.model"),
        ],
        check=True,
        capture_output=True,
    )  # fmt: skip
    reg = MCDropoutRegressor(missing="impute", target_transform="log", **_settings()).fit(X, y)
    assert list(reg.feature_names_in_) == ["value", "capital", "firm", "year"]
    assert reg.categories_ == {"firm": sorted(set(d["firm"]))}
    cli_reg = mcdropout.load(tmp_path / "cli.model")
    assert json.loads(cli_reg.model_.encoding_json) == json.loads(reg.model_.encoding_json)
    # The imputed mean is the mean of the present cells.
    enc = json.loads(reg.model_.encoding_json)["columns"][0]
    assert enc["mean"] == pytest.approx(float(np.nanmean(d["value"])), rel=1e-15)
    assert enc["indicator"] is True
    # Same weights, and the CLI's predictions on the raw file are Python's on the frame.
    assert np.array_equal(reg.predict_deterministic(X), cli_reg.predict_deterministic(X))
    out = subprocess.run(
        [
            str(cli), "predict", "--model", str(tmp_path / "cli.model"), "--data",
            str(tmp_path / "g.csv"), "--samples", "200", "--seed", "3",
        ],
        check=True,
        capture_output=True,
        text=True,
    ).stdout  # fmt: skip
    got = pd.read_csv(StringIO(out), dtype=str).map(float)
    dist = reg.predict_distribution(X)
    assert np.array_equal(got["mean"].to_numpy(), dist.mean)
    assert np.array_equal(got["upper"].to_numpy(), dist.upper)
    # The saved Python model scores the raw frame after a round trip.
    reg.save(tmp_path / "py.model")
    again = mcdropout.load(tmp_path / "py.model")
    assert np.array_equal(again.predict_deterministic(X), reg.predict_deterministic(X))


def test_unseen_categories_and_missing_cells(tmp_path):  # type: ignore[no-untyped-def]
    d = _grunfeld()
    X, y = d.drop(columns="invest"), d["invest"]
    # The default refuses missing cells, naming row and column.
    with pytest.raises(ValueError, match=r"X:5: column value \(index 0\)"):
        MCDropoutRegressor(**_settings()).fit(X, y)
    # Dropped: fitted on the complete rows only.
    dropped = MCDropoutRegressor(missing="drop", **_settings()).fit(X, y)
    full = X.dropna()
    by_hand = MCDropoutRegressor(**_settings()).fit(full, y[full.index])
    assert np.array_equal(dropped.predict_deterministic(full), by_hand.predict_deterministic(full))
    # An unseen firm: an error naming it, or all-zero inputs.
    reg = MCDropoutRegressor(missing="impute", **_settings()).fit(X, y)
    new = X.iloc[:2].copy()
    new.loc[new.index[1], "firm"] = "Ford"
    with pytest.raises(ValueError, match=r'category "Ford" was not seen in training'):
        reg.predict(new)
    ignore = MCDropoutRegressor(missing="impute", unknown_category="ignore", **_settings())
    ignore.fit(X, y)
    assert np.isfinite(ignore.predict(new)).all()
    # Text refused on request, with the column named.
    with pytest.raises(ValueError, match=r"column firm"):
        MCDropoutRegressor(categorical="none", missing="impute", **_settings()).fit(X, y)
    with pytest.raises(ValueError, match=r"max-categories 5"):
        MCDropoutRegressor(max_categories=5, missing="impute", **_settings()).fit(X, y)
