# Command-line regressions found by the second QA pass (fit, predict, tco, study, suggest, observe): each block
# names the bug it pins down.
BIN=$1
SRC=$2
source "$SRC/tests/cli/lib.sh"
EX="$SRC/examples"

# fit on one run printed "LOO RMSE 0, 95% coverage 100%" (leave-one-out of a single run is undefined), and a
# dozen runs gave no hint that the fit leans on its priors.
printf 'run_id,accuracy,gpu_hours,hardware,precision,pruning\nr1,0.9,10,a100-80gb,bf16,0\n' > "$TMP/one.csv"
expect_rc 0 "fit on one run" -- "$BIN" fit "$TMP/one.csv"
expect_grep "$TMP/err" "note: surrogate: only 1 runs with accuracy and 1 with GPU-hours" "one run: note on stderr"
expect_grep "$TMP/err" "(undefined below 2 runs)" "one run: LOO said to be undefined"
expect_true "one run: LOO printed as '-'" -- grep -qE '^accuracy +1 +- +- +- ' "$TMP/out"
expect_rc 0 "fit on one run, json" -- "$BIN" fit "$TMP/one.csv" --format json
expect_grep "$TMP/out" '"rmse":	null' "one run: LOO RMSE is null in JSON"
expect_no_grep "$TMP/out" '"coverage95":	1' "one run: no 100% coverage claimed"
expect_rc 0 "fit on the example" -- "$BIN" fit "$EX/runs.csv"
expect_no_grep "$TMP/err" "note: surrogate: only" "144 runs: no small-sample note"
expect_rc 0 "fit --quiet on one run" -- "$BIN" fit "$TMP/one.csv" --quiet
expect_no_grep "$TMP/err" "note: surrogate" "--quiet silences the note"

# A typo in a space file ("lgo" for "log", "dir" for "direction") was ignored silently, so the study searched a
# different space; a string where a number belongs said "Expected a finite number." without what was found.
S='{"params": [{"name": "x", "type": "float", "low": 1e-4, "high": 1, "lgo": true}], "objectives": [{"name": "f"}]}'
echo "$S" > "$TMP/typo.json"
expect_rc 2 "space: unknown key in a param" -- "$BIN" study create --space "$TMP/typo.json" --store "$TMP/t.db"
expect_grep "$TMP/err" 'params[0].lgo: Unknown key "lgo" (expected name, type, choices, low, high, log)' "key named"
expect_true "no study file left by a refused space" -- test ! -e "$TMP/t.db"
echo '{"params": [{"name": "x", "type": "float", "low": 0, "high": 1}], "objectives": [{"name": "f", "dir": "max"}]}' \
  > "$TMP/typo2.json"
expect_rc 2 "space: unknown key in an objective" -- "$BIN" study create --space "$TMP/typo2.json" --store "$TMP/t.db"
expect_grep "$TMP/err" 'objectives[0].dir: Unknown key "dir"' "objective key named"
echo '{"params": [{"name": "x", "type": "float", "low": 0, "high": 1}], "objectives": [{"name": "f"}],
 "constraints": [{"name": "c", "op": "<=", "value": 1, "strict": true}]}' > "$TMP/typo3.json"
expect_rc 2 "space: unknown key in a constraint" -- "$BIN" study create --space "$TMP/typo3.json" --store "$TMP/t.db"
expect_grep "$TMP/err" 'constraints[0].strict: Unknown key "strict"' "constraint key named"
echo '{"params": [{"name": "x", "type": "float", "low": "0", "high": 1}], "objectives": [{"name": "f"}]}' \
  > "$TMP/str.json"
expect_rc 2 "space: a string bound" -- "$BIN" study create --space "$TMP/str.json" --store "$TMP/t.db"
expect_grep "$TMP/err" 'params[0].low: Expected a finite number, found "0".' "found value shown"

# A JSON syntax error in a space file was reported as "FILE:112:" (the byte offset printed as a line number), and
# trailing text after the object was accepted.
printf '{"params": [{"name": "x", "type": "float", "low": 0, "high": 1}],\n "objectives": [{"name": "f"}]' \
  > "$TMP/trunc.json"
expect_rc 2 "space: truncated JSON" -- "$BIN" study create --space "$TMP/trunc.json" --store "$TMP/t.db"
expect_grep "$TMP/err" "trunc.json:2:" "syntax error on line 2"
expect_grep "$TMP/err" "syntax error at line 2, column" "line and column in the message"
printf '{"params": [{"name": "x", "type": "float", "low": 0, "high": 1}], "objectives": [{"name": "f"}]} junk\n' \
  > "$TMP/trail.json"
expect_rc 2 "space: trailing text" -- "$BIN" study create --space "$TMP/trail.json" --store "$TMP/t.db"
expect_true "no study file left by a refused space" -- test ! -e "$TMP/t.db"

# observe stored a non-numeric extra value ("zz": "y") with the trial.
echo '{"params": [{"name": "x", "type": "float", "low": 0, "high": 1}], "objectives": [{"name": "f"}]}' \
  > "$TMP/s1.json"
expect_rc 0 "study create" -- "$BIN" study create --space "$TMP/s1.json" --store "$TMP/s1.db"
expect_rc 0 "suggest 2" -- "$BIN" suggest --store "$TMP/s1.db" --n 2 --seed 1
expect_rc 2 "observe: a string extra value" -- "$BIN" observe --store "$TMP/s1.db" --id 1 --values '{"f": 1, "zz": "y"}'
expect_grep "$TMP/err" "values.zz: Expected a finite number." "extra value named"
expect_rc 0 "observe: a numeric extra value is kept" -- \
  "$BIN" observe --store "$TMP/s1.db" --id 1 --values '{"f": 1, "zz": 3}'
expect_grep "$TMP/out" '"zz":3' "extra metric stored"

# A q > 1 batch repeated one configuration (3 of 4 trials identical at the lr bound): with a learned noise large
# against the signal, a kriging-believer fantasy barely lowers the variance at the fantasised point.
cat > "$TMP/sp.json" <<'JSON'
{"params": [{"name": "hardware", "type": "categorical", "choices": ["a100-80gb", "l4", "t4"]},
            {"name": "precision", "type": "categorical", "choices": ["fp32", "bf16"]},
            {"name": "lr", "type": "float", "low": 1e-4, "high": 1e-1, "log": true}],
 "objectives": [{"name": "accuracy", "direction": "maximize"}, {"name": "total_cost_usd"}]}
JSON
expect_rc 0 "cost-aware study" -- "$BIN" study create --space "$TMP/sp.json" --store "$TMP/q.db"
expect_rc 0 "initial design" -- "$BIN" suggest --store "$TMP/q.db" --n 8 --seed 0 --format tsv
tail -n +2 "$TMP/out" > "$TMP/design.tsv"
while IFS=$'\t' read -r id hw prec lr; do
  read -r acc gh < <(awk -v hw="$hw" -v prec="$prec" -v lr="$lr" 'BEGIN {
    l = log(lr) / log(10) + 2.5; speed = (hw == "a100-80gb") ? 1.0 : (hw == "l4") ? 0.35 : 0.18
    acc = 0.93 - 0.03 * l * l - (prec == "bf16" ? 0.004 : 0) - (hw == "t4" ? 0.01 : 0)
    printf "%.6f %.6f\n", acc, 6.0 / speed * (prec == "fp32" ? 1.6 : 1.0) }')
  "$BIN" observe --store "$TMP/q.db" --id "$id" --values "{\"accuracy\": $acc, \"gpu_hours\": $gh}" >/dev/null
done < "$TMP/design.tsv"
expect_rc 0 "batch of 4" -- "$BIN" suggest --store "$TMP/q.db" --n 4 --seed 3 --format tsv
expect_true "batch of 4 has 4 distinct configurations" -- \
  test "$(tail -n +2 "$TMP/out" | cut -f2- | sort -u | wc -l)" -eq 4
cp "$TMP/out" "$TMP/b1.tsv"
expect_rc 0 "next batch of 2 with 4 pending" -- "$BIN" suggest --store "$TMP/q.db" --n 2 --seed 4 --format tsv
expect_true "no configuration repeats a pending one" -- \
  test "$(cat "$TMP/b1.tsv" "$TMP/out" | grep -v '^id' | cut -f2- | sort -u | wc -l)" -eq 6

# Two processes suggesting on one study at once: no duplicate ids, no corruption.
expect_rc 0 "study for concurrency" -- "$BIN" study create --space "$TMP/s1.json" --store "$TMP/c.db"
for w in 1 2 3 4; do
  ( for k in 1 2 3; do "$BIN" suggest --store "$TMP/c.db" --seed "$w$k" --format tsv | tail -n +2; done ) \
    > "$TMP/w$w.tsv" 2> "$TMP/w$w.err" &
done
wait
expect_true "12 trials suggested by 4 workers" -- test "$(cat "$TMP"/w?.tsv | wc -l)" -eq 12
expect_true "no duplicate trial ids" -- test "$(cat "$TMP"/w?.tsv | cut -f1 | sort -u | wc -l)" -eq 12
expect_rc 0 "study show after concurrent suggests" -- "$BIN" study show --store "$TMP/c.db" --format json
expect_grep "$TMP/out" '"pending":	12' "12 pending trials stored"

# tco: a demand of 1e308 GPU-hours, or growth that overflows over the horizon, ran out of memory (exit 4).
echo '{"demand_gpu_hours_per_month": 1e308, "hardware": "h100"}' > "$TMP/huge.json"
expect_rc 2 "tco: absurd demand" -- "$BIN" tco --plan "$TMP/huge.json" --mc 0
expect_grep "$TMP/err" "demand_gpu_hours_per_month: expected a number in [0, 1e+09], found 1e+308" "bound named"
echo '{"horizon_months": 1200, "demand_gpu_hours_per_month": {"start": 1000, "growth_monthly": 10},
 "hardware": "h100"}' > "$TMP/growth.json"
expect_rc 2 "tco: overflowing growth" -- "$BIN" tco --plan "$TMP/growth.json" --mc 0
expect_grep "$TMP/err" "demand_gpu_hours_per_month: expected at most 1e+09 GPU-hours in every month" "growth explained"

echo '{"demand_gpu_hours_per_month": 1e9, "hardware": "h100", "target_utilization": 1e-9}' > "$TMP/fleet.json"
expect_rc 2 "tco: a fleet of 1.7e17 servers" -- "$BIN" tco --plan "$TMP/fleet.json" --mc 0
expect_grep "$TMP/err" "on_prem.servers: the fleet sized for the peak month" "fleet bound named"

finish
