#!/usr/bin/env bash
# A shell ask/tell loop that reports learning curves and prunes: each suggested trial "trains" for 100 steps (the
# toy formula of toy.py with a saturating curve, in awk), reports its accuracy and the GPU-hours spent so far every
# 10 steps with `costfront observe --step`, and asks `costfront should-prune --tell` after each report: exit 7
# means prune (the trial is recorded as pruned and stopped), 0 means continue. A trial that finishes is told its
# final accuracy and GPU-hours as in ask_tell.sh. The study is cost-aware (costs from gpu_hours and the catalog).
# Usage (from the repository root after ./setup.sh): bash examples/sweeps/prune_loop.sh [COSTFRONT] [BUDGET] [DIR]
set -euo pipefail
BIN=${1:-./build/costfront}
BUDGET=${2:-12}
DIR=${3:-$(mktemp -d)}
mkdir -p "$DIR"
DB="$DIR/study.db"
rm -f "$DB" "$DB-wal" "$DB-shm"
cat > "$DIR/space.json" <<'JSON'
{"params": [{"name": "hardware", "type": "categorical", "choices": ["a100-80gb", "l4", "t4"]},
            {"name": "precision", "type": "categorical", "choices": ["fp32", "bf16"]},
            {"name": "lr", "type": "float", "low": 1e-4, "high": 1e-1, "log": true}],
 "objectives": [{"name": "accuracy", "direction": "maximize"}, {"name": "total_cost_usd", "direction": "minimize"}]}
JSON
"$BIN" study create --space "$DIR/space.json" --store "$DB"
spent=0 full=0 pruned=0
for ((k = 0; k < BUDGET; k++)); do
  IFS=$'\t' read -r id hw prec lr < <("$BIN" suggest --store "$DB" --seed "$k" --format tsv --effort 128,2,60,1 | tail -n +2)
  # The toy training's final accuracy and GPU-hours, and its curve's time constant (slow for a bad lr).
  read -r acc gh tau < <(awk -v hw="$hw" -v prec="$prec" -v lr="$lr" 'BEGIN {
    l = log(lr) / log(10) + 2.5; speed = (hw == "a100-80gb") ? 1.0 : (hw == "l4") ? 0.35 : 0.18
    acc = 0.93 - 0.03 * l * l - (prec == "bf16" ? 0.004 : 0) - (hw == "t4" ? 0.01 : 0)
    printf "%.6f %.6f %.6f\n", acc, 6.0 / speed * (prec == "fp32" ? 1.6 : 1.0), 12 + 8 * (l < 0 ? -l : l) }')
  full=$(awk -v a="$full" -v b="$gh" 'BEGIN { print a + b }')
  outcome=complete
  for ((step = 10; step <= 100; step += 10)); do
    read -r a h < <(awk -v acc="$acc" -v gh="$gh" -v tau="$tau" -v t="$step" \
      'BEGIN { printf "%.6f %.6f\n", acc * (1 - exp(-t / tau)), gh * t / 100 }')
    "$BIN" observe --store "$DB" --id "$id" --step "$step" --values "$a" --gpu-hours "$h" >/dev/null
    if ((step < 100)); then
      rc=0
      "$BIN" should-prune --store "$DB" --id "$id" --tell > "$DIR/answer.json" || rc=$?
      if ((rc == 7)); then outcome="pruned at step $step"; break; fi
      ((rc == 0)) || { cat "$DIR/answer.json"; exit "$rc"; }
    fi
  done
  spent=$(awk -v a="$spent" -v b="$h" 'BEGIN { print a + b }')
  if [ "$outcome" = complete ]; then
    "$BIN" observe --store "$DB" --id "$id" --values "{\"accuracy\": $a, \"gpu_hours\": $h}" >/dev/null
  else
    pruned=$((pruned + 1))
  fi
  echo "trial $id: $hw $prec lr=$lr -> $outcome, accuracy $a, gpu_hours $h"
done
echo "pruned $pruned of $BUDGET trials; GPU-hours spent $spent of $full without pruning"
"$BIN" study show --store "$DB"
