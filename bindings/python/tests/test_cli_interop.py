"""Model files shared with the command line: a model trained in Python predicts
bit-identically through `mcdropout predict`, and a model trained by `mcdropout train`
predicts bit-identically in Python (same seed, same T). The CLI's CSV prints every float
in its shortest round-trip form, so parsing it back gives the exact float64."""

from __future__ import annotations

import subprocess
from pathlib import Path

import numpy as np
import pandas as pd

import mcdropout
from mcdropout import ExactGPRegressor, MCDropoutClassifier, MCDropoutRegressor


def _write(path: Path, x: np.ndarray, y: np.ndarray | None = None) -> None:
    cols = {f"x{i}": x[:, i] for i in range(x.shape[1])}
    if y is not None:
        cols["y"] = y
    pd.DataFrame(cols).to_csv(path, index=False, float_format="%.17g")


def _predict(cli: Path, model: Path, data: Path, *extra: str) -> pd.DataFrame:
    out = subprocess.run(
        [str(cli), "predict", "--model", str(model), "--data", str(data), *extra],
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    from io import StringIO

    # Python's float() is correctly rounded, so every printed value parses back exactly.
    return pd.read_csv(StringIO(out), dtype=str).map(float)


def test_python_model_predicts_identically_on_the_cli(cli, friedman, tmp_path):  # type: ignore[no-untyped-def]
    x, y = friedman
    reg = MCDropoutRegressor(epochs=50, n_samples=700, random_state=11).fit(x, y)
    reg.save(tmp_path / "py.model")
    _write(tmp_path / "x.csv", x[:40])
    got = _predict(
        cli,
        tmp_path / "py.model",
        tmp_path / "x.csv",
        "--samples",
        "700",
        "--seed",
        "11",
        "--samples-out",
        str(tmp_path / "s.npy"),
        "--draws-out",
        str(tmp_path / "d.npy"),
    )
    d = reg.predict_distribution(x[:40], return_samples=True)
    assert np.array_equal(got["mean"].to_numpy(), d.mean)
    assert np.array_equal(got["std"].to_numpy(), d.std)
    assert np.array_equal(got["epistemic_std"].to_numpy(), d.epistemic_std)
    assert np.array_equal(got["lower"].to_numpy(), d.lower)
    assert np.array_equal(np.load(tmp_path / "s.npy"), d.samples)
    assert np.array_equal(np.load(tmp_path / "d.npy"), d.draws)


def test_cli_model_predicts_identically_in_python(cli, friedman, tmp_path):  # type: ignore[no-untyped-def]
    x, y = friedman
    _write(tmp_path / "train.csv", x, y)
    _write(tmp_path / "x.csv", x[:30])
    subprocess.run(
        [
            str(cli),
            "train",
            "--data",
            str(tmp_path / "train.csv"),
            "--target",
            "y",
            "--tau",
            "2",
            "--dropout",
            "0.1",
            "--epochs",
            "30",
            "--seed",
            "5",
            "--out",
            str(tmp_path / "cli.model"),
        ],
        check=True,
        capture_output=True,
    )
    got = _predict(
        cli, tmp_path / "cli.model", tmp_path / "x.csv", "--samples", "500", "--seed", "0"
    )
    reg = mcdropout.load(tmp_path / "cli.model")
    assert isinstance(reg, MCDropoutRegressor)
    assert reg.tau_ == 2.0
    reg.set_params(n_samples=500)
    d = reg.predict_distribution(pd.DataFrame(x[:30], columns=[f"x{i}" for i in range(5)]))
    assert np.array_equal(got["mean"].to_numpy(), d.mean)
    assert np.array_equal(got["upper"].to_numpy(), d.upper)
    # And trained here with the same settings and seed, the weights are the same too.
    same = MCDropoutRegressor(tau=2.0, dropout=0.1, epochs=30, random_state=5, n_samples=500)
    same.fit(pd.DataFrame(x, columns=[f"x{i}" for i in range(5)]), y)
    assert np.array_equal(same.predict_deterministic(x[:30]), reg.predict_deterministic(x[:30]))


def test_classifier_and_gp_files_cross_over(cli, blobs, friedman, tmp_path):  # type: ignore[no-untyped-def]
    xb, yb = blobs
    clf = MCDropoutClassifier(epochs=30, n_samples=300).fit(xb, yb + 10)
    clf.save(tmp_path / "c.model")
    _write(tmp_path / "xb.csv", xb[:25])
    got = _predict(
        cli,
        tmp_path / "c.model",
        tmp_path / "xb.csv",
        "--samples",
        "300",
        "--samples-out",
        str(tmp_path / "p.npy"),
    )
    u = clf.predict_uncertainty(xb[:25], return_samples=True)
    probs = got[[f"p_{c}" for c in (10, 11, 12)]].to_numpy()
    assert np.array_equal(probs, u.probs)
    assert np.array_equal(got["class"].to_numpy(), u.predicted)
    assert np.array_equal(got["mutual_info"].to_numpy(), u.mutual_information)
    assert np.array_equal(np.load(tmp_path / "p.npy"), u.prob_samples)
    back = mcdropout.load(tmp_path / "c.model")
    assert list(back.classes_) == [10, 11, 12]
    back.set_params(n_samples=300)
    assert np.array_equal(back.predict_proba(xb[:25]), clf.predict_proba(xb[:25]))

    x, y = friedman
    gp = ExactGPRegressor(restarts=0, max_iter=20).fit(x[:80], y[:80])
    gp.save(tmp_path / "g.model")
    _write(tmp_path / "x.csv", x[80:100])
    got = _predict(cli, tmp_path / "g.model", tmp_path / "x.csv")
    d = gp.predict_distribution(x[80:100])
    assert np.array_equal(got["mean"].to_numpy(), d.mean)
    assert np.array_equal(got["std"].to_numpy(), d.std)


def test_cli_refuses_sample_arrays_it_cannot_give(cli, friedman, tmp_path):  # type: ignore[no-untyped-def]
    x, y = friedman
    ExactGPRegressor(restarts=0, max_iter=5).fit(x[:50], y[:50]).save(tmp_path / "g.model")
    _write(tmp_path / "x.csv", x[:5])
    r = subprocess.run(
        [
            str(cli),
            "predict",
            "--model",
            str(tmp_path / "g.model"),
            "--data",
            str(tmp_path / "x.csv"),
            "--samples-out",
            str(tmp_path / "s.npy"),
        ],
        capture_output=True,
        text=True,
    )
    assert r.returncode != 0
    assert "Gaussian process has no Monte-Carlo passes" in r.stderr
    assert not (tmp_path / "s.npy").exists()
