#!/usr/bin/env bash
# bench-eas-peer.sh - Anchorage's Exchange ActiveSync side by side with SOGo (the
# reference EAS peer, Debian packages), same real client (TbSync's EAS code under
# ../shared/conformance/activesync/tbsync-harness), same run.
#
#   scripts/bench-eas-peer.sh [N...]      (default N: 1000 2000)      make bench-eas-peer
#
# Environment:
#   REPS=3                  repetitions per N and server
#   SERVERS="anchorage sogo"  which servers to run
#   BENCH_WORK=/tmp/anchorage-bench-eas   work dir (client kit copy, servers, results)
#   PORT_BASE=28400         anchorage on PORT_BASE, SOGo on PORT_BASE+100 (+101, +102: its
#                           PostgreSQL and memcached)
#   SHARED=<repo>/../shared the shared conformance kit
#   PPROF=127.0.0.1:6060    serve Anchorage's runtime profiles there (serve --pprof), to
#                           take a CPU profile of a step while it runs
#
# The driver is ../shared/conformance/activesync/peer-bench/bench.py: per repetition a
# fresh server; device A's initial sync (not measured), A uploads N contacts, device B's
# initial sync receives them, B syncs again with nothing to exchange. Server CPU is
# utime+stime (+ reaped children) of the server's process tree from /proc, read before
# and after each step (10 ms ticks: 0.00 means under one tick); client CPU is the node
# process's. The client kit is copied into BENCH_WORK and set up there (setup.sh:
# webext-eas4tbsync from Debian, one npm package), as ../shared is read-only. SOGo is
# started by ../shared/conformance/activesync/sogo-peer.sh (installs its Debian packages
# with apt-get as root); if it cannot start it is skipped with a message.
# Output: BENCH_WORK/<server>.jsonl and the table of medians (peer-bench/summarize.py).
set -uo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
SHARED=${SHARED:-$ROOT/../shared}
KIT_SRC="$SHARED/conformance/activesync"
if [ ! -f "$KIT_SRC/peer-bench/bench.py" ] || [ ! -d "$KIT_SRC/tbsync-harness" ]; then
    echo "bench-eas-peer: the shared EAS kit is missing: expected $KIT_SRC/peer-bench/bench.py (set SHARED=/path/to/shared)" >&2
    exit 2
fi
KIT_SRC=$(cd "$KIT_SRC" && pwd)
NS=${*:-1000 2000}
REPS=${REPS:-3}; [ -n "$REPS" ] || REPS=3
SERVERS=${SERVERS:-anchorage sogo}
WORK=${BENCH_WORK:-/tmp/anchorage-bench-eas}
PORT_BASE=${PORT_BASE:-28400}
BIN="$ROOT/bin/anchorage"
mkdir -p "$WORK"
WORK=$(cd "$WORK" && pwd)

(cd "$ROOT" && go build -o "$BIN" ./cmd/anchorage) || { echo "bench-eas-peer: build failed" >&2; exit 1; }

# The client kit, writable: bench.py finds tbsync-harness/ and _3p/ under EAS_KIT.
KIT="$WORK/kit"
if [ ! -d "$KIT/_3p/eas4tbsync-xpi" ]; then
    rm -rf "$KIT"; mkdir -p "$KIT"
    cp -r "$KIT_SRC/setup.sh" "$KIT_SRC/tbsync-harness" "$KIT_SRC/peer-bench" "$KIT/"
    EAS_3P="$KIT/_3p" sh "$KIT/setup.sh" || { echo "bench-eas-peer: client setup failed" >&2; exit 1; }
fi
export EAS_KIT="$KIT"

# Anchorage as bench.py's "cmd" peer: users alice:secret and bob:secret2, a pid file in $DIR.
START='set -e; echo secret | "'"$BIN"'" user add --data "$DIR" alice >/dev/null;
echo secret2 | "'"$BIN"'" user add --data "$DIR" bob >/dev/null;
"'"$BIN"'" serve --listen 127.0.0.1:$PORT --data "$DIR" --log-level warn '"${PPROF:+--pprof $PPROF}"' >"$DIR/serve.out" 2>"$DIR/serve.log" </dev/null &
echo $! >"$DIR/anchorage.pid";
for i in $(seq 1 100); do grep -q "Exchange ActiveSync at" "$DIR/serve.out" 2>/dev/null && exit 0; sleep 0.1; done; cat "$DIR/serve.log" >&2; exit 1'
STOP='kill $(cat "$DIR/anchorage.pid") 2>/dev/null; sleep 0.5'

outs=()
for n in $NS; do
    for s in $SERVERS; do
        out="$WORK/$s.jsonl"
        case "$s" in
            anchorage)
                python3 "$KIT/peer-bench/bench.py" --peer cmd --url 'http://127.0.0.1:{port}/Microsoft-Server-ActiveSync' \
                    --start "$START" --stop "$STOP" --n "$n" --reps "$REPS" --port "$PORT_BASE" \
                    --base "$WORK/runs" --out "$out" >"$WORK/$s-n$n.log" 2>&1 ||
                    { echo "bench-eas-peer: anchorage N=$n failed (see $WORK/$s-n$n.log)" >&2; continue; };;
            sogo)
                # bench.py finds sogo-peer.sh beside peer-bench/.
                cp -f "$KIT_SRC/sogo-peer.sh" "$KIT/sogo-peer.sh"
                python3 "$KIT/peer-bench/bench.py" --peer sogo --n "$n" --reps "$REPS" --port $((PORT_BASE + 100)) \
                    --base "$WORK/runs" --out "$out" >"$WORK/$s-n$n.log" 2>&1 ||
                    { echo "bench-eas-peer: SOGo N=$n could not run; skipped (see $WORK/$s-n$n.log)" >&2; continue; };;
            *) echo "bench-eas-peer: unknown server $s" >&2; continue;;
        esac
        case " ${outs[*]:-} " in *" $out "*) ;; *) outs+=("$out");; esac
    done
done
[ ${#outs[@]} -gt 0 ] || { echo "bench-eas-peer: no results" >&2; exit 1; }
python3 "$KIT/peer-bench/summarize.py" "${outs[@]}"
