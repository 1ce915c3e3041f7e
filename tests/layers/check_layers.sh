#!/bin/sh
# The layering rules of tests/layers/layers.txt, checked on the sources and on the build:
# every #include "LAYER/..." in a library's folders names a layer it may use, every direct
# link of its CMake targets is a layer or outside library it may use, and no program or
# library reaches, even indirectly, what the "!" lines forbid.
# Usage: check_layers.sh SOURCE_DIR LINKS_FILE (LINKS_FILE: "target: a;b;c" per line,
# written by CMake from each target's LINK_LIBRARIES).
set -u
src=$1
links=$2
rules=$src/tests/layers/layers.txt
fails=0
fail() { echo "FAIL: $*"; fails=$((fails + 1)); }

field() { echo "$1" | awk -F'|' -v n="$2" '{ gsub(/^ +| +$/, "", $n); print $n }'; }
# The layer of a CMake target or outside library, as layers.txt names it.
layer_of() {
  case $1 in
    dsrc|dsrc_crypto) echo dsrc ;;
    issuer|issuer_verify) echo issuer ;;
    io|io_cli) echo io ;;
    PkgConfig::JANSSON) echo jansson ;;
    PkgConfig::CYAML) echo cyaml ;;
    PkgConfig::PCAP) echo pcap ;;
    PkgConfig::SQLITE3) echo sqlite ;;
    OpenSSL::Crypto) echo openssl ;;
    Libev::libev) echo libev ;;
    Threads::Threads) echo threads ;;
    MPI::MPI_C) echo mpi ;;
    ZLIB::ZLIB) echo zlib ;;
    *) echo "$1" ;;
  esac
}
targets_of() {
  case $1 in
    dsrc) echo "dsrc dsrc_crypto" ;;
    issuer) echo "issuer_verify issuer" ;;
    io) echo "io io_cli" ;;
    *) echo "$1" ;;
  esac
}
direct_links() { grep "^$1: " "$links" | sed "s/^$1: //" | tr ';' ' '; }
contains() { case " $1 " in *" $2 "*) return 0 ;; esac; return 1; }

checked=0
while IFS= read -r line; do
  case $line in '#'*|'') continue ;; '!'*) continue ;; esac
  name=$(field "$line" 1); folders=$(field "$line" 2); uses=$(field "$line" 3); outside=$(field "$line" 4)
  allowed="$name $uses"
  # Sources: the project headers they include.
  for d in $folders; do
    [ -d "$src/$d" ] || { fail "$name: no folder $d"; continue; }
    for inc in $(grep -rhoE '^#include "[a-z_]+/' --include='*.c' --include='*.h' "$src/$d" | sed 's/^#include "//; s/\/$//' | sort -u); do
      contains "$allowed" "$inc" || fail "$name ($d) includes $inc/, which it may not use"
    done
  done
  # The build: each target's direct links.
  for t in $(targets_of "$name"); do
    grep -q "^$t: " "$links" || { fail "$name: target $t not in $links"; continue; }
    for l in $(direct_links "$t"); do
      ly=$(layer_of "$l")
      contains "$allowed $outside" "$ly" || fail "$t links $l ($ly), which $name may not use"
    done
  done
  checked=$((checked + 1))
done < "$rules"

# The closure of a target's links, layers only.
closure() {
  todo=$1 seen=""
  while [ -n "$todo" ]; do
    set -- $todo; t=$1; shift; todo="$*"
    contains "$seen" "$t" && continue
    seen="$seen $t"
    for l in $(direct_links "$t"); do todo="$todo $l"; done
  done
  for s in $seen; do layer_of "$s"; done | sort -u | tr '\n' ' '
}
while IFS= read -r line; do
  case $line in '!'*) ;; *) continue ;; esac
  name=$(field "${line#!}" 1); never=$(field "$line" 2)
  for t in $(targets_of "$name"); do
    reach=$(closure "$t")
    for n in $never; do
      contains "$reach" "$n" && fail "$t reaches $n (through: $reach)"
    done
    echo "$t reaches: $reach"
  done
done < "$rules"

[ "$checked" -gt 10 ] || fail "only $checked rules read from $rules"
[ $fails = 0 ] && echo "layers: $checked libraries and programs keep to tests/layers/layers.txt"
exit $((fails > 0))
