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

finish
