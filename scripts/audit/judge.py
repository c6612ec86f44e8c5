"""Running one case and judging it: exit status, non-finite output, and every file of the
scratch folder compared before and after (content, kind, permissions, inode)."""

from __future__ import annotations

import ast
import hashlib
import math
import os
import re
import resource
import shutil
import stat
import struct
import subprocess
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from case import Case

NON_FINITE = re.compile(rb"(?<![A-Za-z])(nan|[+-]?inf(inity)?)(?![A-Za-z])", re.IGNORECASE)
TEMP = re.compile(r"^\..*\.mcdropout-\d+-.*\.tmp$")


def snapshot(d: Path) -> dict[str, tuple]:
    """Every entry under `d`, without following links: kind, mode and content hash."""
    out: dict[str, tuple] = {}
    for root, dirs, files in os.walk(d):
        for name in dirs + files:
            p = Path(root) / name
            rel = str(p.relative_to(d))
            st = os.lstat(p)
            if stat.S_ISLNK(st.st_mode):
                out[rel] = ("link", os.readlink(p))
            elif stat.S_ISDIR(st.st_mode):
                out[rel] = ("dir", stat.S_IMODE(st.st_mode))
            else:
                h = hashlib.sha256(p.read_bytes()).hexdigest()
                out[rel] = ("file", stat.S_IMODE(st.st_mode), h, st.st_ino)
    return out


def npy_non_finite(path: Path) -> bool:
    raw = path.read_bytes()
    if not raw.startswith(b"\x93NUMPY"):
        return False
    hlen = struct.unpack("<H", raw[8:10])[0] if raw[6] == 1 else struct.unpack("<I", raw[8:12])[0]
    start = 10 + hlen if raw[6] == 1 else 12 + hlen
    header = ast.literal_eval(raw[start - hlen : start].decode("latin-1"))
    fmt = {"<f8": "d", "<f4": "f"}.get(header["descr"])
    if fmt is None:
        return False
    n = (len(raw) - start) // struct.calcsize(fmt)
    return any(
        not math.isfinite(x)
        for x in struct.unpack(f"<{n}{fmt}", raw[start : start + n * struct.calcsize(fmt)])
    )


def outputs_non_finite(d: Path, rels: list[str]) -> list[str]:
    bad = []
    for rel in rels:
        p = d / rel
        files = [p] if p.is_file() else list(p.rglob("*")) if p.is_dir() else []
        for f in files:
            if not f.is_file() or f.suffix in (".model", ".png"):
                continue
            if f.suffix == ".npy":
                if npy_non_finite(f):
                    bad.append(str(f.relative_to(d)))
            elif NON_FINITE.search(f.read_bytes()):
                bad.append(str(f.relative_to(d)))
    return bad


@dataclass
class Result:
    case: Case
    code: int | None
    failures: list[str]
    seconds: float


def limit_resources(kib: int) -> Callable[[], None]:
    def go() -> None:
        resource.setrlimit(resource.RLIMIT_AS, (kib * 1024, kib * 1024))
        resource.setrlimit(resource.RLIMIT_CORE, (0, 0))

    return go


def run_case(
    case: Case, binary: Path, fixtures: Path, scratch: Path, kib: int, timeout: float
) -> Result:
    d = scratch / "case"
    if d.exists():
        for p in d.rglob("*"):
            if p.is_dir() and not p.is_symlink():
                p.chmod(0o755)
        shutil.rmtree(d)
    shutil.copytree(fixtures, d, symlinks=True)
    if case.setup is not None:
        case.setup(d)
    before = snapshot(d)
    env = {k: v for k, v in os.environ.items() if not k.startswith("MCDROPOUT_")}
    env["MCDROPOUT_DATA"] = str(d / "no-shared-data")  # nothing falls back to real data
    env.update(case.env)
    start = time.monotonic()
    failures: list[str] = []
    try:
        proc = subprocess.run(
            [str(binary), *case.argv],
            check=False,
            cwd=d,
            env=env,
            input=b"",
            capture_output=True,
            timeout=timeout,
            preexec_fn=limit_resources(kib),
        )
        code: int | None = proc.returncode
        stdout, stderr = proc.stdout, proc.stderr
    except subprocess.TimeoutExpired as e:
        code, stdout, stderr = None, e.stdout or b"", e.stderr or b""
        failures.append(f"timed out after {timeout:.0f} s")
    seconds = time.monotonic() - start
    if code is not None:
        if code < 0:
            failures.append(f"killed by signal {-code}")
        elif code >= 100:
            failures.append(f"exit {code} (an abort or a panic)")
        elif code != 0 and not stderr.strip():
            failures.append(f"exit {code} with no message")
        elif code != 0:
            # Each entry is a list of alternatives separated by "|".
            missing = [
                m for m in case.mentions if not any(a.encode() in stderr for a in m.split("|"))
            ]
            if missing:
                failures.append(f"the message does not name {', '.join(missing)}")
        elif code == 0:
            if NON_FINITE.search(stdout):
                failures.append("exit 0 with a non-finite number in standard output")
            bad = outputs_non_finite(d, case.outputs)
            if bad:
                failures.append(f"exit 0 with a non-finite number in {', '.join(bad)}")
            if case.expect == "error":
                failures.append("exit 0 on input that is wrong (a wrong answer)")
    if b"panicked" in stderr:
        failures.append("a panic message on standard error")
    after = snapshot(d)
    allowed = set(case.outputs) if code == 0 else set()

    def under_allowed(rel: str) -> bool:
        return any(rel == a or rel.startswith(a.rstrip("/") + "/") for a in allowed)

    for rel, entry in before.items():
        if rel not in after:
            failures.append(f"removed {rel}")
        elif after[rel] != entry and not under_allowed(rel):
            if entry[0] == "dir" and after[rel][0] == "dir":
                continue  # a folder's contents are judged entry by entry
            failures.append(f"changed {rel}")
    for rel in after.keys() - before.keys():
        if TEMP.match(Path(rel).name):
            failures.append(f"left a temporary file {rel}")
        elif not under_allowed(rel):
            failures.append(
                f"left {rel}" + (" after failing (partial output)" if code else " (not an output)")
            )
    for p in d.rglob("*"):
        if p.is_dir() and not p.is_symlink():
            p.chmod(0o755)
    case_stderr = stderr.decode("utf-8", "replace").strip().splitlines()
    if failures and case_stderr:
        failures.append("stderr: " + case_stderr[-1][:200])
    return Result(case, code, failures, seconds)
