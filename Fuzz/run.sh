#!/usr/bin/env bash
# Fuzzes one harness with libFuzzer (coverage-guided, address sanitizer on):
#
#   Fuzz/run.sh TARGET SECONDS [libFuzzer flags…]     e.g.  Fuzz/run.sh otlp-protobuf 60
#   Fuzz/run.sh --list                                 the targets
#
# The seed corpus (Fuzz/corpus/TARGET, committed) is read; what the run learns goes to .build/fuzz/corpus/TARGET,
# which later runs resume from. A finding is written to .build/fuzz/findings/TARGET/ and the script exits non-zero:
# copy the input to Fuzz/regressions/TARGET/ (FuzzRegressionTests replays it in `swift test`) and fix the cause.
# The last line is a summary: `FUZZ target=… seconds=… execs=… edges=… findings=…`.
set -euo pipefail
cd "$(dirname "$0")"
scratch="../.build/fuzz"
build() {
    # SwiftPM's --sanitize=fuzzer lets libFuzzer provide main; swiftc keeps only its last -sanitize flag, so the one
    # that follows asks for both the fuzzer's coverage and the address sanitizer.
    swift build --package-path . --scratch-path "$scratch/build" -c release --product tracescope-fuzz \
        --sanitize=fuzzer -Xswiftc -sanitize=fuzzer,address -Xswiftc -parse-as-library 2>&1 | { grep -v "ld.gold: warning" || true; } >&2
}
binary="$scratch/build/release/tracescope-fuzz"
if [[ "${1:-}" == "--list" ]]; then
    ls corpus
    exit 0
fi
target="${1:?usage: Fuzz/run.sh TARGET SECONDS [libFuzzer flags…] (Fuzz/run.sh --list for the targets)}"
seconds="${2:?usage: Fuzz/run.sh TARGET SECONDS}"
shift 2
[[ -d "corpus/$target" ]] || { echo "no such target: $target (Fuzz/run.sh --list)" >&2; exit 2; }
[[ "${TRACESCOPE_FUZZ_NO_BUILD:-}" == 1 && -x "$binary" ]] || build
work="$scratch/corpus/$target"
findings="$scratch/findings/$target"
mkdir -p "$work" "$findings"
log="$scratch/$target.log"
# Findings of this run only: those written after this marker.
marker="$scratch/$target.started"
touch "$marker"
dict=()
[[ -f "dictionaries/$target.dict" ]] && dict=(-dict="dictionaries/$target.dict")
set +e
TRACESCOPE_FUZZ_TARGET="$target" ASAN_OPTIONS="detect_leaks=0:allocator_may_return_null=1" \
    "$binary" "$work" "corpus/$target" -max_total_time="$seconds" -rss_limit_mb=4096 -max_len=65536 \
    -timeout=10 -artifact_prefix="$findings/" -print_final_stats=1 "${dict[@]}" "$@" >"$log" 2>&1
status=$?
set -e
execs=$(grep -o 'stat::number_of_executed_units: *[0-9]*' "$log" | grep -o '[0-9]*$' | tail -1 || true)
edges=$(grep -o 'cov: [0-9]*' "$log" | tail -1 | grep -o '[0-9]*' || true)
found=$(find "$findings" -type f -newer "$marker" | wc -l)
echo "FUZZ target=$target seconds=$seconds execs=${execs:-0} edges=${edges:-0} findings=$found"
if [[ $status -ne 0 ]]; then
    grep -E 'ERROR|property violated|Fatal error|SUMMARY|Test unit written' "$log" | head -20 >&2
    echo "see $log" >&2
    exit 1
fi
