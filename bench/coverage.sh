#!/bin/bash
# Coverage of costfront's 95% intervals of predicted GPU-hours and cost on MLPerf Training v4.0, runs held out by
# group (leave one system out, one accelerator out, one submitter out). Usage:
#   bash bench/coverage.sh [BUILD_DIR] [OUTDIR] [--scale-as n_acc|num_gpus] [--groupings system,accel,submitter]
# BUILD_DIR defaults to ./build (it must contain the costfront binary); OUTDIR (default: a fresh temporary
# directory) receives heldout.csv, one row per held-out run. Prints machine facts and the markdown tables of
# bench/RESULTS.md. The data is the bundled fixture tests/fixtures/mlperf-training-v4.0-summary.csv (a byte copy
# of ../shared/data/mlperf-training-v4.0-summary.csv, see tests/fixtures/make_mlperf_training_fixture.sh).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
build=${1:-build}
out=${2:-$(mktemp -d /tmp/costfront-coverage.XXXXXX)}
shift $(( $# >= 2 ? 2 : $# ))
bin=$build/costfront
[ -x "$bin" ] || { echo "coverage.sh: $bin not found; build first" >&2; exit 2; }
export OPENBLAS_NUM_THREADS=1
echo "cpu: $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ *//'), $(nproc) cores," \
     "load average $(cut -d' ' -f1-3 /proc/loadavg); commit $(git -C "$here" rev-parse --short HEAD)"
echo
/usr/bin/python3 "$here/coverage.py" --bin "$bin" --data "$here/../tests/fixtures/mlperf-training-v4.0-summary.csv" \
    --out "$out" --label "commit $(git -C "$here" rev-parse --short HEAD)" "$@"
