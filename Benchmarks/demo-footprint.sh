#!/usr/bin/env bash
# The demo's footprint at its default traffic: resident memory and CPU of `tracescope demo`, running in a tmux
# terminal with its dashboard, sampled every minute for N minutes (default 10).
#
#   bash Benchmarks/demo-footprint.sh [minutes]        # CONFIG=release to measure a release build
#
# Ends with RESULT lines: ours against the project's budget (100 MB RSS, 10% of one core).
set -euo pipefail
minutes=${1:-10}
config=${CONFIG:-debug}
cd "$(dirname "$0")/.."
swift build -c "$config" --product tracescope >/dev/null
bin="$(swift build -c "$config" --show-bin-path)/tracescope"
session="tracescope-footprint-$$"
tmux new-session -d -s "$session" -x 160 -y 45 "$bin demo"
trap 'tmux kill-session -t "$session" 2>/dev/null || true' EXIT
sleep 2
pid=$(pgrep -n -f "$bin demo")
hz=$(getconf CLK_TCK)
cpu_ticks() { awk '{print $14 + $15}' "/proc/$pid/stat"; }
rss_mb() { awk '/VmRSS/ {printf "%.1f", $2 / 1024}' "/proc/$pid/status"; }
echo "tracescope demo ($config build), pid $pid: one sample a minute for $minutes minutes"
echo "minute  RSS MB  CPU % of one core (last minute)"
last=$(cpu_ticks)
rss=0
cpu=0
for minute in $(seq 1 "$minutes"); do
    sleep 60
    now=$(cpu_ticks)
    cpu=$(awk -v a="$last" -v b="$now" -v hz="$hz" 'BEGIN {printf "%.1f", (b - a) / hz / 60 * 100}')
    rss=$(rss_mb)
    last=$now
    printf '%6d  %6s  %s\n' "$minute" "$rss" "$cpu"
done
awk -v rss="$rss" -v cpu="$cpu" 'BEGIN {
    printf "RESULT demo.rss ours=%s MB reference=100 MB ratio=%.2f\n", rss, 100 / rss
    printf "RESULT demo.cpu ours=%s %% reference=10 %% ratio=%.2f\n", cpu, (cpu > 0 ? 10 / cpu : 99)
}'
