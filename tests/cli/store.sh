# The run store's sources: one source however its path is spelled, copies not duplicated, run-id clashes refused,
# `store sources` and `store remove` with known counts (examples/runs.csv has 144 runs).
BIN=$1
SRC=$2
source "$SRC/tests/cli/lib.sh"
cd "$TMP" || exit 1
mkdir d
cp "$SRC/examples/runs.csv" d/runs.csv

expect_rc 0 "first import" -- "$BIN" import d/runs.csv --store s.db
expect_grep "$TMP/out" "144 added, 0 updated, 0 unchanged" "first import adds 144"
for spelling in ./d/runs.csv "$TMP/d/runs.csv" d//runs.csv d/../d/runs.csv; do
  expect_rc 0 "import as $spelling" -- "$BIN" import "$spelling" --store s.db
  expect_grep "$TMP/out" "0 added, 0 updated, 144 unchanged, 0 removed" "$spelling is the same source"
  expect_grep "$TMP/out" "144 runs in the store" "still 144 runs after $spelling"
done
(cd d && "$BIN" import runs.csv --store ../s.db >"$TMP/out" 2>&1)
expect_grep "$TMP/out" "0 added, 0 updated, 144 unchanged" "a relative path from another directory is the same source"
expect_rc 0 "the store reads" -- "$BIN" frontier --store s.db
expect_rc 0 "store sources" -- "$BIN" store sources --store s.db
expect_grep "$TMP/out" "1 sources, 144 runs" "one source"
expect_grep "$TMP/out" "$(cd d && pwd -P)/runs.csv" "the canonical path is listed"
expect_true "the sha256 prefix is listed" -- grep -qE '^ +1  csv +[0-9a-f]{12}  +144  ' "$TMP/out"

# a copy at another path: same content, not imported again
cp d/runs.csv copy.csv
expect_rc 0 "import a copy" -- "$BIN" import copy.csv --store s.db
expect_grep "$TMP/out" "0 added, 0 updated, 144 unchanged" "the copy adds nothing"
expect_grep "$TMP/err" "copy.csv: same content as source 1" "the copy is named as the same content"

# the same path with changed content: its runs are replaced (r001 changed, r144 gone, r900 new)
sed -e 's/^r001,bert-base,glue,nlp,a100-80gb,tf32,0.5,adamw,4.95e-05,64,4,0.8349/r001,bert-base,glue,nlp,a100-80gb,tf32,0.5,adamw,4.95e-05,64,4,0.8350/' \
    -e '/^r144,/d' d/runs.csv > d/new.csv
grep '^r002,' d/runs.csv | sed 's/^r002,/r900,/' >> d/new.csv
mv d/new.csv d/runs.csv
expect_rc 0 "re-import the changed file" -- "$BIN" import d/runs.csv --store s.db
expect_grep "$TMP/out" "1 added, 1 updated, 142 unchanged, 1 removed" "changed content replaces the source's runs"
expect_grep "$TMP/out" "144 runs in the store" "144 runs after the replacement"

# another file reusing run ids: refused, naming both sources, nothing imported
{ head -1 d/runs.csv; grep '^r010,' d/runs.csv | sed 's/^r010,/z001,/'; grep '^r005,' d/runs.csv; } > other.csv
expect_rc 2 "a run id clash is refused with exit 2" -- "$BIN" import other.csv --store s.db
expect_grep "$TMP/err" "other.csv:3: run_id: run id 'r005' is already in the store from source 1" "the clash names the file, line and run id"
expect_grep "$TMP/err" "$(cd d && pwd -P)/runs.csv, line 6" "the clash names the other source and its line"
expect_grep "$TMP/err" "nothing was imported" "nothing imported"
expect_rc 0 "store sources after the clash" -- "$BIN" store sources --store s.db
expect_grep "$TMP/out" "1 sources, 144 runs" "z001 was not kept"

# a second source, then remove by id and by path
{ head -1 d/runs.csv; grep '^r010,' d/runs.csv | sed 's/^r010,/y001,/'; grep '^r011,' d/runs.csv | sed 's/^r011,/y002,/'; } > two.csv
expect_rc 0 "import a second source" -- "$BIN" import two.csv --store s.db
expect_grep "$TMP/out" "2 added" "two runs added"
expect_rc 0 "store sources --format json" -- "$BIN" store sources --store s.db --format json
expect_true "json lists two sources with their runs" -- python3 -c '
import json, sys
s = json.load(open(sys.argv[1]))
assert [x["id"] for x in s] == [1, 2] and [x["runs"] for x in s] == [144, 2], s
assert all(len(x["sha256"]) == 64 and x["kind"] == "csv" for x in s), s
' "$TMP/out"
expect_rc 0 "remove by id" -- "$BIN" store remove --store s.db 2
expect_grep "$TMP/out" "removed source 2 (csv $TMP/two.csv): 2 runs; 144 runs left" "removed 2 runs"
expect_rc 2 "remove an unknown id" -- "$BIN" store remove --store s.db 2
expect_grep "$TMP/err" "no source '2' in the store" "unknown source named"
expect_rc 0 "remove by another spelling of the path" -- "$BIN" store remove --store s.db ./d/../d/runs.csv
expect_grep "$TMP/out" "144 runs; 0 runs left" "removed 144 runs"
expect_rc 0 "store sources on an empty store" -- "$BIN" store sources --store s.db
expect_grep "$TMP/out" "no sources in s.db" "empty"
expect_rc 0 "the removed file imports again" -- "$BIN" import other.csv --store s.db
expect_grep "$TMP/out" "2 added" "no clash once the source is removed"

# usage and files that are not stores
expect_rc 2 "sources of a missing store" -- "$BIN" store sources --store missing.db
expect_true "a missing store is not created" -- test ! -e missing.db
expect_rc 1 "store without a subcommand" -- "$BIN" store
expect_rc 1 "unknown subcommand" -- "$BIN" store list --store s.db
expect_rc 1 "remove without SOURCE" -- "$BIN" store remove --store s.db
expect_rc 1 "sources without --store" -- "$BIN" store sources
expect_rc 0 "store --help" -- "$BIN" store --help
expect_grep "$TMP/out" "costfront store remove --store DB SOURCE" "help shows remove"
printf 'not a database at all, just text that is long enough to be a file...\n' > text.db
expect_rc 2 "a text file is not a store" -- "$BIN" store sources --store text.db
finish
