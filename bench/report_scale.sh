#!/usr/bin/env bash
# `costfront report` at scale (issue 14): time, peak memory, and the size of index.html and of each SVG for N runs
# with the columns of examples/runs.csv, against `costfront frontier` on the same CSV (the computation every report
# starts from) as the reference in the same run. The runs are drawn from examples/runs.csv with a seeded generator
# (Python's random, seed 14): each is a bundled run with a new run_id and jittered accuracy, hours and learning
# rate, so the CSV for one N is byte-identical on every machine.
# Usage: bench/report_scale.sh [BUILD_DIR] [N...]   (default N: 1000 10000 100000 1000000)
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
build=${1:-build}
shift || true
sizes=${*:-1000 10000 100000 1000000}
bin=$build/costfront
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
echo "machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //')"
echo "costfront: $("$bin" --version 2>/dev/null || echo "$bin")"

# gen N OUT: N runs resampled from examples/runs.csv (seed 14).
gen() {
  /usr/bin/python3 - "$here/examples/runs.csv" "$1" "$2" <<'PY'
import csv, math, random, sys
src, n, out = sys.argv[1], int(sys.argv[2]), sys.argv[3]
rng = random.Random(14)
with open(src, newline="") as f:
    rows = list(csv.reader(f))
head, rows = rows[0], rows[1:]
col = {h: i for i, h in enumerate(head)}
with open(out, "w", newline="") as f:
    w = csv.writer(f, lineterminator="\n")
    w.writerow(head)
    for i in range(n):
        r = list(rows[rng.randrange(len(rows))])
        r[col["run_id"]] = "s%07d" % (i + 1)
        a = float(r[col["accuracy"]])
        r[col["accuracy"]] = "%.4f" % min(0.999, max(0.01, a + rng.gauss(0, 0.01)))
        for h in ("gpu_hours", "wall_hours"):
            if r[col[h]]:
                r[col[h]] = "%.4f" % (float(r[col[h]]) * math.exp(rng.gauss(0, 0.25)))
        if r[col["lr"]]:
            r[col["lr"]] = "%.3g" % (float(r[col["lr"]]) * math.exp(rng.gauss(0, 0.2)))
        w.writerow(r)
PY
}

med() { printf '%s\n' "$@" | sort -g | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }

printf '%-8s %10s %12s %10s %12s %8s %12s  %s\n' runs report_s report_peakKB frontier_s frontier_KB ratio index_html svgs
for n in $sizes; do
  gen "$n" "$tmp/runs.csv"
  reps=3; [ "$n" -ge 1000000 ] && reps=1
  rt=(); ft=(); rm_=0; fm=0
  for rep in $(seq $reps); do
    rm -rf "$tmp/out"
    /usr/bin/time -o "$tmp/t" -f "%e %M" "$bin" report "$tmp/runs.csv" --out "$tmp/out" --seed 7 >/dev/null 2>"$tmp/err" ||
      { echo "report failed for N=$n:"; tail -5 "$tmp/err"; cat "$tmp/t"; }
    read -r t m <"$tmp/t"; rt+=("$t"); rm_=$m
    /usr/bin/time -o "$tmp/t" -f "%e %M" "$bin" frontier "$tmp/runs.csv" >/dev/null 2>&1 || true
    read -r t m <"$tmp/t"; ft+=("$t"); fm=$m
  done
  r=$(med "${rt[@]}"); f=$(med "${ft[@]}")
  html=$(stat -c %s "$tmp/out/index.html" 2>/dev/null || echo -)
  svgs=$(cd "$tmp/out" 2>/dev/null && for s in *.svg; do printf '%s=%s ' "$s" "$(stat -c %s "$s")"; done)
  ratio=$(awk -v a="$r" -v b="$f" 'BEGIN { if (b > 0) printf "%.2f", a / b; else print "-" }')
  printf '%-8s %10s %12s %10s %12s %8s %12s  %s\n' "$n" "$r" "$rm_" "$f" "$fm" "$ratio" "$html" "$svgs"
done
