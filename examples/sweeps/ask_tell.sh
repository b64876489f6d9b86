#!/usr/bin/env bash
# A shell ask/tell loop against a costfront study: `costfront suggest --format tsv` proposes a configuration,
# a toy "training" (the formula of toy.py, in awk) measures accuracy and GPU-hours, `costfront observe` tells it.
# The study is cost-aware, so the costs are computed from gpu_hours and the price catalog.
# Usage (from the repository root after ./setup.sh): bash examples/sweeps/ask_tell.sh [COSTFRONT] [BUDGET] [DIR]
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
for ((k = 0; k < BUDGET; k++)); do
  # One trial per round: skip the TSV header, read id and the parameters in the space's order.
  "$BIN" suggest --store "$DB" --seed "$k" --format tsv --effort 128,2,60,1 | tail -n +2 |
    while IFS=$'\t' read -r id hw prec lr; do
      read -r acc gh < <(awk -v hw="$hw" -v prec="$prec" -v lr="$lr" 'BEGIN {
        l = log(lr) / log(10) + 2.5; speed = (hw == "a100-80gb") ? 1.0 : (hw == "l4") ? 0.35 : 0.18
        acc = 0.93 - 0.03 * l * l - (prec == "bf16" ? 0.004 : 0) - (hw == "t4" ? 0.01 : 0)
        printf "%.6f %.6f\n", acc, 6.0 / speed * (prec == "fp32" ? 1.6 : 1.0) }')
      "$BIN" observe --store "$DB" --id "$id" --values "{\"accuracy\": $acc, \"gpu_hours\": $gh}" >/dev/null
      echo "trial $id: $hw $prec lr=$lr -> accuracy $acc, gpu_hours $gh"
    done
done
"$BIN" study show --store "$DB"
