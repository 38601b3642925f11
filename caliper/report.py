#!/usr/bin/env python3
"""Caliper's summary table and the project driver's JSON, side by side, as Markdown.

usage: report.py CALIPER_LOG DRIVER_JSON LOADS DURATION NOTE

Both drivers measured the same two workloads (Baseline:write and refillMeter) at the same loads on the same network
in one run; the comparison that matters is each driver's refill tx/s as a ratio to its own baseline put.
"""
import datetime
import json
import os
import re
import sys


def caliper_rows(log_text):
    """The last summary row Caliper printed for each round label (it prints each round's table, then all)."""
    rows = {}
    for line in log_text.splitlines():
        cells = [c.strip() for c in line.strip().strip('|').split('|')]
        if len(cells) != 8 or cells[0] in ('Name', '') or not re.match(r'^\d+$', cells[1]):
            continue
        name, succ, fail, send, max_lat, min_lat, avg_lat, tps = cells
        rows[name] = {
            'succ': int(succ), 'fail': int(fail), 'send': float(send), 'max': float(max_lat),
            'min': float(min_lat), 'avg': float(avg_lat), 'tps': float(tps),
        }
    return rows


def driver_rows(report):
    rows = {}
    for level in report.get('levels', []):
        r = level['result']
        rows[f"{r['scenario']} {r['concurrency']}"] = r
    return rows


def ratio(a, b):
    return f"{a / b:.2f}" if b else "n/a"


def main():
    log_file, driver_file, loads, duration, note = sys.argv[1:6]
    with open(log_file, encoding='utf-8') as f:
        caliper = caliper_rows(f.read())
    with open(driver_file, encoding='utf-8') as f:
        driver = driver_rows(json.load(f))
    loads = [int(x) for x in loads.split(',')]
    mem_gib = os.sysconf('SC_PAGE_SIZE') * os.sysconf('SC_PHYS_PAGES') / 2**30
    out = []
    out.append(f"# Caliper beside the project's driver ({datetime.datetime.now(datetime.timezone.utc):%Y-%m-%d %H:%M} UTC)")
    out.append("")
    out.append(f"Machine: {os.cpu_count()} cores, {mem_gib:.0f} GiB; the network (5 Fabric CAs, 1 Raft orderer, 4 peers, "
               f"the chaincode service) on the same cores as both drivers. Rounds of {duration} s at each load, "
               "the baseline put (`Baseline:write`) and the refill (`PostalLedgerContract:refillMeter`) one after the "
               "other, signed by the same DataCenter identity through the DataCenter peer's gateway.")
    if note:
        out.append("")
        out.append(f"Note: {note}")
    out.append("")
    out.append("Caliper 0.6.0 (`fabric:2.4` binding, `--caliper-fabric-gateway-enabled`, 2 workers, fixed-load rate "
               "control) reports average and maximum latency; the project's driver reports percentiles.")
    out.append("")
    out.append("| load | driver | put tx/s | refill tx/s | refill × put | put latency s | refill latency s | failed (put / refill) |")
    out.append("|---|---|---|---|---|---|---|---|")
    for load in loads:
        put, refill = caliper.get(f"baseline put {load}"), caliper.get(f"refill {load}")
        if put and refill:
            out.append(f"| {load} | Caliper | {put['tps']:.1f} | {refill['tps']:.1f} | {ratio(refill['tps'], put['tps'])} "
                       f"| avg {put['avg']:.2f}, max {put['max']:.2f} | avg {refill['avg']:.2f}, max {refill['max']:.2f} "
                       f"| {put['fail']} / {refill['fail']} |")
        else:
            out.append(f"| {load} | Caliper | missing | missing | | | | |")
        put, refill = driver.get(f"baseline put {load}"), driver.get(f"refill {load}")
        if put and refill:
            failed = lambda r: sum(r.get('failures', {}).values()) if isinstance(r.get('failures'), dict) else r.get('failures', 0)
            out.append(f"| {load} | NetworkBench | {put['committedPerSecond']:.1f} | {refill['committedPerSecond']:.1f} "
                       f"| {ratio(refill['committedPerSecond'], put['committedPerSecond'])} "
                       f"| p50 {put['p50Millis'] / 1000:.2f}, p99 {put['p99Millis'] / 1000:.2f} "
                       f"| p50 {refill['p50Millis'] / 1000:.2f}, p99 {refill['p99Millis'] / 1000:.2f} "
                       f"| {failed(put)} / {failed(refill)} |")
        else:
            out.append(f"| {load} | NetworkBench | missing | missing | | | | |")
    out.append("")
    print("\n".join(out))


if __name__ == '__main__':
    main()
