#!/usr/bin/env bash
# Wide CSV headers: time and peak memory of `costfront frontier` on one run with N hyperparameter columns, against
# `sqlite3 :memory: .import` of the same file as the reference in the same run (issue 10: a 30,000-column header
# took 35 s while column names were compared pairwise). Usage: bench/wide_csv.sh [BUILD_DIR]
set -euo pipefail
bin=${1:-build}/costfront
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
echo "machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //')"
for n in 1000 30000 100000 300000; do
  python3 -c "
n = $n
print(','.join(['run_id', 'accuracy', 'gpu_hours', 'hardware'] + ['c%d' % i for i in range(n)]))
print(','.join(['r1', '0.8', '3', 't4'] + ['1'] * n))" >"$tmp/w.csv"
  best=""; ref=""
  for rep in 1 2 3; do
    /usr/bin/time -o "$tmp/t" -f "%e %M" "$bin" frontier "$tmp/w.csv" >/dev/null 2>&1 || true
    /usr/bin/time -o "$tmp/r" -f "%e" sqlite3 :memory: ".import --csv $tmp/w.csv t" >/dev/null 2>&1 || true
    t=$(tail -1 "$tmp/t"); r=$(tail -1 "$tmp/r")
    best="$best ${t%% *}"; mem=${t##* }; ref="$ref $r"
  done
  med() { printf '%s\n' $1 | sort -g | sed -n 2p; }
  echo "columns $n: costfront median $(med "$best") s (peak ${mem} KB), sqlite3 .import median $(med "$ref") s"
done
