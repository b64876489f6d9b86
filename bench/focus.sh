#!/usr/bin/env bash
# Reading a FOCUS bill (issue 12): wall time, rows/s and peak memory of `costfront bill --by team,project` and of
# `costfront budget check` on a generated N-row FOCUS CSV (tests/fixtures/gen_focus.py --rows N, seeded), against
# `sqlite3 :memory: ".import --csv"` of the same file (the reference: a plain CSV load into a table) in the same
# run. Medians of R repeats; peak RSS from /usr/bin/time.
# Usage: bench/focus.sh [BUILD_DIR] [N] [R]   (default build 1000000 3)
set -euo pipefail
build=${1:-build}; n=${2:-1000000}; reps=${3:-3}
bin=$build/costfront
here=$(cd "$(dirname "$0")" && pwd)
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
echo "machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'); $(sqlite3 --version | cut -d' ' -f1-2 | sed 's/^/sqlite /')"
/usr/bin/python3 "$here/../tests/fixtures/gen_focus.py" --rows "$n" --seed 1 >"$tmp/focus.csv"
echo "file: $n rows, $(du -m "$tmp/focus.csv" | cut -f1) MB"
echo '{"budgets": [{"team": "nlp", "monthly_usd": 1e9}, {"monthly_usd": 1e12}]}' >"$tmp/budget.json"
median() { sort -g | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
run() { # run NAME CMD...: R timed runs, prints the median seconds and the median peak KB into $tmp/NAME.{s,kb}
  local name=$1; shift
  : >"$tmp/$name.all"
  for _ in $(seq "$reps"); do
    /usr/bin/time -o "$tmp/t" -f "%e %M" "$@" >/dev/null 2>"$tmp/$name.err" || { [ "$name" = budget ] || { echo "$name failed"; cat "$tmp/$name.err"; exit 1; }; }
    cat "$tmp/t" >>"$tmp/$name.all"
  done
  cut -d' ' -f1 "$tmp/$name.all" | median >"$tmp/$name.s"
  cut -d' ' -f2 "$tmp/$name.all" | median >"$tmp/$name.kb"
}
run bill "$bin" bill "$tmp/focus.csv" --by team,project
run budget "$bin" budget check --bill "$tmp/focus.csv" --budget "$tmp/budget.json" --as-of 2026-03-31
run sqlite sqlite3 :memory: ".import --csv $tmp/focus.csv focus"
b=$(cat "$tmp/bill.s"); bk=$(cat "$tmp/bill.kb"); g=$(cat "$tmp/budget.s"); gk=$(cat "$tmp/budget.kb")
q=$(cat "$tmp/sqlite.s"); qk=$(cat "$tmp/sqlite.kb")
awk -v n="$n" -v b="$b" -v bk="$bk" -v g="$g" -v gk="$gk" -v q="$q" -v qk="$qk" -v r="$reps" 'BEGIN {
  printf "rows %d, medians of %d\n", n, r
  printf "  costfront bill --by team,project  %6.2f s %10.0f rows/s  peak %7.1f MB  %.2fx sqlite time\n", b, n / b, bk / 1024, b / q
  printf "  costfront budget check            %6.2f s %10.0f rows/s  peak %7.1f MB  %.2fx sqlite time\n", g, n / g, gk / 1024, g / q
  printf "  sqlite3 :memory: .import --csv    %6.2f s %10.0f rows/s  peak %7.1f MB\n", q, n / q, qk / 1024 }'
