# costfront observe --step and should-prune (issue 13): the hand-made sweep of tests/test_prune.c through the
# command line (answers worked there: trial 4 is pruned, dominated by trial 1; trial 5 continues), the exit codes
# (0 continue, 7 prune), --tell, and the errors: unknown id, a step going backwards, the wrong number of values,
# a trial that is not running, bad option values.
BIN=$1
SRC=$2
source "$SRC/tests/cli/lib.sh"
DB="$TMP/s.db"
cat >"$TMP/space.json" <<'JSON'
{"params": [{"name": "x", "type": "float", "low": 0, "high": 1}],
 "objectives": [{"name": "accuracy", "direction": "maximize"}, {"name": "gpu_hours", "direction": "minimize"}]}
JSON
expect_rc 0 "should-prune --help" -- "$BIN" should-prune --help
expect_grep "$TMP/out" "Exit codes: 0 continue, 7 prune" "documents its exit codes"
expect_rc 0 "costfront --help lists should-prune" -- "$BIN" --help
expect_grep "$TMP/out" "should-prune answer prune or continue" "with its summary"
expect_rc 0 "observe --help documents --step" -- "$BIN" observe --help
expect_grep "$TMP/out" "--step S" "--step listed"
expect_rc 0 "create the study" -- "$BIN" study create --space "$TMP/space.json" --store "$DB"
expect_rc 0 "six pending trials" -- "$BIN" suggest --store "$DB" --n 6 --seed 1 --acquisition sobol
step() { "$BIN" observe --store "$DB" --id "$1" --step "$2" --values "$3" ${4:+--gpu-hours "$4"} >/dev/null || echo "FAIL: observe $*"; }
for k in 1 2 3 4; do
  step 1 $((10 * k)) "$(echo "0.5 0.7 0.8 0.85" | cut -d' ' -f$k)" "$k"
  step 2 $((10 * k)) "$(echo "0.4 0.6 0.7 0.75" | cut -d' ' -f$k)" "$(echo "0.5 1 1.5 2" | cut -d' ' -f$k)"
  step 3 $((10 * k)) "$(echo "0.6 0.8 0.88 0.9" | cut -d' ' -f$k)" $((2 * k))
done
"$BIN" observe --store "$DB" --id 1 --values '{"accuracy": 0.85, "gpu_hours": 4}' >/dev/null
"$BIN" observe --store "$DB" --id 2 --values '{"accuracy": 0.75, "gpu_hours": 2}' >/dev/null
"$BIN" observe --store "$DB" --id 3 --values '{"accuracy": 0.9, "gpu_hours": 8}' >/dev/null
step 4 10 0.3 1
step 4 20 0.45 2
expect_rc 0 "two evaluations: continue (too few steps)" -- "$BIN" should-prune --store "$DB" --id 4
expect_grep "$TMP/out" '"reason":"too_few_steps"' "the reason says so"
expect_rc 0 "observe --step prints the record" -- "$BIN" observe --store "$DB" --id 4 --step 30 --values 0.5 --gpu-hours 3
expect_grep "$TMP/out" '{"id":4,"step":30,"values":{"accuracy":0.5},"gpu_hours":3}' "the record as JSON"
expect_rc 7 "trial 4 cannot reach the front: prune (exit 7)" -- "$BIN" should-prune --store "$DB" --id 4
J="$TMP/out"
expect_true "pruned by trial 1 at 0.55 accuracy for 4 GPU-hours" -- /usr/bin/python3 -c "
import json; d = json.load(open('$J'))
assert (d['decision'], d['reason'], d['dominated_by'], d['budget_step']) == ('prune', 'dominated', 1, 40), d
assert abs(d['projected']['accuracy'] - 0.55) < 1e-12 and d['projected_gpu_hours'] == 4, d"
step 5 10 0.5 1
step 5 20 0.72 2
step 5 30 0.84 3
expect_rc 0 "trial 5 may reach the front: continue" -- "$BIN" should-prune --store "$DB" --id 5
expect_grep "$TMP/out" '"reason":"may_reach_front"' "its reason"
expect_rc 7 "a longer budget (step 80, 8 GPU-hours) prunes trial 5 too" -- "$BIN" should-prune --store "$DB" --id 5 --budget-step 80
expect_grep "$TMP/out" '"dominated_by":3' "matched by trial 3 (0.9 for 8 GPU-hours)"
expect_rc 0 "--min-completed 4 holds off" -- "$BIN" should-prune --store "$DB" --id 4 --min-completed 4
expect_grep "$TMP/out" '"reason":"too_few_completed"' "for want of completed curves"
expect_rc 7 "--tell records the pruning" -- "$BIN" should-prune --store "$DB" --id 4 --tell
expect_rc 0 "the study shows it" -- "$BIN" study show --store "$DB" --format json
expect_true "one trial counted pruned" -- /usr/bin/python3 -c "
import json; d = json.load(open('$TMP/out')); assert d['counts']['pruned'] == 1 and d['counts']['pending'] == 2, d['counts']"
expect_rc 2 "should-prune of a pruned trial: not running" -- "$BIN" should-prune --store "$DB" --id 4
expect_grep "$TMP/err" "Trial 4 is pruned, not running" "says so"

# Errors.
expect_rc 2 "unknown id" -- "$BIN" observe --store "$DB" --id 99 --step 10 --values 0.5
expect_grep "$TMP/err" "There is no trial 99" "names the id"
expect_rc 2 "should-prune of an unknown id" -- "$BIN" should-prune --store "$DB" --id 99
expect_rc 2 "a step going backwards" -- "$BIN" observe --store "$DB" --id 5 --step 20 --values 0.9 --gpu-hours 3
expect_grep "$TMP/err" "step: Expected a step after 30, the last one recorded for trial 5, found 20" "names both steps"
expect_rc 2 "the same step again" -- "$BIN" observe --store "$DB" --id 5 --step 30 --values 0.9
expect_rc 2 "two values for one reported objective" -- "$BIN" observe --store "$DB" --id 5 --step 40 --values 0.9,0.1
expect_grep "$TMP/err" "values: Expected 1 intermediate value (accuracy, in that order), found 2" "names the objectives"
expect_rc 2 "GPU-hours going down" -- "$BIN" observe --store "$DB" --id 5 --step 40 --values 0.9 --gpu-hours 1
expect_rc 2 "a value that is not a number" -- "$BIN" observe --store "$DB" --id 5 --step 40 --values 0.9x
expect_grep "$TMP/err" "found '0.9x' as value 1" "quotes it"
expect_rc 2 "a complete trial takes no steps" -- "$BIN" observe --store "$DB" --id 1 --step 50 --values 0.9
expect_rc 1 "--step -1" -- "$BIN" observe --store "$DB" --id 5 --step -1 --values 0.9
expect_rc 1 "--step with --state" -- "$BIN" observe --store "$DB" --id 5 --step 40 --state failed
expect_rc 1 "--gpu-hours without --step" -- "$BIN" observe --store "$DB" --id 5 --values '{"accuracy": 1}' --gpu-hours 2
expect_rc 1 "--step without --values" -- "$BIN" observe --store "$DB" --id 5 --step 40
expect_rc 1 "should-prune without --id" -- "$BIN" should-prune --store "$DB"
expect_rc 1 "should-prune --min-steps 0" -- "$BIN" should-prune --store "$DB" --id 5 --min-steps 0
expect_rc 2 "should-prune of a missing file" -- "$BIN" should-prune --store "$TMP/nope.db" --id 1
expect_rc 0 "nothing refused was recorded: trial 5 still continues from step 30" -- "$BIN" should-prune --store "$DB" --id 5
expect_grep "$TMP/out" '"step":30' "its last step is 30"

# The sweep examples that report curves and prune (examples/sweeps/): the shell loop and the Python package loop.
expect_rc 0 "examples/sweeps/prune_loop.sh runs" -- bash "$SRC/examples/sweeps/prune_loop.sh" "$BIN" 8 "$TMP/ex"
expect_grep "$TMP/out" "pruned at step" "the shell loop prunes some trials"
expect_grep "$TMP/out" "pruned 4 of 8 trials" "four of eight (deterministic: same seeds, same study)"
LIBSO="$(cd "$(dirname "$BIN")" && pwd)/libcostfront.so"
if ! ldd "$LIBSO" 2>/dev/null | grep -q libasan; then  # Python is not instrumented: skip under ASan
  expect_rc 0 "examples/sweeps/prune_loop.py runs" -- env COSTFRONT_LIB="$LIBSO" OPENBLAS_NUM_THREADS=1 \
    /usr/bin/python3 "$SRC/examples/sweeps/prune_loop.py" --budget 8
  expect_grep "$TMP/out" "pruned at step 30" "the Python loop prunes some trials"
  expect_grep "$TMP/out" "without pruning" "and says what it saved"
fi
finish
