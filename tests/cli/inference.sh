# Command-line tests of inference runs (issue 11): an MLPerf Inference summary_results.json detected by content,
# accelerator-hours per 1M tokens worked by hand, the first ROUGE metric or one named with --metric or a mapping's
# "extract", measured power, a latency-only result skipped and counted, and tokens never mixed with samples.
# Fixture: tests/fixtures/gen_mlperf_inference.py (synthetic numbers).
BIN=$1
SRC=$2
source "$SRC/tests/cli/lib.sh"
/usr/bin/python3 "$SRC/tests/fixtures/gen_mlperf_inference.py" "$TMP/fx" || { echo "FAIL: fixtures"; exit 1; }
F=$TMP/fx/summary_results.json
T=(--today 2026-01-01 --quiet)

json_check() {
  if /usr/bin/python3 -c "import json,sys; j=json.load(open(sys.argv[1])); sys.exit(0 if ($2) else 1)" "$1" 2>"$TMP/pyerr"; then
    PASSES=$((PASSES + 1))
  else
    echo "FAIL: $3"; sed 's/^/  | /' "$TMP/pyerr" | head -5; FAILS=$((FAILS + 1))
  fi
}

# Tokens and samples in one frontier: refused, naming both and the way out.
expect_rc 2 "mixed units refused" -- "$BIN" frontier "$F" "${T[@]}"
expect_grep "$TMP/err" "found 4 tokens (e.g. sys-h100-fp8), 1 samples (e.g. sys-h100-r50)" "both units named"
expect_grep "$TMP/err" "--where throughput_unit=tokens" "the way out"

# The LLM results: 8 / (24000 x 3600) x 1e6 = 0.0925926 accelerator-hours per 1M tokens; cost = that x the price.
expect_rc 0 "llama frontier" -- "$BIN" frontier "$F" "${T[@]}" --where model=llama2-70b-99 --procurement on_demand \
  --objectives accuracy:max,cost_per_1m_tokens_usd:min --format json
json_check "$TMP/out" "abs([e for e in j['frontier'] if e['run_id']=='sys-h100-fp8'][0]['gpu_hours_per_1m_tokens'] - 8/(24000*3600)*1e6) < 1e-9" \
  "accelerator-hours per 1M tokens"
json_check "$TMP/out" "all(abs(e['cost_per_1m_tokens_usd'] - e['gpu_hours'] * e['price_per_hour']) < 1e-9 for e in j['frontier'])" \
  "cost per 1M tokens = hours x price"
json_check "$TMP/out" "[e for e in j['frontier'] if e['run_id']=='sys-h100-fp8'][0]['accuracy'] == 0.444" "ROUGE1 taken first, as percent"
json_check "$TMP/out" "[e for e in j['frontier'] if e['run_id']=='sys-h100-fp8'][0]['energy_measured'] is True" "measured power used"
# 6000 W x (1e6 / (24000 x 3600)) h = 69.444 Wh before PUE: the energy is 0.069444 x PUE kWh
json_check "$TMP/out" "0.0694 < [e for e in j['frontier'] if e['run_id']=='sys-h100-fp8'][0]['energy_kwh_per_1m_tokens'] < 0.0694445 * 1.6" \
  "energy from 6000 W measured"
json_check "$TMP/out" "[e for e in j['frontier'] if e['run_id']=='sys-h100-fp8'][0]['num_gpus'] == 8 and j['frontier'][0]['throughput_unit'] == 'tokens'" \
  "num_gpus = a# x Nodes"

# Notes: the skipped latency result, the first metric, the measured power.
expect_rc 0 "notes" -- "$BIN" frontier "$F" --today 2026-01-01 --where throughput_unit=tokens
expect_grep "$TMP/err" "skipped 1 run: 1 latency, not a throughput" "SingleStream skipped and counted"
expect_grep "$TMP/err" "the first metric taken (ROUGE1" "first metric said"
expect_grep "$TMP/err" "measured system power" "measured power said"
expect_grep "$TMP/out" "per 1M tokens" "table says its costs are per 1M tokens"

# --metric ROUGE2 (resnet's "acc" lacks it: rejected unless --keep-going); the same through a mapping file.
expect_rc 2 "--metric rejects texts without it" -- "$BIN" frontier "$F" "${T[@]}" --metric ROUGE2
expect_grep "$TMP/err" "expected the metric ROUGE2" "named metric missing"
expect_rc 0 "--metric ROUGE2" -- "$BIN" frontier "$F" "${T[@]}" --keep-going --metric ROUGE2 --where model=llama2-70b-99 --format json
json_check "$TMP/out" "sorted(e['accuracy'] for e in j['frontier'])[0] in (0.215, 0.22)" "ROUGE2 picked"
expect_rc 0 "extract mapping" -- "$BIN" frontier "$F" "${T[@]}" --keep-going --map-file "$TMP/fx/extract.json" --where model=llama2-70b-99 --format json
json_check "$TMP/out" "max(e['accuracy'] for e in j['frontier']) == 0.221" "mapping extract picks ROUGE2"

# Samples on their own.
expect_rc 0 "samples frontier" -- "$BIN" frontier "$F" "${T[@]}" --where throughput_unit=samples --objectives accuracy,cost_per_1m_samples_usd --procurement on_demand --format json
json_check "$TMP/out" "abs(j['frontier'][0]['gpu_hours_per_1m_samples'] - 8/(700000*3600)*1e6) < 1e-12" "per 1M samples"
finish
