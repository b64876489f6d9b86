#!/usr/bin/env bash
# Scale on one machine (issue 14): wall time and peak memory of `costfront frontier`, `import` into a run store and
# `frontier --store` on N generated runs with the examples' columns (bench/gen_scale.py, seeded), against reading
# the same CSV with libcsv alone (bench_csv_count, the floor for reading the bytes) in the same run.
# Usage: bench/scale.sh [BUILD_DIR] [N...]   (default N: 1000 10000 100000 1000000)
set -euo pipefail
build=${1:-build}; shift || true
sizes=${*:-"1000 10000 100000 1000000"}
bin=$build/costfront; ref=$build/bench/bench_csv_count
here=$(cd "$(dirname "$0")" && pwd)
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
echo "machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //')"
for n in $sizes; do
  /usr/bin/python3 "$here/gen_scale.py" "$n" >"$tmp/runs.csv"
  rm -f "$tmp/runs.db"
  /usr/bin/time -o "$tmp/t_fr" -f "%e %M" "$bin" frontier "$tmp/runs.csv" >/dev/null 2>&1
  /usr/bin/time -o "$tmp/t_ref" -f "%e %M" "$ref" "$tmp/runs.csv" >/dev/null
  /usr/bin/time -o "$tmp/t_im" -f "%e %M" "$bin" import "$tmp/runs.csv" --store "$tmp/runs.db" >/dev/null 2>&1 || echo "import failed"
  /usr/bin/time -o "$tmp/t_st" -f "%e %M" "$bin" frontier --store "$tmp/runs.db" >/dev/null 2>&1 || echo "frontier --store failed"
  read -r fr_s fr_kb <"$tmp/t_fr"; read -r ref_s _ <"$tmp/t_ref"
  read -r im_s im_kb <"$tmp/t_im"; read -r st_s st_kb <"$tmp/t_st"
  awk -v n="$n" -v a="$fr_s" -v m="$fr_kb" -v r="$ref_s" -v is="$im_s" -v im="$im_kb" -v ss="$st_s" -v sm="$st_kb" 'BEGIN {
    printf "runs %8d  frontier %7.2f s %8.1f MB (%5.0f B/run, %5.1fx libcsv %.2f s)  import %7.2f s %7.1f MB  frontier --store %7.2f s %8.1f MB\n",
      n, a, m / 1024, m * 1024 / n, (r > 0 ? a / r : 0), r, is, im / 1024, ss, sm / 1024 }'
done
