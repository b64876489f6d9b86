# costfront bill (issue 12): showback from FOCUS exports with totals worked by hand in tests/fixtures/gen_focus.py.
# March: nlp/bert 40 + 40 = 80 billed (32 + 32 = 64 effective), cv/det 30 + 5 = 35 (35), untagged 10, shared
# (Tax) 12; month total 137 billed, 121 effective. April: nlp/bert 50 (40), cv/det 15 (15); total 65 (55).
# Spread by usage share: tagged billed 80 + 35 = 115, so nlp gets 12 x 80/115 = 8.3478 -> 88.3478 and cv
# 12 x 35/115 = 3.6522 -> 38.6522; effective: tagged 64 + 35 = 99, nlp 64 + 12 x 64/99 = 71.7576.
BIN=$1
SRC=$2
source "$SRC/tests/cli/lib.sh"
/usr/bin/python3 "$SRC/tests/fixtures/gen_focus.py" "$TMP/f" || { echo "FAIL: fixture generator"; exit 1; }
F="$TMP/f"

expect_rc 0 "bill by team,project as JSON" -- "$BIN" bill "$F/bill.csv" --by team,project --format json --out "$TMP/a.json"
J="$TMP/a.json"
py() { /usr/bin/python3 -c "import json,sys; d=json.load(open('$J')); $1"; }
expect_true "two months, March 137 / 121, April 65 / 55" -- \
  py "m=d['months']; assert [x['month'] for x in m]==['2026-03','2026-04'] and (m[0]['billed_cost'],m[0]['effective_cost'],m[1]['billed_cost'],m[1]['effective_cost'])==(137,121,65,55), m"
expect_true "March lines: cv/det 35, nlp/bert 80 (64), untagged 10, shared 12" -- \
  py "L=d['months'][0]['lines']; assert [(l['kind'],l['tags'],l['billed_cost'],l['effective_cost']) for l in L]==[('group',{'team':'cv','project':'det'},35,35),('group',{'team':'nlp','project':'bert'},80,64),('untagged',{},10,10),('shared',{},12,12)], L"
expect_true "share of nlp/bert in March: 80/137" -- py "l=d['months'][0]['lines'][1]; assert abs(l['share']-80/137)<1e-12, l"

expect_rc 0 "gzip bill gives the same bytes" -- "$BIN" bill "$F/bill.csv.gz" --by team,project --format json --out "$TMP/b.json"
expect_true "gzip JSON equals plain JSON" -- cmp "$TMP/a.json" "$TMP/b.json"

expect_rc 0 "spread shared cost" -- "$BIN" bill "$F/bill.csv" --by team,project --spread-shared --format json --out "$TMP/s.json"
J="$TMP/s.json"
expect_true "nlp gets 12 x 80/115 billed and 12 x 64/99 effective" -- \
  py "l=d['months'][0]['lines'][1]; assert abs(l['billed_spread']-12*80/115)<1e-9 and abs(l['effective_spread']-12*64/99)<1e-9 and abs(l['share']-(80+12*80/115)/137)<1e-12, l"
expect_true "groups + untagged shares sum to 1 when spread" -- \
  py "L=d['months'][0]['lines']; assert abs(sum(l['share'] for l in L)-1)<1e-12"

expect_rc 0 "table" -- "$BIN" bill "$F/bill.csv" --by team,project
expect_grep "$TMP/out" "2026-03  nlp/bert" "table names the group"
expect_grep "$TMP/out" "58.4%" "table share 80/137"
expect_grep "$TMP/err" "bill: read 8 rows, accepted 8, rejected 0 (FOCUS 1.2)" "counts on stderr"

expect_rc 0 "csv" -- "$BIN" bill "$F/bill.csv" --by team --format csv
expect_grep "$TMP/out" "2026-03,group,nlp,80,64,0,0,0.583942,2,USD" "csv line"

expect_rc 2 "a rejected row stops the read" -- "$BIN" bill "$F/bill_bad.csv" --by team
expect_grep "$TMP/err" "bill_bad.csv:3:1: BilledCost: expected a decimal number, found 'abc'" "file:line:column"
expect_rc 0 "keep-going skips and lists rejected rows" -- "$BIN" bill "$F/bill_bad.csv" --by team --keep-going --format csv
expect_grep "$TMP/err" "read 5 rows, accepted 2, rejected 3" "counts with rejects"
expect_grep "$TMP/err" "bill_bad.csv:5:8: Tags" "third reject"
expect_rc 1 "bad --format" -- "$BIN" bill "$F/bill.csv" --format xml
expect_rc 1 "no bills" -- "$BIN" bill --by team
expect_rc 2 "missing file" -- "$BIN" bill "$F/none.csv"
expect_rc 0 "output not written on failure" -- true
"$BIN" bill "$F/bill_bad.csv" --out "$TMP/none.json" 2>/dev/null
expect_true "no partial output" -- test ! -e "$TMP/none.json"

# Join to runs (catalog: a100-80gb 1.50, h100-80gb 2.00 per GPU-hour). By tag run_id: r1 <- line 2 (40 / 32),
# r3 <- line 4 (30 / 30), r4 <- line 8 (50 / 40); r2 by resource i-a and time 04:00-06:00 <- half of line 3
# (20 / 16), the other half (06:00-08:00, 2 h, 20 / 16) unassigned. r2: billed GPU-h 2 h x 8 = 16 against 12
# modelled: modelled 12 x 1.5 = 18, hours effect (16 - 12) x 1.5 = 6, price effect 20 - 16 x 1.5 = -4, discount
# 16 - 20 = -4: 18 + 6 - 4 - 4 = 16. r1: modelled 32 x 1.5 = 48, price 40 - 48 = -8, discount -8 -> 32.
# Idle: i-a 2 h (20 / 16), i-c 1 h (line 6, 10 / 10), i-b 1 h (line 9, 15 / 15): 4 h, billed 45 of accelerator
# 40+40+30+10+50+15 = 185; hours of day 0 (i-c, i-b) = 2, 6 = 1, 7 = 1. Unit economics: effective 32+16+30+40 =
# 118 over 4 runs = 29.5, over 3 complete = 39.333; accuracy 0.90 - 0.70 = 20 points -> 5.9 per point;
# allocated but unused: r1 gpu_util 0.5 -> 0.5 x 32 = 16.
JOIN=(--runs "$F/runs_bill.csv" --catalog "$F/catalog.json" --catalog-only)
expect_rc 0 "join by tag" -- "$BIN" bill "$F/bill.csv" "${JOIN[@]}" --format json --out "$TMP/j.json"
J="$TMP/j.json"
expect_true "runs and rules" -- \
  py "assert [(r['run_id'],r['rule'],r['billed_cost'],r['effective_cost']) for r in d['runs']]==[('r1','tag',40,32),('r2','resource+time',20,16),('r3','tag',30,30),('r4','tag',50,40)], d['runs']"
expect_true "r2 explained: 18 + 6 - 4 - 4 = 16" -- \
  py "r=d['runs'][1]; assert (r['modelled_cost'],r['hours_effect'],r['price_effect'],r['discount_effect'],r['billed_gpu_hours'])==(18,6,-4,-4,16), r"
expect_true "every run: effective = modelled + effects" -- \
  py "assert all(abs(r['modelled_cost']+r['hours_effect']+r['price_effect']+r['discount_effect']-r['effective_cost'])<1e-9 for r in d['runs'])"
expect_true "unassigned: line 3 remainder, lines 6 and 9" -- \
  py "assert [(u['line'],u['rule'],u['hours'],u['billed_cost']) for u in d['unassigned']]==[(3,'resource+time remainder',2,20),(6,'none',1,10),(9,'none',1,15)], d['unassigned']"
expect_true "idle 4 h, 45 of 185, hours of day" -- \
  py "i=d['idle']; h=i['hour_of_day_utc']; assert (i['idle_hours'],i['idle_billed_cost'],i['idle_effective_cost'],d['accelerator_billed_cost'])==(4,45,41,185) and abs(i['idle_share']-45/185)<1e-12 and h[0]==2 and h[6]==1 and h[7]==1 and sum(h)==4, i"
expect_true "unit economics" -- \
  py "u=d['unit_economics']; assert (u['runs'],u['successful_runs'],u['effective_cost'],u['cost_per_run'],u['allocated_unused_cost'])==(4,3,118,29.5,16) and abs(u['cost_per_successful_run']-118/3)<1e-9 and abs(u['cost_per_accuracy_point']-5.9)<1e-9, u"

# r4 serves 1,000 tokens/s over its 5 billed hours: 18 M tokens for 40 effective -> 2.2222 per 1M tokens.
expect_true "cost per 1M tokens of the inference run" -- \
  py "r=d['runs'][3]; u=d['unit_economics']; assert abs(r['million_tokens']-18)<1e-12 and abs(r['cost_per_1m_tokens']-40/18)<1e-12 and abs(u['cost_per_1m_tokens']-40/18)<1e-12 and 'cost_per_1m_tokens' not in d['runs'][0], r"

expect_rc 0 "join by resource and time only (no tag called job)" -- "$BIN" bill "$F/bill.csv" "${JOIN[@]}" --join-tag job \
  --format json --out "$TMP/k.json"
J="$TMP/k.json"
expect_true "all by resource+time, same amounts" -- \
  py "assert [(r['run_id'],r['rule'],r['billed_cost']) for r in d['runs']]==[('r1','resource+time',40),('r2','resource+time',20),('r3','resource+time',30),('r4','resource+time',50)], d['runs']"
expect_rc 0 "join table" -- "$BIN" bill "$F/bill.csv" "${JOIN[@]}"
expect_grep "$TMP/out" "idle: 4.00 h, billed 45.00 (24.3% of accelerator cost)" "idle line"
finish
