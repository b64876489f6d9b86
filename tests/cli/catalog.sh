# Command-line tests of 'costfront catalog' (issue 9 "Catalogs a user writes", issue 17).
BIN=$1
SRC=$2
source "$SRC/tests/cli/lib.sh"

# A user entry under a natural id that the default catalog has as an alias of h100 wins for that name, with a note.
cat > "$TMP/mine.json" <<'JSON'
{"hardware": [{"id": "h100-sxm", "name": "our H100 SXM", "board_power_w": 650, "source": "test fixture"}],
 "offers": [{"provider": "lab", "region": "us-east-1", "hardware": "h100-sxm", "on_demand": 2.0,
             "source": "test fixture"}]}
JSON
expect_rc 0 "a user entry may take a default alias as its id" -- "$BIN" catalog validate "$TMP/mine.json"
expect_grep "$TMP/out" "note: $TMP/mine.json: hardware[0].id: \"h100-sxm\" now names hardware \"h100-sxm\" from this file; it was an alias of hardware \"h100\"" "the note names the shadowed default"
expect_rc 0 "show resolves the name to the user's entry" -- "$BIN" catalog show h100-sxm --catalog "$TMP/mine.json"
expect_grep "$TMP/out" "our H100 SXM" "show prints the user's entry"
expect_grep "$TMP/err" "now names hardware \"h100-sxm\"" "commands loading --catalog print the note on stderr"

# Errors name the JSON path with its index.
cat > "$TMP/bad.json" <<'JSON'
{"hardware": [{"id": "mine", "aliases": ["ok", "a100-80gb"]}]}
JSON
expect_rc 2 "an alias cannot take over an id" -- "$BIN" catalog validate "$TMP/bad.json"
expect_grep "$TMP/err" "hardware[0].aliases[1]: the name \"a100-80gb\" is the id of hardware \"a100-80gb\"" "the path has the index"
cat > "$TMP/bad2.json" <<'JSON'
{"offers": [{"provider": "p", "region": "us-east-1", "hardware": "h100", "on_demand": 1},
            {"provider": "p", "region": "us-west-2", "hardware": "h100", "on_demand": "x"}]}
JSON
expect_rc 2 "a bad price is refused" -- "$BIN" catalog validate "$TMP/bad2.json"
expect_grep "$TMP/err" "offers[1].on_demand: expected a non-negative number, found \"x\"" "the offer path has the index"

# Issue 17: as_of is checked and shown; a price more than a year before --today is marked stale.
cat > "$TMP/dated.json" <<'JSON'
{"offers": [{"provider": "lab", "region": "us-east-1", "hardware": "t4", "on_demand": 0.30, "as_of": "2024-06-01",
             "source": "test fixture"},
            {"provider": "lab", "region": "us-west-2", "hardware": "t4", "on_demand": 0.31, "as_of": "2025-05-01",
             "source": "test fixture"}]}
JSON
expect_rc 0 "catalog list with dated prices" -- "$BIN" catalog list --catalog "$TMP/dated.json" --today 2025-06-15
expect_grep "$TMP/out" "2024-06-01 (stale)" "a price older than a year is marked stale"
expect_grep "$TMP/out" "2025-05-01 " "a recent price shows its as_of"
expect_no_grep "$TMP/out" "2025-05-01 (stale)" "a recent price is not stale"
expect_rc 1 "--today needs a real date" -- "$BIN" catalog list --today 2025-02-30
cat > "$TMP/baddate.json" <<'JSON'
{"offers": [{"provider": "lab", "region": "us-east-1", "hardware": "t4", "on_demand": 0.30, "as_of": "June 2024"}]}
JSON
expect_rc 2 "a malformed as_of is refused" -- "$BIN" catalog validate "$TMP/baddate.json"
expect_grep "$TMP/err" "offers[0].as_of: expected a date YYYY-MM-DD" "the date error names the path"

# catalog diff A B: deterministic lines, same output twice.
cat > "$TMP/new.json" <<'JSON'
{"offers": [{"provider": "lab", "region": "us-east-1", "hardware": "t4", "on_demand": 0.25, "as_of": "2025-06-01",
             "source": "test fixture, new contract"}]}
JSON
expect_rc 0 "catalog diff" -- "$BIN" catalog diff "$TMP/dated.json" "$TMP/new.json"
cp "$TMP/out" "$TMP/diff1"
expect_grep "$TMP/out" "offer lab us-east-1 t4: on_demand 0.3 -> 0.25" "the price change is listed"
expect_grep "$TMP/out" "offer lab us-east-1 t4: as_of \"2024-06-01\" -> \"2025-06-01\"" "the date change is listed"
expect_grep "$TMP/out" "offer removed: lab us-west-2 t4" "a removed offer is listed"
expect_grep "$TMP/out" "4 changes from" "the count is printed"
"$BIN" catalog diff "$TMP/dated.json" "$TMP/new.json" > "$TMP/diff2" 2>/dev/null
expect_true "diff output is deterministic" -- cmp -s "$TMP/diff1" "$TMP/diff2"

# Instance types and ambiguous names.
cat > "$TMP/inst.json" <<'JSON'
{"instances": [{"id": "lab.8x", "provider": "lab", "hardware": "h100", "accelerators": 8, "source": "test fixture"}],
 "offers": [{"provider": "lab", "region": "us-east-1", "instance": "lab.8x", "on_demand": 20, "source": "test"}]}
JSON
expect_rc 0 "an instance type resolves" -- "$BIN" catalog resolve lab.8x --catalog "$TMP/inst.json"
expect_grep "$TMP/out" "lab.8x -> h100 x 8 (matched by instance type: lab.8x)" "hardware and count"
expect_rc 0 "instance prices are per accelerator" -- "$BIN" catalog offers --catalog "$TMP/inst.json"
expect_grep "$TMP/out" "2.500" "20 per instance-hour / 8 = 2.5 per accelerator-hour"
expect_grep "$TMP/out" "each divided by its 8 accelerators" "the source says so"
expect_rc 2 "an ambiguous name is refused" -- "$BIN" catalog resolve "A100"
expect_grep "$TMP/err" "ambiguous hardware \"A100\": it could be a100-40gb, a100-80gb" "the candidates are listed"

cat > "$TMP/dated-only.json" <<'JSON'
{"hardware": [{"id": "t4", "aliases": ["Tesla T4"], "board_power_w": 70, "source": "test fixture"}],
 "regions": [{"id": "site", "grid_gco2e_per_kwh": 100, "pue": 1.2, "source": "test fixture"}],
 "offers": [{"provider": "lab", "region": "site", "hardware": "t4", "on_demand": 0.5, "as_of": "2024-06-01",
             "source": "test fixture"}]}
JSON
printf 'run_id,accuracy,gpu_hours,hardware\nr1,0.9,10,Tesla T4\nr2,0.8,5,t4\n' > "$TMP/t4runs.csv"
# A price used that is more than a year older than the reference date gets one note (issue 17).
expect_rc 0 "frontier with dated prices" -- "$BIN" frontier "$TMP/t4runs.csv" --catalog-only --catalog "$TMP/dated-only.json" --today 2025-06-15 --procurement on_demand
expect_grep "$TMP/err" "note: 1 of the 1 catalog prices used are more than a year older than 2025-06-15 (oldest: lab site t4, as_of 2024-06-01)" "stale price used"
expect_rc 0 "frontier with fresh prices" -- "$BIN" frontier "$TMP/t4runs.csv" --catalog-only --catalog "$TMP/dated-only.json" --today 2025-05-31 --procurement on_demand
expect_no_grep "$TMP/err" "more than a year older" "365 days is not stale"

# A runs file naming hardware ambiguously gets the candidates, with the line and column.
printf 'run_id,accuracy,gpu_hours,hardware\nr1,0.9,10,A100\n' > "$TMP/amb.csv"
expect_rc 2 "an ambiguous hardware name in a runs file is refused" -- "$BIN" frontier "$TMP/amb.csv"
expect_grep "$TMP/err" 'amb.csv:2:4: hardware: ambiguous hardware "A100": it could be a100-40gb, a100-80gb' \
  "the candidates are listed"

finish
