"""Batch scoring of a Ray Dataset on the two-node cluster: a Parquet file of 12 000 rows
read in several blocks, scored by two workers (spread over the two nodes) through
`Dataset.map_batches(Scorer, ...)`, written back to Parquet, equals `mcdropout predict
--key-column` on the same rows (in another order, from a CSV file) bit for bit."""

from __future__ import annotations

import subprocess
from io import StringIO
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from mcdropout import ExactGPRegressor, MCDropoutClassifier, MCDropoutRegressor
from mcdropout.ray import Scorer, output_columns
from mcdropout.ray._scoring import REGRESSION_COLUMNS

N_ROWS = 12_000
T = 100
SEED = 5


def _cli_predict(cli: Path, model: Path, data: Path, mc: bool = True) -> pd.DataFrame:
    cmd = [str(cli), "predict", "--model", str(model), "--data", str(data)]
    # A GP has no Monte-Carlo passes, so no masks to key by row: `--samples` and
    # `--key-column` are refused for it (its features are matched by name, so the key
    # column is left out either way).
    if mc:
        cmd += ["--key-column", "row_id", "--seed", str(SEED), "--samples", str(T)]
    out = subprocess.run(cmd, check=True, capture_output=True, text=True).stdout
    # The CLI prints every float shortest-round-trip; float() parses it back exactly.
    return pd.read_csv(StringIO(out), dtype=str).map(float)


def _tables(tmp: Path, x: np.ndarray) -> tuple[Path, Path, np.ndarray]:
    """The rows as CSV (file order) and as Parquet (shuffled, several row groups and
    files); keys are sparse, unordered ids."""
    rng = np.random.default_rng(1)
    keys = rng.choice(10**9, size=x.shape[0], replace=False).astype(np.int64)
    cols = {"row_id": keys} | {f"x{i}": x[:, i] for i in range(x.shape[1])}
    frame = pd.DataFrame(cols)
    csv = tmp / "rows.csv"
    frame.to_csv(csv, index=False, float_format="%.17g")
    shuffled = frame.iloc[rng.permutation(len(frame))]
    pq_dir = tmp / "rows_parquet"
    pq_dir.mkdir()
    for i, part in enumerate(np.array_split(np.arange(len(shuffled)), 3)):
        table = pa.Table.from_pandas(shuffled.iloc[part], preserve_index=False)
        pq.write_table(table, pq_dir / f"part-{i}.parquet", row_group_size=1_000)
    return csv, pq_dir, keys


def _score_on_ray(pq_dir: Path, model: Path, out: Path) -> tuple[pd.DataFrame, int]:
    import ray

    # Three files of 1 000-row groups, cut into six blocks.
    ds = ray.data.read_parquet(str(pq_dir)).repartition(6).materialize()
    blocks = ds.num_blocks()
    scored = ds.map_batches(
        Scorer,
        fn_constructor_kwargs={
            "model": str(model),
            "key_column": "row_id",
            "samples": T,
            "seed": SEED,
        },
        batch_format="pandas",
        batch_size=700,
        compute=ray.data.ActorPoolStrategy(size=2),
        num_cpus=1,
        scheduling_strategy="SPREAD",  # one worker per node
    )
    scored.write_parquet(str(out))
    return pd.read_parquet(out), blocks


def _fit(kind: str, x: np.ndarray) -> object:
    names = [f"x{i}" for i in range(x.shape[1])]
    frame = pd.DataFrame(x[:300], columns=names)
    y = np.sin(x[:300, 0] * 3) + x[:300, 1] ** 2
    if kind == "regressor":
        return MCDropoutRegressor(hidden_layer_sizes=(50,), epochs=30, random_state=3).fit(frame, y)
    if kind == "classifier":
        labels = (y > np.median(y)).astype(int) + (x[:300, 2] > 0.5).astype(int)
        return MCDropoutClassifier(hidden_layer_sizes=(32,), epochs=30, random_state=3).fit(
            frame, labels
        )
    return ExactGPRegressor(random_state=3).fit(frame, y)


@pytest.mark.parametrize(
    ("kind", "rows"), [("regressor", N_ROWS), ("classifier", 3_000), ("gp", 3_000)]
)
def test_ray_scoring_equals_cli_bit_for_bit(cluster, cli, tmp_path, kind, rows):  # type: ignore[no-untyped-def]
    x = np.random.default_rng(0).uniform(size=(rows, 5))
    est = _fit(kind, x)
    model = tmp_path / "model.json"
    est.save(model)
    csv, pq_dir, keys = _tables(tmp_path, x)
    expected = _cli_predict(cli, model, csv, mc=kind != "gp")
    expected.insert(0, "row_id", keys)
    got, blocks = _score_on_ray(pq_dir, model, tmp_path / "scored")
    assert blocks >= 4, f"the Dataset was read in {blocks} blocks"
    assert len(got) == rows
    got = got.sort_values("row_id").reset_index(drop=True)
    expected = expected.sort_values("row_id").reset_index(drop=True)
    assert np.array_equal(got["row_id"].to_numpy(), expected["row_id"].to_numpy())
    columns = output_columns(est)
    assert list(expected.columns[1:]) == columns
    for c in columns:
        assert np.array_equal(got[c].to_numpy(np.float64), expected[c].to_numpy()), c
    # The input columns come back untouched.
    assert np.array_equal(
        got["x0"].to_numpy(), pd.read_csv(csv).sort_values("row_id")["x0"].to_numpy()
    )


def _raw_table(path: Path) -> pd.DataFrame:
    """400 rows with a text column holding a null, a numeric column holding a NaN, a
    dictionary (pandas ``category``) column of codes and a key column; written to Parquet
    by pyarrow in row groups of 100."""
    rng = np.random.default_rng(2)
    n = 400
    colour = rng.choice(["red", "green", "blue"], size=n).astype(object)
    colour[[7, 91]] = None
    size = rng.uniform(1.0, 5.0, size=n)
    size[[3, 250]] = np.nan
    grade = pd.Categorical(rng.choice(["1", "2", "3"], size=n))
    y = np.nan_to_num(size, nan=3.0) + (colour == "red") * 2.0 + rng.normal(0.0, 0.3, size=n)
    frame = pd.DataFrame(
        {
            "row_id": rng.choice(10**9, size=n, replace=False).astype(np.int64),
            "size": size,
            "colour": pd.array(colour, dtype="string"),
            "grade": grade,
            "y": y,
        }
    )
    table = pa.Table.from_pandas(frame, preserve_index=False)
    assert pa.types.is_dictionary(table.schema.field("grade").type)
    assert table.column("colour").null_count == 2
    pq.write_table(table, path, row_group_size=100)
    return frame


@pytest.mark.parametrize("fitter", ["cli", "python"])
def test_ray_scores_a_raw_parquet_table_as_the_cli(cluster, cli, tmp_path, fitter):  # type: ignore[no-untyped-def]
    """Text, null and dictionary columns: the model's stored encoding is applied to Ray's
    pandas batches as `mcdropout predict` applies it to the Parquet file, bit for bit —
    for a model trained by `mcdropout train --data f.parquet` and one fitted in Python on
    the frame pandas reads from the same file."""
    data = tmp_path / "f.parquet"
    _raw_table(data)
    model = tmp_path / "m.model"
    if fitter == "cli":
        subprocess.run(
            [
                str(cli), "train", "--data", str(data), "--target", "y", "--features",
                "size,colour,grade", "--missing", "impute", "--tau", "4", "--epochs", "20",
                "--seed", "3", "--out", str(model),
            ],
            check=True,
            capture_output=True,
        )  # fmt: skip
    else:
        frame = pd.read_parquet(data)
        est = MCDropoutRegressor(tau=4.0, epochs=20, random_state=3, missing="impute")
        est.fit(frame[["size", "colour", "grade"]], frame["y"])
        assert est.categories_ == {"colour": ["blue", "green", "red"], "grade": ["1", "2", "3"]}
        est.save(model)
    expected = _cli_predict(cli, model, data)
    keys = pd.read_parquet(data)["row_id"].to_numpy()
    expected.insert(0, "row_id", keys)

    got, blocks = _score_on_ray(data, model, tmp_path / "scored")
    assert blocks >= 4, f"the Dataset was read in {blocks} blocks"
    got = got.sort_values("row_id").reset_index(drop=True)
    expected = expected.sort_values("row_id").reset_index(drop=True)
    assert len(got) == 400
    assert np.array_equal(got["row_id"].to_numpy(), expected["row_id"].to_numpy())
    for c in REGRESSION_COLUMNS:
        assert np.array_equal(got[c].to_numpy(np.float64), expected[c].to_numpy()), c
    assert np.isfinite(got["mean"]).all()
    # An unseen colour: an error by default, all-zero inputs with unknown_category="ignore".
    odd = pd.read_parquet(data).head(4)
    odd.loc[1, "colour"] = "purple"
    with pytest.raises(ValueError, match=r'column "colour": category "purple"'):
        Scorer(model, "row_id", samples=T, seed=SEED)(odd)
    out = Scorer(model, "row_id", samples=T, seed=SEED, unknown_category="ignore")(odd)
    assert np.isfinite(out["mean"]).all()
