#!/bin/bash
# Issue 6, acceptance 1: efc-obe with three OBEs and efc-rse on loopback UDP, 100 passages
# per profile; the claims, the OBEs' counters (also across a restart of efc-obe), the
# captures of both daemons, and efc-issuer on every claim.
# usage: udp_lane.sh BIN_DIR [KEEP_DIR]   (KEEP_DIR: keep the captures and claims there)
BIN=$1
KEEP=${2:-}
. "$(dirname "$0")/lib.sh"
efc_workdir
efc_keys 3
PROFILES="autopass en15509-l0 en15509-l1 aes"
N=100

# Each run is a day of its own (--start), as the vehicles' passages would be: in virtual time
# a run covers more model time than it takes, and the issuer orders claims by time.
DAY=1764547200 # 2025-12-01
efc_obe_start obe $(efc_obe_profiles 3) --state "$WORK/state" --pcap "$WORK/obe.pcap" --seed 11
for p in $PROFILES; do
  DAY=$((DAY + 86400))
  "$BIN/efc-rse" --profile "$p" --keys "$WORK/op.eok" --pass-file "$WORK/op.pass" --obe "$OBE_ADDR" \
    --passages $N --claims "$WORK/claims.jsonl" --pcap "$WORK/rse-$p.pcap" --seed 7 --start $DAY \
    >"$WORK/rse-$p.out" ||
    fail "efc-rse --profile $p: status $?"
  grep -q "^efc-rse: profile $p, $N passages, $N successful, 0 retries" "$WORK/rse-$p.out" ||
    fail "efc-rse --profile $p: $(head -1 "$WORK/rse-$p.out")"
done
efc_obe_stop
grep -q "^efc-obe: stopped: [0-9]* downlinks, 0 bad datagrams ignored" "$WORK/obe.log" ||
  fail "efc-obe: $(tail -1 "$WORK/obe.log")"

# Claims: N per profile, every one a pass, each OBE in every profile.
C="$WORK/claims.jsonl"
[ "$(wc -l <"$C")" -eq $((4 * N)) ] || fail "$(wc -l <"$C") claims, expected $((4 * N))"
for p in $PROFILES; do
  n=$(grep -c "\"profile\":\"$p\"" "$C")
  [ "$n" -eq $N ] || fail "$n $p claims, expected $N"
  for i in 1 2 3; do
    grep "\"profile\":\"$p\"" "$C" | grep -q "\"obuid\":\"1000000$i\"" || fail "no $p claim of OBE 1000000$i"
  done
done
[ "$(grep -c '"verdict":"pass","reasons":""' "$C")" -eq $((4 * N)) ] || fail "a claim is not a plain pass"

# Counters, per OBE in the order of the claims: the AutoPASS TC counts 1, 2, ... and the
# EN 15509 counter the RSE read (one EquipmentStatus shared by Level 0, Level 1 and AES)
# counts 0, 1, ... with no repeat and no gap.
for i in 1 2 3; do
  tcs=$(grep "\"obuid\":\"1000000$i\"" "$C" | sed -n 's/.*"tc":\([0-9]*\),.*/\1/p' | tr '\n' ' ')
  k=$(echo $tcs | wc -w)
  [ "$tcs" = "$(seq -s ' ' 1 "$k") " ] || fail "OBE $i AutoPASS TCs: $tcs"
  ctrs=$(grep "\"obuid\":\"1000000$i\"" "$C" | sed -n 's/.*"counter":\([0-9]*\),.*/\1/p' | tr '\n' ' ')
  m=$(echo $ctrs | wc -w)
  [ "$ctrs" = "$(seq -s ' ' 0 $((m - 1))) " ] || fail "OBE $i EN 15509 counters: $ctrs"
  eval "TC$i=$k CTR$i=$m"
done
[ $((TC1 + TC2 + TC3)) -eq $N ] || fail "TCs add up to $((TC1 + TC2 + TC3))"

# The counters survive a restart: one more passage per profile continues each sequence.
efc_obe_start obe2 $(efc_obe_profiles 3) --state "$WORK/state" --seed 12
for p in autopass en15509-l0; do
  DAY=$((DAY + 86400))
  "$BIN/efc-rse" --profile "$p" --keys "$WORK/op.eok" --pass-file "$WORK/op.pass" --obe "$OBE_ADDR" \
    --passages 3 --claims "$WORK/after.jsonl" --seed 8 --start $DAY >/dev/null || fail "efc-rse after restart"
done
efc_obe_stop
for i in 1 2 3; do
  eval "want_tc=\$((TC$i + 1)) want_ctr=\$CTR$i"
  grep "\"obuid\":\"1000000$i\"" "$WORK/after.jsonl" | grep -q "\"tc\":$want_tc," ||
    fail "OBE $i: TC after restart is not $want_tc"
  grep "\"obuid\":\"1000000$i\"" "$WORK/after.jsonl" | grep -q "\"counter\":$want_ctr," ||
    fail "OBE $i: EN 15509 counter after restart is not $want_ctr"
done

# The issuer accepts every claim, before and after the restart.
cat "$WORK/after.jsonl" >>"$C"
EFC_KEYSTORE_PASS= "$BIN/efc-issuer" verify --keystore "$WORK/ks.eks" --pass-file "$WORK/ks.pass" \
  --claims "$C" >"$WORK/issuer.out" || fail "efc-issuer: status $?"
grep -q "^verified sound  *$((4 * N + 6)) " "$WORK/issuer.out" || fail "efc-issuer: $(grep sound "$WORK/issuer.out")"
grep -q "^flagged claims: 0$" "$WORK/issuer.out" || fail "efc-issuer flagged: $(grep -A3 flagged "$WORK/issuer.out")"

# The captures: each RSE capture holds N transactions, every one released; the OBE host
# heard every downlink the RSEs sent (no bit errors here) and sent every uplink they heard.
. "$(dirname "$0")/captures.sh"
efc_check_captures

if [ -n "$KEEP" ]; then
  mkdir -p "$KEEP"
  cp "$WORK"/*.pcap "$C" "$KEEP/"
fi
echo "udp_lane: $((4 * N)) passages over UDP, claims, counters, restart, issuer and captures OK"
