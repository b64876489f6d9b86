# Command-line tests of the core commands: help, version, frontier, report, score, catalog, bad input.
BIN=$1
SRC=$2
source "$SRC/tests/cli/lib.sh"
EX="$SRC/examples"

expect_rc 0 "--help" -- "$BIN" --help
expect_grep "$TMP/out" "frontier" "--help lists commands"
expect_rc 0 "--version" -- "$BIN" --version
expect_grep "$TMP/out" "costfront 0." "--version prints the version"
expect_rc 1 "unknown command" -- "$BIN" frobnicate
expect_grep "$TMP/err" "unknown command 'frobnicate'" "unknown command named"
for c in frontier report score catalog; do
  expect_rc 0 "$c --help" -- "$BIN" "$c" --help
  expect_grep "$TMP/out" "usage: costfront $c" "$c --help shows usage"
done
expect_rc 1 "frontier with an unknown option" -- "$BIN" frontier --bogus "$EX/runs.csv"
expect_rc 1 "frontier without runs" -- "$BIN" frontier
expect_rc 1 "bad --objectives direction" -- "$BIN" frontier "$EX/runs.csv" --objectives accuracy:up
expect_grep "$TMP/err" "expected direction 'max' or 'min', found 'up'" "bad direction explained"
expect_rc 1 "bad --procurement" -- "$BIN" frontier "$EX/runs.csv" --procurement cheap
expect_rc 1 "on_prem without a plan" -- "$BIN" frontier "$EX/runs.csv" --procurement on_prem
expect_rc 1 "bad --reference count" -- "$BIN" frontier "$EX/runs.csv" --reference 1
expect_rc 2 "unknown objective column" -- "$BIN" frontier "$EX/runs.csv" --objectives accuracy:max,nonexistent:min
expect_grep "$TMP/err" "found 'nonexistent'" "unknown objective named"

# The example prices and has a frontier; counts are reported on stderr.
expect_rc 0 "frontier on the example" -- "$BIN" frontier "$EX/runs.csv"
expect_grep "$TMP/err" "runs: 144 read, 144 accepted, 0 rejected" "counts reported"
expect_grep "$TMP/out" "hypervolume" "table has a summary"

# Golden JSON: the same inputs give byte-identical JSON, equal to the committed golden file.
# --today pins the reference date of the stale-price note, so the golden file does not change with the clock.
expect_rc 0 "frontier json" -- "$BIN" frontier "$EX/runs.csv" --format json --today 2026-12-03
cp "$TMP/out" "$TMP/a.json"
expect_rc 0 "frontier json again" -- "$BIN" frontier "$EX/runs.csv" --format json --today 2026-12-03
expect_true "JSON is deterministic" -- cmp -s "$TMP/a.json" "$TMP/out"
if [ "${CF_UPDATE_GOLDEN:-0}" = 1 ]; then cp "$TMP/a.json" "$SRC/tests/golden/example_frontier.json"; fi
expect_true "JSON equals tests/golden/example_frontier.json (CF_UPDATE_GOLDEN=1 to regenerate)" -- \
  cmp -s "$TMP/a.json" "$SRC/tests/golden/example_frontier.json"

# Three objectives and CSV output.
expect_rc 0 "three objectives, csv" -- "$BIN" frontier "$EX/runs.csv" --objectives accuracy:max,cost_usd:min,co2e_kg:min --format csv
expect_grep "$TMP/out" "on_frontier" "csv header"
# A given reference point is echoed in the JSON.
expect_rc 0 "given reference" -- "$BIN" frontier "$EX/runs.csv" --reference 0.5,5000 --format json
expect_grep "$TMP/out" '"reference_inferred":	false' "reference given"

# Bad input: refused by default with every error located; --rejects writes them; nothing else is written.
expect_rc 2 "bad rows refused" -- "$BIN" frontier "$EX/runs_bad.csv" --out "$TMP/never.json" --format json
expect_grep "$TMP/err" "runs_bad.csv:10:1: run_id: duplicate run_id" "duplicate located"
expect_grep "$TMP/err" "unknown hardware 'RTX 9090'" "unknown hardware"
expect_grep "$TMP/err" "found '-3.5'" "negative hours"
expect_grep "$TMP/err" "found 'fp12'" "bad precision"
expect_grep "$TMP/err" "runs: 16 read, 8 accepted, 8 rejected" "counts on refusal"
expect_true "no partial output on refusal" -- test ! -e "$TMP/never.json"
expect_rc 0 "bad rows kept aside" -- "$BIN" frontier "$EX/runs_bad.csv" --rejects "$TMP/rejects.csv"
expect_grep "$TMP/rejects.csv" "RTX 9090" "rejects file has the raw row"
expect_grep "$TMP/rejects.csv" "source,line,column,field,message,record" "rejects header"
printf '' > "$TMP/empty.csv"
expect_rc 2 "empty file" -- "$BIN" frontier "$TMP/empty.csv"
expect_grep "$TMP/err" "empty" "empty file message"
printf '\xff\xfer\x00u\x00n\x00' > "$TMP/utf16.csv"
expect_rc 2 "UTF-16 file" -- "$BIN" frontier "$TMP/utf16.csv"
expect_grep "$TMP/err" "UTF-16" "UTF-16 message"
expect_rc 2 "missing file" -- "$BIN" frontier "$TMP/nope.csv"
expect_grep "$TMP/err" "nope.csv" "missing file named"

# Column mapping.
printf 'name,val_acc,hours,gpu,prec\nx1,91.5,3,NVIDIA A100-SXM4-80GB,bf16\nx2,88.0,1,Tesla T4,int8\n' > "$TMP/mine.csv"
expect_rc 0 "mapping with --map and percent detection" -- "$BIN" frontier "$TMP/mine.csv" \
  --map name=run_id,val_acc=accuracy,hours=gpu_hours,gpu=hardware,prec=precision --format json
expect_grep "$TMP/err" "percent" "percent conversion is announced"
expect_grep "$TMP/out" '"accuracy":	0.915' "percent converted"

# Time-to-train data without an accuracy column (MLPerf style): kept, with a note; accuracy objectives refuse.
printf 'system,accel,accel_hours,score_min,benchmark\nsys1,NVIDIA H100-SXM5-80GB,10,20,bert\nsys2,NVIDIA A100-SXM4-80GB,30,50,bert\nsys3,Tesla T4,90,400,bert\n' > "$TMP/mlperf.csv"
expect_rc 0 "no accuracy column, time and cost objectives" -- "$BIN" frontier "$TMP/mlperf.csv" \
  --map system=run_id,accel=hardware,accel_hours=gpu_hours --objectives score_min:min,cost_usd:min --format json
expect_grep "$TMP/err" "no accuracy column" "missing accuracy announced"
expect_grep "$TMP/out" '"run_id":	"sys1"' "fastest system on the frontier"
expect_rc 2 "accuracy objective without accuracy" -- "$BIN" frontier "$TMP/mlperf.csv" \
  --map system=run_id,accel=hardware,accel_hours=gpu_hours
expect_grep "$TMP/err" "no candidate has a value for objective 'accuracy'" "empty objective named"

# --where keeps only matching runs; aliases and precision spellings match; no match is an error.
expect_rc 0 "where model and precision" -- "$BIN" frontier "$EX/runs.csv" --where model=resnet50 --where "precision=bfloat16|int8" --format csv
expect_no_grep "$TMP/out" ",fp32," "other precisions left out"
expect_grep "$TMP/err" "runs left out by --where model=resnet50" "filter announced"
expect_rc 2 "where nothing matches" -- "$BIN" frontier "$EX/runs.csv" --where model=nope
expect_grep "$TMP/err" "no run matches --where model=nope" "empty filter explained"
expect_rc 1 "where without =" -- "$BIN" frontier "$EX/runs.csv" --where model

# A precision the catalog lists as unsupported on the hardware is priced, with a note.
printf 'run_id,accuracy,gpu_hours,hardware,precision\na,0.9,10,t4,bf16\nb,0.8,3,t4,fp16\n' > "$TMP/t4.csv"
expect_rc 0 "unsupported precision noted" -- "$BIN" frontier "$TMP/t4.csv"
expect_grep "$TMP/err" "1 run uses a precision the catalog lists as unsupported on its hardware (e.g. run a: bf16 on t4)" "unsupported precision named"

# Report: written, and a failed run leaves the earlier report untouched.
expect_rc 0 "report" -- "$BIN" report "$EX/runs.csv" --out "$TMP/rep"
expect_grep "$TMP/out" "$TMP/rep/index.html" "report path printed"
expect_true "index.html exists" -- test -s "$TMP/rep/index.html"
expect_true "report.json exists" -- test -s "$TMP/rep/report.json"
cp "$TMP/rep/index.html" "$TMP/before.html"
expect_rc 2 "report on bad input" -- "$BIN" report "$EX/runs_bad.csv" --out "$TMP/rep"
expect_true "earlier report untouched" -- cmp -s "$TMP/before.html" "$TMP/rep/index.html"
expect_true "no staging directories left" -- test -z "$(ls "$TMP" | grep -E 'rep\.(tmp|old)')"

# --group-by: one set of frontier sections per model, scoped ids and files; data quality and pricing once.
expect_rc 0 "report grouped by model" -- "$BIN" report "$EX/runs.csv" --group-by model --out "$TMP/grp" --today 2026-12-03
# Grouped sections word their scope as the grouping, never as a --where the user did not pass (issue 9).
expect_no_grep "$TMP/err" "by --where" "no --where in grouped notes"
expect_grep "$TMP/grp/model-bert-base-report.json" "this section is the group model=bert-base: 47 of 144 runs (the other 97 are in other groups)" "group scope"
expect_true "the demo's notes: one line per kind (issue 9)" -- test "$(grep -c '^note:' "$TMP/err")" -le 3
expect_grep "$TMP/err" "note: --group-by model: 4 groups of 144 runs in all; their 30 notes are in each group's JSON" "group notes summed up"
expect_grep "$TMP/grp/index.html" 'id="summary-model-resnet50"' "a summary per model"
expect_grep "$TMP/grp/index.html" 'id="frontier-model-bert-base"' "a frontier per model"
expect_true "charts scoped per model" -- test -s "$TMP/grp/model-resnet50-accuracy_vs_cost.svg"
expect_true "JSON per model" -- test -s "$TMP/grp/model-llama-7b-ft-report.json"
expect_true "data quality once" -- test "$(grep -c 'id="data-quality' "$TMP/grp/index.html")" = 1
expect_rc 2 "group-by a field no run has" -- "$BIN" report "$EX/runs.csv" --group-by nosuchfield --out "$TMP/grp2"
expect_grep "$TMP/err" "no run has a value for 'nosuchfield'" "empty grouping explained"

# Score.
expect_rc 0 "score with flags" -- "$BIN" score --accuracy 0.9 --gpu-hours 10 --hardware h100 --precision bf16
expect_grep "$TMP/out" '"score":' "score printed"
echo '{"accuracy": 0.9, "gpu_hours": 10, "hardware": "h100"}' > "$TMP/run.json"
expect_rc 0 "score from stdin" -- sh -c "'$BIN' score < '$TMP/run.json'"
expect_grep "$TMP/out" '"total_cost_usd":' "score from stdin priced"
expect_rc 2 "score with unknown hardware" -- "$BIN" score --accuracy 0.9 --gpu-hours 10 --hardware rtx9090
expect_grep "$TMP/err" "unknown hardware" "score bad hardware"

# Catalog.
expect_rc 0 "catalog show alias" -- "$BIN" catalog show "NVIDIA A100-SXM4-80GB"
expect_grep "$TMP/out" "a100-80gb" "alias resolved"
printf '{"offers": [{"provider": "x", "region": "us-east-1", "hardware": "h100", "spot": "abc"}]}' > "$TMP/badcat.json"
expect_rc 2 "catalog validate bad" -- "$BIN" catalog validate "$TMP/badcat.json"
expect_grep "$TMP/err" "offers[0].spot" "JSON path in catalog error"
expect_rc 2 "frontier with a bad catalog" -- "$BIN" frontier "$EX/runs.csv" --catalog "$TMP/badcat.json"
# Issue 9: --catalog-only validates the file on its own (it always merged the default first). An offer for h100
# is valid over the default catalog, which defines h100, and invalid alone, where no hardware is defined.
printf '{"offers": [{"provider": "x", "region": "us-east-1", "hardware": "h100", "on_demand": 2.0, "source": "test"}]}' > "$TMP/offeronly.json"
expect_rc 0 "catalog validate merged" -- "$BIN" catalog validate "$TMP/offeronly.json"
expect_grep "$TMP/out" "after merging with the default catalog" "merged validation said so"
expect_rc 2 "catalog validate --catalog-only" -- "$BIN" catalog validate "$TMP/offeronly.json" --catalog-only
expect_grep "$TMP/err" "h100" "alone, the offer's hardware is unknown"

# Issue 10: --out "" printed an internal message and --out . "cannot move the old . aside".
expect_rc 1 "report --out empty" -- "$BIN" report "$EX/runs.csv" --out ""
expect_grep "$TMP/err" "--out: expected a directory name, found an empty one" "empty --out explained"
expect_no_grep "$TMP/err" "cf_report_publish" "no internal name"
expect_rc 1 "report --out ." -- "$BIN" report "$EX/runs.csv" --out .
expect_grep "$TMP/err" "--out: name the report's own directory (e.g. --out report), not '.'" "--out . explained"
expect_rc 1 "report --out DIR/.." -- "$BIN" report "$EX/runs.csv" --out "$TMP/.."

finish
