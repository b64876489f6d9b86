#!/bin/bash
# Multi-objective BO benchmark: costfront's study (EHVI, ParEGO, Sobol) against Optuna 3.1 (Random, QMC, NSGA-II,
# MOTPE) on BraninCurrin, ZDT1 (d = 4) and DTLZ2 (d = 6, M = 2), 100 evaluations, SEEDS seeds (default 10), plus
# the noisy BraninCurrin of the BoTorch tutorial (6 initial + 20 batches of q = 4 = 86 evaluations; BoTorch's
# qNEHVI reaches HV 57.77 there). Usage: bench/mobo.sh [BUILD_DIR] [SEEDS]. Takes roughly 10-15 minutes on 2 cores.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
build=${1:-$here/../build}
seeds=${2:-10}
bin=$build/bench/bench_mobo
[ -x "$bin" ] || { echo "build bench_mobo first (cmake --build $build --target bench_mobo)" >&2; exit 2; }
echo "# costfront study, $seeds seeds, 100 evaluations (log10 HV difference, lower is better)"
for spec in "BraninCurrin 2" "ZDT1 4" "DTLZ2 6"; do
  for m in ehvi parego sobol; do
    "$bin" $spec $m "$seeds" 100 | tail -1
  done
done
echo "# noisy BraninCurrin, q = 4, 6 initial points, 86 evaluations (HV of the noiseless values; BoTorch qNEHVI 57.77)"
"$bin" BraninCurrin 2 ehvi "$(( seeds < 5 ? seeds : 5 ))" 86 4 1 6 | tail -1
"$bin" BraninCurrin 2 sobol "$(( seeds < 5 ? seeds : 5 ))" 86 4 1 6 | tail -1
echo "# Optuna 3.1 (/usr/bin/python3)"
if /usr/bin/python3 -c "import optuna" 2>/dev/null; then
  /usr/bin/python3 "$here/mobo_optuna.py" "$seeds" 100
else
  echo "optuna not installed (apt-get install python3-optuna): skipped"
fi
