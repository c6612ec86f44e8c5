"""Names or nothing (issue 22): a DataFrame's columns in another order are an error (as in
scikit-learn), never a silent wrong answer; a model file whose feature names repeat is a
ModelFileError (a ValueError) at load, for every estimator."""

from __future__ import annotations

import json
import struct
import zlib
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from mcdropout import ExactGPRegressor, MCDropoutClassifier, MCDropoutRegressor

FAST = {"epochs": 5, "n_samples": 50}
NAMES = ["f0", "f1", "f2", "f3", "f4"]


def _reseal(path: Path, old: str, new: str) -> None:
    """Renames the first feature `old` to `new` in the file's metadata and recomputes the
    checksum as src/model/checksum.rs does (CRC-32 with the digits set to 00000000)."""
    data = bytearray(path.read_bytes())
    (n,) = struct.unpack("<Q", bytes(data[:8]))
    header = json.loads(bytes(data[8 : 8 + n]))
    meta = json.loads(header["__metadata__"]["mcdropout"])
    names = meta["feature_names"]
    names[names.index(old)] = new
    meta["mcdropout_crc32"] = "00000000"
    header["__metadata__"]["mcdropout"] = json.dumps(meta, separators=(",", ":"))
    text = json.dumps(header, separators=(",", ":")).encode()
    text += b" " * (-len(text) % 8)
    body = bytearray(struct.pack("<Q", len(text)) + text + bytes(data[8 + n :]))
    key = b'mcdropout_crc32\\":\\"'
    at = body.index(key) + len(key)
    body[at : at + 8] = f"{zlib.crc32(bytes(body)):08x}".encode()
    path.write_bytes(bytes(body))


@pytest.mark.parametrize("kind", ["regressor", "classifier", "gp"])
def test_reordered_dataframe_columns_are_an_error(kind, friedman, blobs):  # type: ignore[no-untyped-def]
    x, y = friedman if kind != "classifier" else blobs
    cols = [f"f{i}" for i in range(x.shape[1])]
    df = pd.DataFrame(x, columns=cols)
    est = {
        "regressor": lambda: MCDropoutRegressor(**FAST),
        "classifier": lambda: MCDropoutClassifier(**FAST),
        "gp": lambda: ExactGPRegressor(restarts=0, max_iter=5),
    }[kind]().fit(df, y)
    # Same names, another order: scikit-learn's rule is an error, not a reorder.
    with pytest.raises(ValueError, match=r"feature names"):
        est.predict(df[cols[::-1]])
    # The same names in the same order give the array's answer.
    assert np.array_equal(est.predict(df), est.predict(x))


@pytest.mark.parametrize("kind", ["regressor", "classifier", "gp"])
def test_a_model_file_with_a_duplicated_feature_name_is_refused(kind, friedman, blobs, tmp_path):  # type: ignore[no-untyped-def]
    x, y = friedman if kind != "classifier" else blobs
    cls = {
        "regressor": MCDropoutRegressor,
        "classifier": MCDropoutClassifier,
        "gp": ExactGPRegressor,
    }[kind]
    params = {"restarts": 0, "max_iter": 5} if kind == "gp" else FAST
    cols = [f"f{i}" for i in range(x.shape[1])]
    est = cls(**params).fit(pd.DataFrame(x, columns=cols), y)
    path = tmp_path / "m.st"
    est.save(path)
    cls.load(path)  # loads as written
    _reseal(path, "f1", "f0")
    with pytest.raises(ValueError, match=r'"f0" is given to feature 0 and to feature 1'):
        cls.load(path)
