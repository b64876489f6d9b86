# Command-line tests of the surrogate commands: fit, predict (one config, JSON Lines, bad configs), and
# frontier --predicted.
BIN=$1
SRC=$2
source "$SRC/tests/cli/lib.sh"
EX="$SRC/examples"
export OPENBLAS_NUM_THREADS=${OPENBLAS_NUM_THREADS:-1}

for c in fit predict; do
  expect_rc 0 "$c --help" -- "$BIN" "$c" --help
  expect_grep "$TMP/out" "usage: costfront $c" "$c --help shows usage"
done

# fit: both models, their leave-one-out scores and the encoding.
expect_rc 0 "fit the example" -- "$BIN" fit "$EX/runs.csv"
expect_grep "$TMP/out" "LOO RMSE" "fit table has LOO"
expect_grep "$TMP/out" "log gpu_hours" "fit table has the hours model"
expect_grep "$TMP/out" "lr               log" "lr detected as log-scaled"
expect_rc 0 "fit json" -- "$BIN" fit "$EX/runs.csv" --format json --log epochs
expect_grep "$TMP/out" '"coverage95"' "fit json has coverage"
expect_grep "$TMP/out" '"log_marginal_likelihood"' "fit json has the evidence"
expect_rc 1 "fit --log of an unknown column" -- "$BIN" fit "$EX/runs.csv" --log momentum
expect_rc 1 "fit unknown target" -- "$BIN" fit "$EX/runs.csv" --target nonexistent
expect_grep "$TMP/err" "found 'nonexistent'" "unknown target named"

# predict: the ML lead's question, as a table and as JSON.
CFG='{"model": "resnet50", "hardware": "l4", "precision": "int8", "pruning": 0.5}'
expect_rc 0 "predict one config" -- "$BIN" predict "$EX/runs.csv" --config "$CFG"
expect_grep "$TMP/out" "on_demand" "costs per option"
expect_grep "$TMP/out" "defaulted from the runs" "defaults listed"
expect_rc 0 "predict json" -- "$BIN" predict "$EX/runs.csv" --config "$CFG" --format json
cp "$TMP/out" "$TMP/p1.json"
expect_grep "$TMP/out" '"predictions"' "json has predictions"
expect_grep "$TMP/out" '"gpu_hours":' "json has gpu_hours"
expect_grep "$TMP/out" '"lo":' "json has intervals"
expect_rc 0 "predict json again" -- "$BIN" predict "$EX/runs.csv" --config "$CFG" --format json
expect_true "predict JSON is deterministic" -- cmp -s "$TMP/p1.json" "$TMP/out"
# Hardware never run leans on the catalog prior, and says so.
expect_rc 0 "predict unseen hardware" -- "$BIN" predict "$EX/runs.csv" --format json \
  --config '{"model": "resnet50", "hardware": "a100-pcie-80gb", "precision": "int8"}'
expect_grep "$TMP/out" '"hardware_unseen":	true' "unseen hardware flagged"
expect_grep "$TMP/out" "catalog prior" "prior note"
# JSON Lines, one prediction per line in order.
printf '%s\n\n%s\n' "$CFG" '{"model": "bert-base", "hardware": "h100", "precision": "fp8"}' > "$TMP/c.jsonl"
expect_rc 0 "predict --configs" -- "$BIN" predict "$EX/runs.csv" --configs "$TMP/c.jsonl" --format json
expect_true "two predictions" -- test "$(grep -c '"config":' "$TMP/out")" -eq 2

# Bad configurations: exit 2, naming the line and the field.
printf '%s\n%s\n' "$CFG" '{"model": "resnet50", "hardware": "rtx9090"}' > "$TMP/bad.jsonl"
expect_rc 2 "unknown hardware" -- "$BIN" predict "$EX/runs.csv" --configs "$TMP/bad.jsonl"
expect_grep "$TMP/err" "bad.jsonl:2: hardware: unknown hardware 'rtx9090'" "line and field named"
expect_no_grep "$TMP/out" "on_demand" "nothing printed for a bad batch"
expect_rc 2 "pruning out of range" -- "$BIN" predict "$EX/runs.csv" --config '{"pruning": 1.2}'
expect_grep "$TMP/err" "pruning: expected a sparsity fraction in [0, 1), found 1.2" "pruning range"
expect_rc 2 "unknown hyperparameter" -- "$BIN" predict "$EX/runs.csv" --config '{"momentum": 0.9}'
expect_grep "$TMP/err" "unknown field 'momentum'" "unknown field"
expect_rc 2 "categorical value never seen" -- "$BIN" predict "$EX/runs.csv" --config '{"optimizer": "adagrad"}'
expect_grep "$TMP/err" "value 'adagrad' of 'optimizer' was never seen" "unseen value"
expect_rc 2 "not JSON" -- "$BIN" predict "$EX/runs.csv" --config 'l4 int8'
expect_rc 1 "no config" -- "$BIN" predict "$EX/runs.csv"

# frontier --predicted: predicted candidates marked apart, deterministic, fast.
start=$(date +%s)
expect_rc 0 "frontier --predicted" -- "$BIN" frontier "$EX/runs.csv" --predicted --format json
end=$(date +%s)
cp "$TMP/out" "$TMP/f1.json"
expect_grep "$TMP/out" '"predicted":	true' "predicted candidates present"
expect_grep "$TMP/out" '"intervals"' "predicted candidates carry intervals"
expect_grep "$TMP/err" "predicted candidates added" "summary on stderr"
expect_true "frontier --predicted under 20 s" -- test $((end - start)) -lt 20
expect_rc 0 "frontier --predicted again" -- "$BIN" frontier "$EX/runs.csv" --predicted --format json
expect_true "frontier --predicted is deterministic" -- cmp -s "$TMP/f1.json" "$TMP/out"
expect_rc 0 "report --predicted" -- "$BIN" report "$EX/runs.csv" --predicted --out "$TMP/rep"
expect_grep "$TMP/rep/index.html" "Predicted frontier" "report has the predicted section"

# --where applies to the predicted search too: only the named model's workloads and the named precisions.
expect_rc 0 "predicted frontier under --where" -- "$BIN" frontier "$EX/runs.csv" --where model=resnet50 \
  --where "precision=int8|bf16" --predicted --format json
expect_grep "$TMP/out" '"predicted":	true' "predicted candidates present"
expect_no_grep "$TMP/out" 'model=bert-base' "no other model's workload predicted"
expect_no_grep "$TMP/out" '"precision":	"fp8"' "no other precision predicted"

# A JSON syntax error in --config says where.
expect_rc 2 "config with a syntax error" -- "$BIN" predict "$EX/runs.csv" --config '{"model": "resnet50",'
expect_grep "$TMP/err" "--config:1:22:" "syntax error located"

# A column that tracks the target almost exactly (another outcome) is pointed out, with the way to leave it out.
awk -F, 'BEGIN{OFS=","} NR==1{print $0",bleu"; next} {print $0","($12*40+1)}' "$EX/runs.csv" > "$TMP/bleu.csv"
expect_rc 0 "fit with an outcome column" -- "$BIN" fit "$TMP/bleu.csv"
expect_grep "$TMP/err" "column 'bleu' tracks accuracy almost exactly" "leaking outcome named"
expect_grep "$TMP/err" "--map bleu=ignore" "the way out is given"
expect_rc 0 "fit with the outcome left out" -- "$BIN" fit "$TMP/bleu.csv" --map bleu=ignore
expect_no_grep "$TMP/err" "tracks accuracy" "no note once it is left out"

finish
