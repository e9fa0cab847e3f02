#!/usr/bin/env bash
# tools/fuzz.sh TARGET...  (make fuzz: every fuzz/fuzz_*.c, built in fuzz/build/)
#
# Runs each libFuzzer target from its seed corpus fuzz/corpus/TARGET/ (and with
# fuzz/TARGET.dict when there is one), for FUZZ_SECONDS seconds (default 60), or for
# FUZZ_RUNS inputs when that is set. New inputs a run finds go to
# .run/fuzz/TARGET/corpus/ (the first corpus directory is the one libFuzzer writes
# to), never into fuzz/corpus/; so do the log and any crashing input. A crash, a
# leak, undefined behaviour or a broken property fails the target; every target
# runs, then the script exits 1 if any failed. Prints one line per target.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd -P)
SECONDS_EACH=${FUZZ_SECONDS:-60}
RUNS=${FUZZ_RUNS:-}
OUT=$ROOT/.run/fuzz

[ $# -ge 1 ] || {
    echo "usage: tools/fuzz.sh TARGET..." >&2
    exit 2
}

# The value of libFuzzer's final statistic NAME (-print_final_stats=1) in LOG.
stat() {
    sed -n "s/^stat::$1: *//p" "$2" | tail -1
}

failed=()
printf '%-22s %12s %8s %9s %8s  %s\n' target executions seconds exec/s corpus result
for target in "$@"; do
    bin=$ROOT/fuzz/build/$target
    seeds=$ROOT/fuzz/corpus/$target
    dir=$OUT/$target
    [ -x "$bin" ] || { echo "$bin is missing: run make fuzz-build" >&2; exit 2; }
    [ -d "$seeds" ] || { echo "$seeds is missing" >&2; exit 2; }
    rm -rf "$dir"
    mkdir -p "$dir/corpus"
    args=(-print_final_stats=1 -artifact_prefix="$dir/")
    if [ -n "$RUNS" ]; then
        args+=(-runs="$RUNS")
    else
        args+=(-max_total_time="$SECONDS_EACH")
    fi
    [ -f "$ROOT/fuzz/$target.dict" ] && args+=(-dict="$ROOT/fuzz/$target.dict")
    start=$(date +%s.%N)
    if "$bin" "${args[@]}" "$dir/corpus" "$seeds" >"$dir/log" 2>&1; then
        result=ok
    else
        result="FAILED: see $dir/log"
        failed+=("$target")
    fi
    elapsed=$(awk -v a="$start" -v b="$(date +%s.%N)" 'BEGIN { printf "%.1f", b - a }')
    execs=$(stat number_of_executed_units "$dir/log")
    rate=$(awk -v n="${execs:-0}" -v s="$elapsed" 'BEGIN { printf "%d", (s > 0 ? n / s : 0) }')
    # the inputs libFuzzer kept, seeds included: "corp: N/SIZE" of its last status line
    corpus=$(sed -n 's/.* corp: \([0-9]*\)\/.*/\1/p' "$dir/log" | tail -1)
    printf '%-22s %12s %8s %9s %8s  %s\n' "$target" "${execs:--}" "$elapsed" "$rate" \
        "${corpus:--}" "$result"
    if [ "$result" != ok ]; then
        grep -E 'ERROR|property failed|runtime error|SUMMARY' "$dir/log" | head -5 >&2 || true
    fi
done

if [ ${#failed[@]} -gt 0 ]; then
    echo "fuzzing failed: ${failed[*]}" >&2
    exit 1
fi
