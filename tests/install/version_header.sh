#!/bin/sh
# cmake/efc_version.cmake, which writes the version header at every build: the commit of a
# git work tree, "+dirty" with a changed tracked file (not an untracked one), "unknown"
# outside git or in a directory inside another repository, and the header left untouched
# (same modification time) when nothing changed, so a build with no change rebuilds nothing.
# Usage: version_header.sh CMAKE SCRIPT
set -u
cmake=$1
script=$2
work=$(mktemp -d "${TMPDIR:-/tmp}/efc-version.XXXXXX") || exit 1
trap 'rm -rf "$work"' EXIT
fail=0
bad() { echo "FAIL: $*"; fail=1; }
gen() { "$cmake" -DSRC="$1" -DOUT="$work/v.h" -DVERSION=9.8.7 -P "$script" || bad "the script failed on $1"; }
commit() { sed -n 's/^#define EFC_COMMIT "\(.*\)"$/\1/p' "$work/v.h"; }

mkdir "$work/tree" && gen "$work/tree"
[ "$(commit)" = unknown ] || bad "outside git: '$(commit)', want unknown"
grep -qx '#define EFC_VERSION "9.8.7"' "$work/v.h" || bad "no EFC_VERSION 9.8.7"

if ! command -v git > /dev/null 2>&1; then
  echo "note: no git: only the case outside git checked"
  exit $fail
fi
g() { git -C "$work/tree" -c user.name=t -c user.email=t@localhost "$@" > /dev/null 2>&1; }
g init -q && echo a > "$work/tree/f" && g add f && g commit -q -m one || { echo "FAIL: git set-up"; exit 1; }
hash=$(git -C "$work/tree" rev-parse --short HEAD)
gen "$work/tree"
[ "$(commit)" = "$hash" ] || bad "clean tree: '$(commit)', want $hash"
touch -d '2000-01-01' "$work/v.h"
echo b > "$work/tree/untracked"
gen "$work/tree"
[ "$(commit)" = "$hash" ] || bad "an untracked file made it '$(commit)'"
[ "$(date -r "$work/v.h" +%Y)" = 2000 ] || bad "the header was rewritten although nothing changed"
echo c >> "$work/tree/f"
gen "$work/tree"
[ "$(commit)" = "$hash+dirty" ] || bad "changed tracked file: '$(commit)', want $hash+dirty"
g commit -q -am two
gen "$work/tree"
[ "$(commit)" = "$(git -C "$work/tree" rev-parse --short HEAD)" ] || bad "after a commit: '$(commit)' is stale"
# A source tree that is only a directory inside some other repository.
mkdir "$work/tree/sub" && gen "$work/tree/sub"
[ "$(commit)" = unknown ] || bad "a directory inside another repository: '$(commit)', want unknown"

[ $fail = 0 ] && echo "version header: commit, +dirty, unknown, and no rewrite without a change"
exit $fail
