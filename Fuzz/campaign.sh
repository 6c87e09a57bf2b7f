#!/usr/bin/env bash
# A fuzzing campaign: every target (or those named) for SECONDS each, or until ten million executions, whichever
# comes first, one after another, each run's figures appended to Fuzz/RESULTS.md (date, commit, seconds,
# executions, coverage edges, findings).
#
#   Fuzz/campaign.sh SECONDS [TARGET…]        e.g.  Fuzz/campaign.sh 1800
#
# A finding stops nothing: its input is in .build/fuzz/findings/TARGET/, to be copied to Fuzz/regressions/TARGET/
# once its cause is fixed.
set -uo pipefail
cd "$(dirname "$0")"
seconds="${1:?usage: Fuzz/campaign.sh SECONDS [TARGET…]}"
shift
targets=("$@")
[[ ${#targets[@]} -eq 0 ]] && mapfile -t targets < <(./run.sh --list)
commit=${TRACESCOPE_FUZZ_COMMIT:-$(git -C .. rev-parse --short HEAD 2>/dev/null || echo unknown)}
[[ -f RESULTS.md ]] || printf '%s\n\n%s\n%s\n' "# Fuzzing runs" \
    "| date | commit | target | seconds | executions | edges | findings |" "|---|---|---|---|---|---|---|" >RESULTS.md
built=0
for target in "${targets[@]}"; do
    started=$(date +%s)
    if [[ $built == 0 ]]; then line=$(./run.sh "$target" "$seconds" -runs=10000000 | tail -1); built=1
    else line=$(TRACESCOPE_FUZZ_NO_BUILD=1 ./run.sh "$target" "$seconds" -runs=10000000 | tail -1); fi
    ran=$(($(date +%s) - started))
    echo "$line"
    field() { sed -n "s/.* $1=\([^ ]*\).*/\1/p" <<<"$line"; }
    echo "| $(date -u +%F) | $commit | $target | $((ran < seconds ? ran : seconds)) | $(field execs) | $(field edges) | $(field findings) |" >>RESULTS.md
done
