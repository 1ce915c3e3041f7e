#!/bin/bash
# Issue 15, points 1, 2, 7 and 11: nothing lost silently. Writes made to fail for real -- a
# file size limit (ulimit -f with SIGXFSZ ignored: write() fails with EFBIG as a full disk
# fails it with ENOSPC), /dev/full, a FIFO, a symbolic link to /dev/null -- against every
# program that writes claims, captures, outputs, key files or a status list: exit status 1,
# one line on stderr naming the file, no file that looks complete and no temporary left, and
# a special file at the output path left as it was. Then the temporaries of killed writers
# (a real crash between fsync and rename, and made-up ones of a dead process) are swept at
# the next start, and those of a live process are not.
# usage: outputs.sh BIN_DIR
BIN=$1
. "$(dirname "$0")/lib.sh"
efc_workdir
efc_keys 1
cd "$WORK"

# limited KIB CMD...: CMD with files limited to KIB KiB, SIGXFSZ ignored (a write fails with
# EFBIG, as on a full disk). Its status is returned.
limited() {
  local kib=$1
  shift
  (
    ulimit -f "$kib"
    trap '' XFSZ
    exec "$@"
  )
}

# expect_fail NAME STATUS ERRFILE PATTERN: status 1 and exactly one line on stderr matching
# PATTERN (a regular expression).
expect_fail() {
  local name=$1 st=$2 errf=$3 pat=$4
  [ "$st" = 1 ] || fail "$name: exit $st, want 1 ($(cat "$errf"))"
  [ "$(grep -c -- "$pat" "$errf")" = 1 ] || fail "$name: stderr does not say '$pat' once: $(cat "$errf")"
  echo "$name: $(grep -- "$pat" "$errf")"
}

# no_tmp DIR: no temporary of the file library (NAME.tmp.PID.N) in DIR.
no_tmp() {
  local left
  left=$(ls -a "$1" | grep '\.tmp\.[0-9]*\.[0-9]*$' || true)
  [ -z "$left" ] || fail "temporaries left in $1: $left"
}

# dead_pid: the ID of a process that has exited.
dead_pid() {
  sh -c 'exit 0' &
  local p=$!
  wait $p
  echo $p
}

RSE=("$BIN/efc-rse" --profile autopass --keys op.eok --pass-file op.pass --seed 5)
efc_obe_start obe $(efc_obe_profiles 1) --seed 9

# --- point 1: efc-rse's claims ----------------------------------------------------------------
# /dev/full is a device: refused at the start, the device untouched.
st=0
"${RSE[@]}" --obe "$OBE_ADDR" --passages 3 --claims /dev/full >rse.out 2>rse.err || st=$?
expect_fail "efc-rse --claims /dev/full" $st rse.err "^efc-rse: /dev/full: exists and is not a regular file"
[ -c /dev/full ] || fail "/dev/full is no longer a character device"

# A claim that cannot be written stops the run: the claims written before it stay, each
# one whole and synced, and the run never exits 0.
st=0
limited 4 "${RSE[@]}" --obe "$OBE_ADDR" --passages 40 --claims claims.jsonl >rse.out 2>rse.err || st=$?
expect_fail "efc-rse --claims (file size limit)" $st rse.err "^efc-rse: claims.jsonl: cannot write: File too large$"
whole=$(grep -c '^{.*}$' claims.jsonl || true)
[ "$whole" -ge 1 ] && [ "$whole" -lt 40 ] || fail "$whole whole claims of 40 passages in claims.jsonl"
passages=$(sed -n 's/^efc-rse: profile autopass, \([0-9]*\) passages.*/\1/p' rse.out)
[ "${passages:-40}" -lt 40 ] || fail "efc-rse went on after a claim was lost: $(head -1 rse.out)"
# The journal mends a cut last line at its next opening; the next claims start clean.
"${RSE[@]}" --obe "$OBE_ADDR" --passages 2 --claims claims.jsonl >rse.out 2>rse.err ||
  fail "efc-rse after the failed run: exit $? ($(cat rse.err))"
[ "$(tail -c 1 claims.jsonl | od -An -c | tr -d ' ')" = '\n' ] || fail "claims.jsonl does not end with a line end"
[ "$(grep -c '^{.*}$' claims.jsonl)" = $((whole + 2)) ] || fail "the two new claims are not whole lines"

# --- point 1: captures ------------------------------------------------------------------------
st=0
"${RSE[@]}" --obe "$OBE_ADDR" --passages 2 --pcap /dev/full >rse.out 2>rse.err || st=$?
expect_fail "efc-rse --pcap /dev/full" $st rse.err "^efc-rse: /dev/full: exists and is not a regular file"
st=0
limited 4 "${RSE[@]}" --obe "$OBE_ADDR" --passages 20 --pcap rse.pcap >rse.out 2>rse.err || st=$?
expect_fail "efc-rse --pcap (file size limit)" $st rse.err "^efc-rse: rse.pcap: .*cannot write"
[ ! -e rse.pcap ] || fail "efc-rse left rse.pcap after its capture failed"
no_tmp .

st=0
"$BIN/efc-scenario" trace --profile aes --pcap /dev/full >trace.out 2>trace.err || st=$?
expect_fail "efc-scenario trace --pcap /dev/full" $st trace.err "^efc-scenario: /dev/full: exists and is not a regular file"
st=0
limited 1 "$BIN/efc-scenario" trace --profile aes --pcap trace.pcap >trace.out 2>trace.err || st=$?
expect_fail "efc-scenario trace --pcap (file size limit)" $st trace.err "^efc-scenario: trace.pcap: .*cannot write"
[ ! -e trace.pcap ] || fail "trace left trace.pcap after its capture failed"
no_tmp .

printf 'name: small\nseed: 3\nrse:\n  profiles: [autopass]\ntraffic:\n  speeds_kmh: [60]\n  passages: 20\nfleet:\n  - {profile: autopass, mcu: modern, share: 1}\n' >small.yaml
"$BIN/efc-scenario" run small.yaml --out ok --threads 1 --no-plots >run.out 2>run.err ||
  fail "efc-scenario run small.yaml: exit $? ($(cat run.err))"
st=0
limited 8 "$BIN/efc-scenario" run small.yaml --out run1 --threads 1 --no-plots --pcap run.pcap >run.out 2>run.err ||
  st=$?
expect_fail "efc-scenario run --pcap (file size limit)" $st run.err "^efc-scenario: run.pcap: .*cannot write"
[ ! -e run.pcap ] || fail "run left run.pcap after its capture failed"
[ ! -e run1/summary.json ] || fail "run left a summary.json after its capture failed"
no_tmp .
no_tmp run1

# --- point 2: outputs and stdout --------------------------------------------------------------
size=$(($(wc -c <ok/passages.csv) / 1024))
st=0
limited $((size / 2)) "$BIN/efc-scenario" run small.yaml --out run2 --threads 1 --no-plots >run.out 2>run.err || st=$?
expect_fail "efc-scenario run (file size limit)" $st run.err "^efc-scenario: run2/passages.csv: cannot write"
[ -z "$(ls run2)" ] || fail "a failed run left files: $(ls run2)"
st=0
"$BIN/efc-scenario" run small.yaml --out run3 --threads 1 --no-plots >/dev/full 2>run.err || st=$?
expect_fail "efc-scenario run >/dev/full" $st run.err "^efc-scenario: standard output: cannot write"
st=0
"$BIN/efc-scenario" trace --profile autopass >/dev/full 2>trace.err || st=$?
expect_fail "efc-scenario trace >/dev/full" $st trace.err "^efc-scenario: standard output: cannot write"
st=0
"${RSE[@]}" --obe "$OBE_ADDR" --passages 1 >/dev/full 2>rse.err || st=$?
expect_fail "efc-rse >/dev/full" $st rse.err "^efc-rse: standard output: cannot write"

efc_obe_stop
# efc-obe: a capture that cannot be written stops the daemon (exit 1), none left behind.
efc_obe_start obe2 $(efc_obe_profiles 1) --seed 9 --pcap "$WORK/obe.pcap"
timeout 60 "${RSE[@]}" --obe "$OBE_ADDR" --passages 1 >/dev/null 2>&1 || fail "efc-rse with efc-obe --pcap: exit $?"
efc_obe_stop
[ -s obe.pcap ] || fail "efc-obe wrote no capture"
rm obe.pcap
# The limit applies to efc-obe alone: the helper's shell runs it.
: >obe3.log
(
  ulimit -f 1
  trap '' XFSZ
  exec "$BIN/efc-obe" --listen 127.0.0.1:0 --pass-file obe.pass $(efc_obe_profiles 1) --seed 9 --pcap obe.pcap
) 2>obe3.log &
OBE_PID=$!
EFC_PIDS="$EFC_PIDS $OBE_PID"
for i in $(seq 1 100); do
  OBE_ADDR=$(sed -n 's/^efc-obe: .* listening on \(.*\)$/\1/p' obe3.log)
  [ -n "$OBE_ADDR" ] && break
  sleep 0.05
done
[ -n "$OBE_ADDR" ] || fail "efc-obe did not start: $(cat obe3.log)"
timeout 20 "${RSE[@]}" --obe "$OBE_ADDR" --passages 1 >/dev/null 2>&1 || true
kill -TERM $OBE_PID 2>/dev/null || true
st=0
wait $OBE_PID || st=$?
expect_fail "efc-obe --pcap (file size limit)" $st obe3.log "^efc-obe: obe.pcap: .*cannot write"
[ ! -e obe.pcap ] || fail "efc-obe left obe.pcap after its capture failed"
no_tmp .

# --- point 7: special files at an output path stay as they were --------------------------------
"$BIN/efc-issuer" verify --keystore ks.eks --pass-file ks.pass --claims claims.jsonl --db claims.db \
  >verify.out 2>verify.err || fail "efc-issuer verify: exit $? ($(cat verify.err))"
mkfifo fifo
ln -s /dev/null devnull
for target in fifo devnull /dev/full; do
  st=0
  "$BIN/efc-issuer" statuslist --db claims.db --out $target >sl.out 2>sl.err || st=$?
  expect_fail "efc-issuer statuslist --out $target" $st sl.err "^efc-issuer: $target: exists and is not a regular file"
  st=0
  "$BIN/efc-keymgmt" export-operator --keystore ks.eks --pass-file ks.pass --out-pass-file op.pass \
    --generation 1 --force --out $target >ex.out 2>ex.err || st=$?
  expect_fail "efc-keymgmt export-operator --force --out $target" $st ex.err "$target: exists and is not a regular file"
done
[ -p fifo ] || fail "the FIFO was replaced"
[ -L devnull ] && [ "$(readlink devnull)" = /dev/null ] || fail "the symbolic link was replaced"
[ -c /dev/full ] && [ -c /dev/null ] || fail "a device node was replaced"
no_tmp .

# --- point 11: temporaries of killed writers are swept at the next start -----------------------
# A real crash between the temporary's fsync and its rename (the file library's test hook).
st=0
EFC_TEST_CRASH_BEFORE_RENAME=1 "$BIN/efc-scenario" trace --profile autopass --pcap crash.pcap >/dev/null 2>&1 || st=$?
[ $st = 99 ] || fail "the crash hook did not fire (exit $st)"
[ ! -e crash.pcap ] || fail "a crash before the rename left crash.pcap"
[ -n "$(ls | grep '^crash\.pcap\.tmp\.')" ] || fail "the crash left no temporary to sweep"
"$BIN/efc-scenario" trace --profile autopass --pcap crash.pcap >/dev/null || fail "trace after the crash: exit $?"
[ -s crash.pcap ] || fail "no crash.pcap after the rerun"
[ -z "$(ls | grep '^crash\.pcap\.tmp\.')" ] || fail "the crashed trace's temporary was not swept"

# Made-up temporaries of a dead process beside each kind of output, and one of a live one.
dead=$(dead_pid)
mkdir -p ok
for f in ks.eks.tmp.$dead.0 op.eok.tmp.$dead.1 list.txt.tmp.$dead.0 crash.pcap.tmp.$dead.0 \
  ok/passages.csv.tmp.$dead.0 ok/summary.json.tmp.$dead.3 ok/failure_vs_speed.svg.tmp.$dead.0; do
  echo stale >"$f"
done
echo live >ks.eks.tmp.$$.0
"$BIN/efc-keymgmt" rotate --keystore ks.eks --pass-file ks.pass --autopass-generation 1 >/dev/null 2>rot.err ||
  fail "efc-keymgmt rotate: exit $? ($(cat rot.err))"
"$BIN/efc-keymgmt" export-operator --keystore ks.eks --pass-file ks.pass --out-pass-file op.pass \
  --generation 1 --force --out op.eok >/dev/null || fail "efc-keymgmt export-operator: exit $?"
"$BIN/efc-issuer" statuslist --db claims.db --out list.txt >/dev/null || fail "efc-issuer statuslist: exit $?"
"$BIN/efc-scenario" trace --profile autopass --pcap crash.pcap >/dev/null || fail "trace: exit $?"
"$BIN/efc-scenario" run small.yaml --out ok --threads 1 --no-plots >/dev/null || fail "run: exit $?"
for f in ks.eks op.eok list.txt crash.pcap ok/passages.csv ok/summary.json ok/failure_vs_speed.svg; do
  [ ! -e "$f.tmp.$dead.0" ] && [ ! -e "$f.tmp.$dead.1" ] && [ ! -e "$f.tmp.$dead.3" ] ||
    fail "the temporary of dead process $dead beside $f was not swept"
done
[ -e ks.eks.tmp.$$.0 ] || fail "the temporary of a live process was swept"
rm ks.eks.tmp.$$.0
no_tmp .
no_tmp ok
echo "all held"
