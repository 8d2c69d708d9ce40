#!/usr/bin/env bash
# Short fuzzing smoke run of every cargo-fuzz target in fuzz/ (not part of `cargo test` or
# .ci/run). Usage: scripts/fuzz-smoke.sh [SECONDS_PER_TARGET]   (default 60)
#
# cargo-fuzz needs nightly compiler flags (-Z sanitizer=address). Only the stable toolchain is
# installed here, so RUSTC_BOOTSTRAP=1 lets stable accept them. A crash, panic, timeout or
# out-of-memory stops the run with a non-zero exit; the input is saved under
# fuzz/artifacts/<target>/ (replay: cargo fuzz run <target> <file>).
set -euo pipefail
cd "$(dirname "$0")/.."

seconds="${1:-60}"
command -v cargo-fuzz >/dev/null || cargo install cargo-fuzz --locked
export RUSTC_BOOTSTRAP=1

for target in config_parse transcript_parse; do
    corpus="fuzz/corpus/$target"
    mkdir -p "$corpus"
    cp -n fuzz/seeds/"$target"/* "$corpus"/
    echo "== $target: ${seconds}s"
    # -timeout: one input taking over 2 s is a hang; -rss_limit_mb: a blow-up in memory.
    cargo fuzz run "$target" "$corpus" -- \
        -max_total_time="$seconds" -timeout=2 -rss_limit_mb=2048 -max_len=65536 -print_final_stats=1
done
