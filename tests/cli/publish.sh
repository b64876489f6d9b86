# Command-line tests of publishing a report directory (issue 10): what --out DIR may replace (the marker file),
# concurrent reports into one --out (they take turns on DIR.lock; every result is a complete, valid report), and
# staging directories left by a killed run (removed by the next run, only when they are ours).
BIN=$1
SRC=$2
source "$SRC/tests/cli/lib.sh"
EX="$SRC/examples"
cd "$TMP" || exit 1

# valid_report DIR TITLE_PATTERN [KEEP]: DIR holds exactly one complete report: the marker names the format and every file
# in DIR, each listed file exists and is not empty, the SVGs and index.html parse, index.html carries one of the
# titles, and nothing (staging directory, lock file, gnuplot script) is left beside DIR but the names given in
# KEEP (one per line).
valid_report() {
  local d=$1 base parent listed actual f
  base=$(basename "$d"); parent=$(dirname "$d")
  [ "$(head -1 "$d/.costfront-report" 2>/dev/null)" = "costfront-report 1" ] || { echo "  no marker in $d"; return 1; }
  listed=$(grep -v '^#' "$d/.costfront-report" | tail -n +2 | sort)
  actual=$(cd "$d" && ls -A | grep -vx '.costfront-report' | sort)
  [ "$listed" = "$actual" ] || { echo "  files differ from the marker: $(echo $actual) vs $(echo $listed)"; return 1; }
  for f in $listed; do [ -s "$d/$f" ] || { echo "  $d/$f is empty"; return 1; }; done
  for f in "$d"/*.svg; do [ -e "$f" ] || continue; xmllint --noout "$f" 2>/dev/null || { echo "  $f broken"; return 1; }; done
  xmllint --html --noout "$d/index.html" 2>/dev/null || { echo "  index.html does not parse"; return 1; }
  [ "$(grep -c "<title>$2</title>" "$d/index.html")" = 1 ] || { echo "  index.html has no title $2"; return 1; }
  local left
  left=$(cd "$parent" && ls -A | grep -E "^$base\\.(tmp|old)\\.[A-Za-z0-9]{6}\$|^$base\\.lock\$|^$base\\..*\\.gp\$" |
    grep -vxF -e "${3:-/}")
  [ -z "$left" ] || { echo "  left beside $d: $left"; return 1; }
}

# --- 1. What --out DIR may replace -------------------------------------------------------------------------------
expect_rc 0 "first report" -- "$BIN" report "$EX/runs.csv" --no-charts --out rep --title first
expect_true "the report is complete and marked" -- valid_report rep first
expect_grep rep/.costfront-report "report.json" "the marker lists the files"
expect_rc 0 "a report replaces a report" -- "$BIN" report "$EX/runs.csv" --no-charts --out rep --title second
expect_true "the second report" -- valid_report rep second

echo "my notes" >rep/notes.txt
expect_rc 3 "a report holding a user's file is refused" -- "$BIN" report "$EX/runs.csv" --no-charts --out rep
expect_grep "$TMP/err" "rep holds a costfront report and 1 entry that the report did not write (notes.txt)" \
  "the user's file is named"
expect_grep "$TMP/err" "move it out of rep (or choose another directory) and run again" "the message says what to do"
expect_true "the user's file is kept" -- test "$(cat rep/notes.txt)" = "my notes"
expect_grep rep/index.html "<title>second</title>" "the earlier report is kept"
rm rep/notes.txt

mkdir home
printf '<html><head><meta name="generator" content="costfront-ish homepage"></head></html>\n' >home/index.html
echo "body{}" >home/style.css
expect_rc 3 "a costfront-ish homepage is refused" -- "$BIN" report "$EX/runs.csv" --no-charts --out home
expect_grep "$TMP/err" "home exists and does not hold a costfront report (no .costfront-report marker file" \
  "the refusal says why"
expect_true "the homepage is untouched" -- test -f home/style.css -a ! -e home/.costfront-report
expect_grep "$SRC/README.md" "**What \`--out DIR\` may replace.**" "the README documents it"

# A file added to the old report while the new one is being built (gnuplot is slow here) is caught before the swap.
printf '#!/bin/sh\ntouch "%s/slow-started"\nsleep 1\nexec gnuplot "$@"\n' "$TMP" >slow1-gnuplot
chmod +x slow1-gnuplot
CF_GNUPLOT="$TMP/slow1-gnuplot" "$BIN" report "$EX/runs.csv" --out rep --title third >slow.out 2>slow.err &
slow=$!
for i in $(seq 100); do [ -e slow-started ] && break; sleep 0.05; done
echo "added meanwhile" >rep/late.txt
wait "$slow"
expect_true "a file added during the build stops the swap (exit 3)" -- test $? = 3
expect_grep slow.err "1 entry that the report did not write (late.txt)" "the late file is named"
expect_true "the late file is kept" -- test "$(cat rep/late.txt)" = "added meanwhile"
expect_grep rep/index.html "<title>second</title>" "the earlier report is kept"
rm rep/late.txt
expect_true "nothing left beside rep" -- valid_report rep second

# --- 2. Concurrent publishers into one --out ---------------------------------------------------------------------
# concurrent N CHARTS: N reports (titles run-1..run-N) into conc at once; every one must succeed and leave a
# complete report, 10 times over.
concurrent() {
  local n=$1 opts=$2 rep i pids rc bad=0
  for rep in 1 2 3 4 5 6 7 8 9 10; do
    pids=""
    for i in $(seq "$n"); do
      "$BIN" report "$EX/runs.csv" $opts --out conc --title "run-$i" >"conc-$i.out" 2>"conc-$i.err" &
      pids="$pids $!"
    done
    i=0
    for p in $pids; do
      i=$((i + 1)); wait "$p"; rc=$?
      if [ "$rc" -ne 0 ]; then echo "  repetition $rep: report $i exited $rc: $(head -3 "conc-$i.err")"; bad=1; fi
    done
    valid_report conc "run-[0-9]*" || { echo "  repetition $rep: the result is not a valid report"; bad=1; }
  done
  return $bad
}
rm -rf conc
expect_true "two concurrent reports with charts, 10 times: all succeed, the result is valid" -- concurrent 2 ""
expect_true "ten concurrent reports with charts, 10 times: all succeed, the result is valid" -- concurrent 10 ""
expect_true "ten concurrent reports without charts, 10 times" -- concurrent 10 --no-charts

# The nightly job publishes the same way (DIR/YYYY-MM-DD, DIR/latest): two at once for one day both succeed.
expect_rc 0 "import for the nightly" -- "$BIN" import "$EX/runs.csv" --store runs.db
"$BIN" report --store runs.db --out nightly --date 2026-11-10 --no-charts >n1.out 2>n1.err &
p1=$!
"$BIN" report --store runs.db --out nightly --date 2026-11-10 --no-charts >n2.out 2>n2.err &
p2=$!
wait $p1; r1=$?
wait $p2; r2=$?
expect_true "two nightly reports for one day both succeed" -- test "$r1" = 0 -a "$r2" = 0
expect_true "the dated report is complete" -- valid_report nightly/2026-11-10 "costfront report"
expect_true "latest points at it" -- test "$(readlink nightly/latest)" = 2026-11-10

# --- 3. Stale staging directories ---------------------------------------------------------------------------------
# A report killed (kill -9) while gnuplot draws leaves its staging directory and the lock file, whose journal names
# it; the next run removes the staging directory, and leaves what is not ours: a DIR.tmp.notours the user made, a
# staging-like name holding a user's file, a staging-like file, a report the user kept as DIR.old.backup.
rm -rf stale stale.*
expect_rc 0 "a report to replace" -- "$BIN" report "$EX/runs.csv" --no-charts --out stale --title before
printf '#!/bin/sh\ntouch "%s/gnuplot-started"\nsleep 30\nexec gnuplot "$@"\n' "$TMP" >slow-gnuplot
chmod +x slow-gnuplot
TMPDIR="$TMP" CF_GNUPLOT="$TMP/slow-gnuplot" setsid "$BIN" report "$EX/runs.csv" --out stale --title killed >killed.out 2>&1 &
killed=$!
for i in $(seq 100); do [ -e gnuplot-started ] && break; sleep 0.1; done
expect_true "the report reached gnuplot" -- test -e gnuplot-started
kill -9 -- "-$killed"
wait "$killed" 2>/dev/null
# The chart's gnuplot script that costfront kept beside DIR while gnuplot ran (before the plot work of issue 10)
# is not a staging directory; gnuplot's own staging directory goes under TMPDIR, here $TMP.
rm -f stale.*.gp
left=$(ls -d stale.tmp.?????? 2>/dev/null | head -1)
expect_true "the killed run left its staging directory" -- test -d "$left"
expect_true "... with the marker in it" -- test -f "$left/.costfront-report"
expect_grep stale.lock "$(basename "$left")" "the lock file's journal records it"
mkdir stale.tmp.notours stale.old.Zz9999
echo "mine" >stale.tmp.notours/keep.txt
echo "mine" >stale.old.Zz9999/keep.txt
echo "mine" >stale.tmp.abcdef
cp -r stale stale.old.backup  # a report kept by hand under a staging-like name: not in the journal, so kept
expect_rc 0 "the next run succeeds" -- "$BIN" report "$EX/runs.csv" --no-charts --out stale --title after
expect_true "the next run is complete" -- valid_report stale after \
  "$(printf 'stale.old.Zz9999\nstale.tmp.abcdef\nstale.old.backup')"
expect_true "the killed run's staging directory is gone" -- test ! -e "$left"
expect_true "a report kept as stale.old.backup is kept" -- valid_report stale.old.backup before \
  "$(printf 'stale.old.Zz9999\nstale.tmp.abcdef')"
expect_true "DIR.tmp.notours is kept" -- test "$(cat stale.tmp.notours/keep.txt)" = mine
expect_true "a staging-like directory holding a user's file is kept" -- test "$(cat stale.old.Zz9999/keep.txt)" = mine
expect_true "a staging-like file is kept" -- test "$(cat stale.tmp.abcdef)" = mine

finish
