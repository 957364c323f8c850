#!/usr/bin/env python3
"""bench-peer-table.py CSV [DUPCHECK_CSV] - markdown tables from scripts/bench-peer.sh's CSV:
medians per (N, operation, server) and the ratios Anchorage/Horde (anchorage21
vs horde: both vCard 2.1 + basic auth) and Anchorage/SyncEvolution (anchorage vs
syncevo: both vCard 3.0 + md5 auth) per operation; with DUPCHECK_CSV, the contacts
server and phone hold after each re-installed phone's slow sync (e, f)."""
import os
import csv
import statistics as st
import sys
from collections import defaultdict

ORDER = ["anchorage", "anchorage21", "syncevo", "horde"]
rows = defaultdict(list)
for r in csv.DictReader(open(sys.argv[1])):
    rows[(int(r["n"]), r["op"], r["server"])].append(r)


def med(rs, key):
    return st.median(float(r[key] or 0) for r in rs)


def client_cpu(rs):
    return st.median(float(r["client_user_s"] or 0) + float(r["client_sys_s"] or 0) for r in rs)


has_load = any("load1" in rs[0] and rs[0]["load1"] for rs in rows.values())
print("| N | operation | server | runs | ok | wall s (median) | wall min-max | server CPU s (median) | server CPU min-max "
      "| client CPU s | KB up | KB down |" + (" load1 max |" if has_load else ""))
print("|---|---|---|---|---|---|---|---|---|---|---|---|" + ("---|" if has_load else ""))
keys = sorted(rows, key=lambda k: (k[0], k[1], ORDER.index(k[2]) if k[2] in ORDER else 99))
for n, op, srv in keys:
    rs = rows[(n, op, srv)]
    w = [float(r["wall_s"] or 0) for r in rs]
    c = [float(r["server_cpu_s"] or 0) for r in rs]
    oks = sum(r["ok"] == "true" for r in rs)
    print(f"| {n} | {op} | {srv} | {len(rs)} | {oks}/{len(rs)} | {st.median(w):.2f} | {min(w):.2f}-{max(w):.2f} | "
          f"{st.median(c):.2f} | {min(c):.2f}-{max(c):.2f} | {client_cpu(rs):.2f} | "
          f"{med(rs, 'sent_bytes') / 1000:.0f} | {med(rs, 'received_bytes') / 1000:.0f} |"
          + (f" {max(float(r.get('load1') or 0) for r in rs):.1f} |" if has_load else ""))


def ratio(a, b):
    if b == 0:
        return "n/a (peer 0.00)" if a > 0 else "n/a (both 0.00)"
    return f"{a / b:.2f}"


print()
print("Ratios of medians (< 1: Anchorage cheaper/faster). Anchorage/Horde compares anchorage21 with horde "
      "(vCard 2.1, basic auth); Anchorage/SyncEvolution compares anchorage with syncevo (vCard 3.0, md5 auth).")
print()
print("| N | operation | server CPU Anchorage/Horde | wall Anchorage/Horde | server CPU Anchorage/SyncEvolution | wall Anchorage/SyncEvolution |")
print("|---|---|---|---|---|---|")
for n, op in sorted({(k[0], k[1]) for k in rows}):
    cells = []
    for ours, peer in (("anchorage21", "horde"), ("anchorage", "syncevo")):
        a, p = rows.get((n, op, ours)), rows.get((n, op, peer))
        if not a or not p:
            cells += ["-", "-"]
            continue
        cells.append(f"{ratio(med(a, 'server_cpu_s'), med(p, 'server_cpu_s'))} "
                     f"({med(a, 'server_cpu_s'):.2f}/{med(p, 'server_cpu_s'):.2f})")
        cells.append(f"{ratio(med(a, 'wall_s'), med(p, 'wall_s'))} ({med(a, 'wall_s'):.2f}/{med(p, 'wall_s'):.2f})")
    print(f"| {n} | {op} | " + " | ".join(cells) + " |")

if len(sys.argv) > 2 and os.path.exists(sys.argv[2]):
    checks = list(csv.DictReader(open(sys.argv[2])))
    if checks:
        print()
        print("Duplicate check after the re-installed phones' slow syncs (each must hold N: zero duplicates, nothing lost).")
        print()
        print("| N | operation | server | runs | contacts on the server | contacts on the phone | zero duplicates |")
        print("|---|---|---|---|---|---|---|")
        groups = defaultdict(list)
        for r in checks:
            groups[(int(r["n"]), r["op"], r["server"])].append(r)
        for n, op, srv in sorted(groups, key=lambda k: (k[0], k[1], ORDER.index(k[2]) if k[2] in ORDER else 99)):
            rs = groups[(n, op, srv)]
            si = "/".join(sorted({r["server_items"] for r in rs}))
            pi = "/".join(sorted({r["phone_items"] for r in rs}))
            ok = sum(r["ok"] == "true" for r in rs)
            print(f"| {n} | {op} | {srv} | {len(rs)} | {si} | {pi} | {'yes' if ok == len(rs) else f'no ({ok}/{len(rs)} runs)'} |")
