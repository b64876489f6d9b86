#!/bin/bash
# Benchmark of costfront's GP against scikit-learn on the same data, plus the likelihood's cost against the
# Cholesky flop bound. Usage:
#   bash bench/gp.sh [BUILD_DIR] [OUTDIR] [--quick]
# BUILD_DIR defaults to ./build (it must contain bench/bench_gp; set BENCH_GP to point at another binary);
# OUTDIR (default: a fresh temporary directory) receives the data files and CSV results. Prints machine facts,
# both programs' tables and a joined markdown table for bench/RESULTS.md.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
build=${1:-build}
out=${2:-$(mktemp -d /tmp/costfront-gp-bench.XXXXXX)}
quick=${3:-}
bin=${BENCH_GP:-$build/bench/bench_gp}
[ -x "$bin" ] || { echo "gp.sh: $bin not found; build the bench_gp target first" >&2; exit 2; }
mkdir -p "$out"
export OPENBLAS_NUM_THREADS=2 OMP_NUM_THREADS=2 MKL_NUM_THREADS=2

echo "## machine"
echo "cpu: $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ *//'), $(nproc) cores," \
     "load average $(cut -d' ' -f1-3 /proc/loadavg)"
echo "openblas: $(dpkg-query -W -f='${Version}' libopenblas0-pthread 2>/dev/null || echo '?')," \
     "gsl: $(dpkg-query -W -f='${Version}' libgsl27 2>/dev/null || echo '?')," \
     "nlopt: $(dpkg-query -W -f='${Version}' libnlopt0 2>/dev/null || echo '?')," \
     "sklearn: $(/usr/bin/python3 -c 'import sklearn; print(sklearn.__version__)')," \
     "threads: OPENBLAS_NUM_THREADS=$OPENBLAS_NUM_THREADS"
echo
echo "## costfront ($bin)"
"$bin" "$out" $quick
echo
echo "## scikit-learn"
/usr/bin/python3 "$here/gp_sklearn.py" "$out" $quick
echo
echo "## joined (speed-up = sklearn fit time / costfront fit time; NLPD on the 500 held-out noisy points)"
echo
echo "| n | d | costfront fit s | sklearn fit s | speed-up | costfront NLPD (kept fit) | sklearn NLPD | NLPD diff | costfront NLPD, no prior | costfront NLPD, Gamma(3,6) | costfront cover95 | sklearn cover95 |"
echo "|---|---|---|---|---|---|---|---|---|---|---|---|"
awk -F, 'NR == FNR { if (FNR > 1) { t[$1 "," $2] = $3; p[$1 "," $2] = $4; c[$1 "," $2] = $6 } next }
         FNR > 1 { k = $1 "," $2; if (k in t)
           printf "| %s | %s | %.4f | %.4f | %.1fx | %.5f (%s) | %.5f | %+.5f | %.5f | %.5f | %.3f | %.3f |\n", $1, $2, $3,
                  t[k], t[k] / $3, $4, $12, p[k], $4 - p[k], $10, $11, $6, c[k] }' "$out/gp_sklearn.csv" "$out/gp_c.csv"
echo
echo "results in $out"
