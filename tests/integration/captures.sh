# The captures of udp_lane.sh (sourced by it): efc-pcap stats and verify on each RSE
# capture, the OBE host's capture against the RSEs', every frame of efc-pcap decode against
# efc-dsrc decode --frame, and, where tshark is installed (CI installs it), the Wireshark
# dissector's message kinds, eids and attribute ids against efc-dsrc's, frame by frame.

# dsrc_view: for efc-dsrc decode --frame JSON lines on stdin, "kinds<TAB>eids<TAB>attribute
# ids" per frame (kinds as En15509TApdus indices; the eids of the T-APDU headers, not of a
# VST's application list; attribute ids in order), each list joined by ','.
dsrc_view() {
  awk '
    BEGIN { split("actionRequest actionResponse eventReportRequest eventReportResponse setRequest setResponse getRequest getResponse initialisationRequest initialisationResponse", k, " ")
            for (i in k) idx[k[i]] = i - 1 }
    {
      s = $0; kinds = ""; eids = ""; ids = ""
      while (match(s, /"tapdu":\{"[a-zA-Z]+"/)) {
        t = substr(s, RSTART + 10, RLENGTH - 11); kinds = kinds (kinds == "" ? "" : ",") idx[t]; s = substr(s, RSTART + RLENGTH)
      }
      if (kinds != "9") {
        s = $0
        while (match(s, /"eid":[0-9]+/)) { eids = eids (eids == "" ? "" : ",") substr(s, RSTART + 6, RLENGTH - 6); s = substr(s, RSTART + RLENGTH) }
      }
      s = $0
      while (match(s, /"(attributeIdList|attrIdList)":\[[0-9,]*\]|"attributeId":[0-9]+/)) {
        t = substr(s, RSTART, RLENGTH); sub(/^[^:]*:/, "", t); gsub(/[][]/, "", t)
        if (t != "") ids = ids (ids == "" ? "" : ",") t
        s = substr(s, RSTART + RLENGTH)
      }
      print kinds "\t" eids "\t" ids
    }'
}

efc_check_captures() {
  local p f total_down=0 total_up=0 d u
  # A second issuer's toll-charger keys: the same layout, other master keys.
  "$BIN/efc-keymgmt" init --keystore "$WORK/ks2.eks" --pass-file "$WORK/ks.pass" >/dev/null
  "$BIN/efc-keymgmt" export-operator --keystore "$WORK/ks2.eks" --pass-file "$WORK/ks.pass" \
    --out-pass-file "$WORK/op.pass" --generation 1 --out "$WORK/op2.eok" >/dev/null
  for p in $PROFILES; do
    f=$WORK/rse-$p.pcap
    "$BIN/efc-pcap" stats "$f" >"$WORK/stats-$p" || fail "efc-pcap stats $p: status $?"
    # Incomplete ones are window requests of OBEs the RSE no longer admitted (--passages).
    grep -q "^transactions: [0-9]* ($N complete with RELEASE, [0-3] incomplete)" "$WORK/stats-$p" ||
      fail "$p capture: $(grep '^transactions' "$WORK/stats-$p")"
    d=$(sed -n 's/^records: [0-9]* (down \([0-9]*\), up \([0-9]*\)).*/\1/p' "$WORK/stats-$p")
    u=$(sed -n 's/^records: [0-9]* (down \([0-9]*\), up \([0-9]*\)).*/\2/p' "$WORK/stats-$p")
    total_down=$((total_down + d)) total_up=$((total_up + u))

    # The lane verification, re-run on the capture: with the operator's keys every
    # transaction passes; with another issuer's keys none does.
    "$BIN/efc-pcap" verify "$f" --keys "$WORK/op.eok" --pass-file "$WORK/op.pass" --profile "$p" >"$WORK/verify-$p" ||
      fail "efc-pcap verify $p: status $?"
    grep -q "^[0-9]* transactions, $N of profile $p: $N pass the lane check, 0 fail, 0 incomplete$" "$WORK/verify-$p" ||
      fail "efc-pcap verify $p: $(tail -1 "$WORK/verify-$p")"
    "$BIN/efc-pcap" verify "$f" --keys "$WORK/op2.eok" --pass-file "$WORK/op.pass" --profile "$p" >"$WORK/verify2-$p" ||
      fail "efc-pcap verify $p (other keys): status $?"
    grep -q "^[0-9]* transactions, $N of profile $p: 0 pass the lane check, $N fail, 0 incomplete$" "$WORK/verify2-$p" ||
      fail "efc-pcap verify $p with another issuer's keys: $(tail -1 "$WORK/verify2-$p")"

    # Every frame: efc-pcap's decoding is efc-dsrc's, text for text.
    "$BIN/efc-pcap" decode --json "$f" >"$WORK/decode-$p.json" || fail "efc-pcap decode --json $p"
    sed -n 's/^{"record":\([0-9]*\),.*"hex":"\([0-9a-f]*\)","frame":\(.*\)},\{0,1\}$/\1 \2 \3/p' "$WORK/decode-$p.json" |
      sort -n >"$WORK/pairs-$p"
    [ "$(wc -l <"$WORK/pairs-$p")" -eq $((d + u)) ] || fail "$p: decode --json has $(wc -l <"$WORK/pairs-$p") frames, stats $((d + u))"
    cut -d' ' -f2 "$WORK/pairs-$p" | "$BIN/efc-dsrc" decode --frame - >"$WORK/dsrc-$p" || fail "efc-dsrc decode $p"
    cut -d' ' -f3- "$WORK/pairs-$p" | cmp -s - "$WORK/dsrc-$p" ||
      fail "$p: efc-pcap decode and efc-dsrc decode disagree: $(cut -d' ' -f3- "$WORK/pairs-$p" | diff - "$WORK/dsrc-$p" | head -3)"

    # Wireshark: message kinds, eids and attribute ids per frame, as efc-dsrc reads them.
    if command -v tshark >/dev/null 2>&1; then
      HOME=$WORK XDG_CONFIG_HOME=$WORK/.config tshark -X lua_script:"$(dirname "$0")/../../tools/pcap/efcsim.lua" \
        -r "$f" -T fields -E occurrence=a -E aggregator=, -e efcsim.kind -e efcsim.eid -e efcsim.attr_id \
        -e efcsim.msg >"$WORK/tshark-$p" 2>"$WORK/tshark-$p.err" || fail "tshark $p: status $?"
      grep -i lua "$WORK/tshark-$p.err" && fail "tshark $p: Lua errors"
      dsrc_view <"$WORK/dsrc-$p" >"$WORK/view-$p"
      cut -f1-3 "$WORK/tshark-$p" | cmp -s - "$WORK/view-$p" ||
        fail "$p: tshark and efc-dsrc disagree: $(cut -f1-3 "$WORK/tshark-$p" | diff - "$WORK/view-$p" | head -4)"
      # Each transaction's messages, once each (no bit errors, so no repeats).
      case $p in
      autopass) msgs="GET_SECURE.rq GET_SECURE.rs" ;;
      *) msgs="GET.rq GET.rs SET.rq SET.rs SET_MMI.rq SET_MMI.rs" ;;
      esac
      for m in VST RELEASE $msgs; do
        [ "$(cut -f4 "$WORK/tshark-$p" | grep -cx "$m")" -eq $N ] || fail "tshark $p: $m $(cut -f4 "$WORK/tshark-$p" | grep -cx "$m") times"
      done
      [ "$p" = autopass ] || [ "$(cut -f4 "$WORK/tshark-$p" | grep -cx GET_STAMPED.rs)" -eq $((2 * N)) ] ||
        fail "tshark $p: GET_STAMPED.rs $(cut -f4 "$WORK/tshark-$p" | grep -cx GET_STAMPED.rs) times"
    else
      echo "tshark not installed: the dissector checks of udp_lane are skipped" >&2
    fi
  done
  # The OBE host heard every downlink and sent every uplink the RSEs heard.
  "$BIN/efc-pcap" stats "$WORK/obe.pcap" >"$WORK/stats-obe" || fail "efc-pcap stats obe.pcap"
  grep -q "^records: $((total_down + total_up)) (down $total_down, up $total_up)" "$WORK/stats-obe" ||
    fail "OBE capture: $(head -2 "$WORK/stats-obe" | tail -1), RSE captures: down $total_down, up $total_up"
}
