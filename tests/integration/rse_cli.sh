#!/bin/bash
# Issue 15, points 6, 8, 10 and 18 for efc-rse (and efc-obe's --listen, --rearm-ms):
#  6  ports outside 0..65535 (1..65535 to send to) and numbers that would wrap are refused
#     with one line and exit 2;
#  8  back-to-back runs in virtual time appending to one claims file do not overlap in claim
#     time, so efc-issuer flags no OBE as going backwards; a --start inside the file's
#     claims is refused (two overlapping runs into two files are flagged, which is why);
# 10  a status list of 100,000 malformed lines gives five warnings and one count;
# 18  the summary's late responses are the sum of what --verbose shows per passage.
# usage: rse_cli.sh BIN_DIR
BIN=$1
. "$(dirname "$0")/lib.sh"
efc_workdir
efc_keys 1
P=en15509-l1
export EFC_KEYSTORE_PASS="keystore test passphrase"

rse() {
  "$BIN/efc-rse" --profile $P --keys "$WORK/op.eok" --pass-file "$WORK/op.pass" "$@"
}

# refused STATUS PATTERN CMD...: CMD exits STATUS with one line on stderr matching PATTERN.
refused() {
  local want=$1 pattern=$2 rc=0
  shift 2
  "$@" >"$WORK/refused.out" 2>"$WORK/refused.err" || rc=$?
  [ $rc -eq "$want" ] || fail "$*: status $rc, expected $want: $(cat "$WORK/refused.err")"
  [ "$(wc -l <"$WORK/refused.err")" -eq 1 ] || fail "$*: not one line: $(cat "$WORK/refused.err")"
  grep -q -- "$pattern" "$WORK/refused.err" || fail "$*: $(cat "$WORK/refused.err")"
  [ ! -s "$WORK/refused.out" ] || fail "$*: printed $(cat "$WORK/refused.out")"
}

# --- 6: ports and numbers ----------------------------------------------------------------
for port in 99999 65536 -1 0x1b58 " 7000" 7000x 1234567; do
  refused 2 "the port must be a number from 0 to 65535" \
    "$BIN/efc-obe" --listen "127.0.0.1:$port" --profile "$WORK/obe1.eop" --pass-file "$WORK/obe.pass"
  refused 2 "the port must be a number from 1 to 65535" rse --obe "127.0.0.1:$port" --passages 1
  refused 2 "the port must be a number from 1 to 65535" \
    "$BIN/efc-pcap" replay "$WORK/none.pcap" --side rse --to "127.0.0.1:$port"
  refused 2 "the port must be a number from 0 to 65535" \
    "$BIN/efc-pcap" replay "$WORK/none.pcap" --side obe --to "127.0.0.1:$port"
done
refused 2 "^efc-pcap replay: --to '127.0.0.1:0': the port must be a number from 1 to 65535$" \
  "$BIN/efc-pcap" replay "$WORK/none.pcap" --side rse --to 127.0.0.1:0
refused 2 "^efc-rse: --obe '127.0.0.1:0': the port must be a number from 1 to 65535$" rse --obe 127.0.0.1:0 --passages 1
for bad in " -1" -1 0 18446744073709551616 1e3 "" 0x10; do
  refused 2 "^efc-rse: --passages: expected a positive integer, got '$bad'$" rse --obe 127.0.0.1:7 --passages "$bad"
done
refused 2 "^efc-rse: --seed: expected a non-negative integer, got '18446744073709551616'$" \
  rse --obe 127.0.0.1:7 --passages 1 --seed 18446744073709551616
# Each time option is held in nanoseconds: 2^43 ms is the most that stays inside 64 bits
# once added to a clock reading.
for opt in --timeout-ms --slack-ms --zone-ms; do
  for bad in 8796093022209 18446744073709551615 18446744073709552; do
    refused 2 "^efc-rse: $opt: expected [01]\.\.8796093022208, got '$bad'$" rse --obe 127.0.0.1:7 --passages 1 $opt $bad
  done
done
refused 2 "^efc-rse: --max-idle-s: expected 1\.\.86400, got '86401'$" rse --obe 127.0.0.1:7 --passages 1 --max-idle-s 86401
refused 2 "^efc-rse: --max-idle-s: expected 1\.\.86400, got '0'$" rse --obe 127.0.0.1:7 --passages 1 --max-idle-s 0
refused 2 "^efc-obe: --rearm-ms: expected 0\.\.8796093022208, got '18446744073709552'$" \
  "$BIN/efc-obe" --listen 127.0.0.1:0 --profile "$WORK/obe1.eop" --rearm-ms 18446744073709552

efc_obe_start obe --profile "$WORK/obe1.eop" --state "$WORK/state" --seed 5

# --- 18: the summary counts what --verbose shows --------------------------------------------
rse --obe "$OBE_ADDR" --passages 20 --seed 3 --ber 1e-4 --verbose >"$WORK/late.out" 2>"$WORK/late.err" ||
  fail "efc-rse --verbose: status $?"
shown=$(sed -n 's/^efc-rse: LID [0-9A-F]*: .*, \([0-9]*\) late responses: .*/\1/p' "$WORK/late.err" |
  awk '{ s += $1 } END { print s + 0 }')
retries=$(sed -n 's/^efc-rse: LID [0-9A-F]*: .*, \([0-9]*\) retries, .*/\1/p' "$WORK/late.err" |
  awk '{ s += $1 } END { print s + 0 }')
# EN 15509 Level 1 on a modern OBE: each of the five commands is answered late (NE_OK).
[ "$shown" -ge 100 ] || fail "--verbose shows $shown late responses in 20 passages, expected at least 100"
grep -q "^efc-rse: profile $P, 20 passages, [0-9]* successful, $retries retries, " "$WORK/late.out" ||
  fail "summary retries differ from --verbose's $retries: $(head -1 "$WORK/late.out")"
grep -q "^efc-rse: link: $shown late responses (NE_OK, answer fetched after a later BST), 0 uplinks after their window (dropped), 0 steps timed out waiting for a host, 0 bad datagrams ignored$" \
  "$WORK/late.out" || fail "summary differs from --verbose's $shown late responses: $(sed -n 2p "$WORK/late.out")"
# and --help explains each counter
rse --help >"$WORK/help.txt"
for what in "late responses (NE_OK answers" "uplinks after their" "steps timed out" "no OBE" "--zone-ms" \
  "--max-idle-s"; do
  grep -q -- "$what" "$WORK/help.txt" || fail "--help does not explain '$what'"
done

# --- 10: a status list of 100,000 malformed lines ------------------------------------------
awk 'BEGIN { for (i = 0; i < 100000; i++) print "not an entry " i; print "10000001,photograph,test" }' \
  >"$WORK/status.txt"
rse --obe "$OBE_ADDR" --passages 1 --status-list "$WORK/status.txt" >"$WORK/status.out" 2>"$WORK/status.err" ||
  fail "efc-rse --status-list: status $?: $(tail -1 "$WORK/status.err")"
[ "$(wc -l <"$WORK/status.err")" -eq 6 ] || fail "--status-list: $(wc -l <"$WORK/status.err") lines of warnings, expected 6"
[ "$(grep -c "^$WORK/status.txt:[0-9]*: " "$WORK/status.err")" -eq 5 ] || fail "--status-list: $(head -5 "$WORK/status.err")"
grep -q "^efc-rse: $WORK/status.txt: 100000 malformed lines skipped in all (the first 5 shown)$" "$WORK/status.err" ||
  fail "--status-list: $(tail -1 "$WORK/status.err")"
# the one good line still counts: the OBE is photographed
grep -q "^efc-rse: profile $P, 1 passages, 0 successful, 0 retries, 0 failed ([^)]*), 1 photograph or reject$" \
  "$WORK/status.out" || fail "--status-list: $(head -1 "$WORK/status.out")"

# --- 8: back-to-back runs in virtual time ---------------------------------------------------
# times FILE: first and last time_cs of the claims in FILE.
times() { sed -n 's/.*"time_cs":\([0-9]*\),.*/\1/p' "$1" | awk 'NR == 1 { a = $1 } { b = $1 } END { print a, b }'; }
for i in 1 2 3; do
  rse --obe "$OBE_ADDR" --passages 30 --claims "$WORK/claims.jsonl" >/dev/null || fail "back-to-back run $i: status $?"
  times "$WORK/claims.jsonl" >"$WORK/span$i"
done
[ "$(wc -l <"$WORK/claims.jsonl")" -eq 90 ] || fail "back-to-back: $(wc -l <"$WORK/claims.jsonl") claims, expected 90"
sed -n 's/.*"time_cs":\([0-9]*\),.*/\1/p' "$WORK/claims.jsonl" | sort -c -n ||
  fail "back-to-back: claim times are not in order"
# One run covers more claim time than wall time: without the fix the next one starts inside it.
read -r a b <"$WORK/span1"
echo "back-to-back: the first run's 30 claims span $(((b - a) / 100)).$(((b - a) % 100)) s of claim time"
"$BIN/efc-issuer" verify --keystore "$WORK/ks.eks" --pass-file "$WORK/ks.pass" --claims "$WORK/claims.jsonl" \
  >"$WORK/issuer.out" 2>&1 || fail "efc-issuer verify: status $?: $(tail -2 "$WORK/issuer.out")"
# row NAME FILE: the total column of efc-issuer's summary row NAME.
row() { awk -v n="$1" '$1 == n { print $2 }' "$2"; }
[ "$(row backwards "$WORK/issuer.out")" = 0 ] ||
  fail "efc-issuer sees back-to-back runs going backwards: $(row backwards "$WORK/issuer.out")"
grep -q "^verified sound  *90 " "$WORK/issuer.out" && grep -q "^flagged claims: 0$" "$WORK/issuer.out" ||
  fail "efc-issuer flags back-to-back runs: backwards $(row backwards "$WORK/issuer.out"), $(grep '^flagged' "$WORK/issuer.out")"
# A --start at or before the file's last claim is refused; one after it is taken.
last=$(sed -n 's/.*"time_cs":\([0-9]*\),.*/\1/p' "$WORK/claims.jsonl" | tail -1)
refused 1 "^efc-rse: --start $((last / 100)) is not after the last claim in $WORK/claims.jsonl (unix time [0-9]*\.[0-9]*): the issuer would see counters go backwards; give --start $((last / 100 + 1)) or later, or another claims file$" \
  rse --obe "$OBE_ADDR" --passages 1 --claims "$WORK/claims.jsonl" --start $((last / 100))
[ "$(wc -l <"$WORK/claims.jsonl")" -eq 90 ] || fail "a refused run wrote claims"
rse --obe "$OBE_ADDR" --passages 1 --claims "$WORK/claims.jsonl" --start $((last / 100 + 1)) >/dev/null ||
  fail "--start after the last claim: status $?"
# Why: two runs whose claim times overlap, each in its own file, checked together.
day=1764547200
rse --obe "$OBE_ADDR" --passages 30 --claims "$WORK/over.jsonl" --start $day >/dev/null || fail "overlap run 1"
rse --obe "$OBE_ADDR" --passages 30 --claims "$WORK/over2.jsonl" --start $((day + 1)) >/dev/null || fail "overlap run 2"
cat "$WORK/over2.jsonl" >>"$WORK/over.jsonl"
"$BIN/efc-issuer" verify --keystore "$WORK/ks.eks" --pass-file "$WORK/ks.pass" --claims "$WORK/over.jsonl" \
  >"$WORK/over.out" 2>&1 || fail "efc-issuer verify (overlap): status $?"
[ "$(row backwards "$WORK/over.out")" -gt 0 ] || fail "overlapping runs: the issuer saw nothing: $(tail -3 "$WORK/over.out")"
efc_obe_stop
echo "rse_cli: ports, numbers, status-list warnings, counters and back-to-back runs as documented"
