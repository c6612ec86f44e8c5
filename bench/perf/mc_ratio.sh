#!/usr/bin/env bash
# Issue 11, item 2: MC inference 9→100→1, 4573 points, T = 10 000 (mean, variance, test
# LL), ours vs PyTorch's best variant, interleaved A B A B, with the load average beside
# every figure. Usage: [TORCH_THREADS="1 2"] bash bench/perf/mc_ratio.sh [ROUNDS] [TORCH_T_MEASURE]
# (TORCH_T_MEASURE: PyTorch measured at this T and scaled linearly to 10 000; default
# 10 000, i.e. measured in full). PY: the PyTorch interpreter (default bench/pytorch/.venv).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/../.."
ROUNDS="${1:-2}"
TM="${2:-10000}"
TT="${TORCH_THREADS:-1 2}"
PY="${PY:-bench/pytorch/.venv/bin/python}"
cargo build --release --example mcprof >/dev/null 2>&1
for r in $(seq "$ROUNDS"); do
    echo "== round $r  $(date -u +%H:%M:%S)  load: $(cut -d' ' -f1-3 /proc/loadavg)"
    ./target/release/examples/mcprof 2
    ./target/release/examples/mcprof 1
    echo "   load: $(cut -d' ' -f1-3 /proc/loadavg)"
    "$PY" bench/pytorch/bench.py --only b --threads $TT --T-measure "$TM" | grep -E "plain|stacked|^variant|threads"
done
echo "== end $(date -u +%H:%M:%S)  load: $(cut -d' ' -f1-3 /proc/loadavg)"
