# Studies on PostgreSQL through the command: create, suggest, observe, show; creating twice refused; a schema
# holding an Optuna storage refused untouched; eight concurrent `suggest` processes are handed eight distinct
# trials, all of them pending in the study. Needs COSTFRONT_TEST_PG (tests/pg/start.sh); skipped (77) without it
# unless COSTFRONT_TEST_PG_REQUIRED is set.
BIN=$1
SRC=$2
if [ -z "${COSTFRONT_TEST_PG:-}" ]; then
  [ -n "${COSTFRONT_TEST_PG_REQUIRED:-}" ] && { echo "FAIL: COSTFRONT_TEST_PG not set"; exit 1; }
  echo "skipped: COSTFRONT_TEST_PG is not set (eval \"\$(tests/pg/start.sh)\")"; exit 77
fi
source "$SRC/tests/cli/lib.sh"
cd "$TMP" || exit 1
schema_uri() {
  local name="cli_$1_$$"
  psql -qX "$COSTFRONT_TEST_PG" -c "CREATE SCHEMA $name" >/dev/null || return 1
  case "$COSTFRONT_TEST_PG" in *\?*) echo "$COSTFRONT_TEST_PG&options=-csearch_path%3D$name" ;;
                                   *) echo "$COSTFRONT_TEST_PG?options=-csearch_path%3D$name" ;; esac
}
SPACE="$SRC/examples/study/space.json"

U=$(schema_uri study)
expect_rc 0 "study create" -- "$BIN" study create --space "$SPACE" --store "$U"
expect_rc 2 "creating twice is refused" -- "$BIN" study create --space "$SPACE" --store "$U"
expect_grep "$TMP/err" "already holds a study" "refusal says why"
expect_rc 0 "suggest 2" -- "$BIN" suggest --store "$U" --n 2 --seed 1
expect_grep "$TMP/out" '"id":1' "first trial is 1"
expect_grep "$TMP/out" '"id":2' "second trial is 2"
expect_rc 0 "observe 1" -- "$BIN" observe --store "$U" --id 1 --values '{"accuracy": 0.91, "gpu_hours": 12}'
expect_rc 0 "observe 2 failed" -- "$BIN" observe --store "$U" --id 2 --state failed
expect_rc 2 "observe a trial that does not exist" -- "$BIN" observe --store "$U" --id 99 --state failed
expect_rc 0 "study show" -- "$BIN" study show --store "$U"
expect_grep "$TMP/out" "trials: 2 (1 complete, 0 pending, 1 failed, 0 pruned)" "states kept on the server"

# Same seeds, same suggestions as an SQLite study file.
"$BIN" study create --space "$SPACE" --store lite.db >/dev/null 2>&1
U2=$(schema_uri same)
"$BIN" study create --space "$SPACE" --store "$U2" >/dev/null 2>&1
expect_rc 0 "suggest on SQLite" -- "$BIN" suggest --store lite.db --n 3 --seed 5
cp "$TMP/out" lite.json
expect_rc 0 "suggest on PostgreSQL" -- "$BIN" suggest --store "$U2" --n 3 --seed 5
expect_true "the backends suggest the same trials" -- cmp -s "$TMP/out" lite.json

# An Optuna storage in the schema is refused and left as it was.
U=$(schema_uri optuna)
name=$(echo "$U" | sed 's/.*%3D//')
psql -qX "$COSTFRONT_TEST_PG" -c "CREATE TABLE $name.studies(study_id int); CREATE TABLE $name.trial_params(x int)" >/dev/null
expect_rc 2 "an Optuna schema is refused" -- "$BIN" study create --space "$SPACE" --store "$U"
expect_grep "$TMP/err" "Optuna storage" "the owner is named"
expect_true "nothing was created in it" -- test "$(psql -AtX "$COSTFRONT_TEST_PG" -c "SELECT count(*) FROM information_schema.tables WHERE table_schema = '$name'")" = 2
expect_rc 2 "suggest on an empty schema" -- "$BIN" suggest --store "$(schema_uri empty)" --n 1

# Eight concurrent suggests: eight distinct trials, every pending trial handed out once.
U=$(schema_uri conc)
"$BIN" study create --space "$SPACE" --store "$U" >/dev/null 2>&1
pids=()
for k in 1 2 3 4 5 6 7 8; do "$BIN" suggest --store "$U" --n 1 --seed 3 >"s$k" 2>"e$k" & pids+=($!); done
rcs=""
for p in "${pids[@]}"; do wait "$p"; rcs="$rcs$?"; done
expect_true "the eight suggests succeed" -- test "$rcs" = 00000000
cat s? | grep -o '"id":[0-9]*' | sort -u > ids
expect_true "eight distinct ids 1..8" -- test "$(tr '\n' ' ' < ids)" = '"id":1 "id":2 "id":3 "id":4 "id":5 "id":6 "id":7 "id":8 '
cat s? | grep -o '"params":{[^}]*}' | sort -u > params
expect_true "eight distinct configurations" -- test "$(wc -l < params)" -eq 8
expect_rc 0 "study show" -- "$BIN" study show --store "$U"
expect_grep "$TMP/out" "trials: 8 (0 complete, 8 pending" "all eight pending in the study"
finish
