#!/bin/bash
# Captures cut short or corrupted. Real captures (efc-scenario trace, and efc-rse over UDP)
# go through efc-pcap-sweep: the reader on every cut and every changed octet. Then
# efc-pcap on chosen damage (inside the file header, a record header, a record's data; a
# length field beyond the snapshot length or 65535, or disagreeing with the original length;
# the efcsim record header): exit status 1, one line on stderr naming the file and the
# record, nothing on stdout from the damaged record or after it.
# Usage: pcap_errors.sh BIN_DIR SWEEP_TOOL
BIN=$1
SWEEP=$2
. "$(cd "$(dirname "$0")" && pwd)/../integration/lib.sh"
t0=$(date +%s.%N)

efc_workdir
efc_keys 1
cd "$WORK"
"$BIN/efc-scenario" trace --profile en15509-l1 --seed 3 --pcap scenario.pcap > /dev/null ||
  fail "efc-scenario trace: exit $?"
efc_obe_start obe $(efc_obe_profiles 1)
"$BIN/efc-rse" --profile aes --keys op.eok --pass-file op.pass --obe "$OBE_ADDR" --passages 1 --pcap rse.pcap \
  > rse.out 2> rse.err || fail "efc-rse: exit $?: $(cat rse.err)"
efc_obe_stop

# --- every cut, every changed octet, through the reader ----------------------------------
for f in scenario.pcap rse.pcap; do
  TMPDIR=$WORK "$SWEEP" "$f" > "sweep-$f.txt" || fail "efc-pcap-sweep $f: exit $?"
  sed -n '1p' "sweep-$f.txt"
done

# --- efc-pcap on chosen damage -------------------------------------------------------------
f=rse.pcap
size=$(wc -c < $f)
# off[k]: where record k (1-based) starts; its caplen is the little-endian word at off + 8.
off=() n=0 at=24
while [ $at -lt $size ]; do
  n=$((n + 1))
  off[$n]=$at
  caplen=$(od -An -t u4 -j $((at + 8)) -N 4 $f | tr -d ' ')
  at=$((at + 16 + caplen))
done
[ $at = $size ] && [ $n -gt 20 ] || fail "$f: $n records, ending at $at of $size octets"
k=$((n / 2)) # a record in the middle, inside a transaction

# put FILE OFFSET HEX...: the octets HEX at OFFSET of FILE.
put() {
  local file=$1 at=$2
  shift 2
  printf "$(printf '\\x%s' "$@")" | dd of="$file" bs=1 seek="$at" conv=notrunc status=none
}
# le32 V: V as four little-endian hex octets.
le32() { printf '%02x %02x %02x %02x' $(($1 & 255)) $(($1 >> 8 & 255)) $(($1 >> 16 & 255)) $(($1 >> 24 & 255)); }

# check NAME RECORD PATTERN: efc-pcap on bad.pcap. RECORD 0: the file header is damaged.
check() {
  local name=$1 rec=$2 pat=$3 cmd rc err last
  for cmd in "decode" "decode --json" "stats"; do
    rc=0
    "$BIN/efc-pcap" $cmd bad.pcap > out.txt 2> err.txt || rc=$?
    err=$(cat err.txt)
    [ $rc = 1 ] || fail "$name: efc-pcap $cmd: exit $rc, want 1 ($err)"
    [ "$(wc -l < err.txt)" = 1 ] || fail "$name: efc-pcap $cmd: stderr is not one line: $err"
    if [ "$rec" = 0 ]; then
      echo "$err" | grep -q "^efc-pcap: bad.pcap: " || fail "$name: efc-pcap $cmd: '$err' does not name the file"
      if echo "$err" | grep -q "record"; then fail "$name: efc-pcap $cmd: '$err' names a record in the file header"; fi
    else
      echo "$err" | grep -q "^efc-pcap: bad.pcap: record $rec: $pat" ||
        fail "$name: efc-pcap $cmd: '$err', want 'bad.pcap: record $rec: $pat'"
    fi
    case $cmd in
    stats)
      if [ -s out.txt ]; then fail "$name: efc-pcap stats printed statistics of a damaged capture"; fi
      ;;
    "decode --json")
      # the frames shown are those before the damage, and the document says how many
      last=$(grep -o '"record":[0-9]*' out.txt | cut -d: -f2 | sort -n | tail -1)
      [ "${last:-0}" -lt "$((rec > 0 ? rec : 1))" ] || fail "$name: decode --json shows record $last, past the damage"
      grep -q "\"records\":$((rec > 0 ? rec - 1 : 0))," out.txt ||
        fail "$name: decode --json does not count $((rec > 0 ? rec - 1 : 0)) records read: $(tail -c 200 out.txt)"
      ;;
    esac
  done
  echo "$name: $err"
}

# cuts: inside the file header, inside record k's header, inside its data, the last octet
for cut in 10 23; do
  head -c $cut $f > bad.pcap
  check "cut at $cut (file header)" 0 ""
done
head -c $((off[k] + 7)) $f > bad.pcap
check "cut in record $k's header" $k "truncated"
head -c $((off[k] + 16 + 20)) $f > bad.pcap
check "cut in record $k's data" $k "truncated"
head -c $((size - 1)) $f > bad.pcap
check "last octet cut" $n "truncated"

# record k's lengths: caplen and len both above the snapshot length (65535), both far above
# anything (2^31 - 1), caplen above len, caplen below len
for spec in "70000 70000" "2147483647 2147483647" "200 60" "20 60"; do
  set -- $spec
  cp $f bad.pcap
  put bad.pcap $((off[k] + 8)) $(le32 $1) $(le32 $2)
  check "record $k caplen $1, len $2" $k ""
done
# the snapshot length in the file header below the records' lengths: record 1 is cut short
cp $f bad.pcap
put bad.pcap 16 $(le32 16)
check "snaplen 16" 1 ""

# record k's efcsim header (docs/capture.md): dissector tag, version, direction, frame length
efc=$((off[k] + 16))
for spec in "4 78:not an efcsim record" "16 09:efcsim record version 9" "17 05:direction 5" \
  "24 00 ff:frame length 255," "2 00 00:tag [0-9]* of [0-9]* octets runs past"; do
  at=${spec%%:*}
  cp $f bad.pcap
  put bad.pcap $((efc + ${at%% *})) ${at#* }
  check "record $k efcsim header +$at" $k "${spec#*:}"
done

# --- issue 15, point 13: odd files (docs/capture.md, "Reading") ----------------------------
# Errors: a snapshot length of 0, nanoseconds of 1e9 or more, a lane outside 1..127, a
# frame of 0 octets.
cp $f bad.pcap
put bad.pcap 16 $(le32 0)
check "snaplen 0" 0 ""
grep -q "snapshot length 0" err.txt || fail "snaplen 0: '$(cat err.txt)' does not say so"
for ns in 1000000000 4294967295; do
  cp $f bad.pcap
  put bad.pcap $((off[k] + 4)) $(le32 $ns)
  check "record $k nanoseconds $ns" $k "$ns nanoseconds, not below 1000000000"
done
for lane in 00 80 ff; do
  cp $f bad.pcap
  put bad.pcap $((efc + 18)) $lane
  check "record $k lane 0x$lane" $k "lane $((16#$lane)) outside 1..127"
done
# record k with its frame taken out: lengths 26 (the tags and the efcsim header) and N = 0
head -c ${off[k]} $f > bad.pcap
dd if=$f bs=1 skip=${off[k]} count=8 status=none >> bad.pcap
printf "$(printf '\\x%s' $(le32 26) $(le32 26))" >> bad.pcap
dd if=$f bs=1 skip=$efc count=24 status=none >> bad.pcap
printf '\x00\x00' >> bad.pcap
caplen=$(od -An -t u4 -j $((off[k] + 8)) -N 4 $f | tr -d ' ')
tail -c +$((off[k] + 16 + caplen + 1)) $f >> bad.pcap
check "record $k frame of 0 octets" $k "a frame of 0 octets"

# A warning, not an error: time going back (a capture merged from two can do that). Every
# command reads the whole file, exit 0, and says so once on stderr, naming the record.
cp $f bad.pcap
put bad.pcap $((off[k])) $(le32 0) $(le32 0)
for cmd in "decode" "decode --json" "stats"; do
  rc=0
  "$BIN/efc-pcap" $cmd bad.pcap > out.txt 2> err.txt || rc=$?
  [ $rc = 0 ] || fail "time going back: efc-pcap $cmd: exit $rc ($(cat err.txt))"
  [ "$(wc -l < err.txt)" = 1 ] || fail "time going back: efc-pcap $cmd: stderr is not one line: $(cat err.txt)"
  grep -q "^efc-pcap: warning: bad.pcap: record $k: time goes back" err.txt ||
    fail "time going back: efc-pcap $cmd: '$(cat err.txt)'"
done
grep -q "\"records\":$n," out.txt 2>/dev/null || "$BIN/efc-pcap" decode --json bad.pcap 2>/dev/null |
  grep -q "\"records\":$n," || fail "time going back: decode --json does not show all $n records"
echo "time going back: $(cat err.txt)"
t1=$(date +%s.%N)
awk -v a="$t0" -v b="$t1" 'BEGIN { printf "duration %.1f s\n", b - a }'
