#!/bin/bash
# Issue 15, points 2 and 11: durability before disclosure, enforced. The state file of one
# of two OBEs is made unwritable while efc-obe runs (its name taken by a directory, which
# stops root as well as anyone); that OBE must not answer with the counter it could not
# save: it goes silent with one error line, the other OBE goes on, and efc-obe exits 1 when
# stopped. After a restart with the state writable, the counters go on from the last one
# revealed: efc-issuer flags no duplicate, no backward step and no gap, in AutoPASS (TC)
# and EN 15509 (EquipmentStatus counter). At start efc-obe removes the temporaries of
# state writers that are gone and leaves those of a live one.
# efc-rse --verbose shows what the silenced OBE's last passage heard.
# usage: obe_durability.sh BIN_DIR
BIN=$1
. "$(dirname "$0")/lib.sh"
efc_workdir
efc_keys 2
S="$WORK/state"
DAY=1764547200
C="$WORK/claims.jsonl"

rse() { # rse PROFILE PASSAGES OUT
  DAY=$((DAY + 86400))
  "$BIN/efc-rse" --profile "$1" --keys "$WORK/op.eok" --pass-file "$WORK/op.pass" --obe "$OBE_ADDR" \
    --passages "$2" --claims "$C" --seed 7 --start $DAY --verbose >"$3" 2>"$3.err" ||
    fail "efc-rse --profile $1: status $?"
}
claims_of() { grep -c "\"obuid\":\"$1\"" "$C" || true; }

for p in autopass en15509-l1; do
  rm -rf "$S"
  : >"$C"
  # 1. Both OBEs pass with their state written.
  efc_obe_start "obe-$p-1" $(efc_obe_profiles 2) --state "$S" --seed 21
  rse $p 20 "$WORK/rse-$p-1.out"
  grep -q "^efc-rse: profile $p, 20 passages, 20 successful" "$WORK/rse-$p-1.out" ||
    fail "$p run 1: $(head -1 "$WORK/rse-$p-1.out")"
  [ -f "$S/10000001.state" ] && [ -f "$S/10000002.state" ] || fail "$p: an OBE had no passage in run 1"
  before1=$(claims_of 10000001)
  # 2. OBE 10000001's state file becomes unwritable while efc-obe runs.
  mv "$S/10000001.state" "$WORK/saved.state"
  mkdir "$S/10000001.state"
  rse $p 20 "$WORK/rse-$p-2.out"
  grep -q "^efc-obe: OBE 10000001: .*10000001.state: .*its state is not durable: it answers no more" \
    "$WORK/obe-$p-1.log" || fail "$p: no error line for the failed state write: $(tail -3 "$WORK/obe-$p-1.log")"
  [ "$(grep -c "state is not durable" "$WORK/obe-$p-1.log")" -eq 1 ] || fail "$p: more than one error line"
  # No claim of the OBE whose state failed, the other OBE served every later passage.
  [ "$(claims_of 10000001)" -eq "$before1" ] || fail "$p: OBE 10000001 answered after its state failed"
  grep -q "^efc-rse: profile $p, 20 passages, 19 successful" "$WORK/rse-$p-2.out" ||
    fail "$p run 2: $(head -1 "$WORK/rse-$p-2.out")"
  # The passage it was in failed with the command that changed its state unanswered: the
  # answer carrying (AutoPASS) or confirming (EN 15509 SET) the unsaved counter never left.
  if [ $p = autopass ]; then cmd=GET_SECURE; else cmd=SET; fi
  grep ': failed, ' "$WORK/rse-$p-2.out.err" | grep -q " $cmd\.rq\$" ||
    fail "$p: the failed passage: $(grep ': failed, ' "$WORK/rse-$p-2.out.err")"
  grep ': failed, ' "$WORK/rse-$p-2.out.err" | grep -q " $cmd\.rs" && fail "$p: $cmd answered after the failed write"
  # Stopped, it says so and exits 1.
  kill -TERM "$OBE_PID"
  st=0
  wait "$OBE_PID" || st=$?
  [ $st -eq 1 ] || fail "$p: efc-obe with a silenced OBE exited $st, expected 1"
  grep -q "^efc-obe: stopped: .*, 1 OBE(s) silenced: state not durable$" "$WORK/obe-$p-1.log" ||
    fail "$p: $(tail -1 "$WORK/obe-$p-1.log")"
  # 3. Writable again, with the temporaries of a killed writer (PID above any pid_max) and
  # of a live one (this shell) beside the state files.
  rmdir "$S/10000001.state"
  mv "$WORK/saved.state" "$S/10000001.state"
  : >"$S/10000001.state.tmp.99999999.0"
  : >"$S/10000002.state.tmp.$$.0"
  efc_obe_start "obe-$p-2" $(efc_obe_profiles 2) --state "$S" --seed 22
  [ ! -e "$S/10000001.state.tmp.99999999.0" ] || fail "$p: the stale temporary is still there"
  [ -e "$S/10000002.state.tmp.$$.0" ] || fail "$p: the temporary of a live writer was removed"
  rm -f "$S/10000002.state.tmp.$$.0"
  rse $p 20 "$WORK/rse-$p-3.out"
  grep -q "^efc-rse: profile $p, 20 passages, 20 successful" "$WORK/rse-$p-3.out" ||
    fail "$p run 3: $(head -1 "$WORK/rse-$p-3.out")"
  [ "$(claims_of 10000001)" -gt "$before1" ] || fail "$p: OBE 10000001 had no passage after the restart"
  efc_obe_stop
  [ -z "$(ls "$S" | grep '\.tmp\.' || true)" ] || fail "$p: temporaries left: $(ls "$S")"

  # Every counter once, in order, with no gap: the value the silenced OBE could not save
  # was never revealed, so it is the next one after the restart.
  for i in 1 2; do
    if [ $p = autopass ]; then key=tc; else key=counter; fi
    vals=$(grep "\"obuid\":\"1000000$i\"" "$C" | sed -n "s/.*\"$key\":\\([0-9]*\\),.*/\\1/p" | tr '\n' ' ')
    k=$(echo $vals | wc -w)
    first=$([ $p = autopass ] && echo 1 || echo 0)
    [ "$vals" = "$(seq -s ' ' $first $((first + k - 1))) " ] || fail "$p: OBE $i counters: $vals"
  done
  EFC_KEYSTORE_PASS= "$BIN/efc-issuer" verify --keystore "$WORK/ks.eks" --pass-file "$WORK/ks.pass" \
    --claims "$C" --db "$WORK/$p.db" >"$WORK/issuer-$p.out" || fail "efc-issuer: status $?"
  n=$(wc -l <"$C")
  grep -q "^verified sound  *$n " "$WORK/issuer-$p.out" || fail "$p: efc-issuer: $(grep sound "$WORK/issuer-$p.out")"
  grep -q "^flagged claims: 0$" "$WORK/issuer-$p.out" ||
    fail "$p: efc-issuer flagged: $(grep -A5 flagged "$WORK/issuer-$p.out")"
  echo "obe_durability: $p: $n claims, the silenced OBE answered none after its failed write, no flag"
done
