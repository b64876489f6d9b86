#!/usr/bin/env bash
# The whole cost of a run (issue 16): time of `costfront frontier` on N runs that give data_gb, data_location,
# checkpoint_gb, storage_days and model_gb (every offer is priced in whole to choose the cheapest in total) against
# the same runs without those fields (the cheapest offer per hour, as before) as the reference, in the same script.
# Usage: bench/egress.sh [BUILD_DIR]
set -euo pipefail
bin=${1:-build}/costfront
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
echo "machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //')"
for n in 10000 100000; do
  /usr/bin/python3 -c "
import random
random.seed(16)
hw = ['a100-40gb', 'a100-80gb', 'h100', 'l4', 't4']
loc = ['aws/us-east-1', 'gcp/us-central1', 'azure/eastus', 'lambda/us-west-1']
with open('$tmp/plain.csv', 'w') as p, open('$tmp/whole.csv', 'w') as w:
    p.write('run_id,accuracy,gpu_hours,wall_hours,hardware\n')
    w.write('run_id,accuracy,gpu_hours,wall_hours,hardware,data_gb,data_location,checkpoint_gb,storage_days,model_gb\n')
    for i in range($n):
        a, g, h = random.uniform(0.5, 0.95), random.uniform(1, 500), random.choice(hw)
        p.write('r%d,%.4f,%.3f,%.3f,%s\n' % (i, a, g, g / 8, h))
        w.write('r%d,%.4f,%.3f,%.3f,%s,%.0f,%s,%.0f,30,%.0f\n' % (i, a, g, g / 8, h, random.uniform(10, 5000),
                random.choice(loc), random.uniform(1, 50), random.uniform(1, 20)))
"
  tp=""; tw=""
  for rep in 1 2 3; do
    /usr/bin/time -o "$tmp/t" -f "%e %M" "$bin" frontier "$tmp/plain.csv" --quiet >/dev/null 2>&1
    tp="$tp $(cut -d' ' -f1 "$tmp/t")"; mp=$(cut -d' ' -f2 "$tmp/t")
    /usr/bin/time -o "$tmp/t" -f "%e %M" "$bin" frontier "$tmp/whole.csv" --quiet >/dev/null 2>&1
    tw="$tw $(cut -d' ' -f1 "$tmp/t")"; mw=$(cut -d' ' -f2 "$tmp/t")
  done
  med() { printf '%s\n' $1 | sort -g | sed -n 2p; }
  a=$(med "$tp"); b=$(med "$tw")
  echo "runs $n: compute only median $a s (peak $mp KB), whole cost median $b s (peak $mw KB), ratio $(/usr/bin/python3 -c "print('%.2f' % ($b / $a if $a > 0 else float('nan')))")"
done
