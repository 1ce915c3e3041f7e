#!/bin/sh
# Issue 15, points 16 and 17: the README's example of keys, OBEs and RSEs as processes pastes as it
# is. Both of its shell blocks are taken from README.md itself and run line by line by sh -e
# in an empty directory, where build/ leads to the programs under test; only the UDP port
# is changed, to one no other test uses. The blocks must run to the end, every program exit
# 0, and the files they name appear.
# Usage: readme_example.sh BIN_DIR SOURCE_DIR
set -eu
BIN=$1
SRC=$2
WORK=$(mktemp -d /tmp/efc-readme-XXXXXX)
trap 'kill $(cat "$WORK/obe.pid" 2>/dev/null) 2>/dev/null || true; rm -rf "$WORK"' EXIT INT TERM
fail() { echo "FAIL: $*"; exit 1; }

# The sh blocks of the section, one file each: 1 the process example, 2 the lane with
# --realtime and --ber.
awk '/^## Keys, OBEs and RSEs as processes/ { on = 1; next }
     on && /^## / { exit }
     on && /^```sh$/ { n++; out = sprintf("%s/block%d.sh", dir, n); next }
     on && /^```$/ { out = ""; next }
     out != "" { print > out }' dir="$WORK" "$SRC/README.md"
[ -s "$WORK/block1.sh" ] && [ -s "$WORK/block2.sh" ] || fail "README.md: the section's two sh blocks not found"
grep -q '^build/bin/efc-rse ' "$WORK/block1.sh" || fail "README.md: no efc-rse line in the example"

PORT=$(( 20000 + $$ % 20000 ))
mkdir "$WORK/run"
ln -s "$(cd "$BIN/.." && pwd)" "$WORK/run/build"
cd "$WORK/run"
sed -i "s/127\.0\.0\.1:7000/127.0.0.1:$PORT/g" ../block1.sh ../block2.sh

# Block 1 as pasted into a shell. $! at its end is efc-obe: the script ends by stopping it.
timeout 300 sh -eu ../block1.sh >../block1.out 2>../block1.err ||
  fail "the README's example stopped with status $?: $(tail -3 ../block1.err)"
for f in keys.eks obe1.eop operator.eok claims.jsonl claims.jsonl.db rse.pcap; do
  [ -s "$f" ] || fail "the README's example did not write $f"
done
grep -q '^efc-rse: profile en15509-l1, 100 passages, ' ../block1.out || fail "efc-rse: $(cat ../block1.out)"
# Block 2 in the same shell session: block 1's exports hold, and an efc-obe started as in
# block 1 answers.
eval "$(grep '^export ' ../block1.sh)"
# Block 1's efc-obe may still be saving its state on that port: start again until this one
# says it listens.
for try in 1 2 3 4 5 6 7 8 9 10; do
  build/bin/efc-obe --listen "127.0.0.1:$PORT" --profile obe1.eop --state state/ 2>../obe2.err &
  echo $! >../obe.pid
  for k in $(seq 1 100); do
    grep -q ' listening on ' ../obe2.err && break 2
    kill -0 "$(cat ../obe.pid)" 2>/dev/null || break
    sleep 0.1
  done
  sleep 1
done
grep -q ' listening on ' ../obe2.err || fail "efc-obe for block 2 did not start: $(cat ../obe2.err)"
timeout 300 sh -eu ../block2.sh >../block2.out 2>../block2.err ||
  fail "the README's --realtime --ber example stopped with status $?: $(tail -3 ../block2.err)"
grep -q '^efc-rse: profile en15509-l1, 100 passages, ' ../block2.out || fail "efc-rse --realtime: $(cat ../block2.out)"
kill "$(cat ../obe.pid)" 2>/dev/null || true
wait 2>/dev/null || true

# Point 17: nothing the example wrote (keys, profiles, claims and their database, state,
# captures, sidecars, temporaries) would be committed by a "git add ." beside it.
if command -v git >/dev/null 2>&1; then
  cp "$SRC/.gitignore" .gitignore
  git init -q . 2>/dev/null
  left=$(git status --porcelain --untracked-files=all | grep -v '^?? \.gitignore$' | grep -v '^?? build$' || true)
  [ -z "$left" ] || fail "files of the README's example that git would add: $left"
fi
echo "README example: both blocks ran to the end, git ignores what they wrote: $(head -1 ../block2.out)"
