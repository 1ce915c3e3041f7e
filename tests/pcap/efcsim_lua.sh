#!/bin/sh
# The Wireshark dissector tools/pcap/efcsim.lua through tshark, on captures of every profile:
# the records reach it through exported_pdu; each frame's FCS checks; roles, message names,
# T-APDU kinds, eids, action and event types, attribute ids, GET_STAMPED and GET_SECURE
# fields are those of the trace and of efc-dsrc decode --frame on the same octets; filters
# work; crafted and damaged frames are shown without a Lua error, and flagged exactly when
# efc-pcap (the C codec) finds them faulty.
# Usage: efcsim_lua.sh BIN_DIR LUA_SCRIPT. Exit 77 (ctest: skipped) when tshark is missing.
set -u
bin=$1 lua=$2
here=$(cd "$(dirname "$0")" && pwd)
. "$here/lib.sh"
if ! command -v tshark > /dev/null 2>&1; then
  echo "tshark is not installed: skipped"
  exit 77
fi
out=${TMPDIR:-/tmp}/efcsim-lua-test.$$
mkdir -p "$out"
trap 'rm -rf "$out"' EXIT
# tshark reads preferences and personal plugins from HOME: an empty one keeps a copy of
# efcsim.lua installed there (a second Proto "efcsim") out of the test.
HOME=$out XDG_CONFIG_HOME=$out/.config
export HOME XDG_CONFIG_HOME

# fields FILE FIELD...: one tab-separated line per packet, repeated fields joined by ','.
fields() {
  f=$1
  shift
  set -- $(for e in "$@"; do printf -- '-e %s ' "$e"; done)
  tshark -X lua_script:"$lua" -r "$f" -T fields -E occurrence=a -E aggregator=, "$@" 2>> "$out/tshark.err"
}

# dsrc_view: for each frame hex on stdin, "kinds<TAB>attribute ids" from efc-dsrc's JSON
# (kinds as En15509TApdus indices, attribute ids in PER order, both joined by ',').
dsrc_view() {
  "$bin/efc-dsrc" decode --frame - | awk '
    BEGIN { split("actionRequest actionResponse eventReportRequest eventReportResponse setRequest setResponse getRequest getResponse initialisationRequest initialisationResponse", k, " ")
            for (i in k) idx[k[i]] = i - 1 }
    {
      s = $0; kinds = ""; ids = ""
      while (match(s, /"tapdu":\{"[a-zA-Z]+"/)) {
        t = substr(s, RSTART + 10, RLENGTH - 11); kinds = kinds (kinds == "" ? "" : ",") idx[t]; s = substr(s, RSTART + RLENGTH)
      }
      s = $0
      while (match(s, /"(attributeIdList|attrIdList)":\[[0-9,]*\]|"attributeId":[0-9]+/)) {
        t = substr(s, RSTART, RLENGTH); sub(/^[^:]*:/, "", t); gsub(/[][]/, "", t)
        if (t != "") ids = ids (ids == "" ? "" : ",") t
        s = substr(s, RSTART + RLENGTH)
      }
      print kinds "\t" ids
    }'
}

claim() { sed -n 's/^claim: .*"'"$2"'":"\{0,1\}\([0-9a-f]*\)"\{0,1\}[,}].*/\1/p' "$1"; }

for p in autopass en15509-l0 en15509-l1 aes; do
  for mcu in legacy modern; do
    name=$p-$mcu f=$out/$p-$mcu.pcap
    "$bin/efc-scenario" trace --profile $p --mcu $mcu --pcap "$f" > "$out/$name.trace" || fail "$name: trace exit $?"
    "$bin/efc-pcap" decode --json "$f" > "$out/$name.json" || fail "$name: efc-pcap exit $?"
    records=$(($(pcap_lines "$f" | wc -l) - 1))
    fields "$f" frame.number frame.protocols efcsim.dir efcsim.role efcsim.kind efcsim.attr_id efcsim.fcs_ok \
      efcsim.msg efcsim.frame _ws.expert _ws.col.Info > "$out/$name.tsv"
    [ "$(wc -l < "$out/$name.tsv")" = "$records" ] || fail "$name: $(wc -l < "$out/$name.tsv") packets, $records records"

    # Every record goes exported_pdu -> efcsim, checks its FCS, raises no expert info.
    awk -F'\t' -v n="$name" '
      $2 != "exported_pdu:efcsim" { print "FAIL: " n ": packet " $1 " dissected as " $2 }
      $7 != "1" { print "FAIL: " n ": packet " $1 " FCS verdict " $7 }
      $10 != "" { print "FAIL: " n ": packet " $1 " expert info " $10 }' "$out/$name.tsv" > "$out/check.out"
    report "$out/check.out"

    # Directions and roles are efc-pcap's, record by record.
    record_roles "$out/$name.json" | awk '{ $1 = ""; print substr($0, 2) }' > "$out/roles.c"
    cut -f4 "$out/$name.tsv" > "$out/roles.lua"
    cmp -s "$out/roles.c" "$out/roles.lua" || fail "$name: roles differ from efc-pcap: $(diff "$out/roles.c" "$out/roles.lua" | head -3)"
    # (decode --json lists transactions before broadcasts: compare in record order)
    sed -n 's/^{"record":\([0-9]*\),"t_ns":[0-9]*,"dir":"\([a-z]*\)".*/\1 \2/p' "$out/$name.json" | sort -n |
      awk '{ print $2 == "up" }' > "$out/dirs.c"
    cut -f3 "$out/$name.tsv" > "$out/dirs.lua"
    cmp -s "$out/dirs.c" "$out/dirs.lua" || fail "$name: directions differ from efc-pcap"

    # The messages are the trace's sequence (which lists the first BST only).
    want=$(sed -n 's/^sequence: BST //p' "$out/$name.trace")
    got=$(cut -f8 "$out/$name.tsv" | grep -v -e '^$' -e '^BST$' | tr '\n' ' ')
    [ "$got" = "$want " ] || fail "$name: messages '$got', trace says '$want'"

    # T-APDU kinds and attribute ids are efc-dsrc's on the same octets.
    cut -f9 "$out/$name.tsv" | dsrc_view > "$out/view.dsrc"
    cut -f5,6 "$out/$name.tsv" > "$out/view.lua"
    cmp -s "$out/view.dsrc" "$out/view.lua" || fail "$name: kinds/attribute ids differ from efc-dsrc: $(diff "$out/view.dsrc" "$out/view.lua" | head -3)"

    # The info column.
    cut -f11 "$out/$name.tsv" > "$out/info"
    for line in "down BST" "up window request" "down window allocation S=0" "up VST" "up NE_OK" "down RELEASE"; do
      grep -qx "$line" "$out/info" || fail "$name: no info line '$line'"
    done
  done
done

# AutoPASS: BST, VST, GET_SECURE (actionType 2) and its 20-octet answer, field by field as
# the claim the lane built from them.
t=$out/autopass-legacy.trace f=$out/autopass-legacy.pcap
fields "$f" efcsim.role efcsim.kind efcsim.action_type efcsim.eid > "$out/ap.tsv"
grep -q "^BST	8		$" "$out/ap.tsv" || fail "autopass: BST"
grep -q "^VST	9		$" "$out/ap.tsv" || fail "autopass: VST"
grep -q "^command	0	2	1$" "$out/ap.tsv" || fail "autopass: actionRequest with actionType 2 (getSecure), eid 1"
grep -q "^late response	1		1$" "$out/ap.tsv" || fail "autopass: actionResponse, eid 1"
cut -f11 "$out/autopass-legacy.tsv" | grep -qx "down GET_SECURE.rq eid 1" || fail "autopass: info of the command"
cut -f11 "$out/autopass-legacy.tsv" | grep -qx "up late response GET_SECURE.rs" || fail "autopass: info of the answer"
got=$(fields "$f" efcsim.gsec.rnd1 efcsim.gsec.t efcsim.gsec.keygen | grep -v '^	')
want=$(printf '%s\t%s\t0x%s' "$(claim "$t" rnd1)" "$(claim "$t" t)" "$(claim "$t" keygen)")
[ "$got" = "$want" ] || fail "autopass: GET_SECURE request fields '$got', claim '$want'"
got=$(fields "$f" efcsim.gsec.obuid efcsim.gsec.efcstatus efcsim.gsec.tc efcsim.gsec.rnd2 efcsim.gsec.keygen \
  efcsim.gsec.mac1 efcsim.gsec.mac2 | grep -v '^	')
want=$(printf '%s\t0x%s\t%s\t%s\t0x%s\t%s\t%s' "$(claim "$t" obuid)" "$(claim "$t" efcstatus)" "$(claim "$t" tc)" \
  "$(claim "$t" rnd2)" "$(claim "$t" keygen)" "$(claim "$t" mac1)" "$(claim "$t" mac2)")
[ "$got" = "$want" ] || fail "autopass: GET_SECURE response fields '$got', claim '$want'"

# EN 15509 Level 1: GET_STAMPED of 24, 26, 32 with keyRef 5 then 1 (nonces and
# authenticators as in the claim), GET of the vehicle attributes, SET of 26, RELEASE.
t=$out/en15509-l1-legacy.trace f=$out/en15509-l1-legacy.pcap
fields "$f" efcsim.msg efcsim.kind efcsim.action_type efcsim.attr_id efcsim.gs.keyref efcsim.gs.nonce \
  efcsim.gs.authenticator efcsim.event_type > "$out/l1.tsv"
got=$(grep "^GET_STAMPED.rq" "$out/l1.tsv" | cut -f2-6 | tr '\t\n' ' |')
want="0 0 24,26,32 5 $(claim "$t" nonce_tsp)|0 0 24,26,32 1 $(claim "$t" nonce_tc)|"
[ "$got" = "$want" ] || fail "en15509-l1: GET_STAMPED requests '$got', want '$want'"
got=$(grep "^GET_STAMPED.rs" "$out/l1.tsv" | cut -f2,4,7 | tr '\t\n' ' |')
want="1 24,26,32 $(claim "$t" mac_tsp)|1 24,26,32 $(claim "$t" mac_tc)|"
[ "$got" = "$want" ] || fail "en15509-l1: GET_STAMPED answers '$got', want '$want'"
grep -q "^GET.rq	6		16,17,18,19,20,22	" "$out/l1.tsv" || fail "en15509-l1: GET of 16..22"
grep -q "^GET.rs	7		16,17,18,19,20,22	" "$out/l1.tsv" || fail "en15509-l1: GET answer with 16..22"
grep -q "^SET.rq	4		26	" "$out/l1.tsv" || fail "en15509-l1: SET of 26"
grep -q "^SET_MMI.rq	0	10		" "$out/l1.tsv" || fail "en15509-l1: SET_MMI (actionType 10)"
grep -q "^RELEASE	2						0$" "$out/l1.tsv" || fail "en15509-l1: RELEASE (eventReportRequest, eventType 0)"
# filters
[ "$(tshark -X lua_script:"$lua" -r "$f" -Y 'efcsim.attr_id == 32 && efcsim.dir == 1' 2>/dev/null | wc -l)" = 2 ] ||
  fail "filter efcsim.attr_id == 32 && efcsim.dir == 1"
[ "$(tshark -X lua_script:"$lua" -r "$f" -Y 'efcsim.gs.keyref == 1' 2>/dev/null | wc -l)" = 1 ] || fail "filter efcsim.gs.keyref"
[ "$(tshark -X lua_script:"$lua" -r "$f" -Y 'efcsim.role == "BST" && efcsim.bst.individualid == 1052' 2>/dev/null | wc -l)" -gt 1 ] ||
  fail "filter on the BST's beacon"

# Crafted frames: an immediate OK_OK response, two PDUs in one frame.
crafted_capture "$out/autopass-legacy.pcap" "$out/autopass-legacy.json" "$out/crafted.pcap"
fields "$out/crafted.pcap" efcsim.role efcsim.kind efcsim.status efcsim.fcs_ok _ws.expert _ws.col.Info > "$out/crafted.tsv"
grep -q "^response	1	0x00	1		up response GET_SECURE.rs$" "$out/crafted.tsv" || fail "crafted: immediate response"
grep -q "^command	0,2		1		down GET_SECURE.rq + RELEASE eid 1$" "$out/crafted.tsv" || fail "crafted: two PDUs"
fields "$out/crafted.pcap" efcsim.frame | dsrc_view | cut -f1 > "$out/k.dsrc"
cut -f2 "$out/crafted.tsv" > "$out/k.lua"
cmp -s "$out/k.dsrc" "$out/k.lua" || fail "crafted: kinds differ from efc-dsrc"

# Damaged frames: tshark shows every one without a Lua error, and the dissector flags a
# frame exactly when the C codec does: no L2 frame -> malformed; a T-APDU the codec rejects
# -> malformed (or non-canonical padding); a frame the codec takes whole -> no expert info
# and the same kinds. FCS verdicts agree wherever there is a frame.
for p in autopass en15509-l1 aes; do
  pcap_lines "$out/$p-legacy.pcap" | mutate_records 11 12 | lines_pcap "$out/fuzz.pcap"
  tshark -X lua_script:"$lua" -r "$out/fuzz.pcap" -V > "$out/fuzz.V" 2>&1 || fail "fuzz $p: tshark exit $?"
  grep -m 3 "Lua Error" "$out/fuzz.V" && fail "fuzz $p: Lua errors"
  "$bin/efc-pcap" decode --json "$out/fuzz.pcap" > "$out/fuzz.json" || fail "fuzz $p: efc-pcap exit $?"
  sed -n 's/^{"record":\([0-9]*\),.*/\1 &/p' "$out/fuzz.json" | sort -n | awk '{
      c_null = index($0, "\"frame\":null}") > 0
      c_tapdu = index($0, "T-APDU:") > 0
      c_fcs = index($0, "\"fcsOk\":true") > 0
      s = $0; kinds = ""
      split("actionRequest actionResponse eventReportRequest eventReportResponse setRequest setResponse getRequest getResponse initialisationRequest initialisationResponse", k, " ")
      for (i in k) idx[k[i]] = i - 1
      while (match(s, /"tapdu":\{"[a-zA-Z]+"/)) {
        t = substr(s, RSTART + 10, RLENGTH - 11); kinds = kinds (kinds == "" ? "" : ",") idx[t]; s = substr(s, RSTART + RLENGTH)
      }
      print $1 "\t" c_null "\t" c_tapdu "\t" c_fcs "\t" kinds }' > "$out/fuzz.c"
  fields "$out/fuzz.pcap" frame.number efcsim.malformed efcsim.padding efcsim.fcs_ok efcsim.kind > "$out/fuzz.lua"
  [ "$(wc -l < "$out/fuzz.c")" = "$(wc -l < "$out/fuzz.lua")" ] || fail "fuzz $p: packet counts differ"
  paste "$out/fuzz.c" "$out/fuzz.lua" | awk -F'\t' -v p="$p" '
    { rec = $1; c_null = $2; c_tapdu = $3; c_fcs = $4; c_kinds = $5
      l_bad = ($7 != "" || $8 != ""); l_fcs = $9; l_kinds = $10 }
    c_null && $7 == "" { print "FAIL: fuzz " p ": record " rec ": no L2 frame for the codec, no malformed flag from the dissector" }
    !c_null && l_fcs != (c_fcs ? "1" : "0") { print "FAIL: fuzz " p ": record " rec ": FCS verdict " l_fcs " vs " c_fcs }
    !c_null && c_tapdu && !l_bad { print "FAIL: fuzz " p ": record " rec ": the codec rejects a T-APDU the dissector takes" }
    !c_null && !c_tapdu && l_bad { print "FAIL: fuzz " p ": record " rec ": the dissector flags a frame the codec takes whole" }
    !c_null && !c_tapdu && l_kinds != c_kinds { print "FAIL: fuzz " p ": record " rec ": kinds " l_kinds " vs " c_kinds }
    c_null { nulls++ } c_tapdu { tapdus++ } !c_null && !c_tapdu { whole++ }
    END { printf "fuzz %s: %d frames without L2, %d with a T-APDU the codec rejects, %d whole\n", p, nulls, tapdus, whole
          if (nulls < 10 || tapdus < 10 || whole < 10) print "FAIL: fuzz " p ": too few of a kind: " nulls + 0 " " tapdus + 0 " " whole + 0 }' > "$out/fuzz.out"
  grep -v FAIL "$out/fuzz.out"
  report "$out/fuzz.out"
done

# tshark said nothing about the script (a Lua error while loading goes to stderr).
grep -i "lua" "$out/tshark.err" && fail "tshark reported Lua problems"

[ $fails = 0 ] && echo "efcsim_lua.sh: all passed"
[ $fails = 0 ]
