#!/usr/bin/env bash
# The whole path of a runtime author, as a test: the suite against
# pythreads (a driver outside the tree, in Python), with one command and no
# edits to the project, judged against its expectations file; then the
# report is read back: one entry per scenario of the suite, no new failure,
# no unexpected pass, the runtime's identity recorded.
set -uo pipefail
root=${RUNFILES_DIR:-$TEST_SRCDIR}/goconform
reports=${TEST_TMPDIR:-/tmp}/reports

"$root/tools/conform" --driver="$root/examples/python_driver/pythreads_driver.py" --name=pythreads \
  --expectations="$root/examples/python_driver/pythreads.txt" --report-dir="$reports" -j 2
rc=$?
[ "$rc" = 0 ] || { echo "FAIL: conform exited $rc (a new failure or unexpected pass against pythreads.txt, or a broken driver)"; exit 1; }

python3 - "$reports" "$root/conformance/scenarios" <<'PY'
import json, os, sys
reports, scenarios = sys.argv[1], sys.argv[2]
run = json.load(open(os.path.join(reports, "pythreads.json")))
junit = open(os.path.join(reports, "pythreads.junit.xml")).read()
files = sorted(os.path.join(d, f) for d, _, fs in os.walk(scenarios) for f in fs if f.endswith(".scn"))
problems = []
def check(ok, why):
    if not ok: problems.append(why)
check(run["runtime"] == "pythreads", "runtime is " + run["runtime"])
check(len(run["scenarios"]) == len(files) > 50, f"{len(run['scenarios'])} scenarios in the report, {len(files)} in the suite")
check(f'tests="{len(files)}"' in junit, "the JUnit report does not count every scenario")
check(run["summary"]["problems"] == 0, f"{run['summary']['problems']} problems")
check(run["summary"]["clauses_passed"] > 45, f"only {run['summary']['clauses_passed']} clauses passed")
check(any(i.startswith("pythreads ") for i in run["identity"]), "no identity line")
check(run["families"].get("deadlock") == "absent", "families not recorded")
verdicts = {s["verdict"] for s in run["scenarios"]}
# Besides passes and what it lacks, pythreads may only fail where its
# expectations file says so: scenarios in statements it does not parse yet
# (category language), and IMPL clauses.
check(verdicts <= {"pass", "unsupported", "expected-failure", "flaky", "impl-differs"}, f"verdicts {sorted(verdicts)}")
known = {}
for line in open(os.path.join(os.path.dirname(scenarios), "..", "examples", "python_driver", "pythreads.txt")):
    parts = [p.strip() for p in line.split("|")]
    if len(parts) == 4 and not line.startswith("#"):
        known[parts[0]] = parts[2]
for s in run["scenarios"]:
    if s["verdict"] == "expected-failure":
        check(known.get(s["file"]) == "language", s["file"] + " fails for a reason other than the language lag")
for s in run["scenarios"]:
    if s["verdict"] == "unsupported":
        check(s.get("known") is not None, s["file"] + " is unsupported but not in pythreads.txt")
print(f"{len(run['scenarios'])} scenarios, {run['summary']['clauses_passed']} clauses passed, "
      f"{run['summary']['clauses_unsupported']} unsupported")
for p in problems: print("FAIL:", p)
sys.exit(1 if problems else 0)
PY
