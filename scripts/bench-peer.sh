#!/usr/bin/env bash
# bench-peer.sh - Anchorage side by side with the two reference SyncML servers
# (SyncEvolution's own server and Horde_SyncMl), same real client, same run.
#
#   scripts/bench-peer.sh [N...]          (default N: 1000 5000)      make bench-peer
#
# Environment:
#   REPS=3                 repetitions per N and server
#   SERVERS="anchorage anchorage21 syncevo horde"   which servers to run
#   BENCH_WORK=/tmp/anchorage-bench-peer  work dir (N vCards per client and server dir)
#   BENCH_CSV=$BENCH_WORK/results.csv     raw rows (appended; one per sync)
#   PORT_BASE=9400         servers listen on 127.0.0.1:PORT_BASE+1..4
#   SHARED=<repo>/../shared               the shared conformance kit
#   SETTLE=1               seconds to wait after each sync before sampling server CPU
#   CASES=basic            which syncs: "basic" (a-d below), "reinstall" (e-f below), or both
#
# Per N and repetition, for each server: a fresh server (fresh database), then
#   a) slow sync of a fresh client uploading N vCards
#   b) two-way sync after modifying 1 item on that client
#   c) two-way sync with 0 changes
#   d) refresh-from-server into a second fresh client (downloads N)
# and with CASES=reinstall (anchorage and syncevo only: the same client
# settings, md5 auth), on another fresh server that client "up" filled with
# the N vCards by a slow sync (not timed):
#   e) e_reinstall_same: a re-installed phone (a new device) holding the same
#      N contacts slow-syncs them: every item is one the server holds;
#   f) f_reinstall_fewer21: then a vCard 2.1 phone (contacts21, another new
#      device) holding the same people with fewer fields (no UID, address,
#      organisation or note; e-mail upper-cased; numbers without spaces)
#      slow-syncs them.
# Each ends with a duplicate check (BENCH_WORK/dupcheck.csv): the server and
# the phone must each hold N contacts (the server's count from `anchorage
# export`, or the files of SyncEvolution's server's addressbook).
# Syncs are driven by ../shared/conformance/syncml-client.sh (SyncEvolution 2.0.0, XML,
# maxMsgSize 150000, client loglevel 1). Clients are configured (and, for
# SyncEvolution's server, registered) outside the timed region, as
# peer-bench/bench.sh does.
#
# Servers and client settings:
#   anchorage    bin/anchorage (built here), contacts = vCard 3.0, md5 auth:
#                the settings of peer-bench/bench.sh, compared with syncevo
#   anchorage21  bin/anchorage, contacts21 = vCard 2.1, basic auth, URI
#                "contacts": Horde's settings, compared with horde
#   syncevo      ../shared/conformance/syncevo-server.sh, as peer-bench/bench.sh
#   horde        ../shared/conformance/horde-peer/horde-server.sh, as
#                horde-peer/bench.sh (--source contacts21 --uri contacts21=contacts
#                --auth basic). gen_vcards.py writes vCard 3.0 only; as in
#                horde-peer/bench.sh the client converts them to 2.1 on the wire.
# A peer that cannot be started (missing packages that cannot be installed,
# no root for apt-get) is skipped with a message; the others still run.
#
# Measured per sync: wall time and client CPU (/usr/bin/time -v of the
# syncevolution process, via --time-file) and server CPU: utime+stime+cutime+
# cstime from /proc/PID/stat of every process of that server (anchorage: its
# one process; syncevo: syncevo-dbus-server incl. reaped helpers, the HTTP
# front end and its dbus-daemon; horde: the php -S process), sampled before
# and SETTLE s after the sync; load1 = the 1-minute load average after it (other
# work on the machine inflates wall times more than CPU times). Output: CSV rows,
# then the table of medians and the ratios (scripts/bench-peer-table.py).
set -uo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
SHARED=${SHARED:-$ROOT/../shared}
CONF="$SHARED/conformance"
if [ ! -x "$CONF/syncml-client.sh" ] || [ ! -f "$CONF/peer-bench/gen_vcards.py" ]; then
    echo "bench-peer: the shared conformance kit is missing: expected $CONF/syncml-client.sh and" >&2
    echo "bench-peer: $CONF/peer-bench/gen_vcards.py (set SHARED=/path/to/shared)" >&2
    exit 2
fi
SHARED=$(cd "$SHARED" && pwd); CONF="$SHARED/conformance"
CLI="$CONF/syncml-client.sh"
SE_SRV="$CONF/syncevo-server.sh"
HORDE_SRV="$CONF/horde-peer/horde-server.sh"

NS=("$@"); [ ${#NS[@]} -gt 0 ] || NS=(1000 5000)
REPS=${REPS:-3}
SERVERS=${SERVERS:-"anchorage anchorage21 syncevo horde"}
BW=${BENCH_WORK:-/tmp/anchorage-bench-peer}
CSV=${BENCH_CSV:-$BW/results.csv}
PORT_BASE=${PORT_BASE:-9400}
SETTLE=${SETTLE:-1}
CASES=${CASES:-basic}
case " $CASES " in *" basic "*|*" reinstall "*) ;; *) echo "bench-peer: CASES must name basic and/or reinstall" >&2; exit 2;; esac
has_case() { case " $CASES " in *" $1 "*) return 0;; esac; return 1; }
DUPS=$BW/dupcheck.csv
HZ=$(getconf CLK_TCK)
BIN="$ROOT/bin/anchorage"
mkdir -p "$BW"; BW=$(cd "$BW" && pwd)

for tool in /usr/bin/time bc python3 gcc; do
    if [ ! -x "$tool" ] && ! command -v "$tool" >/dev/null 2>&1; then
        echo "bench-peer: $tool is required (Debian packages: time, bc, python3, gcc)" >&2; exit 2
    fi
done

echo "bench-peer: building $BIN"
(cd "$ROOT" && go build -o bin/anchorage ./cmd/anchorage) || { echo "bench-peer: build failed" >&2; exit 1; }

[ -f "$DUPS" ] || echo "n,rep,server,op,server_items,phone_items,expected,ok" > "$DUPS"
[ -f "$CSV" ] || echo "n,rep,server,op,wall_s,client_user_s,client_sys_s,client_maxrss_kb,server_cpu_s,mode,local_added,local_updated,remote_added,remote_updated,sent_bytes,received_bytes,ok,load1" > "$CSV"

# ---- helpers ---------------------------------------------------------------
ticks() { # pid -> utime+stime+cutime+cstime (0 if gone)
    [ -n "$1" ] && [ -r "/proc/$1/stat" ] || { echo 0; return; }
    sed 's/^.*) //' "/proc/$1/stat" | awk '{ print $12 + $13 + $14 + $15 }'
}
sum_ticks() { local t=0 p; for p in $SRV_PIDS; do t=$((t + $(ticks "$p"))); done; echo "$t"; }
tval() { sed -n "s/^\s*$2: //p" "$1"; }
wall() { tval "$1" 'Elapsed (wall clock) time (h:mm:ss or m:ss)' | awk -F: '{ s = 0; for (i = 1; i <= NF; i++) s = s * 60 + $i; print s }'; }
wait_port() { # port -> 0 when it accepts connections (10 s)
    local i; for i in $(seq 1 100); do (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null && return 0; sleep 0.1; done; return 1
}

# The client settings of each server: URL, source, extra options.
client_args() { # server -> sets URL SRC EXTRA
    case "$1" in
        anchorage)   URL="http://127.0.0.1:$((PORT_BASE + 1))/sync"; SRC=contacts; EXTRA=();;
        anchorage21) URL="http://127.0.0.1:$((PORT_BASE + 2))/sync"; SRC=contacts21; EXTRA=(--uri contacts21=contacts --auth basic);;
        syncevo)     URL="http://127.0.0.1:$((PORT_BASE + 3))/syncevolution"; SRC=contacts; EXTRA=();;
        horde)       URL="http://127.0.0.1:$((PORT_BASE + 4))/"; SRC=contacts21; EXTRA=(--uri contacts21=contacts --auth basic);;
    esac
}

# The vCard 2.1 phone of f): contacts21 against the server's contacts, with
# the server's own authentication (md5 for anchorage and syncevo).
client21_args() { # server -> sets SRC EXTRA
    SRC=contacts21; EXTRA=()
    [ "$1" = anchorage ] && EXTRA=(--uri contacts21=contacts)
}

# server_items SERVER DIR -> the contacts the server holds
server_items() {
    case "$1" in
        anchorage|anchorage21) "$BIN" export --data "$2" --user test --db contacts 2>/dev/null | grep -c '^BEGIN:VCARD';;
        syncevo) ls "$2/db/addressbook" 2>/dev/null | wc -l;;
    esac
}

# dup_check SERVER OP PHONEDIR: the server and the phone hold N contacts each
dup_check() {
    local si pi ok=true
    si=$(server_items "$1" "$SD"); pi=$(ls "$3" | wc -l)
    [ "$si" = "$N" ] && [ "$pi" = "$N" ] || ok=false
    echo "$N,$rep,$1,$2,$si,$pi,$N,$ok" >> "$DUPS"
    [ $ok = true ] || echo "bench-peer: $1 $2: DUPLICATES or losses: server holds $si, phone $pi, want $N each" >&2
}

# fewer_fields SRC DST: the vCards of SRC as a phone holding fewer fields
fewer_fields() {
    python3 - "$1" "$2" <<'PY'
import os, re, sys
src, dst = sys.argv[1], sys.argv[2]
os.makedirs(dst, exist_ok=True)
for name in os.listdir(src):
    out = []
    for line in open(os.path.join(src, name), encoding="utf-8", newline="").read().split("\r\n"):
        key = line.split(":", 1)[0].split(";", 1)[0]
        if key in ("UID", "ADR", "ORG", "NOTE"):
            continue
        if key == "EMAIL":
            head, value = line.split(":", 1)
            line = head + ":" + value.upper()
        elif key == "TEL":
            head, value = line.split(":", 1)
            line = head + ":" + value.replace(" ", "")
        out.append(line)
    with open(os.path.join(dst, name), "w", encoding="utf-8", newline="") as f:
        f.write("\r\n".join(out))
PY
}

# ---- servers: start SERVER DIR -> sets SRV_PIDS; stop SERVER DIR ------------
ANCH_PID=""
start_server() {
    local s=$1 sd=$2 port
    SRV_PIDS=""
    case "$s" in
        anchorage|anchorage21)
            [ "$s" = anchorage ] && port=$((PORT_BASE + 1)) || port=$((PORT_BASE + 2))
            mkdir -p "$sd"
            echo test | "$BIN" user add --data "$sd" test >/dev/null || return 1
            "$BIN" serve --listen "127.0.0.1:$port" --data "$sd" --log-level warn >"$sd/serve.out" 2>"$sd/serve.log" </dev/null &
            ANCH_PID=$!
            local i; for i in $(seq 1 100); do grep -q 'Anchorage serving SyncML at' "$sd/serve.out" 2>/dev/null && break; sleep 0.1; done
            grep -q 'Anchorage serving SyncML at' "$sd/serve.out" || { cat "$sd/serve.log" >&2; return 1; }
            SRV_PIDS=$ANCH_PID;;
        syncevo)
            "$SE_SRV" --dir "$sd" --port $((PORT_BASE + 3)) start >"$sd.start.log" 2>&1 || { cat "$sd.start.log" >&2; return 1; }
            SRV_PIDS="$(cat "$sd/run/syncevo-dbus-server.pid") $(cat "$sd/run/http.pid") $(cat "$sd/run/dbus.pid")";;
        horde)
            "$HORDE_SRV" --dir "$sd" --port $((PORT_BASE + 4)) --user test --password test start >"$sd.start.log" 2>&1 || { cat "$sd.start.log" >&2; return 1; }
            SRV_PIDS=$(cat "$sd/run/php.pid");;
    esac
}
stop_server() {
    local s=$1 sd=$2
    case "$s" in
        anchorage|anchorage21)
            if [ -n "$ANCH_PID" ]; then kill "$ANCH_PID" 2>/dev/null; wait "$ANCH_PID" 2>/dev/null; ANCH_PID=""; fi;;
        syncevo) "$SE_SRV" --dir "$sd" stop >/dev/null 2>&1;;
        horde) "$HORDE_SRV" --dir "$sd" stop >/dev/null 2>&1;;
    esac
}
CUR_SERVER="" CUR_SD=""
cleanup() { [ -n "$CUR_SERVER" ] && stop_server "$CUR_SERVER" "$CUR_SD"; }
trap cleanup EXIT
trap 'exit 130' INT TERM

# ---- preflight: can each peer run here? -------------------------------------
APT_UPDATED=0
preflight() { # server -> 0 if it starts (installing packages with its own script)
    local s=$1 sd="$BW/preflight-$1"
    rm -rf "$sd" "$sd.start.log"; mkdir -p "$sd"
    if start_server "$s" "$sd" 2>"$sd.err"; then stop_server "$s" "$sd"; return 0; fi
    stop_server "$s" "$sd"
    if [ "$(id -u)" = 0 ] && [ $APT_UPDATED = 0 ] && grep -qiE 'apt|Unable to locate|E: ' "$sd.start.log" "$sd.err" 2>/dev/null; then
        echo "bench-peer: $s: package installation failed; running apt-get update once and retrying" >&2
        apt-get update >/dev/null 2>&1; APT_UPDATED=1
        rm -rf "$sd"; mkdir -p "$sd"
        if start_server "$s" "$sd" 2>"$sd.err"; then stop_server "$s" "$sd"; return 0; fi
        stop_server "$s" "$sd"
    fi
    return 1
}
RUN_SERVERS=()
for s in $SERVERS; do
    case "$s" in anchorage|anchorage21|syncevo|horde) ;; *) echo "bench-peer: unknown server '$s'" >&2; exit 2;; esac
    if [ "$s" = syncevo ] && [ ! -x "$SE_SRV" ]; then echo "bench-peer: SKIPPING syncevo: $SE_SRV not found" >&2; continue; fi
    if [ "$s" = horde ] && [ ! -x "$HORDE_SRV" ]; then echo "bench-peer: SKIPPING horde: $HORDE_SRV not found" >&2; continue; fi
    if preflight "$s"; then
        RUN_SERVERS+=("$s")
    else
        echo "bench-peer: SKIPPING $s: it could not be started here (why: $BW/preflight-$s.start.log, $BW/preflight-$s.err):" >&2
        tail -n 5 "$BW/preflight-$s.start.log" "$BW/preflight-$s.err" 2>/dev/null | sed 's/^/bench-peer:   /' >&2
        [ "$(id -u)" != 0 ] && echo "bench-peer:   (not root: the peer scripts install their Debian packages with apt-get as root)" >&2
    fi
done
[ ${#RUN_SERVERS[@]} -gt 0 ] || { echo "bench-peer: no server could run" >&2; exit 1; }
echo "bench-peer: servers: ${RUN_SERVERS[*]}; N: ${NS[*]}; REPS=$REPS; CSV: $CSV"

# ---- one sync ---------------------------------------------------------------
run_op() { # server op dir mode devid [21: the vCard 2.1 source, md5 auth]
    local s=$1 op=$2 dir=$3 mode=$4 devid=$5
    local tf="$R/time-$s-$op.txt" b a out line ok
    client_args "$s"
    [ "${6:-}" = 21 ] && client21_args "$s"
    b=$(sum_ticks)
    out=$("$CLI" --dir "$dir" --url "$URL" --user test --password test --device-id "$devid" --source "$SRC" "${EXTRA[@]}" \
          --loglevel 1 --quiet --time-file "$tf" sync "$mode")
    sleep "$SETTLE"   # let the server reap helper processes so cutime is accounted
    a=$(sum_ticks)
    line=$(echo "$out" | grep "^SYNCML_SOURCE source=$SRC ")
    g() { echo "$line" | tr ' ' '\n' | sed -n "s/^$1=//p"; }
    ok=$(echo "$out" | sed -n 's/.*SYNCML_RESULT.* ok=\([a-z]*\).*/\1/p')
    printf '%s,%s,%s,%s,%s,%s,%s,%s,%.2f,%s,%s,%s,%s,%s,%s,%s,%s,%s\n' "$N" "$rep" "$s" "$op" \
        "$(wall "$tf")" "$(tval "$tf" 'User time (seconds)')" "$(tval "$tf" 'System time (seconds)')" \
        "$(tval "$tf" 'Maximum resident set size (kbytes)')" "$(echo "($a - $b) / $HZ" | bc -l)" \
        "$(g mode)" "$(g local_added)" "$(g local_updated)" "$(g remote_added)" "$(g remote_updated)" \
        "$(g sent_bytes)" "$(g received_bytes)" "${ok:-false}" "$(cut -d' ' -f1 /proc/loadavg)" | tee -a "$CSV"
    [ "$ok" = true ] || echo "bench-peer: $s $op failed: $(echo "$out" | grep '^SYNCML_RESULT')" >&2
}

# ---- e) and f): re-installed phones ------------------------------------------
run_reinstall() { # server
    local s=$1 UP RE F21
    case "$s" in anchorage|syncevo) ;; *) return 0;; esac
    R="$BW/n$N-r$rep-$s-reinstall"; rm -rf "$R"; mkdir -p "$R"
    SD="$R/server"; UP="up-$s-$N-$rep"; RE="re-$s-$N-$rep"; F21="f21-$s-$N-$rep"
    client_args "$s"
    CUR_SERVER=$s CUR_SD=$SD
    if ! start_server "$s" "$SD"; then echo "bench-peer: $s did not start (N=$N rep=$rep)" >&2; CUR_SERVER=""; return 0; fi
    if [ "$s" = syncevo ]; then
        local d; for d in "$UP" "$RE" "$F21"; do
            "$SE_SRV" --dir "$SD" --device-id "$d" --user test --password test add-client >/dev/null
        done
    fi
    mkdir -p "$R/up/$SRC" "$R/re/$SRC" "$R/f21/contacts21"
    cp "$SRCDIR"/*.vcf "$R/up/$SRC/"; cp "$SRCDIR"/*.vcf "$R/re/$SRC/"; cp "$FEWDIR"/*.vcf "$R/f21/contacts21/"
    "$CLI" --dir "$R/up" --url "$URL" --user test --password test --device-id "$UP" --source "$SRC" "${EXTRA[@]}" configure >/dev/null
    "$CLI" --dir "$R/re" --url "$URL" --user test --password test --device-id "$RE" --source "$SRC" "${EXTRA[@]}" configure >/dev/null
    client21_args "$s"
    "$CLI" --dir "$R/f21" --url "$URL" --user test --password test --device-id "$F21" --source "$SRC" "${EXTRA[@]}" configure >/dev/null
    client_args "$s"
    "$CLI" --dir "$R/up" --url "$URL" --user test --password test --device-id "$UP" --source "$SRC" "${EXTRA[@]}" \
        --loglevel 1 --quiet sync slow | grep -q 'SYNCML_RESULT.* ok=true' || echo "bench-peer: $s: the upload before e) failed" >&2
    sleep "$SETTLE"
    run_op "$s" e_reinstall_same "$R/re" slow "$RE"
    dup_check "$s" e_reinstall_same "$R/re/$SRC"
    run_op "$s" f_reinstall_fewer21 "$R/f21" slow "$F21" 21
    dup_check "$s" f_reinstall_fewer21 "$R/f21/contacts21"
    stop_server "$s" "$SD"; CUR_SERVER=""
    rm -rf "$R/up/$SRC" "$R/re/$SRC" "$R/f21/contacts21"
}

# ---- the run ----------------------------------------------------------------
for N in "${NS[@]}"; do
    SRCDIR="$BW/src-$N"
    [ -d "$SRCDIR" ] || python3 "$CONF/peer-bench/gen_vcards.py" "$N" "$SRCDIR" >/dev/null
    FEWDIR="$BW/fewer-$N"
    has_case reinstall && { [ -d "$FEWDIR" ] || fewer_fields "$SRCDIR" "$FEWDIR"; }
    for rep in $(seq 1 "$REPS"); do
        for s in "${RUN_SERVERS[@]}"; do
            has_case reinstall && run_reinstall "$s"
            has_case basic || continue
            R="$BW/n$N-r$rep-$s"; rm -rf "$R"; mkdir -p "$R"
            SD="$R/server"; UP="up-$s-$N-$rep"; DL="dl-$s-$N-$rep"
            client_args "$s"
            CUR_SERVER=$s CUR_SD=$SD
            if ! start_server "$s" "$SD"; then echo "bench-peer: $s did not start (N=$N rep=$rep)" >&2; CUR_SERVER=""; continue; fi
            if [ "$s" = syncevo ]; then
                "$SE_SRV" --dir "$SD" --device-id "$UP" --user test --password test add-client >/dev/null
                "$SE_SRV" --dir "$SD" --device-id "$DL" --user test --password test add-client >/dev/null
            fi
            mkdir -p "$R/up/$SRC"; cp "$SRCDIR"/*.vcf "$R/up/$SRC/"
            "$CLI" --dir "$R/up" --url "$URL" --user test --password test --device-id "$UP" --source "$SRC" "${EXTRA[@]}" configure >/dev/null
            "$CLI" --dir "$R/dl" --url "$URL" --user test --password test --device-id "$DL" --source "$SRC" "${EXTRA[@]}" configure >/dev/null
            run_op "$s" a_slow_upload "$R/up" slow "$UP"
            sleep 1.1; f=$(ls "$R/up/$SRC" | head -1); sed -i 's/^NOTE:.*/NOTE:changed/' "$R/up/$SRC/$f"
            run_op "$s" b_twoway_1change "$R/up" two-way "$UP"
            run_op "$s" c_twoway_0change "$R/up" two-way "$UP"
            run_op "$s" d_refresh_from_server "$R/dl" refresh-from-server "$DL"
            stop_server "$s" "$SD"; CUR_SERVER=""
            rm -rf "$R/up/$SRC" "$R/dl/$SRC"   # N files each; the logs and server dirs stay
        done
    done
done

echo
python3 "$ROOT/scripts/bench-peer-table.py" "$CSV" "$DUPS" | tee "$BW/table.md"
echo "bench-peer: raw rows in $CSV, table in $BW/table.md"
