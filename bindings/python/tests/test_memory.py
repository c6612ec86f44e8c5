"""Issue 22, item 3: no abort, whatever the memory.

A Gaussian process too large for the address space left is a ``MemoryError`` in the
Python process (never an abort), whether the default limit (taken from ``RLIMIT_AS``)
refuses it or a limit set beyond that lets it through to an allocation the system refuses.
Each case runs in a subprocess under ``resource.setrlimit``.
"""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

resource = pytest.importorskip("resource")

SCRIPT = """
import resource
import numpy as np
resource.setrlimit(resource.RLIMIT_AS, (4_000_000_000, resource.RLIM_INFINITY))
from mcdropout import ExactGPRegressor
x = np.linspace(0.0, 1.0, 20_000).reshape(-1, 1)
y = np.sin(7.0 * x[:, 0])
try:
    ExactGPRegressor(optimise=False).fit(x, y)
except MemoryError as e:
    print("MemoryError:", e)
"""


def run(limit: str | None) -> subprocess.CompletedProcess[str]:
    """The script, with ``MCDROPOUT_MAX_MEMORY`` set to ``limit`` (unset when ``None``)."""
    env = {k: v for k, v in os.environ.items() if k != "MCDROPOUT_MAX_MEMORY"}
    if limit is not None:
        env["MCDROPOUT_MAX_MEMORY"] = limit
    return subprocess.run(
        [sys.executable, "-c", SCRIPT], env=env, capture_output=True, text=True, timeout=120
    )


@pytest.mark.skipif(sys.platform != "linux", reason="the limit is read from Linux's /proc")
def test_a_gp_beyond_the_address_space_is_a_memory_error() -> None:
    out = run(None)
    assert out.returncode == 0, out.stderr
    assert "MemoryError: refusing a Gaussian process on 20000 training points" in out.stdout
    assert "RLIMIT_AS" in out.stdout
    out = run("64G")
    assert out.returncode == 0, out.stderr
    assert "MemoryError: out of memory" in out.stdout
    assert "set by MCDROPOUT_MAX_MEMORY" in out.stdout
