"""A real two-node Ray cluster on this machine for the tests: a head and a second node
joined to it, inside a network namespace of the test process's own with only loopback up
(so Ray binds to 127.0.0.1 and no test traffic can leave the machine), stopped at the end
within a bounded time with nothing left running."""

from __future__ import annotations

import ctypes
import os
import secrets
import signal
import socket
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

CLONE_NEWNET = 0x40000000
PORT = 6390
STOP_SECONDS = 30.0


def use_token_auth() -> None:
    """Token authentication with a token of this run's own, for the cluster and the
    driver (environment variables, inherited by every process started afterwards): call
    before importing ray. Explicit, so a ~/.ray/auth_token left by an earlier local
    ``ray.init()`` on the machine changes nothing."""
    os.environ["RAY_AUTH_MODE"] = "token"
    os.environ.setdefault("RAY_AUTH_TOKEN", secrets.token_hex(32))
    os.environ.pop("RAY_AUTH_TOKEN_PATH", None)
    os.environ["RAY_USAGE_STATS_ENABLED"] = "0"


def only_loopback() -> bool:
    """Whether the calling process's network namespace has no interface but ``lo``."""
    return [name for _, name in socket.if_nameindex()] == ["lo"]


def isolate_network() -> None:
    """Moves this process into a new network namespace and brings its loopback up (as
    ``unshare --net`` then ``ip link set lo up``). Needs root (CAP_SYS_ADMIN); processes
    started afterwards inherit the namespace."""
    if only_loopback() and _lo_up():
        return
    libc = ctypes.CDLL(None, use_errno=True)
    if libc.unshare(CLONE_NEWNET) != 0:
        err = ctypes.get_errno()
        raise OSError(err, f"unshare(CLONE_NEWNET) failed: {os.strerror(err)} (run as root)")
    subprocess.run(["ip", "link", "set", "lo", "up"], check=True)
    assert only_loopback() and _lo_up(), "loopback did not come up in the new namespace"


def _lo_up() -> bool:
    try:
        with socket.create_server(("127.0.0.1", 0)):
            return True
    except OSError:
        return False


def _session_of(pid: int) -> int | None:
    """The session id of a live (not zombie) process, or None."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    # Fields after the command name (which may hold spaces) in parentheses: state, ppid,
    # pgrp, session.
    fields = stat.rsplit(")", 1)[1].split()
    return None if fields[0] in ("Z", "X") else int(fields[3])


def _cmdline(pid: int) -> str:
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode()
    except OSError:
        return ""


@dataclass
class Cluster:
    """Two Ray nodes started by ``ray start --block``, each in a session of its own, so
    every process of the cluster is found (and stopped) by those session ids."""

    address: str
    temp_dir: str
    nodes: list[subprocess.Popen[bytes]] = field(default_factory=list)

    @property
    def sessions(self) -> set[int]:
        return {p.pid for p in self.nodes}

    def pids(self) -> list[int]:
        """Every live process of the cluster."""
        out = []
        for entry in os.listdir("/proc"):
            if entry.isdigit() and _session_of(int(entry)) in self.sessions:
                out.append(int(entry))
        return out

    def workers(self, title: str) -> list[int]:
        """Pids of the cluster's worker processes whose title starts with ``title``
        (Ray titles a worker ``ray::<function>`` while it runs a task)."""
        return [p for p in self.pids() if _cmdline(p).startswith(title)]

    def stop(self) -> list[int]:
        """Stops the cluster: SIGTERM to both ``ray start`` processes, then SIGKILL to
        every process of their sessions still alive after STOP_SECONDS. Returns the pids
        still alive after that (none expected)."""
        for p in self.nodes:
            if p.poll() is None:
                p.send_signal(signal.SIGTERM)
        deadline = time.monotonic() + STOP_SECONDS
        while time.monotonic() < deadline and self.pids():
            time.sleep(0.2)
        for pid in self.pids():
            try:
                os.kill(pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
        for p in self.nodes:
            try:
                p.wait(timeout=10)
            except subprocess.TimeoutExpired:
                pass
        deadline = time.monotonic() + 5.0
        while time.monotonic() < deadline and self.pids():
            time.sleep(0.1)
        return self.pids()


def _ray_exe() -> str:
    exe = Path(sys.executable).parent / "ray"
    return str(exe) if exe.exists() else "ray"


def start(num_cpus_per_node: int = 1) -> Cluster:
    """Starts a head node and a second node joined to it, on 127.0.0.1."""
    assert only_loopback(), "start the cluster inside an isolated network namespace"
    temp_dir = tempfile.mkdtemp(prefix="mcdr-ray-")
    env = dict(os.environ, RAY_USAGE_STATS_ENABLED="0")
    common = [
        f"--num-cpus={num_cpus_per_node}",
        "--num-gpus=0",
        "--node-ip-address=127.0.0.1",
        "--object-store-memory=200000000",
        "--disable-usage-stats",
        "--block",
    ]
    cluster = Cluster(address=f"127.0.0.1:{PORT}", temp_dir=temp_dir)
    head = [
        _ray_exe(),
        "start",
        "--head",
        f"--port={PORT}",
        "--include-dashboard=false",
        f"--temp-dir={temp_dir}",
        *common,
    ]
    log = open(Path(temp_dir) / "head.log", "wb")  # noqa: SIM115 - kept for the run
    cluster.nodes.append(
        subprocess.Popen(head, env=env, stdout=log, stderr=log, start_new_session=True)
    )
    _wait_port(PORT, cluster)
    worker = [_ray_exe(), "start", f"--address={cluster.address}", *common]
    log2 = open(Path(temp_dir) / "node2.log", "wb")  # noqa: SIM115
    cluster.nodes.append(
        subprocess.Popen(worker, env=env, stdout=log2, stderr=log2, start_new_session=True)
    )
    return cluster


def _wait_port(port: int, cluster: Cluster, timeout: float = 60.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if any(p.poll() is not None for p in cluster.nodes):
            raise RuntimeError(f"ray start exited early; see {cluster.temp_dir}/head.log")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1):
                return
        except OSError:
            time.sleep(0.2)
    raise TimeoutError(f"the head node did not listen on {port} within {timeout} s")
