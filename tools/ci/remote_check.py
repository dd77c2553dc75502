#!/usr/bin/env python3
"""Checks that a `bazel test --config=remote` run really executed remotely,
and prints the shard timing table with the wall time N executors would take.

Usage: remote_check.py BAZEL_OUTPUT_LOG TESTLOGS_DIR

Fails (exit 1) when Bazel's process summary ("INFO: 41 processes: 1
internal, 40 remote.") shows no remote process, or shows any process run by
a local strategy (processwrapper-sandbox, linux-sandbox, local, worker):
with --config=remote nothing may silently run on this machine.

The scaling estimate is arithmetic from the measured per-shard times:
longest-processing-time-first list scheduling of every shard onto N
identical executors (a 4/3-approximation of the optimum), floored by the
longest single shard, which no number of executors can beat.
"""
import os
import re
import sys
import xml.etree.ElementTree as ET

SUMMARY = re.compile(r"INFO: (\d+) processes?: (.*)\.$")
LOCAL_STRATEGIES = ("processwrapper-sandbox", "linux-sandbox", "sandbox", "local", "worker", "standalone")


def process_summary(log):
    """{strategy: count} from the last process summary line, or None."""
    found = None
    with open(log, errors="replace") as f:
        for line in f:
            m = SUMMARY.search(line.strip())
            if m:
                found = {}
                for part in m.group(2).split(","):
                    n, _, kind = part.strip().partition(" ")
                    if n.isdigit():
                        found[kind.strip()] = found.get(kind.strip(), 0) + int(n)
    return found


TARGET = re.compile(r"^(//\S+)\s+(PASSED|FAILED|TIMEOUT|FLAKY)\b")


def targets_run(log):
    """The test targets this run reported, as testlogs-relative folders."""
    with open(log, errors="replace") as f:
        return {m.group(1)[2:].replace(":", "/") for m in map(TARGET.match, map(str.strip, f)) if m}


def shard_times(testlogs, targets):
    """[(target/shard, seconds)] from the test.xml of each target's shards."""
    rows = []
    for root, _, files in os.walk(testlogs):
        rel = os.path.relpath(root, testlogs)
        if not any(rel == t or rel.startswith(t + "/") for t in targets):
            continue
        if "test.xml" not in files:
            continue
        try:
            suite = ET.parse(os.path.join(root, "test.xml")).getroot()
        except ET.ParseError:
            continue
        t = suite.get("time")
        if t is None:
            t = sum(float(s.get("time", 0)) for s in suite.iter("testsuite"))
        rows.append((os.path.relpath(root, testlogs), float(t)))
    return sorted(rows)


def lpt_wall(times, executors):
    loads = [0.0] * executors
    for t in sorted(times, reverse=True):
        i = loads.index(min(loads))
        loads[i] += t
    return max(loads)


def main():
    log, testlogs = sys.argv[1], sys.argv[2]
    summary = process_summary(log)
    if summary is None:
        print("remote check: no process summary in the log", file=sys.stderr)
        return 1
    remote = summary.get("remote", 0)
    local = {k: v for k, v in summary.items() if k in LOCAL_STRATEGIES or k.endswith("sandbox")}
    print(f"remote check: process summary {summary}")
    rows = shard_times(testlogs, targets_run(log))
    if rows:
        print(f"{'shard':70s} {'seconds':>8s}")
        for name, t in rows:
            print(f"{name:70s} {t:8.1f}")
        times = [t for _, t in rows]
        total = sum(times)
        print(f"{len(rows)} test actions, {total:.1f} s of test time in all, longest {max(times):.1f} s")
        for n in (1, 2, 4, 8, 16, 32, 64):
            print(f"  {n:3d} executors: about {lpt_wall(times, n):7.1f} s of test wall time")
    if remote == 0:
        print("remote check: FAILED: no action ran remotely", file=sys.stderr)
        return 1
    if local:
        print(f"remote check: FAILED: actions ran locally: {local}", file=sys.stderr)
        return 1
    print(f"remote check: {remote} actions ran remotely, none locally")
    return 0


if __name__ == "__main__":
    sys.exit(main())
