# Shared setup for the integration tests: real processes over loopback UDP.
# Source it with BIN (the build's bin directory) set; every function fails the test loudly.
set -eu

fail() {
  echo "FAIL: $*" >&2
  exit 1
}

# A fresh work directory, removed at exit together with any process started by efc_obe_start.
efc_workdir() {
  WORK=$(mktemp -d "${TMPDIR:-/tmp}/efc-it.XXXXXX")
  EFC_PIDS=""
  trap 'for p in $EFC_PIDS; do kill "$p" 2>/dev/null || true; done; wait 2>/dev/null || true; rm -rf "$WORK"' EXIT
  printf 'keystore test passphrase\n' >"$WORK/ks.pass"
  printf 'obe test passphrase\n' >"$WORK/obe.pass"
  printf 'operator test passphrase\n' >"$WORK/op.pass"
}

# efc_keys N: an issuer keystore, N OBEs personalised for every profile (obe1.eop ..), and
# the toll charger's key file (op.eok). OBE i has OBUID 000000i0+i and PAN 9999 0000 000i.
efc_keys() {
  local n=$1 i
  "$BIN/efc-keymgmt" init --keystore "$WORK/ks.eks" --pass-file "$WORK/ks.pass" >/dev/null
  for i in $(seq 1 "$n"); do
    "$BIN/efc-keymgmt" personalise --keystore "$WORK/ks.eks" --pass-file "$WORK/ks.pass" \
      --out-pass-file "$WORK/obe.pass" --obuid "$(printf '%08X' $((0x10000000 + i)))" \
      --pan "$(printf '99990000%04dFFFFFFFF' "$i" | cut -c1-20)" --provider NO:1 \
      --profiles autopass,en15509-l0,en15509-l1,aes --vehicle-class 2 \
      --out "$WORK/obe$i.eop" >/dev/null
  done
  "$BIN/efc-keymgmt" export-operator --keystore "$WORK/ks.eks" --pass-file "$WORK/ks.pass" \
    --out-pass-file "$WORK/op.pass" --generation 1 --out "$WORK/op.eok" >/dev/null
}

# efc_obe_start NAME ARGS...: starts efc-obe on an ephemeral loopback port; sets OBE_ADDR and
# OBE_PID. Its stderr goes to $WORK/NAME.log.
efc_obe_start() {
  local name=$1 i
  shift
  # The log exists before the poll below reads it: under set -e a missing file would end
  # the test when the machine is slow to start the process.
  : >"$WORK/$name.log"
  "$BIN/efc-obe" --listen 127.0.0.1:0 --pass-file "$WORK/obe.pass" "$@" 2>"$WORK/$name.log" &
  OBE_PID=$!
  EFC_PIDS="$EFC_PIDS $OBE_PID"
  for i in $(seq 1 100); do
    OBE_ADDR=$(sed -n 's/^efc-obe: .* listening on \(.*\)$/\1/p' "$WORK/$name.log")
    [ -n "$OBE_ADDR" ] && return 0
    kill -0 "$OBE_PID" 2>/dev/null || fail "efc-obe $name exited: $(cat "$WORK/$name.log")"
    sleep 0.05
  done
  fail "efc-obe $name did not say where it listens"
}

# efc_obe_stop: SIGTERM, and the exit status must be 0 (state and capture flushed).
efc_obe_stop() {
  kill -TERM "$OBE_PID"
  wait "$OBE_PID" || fail "efc-obe did not stop cleanly (status $?)"
}

# The OBE profile arguments for efc-obe: --profile obe1.eop --profile obe2.eop ...
efc_obe_profiles() {
  local i
  for i in $(seq 1 "$1"); do printf -- '--profile %s ' "$WORK/obe$i.eop"; done
}
