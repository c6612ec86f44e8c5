"""The README's "More than one machine" examples run as written (on the test cluster,
reached through RAY_ADDRESS as `ray.init()` reads it) and print what the README shows."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys

from conftest import REPO, suite


def _block_after(text: str, marker: str) -> str:
    start = text.index(marker)
    m = re.search(r"```[a-z]*\n(.*?)```", text[start:], re.S)
    assert m, f"no code block after {marker}"
    return m.group(1)


def _run(code: str, cwd: str, address: str, **extra: str) -> str:
    env = dict(os.environ, RAY_ADDRESS=address, **extra)
    out = subprocess.run(
        [sys.executable, "-c", code], cwd=cwd, env=env, capture_output=True, text=True
    )
    assert out.returncode == 0, out.stderr[-3000:]
    return out.stdout


def test_readme_scoring_example(cluster, tmp_path):  # type: ignore[no-untyped-def]
    readme = (REPO / "README.md").read_text()
    code = _block_after(readme, "<!-- ray-scoring -->")
    shown = _block_after(readme, "<!-- ray-scoring-output -->")
    out = _run(code, str(tmp_path), cluster.address)
    # Ray may print its own log lines (e.g. "(raylet) WARNING ...") to the driver's stdout:
    # the example's output is the table from its header line on.
    lines = out.splitlines()
    header = next(i for i, line in enumerate(lines) if line.split()[:2] == ["row_id", "a"])
    out = "\n".join(lines[header : header + len(shown.splitlines())])
    assert out.split()[:6] == shown.split()[:6], out
    got = [float(v) for v in out.split()[6:]]
    want = [float(v) for v in shown.split()[6:]]
    # Seeded and keyed: the same digits (±1 in the 4th decimal for another CPU's SIMD path).
    assert len(got) == len(want) and all(abs(a - b) <= 1.0e-4 + 1e-12 for a, b in zip(got, want))


def test_readme_uci_example(cluster, tmp_path):  # type: ignore[no-untyped-def]
    data = suite.require_shared_data()
    readme = (REPO / "README.md").read_text()
    code = _block_after(readme, "<!-- ray-uci -->")
    out = _run(code, str(tmp_path), cluster.address, MCDROPOUT_DATA=str(data))
    assert "'mean'" in out and "'se'" in out
    results = json.loads((tmp_path / "uci_out" / "results.json").read_text())
    assert results["datasets"][0]["dataset"] == "yacht"
    assert results["datasets"][0]["n_splits"] == 2
    assert (tmp_path / "uci_out" / "summary.json").exists()
    assert (tmp_path / "uci_out" / "results.md").exists()
