# Command-line tests: a study created with --catalog keeps that catalog (its content and SHA-256) and prices every
# trial, import and 'score --hvi' with it (issue 17, "Studies price with the user's catalog").
#
# Hand-worked answers. The default catalog prices t4 on demand at 0.526 USD/h (aws us-east-1 and us-west-2); the
# team catalog overrides aws us-east-1 to 0.30 USD/h, so the cheapest on-demand t4 hour costs 0.30:
#   10 GPU-hours on t4: cost_usd 3.00 with the team catalog, 5.26 with the default one (2.26 apart).
# Space: accuracy (max, ref 0.5) and cost_usd (min, ref 10). After one trial (t4, accuracy 0.9, 10 h) the front is
# {(0.9, 3.00)} (team) and its hypervolume 0.4 x 7 = 2.8. A run (t4, accuracy 0.95, 5 h) costs 1.50 with the team
# catalog and dominates it: hvi = 0.45 x 8.5 - 2.8 = 1.025. Priced with the default catalog it would cost 2.63
# (hvi 0.45 x 7.37 - 2.8 = 0.5165), so the score shows which catalog priced it.
BIN=$1
SRC=$2
source "$SRC/tests/cli/lib.sh"

cat > "$TMP/team.json" <<'JSON'
{"offers": [{"provider": "aws", "region": "us-east-1", "hardware": "t4", "on_demand": 0.30,
             "source": "test fixture: a team's negotiated t4 price", "as_of": "2026-11-01"}]}
JSON
cat > "$TMP/only.json" <<'JSON'
{"carbon_price_usd_per_t": 0, "carbon_price_source": "test fixture: no carbon price", "as_of": "2026-11-01",
 "hardware": [{"id": "t4", "name": "NVIDIA T4", "board_power_w": 70, "embodied_kgco2e": 150, "life_years": 5,
               "throughput": {"fp32": 0.026, "fp16": 0.2083}, "throughput_source": "test fixture",
               "source": "test fixture", "as_of": "2026-11-01"}],
 "regions": [{"id": "lab-1", "grid_gco2e_per_kwh": 100, "pue": 1.5, "electricity_usd_per_kwh": 0.1,
              "source": "test fixture", "as_of": "2026-11-01"}],
 "offers": [{"provider": "lab", "region": "lab-1", "hardware": "t4", "on_demand": 0.25,
             "source": "test fixture", "as_of": "2026-11-01"}]}
JSON
# Every catalog figure carries a source and an as_of date. A costfront that does not know as_of yet (before the
# catalog work of issue 17 is merged) refuses the field: then the fixtures drop it.
if ! "$BIN" catalog validate "$TMP/team.json" > /dev/null 2>&1; then
  /usr/bin/python3 - "$TMP/team.json" "$TMP/only.json" <<'PY'
import json, sys
def strip(o):
    if isinstance(o, dict):
        o.pop("as_of", None)
        for v in o.values(): strip(v)
    elif isinstance(o, list):
        for v in o: strip(v)
for f in sys.argv[1:]:
    d = json.load(open(f)); strip(d); json.dump(d, open(f, "w"), indent=1)
PY
fi
expect_rc 0 "the team catalog is valid" -- "$BIN" catalog validate "$TMP/team.json"
expect_rc 0 "the catalog-only fixture is valid" -- "$BIN" catalog validate "$TMP/only.json"

cat > "$TMP/space.json" <<'JSON'
{"params": [{"name": "hardware", "type": "categorical", "choices": ["t4", "a100-80gb"]},
            {"name": "lr", "type": "float", "low": 1e-4, "high": 1e-1, "log": true}],
 "objectives": [{"name": "accuracy", "direction": "maximize", "ref": 0.5}, {"name": "cost_usd", "ref": 10}]}
JSON

# first_t4 DB: suggests until a t4 trial comes and prints its id (the design alternates the hardware).
first_t4() {
  local k line
  for k in 1 2 3 4; do
    line=$("$BIN" suggest --store "$1" --format tsv | awk -F'\t' 'NR == 2 && $2 == "t4" { print $1 }')
    [ -n "$line" ] && { echo "$line"; return; }
  done
}

# The same study twice: with the team catalog and with the default one.
cp "$TMP/team.json" "$TMP/team-copy.json"
expect_rc 0 "study create --catalog" -- \
  "$BIN" study create --space "$TMP/space.json" --store "$TMP/team.db" --catalog "$TMP/team-copy.json"
expect_grep "$TMP/err" "prices with $TMP/team-copy.json (kept in the study, SHA-256" "create says which catalog"
rm "$TMP/team-copy.json" # the study keeps the content: the file is not needed any more
expect_rc 0 "study create (default catalog)" -- "$BIN" study create --space "$TMP/space.json" --store "$TMP/default.db"
id_team=$(first_t4 "$TMP/team.db")
id_def=$(first_t4 "$TMP/default.db")
expect_true "a t4 trial was suggested" -- test -n "$id_team" -a -n "$id_def"
expect_rc 0 "observe on the team study" -- \
  "$BIN" observe --store "$TMP/team.db" --id "$id_team" --values '{"accuracy": 0.9, "gpu_hours": 10}'
expect_grep "$TMP/out" '"cost_usd":3,' "10 t4 hours cost 3.00 with the team catalog"
expect_rc 0 "observe on the default study" -- \
  "$BIN" observe --store "$TMP/default.db" --id "$id_def" --values '{"accuracy": 0.9, "gpu_hours": 10}'
expect_grep "$TMP/out" '"cost_usd":5.26,' "10 t4 hours cost 5.26 with the default catalog"

# study show names the kept catalog and its SHA-256 (the file's, as sha256sum computes it).
sha=$(sha256sum "$TMP/team.json" | cut -d' ' -f1)
expect_rc 0 "study show" -- "$BIN" study show --store "$TMP/team.db"
expect_grep "$TMP/out" "catalog: $TMP/team-copy.json (kept in the study, SHA-256 $sha, merged over the default catalog)" \
  "show names the catalog and its hash"
expect_rc 0 "study show json" -- "$BIN" study show --store "$TMP/team.db" --format json
expect_grep "$TMP/out" "\"sha256\":	\"$sha\"" "show json gives the hash"
expect_rc 0 "study show of the default study" -- "$BIN" study show --store "$TMP/default.db"
expect_grep "$TMP/out" "catalog: the default catalog" "default study says so"

# score --hvi prices the run with the study's catalog: 1.025 (team), not 0.5165 (default prices).
expect_rc 0 "score --hvi on the team study" -- "$BIN" score --hvi --store "$TMP/team.db" --accuracy 0.95 \
  --gpu-hours 5 --hardware t4 --procurement on_demand
expect_grep "$TMP/out" '"cost_usd":	1.5' "the run is priced at the team's 0.30/h"
expect_true "hvi = 0.45 x 8.5 - 2.8 = 1.025" -- \
  awk '/"improvement":/ { gsub(/[^0-9.e+-]/, "", $2); if ($2 > 1.025 - 1e-9 && $2 < 1.025 + 1e-9) ok = 1 } END { exit !ok }' "$TMP/out"
# The same file content under another name is the same catalog; other content is refused, before any output.
cp "$TMP/team.json" "$TMP/same.json"
expect_rc 0 "score --hvi --catalog with the same content" -- "$BIN" score --hvi --store "$TMP/team.db" \
  --accuracy 0.95 --gpu-hours 5 --hardware t4 --procurement on_demand --catalog "$TMP/same.json"
sed 's/negotiated/renegotiated/' "$TMP/team.json" > "$TMP/changed.json"
for cmd in "score --hvi --accuracy 0.95 --gpu-hours 5 --hardware t4" "suggest" "study import $SRC/examples/runs.csv"; do
  # shellcheck disable=SC2086
  expect_rc 2 "$cmd with a changed catalog" -- "$BIN" $cmd --store "$TMP/team.db" --catalog "$TMP/changed.json"
  expect_grep "$TMP/err" "Not the catalog the study prices with" "$cmd: refusal explained"
  expect_grep "$TMP/err" "SHA-256 ${sha:0:12}..." "$cmd: the kept hash named"
  expect_true "$cmd: nothing printed" -- test ! -s "$TMP/out"
done
expect_rc 2 "observe with a changed catalog" -- "$BIN" observe --store "$TMP/team.db" --id 99 --state failed \
  --catalog "$TMP/changed.json"
expect_grep "$TMP/err" "Not the catalog the study prices with" "observe: refusal explained"
expect_rc 0 "suggest with the same catalog" -- "$BIN" suggest --store "$TMP/team.db" --catalog "$TMP/same.json"
expect_rc 2 "a catalog on a default-catalog study" -- "$BIN" suggest --store "$TMP/default.db" --catalog "$TMP/team.json"
expect_grep "$TMP/err" "prices with the default catalog" "default study refuses another catalog"

# study import prices the runs' costs with the study's catalog too (a cost-aware study computes them anyway).
printf 'run_id,hardware,lr,accuracy,gpu_hours\nr1,t4,0.01,0.8,20\n' > "$TMP/runs.csv"
expect_rc 0 "study import" -- "$BIN" study import --store "$TMP/team.db" "$TMP/runs.csv"
expect_rc 0 "show after import" -- "$BIN" study show --store "$TMP/team.db" --format json
expect_grep "$TMP/out" '"cost_usd":	6' "20 imported t4 hours cost 6.00 with the team catalog"

# --catalog-only: the catalog replaces the default, so hardware it does not list is refused (JSON path named),
# and a t4 hour costs its 0.25.
expect_rc 2 "catalog-only without a100" -- "$BIN" study create --space "$TMP/space.json" --store "$TMP/only.db" \
  --catalog "$TMP/only.json" --catalog-only
expect_grep "$TMP/err" "params[0].choices[1]" "unknown hardware named by its JSON path"
expect_true "no study file after the refusal" -- test ! -e "$TMP/only.db"
sed 's/, "a100-80gb"//' "$TMP/space.json" > "$TMP/space-t4.json"
expect_rc 0 "catalog-only study" -- "$BIN" study create --space "$TMP/space-t4.json" --store "$TMP/only.db" \
  --catalog "$TMP/only.json" --catalog-only
"$BIN" suggest --store "$TMP/only.db" > /dev/null
expect_rc 0 "observe on the catalog-only study" -- \
  "$BIN" observe --store "$TMP/only.db" --id 1 --values '{"accuracy": 0.9, "gpu_hours": 10}'
expect_grep "$TMP/out" '"cost_usd":2.5,' "10 t4 hours cost 2.50 with the catalog alone"
expect_rc 1 "--catalog-only without --catalog" -- "$BIN" study create --space "$TMP/space.json" --store "$TMP/x.db" \
  --catalog-only

# A catalog with an error: named with its file and JSON path, exit 2, no study file.
printf '{"offers": [{"provider": "aws", "region": "us-east-1", "hardware": "t4", "on_demand": "cheap", "source": "x"}]}' \
  > "$TMP/bad.json"
expect_rc 2 "a bad catalog" -- "$BIN" study create --space "$TMP/space.json" --store "$TMP/bad.db" --catalog "$TMP/bad.json"
expect_grep "$TMP/err" "bad.json" "bad catalog: file named"
expect_grep "$TMP/err" "offers[0].on_demand" "bad catalog: JSON path named"
expect_true "no study file after a bad catalog" -- test ! -e "$TMP/bad.db"

# A kept catalog altered outside costfront is detected by its hash.
sqlite3 "$TMP/team.db" "UPDATE study_meta SET value = replace(value, 'negotiated', 'altered') WHERE key = 'catalog'"
expect_rc 2 "an altered kept catalog" -- "$BIN" suggest --store "$TMP/team.db"
expect_grep "$TMP/err" "does not match its SHA-256" "alteration detected"

finish
