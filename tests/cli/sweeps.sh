# Command-line tests of the study commands (study create/show/import, suggest, observe, score --hvi) and of the
# three sweep examples in examples/sweeps/ run with small budgets.
BIN=$1
SRC=$2
source "$SRC/tests/cli/lib.sh"
LIB="$(dirname "$BIN")/libcostfront.so"
SW="$SRC/examples/sweeps"

cat > "$TMP/bc.json" <<'JSON'
{"params": [{"name": "x0", "type": "float", "low": 0, "high": 1}, {"name": "x1", "type": "float", "low": 0, "high": 1}],
 "objectives": [{"name": "f1", "ref": 18}, {"name": "f2", "ref": 6}]}
JSON

for c in study suggest observe; do
  expect_rc 0 "$c --help" -- "$BIN" "$c" --help
  expect_grep "$TMP/out" "usage: costfront" "$c --help shows usage"
done
expect_rc 0 "--help lists the study commands" -- "$BIN" --help
expect_grep "$TMP/out" "suggest" "suggest listed"

# Bad space files: exit 2 with the JSON path (or the file) in the message; nothing is created.
printf '{"params": [{"name": "x", "type": "float", "low": 1, "high": 0}], "objectives": [{"name": "f"}]}' > "$TMP/bad1.json"
expect_rc 2 "space with low > high" -- "$BIN" study create --space "$TMP/bad1.json" --store "$TMP/never.db"
expect_grep "$TMP/err" "params[0].high" "JSON path of the bad bound"
printf '{"params": [{"name": "h", "type": "categorical", "choices": ["a", "a"]}], "objectives": [{"name": "f"}]}' > "$TMP/bad2.json"
expect_rc 2 "duplicate choices" -- "$BIN" study create --space "$TMP/bad2.json" --store "$TMP/never.db"
expect_grep "$TMP/err" "params[0].choices" "JSON path of the duplicate choice"
printf '{"params": [' > "$TMP/bad3.json"
expect_rc 2 "space that is not JSON" -- "$BIN" study create --space "$TMP/bad3.json" --store "$TMP/never.db"
expect_grep "$TMP/err" "bad3.json" "file named"
printf '{"params": [{"name": "hardware", "type": "categorical", "choices": ["t4", "rtx-9090"]}], "objectives": [{"name": "cost_usd"}]}' > "$TMP/bad4.json"
expect_rc 2 "cost-aware space with unknown hardware" -- "$BIN" study create --space "$TMP/bad4.json" --store "$TMP/never.db"
expect_grep "$TMP/err" "params[0].choices[1]" "JSON path of the unknown hardware"
expect_true "no study file after a refused space" -- test ! -e "$TMP/never.db"
expect_rc 2 "missing space file" -- "$BIN" study create --space "$TMP/nope.json" --store "$TMP/never.db"
expect_rc 1 "create without --store" -- "$BIN" study create --space "$TMP/bc.json"
expect_rc 1 "unknown study subcommand" -- "$BIN" study frob

# Create, suggest, observe, show.
expect_rc 0 "study create" -- "$BIN" study create --space "$TMP/bc.json" --store "$TMP/bc.db"
expect_rc 2 "create over an existing study" -- "$BIN" study create --space "$TMP/bc.json" --store "$TMP/bc.db"
expect_rc 0 "suggest two" -- "$BIN" suggest --store "$TMP/bc.db" --n 2 --seed 1
expect_grep "$TMP/out" '{"trials":[{"id":1,"params":{"x0":' "suggest JSON shape"
expect_grep "$TMP/out" '{"id":2,' "second trial"
expect_rc 0 "observe trial 1" -- "$BIN" observe --store "$TMP/bc.db" --id 1 --values '{"f1": 10, "f2": 5}'
expect_grep "$TMP/out" '"state":"complete"' "observe prints the stored trial"
# Issue 10: a negative id said "--id ID is required" although it was given.
expect_rc 1 "observe a negative id" -- "$BIN" observe --store "$TMP/bc.db" --id -1 --values '{"f1": 10, "f2": 5}'
expect_grep "$TMP/err" "--id: expected a trial id, a positive integer as 'costfront suggest' printed it, found '-1'" "negative id explained"
expect_no_grep "$TMP/err" "is required" "a given id is not called missing"
expect_rc 2 "observe trial 1 twice" -- "$BIN" observe --store "$TMP/bc.db" --id 1 --values '{"f1": 10, "f2": 5}'
expect_grep "$TMP/err" "already complete" "already told"
expect_rc 2 "unknown trial id" -- "$BIN" observe --store "$TMP/bc.db" --id 99 --values '{"f1": 1, "f2": 1}'
expect_grep "$TMP/err" "There is no trial 99" "unknown id named"
expect_rc 2 "missing objective" -- "$BIN" observe --store "$TMP/bc.db" --id 2 --values '{"f1": 1}'
expect_grep "$TMP/err" "values.f2" "missing objective named"
expect_rc 2 "values that are not JSON" -- "$BIN" observe --store "$TMP/bc.db" --id 2 --values '{f1: 1'
expect_rc 1 "bad state" -- "$BIN" observe --store "$TMP/bc.db" --id 2 --state exploded
expect_rc 0 "observe a failed trial" -- "$BIN" observe --store "$TMP/bc.db" --id 2 --state failed
expect_rc 2 "suggest on a missing study" -- "$BIN" suggest --store "$TMP/none.db"
expect_rc 0 "suggest tsv" -- "$BIN" suggest --store "$TMP/bc.db" --format tsv --seed 2
expect_true "tsv header" -- test "$(head -n 1 "$TMP/out")" = "$(printf 'id\tx0\tx1')"
expect_true "tsv row: id 3 and two values" -- awk -F'\t' 'NR == 2 && $1 == 3 && NF == 3 { ok = 1 } END { exit !ok }' "$TMP/out"
expect_rc 0 "study show" -- "$BIN" study show --store "$TMP/bc.db"
expect_grep "$TMP/out" "trials: 3 (1 complete, 1 pending, 1 failed, 0 pruned)" "show counts trials"
expect_grep "$TMP/out" "f1=18 (given)" "show gives the reference point"
# HV of the single point (10, 5) under ref (18, 6): 8 x 1.
expect_grep "$TMP/out" "hypervolume: 8" "show gives the hypervolume"
expect_rc 0 "study show json" -- "$BIN" study show --store "$TMP/bc.db" --format json
expect_grep "$TMP/out" '"hypervolume":	8' "json hypervolume"
expect_grep "$TMP/out" '"pending":	1' "json counts"

# Determinism: two fresh studies told the same outcomes give byte-identical suggestions, in the model phase too.
run_det() { # DB
  "$BIN" study create --space "$TMP/bc.json" --store "$1" 2>/dev/null
  for k in 1 2 3 4 5 6; do
    "$BIN" suggest --store "$1" --seed 5 --effort 64,2,40,1 >/dev/null
    "$BIN" observe --store "$1" --id $k --values "{\"f1\": $((20 - 2 * k)), \"f2\": $k}" >/dev/null
  done
  "$BIN" suggest --store "$1" --n 2 --seed 9 --effort 64,2,40,1
}
run_det "$TMP/d1.db" > "$TMP/d1.out"
run_det "$TMP/d2.db" > "$TMP/d2.out"
expect_grep "$TMP/d1.out" '"id":8' "model-phase suggestions"
expect_true "same seed, same suggestions (byte-identical)" -- cmp -s "$TMP/d1.out" "$TMP/d2.out"

# Cost-aware study: accuracy and gpu_hours are enough, the costs are computed; score --hvi against its front.
cat > "$TMP/cost.json" <<'JSON'
{"params": [{"name": "hardware", "type": "categorical", "choices": ["a100-80gb", "t4"]},
            {"name": "precision", "type": "categorical", "choices": ["fp32", "bf16"]},
            {"name": "lr", "type": "float", "low": 1e-4, "high": 1e-1, "log": true}],
 "objectives": [{"name": "accuracy", "direction": "maximize"}, {"name": "total_cost_usd"}]}
JSON
expect_rc 0 "cost-aware create" -- "$BIN" study create --space "$TMP/cost.json" --store "$TMP/cost.db"
expect_grep "$TMP/err" "cost-aware" "create says cost-aware"
expect_rc 0 "cost-aware suggest" -- "$BIN" suggest --store "$TMP/cost.db" --seed 1
expect_rc 2 "cost-aware observe without gpu_hours" -- "$BIN" observe --store "$TMP/cost.db" --id 1 --values '{"accuracy": 0.9}'
expect_grep "$TMP/err" "values.gpu_hours" "gpu_hours named"
expect_rc 0 "cost-aware observe" -- "$BIN" observe --store "$TMP/cost.db" --id 1 --values '{"accuracy": 0.9, "gpu_hours": 10}'
expect_grep "$TMP/out" '"total_cost_usd":' "total cost computed and stored"
expect_grep "$TMP/out" '"co2e_kg":' "co2e computed and stored"
expect_rc 0 "score --hvi" -- "$BIN" score --hvi --store "$TMP/cost.db" --accuracy 0.99 --gpu-hours 0.5 --hardware t4
expect_grep "$TMP/out" '"score_formula":	"hypervolume improvement over the study' "hvi score formula"
expect_grep "$TMP/out" '"feasible":	true' "hvi feasible"
expect_true "hvi score is positive for a dominating run" -- \
  awk '/"improvement":/ { gsub(/[^0-9.e+-]/, "", $2); if ($2 + 0 > 0) ok = 1 } END { exit !ok }' "$TMP/out"
expect_rc 0 "score --hvi of a dominated run" -- "$BIN" score --hvi --store "$TMP/cost.db" --accuracy 0.5 --gpu-hours 500 --hardware a100-80gb
expect_true "dominated run scores exactly 0" -- grep -qx "$(printf '\t"score":\t0')" "$TMP/out"
expect_rc 1 "score --hvi without --store" -- "$BIN" score --hvi --accuracy 0.9 --gpu-hours 1 --hardware t4
# Import the example runs: hardware, precision and lr come from the runs; runs outside the space are skipped.
expect_rc 0 "study import" -- "$BIN" study import --store "$TMP/cost.db" "$SRC/examples/runs.csv"
expect_grep "$TMP/err" "runs added as complete trials" "import counts"
expect_rc 0 "show after import" -- "$BIN" study show --store "$TMP/cost.db" --format json
expect_grep "$TMP/out" '"cost_aware":	true' "show json says cost-aware"

# The three sweep examples, with small budgets.
expect_rc 0 "shell ask/tell loop" -- bash "$SW/ask_tell.sh" "$BIN" 8 "$TMP/shell"
expect_grep "$TMP/out" "trial 8:" "shell loop ran 8 trials"
expect_grep "$TMP/out" "trials: 8 (8 complete, 0 pending, 0 failed, 0 pruned)" "shell loop told every trial"
PY=/usr/bin/python3
# Under AddressSanitizer the shared library needs the ASan runtime loaded first into Python.
PRELOAD=""
if ldd "$LIB" 2>/dev/null | grep -q libasan; then
  PRELOAD=$(ldd "$LIB" | awk '/libasan/ { print $3 }')
fi
if [ -n "$PRELOAD" ]; then
  expect_rc 0 "ctypes ask/tell loop (ASan)" -- env LD_PRELOAD="$PRELOAD" ASAN_OPTIONS=detect_leaks=0 \
    "$PY" "$SW/ctypes_loop.py" --lib "$LIB" --budget 8 --q 2
else
  expect_rc 0 "ctypes ask/tell loop" -- "$PY" "$SW/ctypes_loop.py" --lib "$LIB" --budget 8 --q 2
fi
expect_grep "$TMP/out" "trial 8:" "ctypes loop ran 8 trials"
expect_grep "$TMP/out" "front of" "ctypes loop printed the front"
if "$PY" -c 'import optuna' 2>/dev/null; then
  expect_rc 0 "optuna with costfront score" -- "$PY" "$SW/optuna_score.py" --bin "$BIN" --trials 6
  expect_grep "$TMP/out" "best score" "optuna single-objective result"
  expect_grep "$TMP/out" "after 6 trials" "optuna ran 6 trials"
  expect_rc 0 "optuna multi-objective" -- "$PY" "$SW/optuna_score.py" --bin "$BIN" --trials 6 --multi
  expect_grep "$TMP/out" "pareto front:" "optuna multi-objective front"
else
  echo "FAIL: python3-optuna is not installed (./setup.sh installs it)"; FAILS=$((FAILS + 1))
fi
# The README's study sequence on the bundled space file.
expect_rc 0 "README study create" -- "$BIN" study create --space "$SRC/examples/study/space.json" --store "$TMP/readme.db"
expect_rc 0 "README suggest" -- "$BIN" suggest --store "$TMP/readme.db" --n 2 --seed 1
expect_grep "$TMP/out" '"id":1' "first suggested id is 1"
expect_rc 0 "README observe" -- "$BIN" observe --store "$TMP/readme.db" --id 1 --values '{"accuracy": 0.91, "gpu_hours": 12}'
expect_rc 0 "README observe failed" -- "$BIN" observe --store "$TMP/readme.db" --id 2 --state failed
expect_rc 0 "README study show" -- "$BIN" study show --store "$TMP/readme.db"
expect_rc 0 "README study import" -- "$BIN" study import --store "$TMP/readme.db" "$SRC/examples/runs.csv"
expect_grep "$TMP/err" "49 of 144 runs added" "runs that fit the space imported"

# Issue 10: a database of something else (an Optuna or MLflow file, a run store) is refused by study create and study
# show without being modified: the journal mode was switched to WAL, and create added its tables, before refusing.
sqlite3 "$TMP/other.db" "CREATE TABLE studies(study_id INTEGER); INSERT INTO studies VALUES (1);"
sum_before=$(md5sum <"$TMP/other.db")
expect_rc 2 "study create in another program's database" -- "$BIN" study create --store "$TMP/other.db" --space "$SRC/examples/study/space.json"
expect_grep "$TMP/err" "Not a study file: it is an Optuna storage (tables studies, trials, trial_params, ...); it was left untouched" "foreign database named"
expect_rc 2 "study show on another program's database" -- "$BIN" study show --store "$TMP/other.db"
expect_true "the foreign database is byte-identical" -- test "$(md5sum <"$TMP/other.db")" = "$sum_before"
expect_true "no WAL file beside it" -- test ! -e "$TMP/other.db-wal"

finish
