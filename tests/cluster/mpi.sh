#!/bin/sh
# efc-scenario run --mpi (issue 18): on 2 and 3 ranks of one machine, a fixed number of
# passages, adaptive sampling, a zone search and importance sampling give byte for byte the
# outputs of the single-machine run (passages.csv and its sidecar, summary.json, the plots
# and their data, the table but for its wall-time line); a broken scenario file and a run
# that fails on rank 0 end every rank with a non-zero exit and one line, never a hang.
# A rank that answers wrongly (mpi_rank.c) must stop the run the same way.
# Usage: mpi.sh BIN_DIR SOURCE_DIR MPI_RANK
set -u
bin=$1
src=$2
bad_rank=$3
work=${TMPDIR:-/tmp}/efc-mpi.$$
trap 'rm -rf "$work"' EXIT
fail=0
mkdir -p "$work" || exit 1
# Two cores or fewer: more ranks than cores. Open MPI refuses root without being told.
mpirun="mpirun -q --oversubscribe"
[ "$(id -u)" = 0 ] && mpirun="$mpirun --allow-run-as-root"
# A hang guard, not a speed check.
guard="timeout 300"
# summary.json names the scenario file as given and plots.gp the output directory: the
# same relative names for every run, each output moved aside once written.
cp -r "$src/tests/scenarios" "$work/scenarios" || exit 1
cd "$work" || exit 1

# run NAME FILE [MPIRUN-ARGS]: FILE's outputs in NAME/, its table in NAME.txt.
run() {
  name=$1 file=$2
  shift 2
  rm -rf out
  if [ $# -eq 0 ]; then
    $guard "$bin/efc-scenario" run "$file" --out out --threads 2 > "$name.txt" 2> "$name.err"
  else
    $guard $mpirun "$@" "$bin/efc-scenario" run "$file" --out out --mpi > "$name.txt" 2> "$name.err"
  fi
  rv=$?
  [ $rv = 0 ] || { echo "FAIL: $name: exit $rv: $(head -3 "$name.err")"; fail=1; }
  mv out "$name" 2>/dev/null || { echo "FAIL: $name: no output"; fail=1; mkdir -p "$name"; }
}

for s in small auto-grid frontier rare-is; do
  file=scenarios/$s.yaml
  start=$(date +%s)
  run "$s-ref" "$file"
  echo "$s: single machine $(($(date +%s) - start)) s, $(ls "$s-ref" | wc -l) files"
  [ -s "$s-ref/passages.csv" ] && [ -s "$s-ref/summary.json" ] && [ -s "$s-ref/passages.csv.json" ] ||
    { echo "FAIL: $s: the single-machine run wrote no outputs"; fail=1; }
  for np in 2 3; do
    start=$(date +%s)
    run "$s-np$np" "$file" -np $np
    same=0 differ=0
    for f in $(ls "$s-ref"); do
      if cmp -s "$s-ref/$f" "$s-np$np/$f"; then
        same=$((same + 1))
      else
        echo "FAIL: $s, $np ranks: $f differs from the single-machine run"
        differ=$((differ + 1))
        fail=1
      fi
    done
    [ "$(ls "$s-np$np" | wc -l)" = "$(ls "$s-ref" | wc -l)" ] ||
      { echo "FAIL: $s, $np ranks: $(ls "$s-np$np" | wc -l) files, $(ls "$s-ref" | wc -l) expected"; fail=1; }
    # The table: rank 0's alone, the same but for the line with the wall time and threads
    # and the line on how the blocks spread.
    if grep -v ' wall, ' "$s-ref.txt" > a.txt && grep -v -e ' wall, ' -e '^MPI: ' "$s-np$np.txt" > b.txt &&
       cmp -s a.txt b.txt; then
      same=$((same + 1))
    else
      echo "FAIL: $s, $np ranks: the table differs:"; diff a.txt b.txt | head -5
      differ=$((differ + 1))
      fail=1
    fi
    echo "$s: $np ranks $(($(date +%s) - start)) s: $same outputs identical, $differ different"
    # The blocks went to every rank but 0 (rank 0 takes what is left over; small has three
    # blocks, all in flight on the others), and the same blocks in all on 2 and 3 ranks.
    spread=$(sed -n 's/^MPI: \([0-9]*\) rank(s); blocks simulated per rank: //p' "$s-np$np.txt")
    echo "$s: $np ranks: blocks simulated per rank: $spread"
    set -- $spread
    [ $# = $np ] || { echo "FAIL: $s, $np ranks: no line on how the blocks spread"; fail=1; }
    total=0 r=0
    for b in "$@"; do
      [ $r -gt 0 ] && [ "$b" -eq 0 ] && { echo "FAIL: $s, $np ranks: rank $r simulated no block"; fail=1; }
      total=$((total + b)) r=$((r + 1))
    done
    [ $np = 2 ] && total2=$total
    [ $np = 3 ] && [ "$total" != "$total2" ] && { echo "FAIL: $s: $total2 blocks on 2 ranks, $total on 3"; fail=1; }
  done
done

# Failures: a broken or missing scenario file, a rank 0 that fails before any block (no
# output directory), a rank that fails a block or sends a result cut short or out of
# range: every rank stops, non-zero, one line from rank 0.
# fail_run NAME WHAT FILE [ARGS] [: MPMD-PART]
fail_run() {
  name=$1 what=$2 file=$3
  shift 3
  case $name in
    rank-*) $guard $mpirun -np 1 "$bin/efc-scenario" run "$file" --mpi "$@" > "$name.txt" 2> "$name.err" ;;
    *) $guard $mpirun -np 3 "$bin/efc-scenario" run "$file" --mpi "$@" > "$name.txt" 2> "$name.err" ;;
  esac
  rv=$?
  if [ $rv = 0 ] || [ $rv = 124 ]; then
    echo "FAIL: $name: exit $rv ($([ $rv = 124 ] && echo hang || echo success))"; fail=1
  elif [ "$(wc -l < "$name.err")" != 1 ] || ! grep -q "^efc-scenario: .*$what" "$name.err"; then
    echo "FAIL: $name: stderr is not one line naming $what:"; cat "$name.err"; fail=1
  else
    echo "$name: exit $rv, $(cat "$name.err")"
  fi
}
fail_run broken-file bad-syntax.yaml scenarios/bad-syntax.yaml --out broken
fail_run missing-file no-such.yaml scenarios/no-such.yaml --out broken
: > not-a-dir
fail_run no-out-dir not-a-dir/out scenarios/small.yaml --out not-a-dir/out
fail_run rank-fail 'rank 1: block [0-9]* failed (-7)$' scenarios/auto-grid.yaml --out failed : -np 1 "$bad_rank" fail
fail_run rank-short 'rank 1: block [0-9]*: [0-9]* passages in [0-9]* octets, [0-9]* expected$' \
  scenarios/auto-grid.yaml --out failed : -np 1 "$bad_rank" short
fail_run rank-garbage 'rank 1: block [0-9]*, passage 0: a field out of range$' \
  scenarios/auto-grid.yaml --out failed : -np 1 "$bad_rank" garbage
# A rank that reads another scenario (here another seed) stops the run before any block.
sed 's/^seed: 5$/seed: 6/' scenarios/small.yaml > other-seed.yaml
fail_run rank-other-seed 'rank 1: another scenario text, seed, budget or efc-scenario version than rank 0' \
  scenarios/small.yaml --out failed : -np 1 "$bin/efc-scenario" run other-seed.yaml --mpi --out failed
[ -e broken ] && { echo "FAIL: a failed run left its output directory"; fail=1; }
[ -e failed/passages.csv ] && { echo "FAIL: a failed run left passages.csv"; fail=1; }
# A rank gone without a word: mpirun ends the job; no hang, no success.
$guard $mpirun -np 1 "$bin/efc-scenario" run scenarios/auto-grid.yaml --mpi --out failed : -np 1 "$bad_rank" die \
  > rank-die.txt 2> rank-die.err
rv=$?
case $rv in
  0|124) echo "FAIL: rank-die: exit $rv"; fail=1 ;;
  *) echo "rank-die: exit $rv" ;;
esac

[ $fail = 0 ] && echo "cluster_mpi: --mpi on 2 and 3 ranks gives the single-machine outputs; failures stop every rank"
exit $fail
