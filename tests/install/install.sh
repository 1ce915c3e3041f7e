#!/bin/sh
# cmake --install into a temporary prefix, the tree moved elsewhere, then the main job run
# from there in an empty working directory: the installed programs find their data files
# by themselves (docs/cli.md, "Installed"), answer --version, and the manual pages and the
# Wireshark dissector are where README.md says.
# Usage: install.sh CMAKE BUILD_DIR SOURCE_DIR VERSION PLUGIN_DIR MANPAGES(ON|OFF)
#   PLUGIN_DIR: EFC_WIRESHARK_PLUGIN_DIR, relative to the prefix.
set -u
cmake=$1
build=$2
src=$3
version=$4
plugin_dir=$5
manpages=$6
work=$(mktemp -d "${TMPDIR:-/tmp}/efc-install.XXXXXX") || exit 1
trap 'rm -rf "$work"' EXIT
fail=0
bad() { echo "FAIL: $*"; fail=1; }
programs="efc-scenario efc-rse efc-obe efc-pcap efc-issuer efc-keymgmt efc-dsrc"

"$cmake" --install "$build" --prefix "$work/staged" > "$work/install.log" 2>&1 ||
  { cat "$work/install.log"; echo "FAIL: cmake --install exited $?"; exit 1; }
# Moved after installing: nothing may depend on the prefix the files were installed to.
mv "$work/staged" "$work/p" || exit 1
p=$(cd "$work/p" && pwd -P) || exit 1

# What is installed, and nothing of the tests or benchmarks.
[ "$(ls "$p/bin" | sort | tr '\n' ' ')" = "efc-dsrc efc-issuer efc-keymgmt efc-obe efc-pcap efc-rse efc-scenario " ] ||
  bad "bin/ holds: $(ls "$p/bin" | tr '\n' ' ')"
for f in "$src"/scenarios/*.yaml "$src"/scenarios/attacks/*.yaml; do
  rel=${f#"$src"/}
  cmp -s "$f" "$p/share/efcsim/$rel" || bad "share/efcsim/$rel missing or different"
done
[ "$(ls "$p/share/efcsim/scenarios/attacks" | wc -l)" -ge 15 ] || bad "fewer than 15 attack files installed"
cmp -s "$src/README.md" "$p/share/doc/efcsim/README.md" || bad "share/doc/efcsim/README.md missing"
for f in "$src"/docs/*.md; do
  cmp -s "$f" "$p/share/doc/efcsim/docs/${f##*/}" || bad "share/doc/efcsim/docs/${f##*/} missing"
done
cmp -s "$src/tools/pcap/efcsim.lua" "$p/$plugin_dir/efcsim.lua" || bad "the dissector is not at $plugin_dir/efcsim.lua"

# --version: one line, "PROG efcsim VERSION (COMMIT)", the same as the build tree's program;
# --help lists it.
for prog in $programs; do
  out=$("$p/bin/$prog" --version) || bad "$prog --version exited $?"
  echo "$out" | grep -Eqx "$prog efcsim $version \\(([0-9a-f]{4,}(\\+dirty)?|unknown)\\)" ||
    bad "$prog --version said '$out'"
  [ "$out" = "$("$build/bin/$prog" --version)" ] || bad "$prog --version differs from the build tree's"
  "$p/bin/$prog" --help > "$work/help.txt" || bad "$prog --help exited $?"
  grep -q -- '--version' "$work/help.txt" || bad "$prog --help does not list --version"
done

# Manual pages, one per program, from its --help and --version.
if [ "$manpages" = ON ]; then
  for prog in $programs; do
    page=$p/share/man/man1/$prog.1
    upper=$(echo "$prog" | tr a-z A-Z)
    [ -s "$page" ] || { bad "no manual page $page"; continue; }
    grep -q "^\\.TH $upper \"1\"" "$page" || bad "$prog.1 has no .TH $upper line"
    grep -q '^\.SH SYNOPSIS' "$page" || bad "$prog.1 has no SYNOPSIS"
    grep -q "efcsim $version" "$page" || bad "$prog.1 does not name efcsim $version"
  done
else
  echo "note: built without help2man (EFC_MANPAGES OFF): manual pages not checked"
fi

# The main job from the installed tree, in an empty working directory.
mkdir "$work/empty" && cd "$work/empty" || exit 1
"$p/bin/efc-scenario" run "$p/share/efcsim/scenarios/default.yaml" --threads 2 --budget 100000 > run.txt 2>&1 ||
  { cat run.txt; bad "efc-scenario run default.yaml exited $?"; }
stamp=$("$p/bin/efc-scenario" --version)
grep -q "\"written_by\": \"$stamp\"" results/default/summary.json 2>/dev/null ||
  bad "results/default/summary.json does not carry '$stamp'"
grep -q "\"written_by\": \"$stamp\"" results/default/passages.csv.json 2>/dev/null ||
  bad "results/default/passages.csv.json does not carry '$stamp'"
# The default run lists only its failed passages: its size is in summary.json.
grep -q '^ "passages": [0-9][0-9][0-9][0-9]' results/default/summary.json || bad "results/default: under 1000 passages"
head -1 results/default/passages.csv | grep -q '^block,seq,' || bad "results/default/passages.csv has no header"

# report security with its defaults: none here, so the installed attack files and timing
# scenario, named in the report by their installed paths.
"$p/bin/efc-scenario" report security --threads 2 --no-plots > report.txt 2>&1 ||
  { cat report.txt; bad "efc-scenario report security exited $?"; }
md=results/security/security.md
grep -q "^From \`$p/share/efcsim/scenarios/gantry-10m.yaml\`" $md ||
  bad "$md: the timing model is not the installed scenarios/gantry-10m.yaml"
[ "$(grep -c "^\`$p/share/efcsim/scenarios/attacks/t[0-9]*-.*\.yaml\`" $md)" = \
  "$(ls "$p/share/efcsim/scenarios/attacks" | wc -l)" ] || bad "$md: not every installed attack file ran"
grep -q "^Written by $stamp\\.\$" $md || bad "$md does not carry '$stamp'"
grep -q "<meta name=\"generator\" content=\"$stamp\">" results/security/security.html ||
  bad "security.html does not carry '$stamp'"

# A working directory with files of its own: those win over the installed ones.
mkdir -p "$work/own/scenarios/attacks" && cd "$work/own" || exit 1
cp "$src/tests/scenarios/small.yaml" scenarios/gantry-10m.yaml
cp "$src/scenarios/attacks/t07-replay.yaml" scenarios/attacks/
"$p/bin/efc-scenario" report security --threads 2 --no-plots > report.txt 2>&1 ||
  { cat report.txt; bad "report security with the working directory's files exited $?"; }
grep -q '^From `scenarios/gantry-10m.yaml`' $md || bad "the working directory's scenarios/gantry-10m.yaml was not used"
[ "$(grep -c '^`scenarios/attacks/t07-replay.yaml`' $md)" = 1 ] && [ "$(grep -c '^`.*\.yaml` (attacker' $md)" = 1 ] ||
  bad "the working directory's attack files were not the only ones used"

# A capture and its sidecar, then the installed dissector found as a plugin (no -X): in a
# personal plugin directory that is the installed one. Without tshark, only the file checks.
cd "$work/empty" || exit 1
"$p/bin/efc-scenario" trace --profile en15509-l1 --pcap x.pcap > /dev/null || bad "trace --pcap exited $?"
grep -q "\"written_by\": \"$stamp\"" x.pcap.json 2>/dev/null || bad "x.pcap.json does not carry '$stamp'"
if command -v tshark > /dev/null 2>&1; then
  mkdir -p "$work/home/.local/lib/wireshark" && ln -s "$p/$plugin_dir" "$work/home/.local/lib/wireshark/plugins"
  msgs=$(HOME=$work/home XDG_CONFIG_HOME=$work/home/.config tshark -r x.pcap -T fields -e efcsim.msg 2>/dev/null |
         grep -c .)
  [ "$msgs" -gt 5 ] || bad "tshark did not load the installed dissector from $plugin_dir ($msgs frames decoded)"
else
  echo "note: no tshark: the installed dissector was not loaded"
fi

[ $fail = 0 ] && echo "installed under a moved prefix: programs, data, docs, manual pages, dissector all in place"
exit $fail
