#!/usr/bin/env bash
# Fuzz every loader briefly (default 10 s per target) from the committed seed corpora.
# Usage: scripts/fuzz-smoke.sh [SECONDS] — or FUZZ_RUNS=1000000 for a fixed number of
# executions per target (the figures in RELIABILITY.md). Needs the nightly toolchain and
# cargo-fuzz (`cargo install cargo-fuzz`). New corpus entries go to a scratch folder, so
# the committed corpora stay small; a crash stops the run with libFuzzer's report and
# leaves the input in fuzz/artifacts/<target>/.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/../fuzz"
secs=${1:-10}
limit=(-max_total_time="$secs")
if [[ -n "${FUZZ_RUNS:-}" ]]; then limit=(-runs="$FUZZ_RUNS"); fi
for target in read_table model_file kernel_expr uci_layout; do
  work=$(mktemp -d)
  echo "== $target"
  cargo +nightly fuzz run -O "$target" "$work" "corpus/$target" -- \
    "${limit[@]}" -max_len=8192 -timeout=10 -close_fd_mask=2 -print_final_stats=1
  rm -rf "$work"
done
