# Sourced by the efc-scenario CLI tests: fail counts a failed check; expect STATUS
# STDERR_PATTERN command... runs the command and checks its exit status and, given a
# pattern, that stderr is one line holding it.
fails=0
fail() { echo "FAIL: $*"; fails=$((fails + 1)); }

expect() {
  want=$1 pat=$2
  shift 2
  err=$("$@" 2>&1 >/dev/null)
  got=$?
  [ "$got" = "$want" ] || fail "$*: exit $got, want $want"
  if [ -n "$pat" ]; then
    echo "$err" | grep -q -- "$pat" || fail "$*: stderr '$err' lacks '$pat'"
    [ "$(printf '%s\n' "$err" | wc -l)" -le 1 ] || fail "$*: error is not one line: $err"
  fi
}
