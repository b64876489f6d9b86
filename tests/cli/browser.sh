# The HTML report in a real browser: headless Chromium loads it with no console error, every chart is present and
# drawn with a non-zero size, and a screenshot is taken (kept as browser-report.png in the build directory).
BIN=$1
SRC=$2
source "$SRC/tests/cli/lib.sh"
expect_rc 0 "report for the browser" -- "$BIN" report "$SRC/examples/runs.csv" --out "$TMP/rep" --target-accuracy 0.85
expect_rc 0 "report loads in headless Chromium, charts drawn" -- \
  /usr/bin/python3 "$SRC/tests/browser/check_report.py" "$TMP/rep" "$PWD/browser-report.png" 3
cat "$TMP/out"
expect_true "screenshot taken" -- test -s "$PWD/browser-report.png"
# The check itself must fail on a broken chart: a truncated SVG.
cp -r "$TMP/rep" "$TMP/broken"
printf '<svg' > "$TMP/broken/accuracy_vs_cost.svg"
expect_rc 1 "a broken chart is caught" -- /usr/bin/python3 "$SRC/tests/browser/check_report.py" "$TMP/broken" "$TMP/b.png" 3
expect_grep "$TMP/out" "accuracy_vs_cost.svg is missing or has zero size" "broken chart named"
finish
