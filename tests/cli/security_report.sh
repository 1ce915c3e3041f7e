#!/bin/sh
# efc-scenario report security from the outside (issue 7, acceptance 1 and 3): the report
# runs from the attack files alone; every cell comes from a run; switching the issuer's MAC
# checks off (the test-only --no-mac-check) turns the operator-key clone (T3) and the claim
# alteration (T11) rows into "not detected", while the rows the lane catches stay as they
# were. Usage: security_report.sh BIN_DIR SOURCE_DIR
set -u
bin=$1/efc-scenario
src=$2
out=${TMPDIR:-/tmp}/efc-security-test.$$
fails=0
fail() { echo "FAIL: $*"; fails=$((fails + 1)); }
mkdir -p "$out/attacks"
cp "$src"/scenarios/attacks/t01-*.yaml "$src"/scenarios/attacks/t03-*.yaml "$src"/scenarios/attacks/t11-*.yaml "$out/attacks/"

# row THREAT FILE: the four profile cells of a threat's row, one "detected" word each.
row() {
  grep "^| $1 |" "$2" | awk -F'|' '{ for (i = 5; i <= 8; i++) { c = $i; sub(/^ *\*\*/, "", c); sub(/\*\*.*/, "", c); printf "%s%s", c, (i < 8 ? "," : "\n") } }'
}

"$bin" report security --out "$out/on" --attacks "$out/attacks" --timing "$src/tests/scenarios/small.yaml" \
  --threads 2 --no-plots > "$out/on.txt" || fail "report: exit $?"
"$bin" report security --out "$out/off" --attacks "$out/attacks" --timing "$src/tests/scenarios/small.yaml" \
  --threads 2 --no-plots --no-mac-check > "$out/off.txt" || fail "report --no-mac-check: exit $?"
for d in on off; do
  [ -s "$out/$d/security.md" ] && [ -s "$out/$d/security.html" ] || fail "$d: report files missing"
done
grep -q "MAC1 / MAC_TSP on" "$out/on/security.md" || fail "the report does not say the MAC checks were on"
grep -q "MAC1 / MAC_TSP \*\*OFF (test only)\*\*" "$out/off/security.md" || fail "the report does not say the MAC checks were off"

[ "$(row T1 "$out/on/security.md")" = "lane,lane,lane,lane" ] || fail "T1 with MAC checks: $(row T1 "$out/on/security.md")"
[ "$(row T1 "$out/off/security.md")" = "lane,lane,lane,lane" ] || fail "T1 without: $(row T1 "$out/off/security.md")"
for t in T3 T11; do
  r=$(row $t "$out/on/security.md")
  case $r in *"not detected"*) fail "$t with MAC checks has a 'not detected' cell: $r" ;; esac
  [ "$(row $t "$out/off/security.md")" = "not detected,not detected,not detected,not detected" ] ||
    fail "$t without MAC checks: $(row $t "$out/off/security.md")"
done
# Every cell's evidence is in the details, measured (counts of passages or claims).
[ "$(grep -c '^- \*\*' "$out/on/security.md")" = 12 ] || fail "details: $(grep -c '^- \*\*' "$out/on/security.md") cells"
# Timing columns come from the timing scenario's run.
grep -q "^| AutoPASS | [0-9.]* | [0-9.]* |" "$out/on/security.md" || fail "no AutoPASS timing row"

# Bad input: a broken attack file is named with its line; a missing directory is named.
printf 'threat: T99\ntitle: x\nattacker: y\n' > "$out/attacks/t99-bad.yaml"
err=$("$bin" report security --out "$out/bad" --attacks "$out/attacks" --no-plots 2>&1 >/dev/null)
[ $? = 1 ] || fail "bad attack file: exit status"
echo "$err" | grep -q "t99-bad.yaml:1: threat: not one of T1..T15" || fail "bad attack file: $err"
err=$("$bin" report security --out "$out/bad" --attacks "$out/none" 2>&1 >/dev/null)
[ $? = 1 ] || fail "missing attack directory: exit status"
echo "$err" | grep -q "none: cannot open the attack directory" || fail "missing attack directory: $err"
"$bin" report 2>/dev/null; [ $? = 2 ] || fail "report without a name: exit status"

rm -rf "$out"
[ $fails = 0 ] && echo "security report: all checks passed"
exit $fails
