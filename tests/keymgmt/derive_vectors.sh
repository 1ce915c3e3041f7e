#!/usr/bin/env bash
# Every derivation value of crypto.txt reproduced by `efc-keymgmt derive`, the values read
# from the vector file itself (so a changed vector changes the test), plus bad-input checks.
# usage: derive_vectors.sh EFC_KEYMGMT CRYPTO_TXT
set -u
bin=$1
vec=$2
fails=0
checks=0

# The line starting (after blanks) with $1; exactly one must.
line() {
  local n
  n=$(grep -c -E "^[[:space:]]*$1" "$vec")
  if [ "$n" != 1 ]; then
    echo "FAIL: $n lines start with '$1' in $vec" >&2
    fails=$((fails + 1))
  fi
  grep -m1 -E "^[[:space:]]*$1" "$vec"
}
# The hex token after the marker $2 in line $1.
after() { printf '%s\n' "$1" | sed -n -E "s/.*$2([0-9A-Fa-f]+).*/\1/p"; }
# The hex after the last "-> ".
result() { printf '%s\n' "$1" | sed -n -E 's/.*-> (T )?([0-9A-Fa-f]+)[^>]*$/\2/p'; }

check() { # name expected command...
  local name=$1 want=$2 got
  shift 2
  checks=$((checks + 1))
  got=$("$@" 2>&1)
  if [ -z "$want" ] || [ "$got" != "${want^^}" ]; then
    echo "FAIL: $name: expected '${want^^}', got '$got' from: $*" >&2
    fails=$((fails + 1))
  fi
}

# EN 15509 worked example
l=$(line 'MAcK '); mack=$(after "$l" 'MAcK '); ref=$(after "$l" 'AC_CR-Reference ')
accesskey=$(result "$(line 'AccessKey = ')")
check AccessKey "$accesskey" "$bin" derive en15509-accesskey --mack "$mack" --ref "$ref"
rnd=$(after "$(line 'RndOBE ')" 'RndOBE ')
check AC_CR "$(result "$(line 'AC_CR = ')")" "$bin" derive en15509-ac-cr --accesskey "$accesskey" --rnd-obe "$rnd"
l=$(line 'MAuK '); mauk=$(after "$l" 'MAuK '); pan=$(after "$l" 'PAN '); prov=$(after "$l" 'ContractProvider ')
authkey=$(result "$(line 'AuthenticationKey = ')")
check AuthenticationKey "$authkey" "$bin" derive en15509-authkey --mauk "$mauk" --pan "$pan" --provider "$prov"
# Compact_PAN is the first half of the AuthenticationKey's 3DES input, printed on its line.
cpan=$(result "$(line 'Compact_PAN')")
input=$(after "$(line 'AuthenticationKey = ')" '\(MAuK, ')
checks=$((checks + 1))
if [ "${input:0:8}" != "$cpan" ] || [ "${input:8:6}" != "$prov" ]; then
  echo "FAIL: Compact_PAN $cpan / provider $prov not the AuthenticationKey input $input" >&2
  fails=$((fails + 1))
fi
check AuthenticationKey-CC:ID "$authkey" "$bin" derive en15509-authkey --mauk "$mauk" --pan "$pan" --provider NO:1
nonce=$(after "$(line 'GET_STAMPED.rq')" 'nonce ')
attrs=$(result "$(line 'AttributeList UPER')")
# The padded MAC input printed in the file is attrlist || 04 || nonce || zeros.
padded=$(result "$(line 'MAC input')")
checks=$((checks + 1))
case "$padded" in
  "${attrs}04${nonce}"*) ;;
  *) echo "FAIL: MAC input $padded is not attrlist||04||nonce padded" >&2; fails=$((fails + 1)) ;;
esac
check Authenticator "$(result "$(line 'Authenticator')")" "$bin" derive en15509-authenticator --authkey "$authkey" --attrlist "$attrs" --nonce "$nonce"

# AutoPASS worked example
l=$(line 'MKEY-N '); mkn=$(after "$l" 'MKEY-N '); mkf=$(after "$l" 'MKEY-F '); obuid=$(after "$l" 'obuid ')
obun=$(result "$(line 'OBUKEY-N')"); obuf=$(result "$(line 'OBUKEY-F')")
check OBUKEY-N "$obun" "$bin" derive autopass-obukey --mkey "$mkn" --obuid "$obuid"
check OBUKEY-F "$obuf" "$bin" derive autopass-obukey --mkey "$mkf" --obuid "$obuid"
l=$(line 'RND-1 '); rnd1=$(after "$l" 'RND-1 '); t=$(after "$l" '-> T ')
secs=$(printf '%s\n' "$l" | sed -n -E 's/.*time ([0-9]+) s \+ ([0-9]+)\/100.*/\1/p')
hund=$(printf '%s\n' "$l" | sed -n -E 's/.*time ([0-9]+) s \+ ([0-9]+)\/100.*/\2/p')
checks=$((checks + 1))
if [ "$(printf '%08X' $(((secs * 100 + hund) % 4294967296)))" != "$t" ]; then
  echo "FAIL: T of $secs s + $hund/100 is not $t" >&2
  fails=$((fails + 1))
fi
ssn=$(result "$(line 'SSKEY-N')"); ssf=$(result "$(line 'SSKEY-F')")
check SSKEY-N "$ssn" "$bin" derive autopass-sskey --obukey "$obun" --rnd1 "$rnd1" --time "$t"
check SSKEY-F "$ssf" "$bin" derive autopass-sskey --obukey "$obuf" --rnd1 "$rnd1" --time "$t"
l=$(line 'efcstatus '); st=$(after "$l" 'efcstatus '); tc=$(after "$l" 'TC '); rnd2=$(after "$l" 'RND-2 ')
check MAC1 "$(result "$(line 'MAC1 ')")" "$bin" derive autopass-mac --sskey "$ssn" --obuid "$obuid" --efcstatus "$st" --tc "$tc" --rnd2 "$rnd2"
check MAC2 "$(result "$(line 'MAC2 ')")" "$bin" derive autopass-mac --sskey "$ssf" --obuid "$obuid" --efcstatus "$st" --tc "$tc" --rnd2 "$rnd2"

# Bad input: one line naming the option, exit 1; bad usage: exit 2.
expect_fail() { # status pattern command...
  local status=$1 pattern=$2 out rc
  shift 2
  checks=$((checks + 1))
  out=$("$@" 2>&1 >/dev/null)
  rc=$?
  if [ "$rc" != "$status" ] || [ "$(printf '%s\n' "$out" | wc -l)" != 1 ] || ! printf '%s' "$out" | grep -q -- "$pattern"; then
    echo "FAIL: expected exit $status and one line matching '$pattern', got $rc: $out (from: $*)" >&2
    fails=$((fails + 1))
  fi
}
expect_fail 1 '^efc-keymgmt: --mkey: expected 16 octets' "$bin" derive autopass-obukey --mkey 0123 --obuid "$obuid"
expect_fail 1 '^efc-keymgmt: --obuid: non-hex' "$bin" derive autopass-obukey --mkey "$mkn" --obuid 00A1B2CZ
expect_fail 1 '^efc-keymgmt: --ref: odd number' "$bin" derive en15509-accesskey --mack "$mack" --ref 00F
expect_fail 1 '^efc-keymgmt: --nonce: expected 1..127' "$bin" derive en15509-authenticator --authkey "$authkey" --attrlist "$attrs" --nonce ""
expect_fail 1 '^efc-keymgmt: --provider' "$bin" derive en15509-authkey --mauk "$mauk" --pan "$pan" --provider N0:1
expect_fail 2 'needs --rnd2' "$bin" derive autopass-mac --sskey "$ssn" --obuid "$obuid" --efcstatus 00 --tc 0123
expect_fail 2 'does not apply' "$bin" derive en15509-ac-cr --accesskey "$accesskey" --rnd-obe "$rnd" --pan "$pan"
expect_fail 2 'unknown KIND' "$bin" derive en15509-nothing
expect_fail 2 'unknown option' "$bin" derive autopass-obukey --mkey "$mkn" --obuid "$obuid" --bogus 1

if [ "$fails" != 0 ]; then
  echo "$fails of $checks checks failed" >&2
  exit 1
fi
echo "derive_vectors: $checks checks passed"
