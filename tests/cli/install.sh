# The installed library (issue 15, "For C and C++ users"): `cmake --install` into a fresh prefix gives the
# command, the headers, libcostfront.so with a versioned soname exporting only cf_ symbols, costfront.pc and the
# CMake package; examples/library/frontier.c then builds against that tree through pkg-config and through
# find_package(costfront), and both programs print the same frontier as the build tree's example.
BIN=$1
SRC=$2
source "$SRC/tests/cli/lib.sh"
BUILD=$(cd "$(dirname "$BIN")" && pwd)
P="$TMP/prefix"

expect_rc 0 "cmake --install into a fresh prefix" -- cmake --install "$BUILD" --prefix "$P"
LIBDIR=$(dirname "$(find "$P" -name 'libcostfront.so.*.*' | head -1)")
SO=$(find "$P" -name 'libcostfront.so.*.*' | head -1)
expect_true "installed tree has the command, headers, static + shared library, pc file and CMake package" -- \
  test -x "$P/bin/costfront" -a -f "$P/include/costfront/frontier.h" -a -f "$LIBDIR/libcostfront.a" \
       -a -L "$LIBDIR/libcostfront.so" -a -f "$LIBDIR/pkgconfig/costfront.pc" \
       -a -f "$LIBDIR/cmake/costfront/costfrontConfig.cmake"

objdump -p "$SO" >"$TMP/dyn"
expect_grep "$TMP/dyn" "SONAME               libcostfront.so.0" "the soname carries the major version"
# Every defined dynamic symbol (functions, data) is the library's cf_ API.
nm -D --defined-only "$SO" | awk '$2 ~ /^[TDBRVWiu]$/ {print $3}' | sed 's/@.*//' >"$TMP/syms"
grep -v '^cf_' "$TMP/syms" >"$TMP/foreign" || true
expect_true "only cf_ symbols are exported ($(wc -l <"$TMP/foreign") others: $(head -5 "$TMP/foreign" | tr '\n' ' '))" -- \
  test ! -s "$TMP/foreign"
expect_true "the API is exported (cf_frontier_compute, cf_study_ask)" -- \
  grep -qx cf_study_ask "$TMP/syms"

# A library built with sanitizers (./setup.sh asan) needs them in the program that links it too.
EXTRA=()
if nm -D --undefined-only "$SO" | grep -q '__asan_'; then EXTRA=(-fsanitize=address,undefined); fi
CC=${CC:-cc}

# pkg-config: the pc file is relocatable (${pcfiledir}), so the fresh prefix works as is.
PC="$LIBDIR/pkgconfig"
expect_rc 0 "pkg-config finds costfront in the prefix" -- env PKG_CONFIG_PATH="$PC" pkg-config --cflags --libs costfront
expect_grep "$TMP/out" "-I$PC/../../include" "pkg-config cflags point into the prefix (found from the pc file's place)"
expect_rc 0 "examples/library builds with pkg-config" -- \
  sh -c "$CC ${EXTRA[*]} '$SRC/examples/library/frontier.c' -o '$TMP/ex_pc' \$(PKG_CONFIG_PATH='$PC' pkg-config --cflags --libs costfront) -Wl,-rpath,'$LIBDIR'"
expect_rc 0 "the pkg-config build runs" -- "$TMP/ex_pc" "$SRC/examples/runs.csv"
cp "$TMP/out" "$TMP/pc.out"
expect_grep "$TMP/pc.out" "hypervolume" "it prints the frontier"

# find_package(costfront) -> costfront::costfront.
expect_rc 0 "examples/library configures with find_package(costfront)" -- \
  cmake -S "$SRC/examples/library" -B "$TMP/exb" -DCMAKE_PREFIX_PATH="$P" -DCMAKE_C_FLAGS="${EXTRA[*]}" \
    -DCMAKE_EXE_LINKER_FLAGS="${EXTRA[*]}" -DCMAKE_BUILD_RPATH="$LIBDIR"
expect_rc 0 "examples/library builds with find_package(costfront)" -- cmake --build "$TMP/exb"
expect_rc 0 "the find_package build runs" -- "$TMP/exb/frontier_example" "$SRC/examples/runs.csv"
cp "$TMP/out" "$TMP/cm.out"
expect_true "both builds print the same frontier" -- cmp -s "$TMP/pc.out" "$TMP/cm.out"
"$BUILD/example_frontier" "$SRC/examples/runs.csv" >"$TMP/tree.out" 2>/dev/null
expect_true "and the same as the build tree's example" -- cmp -s "$TMP/pc.out" "$TMP/tree.out"
finish
