#!/usr/bin/env bash
# Runs the anchor workloads on the reference runtime beside Go gc and gccgo
# (anchors/go/main.go), in several rounds. Within a round every program runs
# once per GOMAXPROCS, one after the other, in an order that rotates from
# round to round, so a burst of load from elsewhere falls on all of them.
# Each ratio is taken between runs of the same round; the table gives, per
# workload, the median of those per-round ratios and their spread (min-max),
# so one noisy run cannot decide a verdict.
#
# The reference runtime runs one workload a process.
#
# Usage: bench/compare.sh [--runs N] [--baseline BENCH] [GOMAXPROCS...]
#   --runs N        rounds, at least 3 (default 3)
#   --baseline B    also run B, a runtime_bench built elsewhere (e.g. from
#                   main), back to back with ours for each workload (which
#                   goes first alternates), and print ours/baseline for wall
#                   time and for the process's CPU time, which a loaded
#                   machine distorts less: a fair before/after comparison
#   GOMAXPROCS...   default: 1 2
# Environment: ANCHORS (the anchors folder, default ../shared/anchors beside
# the checkout), GO (default go), GCCGO (default gccgo; skipped if absent).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)

runs=3
baseline=""
procs=()
while [ $# -gt 0 ]; do
  case "$1" in
    --runs) runs=${2:?--runs needs a number}; shift 2 ;;
    --runs=*) runs=${1#--runs=}; shift ;;
    --baseline) baseline=${2:?--baseline needs a path}; shift 2 ;;
    --baseline=*) baseline=${1#--baseline=}; shift ;;
    -h|--help) sed -n '2,21p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    -*) echo "compare.sh: unknown flag $1 (see --help)" >&2; exit 2 ;;
    *) [[ "$1" =~ ^[1-9][0-9]*$ ]] || { echo "compare.sh: GOMAXPROCS must be a positive integer, got '$1'" >&2; exit 2; }
       procs+=("$1"); shift ;;
  esac
done
[[ "$runs" =~ ^[0-9]+$ ]] && [ "$runs" -ge 3 ] || { echo "compare.sh: --runs must be at least 3, got '$runs'" >&2; exit 2; }
[ ${#procs[@]} -gt 0 ] || procs=(1 2)
if [ -n "$baseline" ]; then
  [ -x "$baseline" ] || { echo "compare.sh: --baseline $baseline is not an executable" >&2; exit 2; }
  baseline=$(cd "$(dirname "$baseline")" && pwd)/$(basename "$baseline")
fi

anchors=${ANCHORS:-}
if [ -z "$anchors" ]; then
  for d in "$root/../shared/anchors" "$root/../../shared/anchors"; do
    [ -f "$d/go/main.go" ] && { anchors=$(cd "$d" && pwd); break; }
  done
fi
[ -n "$anchors" ] && [ -f "$anchors/go/main.go" ] || {
  echo "compare.sh: anchors/go/main.go not found; set ANCHORS to the anchors folder" >&2; exit 2; }
go=${GO:-go}
gccgo=${GCCGO:-gccgo}
command -v "$go" >/dev/null || { echo "compare.sh: '$go' not found (apt-get install golang-go)" >&2; exit 2; }

out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
log() { echo "compare.sh: $*" >&2; }

log "building Go gc, gccgo and the reference runtime's benchmark"
(cd "$anchors/go" && GOCACHE="$out/gocache" GOFLAGS=-mod=mod GOPROXY=off "$go" build -o "$out/gc_bench" .)
have_gccgo=1
if command -v "$gccgo" >/dev/null; then
  (cd "$anchors/go" && "$gccgo" -O2 -o "$out/gccgo_bench" main.go)
else
  have_gccgo=0
  log "gccgo not found: its column is left out"
fi
(cd "$root" && bazel build -c opt //bench:runtime_bench >"$out/build.log" 2>&1) || {
  cat "$out/build.log" >&2; echo "compare.sh: bazel build //bench:runtime_bench failed" >&2; exit 1; }
ours="$(cd "$root" && bazel info -c opt bazel-bin 2>/dev/null)/bench/runtime_bench"

# Runs a command and passes its stdout through; writes the CPU time (user +
# system, ms, all threads) the command used to the file named first.
cat >"$out/cputime.py" <<'PY'
import resource, subprocess, sys
r = subprocess.run(sys.argv[2:], stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
u = resource.getrusage(resource.RUSAGE_CHILDREN)
sys.stdout.buffer.write(r.stdout)
open(sys.argv[1], "w").write(f"{(u.ru_utime + u.ru_stime) * 1000:.1f}\n")
sys.exit(r.returncode)
PY

# Each run appends "round program P workload ns bytes cpu_ms" lines to
# $out/results (cpu_ms only for the reference runtime, one workload a process).
run_go() {  # kind round p
  "$out/$1_bench" "$3" | python3 -c "
import re, sys
for line in sys.stdin:
    m = re.match(r'(spawn\+exit|pingpong|gosched|parked 1M)\s+([\d.]+) ns/\w+(?:, (\d+) bytes)?', line)
    if m: print('$2 $1 $3', m.group(1).replace(' 1M', '_1M'), m.group(2), m.group(3) or 0, 0)
" >>"$out/results"
}
run_ours_one() {  # name binary round p benchmark
  # One workload a process: pooled stacks left by one workload would hide
  # what the next costs (parked goroutines above all).
  python3 "$out/cputime.py" "$out/cpu" "$2" --benchmark_format=json --benchmark_filter="^$5/$4/" >"$out/run.json" &&
  python3 -c "
import json
names = {'BM_SpawnExit': 'spawn+exit', 'BM_PingPong': 'pingpong', 'BM_Gosched': 'gosched', 'BM_Parked': 'parked_1M'}
cpu = open('$out/cpu').read().strip()
for b in json.load(open('$out/run.json'))['benchmarks']:
    print('$3 $1 $4', names[b['name'].split('/')[0]], b['ns_per_op'], b.get('bytes_per_goroutine', 0), cpu)
" >>"$out/results" || { echo "compare.sh: $2 failed on $5 at GOMAXPROCS=$4" >&2; exit 1; }
}
run_ours() {  # round p: ours, and the baseline back to back with it for each workload
  for bm in BM_SpawnExit BM_PingPong BM_Gosched BM_Parked; do
    if [ -z "$baseline" ]; then
      run_ours_one ours "$ours" "$1" "$2" $bm
    elif [ $(( $1 % 2 )) = 1 ]; then
      run_ours_one ours "$ours" "$1" "$2" $bm; run_ours_one baseline "$baseline" "$1" "$2" $bm
    else
      run_ours_one baseline "$baseline" "$1" "$2" $bm; run_ours_one ours "$ours" "$1" "$2" $bm
    fi
  done
}

units=(gc ours)
[ $have_gccgo = 1 ] && units+=(gccgo)
touch "$out/results"
for r in $(seq 1 "$runs"); do
  for p in "${procs[@]}"; do
    n=${#units[@]}
    for i in $(seq 0 $((n - 1))); do
      unit=${units[$(( (i + r - 1) % n ))]}
      log "round $r/$runs, GOMAXPROCS=$p: $unit${baseline:+$([ $unit = ours ] && echo ' and the baseline')}"
      case $unit in
        gc|gccgo) run_go "$unit" "$r" "$p" ;;
        ours) run_ours "$r" "$p" ;;
      esac
    done
  done
done

python3 - "$out/results" "$runs" "${procs[@]}" <<'PY'
import collections, statistics, sys
path, runs, procs = sys.argv[1], int(sys.argv[2]), sys.argv[3:]
ns = collections.defaultdict(dict)     # (prog, p, workload) -> {round: ns}
mem = collections.defaultdict(dict)    # same, bytes per goroutine
cpu = collections.defaultdict(dict)    # same, CPU ms of the process (ours, baseline)
for line in open(path):
    r, prog, p, w, v, b, c = line.split()
    ns[(prog, p, w)][r] = float(v)
    mem[(prog, p, w)][r] = float(b)
    cpu[(prog, p, w)][r] = float(c)
progs = {k[0] for k in ns}

def ratio(table, a, b, p, w):
    """Median and spread of the per-round ratios a/b, or None."""
    x, y = table.get((a, p, w), {}), table.get((b, p, w), {})
    rs = [x[r] / y[r] for r in x if r in y and y[r] > 0]
    return (statistics.median(rs), min(rs), max(rs)) if rs else None

def med(table, prog, p, w):
    v = list(table.get((prog, p, w), {}).values())
    return statistics.median(v) if v else None

def fmt_ratio(t):
    return f"{t[0]:5.2f} [{t[1]:.2f}-{t[2]:.2f}]" if t else "          -"

def fmt(v, unit):
    return f"{v:8.1f}{unit}" if v is not None else f"{'-':>10}"

workloads = ["spawn+exit", "pingpong", "gosched", "parked_1M"]
cols = [p for p in ["gccgo"] if p in progs]
print(f"{runs} interleaved rounds; figures are medians; a ratio is the median of the per-round")
print("ratios, with their spread [min-max]. ns per goroutine, round trip or yield.")
verdicts = []
for p in procs:
    print(f"\nGOMAXPROCS={p}")
    head = f"{'workload':<12} {'Go gc':>10} " + "".join(f"{c:>10} " for c in cols) + f"{'ours':>10}  {'ours/gc':<17}"
    head += "".join(f" {'ours/' + c:<17}" for c in cols)
    print(head)
    for w in workloads:
        row = f"{w:<12} {fmt(med(ns, 'gc', p, w), 'ns')} " + "".join(f"{fmt(med(ns, c, p, w), 'ns')} " for c in cols)
        row += f"{fmt(med(ns, 'ours', p, w), 'ns')}  {fmt_ratio(ratio(ns, 'ours', 'gc', p, w)):<17}"
        row += "".join(f" {fmt_ratio(ratio(ns, 'ours', c, p, w)):<17}" for c in cols)
        print(row)
    w = "parked_1M"
    row = f"{'  bytes/G':<12} {med(mem, 'gc', p, w) or 0:10.0f} " + "".join(f"{med(mem, c, p, w) or 0:10.0f} " for c in cols)
    row += f"{med(mem, 'ours', p, w) or 0:10.0f}  {fmt_ratio(ratio(mem, 'ours', 'gc', p, w)):<17}"
    row += "".join(f" {fmt_ratio(ratio(mem, 'ours', c, p, w)):<17}" for c in cols)
    print(row)
    g = ratio(ns, "ours", "gc", p, "gosched")
    if g and p in ("1", "2"):
        verdicts.append((f"gosched at P={p}: ours/Go gc <= 0.80", g[0] <= 0.80, f"median {g[0]:.2f}"))
    b = med(mem, "ours", p, "parked_1M")
    if b is not None:
        verdicts.append((f"parked 1M at P={p}: <= 5000 bytes per goroutine", b <= 5000, f"median {b:.0f}"))
    if "baseline" in progs:
        print(f"  ours/baseline, run back to back: wall time per op, and CPU time of the process (all threads)")
        for w in workloads:
            tw, tc = ratio(ns, "ours", "baseline", p, w), ratio(cpu, "ours", "baseline", p, w)
            print(f"  {w:<12} wall {fmt_ratio(tw):<17}  cpu {fmt_ratio(tc)}")
            if w != "parked_1M" and tw and tc:
                ok = "met" if tw[0] <= 1.0 and tc[0] <= 1.0 else "NOT met" if tw[0] > 1.0 and tc[0] > 1.0 else "unclear"
                verdicts.append((f"{w} at P={p}: no slower than the baseline (ours/baseline <= 1.00)", ok,
                                 f"wall {tw[0]:.2f}, cpu {tc[0]:.2f}"))
print("\ntargets (medians over the rounds):")
for what, ok, fig in verdicts:
    ok = ("met" if ok else "NOT met") if isinstance(ok, bool) else ok
    print(f"  {ok:<8} {what}: {fig}")
PY
