#!/bin/bash
# efc-obe and efc-rse under 100,000 random and mutated datagrams each (efc-udp-storm): no
# crash, resident memory grown by less than RSS_BOUND_KB over the storm, every datagram
# read, then normal passages; SIGTERM stops each with status 0.
# Usage: daemons.sh BIN_DIR STORM_TOOL
BIN=$1
STORM=$2
. "$(cd "$(dirname "$0")" && pwd)/../integration/lib.sh"

N=${STORM_COUNT:-100000}
# Datagrams before the first measurement: the first sessions, the first of every kind of
# garbage, the allocator's first use of each size.
WARM=20000
# The daemons allocate nothing per datagram; efc-rse allocates per claim and frees it again.
# 2 MiB leaves room for the allocator's and libev's bookkeeping and the per-passage timing
# arrays efc-rse keeps for its summary.
RSS_BOUND_KB=2048
# Under AddressSanitizer, freed memory waits in a quarantine of up to 256 MB and every
# allocation's stack goes to a depot: efc-rse's per-claim allocations (jansson) then grow the
# resident set by megabytes that belong to the sanitizer. Without them the comparison measures
# the daemon; redzones, UBSan and the leak check at exit stay. No effect without ASan.
export ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}quarantine_size_mb=0:malloc_context_size=0"

status_kb() { sed -n "s/^$2:[[:space:]]*\([0-9]*\) kB$/\1/p" "/proc/$1/status"; }

# udp_drops PID: datagrams the kernel threw away at PID's UDP sockets because the receive
# buffer was full (the last column of /proc/net/udp). 0: the daemon read all it was sent.
udp_drops() {
  local inodes
  inodes=$(ls -l "/proc/$1/fd" | sed -n 's/.*socket:\[\([0-9]*\)\]$/\1/p' | tr '\n' ' ')
  awk -v list=" $inodes " 'FNR > 1 && index(list, " " $10 " ") { d += $NF } END { print d + 0 }' \
    /proc/net/udp /proc/net/udp6
}

# value KEY FILE: the number after KEY in efc-udp-storm's report.
value() { sed -n "s/^$1 \([0-9]*\)$/\1/p" "$2"; }

# alive PID WHAT LOG: the process is still there (it neither crashed nor exited).
alive() { kill -0 "$1" 2>/dev/null || fail "$2 died: $(tail -3 "$3")"; }

# rse_normal NAME ADDR: a normal efc-rse run of 3 passages against the 3 OBEs at ADDR.
rse_normal() {
  "$BIN/efc-rse" --profile en15509-l1 --keys "$WORK/op.eok" --pass-file "$WORK/op.pass" --obe "$2" \
    --passages 3 --claims "$WORK/claims.jsonl" > "$WORK/$1.out" 2> "$WORK/$1.err" ||
    fail "$1: efc-rse exit $?: $(cat "$WORK/$1.err")"
  grep -q "^efc-rse: profile en15509-l1, 3 passages, 3 successful," "$WORK/$1.out" ||
    fail "$1: $(head -1 "$WORK/$1.out")"
}

# storm NAME ARGS...: efc-udp-storm, its report in $WORK/NAME.out.
storm() {
  local name=$1
  shift
  "$STORM" "$@" > "$WORK/$name.out" 2> "$WORK/$name.err" ||
    fail "$name: efc-udp-storm exit $?: $(cat "$WORK/$name.err")"
  [ "$(value sent "$WORK/$name.out")" -ge "${COUNT:-$N}" ] || fail "$name: sent $(value sent "$WORK/$name.out")"
}

# rss_check WHAT BEFORE AFTER
rss_check() {
  [ $(($3 - $2)) -lt $RSS_BOUND_KB ] || fail "$1: resident memory grew from $2 kB to $3 kB over the storm"
}

efc_workdir
efc_keys 3
t0=$(date +%s.%N)

# --- efc-obe, stormed by a fake RSE --------------------------------------------------
efc_obe_start obe $(efc_obe_profiles 3) --seed 7
rse_normal obe-before "$OBE_ADDR"
COUNT=$WARM storm warm-obe --as rse --to "$OBE_ADDR" --count $WARM --seed 1
rss0=$(status_kb "$OBE_PID" VmRSS)
storm storm-obe --as rse --to "$OBE_ADDR" --count "$N" --seed 2
alive "$OBE_PID" efc-obe "$WORK/obe.log"
rss1=$(status_kb "$OBE_PID" VmRSS)
rss_check efc-obe "$rss0" "$rss1"
drops=$(udp_drops "$OBE_PID")
[ "$drops" = 0 ] || fail "efc-obe's socket dropped $drops datagrams: the storm outran it"
rse_normal obe-after "$OBE_ADDR"
hwm=$(status_kb "$OBE_PID" VmHWM)
efc_obe_stop
# The storm waited for the done of every downlink the host had to answer (it fails
# otherwise); the rest the host had to drop. With nothing dropped at the socket, efc-obe
# must have counted exactly those as bad: its normal passages send none.
rejects=$(($(value rejects "$WORK/warm-obe.out") + $(value rejects "$WORK/storm-obe.out")))
bad=$(sed -n 's/^efc-obe: stopped: [0-9]* downlinks, \([0-9]*\) bad datagrams ignored$/\1/p' "$WORK/obe.log")
[ -n "$bad" ] || fail "efc-obe printed no stop line: $(tail -2 "$WORK/obe.log")"
[ "$bad" = "$rejects" ] || fail "efc-obe ignored $bad bad datagrams, the storms sent $rejects"
stormbad=$(value rejects "$WORK/storm-obe.out")
[ "$stormbad" -gt $((N / 2)) ] || fail "only $stormbad of the storm's $N datagrams were bad ones"
t1=$(date +%s.%N)
echo "efc-obe: $(value sent "$WORK/storm-obe.out") datagrams, $stormbad bad ones ignored," \
  "$(value accepted "$WORK/storm-obe.out") answered with $(value uplinks "$WORK/storm-obe.out") uplinks;" \
  "RSS $rss0 -> $rss1 kB (peak $hwm kB), socket drops $drops"

# --- efc-rse, stormed by a fake OBE host ---------------------------------------------
# efc-rse takes datagrams only from its --obe addresses: the storm binds the address first,
# then efc-rse is pointed at it; after the storm a real efc-obe takes over the same address.
# The poll below reads the storm's stderr: it exists before the storm starts (set -e).
: >"$WORK/warm-rse.err"
"$STORM" --as obe --bind 127.0.0.1:0 --count $WARM --seed 3 --done-percent 98 \
  > "$WORK/warm-rse.out" 2> "$WORK/warm-rse.err" &
spid=$!
EFC_PIDS="$EFC_PIDS $spid"
for i in $(seq 1 100); do
  host=$(sed -n 's/^efc-udp-storm: posing as an OBE host on //p' "$WORK/warm-rse.err")
  [ -n "$host" ] && break
  sleep 0.05
done
[ -n "$host" ] || fail "efc-udp-storm did not say where it listens: $(cat "$WORK/warm-rse.err")"
"$BIN/efc-rse" --profile en15509-l1 --keys "$WORK/op.eok" --pass-file "$WORK/op.pass" --obe "$host" --forever \
  --timeout-ms 10 --seed 5 --verbose --claims "$WORK/storm-claims.jsonl" > "$WORK/rse.out" 2> "$WORK/rse.err" &
rpid=$!
EFC_PIDS="$EFC_PIDS $rpid"
wait "$spid" || fail "warm-up storm against efc-rse: exit $?: $(cat "$WORK/warm-rse.err")"
alive "$rpid" efc-rse "$WORK/rse.err"
rss0r=$(status_kb "$rpid" VmRSS)
storm storm-rse --as obe --bind "$host" --count "$N" --seed 4 --done-percent 98
alive "$rpid" efc-rse "$WORK/rse.err"
rss1r=$(status_kb "$rpid" VmRSS)
rss_check efc-rse "$rss0r" "$rss1r"
drops=$(udp_drops "$rpid")
[ "$drops" = 0 ] || fail "efc-rse's socket dropped $drops datagrams: the storm outran it"
# Each downlink comes after the step before it ended, so after efc-rse had read the barrage
# answering it: the storm's downlink count is the steps efc-rse took through the storm.
steps=$(value downlinks "$WORK/storm-rse.out")
[ "$steps" -gt 1000 ] || fail "efc-rse took only $steps steps during the storm"
storm_passages=$(grep -c '^efc-rse: LID ' "$WORK/rse.err" || true)
lines=$(wc -l < "$WORK/rse.err")

# The same efc-rse process, now against a real efc-obe on the storm's address: its next
# passages pass.
"$BIN/efc-obe" --listen "$host" --pass-file "$WORK/obe.pass" $(efc_obe_profiles 3) --seed 8 2> "$WORK/obe2.log" &
OBE_PID=$!
EFC_PIDS="$EFC_PIDS $OBE_PID"
for i in $(seq 1 200); do
  [ "$(tail -n +$((lines + 1)) "$WORK/rse.err" | grep -c ': done, pass')" -ge 3 ] && break
  alive "$OBE_PID" efc-obe "$WORK/obe2.log"
  sleep 0.05
done
passed=$(tail -n +$((lines + 1)) "$WORK/rse.err" | grep -c ': done, pass' || true)
[ "$passed" -ge 3 ] || fail "after the storm, the stormed efc-rse passed $passed passages of the real OBEs"
alive "$rpid" efc-rse "$WORK/rse.err"
rss2r=$(status_kb "$rpid" VmRSS)
hwmr=$(status_kb "$rpid" VmHWM)
kill -TERM "$rpid"
wait "$rpid" || fail "efc-rse did not stop cleanly after SIGTERM (status $?)"
summary=$(grep '^efc-rse: profile' "$WORK/rse.out" || true)
[ -n "$summary" ] || fail "efc-rse printed no summary after SIGTERM"
# and a fresh efc-rse, as any run after the storm would be
rse_normal rse-after "$host"
efc_obe_stop
t2=$(date +%s.%N)
echo "efc-rse: $(value sent "$WORK/storm-rse.out") datagrams over $steps steps;" \
  "$storm_passages passages attempted with the storm's OBEs, then $passed real ones passed;" \
  "RSS $rss0r -> $rss1r kB ($rss2r after the real passages, peak $hwmr kB), socket drops $drops"
echo "$summary"
awk -v a="$t0" -v b="$t1" -v c="$t2" \
  'BEGIN { printf "durations: efc-obe part %.1f s, efc-rse part %.1f s\n", b - a, c - b }'
