# The run store on PostgreSQL, end to end through the command: the nightly flow (import, import again, report
# with history and alerts), sources and remove, four concurrent imports of one export ending with one copy, a
# schema holding other tables refused untouched, and a URI's password never printed. Needs COSTFRONT_TEST_PG
# (tests/pg/start.sh); skipped (77) without it unless COSTFRONT_TEST_PG_REQUIRED is set.
BIN=$1
SRC=$2
if [ -z "${COSTFRONT_TEST_PG:-}" ]; then
  [ -n "${COSTFRONT_TEST_PG_REQUIRED:-}" ] && { echo "FAIL: COSTFRONT_TEST_PG not set"; exit 1; }
  echo "skipped: COSTFRONT_TEST_PG is not set (eval \"\$(tests/pg/start.sh)\")"; exit 77
fi
source "$SRC/tests/cli/lib.sh"
cd "$TMP" || exit 1
# A URI naming a new empty schema of the test server.
schema_uri() {
  local name="cli_$1_$$"
  psql -qX "$COSTFRONT_TEST_PG" -c "CREATE SCHEMA $name" >/dev/null || return 1
  case "$COSTFRONT_TEST_PG" in *\?*) echo "$COSTFRONT_TEST_PG&options=-csearch_path%3D$name" ;;
                                   *) echo "$COSTFRONT_TEST_PG?options=-csearch_path%3D$name" ;; esac
}

U=$(schema_uri nightly)
head -61 "$SRC/examples/runs.csv" > export.csv
expect_rc 2 "store sources does not create a store" -- "$BIN" store sources --store "$U"
expect_grep "$TMP/err" "no run store" "missing store named"
expect_rc 0 "first import" -- "$BIN" import export.csv --store "$U"
expect_grep "$TMP/out" "60 added, 0 updated, 0 unchanged" "first import adds 60"
expect_rc 0 "importing twice adds nothing" -- "$BIN" import export.csv --store "$U"
expect_grep "$TMP/out" "0 added, 0 updated, 60 unchanged" "second import is a no-op"
expect_rc 0 "first nightly report" -- "$BIN" report --store "$U" --out reports --date 2026-11-10 --target-accuracy 0.85
expect_grep reports/latest/index.html "first report kept in this store" "first report says so"
cp "$SRC/examples/runs.csv" export.csv
awk -F, 'BEGIN{OFS=","} NR==3{$12="0.1234"} {print}' export.csv > e2 && mv e2 export.csv
expect_rc 0 "import more" -- "$BIN" import export.csv --store "$U"
expect_grep "$TMP/out" "84 added, 1 updated, 59 unchanged" "growth and change detected"
printf '{"target_accuracy": 0.85, "max_spend_total_usd": 10}\n' > alerts.json
expect_rc 5 "second report fires the spend alert" -- "$BIN" report --store "$U" --out reports --date 2026-11-11 --alerts alerts.json
expect_grep "$TMP/err" "ALERT: spend of all stored runs" "alert printed"
expect_grep reports/latest/index.html "84 new runs" "new runs counted from the PostgreSQL store"
expect_rc 0 "frontier --store" -- "$BIN" frontier --store "$U" --format csv
"$BIN" frontier export.csv --format csv > from_csv.csv 2>/dev/null
expect_true "the store gives the frontier the CSV gives" -- cmp -s "$TMP/out" from_csv.csv
expect_rc 0 "store sources" -- "$BIN" store sources --store "$U"
expect_grep "$TMP/out" "export.csv" "the source is listed"
expect_rc 0 "store remove" -- "$BIN" store remove --store "$U" 1
expect_rc 0 "store sources after remove" -- "$BIN" store sources --store "$U"
expect_no_grep "$TMP/out" "export.csv" "the source is gone"

# Four imports of one export at once: one copy.
U=$(schema_uri conc)
mkdir d && cp "$SRC/examples/runs.csv" d/runs.csv
pids=()
for k in 1 2 3 4; do "$BIN" import d/runs.csv --store "$U" >"o$k" 2>"e$k" & pids+=($!); done
rcs=""
for p in "${pids[@]}"; do wait "$p"; rcs="$rcs$?"; done
expect_true "the four concurrent imports succeed" -- test "$rcs" = 0000
expect_true "exactly one added the 144 runs" -- test "$(grep -l '144 added' o1 o2 o3 o4 | wc -l)" -eq 1
expect_true "the others found them unchanged" -- test "$(grep -l '144 unchanged' o1 o2 o3 o4 | wc -l)" -eq 3
expect_rc 0 "store sources" -- "$BIN" store sources --store "$U"
expect_grep "$TMP/out" "1 sources, 144 runs" "one source, one copy"

# A schema with another program's tables is refused and left as it was.
U=$(schema_uri foreign)
name=$(echo "$U" | sed 's/.*%3D//')
psql -qX "$COSTFRONT_TEST_PG" -c "CREATE TABLE $name.experiments(id int); INSERT INTO $name.experiments VALUES (7)" >/dev/null
expect_rc 2 "a foreign schema is refused" -- "$BIN" import export.csv --store "$U"
expect_grep "$TMP/err" "not a costfront run store" "refusal says why"
expect_true "nothing was created in it" -- test "$(psql -AtX "$COSTFRONT_TEST_PG" -c "SELECT count(*) FROM information_schema.tables WHERE table_schema = '$name'")" = 1

# A password in the URI is never printed.
expect_rc 2 "an unreachable server is an error" -- "$BIN" import export.csv --store "postgresql://someone:s3cret-pw@/nodb?host=$TMP/nosocket"
expect_grep "$TMP/err" "postgresql://someone@/nodb" "the URI is named"
expect_no_grep "$TMP/err" "s3cret-pw" "the password is not printed"
finish
