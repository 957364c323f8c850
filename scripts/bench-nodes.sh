#!/usr/bin/env bash
# bench-nodes.sh - Anchorage on one PostgreSQL with 1, 2 and 3 nodes behind a
# round-robin proxy, against one process on SQLite (issue 18's benchmarks).
#
#   scripts/bench-nodes.sh                     make bench-nodes [NODES="1 2 3"]
#
# Starts its own PostgreSQL cluster under $BENCH_WORK (initdb and pg_ctl from
# /usr/lib/postgresql/*/bin, as the postgres user when run as root; default
# settings, fsync on, pg_stat_statements loaded) and builds the binaries.
# The users are created once, in a base database (and a base SQLite
# directory); each run gets a fresh copy (CREATE DATABASE ... TEMPLATE, cp -a).
#
# Per run, cmd/anchorage-load (md5 auth, one user and one loopback source
# address per device; basic auth would add a bcrypt per user on every node
# until each node's credential cache is warm): phase 1 is
# every device's first slow sync of ITEMS contacts, phase 2 two-way syncs for
# DURATION (10 % with one Replace). --nodes N starts N serve processes on the
# database behind the tool's own round-robin proxy (consecutive messages of a
# session go to different nodes). Reported per phase: sessions/s, latency per
# message and per session, the nodes' CPU, PostgreSQL's CPU (postmaster and
# backends, --db-pid), statements and commits per session (pg_stat_statements,
# pg_stat_database, --pg-stats) and write transactions per session
# (anchorage_store_transaction_duration_seconds from every node's /metrics).
#
# Then:
#   lock hold   a 2-node run with every statement logged (log_min_duration_statement=0
#               on that database only): per backend, from the completion of the first
#               statement that locks a datastore's row or its lease row (FOR UPDATE,
#               the datastore or lease upsert, the lease release) to the end of the
#               transaction's COMMIT, summed over phase 2 and divided by its sessions
#   upload      one device slow-uploads UPLOAD contacts (md5, 200 per message),
#               SQLite against PostgreSQL: the server's and the database's CPU
#
# Environment: BENCH_WORK (default /tmp/anchorage-bench-nodes, emptied), NODES
# ("1 2 3"), DEVICES (200), CONC (16), ITEMS (20), DURATION (20s), UPLOAD (5000).
# Results: $BENCH_WORK/*.out (the tool's report), *.json, summary.md.
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
BW=${BENCH_WORK:-/tmp/anchorage-bench-nodes}
NODES=${NODES:-"1 2 3"}
DEVICES=${DEVICES:-200}
CONC=${CONC:-16}
ITEMS=${ITEMS:-20}
DURATION=${DURATION:-20s}
UPLOAD=${UPLOAD:-5000}
PW=load-pw

PGBIN=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1)
if [ -z "$PGBIN" ] || [ ! -x "$PGBIN/initdb" ]; then
    echo "bench-nodes: PostgreSQL is not installed (no initdb under /usr/lib/postgresql/*/bin): apt-get install postgresql" >&2
    exit 2
fi
rm -rf "$BW"
mkdir -p "$BW/pg"
BW=$(cd "$BW" && pwd)
AS=()
if [ "$(id -u)" = 0 ]; then
    AS=(runuser -u postgres --) # PostgreSQL refuses to run as root
    chown postgres "$BW/pg"
fi

echo "bench-nodes: building into $BW"
(cd "$ROOT" && go build -o "$BW/anchorage" ./cmd/anchorage && go build -o "$BW/anchorage-load" ./cmd/anchorage-load)
BIN=$BW/anchorage
LOAD=$BW/anchorage-load

PORT=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
"${AS[@]}" "$PGBIN/initdb" -D "$BW/pg/data" -U postgres -A trust -E UTF8 --locale=C >/dev/null
"${AS[@]}" "$PGBIN/pg_ctl" start -w -D "$BW/pg/data" -l "$BW/pg/log" -o "-k $BW/pg -c listen_addresses=127.0.0.1 -p $PORT \
 -c max_connections=300 -c shared_preload_libraries=pg_stat_statements -c log_timezone=UTC \
 -c log_line_prefix='%m [%p] %d '" >/dev/null
stop() { "${AS[@]}" "$PGBIN/pg_ctl" stop -w -D "$BW/pg/data" -m fast >/dev/null || true; }
trap stop EXIT
POSTMASTER=$(head -1 "$BW/pg/data/postmaster.pid")
psql() { "${AS[@]}" "$PGBIN/psql" -h 127.0.0.1 -p "$PORT" -U postgres -X -q -v ON_ERROR_STOP=1 "$@"; }
url() { echo "postgres://postgres@127.0.0.1:$PORT/$1?sslmode=disable"; }
loadavg() { cut -d' ' -f1-3 /proc/loadavg; }

# The users, once: user NNNN is load-NNNN (anchorage-load's per-device names).
adduser() { printf '%s\n' "$PW" | "$BIN" user add --data "$1" "$2" >/dev/null; }
export -f adduser
export BIN PW
psql -c "CREATE DATABASE base"
psql -d base -c "CREATE EXTENSION pg_stat_statements"
mkdir -p "$BW/sqlite-base"
echo "bench-nodes: creating $DEVICES users ($(loadavg))"
adduser "$(url base)" load-0000
adduser "$BW/sqlite-base" load-0000
for i in $(seq 1 $((DEVICES - 1))); do printf 'load-%04d\n' "$i"; done |
    xargs -P 2 -I{} bash -c 'adduser "$0" {} && adduser "$1" {}' "$(url base)" "$BW/sqlite-base"

common=(--server-bin "$BIN" --create-users=false --devices "$DEVICES" --concurrency "$CONC" --items "$ITEMS"
    --duration "$DURATION" --change-share 0.1 --auth md5 --source-addresses "$DEVICES")

run_sqlite() {
    cp -a "$BW/sqlite-base" "$BW/sqlite"
    echo "bench-nodes: sqlite ($(loadavg))"
    "$LOAD" "${common[@]}" --data "$BW/sqlite" --json "$BW/sqlite.json" >"$BW/sqlite.out" 2>&1
    echo "load1 after: $(loadavg)" >>"$BW/sqlite.out"
}

run_pg() { # run_pg NAME NODES [extra psql setting]
    psql -c "CREATE DATABASE $1 TEMPLATE base"
    [ -z "${3:-}" ] || psql -c "ALTER DATABASE $1 SET $3"
    echo "bench-nodes: postgres $1, $2 node(s) ($(loadavg))"
    "$LOAD" "${common[@]}" --data "$(url "$1")" --nodes "$2" --db-pid "$POSTMASTER" --pg-stats "$(url "$1")" \
        --json "$BW/$1.json" >"$BW/$1.out" 2>&1
    echo "load1 after: $(loadavg)" >>"$BW/$1.out"
}

run_sqlite
for n in $NODES; do run_pg "pg$n" "$n"; done
run_pg lockhold 2 "log_min_duration_statement = 0"

echo "bench-nodes: slow upload of $UPLOAD contacts ($(loadavg))"
upload=(--server-bin "$BIN" --devices 1 --concurrency 1 --items "$UPLOAD" --max-items-per-msg 200 --auth md5
    --slow-only --user up --device-prefix up-dev-)
"$LOAD" "${upload[@]}" --data "$BW/sqlite-upload" --json "$BW/upload-sqlite.json" >"$BW/upload-sqlite.out" 2>&1
psql -c "CREATE DATABASE upload"
"$LOAD" "${upload[@]}" --data "$(url upload)" --db-pid "$POSTMASTER" --json "$BW/upload-pg.json" >"$BW/upload-pg.out" 2>&1

python3 "$ROOT/scripts/bench-nodes-table.py" "$BW" "$BW/pg/log" | tee "$BW/summary.md"
