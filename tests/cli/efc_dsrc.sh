#!/bin/sh
# efc-dsrc on the command line: vectors both ways, whole frames, and exit statuses.
# Usage: efc_dsrc.sh BIN_DIR VECTOR_DIR
set -u
bin=$1/efc-dsrc
vec=$2
fails=0
fail() { echo "FAIL: $*"; fails=$((fails + 1)); }

# expect STATUS STDERR_PATTERN -- command...: checks exit status and a one-line message.
expect() {
  want=$1 pat=$2
  shift 2
  err=$("$@" 2>&1 >/dev/null)
  got=$?
  [ "$got" = "$want" ] || fail "$*: exit $got, want $want"
  if [ -n "$pat" ]; then
    echo "$err" | grep -q -- "$pat" || fail "$*: stderr '$err' lacks '$pat'"
    [ "$(printf '%s\n' "$err" | wc -l)" -le 2 ] || fail "$*: error is not one line: $err"
  fi
}

# Every public T-APDU vector: decode to JER, encode back to the same hex.
grep -v '^#' "$vec/t-apdu-public.txt" | while IFS='|' read -r name hex meaning; do
  name=$(echo $name) hex=$(echo $hex)
  case $name in beaconid|bst-aid3|efc-cm) continue ;; esac
  back=$("$bin" decode "$hex" | "$bin" encode) || { echo "FAIL: $name"; continue; }
  [ "$back" = "$hex" ] || echo "FAIL: $name round trip gave $back"
done > rt.out
grep FAIL rt.out && fails=$((fails + 1))

# Every frame of the Level 1 exchange: FCS checks, and the JSON rebuilds the frame.
grep -v '^#' "$vec/exchange-l1.txt" | while IFS='|' read -r name hex meaning; do
  name=$(echo $name) hex=$(echo $hex)
  json=$("$bin" decode --frame "$hex") || { echo "FAIL: $name frame decode"; continue; }
  echo "$json" | grep -q '"fcsOk":true' || echo "FAIL: $name fcs"
  back=$(echo "$json" | "$bin" encode --frame)
  [ "$back" = "$hex" ] || echo "FAIL: $name frame round trip gave $back"
done > frames.out
grep FAIL frames.out && fails=$((fails + 1))

# The decode output is exactly the JER value and nothing else.
out=$("$bin" decode 200000)
[ "$out" = '{"eventReportRequest":{"mode":false,"eid":0,"eventType":0}}' ] || fail "release JER: $out"
out=$(echo 200000 | "$bin" decode -)
[ "$out" = '{"eventReportRequest":{"mode":false,"eid":0,"eventType":0}}' ] || fail "stdin decode: $out"

# JER input encodes one value one way: a DEFAULT component written at its default value
# gives the octets of the value without it (canonical PER); another value is kept.
vc='{"actionResponse":{"eid":0,"responseParameter":{"vehclass":{'
short=$(echo "$vc"'"unEceVehicleClass":"40"}}}}' | "$bin" encode)
long=$(echo "$vc"'"trailerPresenceIndicator":"00","unEceVehicleClass":"40","localVehicleClassId":"00"}}}}' | "$bin" encode)
other=$(echo "$vc"'"trailerPresenceIndicator":"80","unEceVehicleClass":"40","localVehicleClassId":"00"}}}}' | "$bin" encode)
[ "$short" = 14003110 ] || fail "vehclass without defaults: $short"
[ "$long" = "$short" ] || fail "vehclass with its defaults written out: $long, without: $short"
[ "$other" = 140031A8 ] || fail "vehclass with a trailer: $other"
# A frame that carries the defaults decodes to them, and re-encodes canonically from JER.
out=$("$bin" decode 140031c800)
echo "$out" | grep -q '"trailerPresenceIndicator":"00"' || fail "explicit default not shown: $out"
[ "$(echo "$out" | "$bin" encode)" = 14003110 ] || fail "explicit default through JER"

# A whole exchange from a vector file: one JSON line per frame, all with a good FCS.
n=$("$bin" decode --frame - < "$vec/exchange-l1.txt" | grep -c '"fcsOk":true')
[ "$n" = 13 ] || fail "exchange decode gave $n good frames"
expect 1 "stdin line 3: decode error at octet 0" sh -c "printf '200000\\n\\nA000\\n' | $bin decode -"

# Bad input: exit 1 with a one-line message naming the place.
expect 1 "input: non-hex character 'g' at position 3" "$bin" decode 200g00
expect 1 "odd number of hex digits" "$bin" decode 20000
expect 1 "at octet 1 bit 0 (bit offset 8): truncated" "$bin" decode 20
expect 1 "at octet 0 bit 0 (bit offset 0): unknown CHOICE" "$bin" decode A000
expect 1 "at octet 1 bit 0 (bit offset 8): extension bit" "$bin" decode 6281080102
expect 1 "at octet 3: unexpected octets" "$bin" decode 200000FF
expect 1 "frame check sequence mismatch: received" "$bin" decode --frame 7E123456794003B9200000B8287E
expect 1 "frame of 3 octets" "$bin" decode --frame 7E007E
expect 1 "T-APDU decode error at octet 8 bit 0" "$bin" decode --frame 7E123456794003B9A0000054257E
expect 1 "stdin: line 1" sh -c "echo '{oops' | $bin encode"
expect 1 "getRequest.eid: value 300 outside 0..127" sh -c "echo '{\"getRequest\":{\"eid\":300}}' | $bin encode"
expect 1 "frame.lid" sh -c "echo '{\"mac\":\"90\"}' | $bin encode --frame"
# A bad FCS still shows the fields with the verdict.
"$bin" decode --frame 7E123456794003B9200000B8287E 2>/dev/null | grep -q '"fcsOk":false' || fail "bad FCS JSON"

# Usage errors: exit 2.
expect 2 "" "$bin"
expect 2 "unknown command" "$bin" frobnicate
expect 2 "exactly one HEX" "$bin" decode
expect 2 "takes no arguments" "$bin" encode 00
expect 0 "" "$bin" --help
expect 0 "" "$bin" decode --help

[ $fails = 0 ] && echo "efc-dsrc CLI: all checks passed"
exit $fails
