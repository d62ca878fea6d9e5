#!/usr/bin/env bash
# Builds every fuzz target with libFuzzer (nightly Rust, the instrumentation flags cargo-fuzz
# uses) and runs each for N minutes, then prints executions and findings per target.
#
#   fuzz/run.sh [MINUTES] [TARGET...]     default: 10 minutes, every target
#
# Corpus: fuzz/seeds/<target> (committed, read only) plus fuzz/corpus/<target> (grows, not
# committed). Crashes land in fuzz/artifacts/<target>/; copy each into
# fuzz/regressions/<target>/ so `cargo test -p fix-tests --test fuzz_replay` replays it.
# Without cargo-fuzz installed this script does what `cargo fuzz run` does.
set -euo pipefail
cd "$(dirname "$0")"

minutes="${1:-10}"
shift || true
all=(framing view typed_fix44 typed_fix50 settings dictionary session)
targets=("$@")
[ ${#targets[@]} -eq 0 ] && targets=("${all[@]}")

toolchain="${FUZZ_TOOLCHAIN:-nightly}"
if ! rustc "+$toolchain" --version >/dev/null 2>&1; then
    echo "error: the $toolchain toolchain is needed (rustup toolchain install nightly)" >&2
    exit 2
fi
triple=$(rustc "+$toolchain" -vV | sed -n 's/^host: //p')
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$PWD/target}"
export CARGO_INCREMENTAL=0
export RUSTFLAGS="--cfg fuzzing -Cpasses=sancov-module -Cllvm-args=-sanitizer-coverage-level=4 \
-Cllvm-args=-sanitizer-coverage-inline-8bit-counters -Cllvm-args=-sanitizer-coverage-pc-table \
-Cllvm-args=-sanitizer-coverage-trace-compares -Cdebug-assertions -Coverflow-checks"
# --target keeps the flags off build scripts and proc macros, as cargo-fuzz does.
cargo "+$toolchain" build --release --target "$triple" --bins

run_one() {
    local t=$1
    mkdir -p "corpus/$t" "artifacts/$t" "seeds/$t"
    set +e
    "$CARGO_TARGET_DIR/$triple/release/$t" "corpus/$t" "seeds/$t" \
        -max_total_time=$((minutes * 60)) -max_len=65536 -timeout=10 -rss_limit_mb=2048 \
        -artifact_prefix="artifacts/$t/" -print_final_stats=1 >"artifacts/$t/run.log" 2>&1
    echo $? >"artifacts/$t/exit"
    set -e
}

summarise() {
    local t=$1 log="artifacts/$1/run.log"
    local execs cov found
    execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -1)
    cov=$(grep -o 'cov: [0-9]*' "$log" | tail -1 | cut -d' ' -f2)
    found=$(find "artifacts/$t" -maxdepth 1 -type f \( -name 'crash-*' -o -name 'timeout-*' \
        -o -name 'oom-*' -o -name 'leak-*' \) | wc -l)
    echo "$t: execs=${execs:-?} coverage=${cov:-?} corpus=$(find "corpus/$t" -type f | wc -l) findings=$found exit=$(cat "artifacts/$t/exit")"
}

# FUZZ_JOBS=N runs N targets at a time (default 1: one after another).
jobs="${FUZZ_JOBS:-1}"
for t in "${targets[@]}"; do
    echo "== $t: ${minutes} min"
    run_one "$t" &
    while [ "$(jobs -rp | wc -l)" -ge "$jobs" ]; do wait -n; done
done
wait
echo "== summary"
for t in "${targets[@]}"; do summarise "$t"; done
