# costfront curves (issue 13): learning-curve waste with answers worked by hand in tests/fixtures/gen_curves.py,
# from every history source (JSON Lines, CSV, an MLflow file store, a W&B history export), the policies, the
# errors, and byte-identical JSON.
BIN=$1
SRC=$2
source "$SRC/tests/cli/lib.sh"
/usr/bin/python3 "$SRC/tests/fixtures/gen_curves.py" "$TMP/f" || { echo "FAIL: fixture generator"; exit 1; }
F="$TMP/f"
CAT=(--catalog "$F/catalog.json" --catalog-only)

expect_rc 0 "curves from a JSON Lines history" -- "$BIN" curves "$F/runs.csv" --curves "$F/history.jsonl" "${CAT[@]}" \
  --format json --out "$TMP/a.json"
J="$TMP/a.json"
py() { /usr/bin/python3 -c "import json,sys; d=json.load(open('$J')); $1"; }
expect_true "total: 13 of 40 GPU-h, \$26 of \$80 after the plateau" -- \
  py "t=d['total']; assert (t['wasted_gpu_hours'],t['gpu_hours'],t['wasted_cost_usd'],t['cost_usd'],t['stopped'])==(13,40,26,80,3), t"
expect_true "runs ordered by wasted cost: D C A B" -- py "assert [r['run_id'] for r in d['runs']]==['D','C','A','B']"
expect_true "A: plateau 5, stop 8, 2 GPU-h, \$4" -- \
  py "r=[r for r in d['runs'] if r['run_id']=='A'][0]; assert (r['plateau_step'],r['stop_step'],r['wasted_gpu_hours'],r['wasted_cost_usd'])==(5,8,2,4), r"
expect_true "C: plateau 2, stop 5, 5 GPU-h, \$10, gain after 0.1" -- \
  py "r=[r for r in d['runs'] if r['run_id']=='C'][0]; assert (r['plateau_step'],r['stop_step'],r['wasted_gpu_hours'],r['wasted_cost_usd'])==(2,5,5,10) and abs(r['gain_after_stop']-0.1)<1e-12, r"
expect_true "D: plateau 1, stop 4, 6 GPU-h, \$12; B never stops" -- \
  py "r={x['run_id']:x for x in d['runs']}; assert (r['D']['plateau_step'],r['D']['stop_step'],r['D']['wasted_gpu_hours'])==(1,4,6) and r['B']['stopped'] is False and r['B']['stop_step'] is None"
expect_true "median rule stops B and D at step 3: 14 GPU-h, \$28, B lost" -- \
  py "p=d['policies'][1]; r={x['run_id']:x for x in d['runs']}; assert p['name']=='median_stopping' and (p['runs_stopped'],p['saved_gpu_hours'],p['saved_cost_usd'],p['runs_lost'],p['lost_example'])==(2,14,28,1,'B') and r['B']['median_stop_step']==3 and r['D']['median_stop_step']==3 and r['A']['median_stop_step'] is None, p"
expect_true "successive halving: B, D at 10/9, C at 10/3: 24.44 GPU-h, \$48.89, B lost" -- \
  py "p=d['policies'][2]; assert p['runs_stopped']==3 and abs(p['saved_gpu_hours']-220/9)<1e-6 and abs(p['saved_cost_usd']-440/9)<1e-6 and p['runs_lost']==1, p"
expect_true "early stopping policy: the 13 GPU-h, nothing lost" -- \
  py "p=d['policies'][0]; assert (p['runs_stopped'],p['saved_gpu_hours'],p['runs_lost'])==(3,13,0), p"

# The same analysis from the other sources.
expect_rc 0 "the same as CSV (long form) -- JSON identical" -- "$BIN" curves "$F/runs.csv" --curves "$F/history.csv" \
  "${CAT[@]}" --format json --out "$TMP/csv.json" --keep-going
expect_grep "$TMP/err" "history.csv:42:4: value: expected a decimal number as the value, found 'high'" \
  "the bad point is named by file, line, column"
expect_true "CSV and JSONL give the same analysis" -- cmp -s "$TMP/a.json" "$TMP/csv.json"
expect_rc 2 "a rejected point without --keep-going refuses (exit 2)" -- "$BIN" curves "$F/runs.csv" --curves "$F/history.csv" "${CAT[@]}"
expect_grep "$TMP/err" "history points: 41 read, 40 accepted, 1 rejected" "history counts are printed"

expect_rc 0 "MLflow store: runs and histories from one directory" -- "$BIN" curves "$F/mlruns" "${CAT[@]}" \
  --map val_accuracy=accuracy --format json --out "$TMP/ml.json"
expect_grep "$TMP/err" "1 symbolic link in the MLflow store was not followed" "a link leaving the store is not followed"
J="$TMP/ml.json"
expect_true "MLflow: same waste (apportioned by the metric timestamps)" -- \
  py "t=d['total']; assert (t['wasted_gpu_hours'],t['wasted_cost_usd'])==(13,26) and all(r['apportioned_by']=='time' for r in d['runs'])"
expect_true "the linked metric 'stolen' was not read" -- py "assert 'stolen' not in open('$TMP/ml.json').read()"

expect_rc 0 "W&B history export, apportioned by _runtime" -- "$BIN" curves "$F/wandb_runs.csv" --curves "$F/wandb/wb1.csv" \
  --curve-metric val_acc:max "${CAT[@]}" --format json --out "$TMP/wb.json"
J="$TMP/wb.json"
expect_true "wb1: stop step 4 at runtime 400 of 1000: 60% of 4 GPU-h = 2.4, \$4.80" -- \
  py "r=d['runs'][0]; assert (r['stop_step'],r['wasted_fraction'],r['wasted_gpu_hours'],r['wasted_cost_usd'],r['apportioned_by'])==(4,0.6,2.4,4.8,'time'), r"
expect_grep "$TMP/err" "1 column ignored as it holds no numbers or is W&B's own (phase)" "a text column is noted"

# Table, determinism, options and errors.
expect_rc 0 "table" -- "$BIN" curves "$F/runs.csv" --curves "$F/history.jsonl" "${CAT[@]}" --group-by model
expect_grep "$TMP/out" '$26.00 (32.5% of spend) and 13 GPU-hours (32.5%) went to training after the plateau, in 3 of 4 runs.' \
  "the totals sentence"
expect_grep "$TMP/out" "m1" "the group table names the group"
"$BIN" curves "$F/runs.csv" --curves "$F/history.jsonl" "${CAT[@]}" --format json > "$TMP/b.json" 2>/dev/null
expect_true "same inputs, byte-identical JSON" -- cmp -s "$TMP/a.json" "$TMP/b.json"
expect_rc 0 "csv output" -- "$BIN" curves "$F/runs.csv" --curves "$F/history.jsonl" "${CAT[@]}" --format csv
expect_grep "$TMP/out" "D,,val_accuracy,10,10,0.3,0.3,true,1,4,0,10,on_demand,20,0.6,6,12,steps,3,1.111111111" "csv row of D"
expect_rc 0 "--patience 6: only D stops (at step 7)" -- "$BIN" curves "$F/runs.csv" --curves "$F/history.jsonl" "${CAT[@]}" \
  --patience 6 --format csv
expect_grep "$TMP/out" "D,,val_accuracy,10,10,0.3,0.3,true,1,7," "D stops at step 7 with patience 6"
expect_rc 2 "an unknown metric lists what was seen" -- "$BIN" curves "$F/runs.csv" --curves "$F/history.jsonl" "${CAT[@]}" \
  --curve-metric nope
expect_grep "$TMP/err" "no run has a history of 'nope'" "the missing metric is named"
expect_rc 1 "no history source is a usage error" -- "$BIN" curves "$F/runs.csv" "${CAT[@]}"
expect_rc 1 "--patience 0 is refused" -- "$BIN" curves "$F/runs.csv" --curves "$F/history.jsonl" --patience 0
expect_rc 2 "a missing history file" -- "$BIN" curves "$F/runs.csv" --curves "$F/nope.jsonl" "${CAT[@]}"

# The report's learning-curve section.
expect_rc 0 "report with --curves" -- "$BIN" report "$F/runs.csv" --curves "$F/history.jsonl" "${CAT[@]}" --out "$TMP/rep"
expect_grep "$TMP/rep/index.html" "Learning curves: cost after the plateau" "the section is there"
expect_grep "$TMP/rep/index.html" '$26.00 (32.5% of spend) and 13 GPU-hours (32.5%) went to training after the plateau of val_accuracy, in 3 of 4 runs' "its totals sentence"
expect_grep "$TMP/rep/index.html" "median_stopping" "its policy table"
expect_true "the learning-curve chart is well-formed SVG" -- xmllint --noout "$TMP/rep/learning_curves.svg"
expect_grep "$TMP/rep/learning_curves.svg" "early stopping would stop here" "stop points are marked"
expect_grep "$TMP/rep/learning_curves.svg" "plateau (best value before stopping)" "plateau points are marked"
expect_rc 0 "report without --curves has no such section" -- "$BIN" report "$F/runs.csv" "${CAT[@]}" --out "$TMP/rep2" --no-charts
expect_no_grep "$TMP/rep2/index.html" "Learning curves" "no section unless asked"
finish
