#!/usr/bin/env bash
# costfront's one set-up script: installs the Debian packages it needs, builds, and then
#   ./setup.sh          runs the main job on the bundled example and prints the report's path
#   ./setup.sh test     runs the whole test suite (ctest)
#   ./setup.sh asan     runs the whole test suite built with AddressSanitizer + UBSan
#   ./setup.sh fuzz [S] runs every libFuzzer target in tests/fuzz/ for S seconds each (default 30), clang + ASan + UBSan
#   ./setup.sh deps     only installs the packages
set -euo pipefail
cd "$(dirname "$0")"
mode=${1:-demo}

PKGS=(build-essential cmake pkg-config libnlopt-dev libgsl-dev libopenblas-dev libxml2-dev libxml2-utils zlib1g-dev
      libcjson-dev libsqlite3-dev sqlite3 libpq-dev libcriterion-dev gnuplot-nox libcsv-dev libyaml-dev python3 python3-optuna)
TEST_PKGS=(chromium    # the report is checked in headless Chromium (tests/cli/browser.sh)
           locales     # de_DE's definition, compiled by tests/test_report.c to check decimal-comma independence
           python3-venv python3-pip python3-setuptools python3-wheel   # tests/cli/python.sh: venv + pip install
           python3-pandas python3-pytest python3-scipy                # the Python package's pytest suite (scipy: Optuna's QMC sampler)
           postgresql python3-psycopg2)  # a throw-away PostgreSQL 15 server for the store and study suites (tests/pg/)
FUZZ_PKGS=(clang libclang-rt-14-dev)  # Debian's clang and its libFuzzer runtime
BENCH_PKGS=(g++ libpagmo-dev python3-optuna python3-sklearn python3-scipy)

need=()
for p in "${PKGS[@]}"; do dpkg -s "$p" >/dev/null 2>&1 || need+=("$p"); done
if [ "$mode" = test ] || [ "$mode" = asan ]; then for p in "${TEST_PKGS[@]}"; do dpkg -s "$p" >/dev/null 2>&1 || need+=("$p"); done; fi
if [ "$mode" = fuzz ]; then for p in "${FUZZ_PKGS[@]}"; do dpkg -s "$p" >/dev/null 2>&1 || need+=("$p"); done; fi
if [ "$mode" = bench ]; then for p in "${BENCH_PKGS[@]}"; do dpkg -s "$p" >/dev/null 2>&1 || need+=("$p"); done; fi
if [ ${#need[@]} -gt 0 ]; then
  echo "setup: installing ${need[*]}" >&2
  SUDO=""; [ "$(id -u)" -eq 0 ] || SUDO=sudo
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
fi
[ "$mode" = deps ] && exit 0

jobs=$(nproc 2>/dev/null || echo 2)
# Starts the tests' PostgreSQL server (tests/pg/start.sh) when its binaries are installed, so the store and study
# suites run on both backends (COSTFRONT_TEST_PG_REQUIRED: a missing server then fails them rather than skipping);
# the server is stopped when the script exits, even on failure.
with_pg() {
  if ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1; then
    eval "$(tests/pg/start.sh)"
    export COSTFRONT_TEST_PG_REQUIRED=1
    trap 'tests/pg/stop.sh "$CF_PG_DIR"' EXIT
  else
    echo "setup: PostgreSQL is not installed; the *_pg tests are skipped" >&2
  fi
}
build() { # build DIR [cmake args...]
  local dir=$1; shift
  cmake -S . -B "$dir" -DCMAKE_BUILD_TYPE=RelWithDebInfo "$@" >/dev/null
  cmake --build "$dir" -j "$jobs"
}

case "$mode" in
  demo)
    build build
    ./build/costfront report examples/runs.csv --group-by model --out report
    ;;
  test)
    build build -DCOSTFRONT_WERROR=ON
    with_pg
    ctest --test-dir build --output-on-failure -j "$jobs"
    ;;
  asan)
    build build-asan -DCOSTFRONT_SANITIZE=ON -DCMAKE_BUILD_TYPE=Debug -DCOSTFRONT_BUILD_BENCH=OFF
    with_pg
    ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
      ctest --test-dir build-asan --output-on-failure -j "$jobs"
    ;;
  bench)
    build build -DCOSTFRONT_BUILD_BENCH=ON
    ;;
  fuzz)
    secs=${2:-30}
    CC=clang build build-fuzz -DCOSTFRONT_FUZZ=ON -DCOSTFRONT_BUILD_TESTS=OFF -DCOSTFRONT_BUILD_BENCH=OFF
    tests/fuzz/make_corpus.sh build-fuzz/seeds
    mkdir -p build-fuzz/findings
    failed=()
    for t in csv json wandb xml mlflow optuna catalog plan space mapping; do
      mkdir -p "build-fuzz/corpus/$t"   # kept between runs, so longer runs build on shorter ones
      echo "fuzz: $t for ${secs} s" >&2
      if ! ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
          "build-fuzz/tests/fuzz/fuzz_$t" -max_total_time="$secs" -timeout=20 -rss_limit_mb=4096 \
          -artifact_prefix="build-fuzz/findings/$t-" "build-fuzz/corpus/$t" "build-fuzz/seeds/$t" \
          >"build-fuzz/fuzz_$t.log" 2>&1; then
        failed+=("$t"); tail -40 "build-fuzz/fuzz_$t.log" >&2
      else
        grep -E '^#[0-9]+.*DONE' "build-fuzz/fuzz_$t.log" >&2 || true
      fi
    done
    if [ ${#failed[@]} -gt 0 ]; then
      echo "fuzz: findings in ${failed[*]}: inputs in build-fuzz/findings/, logs in build-fuzz/fuzz_<target>.log" >&2
      exit 1
    fi
    echo "fuzz: no findings (${secs} s per target)" >&2
    ;;
  *)
    echo "usage: ./setup.sh [demo|test|asan|bench|fuzz [SECONDS]|deps]" >&2; exit 1 ;;
esac
