# Command-line tests of procurement and TCO: tco on every example plan (required JSON keys, the lab plan's known
# figures, determinism, overrides, bad plans), frontier --plan (on_prem and hybrid candidates, only on the plan's
# hardware), plan (feasible, infeasible with the binding constraint and exit 6, named baseline) and report --plan.
BIN=$1
SRC=$2
source "$SRC/tests/cli/lib.sh"
EX="$SRC/examples"
LAB="$EX/plans/lab-steady-training.json"

# json_check FILE PYTHON-EXPR DESCRIPTION: the expression over the parsed JSON `j` must be true.
json_check() {
  if python3 -c "import json,sys; j=json.load(open(sys.argv[1])); sys.exit(0 if ($2) else 1)" "$1" 2>"$TMP/pyerr"; then
    PASSES=$((PASSES + 1))
  else
    echo "FAIL: $3"; sed 's/^/  | /' "$TMP/pyerr" | head -5; FAILS=$((FAILS + 1))
  fi
}

for c in tco plan; do
  expect_rc 0 "$c --help" -- "$BIN" "$c" --help
  expect_grep "$TMP/out" "usage: costfront $c" "$c --help shows usage"
done
expect_rc 1 "tco without a plan" -- "$BIN" tco
expect_grep "$TMP/err" "--plan FILE is required" "missing plan named"
expect_rc 1 "tco bad --format" -- "$BIN" tco --plan "$LAB" --format xml
expect_rc 1 "tco bad --metric" -- "$BIN" tco --plan "$LAB" --metric cheapest

# Every example plan: table and JSON with the required keys.
for p in "$EX"/plans/*.json; do
  n=$(basename "$p")
  expect_rc 0 "tco table $n" -- "$BIN" tco --plan "$p" --mc 200
  expect_grep "$TMP/out" "on_prem" "table of $n lists on_prem"
  expect_rc 0 "tco json $n" -- "$BIN" tco --plan "$p" --format json --mc 200
  cp "$TMP/out" "$TMP/$n.out"
  json_check "$TMP/$n.out" "len(j['options']) == 6 and all(set(['option','total_usd','usd_per_gpu_hour','co2e_kg','carbon_cost_usd','total_with_carbon_usd','npv_usd']) <= set(o) for o in j['options'])" "$n: options carry the required keys"
  json_check "$TMP/$n.out" "len(j['breakeven']) == 4 and all(set(['against','utilization','month']) <= set(b) for b in j['breakeven'])" "$n: breakevens carry the required keys"
  json_check "$TMP/$n.out" "all(k in j for k in ('server_month','hybrid','reservations','tornado','monte_carlo','cheapest'))" "$n: breakdown, hybrid, reservations, tornado, Monte Carlo"
  json_check "$TMP/$n.out" "len(j['tornado']['rows']) == 8 and j['monte_carlo']['samples'] == 200 and abs(sum(o['p_cheapest'] or 0 for o in j['monte_carlo']['options']) - 1) < 1e-9" "$n: tornado rows and Monte Carlo shares sum to 1"
  json_check "$TMP/$n.out" "all(o['p10'] is None or o['p10'] <= o['p50'] <= o['p90'] for o in j['monte_carlo']['options'])" "$n: P10 <= P50 <= P90"
done

# The lab plan is REFERENCE-costs.md's worked example: 8,063.64 USD per server-month at full use (5,000 +
# 1,877.41 + 936.23 + 250), 1.381 USD per GPU-hour, on-prem 469,775 USD over 60 months at 1.788 USD per useful
# GPU-hour, on-demand 3,229,812, breakeven utilisation 10.06% and payback in month 6 against on-demand.
L="$TMP/lab-steady-training.json.out"
json_check "$L" "round(j['server_month']['total_full_use_usd'], 2) == 8063.64" "lab: 8,063.64 USD per server-month"
json_check "$L" "round(j['server_month']['depreciation_usd'], 2) == 5000 and round(j['server_month']['colocation_usd'], 2) == 1877.41 and round(j['server_month']['electricity_full_usd'], 2) == 936.23 and j['server_month']['ops_usd'] == 250" "lab: the server-month breakdown"
json_check "$L" "round(j['server_month']['usd_per_gpu_hour_full_use'], 3) == 1.381" "lab: 1.381 USD per GPU-hour at full use"
json_check "$L" "[round(o['total_usd']) for o in j['options']] == [3229812, 689216, 1997280, 1235160, 469775, 469775]" "lab: totals of the six options"
json_check "$L" "round([o for o in j['options'] if o['option']=='on_prem'][0]['usd_per_gpu_hour'], 3) == 1.788" "lab: on-prem 1.788 USD per useful GPU-hour"
json_check "$L" "j['breakeven'][0]['against'] == 'on_demand' and j['breakeven'][0]['month'] == 6 and round(100*j['breakeven'][0]['utilization'], 2) == 10.06" "lab: payback in month 6, breakeven at 10.06% against on-demand"
json_check "$L" "j['cheapest']['npv_with_carbon'] == 'on_prem' and j['plan']['name'] == 'lab-steady-training'" "lab: on-prem is cheapest"
expect_rc 0 "tco table lab" -- "$BIN" tco --plan "$LAB" --mc 0
expect_grep "$TMP/out" "= 8063.64 USD (1.381 USD per GPU-hour)" "lab table: server-month"
expect_grep "$TMP/out" "payback month 6" "lab table: payback"
expect_no_grep "$TMP/out" "Monte Carlo" "--mc 0 draws no Monte Carlo"

# Determinism: the same seed gives the same bytes; another seed other Monte Carlo figures.
expect_rc 0 "tco seed 7" -- "$BIN" tco --plan "$LAB" --format json --mc 500 --seed 7
cp "$TMP/out" "$TMP/s7a.json"
expect_rc 0 "tco seed 7 again" -- "$BIN" tco --plan "$LAB" --format json --mc 500 --seed 7
expect_true "same seed, same bytes" -- cmp -s "$TMP/s7a.json" "$TMP/out"
expect_rc 0 "tco seed 8" -- "$BIN" tco --plan "$LAB" --format json --mc 500 --seed 8
expect_true "another seed, other numbers" -- bash -c "! cmp -s '$TMP/s7a.json' '$TMP/out'"
expect_no_grep "$TMP/err" "monte carlo:" "no progress when stderr is not a terminal"

# Overrides: an 8% discount rate lowers the on-demand NPV below its total (3,229,812).
expect_rc 0 "--set discount rate" -- "$BIN" tco --plan "$LAB" --format json --mc 0 --set discount_rate_annual=0.08
json_check "$TMP/out" "j['options'][0]['npv_usd'] < 3229812 - 1000 and round(j['options'][0]['total_usd']) == 3229812 and j['monte_carlo'] is None" "--set changes the NPV, not the total"
expect_rc 2 "--set out of range" -- "$BIN" tco --plan "$LAB" --set on_prem.pue=0.5
expect_grep "$TMP/err" "on_prem.pue: expected a number >= 1, found 0.5" "--set error names the path"
expect_rc 1 "--set without a value" -- "$BIN" tco --plan "$LAB" --set on_prem.pue

# Bad plans: exit 2 with the file, the JSON path, expected vs found.
printf '{"horizon_months": 12, "demand_gpu_hours_per_month": 100, "hardware": "h100", "on_prem": {"pue": 0.9}}' > "$TMP/bad.json"
expect_rc 2 "bad plan" -- "$BIN" tco --plan "$TMP/bad.json"
expect_grep "$TMP/err" "bad.json" "bad plan: file named"
expect_grep "$TMP/err" "on_prem.pue: expected a number >= 1, found 0.9" "bad plan: path, expected and found"
printf '{"horizon_months": 12,\n "hardware": "h100",, }' > "$TMP/syntax.json"
expect_rc 2 "plan with a syntax error" -- "$BIN" tco --plan "$TMP/syntax.json"
expect_grep "$TMP/err" "syntax.json:2:" "syntax error located"
expect_rc 2 "missing plan" -- "$BIN" tco --plan "$TMP/nope.json"
expect_grep "$TMP/err" "nope.json" "missing plan named"
expect_rc 2 "frontier with a bad plan" -- "$BIN" frontier "$EX/runs.csv" --plan "$TMP/bad.json"

# frontier --plan: on_prem and hybrid candidates, only for runs on the plan's hardware (h100).
expect_rc 0 "frontier --plan" -- "$BIN" frontier "$EX/runs.csv" --plan "$LAB" --format csv
expect_grep "$TMP/out" ",on_prem,h100," "on_prem candidates"
expect_grep "$TMP/out" ",hybrid,h100," "hybrid candidates"
expect_true "no on_prem candidate on other hardware" -- bash -c "! grep ',on_prem,' '$TMP/out' | grep -qv ',on_prem,h100,'"
expect_grep "$TMP/err" "on_prem 1.788 USD" "plan rate announced"
expect_rc 0 "frontier --plan json" -- "$BIN" frontier "$EX/runs.csv" --plan "$LAB" --format json
expect_grep "$TMP/out" "on hardware other than the plan's (h100) are not priced under on_prem or hybrid" "restriction noted"
expect_rc 0 "frontier --procurement on_prem with --plan" -- "$BIN" frontier "$EX/runs.csv" --plan "$LAB" --procurement on_prem --format csv
expect_no_grep "$TMP/out" ",spot," "only the owned options when --procurement on_prem"

# plan: feasible and infeasible.
expect_rc 0 "plan feasible" -- "$BIN" plan "$EX/runs.csv" --min-accuracy 0.9 --budget 50 --format json
json_check "$TMP/out" "j['feasible'] and j['choice']['run_id'] == 'r068' and j['choice']['procurement'] == 'spot' and j['choice']['accuracy'] >= 0.9 and j['choice']['cost_usd'] <= 50" "feasible choice meets the constraints"
json_check "$TMP/out" "j['baseline']['run_id'] == 'r079' and j['baseline']['procurement'] == 'on_demand' and j['savings']['usd'] > 0 and len(j['reasons']) >= 3" "baseline is the most accurate on-demand run, with savings and reasons"
expect_rc 0 "plan table" -- "$BIN" plan "$EX/runs.csv" --min-accuracy 90 --budget 50
expect_grep "$TMP/out" "use          run r068" "table names the choice"
expect_grep "$TMP/out" "Why:" "table gives reasons"
expect_rc 6 "plan infeasible" -- "$BIN" plan "$EX/runs.csv" --min-accuracy 0.9 --budget 0.5 --format json
json_check "$TMP/out" "not j['feasible'] and j['binding']['constraint'] == 'min-accuracy' and abs(j['binding']['gap'] - 0.0274) < 1e-9 and j['binding']['closest']['run_id'] == 'r117'" "infeasible: accuracy binds by 0.0274"
expect_grep "$TMP/err" "binding: min-accuracy" "binding constraint on stderr"
expect_rc 6 "plan accuracy above every run" -- "$BIN" plan "$EX/runs.csv" --min-accuracy 0.95
expect_grep "$TMP/out" "the binding constraint is min-accuracy (relax it by 0.045, to 0.905)" "gap to the most accurate run"
expect_rc 0 "plan named baseline" -- "$BIN" plan "$EX/runs.csv" --min-accuracy 0.9 --baseline r002 --format json
json_check "$TMP/out" "j['baseline']['run_id'] == 'r002' and j['baseline']['why'] == 'named'" "named baseline"
expect_rc 1 "plan unknown baseline" -- "$BIN" plan "$EX/runs.csv" --baseline nope
expect_grep "$TMP/err" "'nope'" "unknown baseline named"
expect_rc 0 "plan with a TCO plan" -- "$BIN" plan "$EX/runs.csv" --min-accuracy 0.88 --deadline-hours 2 --plan "$LAB" --format json
json_check "$TMP/out" "j['choice']['procurement'] == 'on_prem' and j['choice']['hardware'] == 'h100' and j['plan']['cheapest_procurement'] == 'on_prem' and j['choice']['total_cost_interval'][0] < j['choice']['total_cost_usd'] <= j['choice']['total_cost_interval'][1] * 1.0000001" "owned compute chosen with the plan's cost interval"

expect_rc 0 "plan --predicted" -- "$BIN" plan "$EX/runs.csv" --min-accuracy 0.9 --predicted --format json
json_check "$TMP/out" "j['considered'] > 502 and j['feasible'] and (not j['choice']['predicted'] or j['choice']['accuracy_interval'] is not None)" "predicted configurations considered, with intervals"

# report --plan: the recommendation and the TCO section with its charts.
if command -v gnuplot >/dev/null 2>&1; then charts=""; else charts="--no-charts"; fi
expect_rc 0 "report --plan" -- "$BIN" report "$EX/runs.csv" --plan "$LAB" --seed 3 --out "$TMP/rep" $charts
expect_grep "$TMP/rep/index.html" "Procurement and total cost of ownership" "TCO section"
expect_grep "$TMP/rep/index.html" "id=\"recommendation\"" "recommendation section"
expect_grep "$TMP/rep/index.html" "8063.64" "server-month in the report"
expect_grep "$TMP/rep/index.html" "Monte Carlo over 2000 scenarios" "Monte Carlo table"
expect_grep "$TMP/rep/index.html" "Tornado" "tornado"
if [ -z "$charts" ]; then
  for f in tco_cumulative tco_breakdown tco_tornado tco_montecarlo; do
    expect_true "$f.svg drawn" -- test -s "$TMP/rep/$f.svg"
  done
fi
expect_rc 0 "report without --plan" -- "$BIN" report "$EX/runs.csv" --out "$TMP/rep2" --no-charts
expect_no_grep "$TMP/rep2/index.html" "Procurement and total cost of ownership" "no TCO section without a plan"

finish
