"""Shared fixtures: small seeded data sets, the command-line binary, the shared data."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import numpy as np
import pytest

REPO = Path(__file__).resolve().parents[3]


@pytest.fixture(scope="session")
def cli() -> Path:
    """The `mcdropout` binary of this checkout (built by the test command; built here if
    missing)."""
    exe = REPO / "target" / "release" / "mcdropout"
    if not exe.exists():
        cargo = shutil.which("cargo")
        assert cargo, "cargo is needed to build the mcdropout binary"
        subprocess.run([cargo, "build", "--release", "--bin", "mcdropout"], cwd=REPO, check=True)
    return exe


@pytest.fixture()
def sine() -> tuple[np.ndarray, np.ndarray]:
    """200 points of y = sin(3x) + small noise, x in [-1, 1] (seeded)."""
    rng = np.random.default_rng(0)
    x = np.linspace(-1.0, 1.0, 200).reshape(-1, 1)
    y = np.sin(3.0 * x[:, 0]) + 0.05 * rng.standard_normal(200)
    return x, y


@pytest.fixture()
def friedman() -> tuple[np.ndarray, np.ndarray]:
    """scikit-learn's Friedman #1 regression problem, 300 rows × 5 features (seeded)."""
    from sklearn.datasets import make_friedman1

    x, y = make_friedman1(n_samples=300, n_features=5, noise=0.5, random_state=0)
    return x, y


@pytest.fixture()
def blobs() -> tuple[np.ndarray, np.ndarray]:
    """Three Gaussian blobs in 2-D, 150 rows, labels 0..2 (seeded)."""
    from sklearn.datasets import make_blobs

    x, y = make_blobs(n_samples=150, centers=3, cluster_std=1.0, random_state=0)
    return x, y


def shared_data() -> Path | None:
    """The shared data folder (MCDROPOUT_DATA or ../shared/data), or None."""
    env = os.environ.get("MCDROPOUT_DATA")
    path = Path(env) if env else REPO.parent / "shared" / "data"
    return path if path.is_dir() else None


def require_shared_data() -> Path:
    """The shared data folder; in CI (CI set) its absence fails the test, elsewhere it
    skips with the reason (pytest prints skip reasons with -rs, which the test command
    passes)."""
    path = shared_data()
    if path is None:
        msg = "shared data not found: set MCDROPOUT_DATA or put it at ../shared/data"
        if os.environ.get("CI"):
            pytest.fail(msg)
        pytest.skip(msg)
    return path
