# Four imports of the same file at once into one new store, each spelling its path differently, end with exactly
# one copy: every read-decide-write of the store is one BEGIN IMMEDIATE transaction. Repeated, and with a
# different file that reuses run ids racing them: it is refused whole, whichever order the imports take.
BIN=$1
SRC=$2
source "$SRC/tests/cli/lib.sh"
cd "$TMP" || exit 1
mkdir d
cp "$SRC/examples/runs.csv" d/runs.csv
{ head -1 d/runs.csv; grep '^r003,' d/runs.csv; } > d/clash.csv

for round in 1 2 3; do
  rm -f s.db s.db-journal
  pids=()
  "$BIN" import d/runs.csv --store s.db >"o1.$round" 2>"e1.$round" & pids+=($!)
  "$BIN" import ./d/runs.csv --store s.db >"o2.$round" 2>"e2.$round" & pids+=($!)
  "$BIN" import "$TMP/d/runs.csv" --store s.db >"o3.$round" 2>"e3.$round" & pids+=($!)
  (cd d && exec "$BIN" import runs.csv --store ../s.db >"../o4.$round" 2>"../e4.$round") & pids+=($!)
  if [ "$round" -eq 3 ]; then "$BIN" import d/clash.csv --store s.db >"o5.$round" 2>"e5.$round" & pids+=($!); fi
  rcs=()
  for p in "${pids[@]}"; do wait "$p"; rcs+=($?); done
  clash_won=0
  if [ "$round" -eq 3 ] && [ "${rcs[4]}" -eq 0 ]; then clash_won=1; fi
  if [ "$clash_won" -eq 0 ]; then
    expect_true "round $round: the four imports of the same file succeed" -- \
      test "${rcs[0]}${rcs[1]}${rcs[2]}${rcs[3]}" = 0000
    expect_true "round $round: exactly one import added the 144 runs" -- \
      test "$(grep -l '144 added, 0 updated, 0 unchanged' o[1-4].$round | wc -l)" -eq 1
    expect_true "round $round: the other three found them unchanged" -- \
      test "$(grep -l '0 added, 0 updated, 144 unchanged' o[1-4].$round | wc -l)" -eq 3
    if [ "$round" -eq 3 ]; then
      expect_true "round 3: the clashing file is refused with exit 2" -- test "${rcs[4]}" -eq 2
      expect_grep "e5.$round" "run id 'r003' is already in the store from source 1" "round 3: the clash is named"
    fi
    want="1 sources, 144 runs"
  else
    # clash.csv took the lock first: then it holds r003, and every import of runs.csv is refused whole
    expect_true "round 3: clash.csv first, so the four imports of runs.csv are refused" -- \
      test "${rcs[0]}${rcs[1]}${rcs[2]}${rcs[3]}" = 2222
    want="1 sources, 1 runs"
  fi
  expect_rc 0 "round $round: store sources" -- "$BIN" store sources --store s.db
  expect_grep "$TMP/out" "$want" "round $round: one source, one copy of the runs"
  expect_rc 0 "round $round: the store reads without duplicate run ids" -- "$BIN" frontier --store s.db
done
finish
