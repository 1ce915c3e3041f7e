#!/bin/sh
# efc-scenario run --shard and merge from the outside (issue 18, docs/scaling.md): the
# merged output byte-identical to the unsharded run for a fixed scenario, an adaptive one
# (rounds through round plans and exit 3), a zone search and an importance-sampled one;
# shards in one directory or several; an incomplete or mixed set refused in one line
# naming the shard or file; a killed shard leaving nothing merge takes, repaired by running
# it again. Usage: efc_scenario_shard.sh BIN_DIR SOURCE_DIR
set -u
bin=$1/efc-scenario
src=$2
out=${TMPDIR:-/tmp}/efc-shard-test.$$
. "$(dirname "$0")/expect.sh"
trap 'rm -rf "$out"' EXIT
mkdir -p "$out"
small=$src/tests/scenarios/small.yaml

# Every output of the unsharded run in $1 is in $2, byte for byte. plots.gp, gnuplot's
# script, names its own folder and so differs; the plots it drew do not.
same_outputs() {
  n=0
  for f in "$1"/*; do
    b=$(basename "$f")
    [ "$b" = plots.gp ] && continue
    cmp -s "$f" "$2/$b" || fail "$3: $b differs from the unsharded run's"
    n=$((n + 1))
  done
  [ $n -ge 4 ] || fail "$3: only $n outputs compared"
}

# Runs N shards of FILE into W, merging after each round, until merge says done.
# Prints the rounds; fails on an exit other than 0 or 3.
rounds() {
  file=$1 n=$2 w=$3 m=$4 r=0
  while :; do
    i=0
    while [ $i -lt "$n" ]; do
      "$bin" run "$file" --shard "$i/$n" --out "$w" --threads 1 > /dev/null || fail "$file: shard $i/$n: exit $?"
      i=$((i + 1))
    done
    r=$((r + 1))
    "$bin" merge "$w" --out "$m" > "$m.txt" 2> "$m.err"
    st=$?
    [ $st = 3 ] && { grep -q "^round $((r + 1)) to run: " "$m.txt" || fail "$file: exit 3 without the round to run"; continue; }
    [ $st = 0 ] || fail "$file: merge: exit $st: $(cat "$m.err")"
    echo $r
    return
  done
}

# Bad usage: 2.
expect 2 "--shard: expected I/N" "$bin" run "$small" --shard 3
expect 2 "shard's I: expected 0..3, got '4'" "$bin" run "$small" --shard 4/4
expect 2 "shard's N: expected 1..100000, got '0'" "$bin" run "$small" --shard 0/0
expect 2 "shard's N: expected 1..100000" "$bin" run "$small" --shard 0/100001
expect 2 "shard's I" "$bin" run "$small" --shard -1/4
expect 2 "--pcap cannot go with --shard" "$bin" run "$small" --shard 0/2 --pcap "$out/x.pcap"
expect 2 "merge needs at least one directory" "$bin" merge
expect 2 "unknown option '--frob'" "$bin" merge "$out" --frob
# Bad input: 1.
expect 1 "bad-syntax.yaml" "$bin" run "$src/tests/scenarios/bad-syntax.yaml" --shard 0/2 --out "$out/bad"
expect 1 "$out/none: cannot read the directory" "$bin" merge "$out/none"
mkdir "$out/empty"
expect 1 "$out/empty: no shard's part" "$bin" merge "$out/empty"

# A fixed number of passages: one round. Shards in one directory, and in one each.
"$bin" run "$small" --out "$out/ref" --threads 2 > /dev/null || fail "unsharded run: exit $?"
[ "$(rounds "$small" 3 "$out/w" "$out/m")" = 1 ] || fail "small: not one round"
same_outputs "$out/ref" "$out/m" "3 shards"
for i in 0 1 2; do "$bin" run "$small" --shard $i/3 --out "$out/d$i" > /dev/null || fail "shard $i/3 alone: exit $?"; done
"$bin" merge "$out/d0" "$out/d1" "$out/d2" --out "$out/m2" > /dev/null || fail "merge of three directories: exit $?"
same_outputs "$out/ref" "$out/m2" "3 directories"
# More shards than blocks: the empty shards still count.
[ "$(rounds "$small" 7 "$out/w7" "$out/m7")" = 1 ] || fail "7 shards: not one round"
same_outputs "$out/ref" "$out/m7" "7 shards"
# A finished shard run again does nothing.
"$bin" run "$small" --shard 1/3 --out "$out/w" | grep -q "was there already" || fail "a finished shard ran again"

# --progress json: lines a scheduler can read, the last one the whole run.
expect 2 "--progress: expected bar, json or off, got 'Bar'" "$bin" merge "$out/w" --progress Bar
expect 2 "--progress: expected bar, json or off" "$bin" run "$small" --shard 0/3 --progress ""
"$bin" merge "$out/w" --out "$out/mp" --progress json 2> "$out/progress.txt" > /dev/null || fail "merge --progress json: exit $?"
tail -1 "$out/progress.txt" | grep -q '^{"event":"end","what":"merge","done":1200,"total":1200,"round":1,' ||
  fail "merge --progress json: last line $(tail -1 "$out/progress.txt")"
grep -v '^{"event":"progress","what":"merge","done":[0-9]*,"total":[0-9]*,"round":[0-9]*,"elapsed_s":[0-9.]*,"rate":[0-9.null]*,"eta_s":[0-9.null]*}$' "$out/progress.txt" |
  grep -v '^{"event":"end"' | grep -q . && fail "merge --progress json: a line not of the schema"
"$bin" run "$small" --out "$out/rp" --progress json 2> "$out/progress.txt" > /dev/null || fail "run --progress json: exit $?"
tail -1 "$out/progress.txt" | grep -q '^{"event":"end","what":"run","done":1200,"total":1200,' ||
  fail "run --progress json: last line $(tail -1 "$out/progress.txt")"
"$bin" run "$small" --out "$out/rp" --progress off 2> "$out/progress.txt" > /dev/null || fail "run --progress off: exit $?"
[ -s "$out/progress.txt" ] && fail "run --progress off wrote to stderr"

# A shard leaves the other shards' temporaries alone (another node may be writing them:
# its process ID means nothing here) and removes its own dead ones.
mkdir "$out/wt"
: > "$out/wt/shard-1-of-3.r1.efcpart.tmp.999999999.0"
"$bin" run "$small" --shard 0/3 --out "$out/wt" > /dev/null || fail "shard 0/3 beside a temporary: exit $?"
[ -e "$out/wt/shard-1-of-3.r1.efcpart.tmp.999999999.0" ] || fail "shard 0/3 removed shard 1/3's temporary"
"$bin" run "$small" --shard 1/3 --out "$out/wt" > /dev/null || fail "shard 1/3 beside its temporary: exit $?"
[ -e "$out/wt/shard-1-of-3.r1.efcpart.tmp.999999999.0" ] && fail "shard 1/3 left its own dead temporary"

# Incomplete and mixed sets.
mkdir "$out/x"
cp "$out/w/shard-0-of-3.r1.efcpart" "$out/w/shard-2-of-3.r1.efcpart" "$out/x/"
expect 1 "shard 1/3 of round 1 is missing" "$bin" merge "$out/x" --out "$out/mx"
sed 's/^seed: 5$/seed: 6/' "$small" > "$out/small.yaml"
cp "$small" "$out/small-same.yaml"
"$bin" run "$out/small.yaml" --shard 1/3 --out "$out/y" > /dev/null || fail "the other seed's shard: exit $?"
expect 1 "shard-1-of-3.r1.efcpart.*not of the same run.*another" "$bin" merge "$out/x" "$out/y" --out "$out/mx"
"$bin" run "$small" --shard 1/2 --out "$out/z" > /dev/null || fail "shard 1/2: exit $?"
expect 1 "another number of shards" "$bin" merge "$out/x" "$out/z" --out "$out/mx"
expect 1 "two parts of shard 0/3, round 1" "$bin" merge "$out/x" "$out/w" --out "$out/mx"
perl -0777 -pe 's/efcsim /efcsiM /' "$out/w/shard-1-of-3.r1.efcpart" > "$out/x/shard-1-of-3.r1.efcpart"
expect 1 "another version of efc-scenario" "$bin" merge "$out/x" --out "$out/mx"
# Cut short, or damaged: named, and nothing written.
size=$(wc -c < "$out/w/shard-1-of-3.r1.efcpart")
head -c $((size - 100)) "$out/w/shard-1-of-3.r1.efcpart" > "$out/x/shard-1-of-3.r1.efcpart"
expect 1 "x/shard-1-of-3.r1.efcpart: cut short" "$bin" merge "$out/x" --out "$out/mx"
perl -0777 -pe 'substr($_, 2000, 1) = chr(ord(substr($_, 2000, 1)) ^ 1)' "$out/w/shard-1-of-3.r1.efcpart" > "$out/x/shard-1-of-3.r1.efcpart"
expect 1 "x/shard-1-of-3.r1.efcpart: damaged" "$bin" merge "$out/x" --out "$out/mx"
perl -0777 -pe 'substr($_, -1, 1) = chr(ord(substr($_, -1, 1)) ^ 1)' "$out/w/shard-1-of-3.r1.efcpart" > "$out/x/shard-1-of-3.r1.efcpart"
expect 1 "x/shard-1-of-3.r1.efcpart: its SHA-256 does not match: damaged" "$bin" merge "$out/x" --out "$out/mx"
cat "$out/w/shard-1-of-3.r1.efcpart" "$out/w/shard-1-of-3.r1.efcpart" > "$out/x/shard-1-of-3.r1.efcpart"
expect 1 "x/shard-1-of-3.r1.efcpart: bytes after its end" "$bin" merge "$out/x" --out "$out/mx"
[ -e "$out/mx/summary.json" ] && fail "a refused merge wrote summary.json"
ls "$out/mx" 2>/dev/null | grep -q '\.tmp\.' && fail "a refused merge left a temporary"
# Another scenario's part in the same work directory is never overwritten.
expect 1 "already there, from another run" "$bin" run "$out/small.yaml" --shard 0/3 --out "$out/w"

# Adaptive sampling: rounds through round plans.
auto=$src/tests/scenarios/auto-grid.yaml
"$bin" run "$auto" --out "$out/ref-auto" --threads 2 > /dev/null || fail "auto-grid: exit $?"
r=$(rounds "$auto" 4 "$out/wa" "$out/ma")
[ "${r:-0}" -ge 2 ] || fail "auto-grid took ${r:-no} rounds sharded; adaptive sampling needs several"
same_outputs "$out/ref-auto" "$out/ma" "auto-grid, 4 shards"
ls "$out/wa"/round-2.efcplan > /dev/null 2>&1 || fail "no round plan in the work directory"
# A missing shard of a later round is named with its round.
mv "$out/wa/shard-3-of-4.r2.efcpart" "$out/r2-part"
expect 1 "shard 3/4 of round 2 is missing" "$bin" merge "$out/wa" --out "$out/mx"
mv "$out/r2-part" "$out/wa/shard-3-of-4.r2.efcpart"

# A zone search and importance sampling.
for f in frontier rare-is; do
  "$bin" run "$src/tests/scenarios/$f.yaml" --out "$out/ref-$f" --threads 2 > /dev/null 2>&1 || fail "$f: exit $?"
  rounds "$src/tests/scenarios/$f.yaml" 3 "$out/w-$f" "$out/m-$f" > /dev/null 2>&1
  same_outputs "$out/ref-$f" "$out/m-$f" "$f, 3 shards"
done

# A shard killed half-way leaves nothing merge takes; running it again repairs the set.
sed 's/passages: 400$/passages: 100000/' "$small" > "$out/big.yaml"
"$bin" run "$out/big.yaml" --shard 1/2 --out "$out/wk" > /dev/null || fail "big: shard 1/2: exit $?"
"$bin" run "$out/big.yaml" --shard 0/2 --out "$out/wk" --threads 1 > /dev/null 2>&1 &
pid=$!
# Killed once its part is being written.
t=0
while [ $t -lt 100 ] && ! ls "$out/wk" | grep -q '^shard-0-of-2.r1.efcpart.tmp.'; do sleep 0.1; t=$((t + 1)); done
kill -9 $pid 2> /dev/null
wait $pid 2> /dev/null
[ -e "$out/wk/shard-0-of-2.r1.efcpart" ] && fail "the killed shard's part is there (it finished within 1 s?)"
expect 1 "shard 0/2 of round 1 is missing" "$bin" merge "$out/wk" --out "$out/mk" --no-plots
"$bin" run "$out/big.yaml" --shard 0/2 --out "$out/wk" > /dev/null || fail "big: shard 0/2 again: exit $?"
ls "$out/wk" | grep -q '\.tmp\.' && fail "the killed shard's temporary was not swept"
"$bin" merge "$out/wk" --out "$out/mk" --no-plots > /dev/null || fail "big: merge after the repair: exit $?"
grep -q '"passages": 300000,' "$out/mk/summary.json" || fail "big: the repaired merge lacks passages"

[ $fails -eq 0 ] && echo "all efc-scenario shard and merge checks passed"
