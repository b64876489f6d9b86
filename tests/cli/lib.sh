# Shared helpers for the command-line tests: sourced by tests/cli/*.sh, not run on its own.
# Usage in a test: BIN=$1 SRC=$2; source "$SRC/tests/cli/lib.sh"
set -u
FAILS=0
PASSES=0
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT

# expect_rc CODE DESCRIPTION -- COMMAND...: runs COMMAND, saves stdout/stderr in $TMP/out, $TMP/err.
expect_rc() {
  local want=$1 desc=$2; shift 3
  "$@" >"$TMP/out" 2>"$TMP/err"
  local got=$?
  if [ "$got" -ne "$want" ]; then
    echo "FAIL: $desc: exit $got, expected $want"; sed 's/^/  stderr: /' "$TMP/err" | head -20
    FAILS=$((FAILS + 1)); return 1
  fi
  PASSES=$((PASSES + 1))
}

# expect_grep FILE PATTERN DESCRIPTION: FILE must contain the fixed string PATTERN.
expect_grep() {
  if ! grep -qF -- "$2" "$1"; then
    echo "FAIL: $3: '$2' not found in $(basename "$1")"; sed 's/^/  | /' "$1" | head -20
    FAILS=$((FAILS + 1)); return 1
  fi
  PASSES=$((PASSES + 1))
}

expect_no_grep() {
  if grep -qF -- "$2" "$1"; then
    echo "FAIL: $3: '$2' unexpectedly found"; FAILS=$((FAILS + 1)); return 1
  fi
  PASSES=$((PASSES + 1))
}

# expect_true DESCRIPTION -- COMMAND...: COMMAND must succeed.
expect_true() {
  local desc=$1; shift 2
  if ! "$@"; then echo "FAIL: $desc"; FAILS=$((FAILS + 1)); return 1; fi
  PASSES=$((PASSES + 1))
}

finish() {
  echo "$PASSES passed, $FAILS failed"
  [ "$FAILS" -eq 0 ]
}
