#!/usr/bin/env bash
# The hostile-input audit (RELIABILITY.md, "Hostile-input audit"): builds the release
# binary, then runs scripts/audit.py against it — a few hundred bad inputs, one at a
# time under `ulimit -v` and a time limit. Exit 1 when any case gives a wrong answer with
# exit 0, changes an input, leaves a file behind, aborts or times out.
# Arguments go to audit.py (e.g. --only predict, --list, --verbose).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
cargo build --release --quiet --bin mcdropout
exec python3 scripts/audit --bin target/release/mcdropout "$@"
