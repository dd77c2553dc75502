#!/usr/bin/env bash
# Runs the anchor workloads on Go gc, gccgo and the reference runtime in one
# job, side by side, and prints each ratio ours/Go gc.
# Usage: bench/compare.sh [GOMAXPROCS...]   (default: 1 2)
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
anchors=${ANCHORS:-$root/../shared/anchors}
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
procs=("$@"); [ ${#procs[@]} -gt 0 ] || procs=(1 2)

(cd "$anchors/go" && GOCACHE="$out/gocache" GOFLAGS=-mod=mod GOPROXY=off go build -o "$out/gc_bench" . \
   && gccgo -O2 -o "$out/gccgo_bench" main.go)
(cd "$root" && bazel build -c opt //bench:runtime_bench >/dev/null 2>&1)
ours="$(cd "$root" && bazel info -c opt bazel-bin 2>/dev/null)/bench/runtime_bench"

for p in "${procs[@]}"; do
  "$out/gc_bench" "$p" > "$out/gc_$p.txt"
  "$out/gccgo_bench" "$p" > "$out/gccgo_$p.txt"
done
# Parked runs in a fresh process: earlier workloads leave pooled stacks that
# would hide what a parked goroutine really costs.
"$ours" --benchmark_format=json --benchmark_filter='SpawnExit|PingPong|Gosched' > "$out/ours.json" 2>/dev/null
for p in "${procs[@]}"; do
  "$ours" --benchmark_format=json --benchmark_filter="BM_Parked/$p/" > "$out/parked_$p.json" 2>/dev/null
done

python3 - "$out" "${procs[@]}" <<'PY'
import json, re, sys
out, procs = sys.argv[1], sys.argv[2:]
names = {"spawn+exit": "BM_SpawnExit", "pingpong": "BM_PingPong", "gosched": "BM_Gosched", "parked 1M": "BM_Parked"}
ours = {}
for f in [f"{out}/ours.json"] + [f"{out}/parked_{p}.json" for p in procs]:
    ours.update({b["name"].split("/iterations")[0]: b for b in json.load(open(f))["benchmarks"]})
def go(kind, p):
    d = {}
    for line in open(f"{out}/{kind}_{p}.txt"):
        m = re.match(r"(spawn\+exit|pingpong|gosched|parked 1M)\s+([\d.]+) ns/\w+(?:, (\d+) bytes)?", line)
        if m: d[m.group(1)] = (float(m.group(2)), float(m.group(3) or 0))
    return d
print(f"{'workload':<12} {'P':>2} {'Go gc':>10} {'gccgo':>10} {'ours':>10} {'ours/gc':>8}")
for p in procs:
    gc, gccgo = go("gc", p), go("gccgo", p)
    for w, bm in names.items():
        o = ours[f"{bm}/{p}"]
        print(f"{w:<12} {p:>2} {gc[w][0]:>8.1f}ns {gccgo[w][0]:>8.1f}ns {o['ns_per_op']:>8.1f}ns {o['ns_per_op']/gc[w][0]:>8.2f}")
        if w == "parked 1M":
            ob = o["bytes_per_goroutine"]
            print(f"{'  bytes/G':<12} {p:>2} {gc[w][1]:>10.0f} {gccgo[w][1]:>10.0f} {ob:>10.0f} {ob/gc[w][1]:>8.2f}")
PY
