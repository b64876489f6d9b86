# Command-line tests of input hardening (issue 10): where fit names a bad run, --map collisions, text that is
# not UTF-8 in MLflow stores, links out of an MLflow store.
BIN=$1
SRC=$2
source "$SRC/tests/cli/lib.sh"
export OPENBLAS_NUM_THREADS=${OPENBLAS_NUM_THREADS:-1}

# fit: a column spanning -1e308 .. 1e308 cannot be scaled; the error names the file, line and column of the run
# (it said "gp: X: row 0 column 2 is not finite").
printf 'run_id,accuracy,gpu_hours,hardware,x\nr1,0.5,1,a100-80gb,1e308\nr2,0.6,2,a100-80gb,-1e308\nr3,0.7,3,a100-80gb,0\nr4,0.8,4,a100-80gb,5\n' >"$TMP/big.csv"
expect_rc 2 "fit on a column too wide to scale" -- "$BIN" fit "$TMP/big.csv"
expect_grep "$TMP/err" "big.csv:2: x: run 'r1': the value '1e308' of column 'x' gives a non-finite model input" \
  "fit names file, line, column and run"
expect_no_grep "$TMP/err" "row 0 column" "no GP-internal row/column numbers"

# --map onto a column the file already has: refused with line and column (the first column silently won).
printf 'run_id,accuracy,gpu_hours,hardware,acc\nr1,0.5,1,a100-80gb,0.9\n' >"$TMP/acc.csv"
expect_rc 2 "--map acc=accuracy beside accuracy" -- "$BIN" frontier "$TMP/acc.csv" --map acc=accuracy
expect_grep "$TMP/err" "acc.csv:2:5: acc: expected one column for 'accuracy', found two: 'accuracy' (field 2) and 'acc' (mapped) (field 5)" \
  "collision named with line and column"

finish
