# Helpers for the capture tests (sourced; POSIX sh, od and awk only: CI has no python or
# jq). A capture is handled as text: pcap_lines prints the 24-octet file header as hex on
# the first line, then one line of hex per record (16-octet record header + data);
# lines_pcap turns such lines back into a file. Captures are little-endian (the writer's
# host order on x86 and arm64).

fails=0
fail() { echo "FAIL: $*"; fails=$((fails + 1)); }

# expect STATUS STDERR_PATTERN command...: the exit status, and a one-line error holding
# the pattern.
expect() {
  want=$1 pat=$2
  shift 2
  err=$("$@" 2>&1 >/dev/null)
  got=$?
  [ "$got" = "$want" ] || fail "$*: exit $got, want $want (stderr: $err)"
  if [ -n "$pat" ]; then
    printf '%s\n' "$err" | grep -q -- "$pat" || fail "$*: stderr '$err' lacks '$pat'"
    [ "$(printf '%s\n' "$err" | wc -l)" -le 1 ] || fail "$*: error is not one line: $err"
  fi
  case $err in *AddressSanitizer* | *"runtime error"*) fail "$*: sanitizer report: $err" ;; esac
}

# Shared awk: hex digits to a number.
awk_hex='function hexval(h,  i, v) { v = 0; h = tolower(h)
  for (i = 1; i <= length(h); i++) v = v * 16 + index("0123456789abcdef", substr(h, i, 1)) - 1
  return v }
function le32(s, at) { return hexval(substr(s, at + 7, 2) substr(s, at + 5, 2) substr(s, at + 3, 2) substr(s, at + 1, 2)) }
function hex32le(v,  s, i) { s = ""; for (i = 0; i < 4; i++) { s = s sprintf("%02x", v % 256); v = int(v / 256) } return s }'

pcap_lines() {
  od -An -v -tx1 "$1" | awk "$awk_hex"'
    { for (i = 1; i <= NF; i++) b[n++] = $i }
    END {
      h = ""; for (i = 0; i < 24 && i < n; i++) h = h b[i]; print h
      for (p = 24; p + 16 <= n; p += 16 + cap) {
        cap = hexval(b[p + 11] b[p + 10] b[p + 9] b[p + 8])
        s = ""; for (i = p; i < p + 16 + cap && i < n; i++) s = s b[i]; print s
      }
    }'
}

lines_pcap() {
  awk "$awk_hex"'{ s = ""; for (i = 1; i < length($0); i += 2) s = s sprintf("\\%03o", hexval(substr($0, i, 2))); print s }' |
    while IFS= read -r esc; do printf "$esc"; done > "$1"
}

# Record line editing (offsets in octets from the start of the record line: 0..15 is the
# pcap record header, 16.. the record: 16 octets of tags, then the efcsim header at 32).
EFC_HDR=32   # version; +1 direction, +2 lane, +3 flags, +4 LID, +8 length
FRAME_AT=42  # the L2 frame's first octet

# set_octet OFFSET HEX: on stdin's record lines.
set_octet() {
  awk -v at="$1" -v v="$2" '{ print substr($0, 1, 2 * at) v substr($0, 2 * at + 3) }'
}

# shift_time NS: adds NS nanoseconds to every record's timestamp (nanosecond pcap).
shift_time() {
  awk -v ns="$1" "$awk_hex"'{
      sec = le32($0, 0); nsec = le32($0, 8) + ns
      sec += int(nsec / 1000000000); nsec %= 1000000000
      print hex32le(sec) hex32le(nsec) substr($0, 17) }'
}

# The decode --json frame lines as "HEX FRAMEJSON" (the frame object is each line's last
# member: see pcap_decode.c).
json_frames() {
  sed -n 's/^{"record":.*"hex":"\([0-9a-f]*\)","frame":\(.*\)},\{0,1\}$/\1 \2/p'
}

# mutate_records SEED COPIES: on pcap_lines output, adds COPIES damaged copies after each
# record: one or two frame octets replaced, or (every fourth copy) the frame cut short with
# the record's lengths fixed, so the capture itself stays readable and every damaged frame
# reaches the decoders.
mutate_records() {
  awk -v seed="$1" -v copies="$2" -v at0="$FRAME_AT" "$awk_hex"'
    function put(s, at, v) { return substr(s, 1, 2 * at) v substr(s, 2 * at + 3) }
    BEGIN { srand(seed) }
    NR == 1 { print; next }
    {
      print
      flen = length($0) / 2 - at0
      for (k = 0; k < copies; k++) {
        s = $0
        if (k % 4 == 3 && flen > 1) {
          n = flen - 1 - int(rand() * (flen - 1))
          s = substr(s, 1, 2 * (at0 + n))
          s = substr(s, 1, 16) hex32le(26 + n) hex32le(26 + n) substr(s, 33)
          s = put(put(s, at0 - 2, sprintf("%02x", int(n / 256))), at0 - 1, sprintf("%02x", n % 256))
        } else {
          m = 1 + int(rand() * 2)
          for (j = 0; j < m; j++) s = put(s, at0 + int(rand() * flen), sprintf("%02x", int(rand() * 256)))
        }
        print s
      }
    }'
}

# frame_of N FILE: the hex of record N's frame.
frame_of() {
  pcap_lines "$2" | sed -n "$(($1 + 1))p" | cut -c $((2 * FRAME_AT + 1))-
}

# with_frame HEX: stdin's record lines with their frame replaced by HEX (flags included; the
# FCS octets are recomputed, CRC-16/X-25 in plain arithmetic as awk has no bit operations)
# and the record's three lengths fixed.
with_frame() {
  awk -v fr="$1" -v at0="$FRAME_AT" "$awk_hex"'
    function xor16(a, b,  r, i) { r = 0
      for (i = 0; i < 16; i++) { if (a % 2 != b % 2) r += 2 ^ i; a = int(a / 2); b = int(b / 2) }
      return r }
    function fcs(h, n,  crc, i, k) { crc = 65535
      for (i = 1; i <= n - 4; i++) {
        crc = xor16(crc, hexval(substr(h, 2 * i + 1, 2)))
        for (k = 0; k < 8; k++) crc = crc % 2 ? xor16(int(crc / 2), 33800) : int(crc / 2)
      }
      return xor16(crc, 65535) }
    {
      n = length(fr) / 2; c = fcs(fr, n)
      f = substr(fr, 1, 2 * (n - 3)) sprintf("%02x%02x", c % 256, int(c / 256)) substr(fr, 2 * n - 1)
      s = substr($0, 1, 16) hex32le(26 + n) hex32le(26 + n) substr($0, 33, 2 * (at0 - 2) - 32)
      print s sprintf("%02x%02x", int(n / 256), n % 256) f
    }'
}

# record_roles JSON: "record role" lines of a decode --json document, in record order.
record_roles() {
  sed -n 's/^{"record":\([0-9]*\),.*"role":"\([^"]*\)".*/\1 \2/p' "$1" | sort -n
}

# crafted_capture SRC DECODE_JSON DST: SRC (a passage with a late GET_SECURE or GET_STAMPED
# answer) turned into frames the simulator does not send today: the first NE_OK becomes an
# immediate OK_OK response carrying the late answer (whose window request, allocation and
# UI frame go), and the first command carries a second PDU, the RELEASE's.
crafted_capture() {
  roles=$(record_roles "$2")
  ne=$(echo "$roles" | awk '$2 == "NE_OK" { print $1; exit }')
  late=$(echo "$roles" | awk '$2 == "late" { print $1; exit }')
  cmd=$(echo "$roles" | awk '$2 == "command" { print $1; exit }')
  rel=$(echo "$roles" | awk '$2 == "RELEASE" { print $1; exit }')
  gone=$(echo "$roles" | awk -v a="$ne" -v b="$late" '$1 > a && $1 <= b && ($2 == "window" || $1 == b) { printf "%s ", $1 }')
  lf=$(frame_of "$late" "$1") cf=$(frame_of "$cmd" "$1") rf=$(frame_of "$rel" "$1") nf=$(frame_of "$ne" "$1")
  # 7e LID(4) MAC LLC [status] LSDU FCS(2) 7e: the LSDU of a UI frame starts at octet 7.
  lsdu_late=$(echo "$lf" | cut -c 15- | sed 's/.\{6\}$//')
  lsdu_rel=$(echo "$rf" | cut -c 15- | sed 's/.\{6\}$//')
  resp=$(echo "$nf" | cut -c 1-10)e0$(printf '%02x' $((0x$(echo "$nf" | cut -c 13-14) | 0x10)))00${lsdu_late}00007e
  both=$(echo "$cf" | sed 's/.\{6\}$//')${lsdu_rel}00007e
  pcap_lines "$1" | awk -v gone=" $gone" -v ne="$ne" -v cmd="$cmd" '
      NR > 1 && index(gone, " " (NR - 1) " ") { next }
      { print (NR - 1 == ne ? "NE " : NR - 1 == cmd ? "CMD " : "") $0 }' |
    while read -r a b; do
      case $a in
      NE) echo "$b" | with_frame "$resp" ;;
      CMD) echo "$b" | with_frame "$both" ;;
      *) echo "$a" ;;
      esac
    done | lines_pcap "$3"
}

# report FILE: the first FAIL lines a check wrote to FILE, counted as one failure.
report() {
  if grep -q FAIL "$1"; then
    grep FAIL "$1" | head -5
    fails=$((fails + 1))
  fi
}
