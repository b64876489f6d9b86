# Command-line tests of `costfront catalog from-bill`: effective prices per accelerator-hour from the FOCUS
# fixtures of tests/fixtures/gen_focus.py and a committed-use bill written here, worked by hand; the written
# catalog loads with --catalog in frontier.
BIN=$1
SRC=$2
source "$SRC/tests/cli/lib.sh"
/usr/bin/python3 "$SRC/tests/fixtures/gen_focus.py" "$TMP" >/dev/null || { echo "FAIL: gen_focus.py"; exit 1; }

# bill.csv: p4d.24xlarge (8 x A100-40GB) rows of 4 + 4 + 1 + 5 = 14 instance-hours = 112 accelerator-hours for
# EffectiveCost 32 + 32 + 10 + 40 = 114: 114 / 112 = 1.017857143 USD; p5.48xlarge (8 x H100) 2 + 1 = 3 h = 24
# accelerator-hours for 30 + 15 = 45: 1.875 USD. The storage and tax rows are not priced.
expect_rc 0 "from-bill" -- "$BIN" catalog from-bill "$TMP/bill.csv" -o "$TMP/neg.json"
expect_grep "$TMP/err" "bill rows read 8, accepted 8, rejected 0; priced 6 accelerator usage rows" "counts"
expect_true "hand-computed prices" -- /usr/bin/python3 -c "
import json,sys; j=json.load(open(sys.argv[1])); o={x['hardware']: x for x in j['offers']}
assert set(o) == {'a100-40gb', 'h100'}, o
assert abs(o['a100-40gb']['on_demand'] - 114/112) < 1e-9 and o['h100']['on_demand'] == 1.875
assert 'reserved_1y' not in o['h100'] and o['h100']['as_of'] == '2026-04-02' and o['h100']['provider'] == 'aws'
assert 'bill.csv' in o['h100']['source'] and '45 USD EffectiveCost / 24 accelerator-hours' in o['h100']['source']" "$TMP/neg.json"
expect_rc 0 "validate" -- "$BIN" catalog validate "$TMP/neg.json"
expect_rc 0 "the catalog loads in frontier" -- "$BIN" frontier "$SRC/examples/runs.csv" --catalog "$TMP/neg.json" --format json
expect_rc 0 "offers show the bill's price" -- "$BIN" catalog offers --catalog "$TMP/neg.json"
expect_grep "$TMP/out" "1.875" "h100 aws us-east-1 on-demand 1.875"
# The same bytes from the gzip copy.
expect_rc 0 "from-bill gzip" -- "$BIN" catalog from-bill "$TMP/bill.csv.gz" -o "$TMP/neg2.json"
expect_true "gzip gives the same prices" -- /usr/bin/python3 -c "
import json,sys; a=json.load(open(sys.argv[1])); b=json.load(open(sys.argv[2]))
assert [x['on_demand'] for x in a['offers']] == [x['on_demand'] for x in b['offers']]" "$TMP/neg.json" "$TMP/neg2.json"

# Committed use (us-west-2, p5.48xlarge = 8 H100): 10 h under savings plan sp-1 for EffectiveCost 200 -> 80
# accelerator-hours, 2.5 USD; 2 h without commitment for 100 -> 16 h, 6.25 USD; an Unused commitment row (40 USD)
# and a compute row of unknown hardware are counted, not priced.
/usr/bin/python3 - "$TMP/bill.csv" "$TMP/commit.csv" <<'PY'
import csv, sys
rows = list(csv.DictReader(open(sys.argv[1], newline="")))
cols = list(rows[0].keys())
base = dict(rows[2], RegionId="us-west-2", Tags="", x_InstanceType="p5.48xlarge")
def row(**kw):
    r = dict(base); r.update(kw); return r
out = [row(BilledCost="300", EffectiveCost="200", PricingQuantity="10", ConsumedQuantity="10",
           CommitmentDiscountId="sp-1", CommitmentDiscountStatus="Used"),
       row(BilledCost="100", EffectiveCost="100", PricingQuantity="2", ConsumedQuantity="2"),
       row(BilledCost="40", EffectiveCost="40", PricingQuantity="1", ConsumedQuantity="1",
           CommitmentDiscountId="sp-1", CommitmentDiscountStatus="Unused"),
       row(BilledCost="9", EffectiveCost="9", SkuId="mystery-box", ResourceName="box", x_InstanceType="")]
w = csv.DictWriter(open(sys.argv[2], "w", newline=""), fieldnames=cols); w.writeheader(); w.writerows(out)
PY
expect_rc 0 "from-bill committed" -- "$BIN" catalog from-bill "$TMP/commit.csv" -o "$TMP/commit.json"
expect_grep "$TMP/err" "priced 2 accelerator usage rows, 1 compute usage rows with no known hardware, 1 unused-commitment rows (40.00 USD)" "committed counts"
expect_true "on-demand and committed prices" -- /usr/bin/python3 -c "
import json,sys; j=json.load(open(sys.argv[1])); o=j['offers']
assert len(o) == 1 and o[0]['region'] == 'us-west-2' and o[0]['hardware'] == 'h100', o
assert o[0]['on_demand'] == 6.25 and o[0]['reserved_1y'] == 2.5, o" "$TMP/commit.json"
expect_rc 0 "committed catalog loads" -- "$BIN" catalog validate "$TMP/commit.json"

# Errors: usage 1, nothing priced or a bad bill 2, and no partial output.
expect_rc 1 "no bill" -- "$BIN" catalog from-bill -o "$TMP/x.json"
expect_rc 1 "no -o" -- "$BIN" catalog from-bill "$TMP/bill.csv"
expect_rc 2 "nothing to price" -- "$BIN" catalog from-bill "$TMP/bill_v10.csv" -o "$TMP/x.json"
expect_grep "$TMP/err" "no accelerator usage row could be priced" "says why"
expect_rc 2 "bad bill" -- "$BIN" catalog from-bill "$TMP/bill_bad.csv" -o "$TMP/x.json"
expect_grep "$TMP/err" "bill_bad.csv:3:1" "reject located"
expect_true "no output written on failure" -- test ! -e "$TMP/x.json"

finish
