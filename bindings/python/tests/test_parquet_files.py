"""Parquet files as pandas and pyarrow write them (issue 23, item 4): the command line
trains and scores on them exactly as on the same table as CSV, reads pandas' ``category``
columns and nulls, and writes predictions pyarrow reads back with the printed numbers.

The table is statsmodels' bundled Grunfeld investment data (220 firm-years, a text column
``firm``), with ``value`` cells blanked by the test."""

from __future__ import annotations

import subprocess
from io import StringIO
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

sm = pytest.importorskip("statsmodels.api")
pytest.importorskip("pyarrow")


def _grunfeld() -> pd.DataFrame:
    d = sm.datasets.grunfeld.load_pandas().data
    d.loc[d.index % 17 == 3, "value"] = np.nan  # missing cells, made by the test
    return d


def _run(cli: Path, *args: str) -> str:
    return subprocess.run([str(cli), *args], check=True, capture_output=True, text=True).stdout


def _train(cli: Path, data: Path, out: Path) -> None:
    _run(
        cli, "train", "--data", str(data), "--target", "invest", "--tau", "4", "--epochs",
        "20", "--seed", "3", "--missing", "impute", "--target-transform", "log", "--out",
        str(out),
    )  # fmt: skip


def _predict(cli: Path, model: Path, data: Path, *extra: str) -> str:
    return _run(
        cli, "predict", "--model", str(model), "--data", str(data), "--samples", "200",
        "--seed", "3", *extra,
    )  # fmt: skip


@pytest.mark.parametrize("firm", ["object", "category"])
def test_a_pandas_parquet_file_is_its_csv(cli, tmp_path, firm):  # type: ignore[no-untyped-def]
    d = _grunfeld().astype({"firm": firm})
    d.to_csv(tmp_path / "g.csv", index=False, float_format="%.17g")
    d.to_parquet(tmp_path / "g.parquet", index=False, row_group_size=64)
    _train(cli, tmp_path / "g.csv", tmp_path / "c.model")
    _train(cli, tmp_path / "g.parquet", tmp_path / "p.model")
    from_csv = _predict(cli, tmp_path / "c.model", tmp_path / "g.csv")
    # Byte for byte: the same encoding, weights and masks from either file.
    assert _predict(cli, tmp_path / "p.model", tmp_path / "g.parquet") == from_csv
    assert _predict(cli, tmp_path / "c.model", tmp_path / "g.parquet") == from_csv
    # Scored in parts into a file: the same bytes again.
    _predict(cli, tmp_path / "p.model", tmp_path / "g.parquet", "--out", str(tmp_path / "o.csv"))
    assert (tmp_path / "o.csv").read_text() == from_csv


def test_predictions_written_as_parquet_read_back_in_pandas(cli, tmp_path):  # type: ignore[no-untyped-def]
    d = _grunfeld()
    d.to_parquet(tmp_path / "g.parquet", index=False)
    _train(cli, tmp_path / "g.parquet", tmp_path / "p.model")
    printed = pd.read_csv(StringIO(_predict(cli, tmp_path / "p.model", tmp_path / "g.parquet")))
    _predict(
        cli, tmp_path / "p.model", tmp_path / "g.parquet", "--out", str(tmp_path / "o.parquet")
    )
    back = pd.read_parquet(tmp_path / "o.parquet")
    assert list(back.columns) == ["mean", "std", "epistemic_std", "aleatoric_std", "lower", "upper"]
    assert all(back[c].dtype == np.float64 for c in back.columns)
    # The CLI prints the shortest decimal that reads back as the same float64, so the
    # Parquet file's values equal the parsed CSV's exactly.
    assert np.array_equal(back.to_numpy(), printed.to_numpy())
    assert len(back) == len(d)


def test_an_unseen_category_in_a_parquet_file_is_named(cli, tmp_path):  # type: ignore[no-untyped-def]
    d = _grunfeld()
    d.to_parquet(tmp_path / "g.parquet", index=False)
    _train(cli, tmp_path / "g.parquet", tmp_path / "p.model")
    new = d.iloc[:3].copy()
    new.loc[new.index[2], "firm"] = "Ford"
    new.to_parquet(tmp_path / "new.parquet", index=False)
    err = subprocess.run(
        [str(cli), "predict", "--model", str(tmp_path / "p.model"), "--data",
         str(tmp_path / "new.parquet"), "--samples", "10", "--out", str(tmp_path / "o.csv")],
        capture_output=True, text=True,
    )  # fmt: skip
    assert err.returncode == 1
    assert "new.parquet:3" in err.stderr and '"Ford"' in err.stderr, err.stderr
    assert not (tmp_path / "o.csv").exists()
    out = _predict(
        cli, tmp_path / "p.model", tmp_path / "new.parquet", "--unknown-category", "ignore"
    )
    assert len(out.splitlines()) == 4


def test_a_bool_column_is_numbers_in_a_frame_as_in_a_parquet_file(cli, tmp_path):  # type: ignore[no-untyped-def]
    import mcdropout
    from mcdropout import MCDropoutRegressor

    d = _grunfeld()
    d["large"] = d["capital"] > d["capital"].median()
    d.to_parquet(tmp_path / "g.parquet", index=False)
    _train(cli, tmp_path / "g.parquet", tmp_path / "p.model")
    X, y = d.drop(columns="invest"), d["invest"]
    reg = MCDropoutRegressor(
        tau=4.0, epochs=20, random_state=3, missing="impute", target_transform="log"
    ).fit(X, y)
    assert "large" not in reg.categories_  # 0/1, not the categories "False"/"True"
    cli_reg = mcdropout.load(tmp_path / "p.model")
    assert list(cli_reg.model_.feature_names) == list(reg.model_.feature_names)
    assert np.array_equal(reg.predict_deterministic(X), cli_reg.predict_deterministic(X))


def test_python_messages_name_the_python_settings() -> None:
    from mcdropout import MCDropoutRegressor

    d = _grunfeld()
    X, y = d.drop(columns="invest"), d["invest"]
    with pytest.raises(ValueError, match=r'missing="drop".*missing="impute"'):
        MCDropoutRegressor(tau=4.0, epochs=2).fit(X, y)
    reg = MCDropoutRegressor(tau=4.0, epochs=2, missing="impute").fit(X, y)
    new = X.iloc[:2].copy()
    new.loc[new.index[1], "firm"] = "Ford"
    with pytest.raises(ValueError, match=r'"Ford".*unknown_category="ignore"'):
        reg.predict(new)
