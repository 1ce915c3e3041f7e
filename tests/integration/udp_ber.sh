#!/bin/bash
# Issue 13, acceptance 4: efc-rse --ber against efc-obe over loopback UDP fails passages, and
# retries, as often as the simulator at the same bit error rate, and both as often as the
# retry model (tests/model) predicts. The OBE is personalised like the simulator's vehicle
# 0x00100001 (same PAN, plate, class and profile), so its frames have the simulator's
# sizes. Over UDP the bits really flip and the receiver's FCS decides (air_damage); in the
# simulator a frame fails with the probability those flips give.
# usage: udp_ber.sh BIN_DIR TESTS_BIN_DIR PASSAGES
BIN=$1
TBIN=$2
N=${3:-20000}
. "$(dirname "$0")/lib.sh"
efc_workdir
P=en15509-l0

"$BIN/efc-keymgmt" init --keystore "$WORK/ks.eks" --pass-file "$WORK/ks.pass" >/dev/null
# scenarios/src/world.c: PAN "2800" + the id in ten digits + "90001" + F; plate "EL" + the
# id's last five digits, space-padded to ten characters; class 2; expiry 2030-12-31.
"$BIN/efc-keymgmt" personalise --keystore "$WORK/ks.eks" --pass-file "$WORK/ks.pass" \
  --out-pass-file "$WORK/obe.pass" --obuid 00100001 --pan 2800000104857790001F --provider NO:1 \
  --profiles $P --expiry 2030-12-31 --lpn "NO:EL48577   " --vehicle-class 2 --out "$WORK/obe.eop" >/dev/null ||
  fail "personalise"
"$BIN/efc-keymgmt" export-operator --keystore "$WORK/ks.eks" --pass-file "$WORK/ks.pass" \
  --out-pass-file "$WORK/op.pass" --generation 1 --out "$WORK/op.eok" >/dev/null || fail "export-operator"
efc_obe_start obe --profile "$WORK/obe.eop" --seed 11

# stats FILE: "n failed sum sumsq" of lines "outcome retries".
stats() { awk '{ n++; f += $1 == "failed"; s += $2; q += $2 * $2 } END { print n, f, s, q }' "$1"; }

for ber in 1e-4 3e-4; do
  "$BIN/efc-rse" --profile $P --keys "$WORK/op.eok" --pass-file "$WORK/op.pass" --obe "$OBE_ADDR" \
    --passages "$N" --seed 7 --ber $ber --verbose >"$WORK/rse.out" 2>"$WORK/rse.err" || fail "efc-rse --ber $ber: status $?"
  sed -n 's/^efc-rse: LID [0-9A-F]*: \([a-z]*\),.*, \([0-9]*\) retries, .*/\1 \2/p' "$WORK/rse.err" >"$WORK/udp.txt"
  [ "$(wc -l <"$WORK/udp.txt")" -eq "$N" ] || fail "efc-rse --ber $ber: $(wc -l <"$WORK/udp.txt") passage lines, expected $N"

  # The simulator: ten times as many passages of the same kind of OBE, one at a time.
  cat >"$WORK/sim.yaml" <<EOF
name: udp comparison
seed: 3
zone_length_m: 10
ber: $ber
traffic:
  speeds_kmh: [130]
  passages: $((10 * N))
  headway_s: 2.0
fleet:
  - {profile: $P, mcu: modern}
EOF
  "$BIN/efc-scenario" run "$WORK/sim.yaml" --out "$WORK/sim" --threads 2 --no-plots >/dev/null || fail "efc-scenario run"
  awk -F, 'NR == 1 { for (i = 1; i <= NF; i++) c[$i] = i; next } { print $c["outcome"], $c["retries"] }' "$WORK/sim/passages.csv" | sed 's/^ok /done /' >"$WORK/sim.txt"
  grep -qv '^\(done\|failed\) ' "$WORK/sim.txt" && fail "simulator: an outcome other than ok or failed"

  model=$("$TBIN/efc-retry-model" $ber | awk -v p=$P '$1 == p { print $3, $4 }')
  [ -n "$model" ] || fail "efc-retry-model $ber"

  # Both measured rates against each other (two-sample z at 3.29, 99.9 %), and the model's
  # prediction inside each one's 99.9 % Wilson interval; mean retries likewise.
  echo "$(stats "$WORK/udp.txt") $(stats "$WORK/sim.txt") $model" | awk -v ber=$ber '
    function wilson_ok(k, n, p,   z, q, d, c, h) {
      z = 3.2905; q = k / n; d = 1 + z * z / n; c = (q + z * z / (2 * n)) / d
      h = z * sqrt(q * (1 - q) / n + z * z / (4 * n * n)) / d
      return p >= c - h && p <= c + h
    }
    {
      n1 = $1; f1 = $2; m1 = $3 / n1; v1 = $4 / n1 - m1 * m1
      n2 = $5; f2 = $6; m2 = $7 / n2; v2 = $8 / n2 - m2 * m2
      pf = $9; pm = $10
      p = (f1 + f2) / (n1 + n2)
      zf = p > 0 ? (f1 / n1 - f2 / n2) / sqrt(p * (1 - p) * (1 / n1 + 1 / n2)) : 0
      zm = (m1 - m2) / sqrt(v1 / n1 + v2 / n2)
      printf "BER %s: UDP %d/%d failed, %.4f retries per passage; simulator %d/%d, %.4f; model %.3e, %.4f\n",
        ber, f1, n1, m1, f2, n2, m2, pf, pm
      bad = 0
      if (zf < -3.2905 || zf > 3.2905) { print "FAIL: failure rates differ, z = " zf; bad = 1 }
      if (zm < -3.2905 || zm > 3.2905) { print "FAIL: mean retries differ, z = " zm; bad = 1 }
      if (!wilson_ok(f1, n1, pf)) { print "FAIL: UDP failure rate misses the model"; bad = 1 }
      if (!wilson_ok(f2, n2, pf)) { print "FAIL: simulator failure rate misses the model"; bad = 1 }
      if ((m1 - pm) > 3.2905 * sqrt(v1 / n1) || (pm - m1) > 3.2905 * sqrt(v1 / n1)) { print "FAIL: UDP retries miss the model"; bad = 1 }
      exit bad
    }' || fail "BER $ber"
done
efc_obe_stop
echo "udp_ber: $N passages per BER over UDP agree with the simulator and the retry model"
