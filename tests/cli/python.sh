# The Python package (python/): builds a virtual environment that sees Debian's python3-optuna, python3-pandas and
# python3-pytest (python3 -m venv --system-site-packages), installs the package into it without a package index
# (pip install --no-index --no-build-isolation ./python), and runs its pytest suite (python/tests) against the
# library built beside BIN. Fails when /usr/bin/python3 lacks optuna, pandas or pytest (./setup.sh installs them).
BIN=$1
SRC=$2
source "$SRC/tests/cli/lib.sh"
PY=/usr/bin/python3
if ! $PY -c "import optuna, pandas, pytest" 2>/dev/null; then
  echo "FAIL: /usr/bin/python3 lacks optuna, pandas or pytest (apt-get install python3-optuna python3-pandas python3-pytest)"
  exit 1
fi
LIBSO="$(cd "$(dirname "$BIN")" && pwd)/libcostfront.so"
# A sanitizer build (./setup.sh asan): Python is not instrumented, so the ASan runtime must be loaded first, and
# leak checking is off (the interpreter keeps its allocations until exit; the C tests check the library's leaks).
RUNENV=()
ASANLIB=$(ldd "$LIBSO" 2>/dev/null | awk '/libasan/ {print $3; exit}')
if [ -n "$ASANLIB" ]; then
  RUNENV=(LD_PRELOAD="$ASANLIB" ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0")
fi
expect_rc 0 "python3 -m venv --system-site-packages" -- $PY -m venv --system-site-packages "$TMP/venv"
# pip builds in a copy of the package so that the source tree gets no build/ or egg-info directory.
cp -r "$SRC/python" "$TMP/pkg"
rm -rf "$TMP/pkg/build" "$TMP/pkg"/*.egg-info
expect_rc 0 "pip install --no-index --no-build-isolation ./python" -- \
  "$TMP/venv/bin/pip" install --no-index --no-build-isolation --disable-pip-version-check -q "$TMP/pkg"
# The installed package is the one imported (not the source tree), and it finds the library through COSTFRONT_LIB.
expect_rc 0 "installed package imports" -- env "${RUNENV[@]}" COSTFRONT_LIB="$LIBSO" "$TMP/venv/bin/python" -c \
  "import costfront, sys; assert 'site-packages' in costfront.__file__, costfront.__file__; print(costfront.version())"
cd "$SRC" || exit 1
if ! env "${RUNENV[@]}" COSTFRONT_LIB="$LIBSO" COSTFRONT_BIN="$BIN" OPENBLAS_NUM_THREADS=1 \
    "$TMP/venv/bin/python" -m pytest -q -p no:cacheprovider "$SRC/python/tests" >"$TMP/pytest.out" 2>&1; then
  echo "FAIL: pytest python/tests"; tail -60 "$TMP/pytest.out"
  FAILS=$((FAILS + 1))
else
  PASSES=$((PASSES + 1)); tail -1 "$TMP/pytest.out"
fi
finish
