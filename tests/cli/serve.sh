# Command-line tests of `costfront serve` (issue 11): replicas and monthly costs of a flat demand worked by hand
# on the synthetic MLPerf Inference summary (tests/fixtures/gen_mlperf_inference.py), a demand file with a profile,
# peak and SLO, the managed-API break-even, byte-identical JSON, and bad demands refused naming the field.
BIN=$1
SRC=$2
source "$SRC/tests/cli/lib.sh"
/usr/bin/python3 "$SRC/tests/fixtures/gen_mlperf_inference.py" "$TMP/fx" || { echo "FAIL: fixtures"; exit 1; }
F=$TMP/fx/summary_results.json
T=(--today 2026-01-01 --quiet)

json_check() {
  if /usr/bin/python3 -c "import json,sys; j=json.load(open(sys.argv[1])); c={e['run_id']: e for e in j['candidates']}; sys.exit(0 if ($2) else 1)" "$1" 2>"$TMP/pyerr"; then
    PASSES=$((PASSES + 1))
  else
    echo "FAIL: $3"; sed 's/^/  | /' "$TMP/pyerr" | head -5; FAILS=$((FAILS + 1))
  fi
}
opt() { echo "[o for o in c['$1']['options'] if o['procurement']=='$2'][0]"; }

# Flat 2e9 tokens/day = 23148.1 tokens/s; sys-h100-fp8 (8 GPUs, 24000 tokens/s) at utilisation 0.7 carries 16800
# a replica: ceil(1.378) = 2 replicas every hour. On demand: 2 x 8 x 730 = 11680 GPU-hours x the price; reserved
# the same hours (a flat demand). Tokens a month: 2e9 x 730 / 24 = 6.0833e10.
expect_rc 0 "flat demand" -- "$BIN" serve --runs "$F" "${T[@]}" --model llama2-70b-99 --demand "2e9 tokens/day" --format json
cp "$TMP/out" "$TMP/flat.json"
json_check "$TMP/out" "c['sys-h100-fp8']['replicas_peak'] == 2 and c['sys-h100-fp8']['replicas_trough'] == 2" "2 replicas"
json_check "$TMP/out" "abs($(opt sys-h100-fp8 on_demand)['gpu_hours_per_month'] - 11680) < 1e-6" "11680 GPU-hours"
json_check "$TMP/out" "abs($(opt sys-h100-fp8 on_demand)['monthly_usd'] - 11680 * $(opt sys-h100-fp8 on_demand)['price_per_gpu_hour']) < 1e-4" "on-demand = hours x price"
json_check "$TMP/out" "abs($(opt sys-h100-fp8 on_demand)['cost_per_1m_tokens_usd'] - $(opt sys-h100-fp8 on_demand)['monthly_usd'] / 60833.33333) < 1e-6" "per 1M tokens"
json_check "$TMP/out" "abs(j['demand']['tokens_per_month'] - 2e9 * 730 / 24) < 100" "tokens a month"
# sys-l40s-int4: 4 accelerators at 3000 tokens/s, 2100 a replica: ceil(23148.1 / 2100) = ceil(11.02) = 12
json_check "$TMP/out" "c['sys-l40s-int4']['replicas_peak'] == 12 and c['sys-l40s-int4']['num_gpus'] == 4" "12 L40S replicas"
json_check "$TMP/out" "j['best'] is not None and j['best']['monthly_usd'] == min(min(o['monthly_usd'] for o in e['options'] if o['available']) for e in j['candidates'] if e['feasible'])" "best is the cheapest"
json_check "$TMP/out" "j['model_class'] == '70B-class' and len(j['api_offers']) >= 2 and all(a['model_class'] == '70B-class' for a in j['api_offers'])" "70B-class APIs only"
json_check "$TMP/out" "all(a['self_hosting_cheaper'] == (j['best']['monthly_usd'] <= a['monthly_usd']) for a in j['api_offers'])" "self-hosting cheaper flag"
json_check "$TMP/out" "all(a['source'].startswith('https://') and a['as_of'] for a in j['api_offers'])" "API prices carry source + as_of"
# together's 70B at 0.88 per 1M: self-hosting (2 replicas: the best's monthly cost) at the demand is cheaper, so the
# break-even lies below 6.0833e10 tokens a month and at least the best's cost / 0.88 x 1e6 / 2 (one replica).
json_check "$TMP/out" "[a for a in j['api_offers'] if a['provider']=='together'][0]['breakeven_tokens_per_month'] < 6.0833e10" "break-even below the demand"
expect_rc 0 "deterministic" -- "$BIN" serve --runs "$F" "${T[@]}" --model llama2-70b-99 --demand "2e9 tokens/day" --format json
if cmp -s "$TMP/out" "$TMP/flat.json"; then PASSES=$((PASSES + 1)); else echo "FAIL: JSON not byte-identical"; FAILS=$((FAILS + 1)); fi

# The same in requests: 2e9 / 86400 / 500 = 46.296 requests/s of 500 tokens.
expect_rc 0 "requests/s" -- "$BIN" serve --runs "$F" "${T[@]}" --model llama2-70b-99 --demand "46.2962962963 requests/s" --tokens-per-request 500 --format json
json_check "$TMP/out" "abs(j['demand']['tokens_per_day'] - 2e9) < 10" "requests x tokens x 86400"

# A latency SLO the runs do not report: every run infeasible, said.
expect_rc 0 "SLO" -- "$BIN" serve --runs "$F" "${T[@]}" --model llama2-70b-99 --demand 2e9 --slo-ttft-ms 500
expect_grep "$TMP/out" "No run is feasible" "no feasible run"
expect_grep "$TMP/out" "SLO: the run reports no TTFT (bound 500 ms)" "SLO reason"

# The demand file: profile, peak 40000 tokens/s over the busiest hour's mean 2e9 x 0.05/0.9 / 3600 = 30864 -> 1.296
expect_rc 0 "demand file" -- "$BIN" serve --runs "$F" "${T[@]}" --model llama2-70b-99 --demand "$SRC/examples/inference/demand.json"
expect_grep "$TMP/out" "peak factor 1.3" "peak factor"
expect_grep "$TMP/out" "Cheapest feasible:" "a choice"
expect_grep "$TMP/out" "Why the others lost:" "reasons"
expect_grep "$TMP/out" "input:output 3:1" "ratio from the file"

# Bad demands: exit 2 naming the field.
echo '{"tokens_per_day": 1e9, "profile": [1, 2]}' >"$TMP/bad.json"
expect_rc 2 "short profile" -- "$BIN" serve --runs "$F" "${T[@]}" --demand "$TMP/bad.json"
expect_grep "$TMP/err" "profile" "field named"
expect_rc 2 "bad unit" -- "$BIN" serve --runs "$F" "${T[@]}" --demand "5 parsecs"
expect_grep "$TMP/err" "expected the unit tokens/day or requests/s" "unit named"
expect_rc 2 "peak below the mean" -- "$BIN" serve --runs "$F" "${T[@]}" --demand 2e9 --peak-tokens-per-s 10
expect_grep "$TMP/err" "peak_tokens_per_s" "peak field"
expect_rc 1 "no demand" -- "$BIN" serve --runs "$F" "${T[@]}"

# report: the inference section (table + chart), with the serving plan and API break-even under --demand.
expect_rc 0 "report with --demand" -- "$BIN" report "$F" "${T[@]}" --where throughput_unit=tokens --demand 2e9 --serve-model llama2-70b-99 --out "$TMP/rep"
expect_grep "$TMP/rep/index.html" "Inference: cost per 1M tokens" "inference section"
expect_grep "$TMP/rep/index.html" "Cost per 1M by hardware x precision x procurement" "cost table"
expect_grep "$TMP/rep/index.html" "inference_cost_per_1m.svg" "cost chart"
expect_grep "$TMP/rep/index.html" "Cheapest feasible: sys-h100-fp8" "serving plan"
expect_grep "$TMP/rep/index.html" "break-even tokens/month" "API break-even table"
expect_rc 0 "report without --demand" -- "$BIN" report "$F" "${T[@]}" --where throughput_unit=tokens --out "$TMP/rep2"
expect_grep "$TMP/rep2/index.html" "Inference: cost per 1M tokens" "section without a plan"
if grep -q "Cheapest feasible" "$TMP/rep2/index.html"; then echo "FAIL: plan without --demand"; FAILS=$((FAILS + 1)); else PASSES=$((PASSES + 1)); fi

# plan on inference runs: serving precision and hardware, per 1M tokens, no checkpointing or "one GPU assumed".
expect_rc 0 "plan on inference runs" -- "$BIN" plan "$F" "${T[@]}" --where throughput_unit=tokens --objectives accuracy:max,cost_per_1m_tokens_usd:min --procurement on_demand,spot
expect_grep "$TMP/out" "Serve with run sys-h100-fp8 (h100, fp8)" "serving choice"
expect_grep "$TMP/out" "gives up 0.10 accuracy points and saves" "accuracy given up vs cost per 1M saved"
expect_grep "$TMP/out" "costs above are per 1M tokens" "per 1M said"
if grep -qiE "one GPU assumed|use checkpointing" "$TMP/out"; then echo "FAIL: plan talks training"; FAILS=$((FAILS + 1)); else PASSES=$((PASSES + 1)); fi
finish
