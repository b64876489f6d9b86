#!/usr/bin/env bash
# Writes the seed corpora of the libFuzzer targets (tests/fuzz/fuzz_*.c) into OUTDIR/<target>/, from the
# repository's own examples and fixture generators, so that no binary corpus is kept in the repository.
#   usage: tests/fuzz/make_corpus.sh OUTDIR
set -euo pipefail
src=$(cd "$(dirname "$0")/../.." && pwd)
out=$1
rm -rf "$out"
mkdir -p "$out"/{csv,json,wandb,xml,mlflow,optuna,catalog,plan,space,mapping}
py=${PYTHON:-/usr/bin/python3}  # Debian's, which has python3-optuna
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# CSV: the bundled example, its deliberately bad sibling, and small edge cases.
cp "$src/examples/runs.csv" "$out/csv/runs.csv"
cp "$src/examples/runs_bad.csv" "$out/csv/runs_bad.csv"
printf 'run_id,accuracy,gpu_hours,hardware,precision\nr1,0.9,10,h100,bf16\n"r,2",85%%,1e3,a100-80gb,fp8\n' >"$out/csv/quoted.csv"
printf '\xef\xbb\xbfrun_id;accuracy;gpu_hours;hardware\r\nr1;0,9;10;h100\r\n' >"$out/csv/semicolon.csv"

# JSON: the first byte picks .json (even) or .jsonl (odd), see fuzz_json.c.
{ printf '1'; cat "$src/examples/runs.jsonl"; } >"$out/json/runs.jsonl"
printf '0[{"run_id":"r1","accuracy":0.9,"gpu_hours":10,"hardware":"h100","params":{"lr":0.001,"opt":{"name":"adam"}}}]' \
  >"$out/json/array.json"
printf '0{"runs":[{"run_id":"r2","accuracy":"91%%","gpu_hours":2.5,"hardware":"l4","precision":"int8"}]}' >"$out/json/object.json"

# W&B export, MLflow store, Optuna database: made by the fixture generators the tests use.
"$py" "$src/tests/fixtures/gen_wandb.py" "$tmp/wandb" >/dev/null
for f in "$tmp"/wandb/*.csv; do cp "$f" "$out/wandb/$(basename "$f")"; done
"$py" "$src/tests/fixtures/gen_optuna.py" "$out/optuna/optuna.db" >/dev/null
"$py" "$src/tests/fixtures/gen_mlflow.py" "$tmp/ml" >/dev/null
sep=$'\n--8<--\n'
n=0
for run in "$tmp"/ml/mlruns/*/*/meta.yaml; do
  rdir=$(dirname "$run"); edir=$(dirname "$rdir")
  [ -f "$edir/meta.yaml" ] || continue
  metric=$(ls "$rdir/metrics" 2>/dev/null | head -1 || true)
  param=$(ls "$rdir/params" 2>/dev/null | head -1 || true)
  tag=$(ls "$rdir/tags" 2>/dev/null | head -1 || true)
  {
    cat "$edir/meta.yaml"; printf '%s' "$sep"; cat "$run"; printf '%s' "$sep"
    [ -n "$metric" ] && [ -f "$rdir/metrics/$metric" ] && cat "$rdir/metrics/$metric"; printf '%s' "$sep"
    [ -n "$param" ] && [ -f "$rdir/params/$param" ] && cat "$rdir/params/$param"; printf '%s' "$sep"
    [ -n "$tag" ] && [ -f "$rdir/tags/$tag" ] && cat "$rdir/tags/$tag"
  } >"$out/mlflow/run$n" || true
  n=$((n + 1))
done

# XML in the documented schema (data/runs.xsd).
cat >"$out/xml/runs.xml" <<'XML'
<?xml version="1.0" encoding="UTF-8"?>
<runs>
  <run id="r1"><param name="lr">0.001</param><accuracy>0.9</accuracy><gpu_hours>10</gpu_hours><hardware>h100</hardware><precision>bf16</precision></run>
  <run id="r2"><param name="lr">0.01</param><accuracy>0.85</accuracy><gpu_hours>3</gpu_hours><hardware>l4</hardware></run>
</runs>
XML

# Catalogs, plans, spaces, mappings.
cp "$src/data/catalog.json" "$out/catalog/default.json"
printf '{"hardware":[{"id":"my-gpu","aliases":["My GPU"],"board_power_w":300}],"offers":[{"hardware":"my-gpu","provider":"lab","region":"us-east-1","procurement":"on_demand","price_usd_per_hour":1.5}]}' \
  >"$out/catalog/user.json"
for f in "$src"/examples/plans/*.json; do cp "$f" "$out/plan/$(basename "$f")"; done
cp "$src/examples/study/space.json" "$out/space/space.json"
printf '{"columns":{"val_acc":"accuracy","accel":"hardware","accel_hours":"gpu_hours","notes":"ignore"},"accuracy_unit":"percent","gpu_hours_unit":"hours","defaults":{"hardware":"a100-80gb","precision":"bf16"}}' \
  >"$out/mapping/map.json"
printf 'val_acc=accuracy,gpu=hardware,hours=gpu_hours' >"$out/mapping/pairs.txt"
echo "make_corpus: seeds in $out: $(find "$out" -type f | wc -l) files" >&2
