# End-to-end test of the nightly job: import, report, import more, report again; the second report shows the change.
BIN=$1
SRC=$2
source "$SRC/tests/cli/lib.sh"
cd "$TMP" || exit 1

head -61 "$SRC/examples/runs.csv" > export.csv      # header + 60 runs
expect_rc 0 "first import" -- "$BIN" import export.csv --store runs.db
expect_grep "$TMP/out" "60 added, 0 updated, 0 unchanged" "first import adds 60"
expect_rc 0 "importing twice adds nothing" -- "$BIN" import export.csv --store runs.db
expect_grep "$TMP/out" "0 added, 0 updated, 60 unchanged" "second import is a no-op"
expect_rc 0 "first nightly report" -- "$BIN" report --store runs.db --out reports --date 2026-11-10 --target-accuracy 0.85
expect_true "dated directory" -- test -s reports/2026-11-10/index.html
expect_true "latest points at it" -- test "$(readlink reports/latest)" = 2026-11-10
expect_grep reports/latest/index.html "first report kept in this store" "first report says so"

# The export grows by 84 runs and one run changes its accuracy.
cp "$SRC/examples/runs.csv" export.csv
awk -F, 'BEGIN{OFS=","} NR==3{$12="0.1234"} {print}' export.csv > e2 && mv e2 export.csv
expect_rc 0 "import more" -- "$BIN" import export.csv --store runs.db
expect_grep "$TMP/out" "84 added, 1 updated, 59 unchanged" "growth and change detected"
printf '{"target_accuracy": 0.85, "max_spend_total_usd": 10}\n' > alerts.json
expect_rc 5 "second report fires the spend alert" -- "$BIN" report --store runs.db --out reports --date 2026-11-11 --alerts alerts.json
expect_grep "$TMP/err" "ALERT: spend of all stored runs" "alert printed"
expect_true "latest moved" -- test "$(readlink reports/latest)" = 2026-11-11
expect_true "old report kept" -- test -s reports/2026-11-10/index.html
expect_grep reports/latest/index.html "What changed since the last report" "history section"
expect_grep reports/latest/index.html "84 new runs" "new runs counted"
expect_grep reports/latest/index.html "entered the frontier" "frontier changes listed"
expect_grep reports/latest/index.html "spend of all stored runs" "alert in the report"
expect_true "history charts drawn" -- test -s reports/latest/history_hypervolume.svg

# Bad alerts file and a damaged store: clear errors, nothing lost.
printf '{"max_spend": 3}' > bad_alerts.json
expect_rc 2 "unknown alert field" -- "$BIN" report --store runs.db --out reports --alerts bad_alerts.json
expect_grep "$TMP/err" "max_spend: expected one of" "unknown alert named"
head -c 2000 runs.db > broken.db
expect_rc 2 "truncated store" -- "$BIN" report --store broken.db --out reports2
expect_grep "$TMP/err" "broken.db" "damaged store named"
expect_true "no report from a damaged store" -- test ! -e reports2
finish
