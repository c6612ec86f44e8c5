"""The SIMD level from Python: read, set, list; a bad MCDROPOUT_SIMD stops the import with
ValueError naming the variable; and every level gives the same bits (fit + MC prediction).
"""

from __future__ import annotations

import os
import subprocess
import sys

import numpy as np
import pytest

import mcdropout
from mcdropout import MCDropoutRegressor


def test_level_is_one_of_the_available_ones() -> None:
    levels = mcdropout.available_simd_levels()
    assert levels[-1] == "portable"
    assert mcdropout.simd_level() in levels


def test_bad_levels_raise_value_error() -> None:
    before = mcdropout.simd_level()
    with pytest.raises(ValueError, match="not a level"):
        mcdropout.set_simd_level("sse9")
    for level in ("avx512", "avx2"):
        if level not in mcdropout.available_simd_levels():
            with pytest.raises(ValueError, match="this processor lacks"):
                mcdropout.set_simd_level(level)
    assert mcdropout.simd_level() == before


def test_bad_environment_value_stops_the_import() -> None:
    env = dict(os.environ, MCDROPOUT_SIMD="sse9")
    out = subprocess.run(
        [sys.executable, "-c", "import mcdropout"], env=env, capture_output=True, text=True
    )
    assert out.returncode != 0
    assert "ValueError" in out.stderr and 'MCDROPOUT_SIMD="sse9"' in out.stderr


def _fit_predict() -> np.ndarray:
    rng = np.random.default_rng(0)
    X = rng.uniform(-2, 2, size=(300, 4))
    y = np.sin(X[:, 0]) + 0.3 * X[:, 1] + 0.05 * rng.standard_normal(300)
    reg = MCDropoutRegressor(dropout=0.1, tau=100.0, epochs=20, n_samples=200, random_state=3)
    d = reg.fit(X, y).predict_distribution(X[:50])
    return np.concatenate([d.mean, d.std])


@pytest.mark.parametrize("level", ["avx512", "avx2"])
def test_every_level_gives_the_portable_bits(level: str) -> None:
    if level not in mcdropout.available_simd_levels():
        pytest.skip(f"this processor lacks {level}: nothing to compare at that level")
    native = mcdropout.simd_level()
    try:
        mcdropout.set_simd_level(level)
        assert mcdropout.simd_level() == level
        a = _fit_predict()
        mcdropout.set_simd_level("portable")
        b = _fit_predict()
    finally:
        mcdropout.set_simd_level(native)
    assert a.view(np.uint64).tolist() == b.view(np.uint64).tolist()
