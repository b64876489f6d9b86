# Command-line tests of the whole cost of a run (issue 16): the catalog's egress and storage tables, cost_usd's parts
# in the table, CSV and JSON, the offer chosen by total with its data-gravity note, a frontier whose membership
# changes when egress is counted, Young/Daly checkpoint storage with --keep-checkpoints, bad run fields, the report's
# breakdown section and the untouched output of runs without the fields. Fixtures: tests/fixtures/gen_egress.py.
BIN=$1
SRC=$2
source "$SRC/tests/cli/lib.sh"
/usr/bin/python3 "$SRC/tests/fixtures/gen_egress.py" "$TMP/fx" || { echo "FAIL: fixtures"; exit 1; }
FX=$TMP/fx
CAT=(--catalog "$FX/catalog.json" --catalog-only --today 2024-06-01)

json_check() {
  if /usr/bin/python3 -c "import json,sys; j=json.load(open(sys.argv[1])); sys.exit(0 if ($2) else 1)" "$1" 2>"$TMP/pyerr"; then
    PASSES=$((PASSES + 1))
  else
    echo "FAIL: $3"; sed 's/^/  | /' "$TMP/pyerr" | head -5; FAILS=$((FAILS + 1))
  fi
}

# The default catalog's tables.
expect_rc 0 "catalog transfer" -- "$BIN" catalog transfer --today 2024-06-01
expect_grep "$TMP/out" "egress (USD per GB leaving the region; free tiers ignored):" "egress heading"
expect_grep "$TMP/out" "lambda               us-east-1          lambda          0.0000    0.0000    0.0000" "lambda free"
expect_grep "$TMP/out" "storage (USD per GB-month):" "storage heading"
expect_rc 0 "catalog list shows them too" -- "$BIN" catalog list --today 2024-06-01
expect_grep "$TMP/out" "aws                  us-east-1             0.0230    0.0125    0.0800" "S3 and EBS prices"
expect_rc 0 "catalog export" -- "$BIN" catalog export
json_check "$TMP/out" "len(j['egress']) >= 20 and all(e.get('source') and e.get('as_of') for e in j['egress'] + j['storage'])" \
  "every egress and storage figure carries source and as_of"

# Compute alone: P dominates Q.
expect_rc 0 "plain frontier" -- "$BIN" frontier "$FX/plain.csv" "${CAT[@]}" --procurement on_demand --format json
json_check "$TMP/out" "[e['run_id'] for e in j['frontier']] == ['P'] and 'egress_cost_usd' not in j['frontier'][0]" \
  "without data fields: frontier {P}, no parts"
# With egress counted: P stays in a/r1 (400), Q in b/r3 (240): both on the frontier.
expect_rc 0 "whole-cost frontier" -- "$BIN" frontier "$FX/runs.csv" "${CAT[@]}" --procurement on_demand --format json
json_check "$TMP/out" "sorted(e['run_id'] for e in j['frontier']) == ['P', 'Q']" "membership changes with egress"
json_check "$TMP/out" "[(e['run_id'], e['provider'], e['region'], e['cost_usd'], e['compute_cost_usd'], e['egress_cost_usd']) for e in j['frontier'] if e['run_id'] == 'P'] == [('P', 'a', 'r1', 400, 400, 0)]" \
  "P priced in its data's region"
expect_grep "$TMP/err" "run P, on_demand: b/r3 is 50% cheaper in compute but 62% dearer with 5 TB of egress and storage (data at a/r1); a/r1 chosen" \
  "data gravity said"
expect_rc 0 "table" -- "$BIN" frontier "$FX/runs.csv" "${CAT[@]}" --procurement on_demand
expect_grep "$TMP/out" "compute_cost_usd  egress_cost_usd  storage_cost_usd" "table shows the parts"
expect_rc 0 "csv" -- "$BIN" frontier "$FX/runs.csv" "${CAT[@]}" --procurement on_demand --format csv
expect_grep "$TMP/out" ",compute_cost_usd,egress_cost_usd,storage_cost_usd,egress_gb,egress_path,storage_gb,checkpoints_kept" "csv header"
expect_grep "$TMP/out" "P,on_demand,gpu,unknown,0,0.9,100,100,4,0,400," "P in a/r1"
expect_grep "$TMP/out" ",400,0,0,0,same region,5000,0" "P's parts: no egress in the data's region"
# Pinned to a/r2: P pays 5,000 GB x 0.02 of inter-region egress; Q's data leaves b free (internet path, 0).
expect_rc 0 "csv in a/r2" -- "$BIN" frontier "$FX/runs.csv" "${CAT[@]}" --procurement on_demand --format csv --provider a --region r2
expect_grep "$TMP/out" "P,on_demand,gpu,unknown,0,0.9,100,100,3.5,0,450," "P on a/r2 costs 350 + 100"
expect_grep "$TMP/out" ",350,100,0,5000,inter-region,5000,0" "the a/r2 parts"
expect_grep "$TMP/out" ",420,0,0,5000,internet,5000,0" "Q's data moved from b for free"

# data_gb without data_location: said, not silently free.
printf 'run_id,accuracy,gpu_hours,hardware,data_gb\nL,0.9,10,gpu,100\n' >"$TMP/noloc.csv"
expect_rc 0 "data without a location" -- "$BIN" frontier "$TMP/noloc.csv" "${CAT[@]}" --procurement on_demand
expect_grep "$TMP/err" "1 run gives data_gb but no data_location (e.g. run L): the data is taken to be where the run is priced, so no egress is charged" "missing location said"

# data_region: a region alone, accepted when one network holds it.
printf 'run_id,accuracy,gpu_hours,hardware,data_gb,data_region\nD,0.9,10,a100-40gb,1000,europe-west4\nE,0.9,10,a100-40gb,1000,us-east-1\n' >"$TMP/dreg.csv"
expect_rc 2 "ambiguous data_region refused" -- "$BIN" frontier "$TMP/dreg.csv" --today 2024-06-01
expect_grep "$TMP/err" "region 'us-east-1' alone is ambiguous" "ambiguity named"
expect_grep "$TMP/err" "dreg.csv:3" "its line"
expect_rc 0 "unambiguous data_region" -- "$BIN" frontier "$TMP/dreg.csv" --today 2024-06-01 --keep-going --format json
json_check "$TMP/out" "all(e.get('data_location') == 'gcp/europe-west4' for e in j['frontier'])" "europe-west4 is gcp's"

# Spot checkpoints from the Young/Daly interval.
expect_rc 0 "spot storage" -- "$BIN" frontier "$FX/spot.csv" "${CAT[@]}" --procurement spot --format json
json_check "$TMP/out" "abs(j['frontier'][0]['storage_cost_usd'] - 65.32) < 1e-9 and j['frontier'][0]['checkpoints_kept'] == 8" \
  "8 checkpoints kept, 65.32 USD"
json_check "$TMP/out" "[(e['provider'], e['internet']) for e in j['pricing']['egress_used']] == [('a', 0.09)] and [s['object_standard'] for s in j['pricing']['storage_used']] == [0.023]" \
  "pricing lists the egress and storage figures used"
expect_rc 0 "keep the last 3" -- "$BIN" frontier "$FX/spot.csv" "${CAT[@]}" --procurement spot --format json --keep-checkpoints 3
json_check "$TMP/out" "abs(j['frontier'][0]['storage_cost_usd'] - 53.82) < 1e-9" "keep-last-3: 53.82 USD"
expect_rc 1 "bad --keep-checkpoints" -- "$BIN" frontier "$FX/spot.csv" "${CAT[@]}" --keep-checkpoints 0
expect_rc 1 "bad --storage-class" -- "$BIN" frontier "$FX/spot.csv" "${CAT[@]}" --storage-class tape
expect_grep "$TMP/err" "expected object_standard, object_infrequent or block_ssd, found 'tape'" "storage class named"

# Bad fields: file, line, field, expected and found.
expect_rc 2 "bad run fields" -- "$BIN" frontier "$FX/bad.csv" "${CAT[@]}"
expect_grep "$TMP/err" "bad.csv:2" "line of the negative data_gb"
expect_grep "$TMP/err" "expected a non-negative number (GB of data), found '-5'" "data_gb message"
expect_grep "$TMP/err" "expected a whole number of nodes >= 1, found '1.5'" "num_nodes message"

# plan and the report.
expect_rc 0 "plan" -- "$BIN" plan "$FX/runs.csv" "${CAT[@]}" --procurement on_demand --min-accuracy 0.88
expect_grep "$TMP/out" "parts        compute 400.00, egress 0.00, storage 0.00 USD" "plan shows the parts"
expect_grep "$TMP/out" "data gravity on_demand on b/r3 is 50% cheaper in compute but 62% dearer with egress and storage (data at a/r1)" "plan says data gravity decided"
expect_rc 0 "report" -- "$BIN" report "$FX/runs.csv" "${CAT[@]}" --procurement on_demand --out "$TMP/rep" --no-charts
expect_grep "$TMP/rep/index.html" "Cost breakdown: compute, egress, storage, carbon" "breakdown section"
expect_grep "$TMP/rep/index.html" "data gravity decided: on_demand on b/r3 is 50% cheaper in compute" "report recommendation says so"
expect_grep "$TMP/rep/index.html" "Egress and storage prices used" "the figures used, with their sources"
expect_grep "$TMP/rep/index.html" "per GB: same region 0.00, inter-region 0.0200, internet 0.0900" "a/r1's egress figures"
json_check "$TMP/rep/report.json" "any('egress_cost_usd' in e for e in j['frontier'])" "report.json carries the parts"
expect_rc 0 "plain report" -- "$BIN" report "$FX/plain.csv" "${CAT[@]}" --out "$TMP/rep2" --no-charts
expect_no_grep "$TMP/rep2/index.html" "Cost breakdown" "no breakdown without data fields"

# The TCO comparison: owned servers pay egress from the data's cloud.
expect_rc 0 "tco with a data section" -- "$BIN" tco --plan "$FX/plan.json" --catalog "$FX/catalog.json" --catalog-only
expect_grep "$TMP/out" "  on_prem      egress 216000.00, storage 0.00 USD" "on_prem's egress"
expect_grep "$TMP/out" "  spot         egress 0.00, storage 0.00 USD" "spot reads in its own region"
expect_grep "$TMP/out" "Data gravity: on_prem is" "gravity said"
expect_grep "$TMP/out" "spot is cheapest in total" "the total decides"
expect_rc 0 "tco json" -- "$BIN" tco --plan "$FX/plan.json" --catalog "$FX/catalog.json" --catalog-only --format json
json_check "$TMP/out" "[o['egress_usd'] for o in j['options'] if o['option'] == 'on_prem'] == [216000] and 'spot is cheapest in total' in j['data_gravity']" \
  "tco JSON parts and data_gravity"

finish
