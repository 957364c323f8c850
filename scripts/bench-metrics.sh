#!/usr/bin/env bash
# bench-metrics.sh - the cost of metrics on fast sessions: A/B with
# cmd/anchorage-load, the server run with metrics on (the default) and with
# `serve --metrics=false`, in alternating runs.
#
#   scripts/bench-metrics.sh [PAIRS]      (default 5)       make bench-metrics [PAIRS=5]
#
# Builds bin/anchorage and the load tool, makes one data directory with the
# users and their items (DEVICES devices, ITEMS vCards each, basic auth), then runs
# PAIRS pairs of runs, on then off, off then on alternately, each on a fresh
# copy of that directory: phase 1 (every device's slow sync, not compared)
# and DURATION of phase 2 (two-way syncs, CHANGE share with one Replace).
# Per run: phase 2 sessions/s and the server's CPU per session (utime+stime
# from /proc over phase 2 divided by its sessions). The summary gives the
# median of each side and the cost of metrics = on / off - 1 (CPU per
# session) and 1 - on / off (sessions/s). Results: $BENCH_WORK/runs.tsv,
# $BENCH_WORK/summary.txt, one JSON per run.
#
# Environment: BENCH_WORK=/tmp/anchorage-bench-metrics DEVICES=1000 ITEMS=20
# CONCURRENCY=16 DURATION=20s CHANGE=0.1 AUTH=basic
set -euo pipefail
PAIRS=${1:-5}
WORK=${BENCH_WORK:-/tmp/anchorage-bench-metrics}
DEVICES=${DEVICES:-1000} ITEMS=${ITEMS:-20} CONCURRENCY=${CONCURRENCY:-16}
DURATION=${DURATION:-20s} CHANGE=${CHANGE:-0.1} AUTH=${AUTH:-basic}
ROOT=$(cd "$(dirname "$0")/.." && pwd)

rm -rf "$WORK" && mkdir -p "$WORK"
(cd "$ROOT" && go build -o "$WORK/anchorage" ./cmd/anchorage && go build -o "$WORK/anchorage-load" ./cmd/anchorage-load)
"$WORK/anchorage-load" --server-bin "$WORK/anchorage" --data "$WORK/base" --devices "$DEVICES" \
    --concurrency "$CONCURRENCY" --items "$ITEMS" --sessions 1 --auth "$AUTH" >"$WORK/base.log"

run() { # run N on|off
    local n=$1 side=$2 data="$WORK/run-$1-$2"
    cp -a "$WORK/base" "$data"
    "$WORK/anchorage-load" --server-bin "$WORK/anchorage" --data "$data" --create-users=false \
        --devices "$DEVICES" --concurrency "$CONCURRENCY" --items "$ITEMS" --duration "$DURATION" \
        --change-share "$CHANGE" --auth "$AUTH" --server-flag="--metrics=$([ "$side" = on ] && echo true || echo false)" \
        --json "$WORK/run-$n-$side.json" >"$WORK/run-$n-$side.log"
    jq -r --arg n "$n" --arg side "$side" '.phases[1] |
        [$n, $side, .OK, (.PerSecond*10|round/10), (.ServerCPU/1e6/.OK*1000|round/1000)] | @tsv' \
        "$WORK/run-$n-$side.json" >>"$WORK/runs.tsv"
    rm -rf "$data"
}

printf 'run\tmetrics\tsessions\tsessions_per_s\tcpu_ms_per_session\n' >"$WORK/runs.tsv"
for i in $(seq 1 "$PAIRS"); do
    if [ $((i % 2)) -eq 1 ]; then run "$i" on; run "$i" off; else run "$i" off; run "$i" on; fi
    tail -n 2 "$WORK/runs.tsv"
done

python3 - "$WORK/runs.tsv" >"$WORK/summary.txt" <<'PY'
import statistics, sys
rows = [l.rstrip("\n").split("\t") for l in open(sys.argv[1])][1:]
side = {s: [r for r in rows if r[1] == s] for s in ("on", "off")}
med = {s: (statistics.median(float(r[3]) for r in v), statistics.median(float(r[4]) for r in v)) for s, v in side.items()}
for s in ("on", "off"):
    print(f"metrics {s:3}: sessions/s median {med[s][0]:.1f} (runs {', '.join(r[3] for r in side[s])}); "
          f"CPU per session median {med[s][1]:.3f} ms (runs {', '.join(r[4] for r in side[s])})")
print(f"cost of metrics: CPU per session {100*(med['on'][1]/med['off'][1]-1):+.1f} %, "
      f"sessions/s {100*(1-med['on'][0]/med['off'][0]):+.1f} %")
PY
cat "$WORK/summary.txt"
