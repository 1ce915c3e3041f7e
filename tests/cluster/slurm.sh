#!/bin/sh
# tests/cluster/slurm.sh BIN_DIR SRC_DIR: on a running Slurm cluster (.ci/slurm starts a
# one-node one), tools/slurm/efc-slurm runs a fixed-passage scenario and an adaptive one
# (passages: auto, several rounds) as 4-task arrays and their merges; each result must equal,
# file for file and byte for byte, `efc-scenario run` of the same file on this machine, and
# the last merge must print the same table. Every path holds a blank, the work directory a
# quote too, which the jobs must pass through intact. (Not the output directory: gnuplot's
# script quotes it with single quotes.)
set -eu

[ $# -eq 2 ] || { echo "usage: tests/cluster/slurm.sh BIN_DIR SRC_DIR" >&2; exit 2; }
bin=$(cd "$1" && pwd)
src=$(cd "$2" && pwd)
wait_s=${EFC_SLURM_WAIT:-300}
scenarios="small auto-grid"

base=$(mktemp -d /tmp/efc-slurm-test.XXXXXX)
top="$base/a dir"
mkdir -p "$top"
ok=0
cleanup() {
  if [ $ok -eq 1 ]; then
    rm -rf "$base"
  else
    scancel --name=efc-shard 2>/dev/null || true
    scancel --name=efc-merge 2>/dev/null || true
    echo "tests/cluster/slurm.sh: failed; its files are in $base" >&2
  fi
}
trap cleanup EXIT

fail() {
  echo "tests/cluster/slurm.sh: $1" >&2
  exit 1
}

# The merge job's logs, oldest first, for a failure's report.
show_logs() {
  for f in "$1"/slurm-*.out; do
    [ -f "$f" ] || continue
    echo "-- $f" >&2
    tail -n 20 "$f" >&2
  done
}

# ours_queued: a job of efc-slurm is pending or running.
ours_queued() {
  [ -n "$(squeue -h -n efc-shard,efc-merge -o %i)" ]
}

for name in $scenarios; do
  t0=$(date +%s)
  file="$top/$name.yaml"
  cp "$src/tests/scenarios/$name.yaml" "$file"
  work="$top/$name's work"
  out="$top/$name out"
  ref="$top/$name ref"
  # The reference is written to the same OUT and moved aside: plots.gp names its directory.
  "$bin/efc-scenario" run "$file" --out "$out" >"$top/$name.stdout" || fail "$name: the single-machine run failed"
  mv "$out" "$ref"
  # Plots are compared too: gnuplot must have drawn them (efc-scenario only warns if not).
  for plot in failure_vs_speed.svg failure_vs_speed.png; do
    [ -s "$ref/$plot" ] || fail "$name: the single-machine run drew no $plot (is gnuplot installed?)"
  done

  "$src/tools/slurm/efc-slurm" "$file" --tasks 4 --work "$work" --out "$out" --bin "$bin" --threads 1
  # Bounded: the jobs end, or the wait does. A queue without our jobs and no verdict is a
  # lost run (a job killed before it could write one).
  waited=0
  while [ ! -f "$work/efc-slurm.done" ] && [ ! -f "$work/efc-slurm.failed" ]; do
    if ! ours_queued && [ ! -f "$work/efc-slurm.done" ] && [ ! -f "$work/efc-slurm.failed" ]; then
      show_logs "$work"
      fail "$name: no job of efc-slurm left and neither efc-slurm.done nor efc-slurm.failed"
    fi
    [ $waited -lt "$wait_s" ] || { squeue >&2; show_logs "$work"; fail "$name: not done within $wait_s s"; }
    sleep 1
    waited=$((waited + 1))
  done
  if [ -f "$work/efc-slurm.failed" ]; then
    show_logs "$work"
    fail "$name: efc-slurm.failed: $(cat "$work/efc-slurm.failed")"
  fi
  printf 'ok\n%s\n' "$out" | cmp -s - "$work/efc-slurm.done" ||
    fail "$name: efc-slurm.done holds '$(cat "$work/efc-slurm.done")', expected ok and $out"

  # Every file of the single-machine run, and no other.
  (cd "$ref" && find . -type f | sort) >"$top/$name.ref-files"
  (cd "$out" && find . -type f | sort) >"$top/$name.out-files"
  cmp -s "$top/$name.ref-files" "$top/$name.out-files" ||
    fail "$name: the files differ: $(diff "$top/$name.ref-files" "$top/$name.out-files" | grep '^[<>]' | tr '\n' ' ')"
  n=0
  while IFS= read -r f; do
    cmp "$ref/$f" "$out/$f" || fail "$name: $f differs from the single-machine run's"
    n=$((n + 1))
  done <"$top/$name.ref-files"

  # The last round's merge printed the table (its log also holds this recipe's own lines),
  # bar the wall-clock time and the shards and rounds merge adds to the results line.
  subs=$(find "$work" -name 'slurm-merge-*.out' | wc -l)
  # An adaptive scenario must have gone round the merge's exit 3 at least once.
  if grep -q 'passages: auto' "$file" && [ "$subs" -lt 2 ]; then
    fail "$name: adaptive, yet done after $subs submission"
  fi
  last="" last_id=0
  for f in "$work"/slurm-merge-*.out; do
    id=${f##*-}
    id=${id%.out}
    [ "$id" -le "$last_id" ] || { last=$f; last_id=$id; }
  done
  grep -v ' s wall' "$top/$name.stdout" >"$top/$name.table"
  grep -v -e '^efc-slurm: ' -e ' s wall' "$last" | sed 's/ ([0-9]* shards, [0-9]* rounds)$//' |
    cmp -s "$top/$name.table" - ||
    fail "$name: the table in $last differs from the single-machine run's"

  echo "$name: $subs submission(s) of 4 shards and a merge on Slurm, $(($(date +%s) - t0)) s;" \
    "$n files identical ($(sed 's|^\./||' "$top/$name.ref-files" | tr '\n' ' ' | sed 's/ $//')) and the table"
done
ok=1
