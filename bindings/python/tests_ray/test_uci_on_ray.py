"""Gal's UCI protocol as Ray tasks on the two-node cluster: the reduced protocol (yacht,
2 splits, ×1 epochs, T = 200, a 2-value grid) gives the same results files as
`mcdropout uci` with the same settings, bit for bit apart from wall times and the worker
count — while one worker process is killed in the middle of a task, which Ray retries."""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import threading
import time
from pathlib import Path
from typing import Any

from conftest import suite

import mcdropout.ray as mray

SETTINGS = mray.UciSettings(
    epochs_multiplier=1.0,
    samples=200,
    max_splits=2,
    dropout_rates=[0.005, 0.01],
    tau_values=[0.25],
    seed=7,
)
TIMING = {"wall_seconds", "seconds", "total_wall_seconds", "jobs"}


def _without_timing(v: Any) -> Any:
    """A results.json / summary.json value with wall times and the worker count removed
    (they differ between any two runs); every number left must be identical."""
    if isinstance(v, dict):
        return {k: _without_timing(x) for k, x in v.items() if k not in TIMING}
    if isinstance(v, list):
        return [_without_timing(x) for x in v]
    return v


def _table_without_timing(text: str) -> str:
    text = re.sub(r"\| [0-9.]+ s \|", "| T s |", text)
    return re.sub(r"total wall time [0-9.]+ s on \d+ threads", "total wall time", text)


def _cli_run(cli: Path, root: Path, out: Path) -> None:
    out.mkdir()
    cmd = [
        str(cli), "uci", "--root", str(root), "--dataset", "yacht", "--max-splits", "2",
        "--epochs-multiplier", "1", "--samples", "200", "--grid-dropout", "0.005,0.01",
        "--grid-tau", "0.25", "--seed", "7", "--jobs", "1", "--out", str(out),
    ]  # fmt: skip
    subprocess.run(cmd, check=True, capture_output=True)


def _assert_same_files(a: Path, b: Path) -> None:
    for name in ("results.json", "summary.json"):
        ja = json.loads((a / name).read_text())
        jb = json.loads((b / name).read_text())
        assert _without_timing(ja) == _without_timing(jb), name
    ma = _table_without_timing((a / "results.md").read_text())
    mb = _table_without_timing((b / "results.md").read_text())
    assert ma == mb


def test_uci_on_ray_equals_the_cli_with_a_worker_killed(cluster, cli, tmp_path):  # type: ignore[no-untyped-def]
    import ray

    root = suite.require_shared_data() / "UCI_Datasets"
    _cli_run(cli, root, tmp_path / "cli")

    # Idle workers on both nodes, no more than the cluster's CPUs (Ray ends surplus idle
    # workers after a second or so), then freeze them: the protocol's first tasks, as
    # many as there are CPUs, are leased to them and wait there, so killing them kills
    # workers that hold tasks.
    @ray.remote(num_cpus=1, scheduling_strategy="SPREAD")
    def warm() -> int:
        return os.getpid()

    ray.get([warm.remote() for _ in range(4)])
    cpus = int(ray.cluster_resources()["CPU"])
    deadline = time.monotonic() + 60
    idle = cluster.workers("ray::IDLE")
    while not (2 <= len(idle) <= cpus) and time.monotonic() < deadline:
        time.sleep(0.2)
        idle = cluster.workers("ray::IDLE")
    assert 2 <= len(idle) <= cpus, f"expected 2..{cpus} idle workers, found {idle}"
    for pid in idle:
        os.kill(pid, signal.SIGSTOP)
    out = tmp_path / "ray"
    out.mkdir()
    box: dict[str, Any] = {}

    def drive() -> None:
        try:
            box["run"] = mray.run_uci(root, ["yacht"], SETTINGS, out=out)
        except BaseException as e:  # noqa: BLE001 - reported by the assertion below
            box["error"] = e

    driver = threading.Thread(target=drive)
    driver.start()
    time.sleep(3.0)  # the first grid-point tasks are pushed to the frozen workers
    # Kill every frozen worker: which of them got a task depends on Ray's scheduler (with
    # three idle workers and two tasks in flight, one holds none), but one of them did.
    for pid in idle:
        os.kill(pid, signal.SIGKILL)
    driver.join(timeout=240)
    assert not driver.is_alive(), "the run did not finish within 240 s"
    assert "error" not in box, f"the run failed: {box.get('error')!r}"
    run = box["run"]
    assert not set(idle) & set(cluster.pids()), "a killed worker is still alive"
    assert run.retried_tasks >= 1, f"no task was retried: the killed workers {idle} held none"
    _assert_same_files(tmp_path / "cli", out)
    # The returned results are results.json's.
    on_disk = json.loads((out / "results.json").read_text())["datasets"]
    assert _without_timing(run.datasets) == _without_timing(on_disk)
    assert run.datasets[0]["n_splits"] == 2
    assert len(run.datasets[0]["splits"][0]["grid"]) == 2


def test_uci_on_ray_does_not_depend_on_task_order(cluster, tmp_path):  # type: ignore[no-untyped-def]
    """The same splits submitted in the other order (so run by other workers at other
    times) give the same numbers per split."""
    root = suite.require_shared_data() / "UCI_Datasets"
    first = mray.run_uci(root, ["yacht"], SETTINGS)
    reordered = mray.UciSettings(**{**SETTINGS.__dict__, "max_splits": None, "splits": [1, 0]})
    second = mray.run_uci(root, ["yacht"], reordered)
    by_split = {s["split"]: s for s in second.datasets[0]["splits"]}
    assert [s["split"] for s in first.datasets[0]["splits"]] == [0, 1]
    assert _without_timing(first.datasets[0]["splits"]) == _without_timing(
        [by_split[0], by_split[1]]
    )
