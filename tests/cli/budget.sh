# Command-line tests of `costfront budget check` on the FOCUS fixtures of tests/fixtures/gen_focus.py: each exit
# code (0 no alert, 8 threshold crossed or forecast, 1 usage, 2 bad budget file or bill) and the hand-worked figures.
BIN=$1
SRC=$2
source "$SRC/tests/cli/lib.sh"
/usr/bin/python3 "$SRC/tests/fixtures/gen_focus.py" "$TMP" >/dev/null || { echo "FAIL: gen_focus.py"; exit 1; }
B="$TMP/bill.csv"

# March 2026 as of 03-15 (d = 15 of D = 31, r = 16 days left), EffectiveCost. team=nlp: 32 + 32 on 03-02, S = 64,
# burn 64/15 = 4.27/day, forecast 64 + 16 x 64/15 = 132.27. Budget 100: 50% (50) crossed on 03-02; 100% forecast,
# reached after ceil(36 / 4.2667) = 9 more days, 03-24: exit 8. The whole bill: 32+32+30+5+10+12 = 121 in March.
echo '{"budgets": [{"team": "nlp", "monthly_usd": 100, "thresholds": [0.5, 1.0]}, {"monthly_usd": 1000}]}' >"$TMP/alert.json"
expect_rc 8 "budget crossed and forecast: exit 8" -- "$BIN" budget check --bill "$B" --budget "$TMP/alert.json" --as-of 2026-03-15
expect_grep "$TMP/out" "team=nlp                       100.00        64.00         4.27       132.27" "nlp spend, burn, forecast"
expect_grep "$TMP/out" "50%:crossed 100%:forecast" "nlp thresholds"
expect_grep "$TMP/out" "121.00" "whole bill spend in March"
expect_grep "$TMP/out" "has crossed 50% of 100.00 USD (50.00 USD) on 2026-03-02" "crossed alert and date"
expect_grep "$TMP/out" "will cross 100% of 100.00 USD (100.00 USD) around 2026-03-24" "forecast alert and date"
expect_grep "$TMP/err" "bill rows read 8, accepted 8, rejected 0" "counts"

# Budget 1000 for nlp: 500 is neither reached nor inside the interval (high end 64 + 132.27 - 64 + 203.8 = 336.07).
echo '{"budgets": [{"team": "nlp", "monthly_usd": 1000, "thresholds": [0.5]}]}' >"$TMP/ok.json"
expect_rc 0 "no alert: exit 0" -- "$BIN" budget check "$TMP/bill.csv.gz" --budget "$TMP/ok.json" --as-of 2026-03-15 --format json
expect_true "json figures" -- /usr/bin/python3 -c "
import json,sys; j=json.load(open(sys.argv[1])); b=j['budgets'][0]
assert j['alert'] is False and j['period'] == '2026-03' and b['spend_usd'] == 64 and b['days_elapsed'] == 15
assert abs(b['forecast_usd'] - 132.2666667) < 1e-6 and abs(b['forecast_high_usd'] - 336.07) < 0.01, b
assert b['thresholds'][0]['level'] == 'ok'" "$TMP/out"
# Same bytes twice.
cp "$TMP/out" "$TMP/j1"
expect_rc 0 "json again" -- "$BIN" budget check "$B" --budget "$TMP/ok.json" --as-of 2026-03-15 --format json
expect_true "deterministic JSON" -- cmp -s "$TMP/out" "$TMP/j1"
# A per-period amount replaces monthly_usd: 60 in March is crossed by the 64 spent.
echo '{"budgets": [{"team": "nlp", "monthly_usd": 1000, "periods": {"2026-03": 60}}]}' >"$TMP/per.json"
expect_rc 8 "per-period amount" -- "$BIN" budget check --bill "$B" --budget "$TMP/per.json" --as-of 2026-03-15
expect_grep "$TMP/out" "100%:crossed" "period amount crossed"
# Default as-of: the last charge day (2026-04-02), April: nlp 40 on 04-01 of budget 1000: burn 40 / 2 = 20/day,
# forecast 40 + 28 x 20 = 600 >= 500 (50%): exit 8.
expect_rc 8 "default as-of" -- "$BIN" budget check --bill "$B" --budget "$TMP/ok.json"
expect_grep "$TMP/out" "period 2026-04, day 2 of 30" "as-of from the bill"
expect_grep "$TMP/out" "600.00" "April forecast"

# Usage errors: exit 1.
expect_rc 1 "no --budget" -- "$BIN" budget check --bill "$B"
expect_grep "$TMP/err" "--budget FILE is required" "names the missing option"
expect_rc 1 "no bill" -- "$BIN" budget check --budget "$TMP/ok.json"
expect_rc 1 "bad --as-of" -- "$BIN" budget check --bill "$B" --budget "$TMP/ok.json" --as-of 2026-13-01
expect_rc 1 "bad --format" -- "$BIN" budget check --bill "$B" --budget "$TMP/ok.json" --format xml
expect_rc 1 "unknown subcommand" -- "$BIN" budget frobnicate
expect_rc 0 "help" -- "$BIN" budget check --help
expect_grep "$TMP/out" "usage: costfront budget check" "help text"

# Bad budget file or bill: exit 2, with the JSON path / file:line:column.
echo '{"budgets": [{"team": "nlp", "monthly_usd": 5, "thresholds": [0.8, 0.5]}]}' >"$TMP/bad.json"
expect_rc 2 "bad budget file" -- "$BIN" budget check --bill "$B" --budget "$TMP/bad.json"
expect_grep "$TMP/err" "bad.json: budgets[0].thresholds[1]: expected thresholds in ascending order, found 0.5" "JSON path"
printf '{"budgets": [\n  {"monthly_usd": 5,}]}' >"$TMP/syntax.json"
expect_rc 2 "budget syntax error" -- "$BIN" budget check --bill "$B" --budget "$TMP/syntax.json"
expect_grep "$TMP/err" "syntax.json:2:" "line of the syntax error"
expect_rc 2 "missing budget file" -- "$BIN" budget check --bill "$B" --budget "$TMP/nope.json"
expect_rc 2 "bad bill row" -- "$BIN" budget check --bill "$TMP/bill_bad.csv" --budget "$TMP/ok.json" --as-of 2026-03-15
expect_grep "$TMP/err" "bill_bad.csv:3:1" "bill reject located"
expect_rc 0 "bad bill rows skipped with --keep-going" -- "$BIN" budget check --bill "$TMP/bill_bad.csv" --budget "$TMP/ok.json" --as-of 2026-03-15 --keep-going
expect_grep "$TMP/err" "rejected 3" "rejects counted"

finish
