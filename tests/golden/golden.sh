#!/bin/sh
# What a user sees, checked against digests taken before a change that must not alter it
# (the layout redesign, issue 14): passages.csv, summary.json and the table of two shipped
# gantry scenarios and a small zone search, and multi-lane's capture; the trace of every profile on both MCU classes; the
# threats x profiles table of the security report.
# Usage: golden.sh BIN_DIR SOURCE_DIR [--record]
#   --record rewrites tests/golden/digests.sha256 from this build's outputs.
set -u
bin=$1
src=$2
mode=${3:-check}
out=${TMPDIR:-/tmp}/efc-golden.$$
digests=$src/tests/golden/digests.sha256
trap 'rm -rf "$out"' EXIT
# summary.json names the scenario file as given: run from the source tree, relative names.
cd "$src" || exit 1
mkdir -p "$out/files" || exit 1
fail=0
# The default run (a zone search of some ten million passages) is too long for every test
# run, and its capture would be gigabytes: tests/scenarios/frontier.yaml is a small search
# in its place, and tests/scenarios/rare-is.yaml stands for importance sampling; only
# multi-lane, a fixed number of passages, is captured.
for f in scenarios/multi-lane scenarios/noisy tests/scenarios/frontier tests/scenarios/rare-is; do
  n=$(basename $f)
  pcap=
  [ $n = multi-lane ] && pcap="--pcap $out/files/$n.pcap"
  "$bin/efc-scenario" run "$f.yaml" --out "$out/$n" --threads 2 --no-plots $pcap > "$out/$n.txt" ||
    { echo "FAIL: run $n: exit $?"; fail=1; }
  cp "$out/$n/passages.csv" "$out/files/$n-passages.csv"
  # Without the version stamps (efc-scenario --version's line), which change at every
  # commit: summary.json's "written_by" line and the capture's sidecar.
  sed '/^ *"written_by": /d' "$out/$n/summary.json" > "$out/files/$n-summary.json"
  if [ -n "$pcap" ]; then
    grep -q '"written_by": "efc-scenario efcsim ' "$out/files/$n.pcap.json" ||
      { echo "FAIL: run $n: no version in $n.pcap.json"; fail=1; }
    rm -f "$out/files/$n.pcap.json"
  fi
  # The table without the lines that name the wall time and the output directory.
  grep -v -e ' wall, ' -e '^results: ' "$out/$n.txt" > "$out/files/$n-table.txt"
done
for p in autopass en15509-l0 en15509-l1 aes; do
  for m in legacy modern; do
    "$bin/efc-scenario" trace --profile $p --mcu $m > "$out/files/trace-$p-$m.txt" ||
      { echo "FAIL: trace $p $m: exit $?"; fail=1; }
  done
done
# Only the threats table is digested: the timing model runs the small test scenario, not
# gantry-10m.yaml's 700,000 passages on one thread (minutes under the sanitizers).
"$bin/efc-scenario" report security --out "$out/sec" --threads 1 --no-plots \
  --timing tests/scenarios/small.yaml > /dev/null ||
  { echo "FAIL: report security: exit $?"; fail=1; }
grep '^| T' "$out/sec/security.md" > "$out/files/security-table.md"
(cd "$out/files" && sha256sum *) > "$out/digests"
if [ "$mode" = --record ]; then
  cp "$out/digests" "$digests" && echo "recorded $(wc -l < "$digests") digests in $digests"
  exit $fail
fi
if ! diff -u "$digests" "$out/digests"; then
  echo "FAIL: outputs differ from tests/golden/digests.sha256 (lines above)"
  fail=1
fi
[ $fail = 0 ] && echo "all $(wc -l < "$digests") outputs match their digests"
exit $fail
