#!/usr/bin/env python3
"""Counts test cases from one `bazel test` run.

Usage: count_results.py BAZEL_OUTPUT_LOG TESTLOGS_DIR LABEL

Reads the per-target status lines Bazel printed (PASSED, FAILED, TIMEOUT,
FLAKY, FAILED TO BUILD, NO STATUS) and, for targets that ran, the GoogleTest
cases in their test.xml. A target that did not run, or ran without an XML,
counts as one failed case. Prints "passed failed" on stdout and the failures
on stderr.
"""
import os
import re
import sys
import xml.etree.ElementTree as ET

STATUS = re.compile(r"^(//\S+)\s+(PASSED|FAILED|TIMEOUT|FLAKY|FAILED TO BUILD|NO STATUS|SKIPPED)\b")


def cases_in(xml_path):
    passed = failed = 0
    failures = []
    try:
        root = ET.parse(xml_path).getroot()
    except (ET.ParseError, OSError):
        return None
    for case in root.iter("testcase"):
        if case.get("status") == "notrun" or case.find("skipped") is not None:
            continue
        if case.find("failure") is not None or case.find("error") is not None:
            failed += 1
            failures.append(f"{case.get('classname')}.{case.get('name')}")
        else:
            passed += 1
    return passed, failed, failures


def main():
    log, testlogs, label = sys.argv[1], sys.argv[2], sys.argv[3]
    passed = failed = 0
    with open(log, errors="replace") as f:
        lines = f.read().splitlines()
    for line in lines:
        m = STATUS.match(line.strip())
        if not m:
            continue
        target, status = m.group(1), m.group(2)
        if status == "SKIPPED":
            continue
        pkg, _, name = target[2:].partition(":")
        shard_xmls = []
        base = os.path.join(testlogs, pkg, name)
        if os.path.isdir(base):
            for root, _, files in os.walk(base):
                shard_xmls += [os.path.join(root, f) for f in files if f == "test.xml"]
        counted = None
        if status in ("PASSED", "FAILED", "FLAKY") and shard_xmls:
            counted = [0, 0, []]
            for x in shard_xmls:
                r = cases_in(x)
                if r is None:
                    counted = None
                    break
                counted[0] += r[0]
                counted[1] += r[1]
                counted[2] += r[2]
        if counted is None or (counted[0] + counted[1] == 0):
            ok = status in ("PASSED", "FLAKY")
            passed += ok
            failed += not ok
            if not ok:
                print(f"[{label}] {target}: {status}", file=sys.stderr)
            continue
        if status == "FAILED" and counted[1] == 0:
            counted[1] = 1  # crashed after its cases, or a timeout mid-case
            counted[2].append("(target failed outside a test case)")
        passed += counted[0]
        failed += counted[1]
        for name in counted[2]:
            print(f"[{label}] {target}: {name}", file=sys.stderr)
    print(passed, failed)


if __name__ == "__main__":
    main()
