#!/bin/sh
# efc-scenario sensitivity from the outside: bad usage and bad input refused in one line
# with the status of docs/cli.md, the same JSON and table with 1 and 2 threads, the outputs
# written. Usage: efc_scenario_sensitivity.sh BIN_DIR SOURCE_DIR
set -u
bin=$1/efc-scenario
src=$2
small=$src/tests/unit/sens-mix.yaml
out=${TMPDIR:-/tmp}/efc-sens-test.$$
. "$(dirname "$0")/expect.sh"
trap 'rm -rf "$out"' EXIT
mkdir -p "$out"

# Bad usage: 2.
expect 2 "unknown option '--frob'" "$bin" sensitivity "$small" --frob
expect 2 "exactly one scenario FILE" "$bin" sensitivity
expect 2 "exactly one scenario FILE" "$bin" sensitivity "$small" "$small"
expect 2 "passages: expected 100..10000000, got '0'" "$bin" sensitivity "$small" --passages 0
expect 2 "passages: expected 100..10000000, got '99'" "$bin" sensitivity "$small" --passages 99
expect 2 "passages" "$bin" sensitivity "$small" --passages abc
expect 2 "passages" "$bin" sensitivity "$small" --passages " -1"
expect 2 "threads" "$bin" sensitivity "$small" --threads 0
expect 2 "no-plots" "$bin" sensitivity "$small" --no-plots=1
# Bad input: 1, naming the file and the field.
expect 1 "bad-negative-speed.yaml:.*traffic.speeds_kmh" "$bin" sensitivity "$src/tests/scenarios/bad-negative-speed.yaml" --out "$out/x"
expect 1 "bad-syntax.yaml" "$bin" sensitivity "$src/tests/scenarios/bad-syntax.yaml" --out "$out/x"
expect 1 "no-such.yaml" "$bin" sensitivity "$out/no-such.yaml" --out "$out/x"
# An output directory that cannot be made: 1.
: > "$out/file"
expect 1 "$out/file/sub" "$bin" sensitivity "$small" --passages 100 --no-plots --out "$out/file/sub"
[ -e "$out/x" ] && fail "a refused file left $out/x"

# The same results whatever the threads.
"$bin" sensitivity "$small" --passages 200 --threads 1 --no-plots --out "$out/t1" > "$out/t1.txt" || fail "1 thread: exit $?"
"$bin" sensitivity "$small" --passages 200 --threads 2 --no-plots --out "$out/t2" > "$out/t2.txt" || fail "2 threads: exit $?"
cmp -s "$out/t1/sensitivity.json" "$out/t2/sensitivity.json" || fail "sensitivity.json differs between 1 and 2 threads"
grep -v '^results: ' "$out/t1.txt" > "$out/t1.tab"
grep -v '^results: ' "$out/t2.txt" > "$out/t2.tab"
cmp -s "$out/t1.tab" "$out/t2.tab" || fail "the table differs between 1 and 2 threads"
grep -q '^measure first: ' "$out/t1.txt" || fail "no 'measure first:' line"
grep -q '"measure_first": \[' "$out/t1/sensitivity.json" || fail "no measure_first in sensitivity.json"
grep -q '"written_by": "efc-scenario efcsim ' "$out/t1/sensitivity.json" || fail "no written_by in sensitivity.json"
[ -e "$out/t1/tornado.svg" ] && fail "--no-plots drew a plot"
ls "$out/t1" | grep -q '\.tmp\.' && fail "a temporary was left in $out/t1"
# The legacy MCU's costs change none of the modern groups: the table lists, for those
# parameters, only legacy groups.
awk '/^timing\.legacy\./ { on = 1 } /^timing\./ && !/^timing\.legacy\./ { on = 0 } on && /\/modern/' "$out/t1.txt" |
  grep -q . && fail "a legacy cost listed as changing a modern group"

[ $fails -eq 0 ] && echo "all efc-scenario sensitivity checks passed"
exit $((fails > 0))
