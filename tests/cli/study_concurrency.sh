# Command-line test: sweep workers asking one study at the same moment are never handed the same configuration,
# and every trial in the file was handed to exactly one worker (issue 10, "Sweep workers must never collide").
# Workers are separate processes started together behind a barrier, in the initial design and in the model phase,
# all with the same seed (the hardest case: the same snapshot and the same seed decide the same point).
BIN=$1
SRC=$2
source "$SRC/tests/cli/lib.sh"
W=${CF_TEST_WORKERS:-8}

cat > "$TMP/space.json" <<'JSON'
{"params": [{"name": "x0", "type": "float", "low": 0, "high": 1}, {"name": "x1", "type": "float", "low": 0, "high": 1}],
 "objectives": [{"name": "f1", "ref": 3}, {"name": "f2", "ref": 3}]}
JSON

# workers TAG ASKS [suggest options...]: W processes wait for the barrier, then each asks ASKS times; worker k's
# outputs go to $TMP/TAG.k (one JSON line per ask).
workers() {
  local tag=$1 asks=$2 k
  shift 2
  rm -f "$TMP/go"
  for k in $(seq 1 "$W"); do
    (
      while [ ! -e "$TMP/go" ]; do sleep 0.005; done
      for a in $(seq 1 "$asks"); do "$BIN" suggest --store "$TMP/s.db" "$@" || echo "FAILED $?"; done
    ) > "$TMP/$tag.$k" 2> "$TMP/$tag.$k.err" &
  done
  sleep 0.2
  touch "$TMP/go"
  wait
}

# check TAG EXPECTED_TRIALS: no worker failed; the ids and the parameter sets handed out are all different; the
# file holds EXPECTED_TRIALS trials and each pending one was handed out once, with the parameters stored.
check() {
  local tag=$1 want=$2
  expect_true "$tag: no worker failed" -- test -z "$(cat "$TMP/$tag".? "$TMP/$tag".?? 2>/dev/null | grep FAILED)"
  cat "$TMP/$tag".? "$TMP/$tag".?? 2>/dev/null | grep -o '{"id":[0-9]*,"params":{[^}]*}}' > "$TMP/$tag.handed"
  sed 's/.*"params":\({[^}]*}\).*/\1/' "$TMP/$tag.handed" | sort > "$TMP/$tag.params"
  sed 's/{"id":\([0-9]*\),.*/\1/' "$TMP/$tag.handed" | sort -n > "$TMP/$tag.ids"
  expect_true "$tag: every ask answered" -- test "$(wc -l < "$TMP/$tag.handed")" -eq "$3"
  expect_true "$tag: no id handed out twice" -- test -z "$(uniq -d "$TMP/$tag.ids")"
  if ! expect_true "$tag: no configuration handed out twice" -- test -z "$(uniq -d "$TMP/$tag.params")"; then
    uniq -cd "$TMP/$tag.params" | head -5 | sed 's/^/  duplicate: /'
  fi
  "$BIN" study show --store "$TMP/s.db" --format json > "$TMP/$tag.show"
  # Every handed-out trial is in the file, pending, with the same parameters (jq-free: compare sorted id/params).
  /usr/bin/python3 - "$TMP/$tag.show" "$TMP/$tag.handed" > "$TMP/$tag.acct" <<'PY'
import json, sys
show = json.load(open(sys.argv[1]))
handed = [json.loads(l) for l in open(sys.argv[2])]
stored = {t["id"]: t for t in show["trials"]}
bad = [h["id"] for h in handed if h["id"] not in stored or stored[h["id"]]["state"] != "pending"
       or stored[h["id"]]["params"] != h["params"]]
pending = sorted(t["id"] for t in show["trials"] if t["state"] == "pending")
print("trials", len(show["trials"]))
print("mismatched", bad)
print("unaccounted", sorted(set(pending) - {h["id"] for h in handed}))
PY
  expect_grep "$TMP/$tag.acct" "trials $want" "$tag: $want trials in the file"
  expect_grep "$TMP/$tag.acct" "mismatched []" "$tag: each handed-out trial is stored as pending with its parameters"
  expect_grep "$TMP/$tag.acct" "unaccounted []" "$tag: every pending trial was handed to a worker"
}

# Initial design: W workers, one ask each, on a fresh study.
expect_rc 0 "study create" -- "$BIN" study create --space "$TMP/space.json" --store "$TMP/s.db"
workers design 1 --seed 3
check design "$W" "$W"

# Model phase: tell the design points (f1 = x0 + x1 / 4, f2 = 1 - x0 + x1 ^ 2), then W workers ask twice each.
for id in $(seq 1 "$W"); do
  read -r x0 x1 < <(grep -ho "{\"id\":$id,\"params\":{[^}]*}" "$TMP"/design.* | head -n 1 |
    sed 's/.*"x0":\([^,]*\),"x1":\([^}]*\).*/\1 \2/')
  f1=$(awk -v a="$x0" -v b="$x1" 'BEGIN { printf "%.6f", a + b / 4 }')
  f2=$(awk -v a="$x0" -v b="$x1" 'BEGIN { printf "%.6f", 1 - a + b * b }')
  "$BIN" observe --store "$TMP/s.db" --id "$id" --values "{\"f1\": $f1, \"f2\": $f2}" > /dev/null
done
workers model 2 --seed 5 --effort 64,2,40,1
check model $((3 * W)) $((2 * W))

finish
