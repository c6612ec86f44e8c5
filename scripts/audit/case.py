"""What one audit case is, and the small steps that prepare its scratch folder."""

from __future__ import annotations

import os
import shlex
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

Setup = Callable[[Path], None]


@dataclass
class Case:
    """One run of the binary: its arguments, how its scratch folder is prepared, the files
    it may write when it succeeds, and whether the input is known to be wrong."""

    name: str
    group: str
    argv: list[str]
    setup: Setup | None = None
    outputs: list[str] = field(default_factory=list)
    expect: str = "any"  # "error": the input is wrong, so exit 0 is a wrong answer
    env: dict[str, str] = field(default_factory=dict)
    # Words the error message must hold when the run fails (the flag or file at fault).
    mentions: list[str] = field(default_factory=list)


def sh(command: str) -> list[str]:
    """A command line split as a shell would (no expansion)."""
    return shlex.split(command)


# The valid commands the cases start from (fixtures: d.csv / t.csv diabetes train / test,
# m.model a regressor on d.csv, l.csv / l.model linnerud with three targets, g.model a GP,
# c.csv / c.model a two-class classifier; dg.csv and co2.csv when real data is present).
TRAIN = "train --target progression --epochs 2 --tau 0.001"
PREDICT = "predict --model m.model --samples 5"
EVALUATE = "evaluate --model m.model --target progression --samples 5"
GP = "gp --target progression --max-iter 2 --restarts 0"
SEARCH = "search --target progression --epochs 1 --grid-dropout 0.1 --grid-tau 0.001 --samples 5"
CLASSIFY = "train --task classify --target label --epochs 2 --weight-decay 1e-4"
UCI = "uci --data d.csv --target progression --random-splits 1 --target-steps 20 --samples 5"
BANDIT = "bandit --horizon 40 --seeds 1"


def write(name: str, data: bytes | str) -> Setup:
    """Writes `data` to `name`."""

    def go(d: Path) -> None:
        (d / name).write_bytes(data.encode() if isinstance(data, str) else data)

    return go


def steps(*fs: Setup) -> Setup:
    """Several setup steps in order."""

    def go(d: Path) -> None:
        for f in fs:
            f(d)

    return go


def link(name: str, to: str) -> Setup:
    """A symbolic link `name` → `to`."""
    return lambda d: (d / name).symlink_to(to)


def hard_link(name: str, to: str) -> Setup:
    """A hard link `name` to the file `to`."""
    return lambda d: os.link(d / to, d / name)


def read_only(name: str) -> Setup:
    """A read-only file `name` holding a line of text."""

    def go(d: Path) -> None:
        (d / name).write_text("keep me\n")
        (d / name).chmod(0o444)

    return go


def folder(name: str) -> Setup:
    """An empty folder `name`."""
    return lambda d: (d / name).mkdir()


def copy(src: str, dst: str) -> Setup:
    """A writable copy of `src` named `dst`."""
    return lambda d: (d / dst).write_bytes((d / src).read_bytes())


def replace_with(name: str, make: Setup) -> Setup:
    """Removes `name`, then runs `make` (which may create something else under it)."""

    def go(d: Path) -> None:
        (d / name).unlink()
        make(d)

    return go
