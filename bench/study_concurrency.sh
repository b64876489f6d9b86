#!/usr/bin/env bash
# Ask latency of one study shared by 1, 4 and 8 concurrent sweep workers at about 400 observations (issue 10).
#
# usage: bench/study_concurrency.sh BIN [ROUNDS] [BEFORE_BIN]
#   BIN         the costfront command to measure (e.g. build/costfront)
#   ROUNDS      asks per worker (default 5)
#   BEFORE_BIN  optional second command measured the same way in the same run (e.g. a build of an older commit)
#
# The study: 4 float parameters, 2 objectives (ZDT1: f1 = x0, f2 = g (1 - sqrt(f1 / g)), g = 1 + 9 mean(x1..x3)),
# 400 complete trials at seeded uniform random points (imported from a generated CSV). Each worker is a process
# that waits at a barrier, then ROUNDS times: suggest (timed: the wall time of the whole command, process start
# and SQLite included) and observe the ZDT1 values of the suggestion, so the study grows from 400 to
# 400 + W x ROUNDS observations while the workers run. Every worker uses its own seed. Printed: median, p90 and
# max ask latency per worker count, the ratio of each to the single worker's, the number of configurations
# handed out while an identical trial was pending (a collision; must be 0), identical to a trial told while the
# ask ran (ambiguous: a collision when the ask decided before the tell, as the unlocked ask did), identical to a
# trial told before the ask began (not a collision: the optimiser may propose an observed point again), and the
# machine's facts. Keep it short: the machine is shared.
set -u
BIN=$1
ROUNDS=${2:-5}
BEFORE=${3:-}
export OPENBLAS_NUM_THREADS=${OPENBLAS_NUM_THREADS:-1}
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT

cat > "$TMP/space.json" <<'JSON'
{"params": [{"name": "x0", "type": "float", "low": 0, "high": 1}, {"name": "x1", "type": "float", "low": 0, "high": 1},
            {"name": "x2", "type": "float", "low": 0, "high": 1}, {"name": "x3", "type": "float", "low": 0, "high": 1}],
 "objectives": [{"name": "f1", "ref": 1.1}, {"name": "f2", "ref": 11}]}
JSON
awk 'BEGIN { srand(7); print "run_id,x0,x1,x2,x3,f1,f2,gpu_hours";
  for (i = 1; i <= 400; i++) { a = rand(); b = rand(); c = rand(); d = rand(); g = 1 + 9 * (b + c + d) / 3;
    printf "r%d,%.6f,%.6f,%.6f,%.6f,%.6f,%.6f,1\n", i, a, b, c, d, a, g * (1 - sqrt(a / g)) } }' > "$TMP/runs.csv"

echo "# machine: $(nproc) logical cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'),"\
  "load average $(cut -d' ' -f1-3 /proc/loadavg), OPENBLAS_NUM_THREADS=$OPENBLAS_NUM_THREADS,"\
  "$(uname -sr), $(date -u +%Y-%m-%dT%H:%MZ)"
echo "# $ROUNDS asks per worker, study of 400 observations growing by workers x rounds"

# run_workers BIN W: prints one latency (seconds) per ask on stdout; writes into $TMP/dups the number of
# configurations handed out while an identical one was pending (a collision: must be 0) and of those identical to
# one told while the ask ran, and into $TMP/repeats the number identical to a trial told before the ask began
# (the optimiser may propose an observed point again).
run_workers() {
  local bin=$1 w=$2 k
  rm -f "$TMP/s.db" "$TMP/s.db-wal" "$TMP/s.db-shm" "$TMP/go" "$TMP"/lat.* "$TMP"/log.*
  "$bin" study create --space "$TMP/space.json" --store "$TMP/s.db" 2>/dev/null
  "$bin" study import --store "$TMP/s.db" "$TMP/runs.csv" 2>/dev/null
  # A sweep in progress: one ask and tell before the workers start, as in a running sweep.
  prime=$("$bin" suggest --store "$TMP/s.db" --seed 1 --format tsv | tail -n 1)
  "$bin" observe --store "$TMP/s.db" --id "${prime%%	*}" --values '{"f1": 0.5, "f2": 5}' > /dev/null
  for k in $(seq 1 "$w"); do
    (
      while [ ! -e "$TMP/go" ]; do sleep 0.005; done
      for r in $(seq 1 "$ROUNDS"); do
        t0=$EPOCHREALTIME
        out=$("$bin" suggest --store "$TMP/s.db" --seed $((k * 1000 + r)) --format tsv | tail -n 1)
        t1=$EPOCHREALTIME
        awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.4f\n", b - a }' >> "$TMP/lat.$k"
        read -r id x0 x1 x2 x3 <<< "$out"
        printf 'ASK\t%s\t%s\t%s\t%s %s %s %s\n' "$t0" "$t1" "$id" "$x0" "$x1" "$x2" "$x3" >> "$TMP/log.$k"
        vals=$(awk -v a="$x0" -v b="$x1" -v c="$x2" -v d="$x3" 'BEGIN { g = 1 + 9 * (b + c + d) / 3;
          printf "{\"f1\": %.6f, \"f2\": %.6f}", a, g * (1 - sqrt(a / g)) }')
        printf 'TELL\t%s\t%s\n' "$EPOCHREALTIME" "$id" >> "$TMP/log.$k"
        "$bin" observe --store "$TMP/s.db" --id "$id" --values "$vals" > /dev/null
      done
    ) &
  done
  sleep 0.2
  touch "$TMP/go"
  wait
  # A later ask b repeating an earlier trial a: a collision when a was still pending when b's suggest returned;
  # ambiguous when a was told while b's suggest ran (b may have decided before or after the tell); a repeat of
  # a told trial when a was told before b's suggest started.
  cat "$TMP"/log.* | awk -F'\t' -v dups="$TMP/dups" -v reps="$TMP/repeats" '
    $1 == "ASK" { n++; t0[n] = $2; t1[n] = $3; id[n] = $4; p[n] = $5 }
    $1 == "TELL" { told[$3] = $2 }
    END { c = 0; r = 0
      for (i = 1; i <= n; i++) for (j = 1; j <= n; j++)
        if (i != j && p[i] == p[j] && id[i] < id[j]) {
          if (told[id[i]] > t1[j]) c++; else if (told[id[i]] >= t0[j]) m++; else r++ }
      print c " | " m + 0 > dups; print r > reps }'
  cat "$TMP"/lat.*
}

# stats: median p90 max of the numbers on stdin.
stats() {
  sort -n | awk '{ v[NR] = $1 } END { m = (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2;
    p = v[int(0.9 * NR + 0.999999)]; printf "%.3f %.3f %.3f", m, p, v[NR] }'
}

measure() { # LABEL BIN
  local label=$1 bin=$2 base="" w
  echo
  echo "## $label ($bin)"
  echo "| workers | asks | median s | p90 s | max s | median / 1 worker | p90 / 1 worker | handed out twice while pending | same as a trial told during the ask | same as a trial told before the ask |"
  echo "|---|---|---|---|---|---|---|---|---|---|"
  for w in 1 4 8; do
    read -r med p90 mx < <(run_workers "$bin" "$w" | stats)
    [ -z "$base" ] && { base_m=$med; base_p=$p90; base=1; }
    awk -v w="$w" -v n=$((w * ROUNDS)) -v m="$med" -v p="$p90" -v x="$mx" -v bm="$base_m" -v bp="$base_p" \
      -v d="$(cat "$TMP/dups")" -v r="$(cat "$TMP/repeats")" 'BEGIN {
        printf "| %d | %d | %.3f | %.3f | %.3f | %.2f | %.2f | %s | %d |\n", w, n, m, p, x, m / bm, p / bp, d, r }'
  done
}

measure "costfront" "$BIN"
[ -n "$BEFORE" ] && measure "before" "$BEFORE"
exit 0
