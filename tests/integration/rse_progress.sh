#!/bin/bash
# Issue 15, points 1, 12 and 14: efc-rse against efc-obe always makes progress. At BER 1e-4
# and 3e-4, in virtual time and with --realtime, every passage asked for ends, as a success
# or as a counted failure, within a hang guard; an OBE that goes silent turns the passages
# left into counted "no OBE" failures; with no host at all efc-rse stops with a one-line
# error and exit 1 after --max-idle-s.
# usage: rse_progress.sh BIN_DIR [VIRTUAL_PASSAGES] [REALTIME_PASSAGES]
BIN=$1
NV=${2:-100}
NR=${3:-10}
. "$(dirname "$0")/lib.sh"
efc_workdir
efc_keys 1
P=en15509-l1
# The hang guard: far beyond what a run takes (under a second in virtual time, a few in
# real time), so that only a run that stops making progress meets it, even under the
# sanitizers on a loaded machine.
GUARD=180

# check_run NAME N: efc-rse's output NAME.out / NAME.err of a run of N passages with --verbose:
# exit 0, N passages in the summary, and as many passage lines (a LID's done or failed, or
# "no OBE"), successes and failures adding up.
check_run() {
  local name=$1 n=$2 lines ok failed noobe sum
  lines=$(grep -c '^efc-rse: \(LID [0-9A-F]*: \(done\|failed\)\|no OBE: failed\),' "$WORK/$name.err" || true)
  [ "$lines" -eq "$n" ] || fail "$name: $lines passage lines, expected $n: $(tail -3 "$WORK/$name.err")"
  sum=$(sed -n 's/^efc-rse: profile [a-z0-9-]*, \([0-9]*\) passages, \([0-9]*\) successful, [0-9]* retries, \([0-9]*\) failed (\([0-9]*\) retries exhausted or no progress, \([0-9]*\) no OBE), \([0-9]*\) photograph or reject$/\1 \2 \3 \4 \5 \6/p' "$WORK/$name.out")
  [ -n "$sum" ] || fail "$name: no summary: $(cat "$WORK/$name.out")"
  set -- $sum
  [ "$1" -eq "$n" ] || fail "$name: summary says $1 passages, expected $n"
  [ $(($2 + $3 + $6)) -eq "$n" ] || fail "$name: $2 successful + $3 failed + $6 other != $n"
  [ $(($4 + $5)) -eq "$3" ] || fail "$name: failures $4 + $5 != $3"
  ok=$(grep -c '^efc-rse: LID [0-9A-F]*: done, pass,' "$WORK/$name.err" || true)
  failed=$(grep -c '^efc-rse: LID [0-9A-F]*: failed,' "$WORK/$name.err" || true)
  noobe=$(grep -c '^efc-rse: no OBE: failed,' "$WORK/$name.err" || true)
  [ "$ok" -eq "$2" ] && [ "$failed" -eq "$4" ] && [ "$noobe" -eq "$5" ] ||
    fail "$name: --verbose shows $ok pass, $failed failed, $noobe no OBE; the summary $2, $4, $5"
}

# rse NAME N ARGS...: efc-rse under the hang guard, against $OBE_ADDR.
rse() {
  local name=$1 n=$2 t0 rc=0
  shift 2
  t0=$(date +%s.%N)
  timeout -s KILL $GUARD "$BIN/efc-rse" --profile $P --keys "$WORK/op.eok" --pass-file "$WORK/op.pass" \
    --obe "$OBE_ADDR" --passages "$n" --verbose "$@" >"$WORK/$name.out" 2>"$WORK/$name.err" || rc=$?
  [ $rc -ne 137 ] || fail "$name: no end within $GUARD s: $(grep -c '^efc-rse: ' "$WORK/$name.err") passage lines"
  [ $rc -eq 0 ] || fail "$name: status $rc: $(tail -2 "$WORK/$name.err")"
  echo "$name: $(head -1 "$WORK/$name.out" | sed 's/^efc-rse: //'); $(awk -v a="$t0" -v b="$(date +%s.%N)" 'BEGIN { printf "%.1f s", b - a }')"
}

efc_obe_start obe --profile "$WORK/obe1.eop" --state "$WORK/state"
for ber in 1e-4 3e-4; do
  rse "virtual-$ber" "$NV" --ber $ber
  check_run "virtual-$ber" "$NV"
  rse "realtime-$ber" "$NR" --ber $ber --realtime
  check_run "realtime-$ber" "$NR"
done
efc_obe_stop

# An OBE that goes silent after its first passage (released, and not re-armed within the
# run): the passages left end as "no OBE" after --zone-ms each, in both clocks.
for mode in virtual realtime; do
  extra=""
  [ $mode = realtime ] && extra=--realtime
  efc_obe_start "silent-$mode" --profile "$WORK/obe1.eop" --rearm-ms 100000000
  rse "silent-$mode" 4 --zone-ms 300 $extra
  check_run "silent-$mode" 4
  # The first passage is the OBE's (it may fail on the wall clock of a loaded machine).
  grep -q ', 4 passages, [01] successful, [0-9]* retries, [34] failed ([01] retries exhausted or no progress, 3 no OBE),' \
    "$WORK/silent-$mode.out" ||
    fail "silent-$mode: $(head -1 "$WORK/silent-$mode.out")"
  efc_obe_stop
done

# The stall of issue 15, point 14, as the report saw it: efc-obe's stderr is a pipe nobody
# reads (a harness that captures it). A blocking log would fill the pipe after about 600
# sessions (64 KiB of "released" lines) and hold the whole host; efc-obe writes its log to
# a pipe without blocking and counts the lines it drops, so every one of 700 passages
# ends. (efc-rse's --max-idle-s, which would end a run against a host that hangs, is
# tested below with no host at all.)
mkfifo "$WORK/obe.fifo"
"$BIN/efc-obe" --listen 127.0.0.1:0 --pass-file "$WORK/obe.pass" --profile "$WORK/obe1.eop" 2>"$WORK/obe.fifo" &
OBE_PID=$!
EFC_PIDS="$EFC_PIDS $OBE_PID"
exec 3<"$WORK/obe.fifo"
IFS= read -r line <&3 # its first line, where it listens; the rest stays unread
OBE_ADDR=${line##* listening on }
[ "$OBE_ADDR" != "$line" ] || fail "efc-obe with a pipe for stderr: $line"
rc=0
timeout -s KILL $GUARD "$BIN/efc-rse" --profile $P --keys "$WORK/op.eok" --pass-file "$WORK/op.pass" \
  --obe "$OBE_ADDR" --passages 700 --max-idle-s 5 >"$WORK/pipe.out" 2>"$WORK/pipe.err" || rc=$?
[ $rc -ne 137 ] || fail "efc-obe blocked on its log: efc-rse did not end within $GUARD s"
done=$(sed -n 's/^efc-rse: profile [a-z0-9-]*, \([0-9]*\) passages, \([0-9]*\) successful.*/\1 \2/p' "$WORK/pipe.out")
[ $rc -eq 0 ] && [ "${done% *}" = 700 ] ||
  fail "efc-obe with an unread log: status $rc after '$done' passages: $(cat "$WORK/pipe.err")"
[ "${done#* }" -ge 690 ] || fail "efc-obe with an unread log: only ${done#* } of 700 successful"
echo "efc-obe with an unread log: all 700 passages ended, ${done#* } successful"
# Stopped, it says how many lines the pipe could not take (the last lines block again).
kill -TERM "$OBE_PID"
last=$(timeout 20 cat <&3 | tail -1)
exec 3<&-
case $last in
  *"session lines dropped (stderr not read)") ;;
  *) fail "efc-obe's last line does not count the dropped log lines: $last" ;;
esac
kill "$OBE_PID" 2>/dev/null || true

# No host at all (efc-obe's port, once it has stopped): a one-line error after
# --max-idle-s, exit 1, in both clocks.
efc_obe_start gone --profile "$WORK/obe1.eop"
efc_obe_stop
for mode in virtual realtime; do
  extra=""
  [ $mode = realtime ] && extra=--realtime
  rc=0
  timeout -s KILL $GUARD "$BIN/efc-rse" --profile $P --keys "$WORK/op.eok" --pass-file "$WORK/op.pass" \
    --obe "$OBE_ADDR" --passages 3 --max-idle-s 1 $extra >"$WORK/gone.out" 2>"$WORK/gone.err" || rc=$?
  [ $rc -eq 1 ] || fail "no host ($mode): status $rc, expected 1"
  [ "$(wc -l <"$WORK/gone.err")" -eq 1 ] || fail "no host ($mode): $(cat "$WORK/gone.err")"
  grep -q "^efc-rse: no answer from the --obe hosts for 1 s (--max-idle-s): is efc-obe running there? stopped after 0 passages of those asked for$" \
    "$WORK/gone.err" || fail "no host ($mode): $(cat "$WORK/gone.err")"
  grep -q ', 0 passages, ' "$WORK/gone.out" || fail "no host ($mode): $(head -1 "$WORK/gone.out")"
done

# A host that answers every downlink with done and no OBE behind it (an empty lane): every
# passage a "no OBE", and exit 1, for no OBE took part. The host is a few lines of Python
# speaking docs/datagram.md.
if command -v python3 >/dev/null 2>&1; then
  : >"$WORK/empty.log"
  python3 - "$WORK/empty.log" <<'PY' &
import socket, struct, sys
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.bind(("127.0.0.1", 0))
with open(sys.argv[1], "w") as f:
    print("listening on 127.0.0.1:%d" % s.getsockname()[1], file=f, flush=True)
seq = 0
while True:
    d, peer = s.recvfrom(2048)
    if len(d) < 36 or d[:4] != b"EFCD" or d[5] != 1:
        continue
    seq += 1
    # done: kind 3, the downlink's lane, ref = its seq, time = its time, no uplinks
    s.sendto(b"EFCD" + struct.pack(">BBBBII", 1, 3, d[6], 0, seq, struct.unpack(">I", d[8:12])[0]) +
             d[16:24] + bytes(12), peer)
PY
  EFC_PIDS="$EFC_PIDS $!"
  for i in $(seq 1 100); do
    OBE_ADDR=$(sed -n 's/^listening on //p' "$WORK/empty.log")
    [ -n "$OBE_ADDR" ] && break
    sleep 0.05
  done
  [ -n "$OBE_ADDR" ] || fail "the empty host did not start"
  for mode in virtual realtime; do
    extra=""
    [ $mode = realtime ] && extra=--realtime
    rc=0
    timeout -s KILL $GUARD "$BIN/efc-rse" --profile $P --keys "$WORK/op.eok" --pass-file "$WORK/op.pass" \
      --obe "$OBE_ADDR" --passages 2 --zone-ms 200 --verbose $extra >"$WORK/empty.out" 2>"$WORK/empty.err" || rc=$?
    [ $rc -eq 1 ] || fail "empty lane ($mode): status $rc, expected 1: $(tail -1 "$WORK/empty.err")"
    grep -q '^efc-rse: no OBE took part in any passage$' "$WORK/empty.err" ||
      fail "empty lane ($mode): $(tail -1 "$WORK/empty.err")"
    grep -q ', 2 passages, 0 successful, 0 retries, 2 failed (0 retries exhausted or no progress, 2 no OBE),' \
      "$WORK/empty.out" || fail "empty lane ($mode): $(head -1 "$WORK/empty.out")"
    [ "$(grep -c '^efc-rse: no OBE: failed, no session within 200 ms$' "$WORK/empty.err")" -eq 2 ] ||
      fail "empty lane ($mode): $(cat "$WORK/empty.err")"
  done
fi
echo "rse_progress: every passage ended at BER 1e-4 and 3e-4 in both clocks; silent OBEs, empty lanes and absent hosts end the run"
