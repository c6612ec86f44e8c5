"""The Ray tests' cluster: this pytest process moves into a network namespace of its own
with only loopback up before anything of Ray starts, then starts a real two-node cluster
(head + a second node joined to it, two logical CPUs each — room for two one-CPU
workers plus Ray Data's read and write tasks — both on 127.0.0.1) once for the whole
session and stops it at the end (bounded in time; the test fails if anything is left).

These tests are a group of their own (`bindings/python/tests_ray`, run by the test command
in a pytest process of their own) because of that namespace: the other tests keep the
machine's network."""

from __future__ import annotations

import importlib.util
import shutil
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import cluster as ray_cluster  # noqa: E402

# Before anything imports ray: this run's own auth token, no usage reporting.
ray_cluster.use_token_auth()

# The main suite's helpers (the shared-data rule), loaded under a name of their own.
_spec = importlib.util.spec_from_file_location(
    "mcdropout_suite", HERE.parent / "tests" / "conftest.py"
)
assert _spec is not None and _spec.loader is not None
suite = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(suite)
REPO: Path = suite.REPO


@pytest.fixture(scope="session")
def cli() -> Path:
    """The `mcdropout` binary of this checkout (built by the test command)."""
    exe = REPO / "target" / "release" / "mcdropout"
    assert exe.exists(), "build the binary first: cargo build --release"
    return exe


@pytest.fixture(scope="session")
def cluster() -> Iterator[ray_cluster.Cluster]:
    """A connected two-node Ray cluster on 127.0.0.1 in this process's own network
    namespace."""
    import ray

    ray_cluster.isolate_network()
    c = ray_cluster.start(num_cpus_per_node=2)
    try:
        ray.init(address=c.address, log_to_driver=False)
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            alive = [n for n in ray.nodes() if n["Alive"]]
            if len(alive) == 2:
                break
            time.sleep(0.25)
        alive = [n for n in ray.nodes() if n["Alive"]]
        assert len(alive) == 2, f"expected two nodes, got {len(alive)}"
        assert {n["NodeManagerAddress"] for n in alive} == {"127.0.0.1"}
        yield c
    finally:
        ray.shutdown()
        t0 = time.monotonic()
        left = c.stop()
        took = time.monotonic() - t0
        assert not left, f"Ray processes left running after stop: {left}"
        assert took < ray_cluster.STOP_SECONDS + 15, f"stopping took {took:.1f} s"
        shutil.rmtree(c.temp_dir, ignore_errors=True)  # its logs, kept only on failure
