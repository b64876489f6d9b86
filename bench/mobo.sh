#!/bin/bash
# Multi-objective BO benchmark: costfront's study (EHVI, ParEGO, Sobol) against Optuna 3.1 (Random, QMC, NSGA-II,
# MOTPE) on BraninCurrin, ZDT1 (d = 4), DTLZ2 (d = 6, M = 2) and the mixed Catalog problem (categorical hardware
# and precision, pruning, log learning rate; accuracy and catalog-priced total_cost_usd, see bench/mobo.c),
# 100 evaluations, SEEDS seeds (default 10); the noisy BraninCurrin of the BoTorch tutorial (6 initial + 20
# batches of q = 4 = 86 evaluations; BoTorch's qNEHVI reaches HV 57.77 there); and the median time of one
# suggestion at 100 and 500 observations; noisy q = 4 batches on BraninCurrin, ZDT1 and DTLZ2 (M = 3), kriging believer vs
# qNEHVI, and the time of one noisy batch of 4 at 100 observations.
# Usage: bench/mobo.sh [BUILD_DIR] [SEEDS]. Takes about 15 minutes on 2 shared cores with 10 seeds.
# Results go to stdout (median lines first, then means); progress goes to stderr only when it is a terminal.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
build=${1:-$here/../build}
seeds=${2:-10}
bin=$build/bench/bench_mobo
[ -x "$bin" ] || { echo "build bench_mobo first (cmake --build $build --target bench_mobo)" >&2; exit 2; }
export OPENBLAS_NUM_THREADS=${OPENBLAS_NUM_THREADS:-1}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
progress() { if [ -t 2 ]; then echo "[mobo.sh $(date +%H:%M:%S)] $*" >&2; fi; }

echo "# machine: $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ *//'), $(nproc) logical cores," \
     "load average $(cut -d' ' -f1-3 /proc/loadavg), OPENBLAS_NUM_THREADS=$OPENBLAS_NUM_THREADS," \
     "$(uname -sr), $(date -u +%Y-%m-%dT%H:%MZ)"
"$bin" catalog-table "$tmp/catalog.tsv"
echo "# Catalog problem: $(grep -E '^(ref|maxhv)' "$tmp/catalog.tsv" | tr '\n' ' ')(minimised -accuracy, total_cost_usd)"

echo "# costfront study, $seeds seeds, 100 evaluations (log10 HV difference, lower is better)"
for spec in "BraninCurrin 2" "ZDT1 4" "DTLZ2 6" "Catalog 4"; do
  for m in ehvi parego sobol; do
    progress "costfront $spec $m"
    "$bin" $spec $m "$seeds" 100 | grep -E '^(median|mean)'
  done
done

echo "# noisy BraninCurrin, q = 4, 6 initial points, 86 evaluations (HV of the noiseless values; BoTorch qNEHVI 57.77)"
progress "noisy BraninCurrin"
"$bin" BraninCurrin 2 ehvi "$seeds" 86 4 1 6 | grep -E '^(median|mean)'
"$bin" BraninCurrin 2 sobol "$seeds" 86 4 1 6 | grep -E '^(median|mean)'

echo "# noisy batches (issue 18): kriging believer (kb) vs qNEHVI (the default for noisy batches), q = 4, 86 evaluations"
for spec in "BraninCurrin 2 @ 6" "ZDT1 4 @ 10" "DTLZ2 6 @ 14 3"; do
  for m in kb qnehvi; do
    progress "noisy $spec $m"
    "$bin" ${spec%% @*} $m "$seeds" 86 4 1 ${spec#*@ } | grep -E '^(median|mean)'
  done
done
"$bin" timing 100 5 4 1 qnehvi
"$bin" timing 100 5 4 1 kb

echo "# time of one suggestion (BraninCurrin, NOBS complete trials at uniform random points, 10 suggestions each)"
progress "timing"
"$bin" timing 100 10
"$bin" timing 500 10

echo "# Optuna 3.1 (/usr/bin/python3)"
if /usr/bin/python3 -c "import optuna" 2>/dev/null; then
  progress "optuna"
  /usr/bin/python3 "$here/mobo_optuna.py" "$seeds" 100 "$tmp/catalog.tsv"
else
  echo "optuna not installed (apt-get install python3-optuna): skipped"
fi
