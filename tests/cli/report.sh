# Command-line tests of report and frontier output (issues 9 and 10): grouping by several fields, group names
# that give the same file-name slug, and money printed with its significant digits.
BIN=$1
SRC=$2
source "$SRC/tests/cli/lib.sh"
EX="$SRC/examples"

# --group-by with two fields groups by the pair; "a,b" and "--group-by a --group-by b" are the same grouping.
expect_rc 0 "group by hardware,precision" -- "$BIN" report "$EX/runs.csv" --group-by hardware,precision --no-charts \
  --out "$TMP/g2"
expect_grep "$TMP/g2/hardware-a100-80gb-precision-tf32-report.json" \
  "this section is the group hardware=a100-80gb, precision=tf32: 3 of 144 runs" "a group is the pair of values"
expect_no_grep "$TMP/err" "--where" "grouped notes never mention a --where that was not given"
expect_true "files named by both fields" -- test -f "$TMP/g2/hardware-a100-80gb-precision-tf32-report.json"
expect_rc 0 "repeated --group-by" -- "$BIN" report "$EX/runs.csv" --group-by hardware --group-by precision \
  --no-charts --out "$TMP/g3"
expect_true "repeated --group-by adds fields (same report)" -- diff -r "$TMP/g2" "$TMP/g3"
expect_rc 1 "a field given twice" -- "$BIN" report "$EX/runs.csv" --group-by model,model --out "$TMP/g4"
expect_grep "$TMP/err" "the field 'model' is given twice" "a field given twice is named"
expect_rc 1 "an empty field" -- "$BIN" report "$EX/runs.csv" --group-by model, --out "$TMP/g4"
expect_grep "$TMP/err" "found an empty field" "an empty field is refused"

# Values that give the same slug (issue 10): "ResNet 50" / "resnet-50", two names in another script.
cat >"$TMP/slug.csv" <<'CSV'
run_id,model,hardware,precision,accuracy,gpu_hours
a1,ResNet 50,h100,bf16,0.8,2
a2,resnet-50,h100,bf16,0.81,3
a3,模型,h100,bf16,0.82,4
a4,модель,h100,bf16,0.83,5
CSV
expect_rc 0 "group values with the same slug" -- "$BIN" report "$TMP/slug.csv" --group-by model --no-charts \
  --out "$TMP/slug"
expect_true "first slug" -- test -f "$TMP/slug/model-resnet-50-report.json"
expect_true "second slug numbered" -- test -f "$TMP/slug/model-resnet-50-2-report.json"
expect_true "non-ASCII names numbered" -- test -f "$TMP/slug/model-2-report.json"
expect_true "non-ASCII names numbered (2)" -- test -f "$TMP/slug/model-3-report.json"
expect_grep "$TMP/slug/index.html" "model=модель" "the title keeps the name"

# Money for people keeps three significant digits: 0.001 GPU-hours cost fractions of a cent.
cat >"$TMP/tiny.csv" <<'CSV'
run_id,model,hardware,precision,accuracy,gpu_hours,procurement
t1,m,h100,bf16,0.8,0.001,on_demand
CSV
expect_rc 0 "frontier of a tiny run" -- "$BIN" frontier "$TMP/tiny.csv"
expect_no_grep "$TMP/out" " 0.00 " "no cost printed as 0.00"

# frontier --target-accuracy names the cheapest run reaching it (issue 9: it was accepted and did nothing).
expect_rc 0 "frontier --target-accuracy" -- "$BIN" frontier "$EX/runs.csv" --target-accuracy 0.9
expect_grep "$TMP/out" "target accuracy 0.9000: cheapest run reaching it is r068 on spot (h100, bf16): accuracy 0.9026, total_cost_usd 1.23 USD" \
  "the table names the cheapest run at the target"
expect_rc 0 "frontier --target-accuracy (none)" -- "$BIN" frontier "$EX/runs.csv" --target-accuracy 99% --format json
expect_grep "$TMP/out" '"no run reaches the target accuracy"' "the JSON says none reaches it"

# run_id is optional (issue 9: the README said required): a record without one is named <file name>:<line>.
printf 'model,hardware,precision,accuracy,gpu_hours\nm,h100,bf16,0.8,2\n' >"$TMP/noid.csv"
expect_rc 0 "runs without run_id" -- "$BIN" frontier "$TMP/noid.csv"
expect_grep "$TMP/out" "noid.csv:2" "a missing run_id is made from the file name and line"
expect_grep "$SRC/README.md" "when a record has none, it is made from the file name and line" "the README agrees"

finish
