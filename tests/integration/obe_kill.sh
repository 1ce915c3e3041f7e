#!/bin/bash
# Issue 15, build point 8: fault injection. Two efc-obe hosts, one OBE each with its --state
# directory, answer one efc-rse; at moments drawn from a seeded generator (after 1 to 3 more
# released sessions, then 0 to 40 ms, so usually in the middle of a passage) one of them is
# killed with SIGKILL and restarted on the same port with its state. efc-rse keeps running
# its passages throughout. Then, checked with efc-issuer, per OBE no counter repeats or goes
# back; every claim is whole and appears once; every passage efc-rse counted as successful
# has its claim; and the counter values that went unclaimed (a kill after a counter was
# saved, before the passage ended) are no more than the passages efc-rse counted as failed.
# AutoPASS (TC) and EN 15509 Level 1 (EquipmentStatus counter, SET by the RSE).
# usage: obe_kill.sh BIN_DIR [SEED] [KILLS_PER_PROFILE] [PASSAGES_PER_PROFILE]
BIN=$1
SEED=${2:-15}
KILLS=${3:-11}
N=${4:-200}
. "$(dirname "$0")/lib.sh"
efc_workdir
efc_keys 2
RANDOM=$SEED
C="$WORK/claims.jsonl"
: >"$C"
DAY=1764547200
PORT=(0 0 0)
PID=(0 0 0)
LOG=(x x x)
LOGS=""

# host_launch I: efc-obe for OBE I with its own state directory, on its port once it has
# one, in the background: a restart (scrypt opens the profile) takes a while, and the other
# host serves passages meanwhile.
STARTS=0
host_launch() {
  local i=$1
  STARTS=$((STARTS + 1))
  LOG[$i]="$WORK/obe$i-$STARTS.log"
  LOGS="$LOGS ${LOG[$i]}"
  : >"${LOG[$i]}"
  "$BIN/efc-obe" --listen "127.0.0.1:${PORT[$i]}" --pass-file "$WORK/obe.pass" --profile "$WORK/obe$i.eop" \
    --state "$WORK/state$i" 2>"${LOG[$i]}" &
  PID[$i]=$!
  EFC_PIDS="$EFC_PIDS ${PID[$i]}"
}
# host_up I: whether host I listens (and its port is known).
host_up() {
  local addr
  addr=$(sed -n 's/^efc-obe: .* listening on \(.*\)$/\1/p' "${LOG[$1]}")
  [ -n "$addr" ] || return 1
  PORT[$1]=${addr##*:}
}
host_wait() {
  local k
  for k in $(seq 1 400); do
    host_up $1 && return 0
    kill -0 "${PID[$1]}" 2>/dev/null || fail "efc-obe $1 exited: $(cat "${LOG[$1]}")"
    sleep 0.05
  done
  fail "efc-obe $1 did not say where it listens"
}
sessions() { cat $LOGS | grep -c ' released: ' || true; }

host_launch 1
host_wait 1
host_launch 2
host_wait 2
TOTAL_KILLS=0 TOTAL_PASSAGES=0 TOTAL_OK=0 TOTAL_FAILED=0 RUNS_RSE=0
# rse_run PROFILE: one efc-rse of N passages, with kills until it ends or the profile has
# had its KILLS; adds its figures to the totals.
rse_run() {
  local p=$1 rse k want delay pick up i victim line ok failed got before
  DAY=$((DAY + 86400))
  RUNS_RSE=$((RUNS_RSE + 1))
  before=$(wc -l <"$C")
  local out="$WORK/rse-$RUNS_RSE.out" err="$WORK/rse-$RUNS_RSE.err"
  "$BIN/efc-rse" --profile $p --keys "$WORK/op.eok" --pass-file "$WORK/op.pass" --obe "127.0.0.1:${PORT[1]}" \
    --obe "127.0.0.1:${PORT[2]}" --passages $N --claims "$C" --seed $((SEED + RUNS_RSE)) --start $DAY \
    --timeout-ms 100 >"$out" 2>"$err" &
  rse=$!
  EFC_PIDS="$EFC_PIDS $rse"
  while [ $kills -lt $KILLS ] && kill -0 $rse 2>/dev/null; do
    want=$(($(sessions) + 1 + RANDOM % 3))
    delay=$(printf '0.%03d' $((RANDOM % 41)))
    pick=$RANDOM
    for k in $(seq 1 600); do
      [ "$(sessions)" -ge $want ] && break
      kill -0 $rse 2>/dev/null || break
      sleep 0.05
    done
    kill -0 $rse 2>/dev/null || break
    sleep "$delay"
    # One of the hosts up now (one still restarting is not killed again before it listens).
    up=()
    for i in 1 2; do host_up $i && up+=($i); done
    [ ${#up[@]} -gt 0 ] || continue
    victim=${up[$((pick % ${#up[@]}))]}
    kill -KILL "${PID[$victim]}"
    wait "${PID[$victim]}" 2>/dev/null || true
    kills=$((kills + 1))
    host_launch $victim
  done
  # The rest of its passages undisturbed, under a hang guard.
  for k in $(seq 1 1200); do
    kill -0 $rse 2>/dev/null || break
    sleep 0.1
  done
  kill -0 $rse 2>/dev/null && fail "$p: efc-rse did not finish: $(tail -3 "$err")"
  wait $rse || fail "$p: efc-rse status $?: $(cat "$err")"
  line=$(head -1 "$out")
  set -- $(echo "$line" | sed -n 's/^efc-rse: profile [^,]*, \([0-9]*\) passages, \([0-9]*\) successful, [0-9]* retries, \([0-9]*\) failed (.*/\1 \2 \3/p')
  [ $# -eq 3 ] || fail "$p: efc-rse summary: $line"
  [ "$1" -eq $N ] || fail "$p: $1 passages, expected $N"
  ok=$2 failed=$3
  # Each passage it counted as successful has its claim, and no other passage has one.
  got=$(($(wc -l <"$C") - before))
  [ $got -eq "$ok" ] || fail "$p run $RUNS_RSE: $got claims for $ok successful passages"
  TOTAL_PASSAGES=$((TOTAL_PASSAGES + N)) TOTAL_OK=$((TOTAL_OK + ok)) TOTAL_FAILED=$((TOTAL_FAILED + failed))
  echo "obe_kill: $p run $RUNS_RSE: $kills kills so far, $N passages, $ok successful, $failed failed"
}
for p in autopass en15509-l1; do
  kills=0
  while [ $kills -lt $KILLS ]; do rse_run $p; done
  TOTAL_KILLS=$((TOTAL_KILLS + kills))
done
for i in 1 2; do
  host_wait $i
  kill -TERM "${PID[$i]}"
  wait "${PID[$i]}" || fail "efc-obe $i did not stop cleanly"
  ls "$WORK/state$i" | grep -q '\.tmp\.' && fail "temporaries left in state$i: $(ls "$WORK/state$i")"
done
[ $TOTAL_KILLS -ge 20 ] || fail "only $TOTAL_KILLS kills"

# Every claim once and a pass; the issuer's view of the counters.
n=$(wc -l <"$C")
[ "$n" -eq $TOTAL_OK ] || fail "$n claims for $TOTAL_OK successful passages"
[ -z "$(sort "$C" | uniq -d)" ] || fail "a claim line appears twice"
[ "$(grep -c '"verdict":"pass","reasons":""' "$C")" -eq "$n" ] || fail "a claim is not a plain pass"
EFC_KEYSTORE_PASS= "$BIN/efc-issuer" verify --keystore "$WORK/ks.eks" --pass-file "$WORK/ks.pass" \
  --claims "$C" >"$WORK/issuer.out" || fail "efc-issuer: status $?"
row() { sed -n "s/^$1  *\([0-9]*\) .*/\1/p" "$WORK/issuer.out"; }
# A gap is the one flag a kill may cause: a counter saved, then the passage given up.
[ $(($(row 'verified sound') + $(row gap))) -eq "$n" ] || fail "efc-issuer: $(grep -A20 '^flagged' "$WORK/issuer.out")"
for flag in duplicate backwards impossible-time bad-mac mismatch bad-commitment bad-fee no-key unbound; do
  [ "$(row $flag)" = 0 ] || fail "efc-issuer: $flag: $(grep -A20 '^flagged' "$WORK/issuer.out")"
done
missing=$(row '  counter values missing')
[ -n "$missing" ] || fail "efc-issuer: no 'counter values missing' row"
[ "$missing" -le $TOTAL_FAILED ] ||
  fail "$missing counter values unclaimed, more than the $TOTAL_FAILED failed passages: claims lost"
flagged=$(sed -n 's/^flagged claims: \([0-9]*\)$/\1/p' "$WORK/issuer.out")
echo "obe_kill: seed $SEED: $TOTAL_KILLS SIGKILLs, $TOTAL_PASSAGES passages ($TOTAL_OK successful," \
  "$TOTAL_FAILED failed), $n claims, each once; issuer: 0 duplicate, 0 backwards," \
  "$flagged flagged (gaps: $missing counter values unclaimed <= $TOTAL_FAILED failed passages)"
