#!/usr/bin/env bash
# bench-rss.sh - the server's memory with a large address book (issue 9:
# "a 100,000-contact address book: slow sync completes with server RSS under
# 300 MB").
#
#   scripts/bench-rss.sh [N]              (default N: 100000)     make bench-rss [N=1000]
#
# One server (bin/anchorage serve, built here, fresh data directory, one user)
# and the real client, ../shared/conformance/syncml-client.sh (SyncEvolution,
# XML, vCard 3.0 "contacts", md5 auth, maxMsgSize 150000, loglevel 1: the
# "anchorage" settings of scripts/bench-peer.sh), run three syncs in turn:
#   a_slow_upload          a fresh client uploads N vCards (peer-bench/gen_vcards.py)
#   b_refresh_from_server  a second fresh client downloads the N
#   c_slow_compare         the first client slow-syncs again: both sides hold
#                          the N, the server compares them all and adds nothing
# After each sync the server must hold exactly N contacts (bin/anchorage
# export | grep -c BEGIN:VCARD) and after b the second client N files.
#
# Measured per sync, for the server process: CPU (utime+stime from
# /proc/PID/stat), VmHWM (peak RSS since the server started) and the peak RSS
# during the sync alone (VmHWM is reset with "5" > /proc/PID/clear_refs before
# each sync, when allowed), and VmRSS after it; wall time and client CPU
# (/usr/bin/time -v via --time-file). RSS is sampled every SAMPLE s into
# $BENCH_WORK/run-N/rss.csv. The table goes to $BENCH_WORK/table-N.md.
#
# Environment:
#   BENCH_WORK=/tmp/anchorage-bench-rss   work dir (cards, clients, server data)
#   PORT=9450                              server port on 127.0.0.1
#   PPROF_PORT=                            if set: serve --pprof 127.0.0.1:PPROF_PORT, and
#                                          $BENCH_WORK/run-N/heap-OP.pb.gz is the heap profile taken
#                                          when the RSS of sync OP peaked (go tool pprof -sample_index=inuse_space),
#                                          memstats-OP.txt the Go runtime's MemStats then (heap vs. RSS:
#                                          what is not Go heap is SQLite's C memory, stacks, runtime)
#   LOAD=1                                 also run cmd/anchorage-load (one device, N items,
#                                          md5): its slow upload, then its slow sync of the same
#                                          device again (the full compare); LOAD=0 skips it
#   SAMPLE=1                               RSS sampling interval in seconds
#   LIMIT_MB=300                           the target; the summary says whether every peak is under it
#   SHARED=<repo>/../shared                the shared conformance kit
set -uo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
SHARED=${SHARED:-$ROOT/../shared}
CONF="$SHARED/conformance"
if [ ! -x "$CONF/syncml-client.sh" ] || [ ! -f "$CONF/peer-bench/gen_vcards.py" ]; then
    echo "bench-rss: the shared conformance kit is missing: expected $CONF/syncml-client.sh and" >&2
    echo "bench-rss: $CONF/peer-bench/gen_vcards.py (set SHARED=/path/to/shared)" >&2
    exit 2
fi
CONF=$(cd "$CONF" && pwd)
CLI="$CONF/syncml-client.sh"

N=${1:-100000}
BW=${BENCH_WORK:-/tmp/anchorage-bench-rss}
PORT=${PORT:-9450}
PPROF_PORT=${PPROF_PORT:-}
LOAD=${LOAD:-1}
SAMPLE=${SAMPLE:-1}
LIMIT_MB=${LIMIT_MB:-300}
HZ=$(getconf CLK_TCK)
BIN="$ROOT/bin/anchorage"
USERNAME=rss PASSWORD=rss-pass
URL="http://127.0.0.1:$PORT/sync"
mkdir -p "$BW"; BW=$(cd "$BW" && pwd)

for tool in /usr/bin/time python3 curl; do
    if [ ! -x "$tool" ] && ! command -v "$tool" >/dev/null 2>&1; then
        echo "bench-rss: $tool is required (Debian packages: time, python3, curl)" >&2; exit 2
    fi
done

echo "bench-rss: building $BIN"
(cd "$ROOT" && go build -o bin/anchorage ./cmd/anchorage) || { echo "bench-rss: build failed" >&2; exit 1; }

SRCDIR="$BW/src-$N"
if [ ! -f "$SRCDIR/.complete" ]; then
    echo "bench-rss: generating $N vCards in $SRCDIR"
    rm -rf "$SRCDIR"
    python3 "$CONF/peer-bench/gen_vcards.py" "$N" "$SRCDIR" >/dev/null && touch "$SRCDIR/.complete" || exit 1
fi

# ---- helpers -------------------------------------------------------------
ticks() { # pid -> utime+stime (0 if gone)
    [ -r "/proc/$1/stat" ] || { echo 0; return; }
    sed 's/^.*) //' "/proc/$1/stat" | awk '{ print $12 + $13 }'
}
status_kb() { # pid key -> value in kB from /proc/PID/status
    awk -v k="$2:" '$1 == k { print $2 }' "/proc/$1/status" 2>/dev/null
}
mb() { awk -v kb="${1:-0}" 'BEGIN { printf "%.1f", kb / 1024 }'; }
tval() { sed -n "s/^\s*$2: //p" "$1"; }
wall_of() { tval "$1" 'Elapsed (wall clock) time (h:mm:ss or m:ss)' | awk -F: '{ s = 0; for (i = 1; i <= NF; i++) s = s * 60 + $i; print s }'; }
count_server() { # -> contacts the server holds for the user
    "$BIN" export --data "$SD" --user "$USERNAME" --db contacts 2>/dev/null | grep -c BEGIN:VCARD
}

# sampler OP: every SAMPLE s, append "op,seconds,rss_kb" to rss.csv; with
# PPROF_PORT, save a heap profile whenever the RSS reaches a new high (16 MB
# above the last saved one), so heap-OP.pb.gz is the profile at the peak.
sampler() {
    local op=$1 t0 rss best=0
    t0=$(date +%s.%N)
    while [ -r "/proc/$SRV/status" ]; do
        rss=$(status_kb "$SRV" VmRSS)
        [ -n "$rss" ] || break
        echo "$op,$(awk -v a="$(date +%s.%N)" -v b="$t0" 'BEGIN { printf "%.1f", a - b }'),$rss" >>"$R/rss.csv"
        if [ -n "$PPROF_PORT" ] && [ "$rss" -gt $((best + 16384)) ]; then
            best=$rss
            curl -s -o "$R/heap-$op.pb.gz.tmp" "http://127.0.0.1:$PPROF_PORT/debug/pprof/heap" &&
                mv "$R/heap-$op.pb.gz.tmp" "$R/heap-$op.pb.gz" && echo "$rss" >"$R/heap-$op.rss-kb" &&
                curl -s "http://127.0.0.1:$PPROF_PORT/debug/pprof/heap?debug=1" | sed -n '/^# runtime.MemStats/,$p' >"$R/memstats-$op.txt"
        fi
        sleep "$SAMPLE"
    done
}

SRV="" SAMPLER=""
cleanup() {
    [ -n "$SAMPLER" ] && kill "$SAMPLER" 2>/dev/null
    if [ -n "$SRV" ]; then kill "$SRV" 2>/dev/null; wait "$SRV" 2>/dev/null; fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# ---- server ----------------------------------------------------------------
R="$BW/run-$N"; SD="$R/server"
rm -rf "$R"; mkdir -p "$SD"
echo "$PASSWORD" | "$BIN" user add --data "$SD" "$USERNAME" >/dev/null || { echo "bench-rss: user add failed" >&2; exit 1; }
PPROF_ARGS=()
[ -n "$PPROF_PORT" ] && PPROF_ARGS=(--pprof "127.0.0.1:$PPROF_PORT")
"$BIN" serve --listen "127.0.0.1:$PORT" --data "$SD" --log-level warn "${PPROF_ARGS[@]}" >"$SD/serve.out" 2>"$SD/serve.log" </dev/null &
SRV=$!
for _ in $(seq 1 100); do grep -q 'Anchorage serving SyncML at' "$SD/serve.out" 2>/dev/null && break; sleep 0.1; done
grep -q 'Anchorage serving SyncML at' "$SD/serve.out" || { echo "bench-rss: the server did not start:" >&2; cat "$SD/serve.log" >&2; exit 1; }
echo "bench-rss: N=$N, server pid $SRV at $URL, VmRSS at start $(mb "$(status_kb "$SRV" VmRSS)") MB, work dir $BW"
echo "op,seconds,rss_kb" >"$R/rss.csv"

# ---- clients -----------------------------------------------------------------
UP="$R/up" DL="$R/dl"
mkdir -p "$UP/contacts" "$DL"
cp -r "$SRCDIR/." "$UP/contacts/"; rm -f "$UP/contacts/.complete"
"$CLI" --dir "$UP" --url "$URL" --user "$USERNAME" --password "$PASSWORD" --device-id "rss-up-$N" --source contacts configure >/dev/null
"$CLI" --dir "$DL" --url "$URL" --user "$USERNAME" --password "$PASSWORD" --device-id "rss-dl-$N" --source contacts configure >/dev/null

ROWS=()
ALL_OK=1
# VmHWM since start: the largest of the per-sync peaks, since the reset
# before each sync clears it.
HWM_SO_FAR_KB=$(status_kb "$SRV" VmHWM)
MAX_PEAK_KB=0
run_op() { # op dir mode devid
    local op=$1 dir=$2 mode=$3 devid=$4 tf="$R/time-$1.txt" b a out line ok check count hwm rss files cpu ccpu peak reset=no
    # Peak RSS of this sync alone: reset VmHWM to the current RSS (Linux >= 4.0).
    if echo 5 2>/dev/null >"/proc/$SRV/clear_refs"; then reset=yes; fi
    sampler "$op" & SAMPLER=$!
    b=$(ticks "$SRV")
    out=$("$CLI" --dir "$dir" --url "$URL" --user "$USERNAME" --password "$PASSWORD" --device-id "$devid" --source contacts \
          --loglevel 1 --quiet --timeout 1200 --time-file "$tf" sync "$mode")
    a=$(ticks "$SRV")
    kill "$SAMPLER" 2>/dev/null; wait "$SAMPLER" 2>/dev/null; SAMPLER=""
    hwm=$(status_kb "$SRV" VmHWM); rss=$(status_kb "$SRV" VmRSS)
    [ "${hwm:-0}" -gt "$HWM_SO_FAR_KB" ] && HWM_SO_FAR_KB=$hwm
    [ "${hwm:-0}" -gt "$MAX_PEAK_KB" ] && MAX_PEAK_KB=$hwm
    line=$(echo "$out" | grep "^SYNCML_SOURCE source=contacts ")
    g() { echo "$line" | tr ' ' '\n' | sed -n "s/^$1=//p"; }
    ok=$(echo "$out" | sed -n 's/.*SYNCML_RESULT.* ok=\([a-z]*\).*/\1/p')
    [ "$ok" = true ] || { ok=false; echo "bench-rss: $op failed: $(echo "$out" | grep '^SYNCML_RESULT')" >&2; }
    count=$(count_server)
    check="server holds $count"
    [ "$count" = "$N" ] || ok=false
    if [ "$op" = b_refresh_from_server ]; then
        files=$(find "$dir/contacts" -type f | wc -l)
        check="$check, client $files"
        [ "$files" = "$N" ] || ok=false
    fi
    [ "$ok" = true ] || ALL_OK=0
    cpu=$(awk -v a="$a" -v b="$b" -v hz="$HZ" 'BEGIN { printf "%.2f", (a - b) / hz }')
    ccpu=$(awk -v u="$(tval "$tf" 'User time (seconds)')" -v s="$(tval "$tf" 'System time (seconds)')" 'BEGIN { printf "%.1f", u + s }')
    peak=n/a; [ "$reset" = yes ] && peak=$(mb "$hwm")
    ROWS+=("| $op | $(wall_of "$tf") | $cpu | $(mb "$HWM_SO_FAR_KB") | $peak | $(mb "$rss") | $ccpu | $(g remote_added)/$(g local_added) | $check | $ok |")
    echo "bench-rss: ${ROWS[-1]}"
}

HEADER="| op | wall s | server CPU s | server VmHWM MB (since start) | server peak RSS MB (this op) | server RSS MB after | client CPU s | client sent/received adds | check | ok |"
SEP="|---|---|---|---|---|---|---|---|---|---|"
echo "bench-rss: $HEADER"
run_op a_slow_upload "$UP" slow "rss-up-$N"
run_op b_refresh_from_server "$DL" refresh-from-server "rss-dl-$N"
run_op c_slow_compare "$UP" slow "rss-up-$N"
if [ -n "$PPROF_PORT" ]; then
    curl -s "http://127.0.0.1:$PPROF_PORT/debug/pprof/heap?debug=1" | sed -n '/^# runtime.MemStats/,$p' >"$R/memstats-end.txt"
fi
kill "$SRV" 2>/dev/null; wait "$SRV" 2>/dev/null; SRV=""
WARNS=$(grep -c . "$SD/serve.log" 2>/dev/null); WARNS=${WARNS:-0}

# ---- the load generator: the same slow syncs, without SyncEvolution ---------
LOAD_ROWS=()
if [ "$LOAD" = 1 ]; then
    LG="$BW/anchorage-load"
    if (cd "$ROOT" && go build -o "$LG" ./cmd/anchorage-load); then
        LD="$R/load-server"; rm -rf "$LD"
        for pass in a c; do
            extra=(); [ $pass = c ] && extra=(--create-users=false)
            "$LG" --server-bin "$BIN" --data "$LD" --devices 1 --concurrency 1 \
                --items "$N" --slow-only --users shared --user "$USERNAME" --password "$PASSWORD" --auth md5 \
                --json "$R/load-$pass.json" "${extra[@]}" >"$R/load-$pass.out" 2>&1
            rc=$?
            LOAD_ROWS+=("$(python3 - "$R/load-$pass.json" "$R/load-$pass.out" "$pass" "$rc" <<'PY'
import json, re, sys
try:
    j = json.load(open(sys.argv[1]))
except (OSError, ValueError):
    print(f"| load {sys.argv[3]} | no report (see {sys.argv[2]}) | | | | | false |"); sys.exit()
m = re.search(r"load generator CPU: ([0-9.]+) s", open(sys.argv[2]).read())
gen = float(m.group(1)) if m else float("nan")
p = j["phases"][0]; op = {"a": "load: slow upload", "c": "load: slow sync again (compare)"}[sys.argv[3]]
print(f"| {op} | {p['Elapsed'] / 1e9:.1f} | {p['ServerCPU'] / 1e9:.2f} | {j.get('server_peak_rss_kb', 0) / 1024:.1f} | "
      f"{gen:.2f} (generator) | {p['OK']}/{p['Sessions']} sessions ok | {'true' if sys.argv[4] == '0' and p['Failed'] == 0 else 'false'} |")
PY
)")
            echo "bench-rss: ${LOAD_ROWS[-1]}"
        done
        echo "bench-rss: load generator server holds $("$BIN" export --data "$LD" --user "$USERNAME" --db contacts 2>/dev/null | grep -c BEGIN:VCARD) contacts"
    else
        echo "bench-rss: could not build cmd/anchorage-load; skipped" >&2
    fi
fi

# ---- summary -----------------------------------------------------------------
{
    echo "N=$N contacts, $(date -u '+%Y-%m-%d %H:%M UTC'), load average $(cut -d' ' -f1-3 /proc/loadavg), $(nproc) cores"
    echo
    echo "$HEADER"; echo "$SEP"
    printf '%s\n' "${ROWS[@]}"
    if [ ${#LOAD_ROWS[@]} -gt 0 ]; then
        echo
        echo "| cmd/anchorage-load (1 device, md5, 200 items per message) | wall s | server CPU s | server VmHWM MB (its own server, since start) | client CPU s | sessions | ok |"
        echo "|---|---|---|---|---|---|---|"
        printf '%s\n' "${LOAD_ROWS[@]}"
    fi
    echo
    echo "largest server peak RSS: $(mb "$MAX_PEAK_KB") MB (target: under $LIMIT_MB MB); server log lines at warn: $WARNS"
    if [ -n "$PPROF_PORT" ]; then echo "heap profiles at each sync's RSS peak: $R/heap-*.pb.gz (go tool pprof -top -sample_index=inuse_space FILE)"; fi
    echo "RSS samples: $R/rss.csv"
} | tee "$BW/table-$N.md"
[ "$ALL_OK" = 1 ] || { echo "bench-rss: a sync failed or the counts differ" >&2; exit 1; }
[ "$MAX_PEAK_KB" -le $((LIMIT_MB * 1024)) ] || { echo "bench-rss: server RSS above $LIMIT_MB MB" >&2; exit 3; }
exit 0
