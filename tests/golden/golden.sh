#!/bin/sh
# What a user sees, checked against digests taken before a change that must not alter it
# (the layout redesign, issue 14): passages.csv, summary.json, the capture and the table of
# the three shipped gantry scenarios; the trace of every profile on both MCU classes; the
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
for f in default multi-lane noisy; do
  "$bin/efc-scenario" run "scenarios/$f.yaml" --out "$out/$f" --threads 2 --no-plots \
    --pcap "$out/files/$f.pcap" > "$out/$f.txt" || { echo "FAIL: run $f: exit $?"; fail=1; }
  cp "$out/$f/passages.csv" "$out/files/$f-passages.csv"
  # Without the version stamps (efc-scenario --version's line), which change at every
  # commit: summary.json's "written_by" line and the capture's sidecar.
  sed '/^ *"written_by": /d' "$out/$f/summary.json" > "$out/files/$f-summary.json"
  grep -q '"written_by": "efc-scenario efcsim ' "$out/files/$f.pcap.json" ||
    { echo "FAIL: run $f: no version in $f.pcap.json"; fail=1; }
  rm -f "$out/files/$f.pcap.json"
  # The table without the lines that name the wall time and the output directory.
  grep -v -e ' wall, ' -e '^results: ' "$out/$f.txt" > "$out/files/$f-table.txt"
done
for p in autopass en15509-l0 en15509-l1 aes; do
  for m in legacy modern; do
    "$bin/efc-scenario" trace --profile $p --mcu $m > "$out/files/trace-$p-$m.txt" ||
      { echo "FAIL: trace $p $m: exit $?"; fail=1; }
  done
done
"$bin/efc-scenario" report security --out "$out/sec" --threads 1 --no-plots > /dev/null ||
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
