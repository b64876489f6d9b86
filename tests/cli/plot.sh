# Command-line tests of the report's charts (issues 9 and 10): hostile text in every field that reaches a chart
# (the knee's run id, objective and column names, group values, the --out path) never breaks a report, never runs
# a command and never touches a file outside the report; every SVG is well-formed and shows the text intact.
BIN=$1
SRC=$2
source "$SRC/tests/cli/lib.sh"
export TMPDIR="$TMP/gptmp"   # gnuplot's staging directories, counted below
mkdir -p "$TMPDIR"

# svg_text_has FILE TEXT: some <text> element of the SVG FILE holds TEXT (after XML unescaping).
svg_text_has() {
  python3 - "$1" "$2" <<'PY'
import sys, xml.etree.ElementTree as ET
root = ET.parse(sys.argv[1]).getroot()
texts = ["".join(e.itertext()) for e in root.iter() if e.tag.endswith("}text") or e.tag == "text"]
sys.exit(0 if any(sys.argv[2] in t for t in texts) else 1)
PY
}

# all_svgs_well_formed DIR: xmllint accepts every SVG in DIR (and there is at least one).
all_svgs_well_formed() {
  local n=0 f
  for f in "$1"/*.svg; do [ -e "$f" ] || continue; xmllint --noout "$f" || return 1; n=$((n + 1)); done
  [ "$n" -gt 0 ]
}

# The corpus. Each is the run id of the only run (so its knee), part of an objective column's name, and the model
# (the group value). As CSV cells they are quoted with "" for a quote.
HOSTILE=(
  "it's ''x''"
  "''"
  "'lead"
  "\`touch $TMP/pwned-bq\`"
  "@x @@y"
  "system(\"touch $TMP/pwned-sys\")"
  'back\slash\'
  'EOD'
  "模型 модель é"
  $'new\nline'
)
i=0
for h in "${HOSTILE[@]}"; do
  i=$((i + 1))
  cell=${h//\"/\"\"}
  col="${h//[,:]/_} cost"        # a column name; ',' and ':' separate objectives
  colcell=${col//\"/\"\"}
  printf 'run_id,model,hardware,precision,accuracy,gpu_hours,"%s"\n"%s","%s",h100,bf16,0.9,2,3\n"%s-2","%s",h100,bf16,0.8,1,5\n' \
    "$colcell" "$cell" "$cell" "$cell" "$cell" >"$TMP/h$i.csv"
  shown=${h//$'\n'/\\n}          # a chart label is one line: a newline is shown as \n
  expect_rc 0 "hostile text $i: report" -- "$BIN" report "$TMP/h$i.csv" --out "$TMP/r$i" --quiet || continue
  expect_true "hostile text $i: every SVG is well-formed" -- all_svgs_well_formed "$TMP/r$i"
  expect_true "hostile text $i: the knee label shows the run id intact" -- \
    svg_text_has "$TMP/r$i/accuracy_vs_cost.svg" "knee: $shown"
  # The column as an objective: it names an axis.
  expect_rc 0 "hostile text $i: objective named by it" -- "$BIN" report "$TMP/h$i.csv" --out "$TMP/o$i" --quiet \
    --objectives "accuracy:max,$col:min" || continue
  expect_true "hostile text $i: objective charts well-formed" -- all_svgs_well_formed "$TMP/o$i"
  ocol=${col//$'\n'/\\n}
  expect_true "hostile text $i: the axis names the objective" -- \
    bash -c 'for f in "$1"/*.svg; do python3 -c "
import sys, xml.etree.ElementTree as ET
t=[\"\".join(e.itertext()) for e in ET.parse(sys.argv[1]).getroot().iter() if e.tag.endswith(\"text\")]
sys.exit(0 if any(sys.argv[2] in x for x in t) else 1)" "$f" "$2" && exit 0; done; exit 1' _ "$TMP/o$i" "$ocol"
  # The model as a group value.
  expect_rc 0 "hostile text $i: grouped by it" -- "$BIN" report "$TMP/h$i.csv" --out "$TMP/g$i" --quiet \
    --group-by model
  expect_true "hostile text $i: grouped charts well-formed" -- all_svgs_well_formed "$TMP/g$i"
done
expect_true "no backquote ran" -- test ! -e "$TMP/pwned-bq"
expect_true "no system() ran" -- test ! -e "$TMP/pwned-sys"

# --out with '' and with a newline: written exactly there; "victim'" (where gnuplot once cut the path at the
# quotes, truncating it) is untouched, and nothing is created beside the report.
mkdir -p "$TMP/x"
echo precious >"$TMP/x/victim'"
expect_rc 0 "--out with ''" -- "$BIN" report "$TMP/h1.csv" --out "$TMP/x/victim''x" --quiet
expect_true "the report is where --out says" -- test -f "$TMP/x/victim''x/index.html"
expect_true "its charts are well-formed" -- all_svgs_well_formed "$TMP/x/victim''x"
expect_grep "$TMP/x/victim'" "precious" "victim' keeps its content"
expect_rc 0 "--out with a newline" -- "$BIN" report "$TMP/h1.csv" --out "$TMP/x/new"$'\n'"line" --quiet
expect_true "the report is where --out says (newline)" -- test -f "$TMP/x/new"$'\n'"line/index.html"
expect_true "only the victim and the two reports beside each other" -- \
  test "$(find "$TMP/x" -mindepth 1 -maxdepth 1 -printf x | wc -c)" -eq 3
expect_true "no script left beside a report" -- test -z "$(find "$TMP" -maxdepth 2 -name '*.gp')"
expect_true "gnuplot's staging directories are gone" -- test -z "$(ls -A "$TMPDIR")"

# Multi-byte names near the old buffer limits (issue 10: labels were cut at 300 bytes, titles at 128, summary lines
# at 1024, in the middle of a character): run ids of 2-, 3- and 4-byte characters around 300 bytes and one around
# 1024, in groups whose names (Cyrillic, 2 bytes a character) are around 128 bytes. Nothing is cut: every SVG is
# well-formed, the page is valid UTF-8, and the knee labels, section titles and summary hold the names whole.
python3 - "$TMP/mb.csv" <<'PY'
import sys
rows = [("é", n) for n in range(146, 152)] + [("模", n) for n in range(96, 101)] + [("🚀", n) for n in range(72, 76)]
rows.append(("模", 340))
with open(sys.argv[1], "w", encoding="utf-8") as f:
    f.write("run_id,model,hardware,precision,accuracy,gpu_hours\n")
    for g, (ch, n) in enumerate(rows, 1):
        f.write("%s,%s,h100,bf16,0.9,%d\n" % (ch * n, "д" * (55 + g), g))
PY
expect_rc 0 "multi-byte names: report" -- "$BIN" report "$TMP/mb.csv" --group-by model --out "$TMP/mb" --quiet
expect_true "multi-byte names: every SVG is well-formed" -- all_svgs_well_formed "$TMP/mb"
expect_true "multi-byte names: nothing is cut" -- python3 - "$TMP/mb.csv" "$TMP/mb" <<'PY'
import csv, glob, sys, xml.etree.ElementTree as ET
runs = list(csv.DictReader(open(sys.argv[1], encoding="utf-8")))
html = open(sys.argv[2] + "/index.html", "rb").read().decode("utf-8")  # raises on invalid UTF-8
ok = True
for r in runs:
    if "model=" + r["model"] not in html:
        print("section title cut for", len(r["model"].encode()), "bytes"); ok = False
    if "run %s on " % r["run_id"] not in html:
        print("summary cut for a run id of", len(r["run_id"].encode()), "bytes"); ok = False
knees = set()
for svg in glob.glob(sys.argv[2] + "/*accuracy_vs_cost.svg"):
    for e in ET.parse(svg).getroot().iter():
        t = "".join(e.itertext())
        if e.tag.endswith("text") and t.startswith("knee: "):
            knees.add(t[len("knee: "):t.rindex(" (")])
want = set(r["run_id"] for r in runs)
if knees != want:
    print("knee labels cut:", sorted(len(k.encode()) for k in knees - want)); ok = False
sys.exit(0 if ok else 1)
PY

# A time-to-train table (issue 9): no accuracy, objectives total_cost_usd:min,score_min:min. The charts draw those
# objectives (with points, no "no data"), the knee line and the tables name them, and no sentence speaks of an
# accuracy that is not there.
cat >"$TMP/ttt.csv" <<'CSV'
run_id,model,hardware,precision,gpu_hours,score_min,num_gpus
t1,bert,h100,bf16,40,30,8
t2,bert,h100,fp16,60,25,8
t3,bert,a100-80gb,bf16,90,55,8
t4,bert,a100-80gb,tf32,120,70,8
t5,bert,l4,bf16,300,200,8
t6,bert,h100,bf16,30,45,4
CSV
expect_rc 0 "time-to-train report" -- "$BIN" report "$TMP/ttt.csv" --objectives total_cost_usd:min,score_min:min \
  --out "$TMP/ttt" --quiet
T="$TMP/ttt"
expect_true "the objectives' chart is drawn" -- test -s "$T/score_min_vs_total_cost_usd.svg"
expect_true "no accuracy chart" -- test ! -e "$T/accuracy_vs_cost.svg"
expect_true "the charts are well-formed" -- all_svgs_well_formed "$T"
expect_no_grep "$T/score_min_vs_total_cost_usd.svg" "no data" "the objectives' chart has data"
expect_no_grep "$T/score_min_vs_co2e.svg" "no data" "the emissions chart has data"
# 6 runs x 4 ways of buying = 24 candidates, all with both values: 24 points, 4 legend markers and the knee's
# mark are the 29 placed markers of the chart (gnuplot's SVG places each as a <use ... transform='translate(...)'>).
count_points() { grep -o "<use xlink:href='#gpPt[0-9]*' transform='translate(" "$1" | wc -l; }
expect_true "24 candidates plotted (29 markers)" -- test "$(count_points "$T/score_min_vs_total_cost_usd.svg")" -eq 29
expect_true "emissions chart: 24 candidates and 3 frontier points (32 markers)" -- \
  test "$(count_points "$T/score_min_vs_co2e.svg")" -eq 32
expect_true "axes name the objectives" -- svg_text_has "$T/score_min_vs_total_cost_usd.svg" "score_min, lower is better"
expect_true "knee marked" -- svg_text_has "$T/score_min_vs_total_cost_usd.svg" "knee: t1 (spot)"
expect_grep "$T/index.html" "run t1 on spot (h100, bf16): \$107.30 total, score_min 30 (the best trade-off between total_cost_usd and score_min" \
  "the knee line names the objectives in use"
expect_grep "$T/index.html" "score_min against total_cost_usd of every candidate" "the caption names them"
expect_grep "$T/index.html" ">score_min</th>" "the tables have a score_min column"
expect_no_grep "$T/index.html" "accuracy -" "no 'accuracy -'"
expect_no_grep "$T/index.html" "no on-demand price was available" "no false on-demand reason"
expect_no_grep "$T/index.html" "Accuracy against" "no caption about accuracy"
expect_no_grep "$T/index.html" ">accuracy</th>" "no empty accuracy column"
expect_no_grep "$T/index.html" "95% intervals" "no sentence about predictions that are not there"

# Three objectives: every pair is drawn, the frontier as ringed points.
expect_rc 0 "three objectives" -- "$BIN" report "$SRC/examples/runs.csv" --objectives \
  accuracy:max,total_cost_usd:min,co2e_kg:min --out "$TMP/three" --quiet
for f in accuracy_vs_cost accuracy_vs_co2e_kg co2e_kg_vs_total_cost_usd; do
  expect_true "three objectives: $f.svg" -- test -s "$TMP/three/$f.svg"
  expect_true "three objectives: $f.svg has the frontier" -- svg_text_has "$TMP/three/$f.svg" "on the frontier"
done
expect_true "three objectives: no separate emissions chart" -- test ! -e "$TMP/three/accuracy_vs_co2e.svg"
expect_true "three objectives: well-formed" -- all_svgs_well_formed "$TMP/three"
expect_no_grep "$TMP/three/accuracy_vs_cost.svg" "no data" "three objectives: data"

# Two objectives known for disjoint runs: their chart would be empty, so a sentence names why instead of a "no
# data" frame.
printf 'run_id,model,hardware,precision,gpu_hours,a,b\nt1,m,h100,bf16,40,3,\nt2,m,h100,bf16,60,2,\nt3,m,l4,bf16,90,,5\nt4,m,l4,bf16,20,,4\n' \
  >"$TMP/disjoint.csv"
expect_rc 0 "disjoint objectives" -- "$BIN" report "$TMP/disjoint.csv" --objectives total_cost_usd:min,a:min,b:min \
  --reference 1000,10,10 --out "$TMP/disjoint" --quiet
expect_grep "$TMP/disjoint/index.html" "No chart of a against b: no candidate has a value of both." "the reason is given"
expect_true "no empty chart" -- test ! -e "$TMP/disjoint/a_vs_b.svg"
expect_true "the other pairs are drawn" -- test -s "$TMP/disjoint/a_vs_total_cost_usd.svg"

finish
