#!/usr/bin/env bash
# Issue 11, items 1, 3 and 4: the training step against PyTorch's best 1-thread step,
# interleaved A B A B, with the load average beside every figure.
#   ours: examples/stepprof (best block of uninstrumented steps; relu, tanh, sigmoid for
#         13→50→1; the wide 20→512→512→1 net on 1 and 2 threads)
#   PyTorch: bench/pytorch/bench.py --only a (13→50→1, f32, 1 thread, its default and its
#            fused Adam: the best of the two is the ratio's denominator)
#   OLD: optionally the stepprof binary of an earlier commit, run beside ours in each round.
# Usage: bash bench/perf/step_ratio.sh [ROUNDS]; PY: the PyTorch interpreter.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/../.."
ROUNDS="${1:-2}"
PY="${PY:-bench/pytorch/.venv/bin/python}"
cargo build --release --example stepprof >/dev/null 2>&1
for r in $(seq "$ROUNDS"); do
    echo "== round $r  $(date -u +%H:%M:%S)  load: $(cut -d' ' -f1-3 /proc/loadavg)"
    for act in relu tanh sigmoid; do
        ./target/release/examples/stepprof f32 "$act"
        if [ -n "${OLD:-}" ]; then echo -n "   old: "; "$OLD" f32 "$act"; fi
    done
    "$PY" bench/pytorch/bench.py --only a --threads 1 --dtypes f32 --adam default fused --repeats 3 | grep -E "^default|^fused|^adam"
    echo "   load: $(cut -d' ' -f1-3 /proc/loadavg)"
    for t in 1 2; do
        ./target/release/examples/stepprof f32 wide threads=$t
        if [ -n "${OLD:-}" ]; then echo -n "   old: "; "$OLD" f32 wide threads=$t; fi
    done
done
echo "== end $(date -u +%H:%M:%S)  load: $(cut -d' ' -f1-3 /proc/loadavg)"
