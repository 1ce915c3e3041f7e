#!/bin/bash
# Issue 15, point 9: one passphrase rule for every program. A 300-character passphrase
# (beyond the 255 efc-obe and efc-rse once cut at) given to efc-keymgmt by file or by
# environment opens the OBE profile in efc-obe and the operator key file in efc-rse, by file
# and by environment, and they run passages; its first 255 characters do not open them
# (nobody cuts it); a two-line passphrase is whole (nobody stops at the first line); and an
# environment value too long for any program is called too long, not "no passphrase".
# usage: passphrase.sh BIN_DIR
BIN=$1
. "$(dirname "$0")/lib.sh"
efc_workdir
LONG=$(printf 'p%.0s' $(seq 1 300))
[ ${#LONG} -eq 300 ] || fail "the test passphrase has ${#LONG} characters"
printf '%s\n' "$LONG" >"$WORK/long.pass"
printf '%s\n' "${LONG:0:255}" >"$WORK/cut.pass"
printf 'first line\nsecond line\n' >"$WORK/two.pass"
printf 'first line\n' >"$WORK/first.pass"
K=(--keystore "$WORK/ks.eks" --pass-file "$WORK/ks.pass")

"$BIN/efc-keymgmt" init "${K[@]}" >/dev/null
pers() { # pers OBUID OUT [ARGS...]
  local id=$1 out=$2
  shift 2
  "$BIN/efc-keymgmt" personalise "${K[@]}" --obuid "$id" --pan "9999000000${id:6:2}01FFFFFF" --provider NO:1 \
    --profiles autopass,en15509-l1 --out "$WORK/$out" "$@" >/dev/null || fail "personalise $out: status $?"
}
pers 10000001 file.eop --out-pass-file "$WORK/long.pass"
EFC_OBE_PASS=$LONG pers 10000002 env.eop
pers 10000003 two.eop --out-pass-file "$WORK/two.pass"
"$BIN/efc-keymgmt" export-operator "${K[@]}" --generation 1 --out "$WORK/file.eok" \
  --out-pass-file "$WORK/long.pass" >/dev/null || fail "export-operator by file: status $?"
EFC_OPERATOR_PASS=$LONG "$BIN/efc-keymgmt" export-operator "${K[@]}" --generation 1 --out "$WORK/env.eok" \
  >/dev/null || fail "export-operator by environment: status $?"

DAY=1764547200
rse() { # rse OUT ARGS...: two passages, both successful
  local out=$1
  shift
  DAY=$((DAY + 86400))
  "$BIN/efc-rse" --profile autopass --obe "$OBE_ADDR" --passages 2 --seed 3 --start $DAY "$@" >"$WORK/$out" ||
    fail "efc-rse $out: status $?"
  grep -q "^efc-rse: profile autopass, 2 passages, 2 successful" "$WORK/$out" || fail "efc-rse $out: $(head -1 "$WORK/$out")"
}
# efc_obe_start gives --pass-file obe.pass: the long one by file here, by environment
# with no file at all below.
cp "$WORK/long.pass" "$WORK/obe.pass"
efc_obe_start obe-file --profile "$WORK/file.eop" --profile "$WORK/env.eop"
rse rse-file --keys "$WORK/file.eok" --pass-file "$WORK/long.pass"
EFC_OPERATOR_PASS=$LONG rse rse-env --keys "$WORK/env.eok"
efc_obe_stop

EFC_OBE_PASS=$LONG "$BIN/efc-obe" --listen 127.0.0.1:0 --profile "$WORK/file.eop" --profile "$WORK/env.eop" \
  2>"$WORK/obe-env.log" &
OBE_PID=$!
EFC_PIDS="$EFC_PIDS $OBE_PID"
for i in $(seq 1 100); do
  OBE_ADDR=$(sed -n 's/^efc-obe: .* listening on \(.*\)$/\1/p' "$WORK/obe-env.log")
  [ -n "$OBE_ADDR" ] && break
  kill -0 "$OBE_PID" 2>/dev/null || fail "efc-obe with EFC_OBE_PASS: $(cat "$WORK/obe-env.log")"
  sleep 0.05
done
[ -n "$OBE_ADDR" ] || fail "efc-obe with EFC_OBE_PASS did not start"
rse rse-env2 --keys "$WORK/file.eok" --pass-file "$WORK/long.pass"
efc_obe_stop

# refused NAME WANT CMD...: exit 1 and one error line matching WANT.
refused() {
  local name=$1 want=$2 st=0
  shift 2
  "$@" >/dev/null 2>"$WORK/$name.err" || st=$?
  [ $st -eq 1 ] || fail "$name: status $st, expected 1: $(cat "$WORK/$name.err")"
  [ "$(wc -l <"$WORK/$name.err")" -eq 1 ] || fail "$name: not one line: $(cat "$WORK/$name.err")"
  grep -q -- "$want" "$WORK/$name.err" || fail "$name: $(cat "$WORK/$name.err")"
}
WRONG="wrong passphrase or corrupted file"
refused obe-cut "$WRONG" "$BIN/efc-obe" --listen 127.0.0.1:0 --profile "$WORK/file.eop" --pass-file "$WORK/cut.pass"
EFC_OBE_PASS=${LONG:0:255} refused obe-cut-env "$WRONG" "$BIN/efc-obe" --listen 127.0.0.1:0 --profile "$WORK/env.eop"
refused rse-cut "$WRONG" "$BIN/efc-rse" --profile autopass --keys "$WORK/file.eok" --pass-file "$WORK/cut.pass" \
  --obe 127.0.0.1:9 --passages 1
EFC_OPERATOR_PASS=${LONG:0:255} refused rse-cut-env "$WRONG" "$BIN/efc-rse" --profile autopass \
  --keys "$WORK/env.eok" --obe 127.0.0.1:9 --passages 1
refused obe-first-line "$WRONG" "$BIN/efc-obe" --listen 127.0.0.1:0 --profile "$WORK/two.eop" \
  --pass-file "$WORK/first.pass"
HUGE=$(printf 'h%.0s' $(seq 1 1100))
EFC_OBE_PASS=$HUGE refused obe-huge "EFC_OBE_PASS: passphrase longer than" "$BIN/efc-obe" --listen 127.0.0.1:0 \
  --profile "$WORK/env.eop"
EFC_OPERATOR_PASS=$HUGE refused rse-huge "EFC_OPERATOR_PASS: passphrase longer than" "$BIN/efc-rse" \
  --profile autopass --keys "$WORK/env.eok" --obe 127.0.0.1:9 --passages 1

# The two-line passphrase, whole, opens its profile.
cp "$WORK/two.pass" "$WORK/obe.pass"
efc_obe_start obe-two --profile "$WORK/two.eop"
efc_obe_stop
echo "passphrase: 300 characters by file and environment through efc-keymgmt, efc-obe and efc-rse; cut, first-line and too-long refused"
