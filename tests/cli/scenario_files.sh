#!/bin/sh
# Scenario and attack files that must be refused with one line naming the file, the line and
# the key (exit 1), and files at the edge of their ranges that must run to completion and
# leave summary.json (exit 0, even when every passage failed): issue 15, points 3, 4, 5, 15.
# Usage: scenario_files.sh BIN_DIR
set -u
bin=$1/efc-scenario
out=${TMPDIR:-/tmp}/efc-scenario-files.$$
fails=0
fail() { echo "FAIL: $*"; fails=$((fails + 1)); }
mkdir -p "$out" || exit 1
trap 'rm -rf "$out"' EXIT

# expect STATUS STDERR_PATTERN -- command...: the status, and stderr one line holding the
# pattern (fixed string).
expect() {
  want=$1 pat=$2
  shift 2
  err=$("$@" 2>&1 >/dev/null)
  got=$?
  [ "$got" = "$want" ] || fail "$*: exit $got, want $want ($err)"
  if [ -n "$pat" ]; then
    printf '%s\n' "$err" | grep -qF -- "$pat" || fail "$*: stderr '$err' lacks '$pat'"
    [ "$(printf '%s\n' "$err" | wc -l)" -le 1 ] || fail "$*: error is not one line: $err"
  fi
}

# A valid scenario around one changed line: TRAFFIC_EXTRA goes under traffic:, TOP above it.
scenario() { # NAME TOP TRAFFIC_EXTRA [SPEEDS]
  {
    [ -n "$2" ] && printf '%s\n' "$2"
    printf 'traffic:\n  speeds_kmh: [%s]\n  passages: 4\n' "${4:-100}"
    [ -n "$3" ] && printf '  %s\n' "$3"
    printf 'fleet:\n  - {profile: aes}\n'
  } > "$out/$1.yaml"
}

# bad NAME PATTERN TOP TRAFFIC_EXTRA [SPEEDS]: run refuses it with PATTERN.
bad() {
  scenario "$1" "$3" "$4" "${5:-}"
  expect 1 "$1.yaml:$2" "$bin" run "$out/$1.yaml" --out "$out/res-$1" --no-plots
}

# Point 3: empty and comment-only files, in run, attack and report security --timing.
: > "$out/empty.yaml"
printf '# nothing but a comment\n\n   # and another\n' > "$out/comment.yaml"
for f in empty comment; do
  expect 1 "$f.yaml:1: empty: no document" "$bin" run "$out/$f.yaml" --out "$out/res-$f" --no-plots
  expect 1 "$f.yaml:1: empty: no document" "$bin" attack "$out/$f.yaml"
  expect 1 "$f.yaml:1: empty: no document" "$bin" report security --timing "$out/$f.yaml" --out "$out/rep-$f" --no-plots
done
printf -- '---\n...\n' > "$out/no-mapping.yaml"
expect 1 "no-mapping.yaml:1:" "$bin" run "$out/no-mapping.yaml" --out "$out/res-nm" --no-plots

# Point 5: numbers with their type and range; the error quotes the value.
for v in 2.5 1e308 -5 0 100000001 18446744073709551617 0x10 1e3 '"4x"'; do
  scenario passages "" ""
  sed -i "s/passages: 4/passages: $v/" "$out/passages.yaml"
  shown=$(printf '%s' "$v" | tr -d '"')
  expect 1 "passages.yaml:3: traffic.passages: expected 1..100000000, got '$shown'" \
    "$bin" run "$out/passages.yaml" --out "$out/res" --no-plots
done
bad speed-tiny "2: traffic.speeds_kmh: expected a number in [1, 500], got '1e-300'" "" "" "100, 1e-300"
bad speed-inf "2: traffic.speeds_kmh: expected a number in [1, 500], got '.inf'" "" "" ".inf"
bad speed-nan "2: traffic.speeds_kmh: expected a number in [1, 500], got 'nan'" "" "" "nan"
bad speed-fast "2: traffic.speeds_kmh: expected a number in [1, 500], got '501'" "" "" "501"
bad seed-neg "1: seed: expected 0..9223372036854775807, got '-1'" "seed: -1" ""
bad seed-big "1: seed: expected 0..9223372036854775807, got '9223372036854775808'" "seed: 9223372036854775808" ""
bad fleet-neg "4: traffic.fleet_size: expected 0..100000000, got '-1'" "" "fleet_size: -1"
bad ber-half "1: ber: expected a number in [0, 0.5), got '0.5'" "ber: 0.5" ""
bad sweep-half "1: ber_sweep: expected a number in [0, 0.5), got '0.5'" "ber_sweep: [0.1, 0.5]" ""
bad ber-neg "1: ber: expected a number in [0, 0.5), got '-1e-9'" "ber: -1e-9" ""
bad headway-tiny "4: traffic.headway_s: expected a number in [0.1, 3600], got '1e-300'" "" "headway_s: 1e-300"
bad headway-zero "4: traffic.headway_s: expected a number in [0.1, 3600], got '0'" "" "headway_s: 0"
bad min-headway "4: traffic.min_headway_s: expected a number in [0, 2], got '3'" "" "min_headway_s: 3"
bad lanes "1: lanes: expected 1..16, got '2.0'" "lanes: 2.0" ""
bad zone "1: zone_length_m: expected a number in [0.1, 1000], got '1e999'" "zone_length_m: 1e999" ""
bad bits "1: timing.trailing_bits: expected 0..8, got '-1'" "timing: {trailing_bits: -1}" ""
bad blank "1: seed: expected 0..9223372036854775807, got ''" "seed:" ""
bad newline "1: seed: expected 0..9223372036854775807, got '1?2'" 'seed: "1\n2"' ""
# values of the wrong shape or length, in the file's terms
bad shape-map "4: traffic.fleet_size: expected a single value, got a mapping" "" "fleet_size: {a: 1}"
bad shape-list "2: traffic.speeds_kmh: expected a single value, got a list" "" "" "[100]"
bad too-long "4: traffic.fleet_size: longer than 64 characters" "" "fleet_size: 1$(printf '%070d' 0)"
# the mean of a distribution within min..max (it was run at 1,000,000 km/h)
cat > "$out/mean.yaml" <<'EOF'
traffic:
  speed_distribution: {mean_kmh: 1000000, sd_kmh: 5, min_kmh: 60, max_kmh: 120}
  passages: 4
fleet:
  - {profile: aes}
EOF
expect 1 "mean.yaml:2: traffic.speed_distribution.mean_kmh: expected a number in [60, 120], got '1000000'" \
  "$bin" run "$out/mean.yaml" --out "$out/res" --no-plots
cat > "$out/share.yaml" <<'EOF'
traffic:
  speeds_kmh: [100]
  passages: 4
fleet:
  - {profile: aes}
  - {profile: autopass, share: -1}
EOF
expect 1 "share.yaml:6: fleet.share: expected a number in [0, 1000000], got '-1'" \
  "$bin" run "$out/share.yaml" --out "$out/res" --no-plots

# Point 15: a fleet group the RSE cannot serve is refused, naming its line.
cat > "$out/unserved.yaml" <<'EOF'
rse:
  profiles: [autopass]
traffic:
  speeds_kmh: [100]
  passages: 4
fleet:
  - {profile: autopass}
  - {profile: aes, mcu: legacy}
EOF
expect 1 "unserved.yaml:8: fleet.profile: the RSE does not run aes (rse.profiles)" \
  "$bin" run "$out/unserved.yaml" --out "$out/res" --no-plots

# Attack files: the same reader, their own ranges.
attack() { # NAME LINE
  printf 'threat: T7\ntitle: replay\nattacker: hacker\n%s\n' "$2" > "$out/$1.yaml"
}
for case in "passages: 2.5|4: passages: expected 1..20, got '2.5'" \
            "passages: 1e308|4: passages: expected 1..20, got '1e308'" \
            "passages: -5|4: passages: expected 1..20, got '-5'" \
            "seed: -1|4: seed: expected 0..9223372036854775807, got '-1'" \
            "ber: 0.01|4: ber: expected a number in [0, 0.01), got '0.01'" \
            "counter_back: 4096|4: counter_back: expected 1..4095, got '4096'" \
            "fee_change: 4294967296|4: fee_change:" \
            "keysearch_seconds: 0|4: keysearch_seconds: expected a number in (0, 60], got '0'" \
            "threat: T16|1: threat: not one of T1..T15"; do
  line=${case%%|*} pat=${case#*|}
  attack att "$line"
  [ "$line" = "threat: T16" ] && printf 'threat: T16\ntitle: replay\nattacker: hacker\n' > "$out/att.yaml"
  expect 1 "att.yaml:$pat" "$bin" attack "$out/att.yaml"
done

# Points 4 and 15: groups that never succeed run to completion, exit 0, and summary.json
# reports them with 0 successes: a zone far too short for the speed, and a BER just below
# noise. (Under UBSan the empty completion-time arrays aborted the report before.)
for case in "never|zone_length_m: 0.1|500" "noise|ber: 0.49|100"; do
  name=${case%%|*} rest=${case#*|}
  top=${rest%%|*} speed=${rest#*|}
  scenario "$name" "$top" "" "$speed"
  expect 0 "" "$bin" run "$out/$name.yaml" --out "$out/res-$name" --threads 1 --no-plots
  [ -f "$out/res-$name/summary.json" ] || fail "$name: no summary.json"
  grep -q '"successes": 0,' "$out/res-$name/summary.json" || fail "$name: summary.json lacks 0 successes"
  grep -q '"successes": [1-9]' "$out/res-$name/summary.json" && fail "$name: a passage succeeded"
  [ "$(wc -l < "$out/res-$name/passages.csv")" = 5 ] || fail "$name: passages.csv is not 4 passages"
done
# And the edges of the ranges are taken.
scenario edges "seed: 9223372036854775807
ber: 0" "headway_s: 0.1" "1, 500"
expect 0 "" "$bin" run "$out/edges.yaml" --out "$out/res-edges" --threads 1 --no-plots
[ -f "$out/res-edges/summary.json" ] || fail "edges: no summary.json"
grep -q '"seed": 9223372036854775807' "$out/res-edges/summary.json" || fail "edges: seed not recorded as given"

# Issue 17: importance sampling's keys, each refused with one line; their edges taken.
isfile() { # NAME IMPORTANCE [TOP] [PASSAGES]
  {
    printf '%s\nimportance: {%s}\ntraffic:\n  speeds_kmh: [100]\n  passages: %s\n' "${3:-name: is}" "$2" "${4:-auto}"
    [ "${4:-auto}" = auto ] && printf '  max_per_cell: 1000\n'
    printf 'fleet:\n  - {profile: aes}\n'
  } > "$out/$1.yaml"
}
for case in "fixed|||4|2: importance: needs traffic.passages: auto" \
            "low|ber: 1.0e-7|||2: importance.ber: expected a number in (1e-06, 0.2], got '1.0e-7'" \
            "high|ber: 0.3|||2: importance.ber: expected a number in (1e-06, 0.2], got '0.3'" \
            "word|ber: sometimes|||2: importance.ber: expected a number in (1e-06, 0.2], got 'sometimes'" \
            "zero|ber: auto|ber: 0||2: importance.ber: a BER of 0 has no bit error to draw more often" \
            "collide|collide: 1|||2: importance.collide: expected a number in (0, 1), got '1'" \
            "pilot|pilot: 99|||2: importance.pilot: expected 100..10000000, got '99'" \
            "precision|precision: 0|||2: importance.precision: expected a number in (0, 1], got '0'" \
            "warmup|warmup: -1|||2: importance.warmup: expected 0..100000, got '-1'" \
            "unknown|shape: 2|||2: importance: Unexpected key: shape"; do
  name=${case%%|*} rest=${case#*|}
  imp=${rest%%|*} rest=${rest#*|}
  top=${rest%%|*} rest=${rest#*|}
  passages=${rest%%|*} pat=${rest#*|}
  isfile "is-$name" "$imp" "${top:-name: is}" "${passages:-auto}"
  expect 1 "is-$name.yaml:$pat" "$bin" run "$out/is-$name.yaml" --out "$out/res-is-$name" --no-plots
done
# A BER of 0 with collisions alone biased, and every key at an edge of its range.
isfile is-edges "ber: off, collide: 0.99, pilot: 100, precision: 1, warmup: 0" "ber: 0"
expect 0 "" "$bin" run "$out/is-edges.yaml" --out "$out/res-is-edges" --threads 1 --no-plots
grep -q '"importance"' "$out/res-is-edges/summary.json" || fail "is-edges: no importance in summary.json"

[ $fails = 0 ] && echo "scenario and attack files: all checks passed"
