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
finish
