# Command-line tests: the study commands never write to a file that is not a study (issue 10, "Files that are not
# ours"), and observe explains a bad --id. Each refused file is checksummed before and after the command.
BIN=$1
SRC=$2
source "$SRC/tests/cli/lib.sh"

cat > "$TMP/space.json" <<'JSON'
{"params": [{"name": "x0", "type": "float", "low": 0, "high": 1}], "objectives": [{"name": "f1"}, {"name": "f2"}]}
JSON

sum() { sha256sum "$1" | cut -d' ' -f1; }

# refuse_both FILE WHAT PATTERN: study create and study show (and suggest) refuse FILE with exit 2, name it as
# WHAT in the message (PATTERN), and leave its bytes, its journal mode and its directory as they were.
refuse_both() {
  local f=$1 what=$2 pat=$3 before mode_before
  before=$(sum "$f")
  mode_before=$(sqlite3 "$f" 'PRAGMA journal_mode' 2>/dev/null || echo none)
  ls "$(dirname "$f")" > "$TMP/dir.before"
  expect_rc 2 "study create refuses $what" -- "$BIN" study create --space "$TMP/space.json" --store "$f"
  expect_grep "$TMP/err" "$pat" "create names $what"
  expect_grep "$TMP/err" "left untouched" "create says $what was left untouched"
  expect_rc 2 "study show refuses $what" -- "$BIN" study show --store "$f"
  expect_grep "$TMP/err" "$pat" "show names $what"
  expect_rc 2 "suggest refuses $what" -- "$BIN" suggest --store "$f"
  expect_true "$what: same bytes after the refusals" -- test "$(sum "$f")" = "$before"
  expect_true "$what: same journal mode after the refusals" -- \
    test "$(sqlite3 "$f" 'PRAGMA journal_mode' 2>/dev/null || echo none)" = "$mode_before"
  ls "$(dirname "$f")" > "$TMP/dir.after"
  expect_true "$what: no -wal or -shm file left beside it" -- cmp -s "$TMP/dir.before" "$TMP/dir.after"
}

# An Optuna storage, written by Optuna itself when it is installed (Debian's python3-optuna), else its tables.
mkdir -p "$TMP/optuna"
if /usr/bin/python3 -c 'import optuna' 2>/dev/null; then
  /usr/bin/python3 "$SRC/tests/fixtures/gen_optuna.py" "$TMP/optuna/optuna.db"
else
  sqlite3 "$TMP/optuna/optuna.db" "CREATE TABLE studies(study_id INTEGER PRIMARY KEY, study_name TEXT);
    CREATE TABLE trials(trial_id INTEGER PRIMARY KEY, number INTEGER, study_id INTEGER, state TEXT);
    CREATE TABLE trial_params(param_id INTEGER PRIMARY KEY, trial_id INTEGER, param_name TEXT);
    CREATE TABLE version_info(version_info_id INTEGER PRIMARY KEY, schema_version INTEGER, library_version TEXT);
    INSERT INTO studies VALUES (1, 'single');"
fi
refuse_both "$TMP/optuna/optuna.db" "an Optuna storage" "an Optuna storage"

# A copy of an MLflow tracking database (its main tables).
mkdir -p "$TMP/mlflow"
sqlite3 "$TMP/mlflow/mlflow.db" "CREATE TABLE alembic_version(version_num VARCHAR(32) NOT NULL PRIMARY KEY);
  CREATE TABLE experiments(experiment_id INTEGER PRIMARY KEY, name VARCHAR(256), artifact_location VARCHAR(256));
  CREATE TABLE runs(run_uuid VARCHAR(32) PRIMARY KEY, name VARCHAR(250), experiment_id INTEGER, status VARCHAR(9));
  CREATE TABLE metrics(key VARCHAR(250), value FLOAT, timestamp BIGINT, run_uuid VARCHAR(32));
  INSERT INTO alembic_version VALUES ('97727af70f4d'); INSERT INTO experiments VALUES (0, 'Default', 'mlruns/0');"
refuse_both "$TMP/mlflow/mlflow.db" "an MLflow database" "an MLflow tracking database"

# A costfront run store made by costfront import.
mkdir -p "$TMP/runstore"
expect_rc 0 "a run store" -- "$BIN" import "$SRC/examples/runs.csv" --store "$TMP/runstore/runs.db"
sqlite3 "$TMP/runstore/runs.db" 'PRAGMA wal_checkpoint(TRUNCATE)' >/dev/null
rm -f "$TMP/runstore/runs.db-wal" "$TMP/runstore/runs.db-shm"
refuse_both "$TMP/runstore/runs.db" "a costfront run store" "a costfront run store"

# Any other SQLite database with tables, even one with a table called trials.
mkdir -p "$TMP/other"
sqlite3 "$TMP/other/app.db" "CREATE TABLE trials(id INTEGER PRIMARY KEY, x TEXT); CREATE TABLE users(name TEXT);
  INSERT INTO users VALUES ('ada');"
refuse_both "$TMP/other/app.db" "another SQLite database" "tables are not a study's (trials, users)"

# A study-looking database with one extra table is refused too: a study file holds only its own tables.
mkdir -p "$TMP/extra"
expect_rc 0 "a real study" -- "$BIN" study create --space "$TMP/space.json" --store "$TMP/extra/s.db"
sqlite3 "$TMP/extra/s.db" "PRAGMA journal_mode=DELETE; CREATE TABLE notes(t TEXT);" >/dev/null
refuse_both "$TMP/extra/s.db" "a study file with an extra table" "tables are not a study's (notes, sqlite_sequence, study, study_meta, ...)"

# A file that is not SQLite at all (text, and a short binary file).
mkdir -p "$TMP/text"
printf 'name,accuracy\nr1,0.9\n' > "$TMP/text/runs.csv"
refuse_both "$TMP/text/runs.csv" "a CSV file" "not an SQLite database"
printf 'SQLite' > "$TMP/text/short.bin"
refuse_both "$TMP/text/short.bin" "a 6-byte file" "not an SQLite database"

# What is ours still works: a new file, an empty file, a study file.
: > "$TMP/empty.db"
expect_rc 0 "create in an empty file" -- "$BIN" study create --space "$TMP/space.json" --store "$TMP/empty.db"
expect_rc 0 "show it" -- "$BIN" study show --store "$TMP/empty.db"
sqlite3 "$TMP/blank.db" "PRAGMA user_version = 0; VACUUM;"
expect_rc 0 "create in an SQLite database without tables" -- \
  "$BIN" study create --space "$TMP/space.json" --store "$TMP/blank.db"
expect_rc 2 "create over an existing study" -- "$BIN" study create --space "$TMP/space.json" --store "$TMP/empty.db"
expect_grep "$TMP/err" "already holds a study" "existing study named"
expect_rc 2 "show a missing file" -- "$BIN" study show --store "$TMP/nope.db"
expect_true "show does not create a missing file" -- test ! -e "$TMP/nope.db"
: > "$TMP/empty2.db"
expect_rc 2 "show an empty file" -- "$BIN" study show --store "$TMP/empty2.db"
expect_grep "$TMP/err" "holds no study" "empty file: no study"
expect_true "the empty file stays empty" -- test ! -s "$TMP/empty2.db"

# observe --id: a bad id is explained, not reported as missing.
"$BIN" suggest --store "$TMP/empty.db" >/dev/null
for bad in -1 0 abc 7x ''; do
  expect_rc 1 "observe --id '$bad'" -- "$BIN" observe --store "$TMP/empty.db" --id "$bad" --values '{"f1": 1, "f2": 2}'
  expect_grep "$TMP/err" "--id: expected a trial id, a positive integer as 'costfront suggest' printed it, found '$bad'" \
    "observe --id '$bad' explained"
  expect_no_grep "$TMP/err" "is required" "observe --id '$bad' is not called missing"
done
expect_rc 1 "observe without --id" -- "$BIN" observe --store "$TMP/empty.db" --values '{"f1": 1, "f2": 2}'
expect_grep "$TMP/err" "--id ID is required" "missing --id"
expect_rc 0 "observe --id 1" -- "$BIN" observe --store "$TMP/empty.db" --id 1 --values '{"f1": 1, "f2": 2}'

finish
