#!/bin/sh
# efc-pcap from the outside: decode and stats on captures of every profile, checked against
# efc-scenario trace (sequence, times, airtimes, duration, late responses) and, frame by
# frame, against efc-dsrc decode --frame; grouping of several transactions, incomplete ones,
# retries, failed frames; damaged frames; truncated and corrupt files; usage.
# Usage: efc_pcap.sh BIN_DIR
set -u
bin=$1
here=$(cd "$(dirname "$0")" && pwd)
. "$here/lib.sh"
pcap=$bin/efc-pcap
out=${TMPDIR:-/tmp}/efc-pcap-test.$$
mkdir -p "$out"
trap 'rm -rf "$out"' EXIT

# frames_vs_dsrc NAME JSON: every frame object of a decode --json document is, text for
# text, what efc-dsrc decode --frame prints for the frame's hex. Both are jansson's compact
# dump of the same object, so equal text means the same keys, in the same order, with the
# same values. Frames efc-dsrc cannot parse at all ("frame":null) must give it no object.
frames_vs_dsrc() {
  json_frames < "$2" > "$out/pairs"
  grep -v ' null$' "$out/pairs" | cut -d' ' -f1 > "$out/hex"
  grep -v ' null$' "$out/pairs" | sed 's/^[^ ]* //' > "$out/ours"
  "$bin/efc-dsrc" decode --frame - < "$out/hex" > "$out/theirs" 2>/dev/null
  cmp -s "$out/ours" "$out/theirs" || fail "$1: frame objects differ from efc-dsrc: $(diff "$out/ours" "$out/theirs" | head -3)"
  grep ' null$' "$out/pairs" | cut -d' ' -f1 > "$out/hex"
  [ -s "$out/hex" ] && [ -n "$("$bin/efc-dsrc" decode --frame - < "$out/hex" 2>/dev/null)" ] &&
    fail "$1: efc-dsrc decodes a frame efc-pcap could not"
  return 0
}

# sum_airtime JSON: the airtime line stats must print, summed from the frames' airtimes.
sum_airtime() {
  sed -n 's/^{"record":[0-9]*,"t_ns":[0-9]*,"dir":"\([a-z]*\)".*"airtime_ns":\([0-9]*\),.*/\1 \2/p' "$1" |
    awk '{ s[$1] += $2 } END { printf "airtime: down %.3f ms, up %.3f ms, total %.3f ms\n", s["down"] / 1e6, s["up"] / 1e6, (s["down"] + s["up"]) / 1e6 }'
}

# --- 1. every profile, both MCUs, two seeds ------------------------------------------
for p in autopass en15509-l0 en15509-l1 aes; do
  for mcu in legacy modern; do
    for seed in 1 7; do
      name=$p-$mcu-$seed f=$out/$p-$mcu-$seed.pcap
      "$bin/efc-scenario" trace --profile $p --mcu $mcu --seed $seed --pcap "$f" > "$out/$name.trace" ||
        fail "$name: efc-scenario trace exit $?"
      expect 0 "" "$pcap" decode "$f"
      "$pcap" decode "$f" > "$out/$name.txt"
      "$pcap" decode --json "$f" > "$out/$name.json" || fail "$name: decode --json exit $?"
      "$pcap" stats "$f" > "$out/$name.stats" || fail "$name: stats exit $?"
      records=$(($(pcap_lines "$f" | wc -l) - 1))

      # every record exactly once in the JSON document, each against efc-dsrc
      [ "$(json_frames < "$out/$name.json" | wc -l)" = "$records" ] || fail "$name: frames in the JSON != $records records"
      grep -q "\"records\":$records,\"complete\":1,\"incomplete\":0}" "$out/$name.json" || fail "$name: JSON totals"
      frames_vs_dsrc "$name" "$out/$name.json"

      # the application messages are the trace's sequence (which lists the first BST only)
      want=$(sed -n 's/^sequence: BST //p' "$out/$name.trace")
      got=$(grep -o '"messages":"[^"]*"' "$out/$name.json" | sed 's/"messages":"//; s/"$//' | grep -v -e '^$' -e '^BST$' | tr '\n' ' ')
      [ "$got" = "$want " ] || fail "$name: messages '$got', trace says '$want'"

      # each frame's time and airtime are the trace's (ms and us there, ns here)
      awk '$2 == "up" || $2 == "down" { for (i = 3; i <= NF; i++) if ($i == "us") { printf "%.0f %.0f\n", $1 * 1e6, $(i - 1) * 1e3; break } }' \
        "$out/$name.trace" > "$out/times.trace"
      sed -n 's/^{"record":[0-9]*,"t_ns":\([0-9]*\),.*"airtime_ns":\([0-9]*\),.*/\1 \2/p' "$out/$name.json" | sort -n > "$out/times.pcap"
      cmp -s "$out/times.trace" "$out/times.pcap" || fail "$name: times/airtimes differ from the trace: $(diff "$out/times.trace" "$out/times.pcap" | head -2)"

      # stats: the trace's duration and late responses; nothing failed, nothing repeated
      dur=$(sed -n 's/^transaction: completed in \([0-9.]*\) ms .*/\1/p' "$out/$name.trace")
      late=$(sed -n 's/^transaction: .*, \([0-9]*\) late responses$/\1/p' "$out/$name.trace")
      grep -q "^transaction duration (first window request to RELEASE): min $dur ms, mean $dur ms, p99 $dur ms over 1$" "$out/$name.stats" ||
        fail "$name: duration is not the trace's $dur ms: $(grep duration "$out/$name.stats")"
      grep -qx "late responses (NE_OK): $late" "$out/$name.stats" || fail "$name: late responses != $late"
      grep -qx "transactions: 1 (1 complete with RELEASE, 0 incomplete)" "$out/$name.stats" || fail "$name: transactions"
      grep -qx "corrupted: 0 (collided 0)" "$out/$name.stats" || fail "$name: corrupted"
      grep -qx "retries: 0 repeated commands (same n bit), 0 repeated allocations (same S bit)" "$out/$name.stats" ||
        fail "$name: retries"
      grep -qx "records: $records (down [0-9]*, up [0-9]*) on 1 lane" "$out/$name.stats" || fail "$name: records"
      grep -qx "$(sum_airtime "$out/$name.json")" "$out/$name.stats" || fail "$name: airtime totals"
      # roles counted per direction agree with the frames' roles
      for dir in down up; do
        grep -o "\"dir\":\"$dir\".*\"role\":\"[^\"]*\"" "$out/$name.json" | sed 's/.*"role":"//; s/"$//' | sort | uniq -c |
          while read -r n role; do
            got=$(grep "^  $role  " "$out/$name.stats" | awk -v d=$dir '{ print d == "down" ? $(NF - 1) : $NF }')
            [ "$got" = "$n" ] || echo "FAIL: $name: $n $dir $role frames, stats say '$got'"
          done
      done > "$out/roles.out"
      report "$out/roles.out"

      # text: one transaction block with the trace's duration, BSTs folded, no trailing blanks
      grep -q "^-- transaction 1: lane 1, LID [0-9a-f]\{8\}, .* complete in $dur ms" "$out/$name.txt" || fail "$name: text transaction header"
      grep -q "^-- BST x [0-9]* on lane 1" "$out/$name.txt" || fail "$name: text BST run"
      grep -q ' $' "$out/$name.txt" && fail "$name: trailing blanks in the text"
      tail -n 1 "$out/$name.txt" | grep -qx "$records frames, 1 transaction (1 complete, 0 incomplete)" || fail "$name: text summary"
    done
  done
done

# JER round trip: each frame object efc-pcap prints rebuilds the frame through efc-dsrc.
json_frames < "$out/en15509-l1-legacy-1.json" | while read -r hex obj; do
  back=$(printf '%s\n' "$obj" | "$bin/efc-dsrc" encode --frame | tr 'A-F' 'a-f')
  [ "$back" = "$hex" ] || echo "FAIL: frame $hex rebuilt as $back"
done > "$out/rt.out"
report "$out/rt.out"

# The whole document parses, where a JSON parser is at hand (CI has neither for sure).
if command -v python3 > /dev/null 2>&1; then
  python3 -m json.tool "$out/aes-legacy-1.json" > /dev/null || fail "decode --json is not valid JSON"
  "$pcap" stats --json "$out/aes-legacy-1.pcap" | python3 -m json.tool > /dev/null || fail "stats --json is not valid JSON"
fi
"$pcap" stats --json "$out/aes-legacy-1.pcap" | grep -q '"late_responses": 5' || fail "stats --json late responses"

# --- 2. several transactions in one capture -------------------------------------------
a=$out/autopass-legacy-1.pcap b=$out/en15509-l1-modern-7.pcap
{
  pcap_lines "$a"
  pcap_lines "$b" | sed 1d | shift_time 100000000
} | lines_pcap "$out/two.pcap"
"$pcap" stats "$out/two.pcap" > "$out/two.stats" || fail "two: stats exit $?"
"$pcap" decode "$out/two.pcap" > "$out/two.txt" || fail "two: decode exit $?"
"$pcap" decode --json "$out/two.pcap" > "$out/two.json" || fail "two: decode --json exit $?"
da=$(sed -n 's/^transaction: completed in \([0-9.]*\) ms .*/\1/p' "$out/autopass-legacy-1.trace")
db=$(sed -n 's/^transaction: completed in \([0-9.]*\) ms .*/\1/p' "$out/en15509-l1-modern-7.trace")
grep -qx "transactions: 2 (2 complete with RELEASE, 0 incomplete)" "$out/two.stats" || fail "two: transactions"
grep -q "min $da ms, mean .* ms, p99 $db ms over 2$" "$out/two.stats" || fail "two: durations $(grep duration "$out/two.stats")"
mean=$(grep -o '"duration_ns":[0-9]*' "$out/two.json" | cut -d: -f2 | awk '{ s += $1 } END { printf "%.3f", s / NR / 1e6 }')
grep -q "mean $mean ms" "$out/two.stats" || fail "two: mean is not $mean ms"
grep -q "^-- transaction 1: .* complete in $da ms" "$out/two.txt" || fail "two: transaction 1"
grep -q "^-- transaction 2: .* complete in $db ms" "$out/two.txt" || fail "two: transaction 2"
[ "$(grep -c '^-- BST x' "$out/two.txt")" -ge 2 ] || fail "two: BST runs before each transaction"
# one group follows the other: transaction 1's block ends before the second's BSTs start
awk '/^-- transaction 1:/ { t = NR } /^-- transaction 2:/ { u = NR } /^-- BST x/ && t && !u { b = NR } END { exit !(t && b > t && u > b) }' "$out/two.txt" ||
  fail "two: groups out of order"
frames_vs_dsrc two "$out/two.json"

# A run of the simulator: a transaction per passage, complete exactly for the passages the
# lane got through (passages.csv), every frame as efc-dsrc sees it.
"$bin/efc-scenario" run "$here/../scenarios/small.yaml" --out "$out/run" --no-plots --pcap "$out/run.pcap" > /dev/null ||
  fail "efc-scenario run --pcap exit $?"
ok=$(awk -F, 'NR == 1 { for (i = 1; i <= NF; i++) c[$i] = i; next } $c["outcome"] == "ok"' "$out/run/passages.csv" | wc -l)
all=$(($(wc -l < "$out/run/passages.csv") - 1))
"$pcap" stats "$out/run.pcap" | grep -qx "transactions: $all ($ok complete with RELEASE, $((all - ok)) incomplete)" ||
  fail "run: transactions $("$pcap" stats "$out/run.pcap" | grep '^transactions')"
"$pcap" decode --json "$out/run.pcap" > "$out/run.json" || fail "run: decode --json exit $?"
frames_vs_dsrc run "$out/run.json"

# --- 3. incomplete transactions, --idle-ms --------------------------------------------
pcap_lines "$a" | sed '$d' | lines_pcap "$out/norelease.pcap"
"$pcap" stats "$out/norelease.pcap" | grep -qx "transactions: 1 (0 complete with RELEASE, 1 incomplete)" || fail "no RELEASE: stats"
"$pcap" decode "$out/norelease.pcap" | grep -q "^-- transaction 1: .*incomplete (no RELEASE)" || fail "no RELEASE: decode"
"$pcap" decode --json "$out/norelease.pcap" | grep -q '"complete":false' || fail "no RELEASE: JSON"
# with a 1 ms idle limit the passage falls apart at its first long gap
"$pcap" stats --idle-ms 1 "$a" | grep -q "^transactions: [2-9] (1 complete with RELEASE, [1-9] incomplete)" || fail "--idle-ms 1"
expect 2 "idle-ms" "$pcap" stats --idle-ms 0 "$a"
expect 2 "idle-ms" "$pcap" decode --idle-ms x "$a"

# --- 4. retries, failures on the air, bad FCS, a frame that is no frame -----------------
# autopass legacy seed 1: record 6 is the window allocation (S=0), record 9 the GET_SECURE
# command (AC1, S=1).
pcap_lines "$a" > "$out/a.lines" # line 1 is the file header, line N+1 record N
# A repeated allocation repeats S; a command sent again as is repeats its n and its S.
awk 'NR == 7 { print } { print }' "$out/a.lines" | lines_pcap "$out/realloc.pcap"
"$pcap" stats "$out/realloc.pcap" | grep -qx "retries: 0 repeated commands (same n bit), 1 repeated allocations (same S bit)" ||
  fail "repeated allocation: $("$pcap" stats "$out/realloc.pcap" | grep retries)"
awk 'NR == 10 { print } { print }' "$out/a.lines" | lines_pcap "$out/recmd.pcap"
"$pcap" stats "$out/recmd.pcap" | grep -qx "retries: 1 repeated commands (same n bit), 1 repeated allocations (same S bit)" ||
  fail "repeated command: $("$pcap" stats "$out/recmd.pcap" | grep retries)"
"$pcap" decode --json "$out/recmd.pcap" | grep -q '"command_retries":1,"allocation_retries":1' || fail "repeated command: JSON"
# corrupted and collided flags
{
  sed -n 1p "$out/a.lines"
  sed -n 2p "$out/a.lines" | set_octet $((EFC_HDR + 3)) 01
  sed -n 3p "$out/a.lines" | set_octet $((EFC_HDR + 3)) 03
  sed -n '4,$p' "$out/a.lines"
} | lines_pcap "$out/failed.pcap"
"$pcap" stats "$out/failed.pcap" | grep -qx "corrupted: 2 (collided 1)" || fail "corrupted/collided counts"
"$pcap" decode "$out/failed.pcap" | grep -q " corrupted " || fail "decode shows no corrupted frame"
"$pcap" decode "$out/failed.pcap" | grep -q " collided " || fail "decode shows no collided frame"
"$pcap" decode --json "$out/failed.pcap" | grep -q '"corrupted":true,"collided":true' || fail "JSON collided"
# a bad FCS (record 1, the BST of 22 octets: FCS at frame octets 19 and 20), and a frame
# without its opening flag
{
  sed -n 1p "$out/a.lines"
  sed -n 2p "$out/a.lines" | set_octet $((FRAME_AT + 19)) 00
  sed -n 3p "$out/a.lines" | set_octet $FRAME_AT 00
  sed -n '4,$p' "$out/a.lines"
} | lines_pcap "$out/badfcs.pcap"
expect 0 "" "$pcap" decode "$out/badfcs.pcap"
"$pcap" decode "$out/badfcs.pcap" > "$out/badfcs.txt"
grep -q " BAD .*BST" "$out/badfcs.txt" || fail "bad FCS not shown"
grep -q "! frame check sequence mismatch: received f800, computed f813" "$out/badfcs.txt" || fail "bad FCS message"
grep -q "! frame of 22 octets: frame does not start and end with the 0x7E flag" "$out/badfcs.txt" || fail "flagless frame message"
"$pcap" decode --json "$out/badfcs.pcap" > "$out/badfcs.json"
grep -q '"role":"malformed".*"frame":null}' "$out/badfcs.json" || fail "malformed frame in JSON"
grep -q '"fcsOk":false' "$out/badfcs.json" || fail "bad FCS in JSON"
frames_vs_dsrc badfcs "$out/badfcs.json"
"$pcap" stats "$out/badfcs.pcap" | grep -q "^  malformed  *1  *0$" || fail "stats: malformed frame"

# frames the simulator does not send (yet): an immediate OK_OK response, two PDUs in one frame
crafted_capture "$a" "$out/autopass-legacy-1.json" "$out/crafted.pcap"
"$pcap" decode "$out/crafted.pcap" > "$out/crafted.txt" || fail "crafted: decode exit $?"
grep -q " response AC0 OK_OK  *GET_SECURE.rs$" "$out/crafted.txt" || fail "crafted: immediate response"
grep -q " command AC1 S=1  *GET_SECURE.rq+RELEASE$" "$out/crafted.txt" || fail "crafted: two PDUs"
[ "$(grep -c '{"eventReportRequest"' "$out/crafted.txt")" = 2 ] || fail "crafted: the second PDU's JER"
"$pcap" decode --json "$out/crafted.pcap" > "$out/crafted.json"
grep -q '"role":"response","messages":"GET_SECURE.rs"' "$out/crafted.json" || fail "crafted: JSON response"
frames_vs_dsrc crafted "$out/crafted.json"
"$pcap" stats "$out/crafted.pcap" > "$out/crafted.stats"
grep -q "^  response  *0  *1$" "$out/crafted.stats" || fail "crafted: stats response"
grep -qx "late responses (NE_OK): 0" "$out/crafted.stats" || fail "crafted: stats late responses"
grep -qx "transactions: 1 (1 complete with RELEASE, 0 incomplete)" "$out/crafted.stats" ||
  fail "crafted: a RELEASE behind a command ends no transaction"

# --- 5. damaged frames: never a crash, always efc-dsrc's view -------------------------
for p in autopass en15509-l1 aes; do
  pcap_lines "$out/$p-legacy-1.pcap" | mutate_records 11 12 | lines_pcap "$out/fuzz-$p.pcap"
  expect 0 "" "$pcap" decode "$out/fuzz-$p.pcap"
  expect 0 "" "$pcap" stats "$out/fuzz-$p.pcap"
  "$pcap" decode --json "$out/fuzz-$p.pcap" > "$out/fuzz-$p.json" 2>"$out/fuzz.err" || fail "fuzz $p: decode --json exit $?"
  [ -s "$out/fuzz.err" ] && fail "fuzz $p: stderr $(head -c 200 "$out/fuzz.err")"
  [ "$(json_frames < "$out/fuzz-$p.json" | wc -l)" = "$(($(pcap_lines "$out/fuzz-$p.pcap" | wc -l) - 1))" ] || fail "fuzz $p: frame count"
  frames_vs_dsrc "fuzz $p" "$out/fuzz-$p.json"
done

command -v python3 > /dev/null 2>&1 &&
  { python3 -m json.tool "$out/fuzz-aes.json" > /dev/null || fail "decode --json of damaged frames is not valid JSON"; }

# --- 6. truncated and corrupt files: exit 1, one line naming the record ---------------
f=$out/autopass-legacy-1.pcap
size=$(wc -c < "$f") nrec=$(($(pcap_lines "$f" | wc -l) - 1))
r1=$((24 + 16 + 48)) # the end of record 1 (a 22-octet BST)
r5=$(pcap_lines "$f" | sed -n '2,5p' | awk '{ n += length($0) / 2 } END { print 24 + n }')
for cut in 0 10 23; do
  head -c $cut "$f" > "$out/cut.pcap"
  expect 1 "file header" "$pcap" decode "$out/cut.pcap"
  expect 1 "file header" "$pcap" stats "$out/cut.pcap"
done
for spec in "$((24 + 1)) 1" "$((24 + 15)) 1" "$((24 + 16 + 1)) 1" "$((r1 - 1)) 1" "$((r5 + 3)) 5" "$((r5 + 16 + 30)) 5" "$((size - 1)) $nrec"; do
  set -- $spec
  head -c "$1" "$f" > "$out/cut.pcap"
  expect 1 "cut.pcap: record $2: truncated" "$pcap" decode "$out/cut.pcap"
  expect 1 "cut.pcap: record $2: truncated" "$pcap" decode --json "$out/cut.pcap"
  expect 1 "cut.pcap: record $2: truncated" "$pcap" stats "$out/cut.pcap"
done
# what precedes the fault is still shown, and the JSON document stays whole
head -c $((r5 + 3)) "$f" > "$out/cut.pcap"
"$pcap" decode "$out/cut.pcap" 2>/dev/null | grep -q '^-- BST x 4 on lane 1' || fail "cut in record 5: records 1-4 not shown"
"$pcap" decode --json "$out/cut.pcap" 2>/dev/null | grep -q '"records":4,"complete":0,"incomplete":0}$' ||
  fail "cut in record 5: JSON not closed"
head -c $r1 "$f" > "$out/cut.pcap" # a whole record: a shorter capture, not an error
expect 0 "" "$pcap" stats "$out/cut.pcap"
"$pcap" stats "$out/cut.pcap" | grep -q "^records: 1 " || fail "capture cut after record 1"

corrupt() { # corrupt RECORD OFFSET HEX PATTERN
  pcap_lines "$f" | awk -v r=$(($1 + 1)) -v at="$2" -v v="$3" 'NR == r { $0 = substr($0, 1, 2 * at) v substr($0, 2 * at + 3) } { print }' |
    lines_pcap "$out/bad.pcap"
  expect 1 "bad.pcap: record $1: $4" "$pcap" decode "$out/bad.pcap"
  expect 1 "bad.pcap: record $1: $4" "$pcap" stats "$out/bad.pcap"
}
corrupt 3 $EFC_HDR 09 "efcsim record version 9"
corrupt 4 $((EFC_HDR + 1)) 05 "direction 5 is neither"
corrupt 5 $((EFC_HDR + 9)) ff "frame length 255, 9 octets present"
corrupt 6 $((16 + 4)) 78 "not an efcsim record"
corrupt 7 $((16 + 3)) ff "tag 12 of 255 octets runs past the record"
printf 'not a capture\n' > "$out/text.pcap"
expect 1 "text.pcap: unknown file format" "$pcap" decode "$out/text.pcap"
expect 1 "no-such.pcap" "$pcap" stats "$out/no-such.pcap"

# --- 7. usage -------------------------------------------------------------------------
expect 2 "" "$pcap"
expect 0 "" "$pcap" --help
"$pcap" --help | grep -q "^usage: efc-pcap decode FILE" || fail "--help"
expect 0 "" "$pcap" decode --help
expect 2 "unknown command 'frobnicate'" "$pcap" frobnicate
expect 2 "decode needs exactly one capture FILE" "$pcap" decode
expect 2 "decode needs exactly one capture FILE" "$pcap" decode "$f" "$f"
expect 2 "stats needs exactly one capture FILE" "$pcap" stats
expect 2 "" "$pcap" decode --bogus "$f"
expect 2 "verify: needs FILE, --keys FILE and --profile P" "$pcap" verify "$f"
expect 2 "verify: --profile: unknown profile 'en15509-l2'" "$pcap" verify "$f" --keys k --profile en15509-l2
EFC_OPERATOR_PASS=x expect 1 "no-such.eok: cannot read" "$pcap" verify "$f" --keys "$out/no-such.eok" --profile autopass
expect 2 "replay: needs FILE, --side rse|obe and --to ADDR:PORT" "$pcap" replay "$f"
expect 2 "replay: needs FILE, --side rse|obe" "$pcap" replay "$f" --side both --to 127.0.0.1:9
expect 2 "replay: --to 'nonsense': expected ADDR:PORT" "$pcap" replay "$f" --side rse --to nonsense
expect 1 "no transaction 99 (the file has 1)" "$pcap" replay "$f" --side rse --to 127.0.0.1:9 --transaction 99
expect 1 "no answer from the OBE host" "$pcap" replay "$f" --side rse --to 127.0.0.1:9 --timeout-ms 200
# --side obe says where it listens, then the error
err=$("$pcap" replay "$f" --side obe --to 127.0.0.1:0 --timeout-ms 200 2>&1 >/dev/null)
[ $? = 1 ] || fail "replay --side obe with no RSE: exit status"
printf '%s\n' "$err" | sed -n 1p | grep -q "^efc-pcap replay: OBE host listening on 127.0.0.1:[1-9]" || fail "replay --side obe: $err"
printf '%s\n' "$err" | sed -n 2p | grep -q "^efc-pcap replay: no RSE downlink for 200 ms$" || fail "replay --side obe: $err"

[ $fails = 0 ] && echo "efc_pcap.sh: all passed"
[ $fails = 0 ]
