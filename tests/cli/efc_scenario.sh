#!/bin/sh
# efc-scenario from the outside: trace of every profile, run determinism across thread
# counts, bad scenario files, usage errors. Usage: efc_scenario.sh BIN_DIR SCENARIO_DIR
set -u
bin=$1/efc-scenario
dir=$2
out=${TMPDIR:-/tmp}/efc-scenario-test.$$
. "$(dirname "$0")/expect.sh"
mkdir -p "$out"

# trace: each profile completes, passes the lane and the issuer, in the sequence of
# docs/profiles.md.
en="BST VST GET_STAMPED.rq GET_STAMPED.rs GET_STAMPED.rq GET_STAMPED.rs GET.rq GET.rs SET.rq SET.rs SET_MMI.rq SET_MMI.rs RELEASE"
for p in autopass en15509-l0 en15509-l1 aes; do
  "$bin" trace --profile $p > "$out/trace-$p.txt" || fail "trace $p: exit $?"
  want=$en
  [ $p = autopass ] && want="BST VST GET_SECURE.rq GET_SECURE.rs RELEASE"
  grep -qx "sequence: $want" "$out/trace-$p.txt" || fail "trace $p: sequence $(grep sequence: "$out/trace-$p.txt")"
  grep -qx "lane: pass" "$out/trace-$p.txt" || fail "trace $p: lane"
  grep -qx "issuer: claim verified" "$out/trace-$p.txt" || fail "trace $p: issuer"
  "$bin" trace --profile $p --json --mcu legacy | grep -q '"completed": true' || fail "trace $p --json"
done

# run: same seed, same CSV, with 1 and 2 threads.
"$bin" run "$dir/small.yaml" --out "$out/t1" --threads 1 --no-plots > "$out/t1.txt" || fail "run 1 thread"
"$bin" run "$dir/small.yaml" --out "$out/t2" --threads 2 --no-plots > "$out/t2.txt" || fail "run 2 threads"
"$bin" run "$dir/small.yaml" --out "$out/t2b" --threads 2 --no-plots > /dev/null || fail "run 2 threads again"
cmp -s "$out/t1/passages.csv" "$out/t2/passages.csv" || fail "CSV differs between 1 and 2 threads"
cmp -s "$out/t2/passages.csv" "$out/t2b/passages.csv" || fail "CSV differs between two 2-thread runs"
[ "$(wc -l < "$out/t1/passages.csv")" = 1201 ] || fail "CSV has $(wc -l < "$out/t1/passages.csv") lines, want 1201"
grep -q '"critical"' "$out/t1/summary.json" || fail "summary.json lacks critical speeds"
grep -q "critical speed" "$out/t1.txt" || fail "no table on stdout"

# run --pcap: the same capture whatever the thread count, with one released transaction
# per passage the CSV calls ok, and as many transactions as passages.
"$bin" run "$dir/small.yaml" --out "$out/c1" --threads 1 --no-plots --pcap "$out/c1.pcap" > /dev/null || fail "run --pcap"
"$bin" run "$dir/small.yaml" --out "$out/c2" --threads 2 --no-plots --pcap "$out/c2.pcap" > /dev/null || fail "run --pcap 2"
cmp -s "$out/c1.pcap" "$out/c2.pcap" || fail "capture differs between 1 and 2 threads"
cmp -s "$out/c1/passages.csv" "$out/t1/passages.csv" || fail "--pcap changed the CSV"
ok=$(awk -F, 'NR == 1 { for (i = 1; i <= NF; i++) c[$i] = i; next } $c["outcome"] == "ok"' "$out/c1/passages.csv" | wc -l)
"$1/efc-pcap" stats "$out/c1.pcap" > "$out/c1.stats" || fail "efc-pcap stats on the run's capture"
grep -q "^transactions: 1200 ($ok complete with RELEASE" "$out/c1.stats" ||
  fail "capture: $(grep '^transactions' "$out/c1.stats"), CSV: $ok ok"
expect 1 "cannot" "$bin" run "$dir/small.yaml" --out "$out/c3" --pcap /nonexistent-dir/x.pcap

# bad scenario files: exit 1, one line naming the file and the line
expect 1 "bad-unknown-key.yaml:6: traffic: Unexpected key: headway" "$bin" run "$dir/bad-unknown-key.yaml" --out "$out/bad"
expect 1 "bad-wrong-type.yaml:5: traffic.passages: expected 1..100000000, got 'many'" "$bin" run "$dir/bad-wrong-type.yaml" --out "$out/bad"
expect 1 "bad-negative-speed.yaml:7: traffic.speeds_kmh: expected a number in \\[1, 500\\], got '-70'" "$bin" run "$dir/bad-negative-speed.yaml" --out "$out/bad"
expect 1 "bad-empty-traffic.yaml:4: traffic.speeds_kmh: empty" "$bin" run "$dir/bad-empty-traffic.yaml" --out "$out/bad"
expect 1 "bad-no-traffic.yaml:1: traffic: missing" "$bin" run "$dir/bad-no-traffic.yaml" --out "$out/bad"
expect 1 "bad-profile.yaml:7: fleet.profile: unknown profile 'en15509-l2'" "$bin" run "$dir/bad-profile.yaml" --out "$out/bad"
expect 1 "bad-syntax.yaml:3:" "$bin" run "$dir/bad-syntax.yaml" --out "$out/bad"
expect 1 "no-such.yaml: cannot open" "$bin" run "$dir/no-such.yaml" --out "$out/bad"

# usage
expect 2 "" "$bin"
expect 2 "unknown command" "$bin" frobnicate
expect 2 "exactly one scenario FILE" "$bin" run
expect 2 "--threads" "$bin" run "$dir/small.yaml" --threads 0
expect 2 "--profile" "$bin" trace --profile en15509-l2
expect 0 "" "$bin" --help
expect 0 "" "$bin" run --help

rm -rf "$out"
[ $fails = 0 ] && echo "efc-scenario CLI: all checks passed"
exit $fails
