"""The README's Python quick start runs as written and prints what the README shows."""

from __future__ import annotations

import re
import subprocess
import sys

from conftest import REPO


def _block_after(text: str, marker: str) -> str:
    start = text.index(marker)
    m = re.search(r"```[a-z]*\n(.*?)```", text[start:], re.S)
    assert m, f"no code block after {marker}"
    return m.group(1)


def _numbers(s: str) -> list[float]:
    return [float(v) for v in re.findall(r"[-+]?\d+\.\d+", s)]


def test_python_quick_start(tmp_path) -> None:  # type: ignore[no-untyped-def]
    readme = (REPO / "README.md").read_text()
    code = _block_after(readme, "<!-- python-quickstart -->")
    shown = _block_after(readme, "<!-- python-quickstart-output -->")
    out = subprocess.run(
        [sys.executable, "-c", code], cwd=tmp_path, capture_output=True, text=True, check=True
    ).stdout
    assert len(out.splitlines()) == len(shown.splitlines())
    # The run is seeded; the README prints 3 decimals, so every number must agree to the
    # last printed digit (±1 in it, allowing for a rounding boundary crossed by another
    # CPU's SIMD path).
    got, want = _numbers(out), _numbers(shown)
    assert len(got) == len(want)
    assert all(abs(a - b) <= 1.0e-3 + 1e-9 for a, b in zip(got, want)), (out, shown)
    assert (tmp_path / "interval.png").stat().st_size > 10_000
