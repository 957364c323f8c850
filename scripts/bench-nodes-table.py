#!/usr/bin/env python3
"""Tables of scripts/bench-nodes.sh: bench-nodes-table.py BENCH_WORK PG_LOG

Reads the JSON reports of cmd/anchorage-load in BENCH_WORK and, for the
lock hold time, PostgreSQL's statement log of the "lockhold" run.
"""
import datetime
import json
import os
import re
import sys


def load(work, name):
    path = os.path.join(work, name + ".json")
    if not os.path.exists(path):
        return None
    with open(path) as f:
        return json.load(f)


def ms(ns):
    return "%.1f" % (ns / 1e6)


def phase(report, i):
    phases = report.get("phases") or []
    return phases[i] if len(phases) > i else None


def per_session(total, sessions):
    return total / max(1, sessions)


def fast_table(work):
    rows = [("SQLite, 1 process", "sqlite")]
    for n in (1, 2, 3):
        rows.append(("PostgreSQL, %d node%s" % (n, "" if n == 1 else "s"), "pg%d" % n))
    print("| store | sessions/s | message p50 / p99 (ms) | session p99 (ms) | nodes' CPU per session (ms) "
          "| PostgreSQL CPU per session (ms) | statements per session | commits per session "
          "| write transactions per session, ms each | errors |")
    print("|---|---|---|---|---|---|---|---|---|---|")
    for label, name in rows:
        r = load(work, name)
        p = r and phase(r, 1)
        if not p:
            continue
        ok = p["OK"]
        db = p.get("Database") or {}
        wt = p.get("WriteTx") or {}
        stmts = "-" if not db or db.get("Statements", -1) < 0 else "%.1f" % per_session(db["Statements"], ok)
        commits = "-" if not db else "%.1f" % per_session(db["Commits"], ok)
        pgcpu = "-" if p.get("DatabaseCPU", -1) < 0 else "%.2f" % (per_session(p["DatabaseCPU"], ok) / 1e6)
        wtx = "-"
        if wt.get("Count"):
            wtx = "%.2f, %.2f" % (wt["Count"] / max(1, ok), 1000 * wt["Seconds"] / wt["Count"])
        print("| %s | %.0f | %s / %s | %s | %.2f | %s | %s | %s | %s | %d |" % (
            label, p["PerSecond"], ms(p["Latency"]["P50"]), ms(p["Latency"]["P99"]), ms(p["Session"]["P99"]),
            per_session(p["ServerCPU"], ok) / 1e6, pgcpu, stmts, commits, wtx, p["Failed"]))


# Statements that lock a datastore's row or its lease row until commit.
LOCKS = re.compile(r"FOR UPDATE|INSERT INTO DATASTORES\b|UPDATE DATASTORES\b|"
                   r"INSERT INTO DATASTORE_LEASES|DELETE FROM DATASTORE_LEASES")
RECORD = re.compile(r"^(\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d{3}) UTC \[(\d+)\] (\S*) ")


def records(log, db):
    """Statement log records of database db: (time, pid, text)."""
    cur = None
    with open(log, errors="replace") as f:
        for line in f:
            m = RECORD.match(line)
            if m:
                if cur and cur[2] == db:
                    yield cur[0], cur[1], cur[3]
                ts = datetime.datetime.strptime(m.group(1), "%Y-%m-%d %H:%M:%S.%f").replace(
                    tzinfo=datetime.timezone.utc)
                cur = [ts, m.group(2), m.group(3), line[m.end():]]
            elif cur:
                cur[3] += line
    if cur and cur[2] == db:
        yield cur[0], cur[1], cur[3]


def parse_time(s):
    """A Go time in RFC 3339 (UTC, nanoseconds) as a datetime."""
    m = re.match(r"(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d)(?:\.(\d+))?Z$", s)
    t = datetime.datetime.strptime(m.group(1), "%Y-%m-%dT%H:%M:%S").replace(tzinfo=datetime.timezone.utc)
    return t + datetime.timedelta(microseconds=int((m.group(2) or "0")[:6].ljust(6, "0")))


def lock_hold(work, log):
    r = load(work, "lockhold")
    p = r and phase(r, 1)
    if not p or not os.path.exists(log):
        return
    start = parse_time(p["Start"])
    end = start + datetime.timedelta(microseconds=p["Elapsed"] / 1000)
    held, locked, txs, total = {}, 0.0, 0, 0.0
    for ts, pid, text in records(log, "lockhold"):
        if not (start <= ts <= end) or "duration:" not in text:
            continue
        m = re.search(r"duration: ([\d.]+) ms  (\w+)", text)
        if not m:
            continue
        kind = m.group(2)  # statement (simple protocol), execute, parse, bind
        upper = text.upper()
        if kind in ("statement", "execute") and LOCKS.search(upper) and pid not in held:
            held[pid] = ts
        elif kind == "statement" and re.search(r"\b(COMMIT|ROLLBACK)\b", upper):
            if pid in held:
                total += (ts - held.pop(pid)).total_seconds()
                txs += 1
    ok = p["OK"]
    print()
    print("Lock hold (2 nodes, every statement logged, phase 2: %d sessions at %.0f/s): %d row-locking transactions, "
          "%.2f per session; held %.2f ms per transaction, %.2f ms per session" % (
              ok, p["PerSecond"], txs, txs / max(1, ok), 1000 * total / max(1, txs), 1000 * total / max(1, ok)))


def upload_table(work):
    print()
    print("| slow upload, 1 device | contacts | wall s | nodes' CPU s | PostgreSQL CPU s | total CPU ms per contact |")
    print("|---|---|---|---|---|---|")
    for label, name in (("SQLite", "upload-sqlite"), ("PostgreSQL", "upload-pg")):
        r = load(work, name)
        p = r and phase(r, 0)
        if not p:
            continue
        n = r["items"]
        db = p.get("DatabaseCPU", -1)
        total = p["ServerCPU"] + max(0, db)
        print("| %s | %d | %.2f | %.2f | %s | %.3f |" % (
            label, n, p["Elapsed"] / 1e9, p["ServerCPU"] / 1e9, "-" if db < 0 else "%.2f" % (db / 1e9),
            total / 1e6 / max(1, n)))


def main():
    work, log = sys.argv[1], sys.argv[2]
    fast_table(work)
    lock_hold(work, log)
    upload_table(work)


if __name__ == "__main__":
    main()
