#!/usr/bin/env python3
"""Hostile-input audit of the built `mcdropout` binary (issue 22, item 7).

Generates several hundred bad, unusual or hostile inputs — mutated data files, damaged or
wrong model files, absurd flag values, flags that do not apply, output paths aliasing an
input or each other, special and read-only files, environment limits, large requests —
and runs the binary on each, one at a time, in a scratch folder of its own, under an
address-space limit (`ulimit -v`, 4 000 000 KiB by default) and a time limit. A case fails
when the binary

* exits 0 with a non-finite number (NaN, inf) in its standard output or a file it wrote,
* exits 0 on input known to be wrong (a wrong answer),
* changes, replaces or removes any file that existed before it ran (other than an output
  it was asked to write, and only when it succeeded),
* leaves a file after failing (partial output), writes a file nobody asked for, or leaves
  one of its temporary files (`.NAME.mcdropout-PID-XXXXXX.tmp`),
* exits with status 100 or more, is killed by a signal (an abort is 134) or times out,
* fails without a message, or prints a panic message.

Usage: `scripts/audit.sh` (builds the binary first) or
`python3 scripts/audit --bin target/release/mcdropout [--list] [--only TEXT] [--verbose]`.
Only the Python standard library is needed. Real data (digits, CO2) is read from
`$MCDROPOUT_DATA` (default `../shared/data`); without it the cases needing it are left out,
with a printed reason (with `CI` set that is an error).
"""

from __future__ import annotations

import argparse
import gzip
import math
import os
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

from arg_cases import env_cases, flag_cases, model_cases
from case import CLASSIFY, GP, TRAIN, sh
from data_cases import column_cases, data_cases, label_cases
from judge import run_case
from output_cases import output_cases


def make_fixtures(binary: Path, d: Path, shared: Path) -> tuple[dict[str, int], bool]:
    """The valid files every case starts from, made with the binary itself."""

    def run(argv: str) -> None:
        subprocess.run([str(binary), *sh(argv)], cwd=d, check=True, capture_output=True)

    run("dataset diabetes --out d.csv --test-out t.csv --test-fraction 0.2")
    run("dataset linnerud --out l.csv --test-out l_test.csv --test-fraction 0.2")
    run(f"{TRAIN} --data d.csv --out m.model")
    run("train --data l.csv --target Weight,Waist,Pulse --epochs 2 --tau 0.01 --out l.model")
    run(f"{GP} --data t.csv --out g.model")
    rows = ["a,b,label"]
    for i in range(200):
        a, b = math.sin(i * 1.3), math.cos(i * 0.7)
        rows.append(f"{a:.6f},{b:.6f},{int(a + b > 0)}")
    (d / "c.csv").write_text("\n".join(rows) + "\n")
    run(f"{CLASSIFY} --data c.csv --out c.model")
    digits, co2 = shared / "digits" / "digits.csv.gz", shared / "co2" / "co2.csv"
    have = digits.is_file() and co2.is_file()
    if have:
        with gzip.open(digits, "rt") as f:
            (d / "dg.csv").write_text("".join(f.readline() for _ in range(300)))
        # Every 8th week: the GP fits of `co2` take a second instead of a minute.
        weeks = co2.read_text().splitlines()
        (d / "co2.csv").write_text("\n".join([weeks[0], *weeks[1::8]]) + "\n")
    sizes = {m: (d / m).stat().st_size for m in ("m.model", "c.model", "g.model")}
    return sizes, have


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--bin", default="target/release/mcdropout", type=Path)
    ap.add_argument("--only", default="", help="run the cases whose name contains this")
    ap.add_argument("--list", action="store_true", help="list the cases and exit")
    ap.add_argument("--memory-kib", type=int, default=4_000_000, help="ulimit -v for every run")
    ap.add_argument("--timeout", type=float, default=60.0)
    ap.add_argument("--verbose", action="store_true", help="print every case")
    args = ap.parse_args()
    shared = Path(
        os.environ.get("MCDROPOUT_DATA", Path(__file__).resolve().parents[3] / "shared" / "data")
    )
    binary = args.bin.resolve()
    if not binary.is_file():
        print(
            f"audit: {binary} not found (build it with cargo build --release)",
            file=sys.stderr,
        )
        return 2
    with tempfile.TemporaryDirectory(prefix="mcdropout-audit-") as tmp:
        fixtures = Path(tmp) / "fixtures"
        fixtures.mkdir()
        sizes, have_shared = make_fixtures(binary, fixtures, shared)
        if not have_shared and os.environ.get("CI"):
            print(f"audit: {shared} has no digits/co2 data (CI is set)", file=sys.stderr)
            return 2
        if not have_shared:
            print(
                f"audit: {shared} has no digits/co2 data: the digits, active and co2 output cases "
                "are left out",
                file=sys.stderr,
            )
        base = (fixtures / "t.csv").read_text()
        cases = (
            data_cases(base)
            + label_cases()
            + column_cases()
            + model_cases(sizes)
            + flag_cases()
            + output_cases(have_shared)
            + env_cases()
        )
        cases = [c for c in cases if args.only in c.name]
        if args.list:
            for c in cases:
                print(f"{c.group:18} {c.expect:5} {c.name}")
            return 0
        results = []
        t0 = time.monotonic()
        for c in cases:
            r = run_case(c, binary, fixtures, Path(tmp), args.memory_kib, args.timeout)
            results.append(r)
            if r.failures or args.verbose:
                mark = "FAIL" if r.failures else "ok"
                print(f"{mark:4} [{c.group}] {c.name}: exit {r.code}, {r.seconds:.2f} s")
                for f in r.failures:
                    print(f"       {f}")
        wall = time.monotonic() - t0
    failed = [r for r in results if r.failures]
    kinds = Counter(r.code == 0 for r in results if not r.failures)
    print(
        f"\naudit: {len(results)} cases in {wall:.0f} s: {kinds[False]} clean errors, "
        f"{kinds[True]} answers, {len(failed)} failures"
    )
    by_group = Counter(r.case.group for r in failed)
    for g, n in sorted(by_group.items()):
        print(f"  {g}: {n} failing")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
