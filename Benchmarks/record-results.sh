#!/usr/bin/env bash
# Runs benchmarks and appends one dated section to Benchmarks/RESULTS.md: when, which commit, which machine, the
# command, and every RESULT line each round printed. The README quotes the newest section; nothing else writes figures.
#
#   bash Benchmarks/record-results.sh [--rounds N] [--full] [BENCHMARK…]
#
# Defaults: every comparison benchmark (summary tracer ingest render live), --quick, one round each.
set -euo pipefail
cd "$(dirname "$0")"

rounds=1
quick=--quick
benchmarks=()
while (($#)); do
    case "$1" in
        --rounds) rounds="$2"; shift 2 ;;
        --full) quick=""; shift ;;
        -h | --help) sed -n 2,7p "$0"; exit 0 ;;
        *) benchmarks+=("$1"); shift ;;
    esac
done
((${#benchmarks[@]})) || benchmarks=(summary tracer ingest render live)

# The project is a path dependency: touching the manifests makes the release build pick up its changes.
touch ../Package.swift Package.swift
swift build -c release >&2
bench=.build/release/tracescope-bench

commit=$(git -C .. rev-parse --short HEAD)
dirty=$(git -C .. status --porcelain --untracked-files=no | head -1)
cpu=$(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ *//')
machine="$(nproc) cores, ${cpu:-unknown CPU}, $(free -g | awk '/^Mem:/ {print $2}') GiB, $(uname -sr)"

results=$(mktemp)
output=$(mktemp)
trap 'rm -f "$results" "$output"' EXIT
for ((round = 1; round <= rounds; round++)); do
    for name in "${benchmarks[@]}"; do
        echo "== round $round: tracescope-bench $name $quick" >&2
        # Through a file, not `tee /dev/stderr`: reopening a redirected stderr would truncate the caller's log.
        "$bench" "$name" $quick >"$output"
        cat "$output" >&2
        grep '^RESULT ' "$output" | sed "s/^/round $round: /" >>"$results"
    done
done

file=RESULTS.md
if [[ ! -f $file ]]; then
    cat >"$file" <<'HEADER'
# Benchmark results

Written by `bash Benchmarks/record-results.sh`; newest run first below this line. Each RESULT line reads
`ours=… reference=… ratio=…`, the ratio above 1 when ours is ahead. This machine's figures swing by ±30% between
runs: compare ratios within one run, and ranges across runs.

HEADER
fi
section=$(mktemp)
{
    echo "## $(date -u +%Y-%m-%dT%H:%MZ) · commit $commit${dirty:+ (with uncommitted changes)}"
    echo
    echo "- machine: $machine"
    echo "- command: \`tracescope-bench {${benchmarks[*]}} $quick\`, $rounds round(s)"
    echo
    echo '```'
    cat "$results"
    echo '```'
    echo
} >"$section"
# Newest first: the header stays on top, the new section goes right under it.
header_lines=$(grep -n '^## ' "$file" | head -1 | cut -d: -f1 || true)
if [[ -n $header_lines ]]; then
    { head -n $((header_lines - 1)) "$file"; cat "$section"; tail -n +"$header_lines" "$file"; } >"$file.new"
else
    { cat "$file"; cat "$section"; } >"$file.new"
fi
mv "$file.new" "$file"
rm -f "$section"
echo "appended to Benchmarks/$file" >&2
