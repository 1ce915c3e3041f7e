#!/bin/sh
# tests/cluster/slurm_recipe.sh SRC_DIR: tools/slurm's recipe without a cluster. sbatch is a
# double that records each job's options and --wrap script; the test then runs those scripts
# with /bin/sh as Slurm would, against an efc-scenario double, and checks the commands that
# reach efc-scenario (paths with blanks and quotes intact), the dependency, the next round's
# identical resubmission, efc-slurm.done, efc-slurm.failed and the 64-submission stop.
# (tests/cluster/slurm.sh runs the same recipe on a real cluster, from .ci/slurm.)
set -eu

[ $# -eq 1 ] || { echo "usage: tests/cluster/slurm_recipe.sh SRC_DIR" >&2; exit 2; }
src=$(cd "$1" && pwd)
efc_slurm=$src/tools/slurm/efc-slurm
round=$src/tools/slurm/efc-slurm-round

base=$(mktemp -d /tmp/efc-slurm-recipe.XXXXXX)
trap 'rm -rf "$base"' EXIT
top="$base/it's a dir"
log=$base/log
fake=$base/bin
mkdir -p "$top" "$log" "$fake"

fail() {
  echo "tests/cluster/slurm_recipe.sh: $1" >&2
  exit 1
}

# sbatch: job ids from 101; JOB.args holds the options one a line, JOB.wrap the script.
cat >"$fake/sbatch" <<'EOF'
#!/bin/sh
n=$(cat "$EFC_TEST_LOG/next" 2>/dev/null || echo 101)
echo $((n + 1)) >"$EFC_TEST_LOG/next"
: >"$EFC_TEST_LOG/$n.args"
while [ $# -gt 0 ]; do
  case $1 in
    --wrap) printf '%s\n' "$2" >"$EFC_TEST_LOG/$n.wrap"; shift 2 ;;
    *) printf '%s\n' "$1" >>"$EFC_TEST_LOG/$n.args"; shift ;;
  esac
done
echo "$n;efcci"
EOF
# efc-scenario: its arguments one a line in efc-scenario.args; merge exits EFC_TEST_MERGE.
cat >"$fake/efc-scenario" <<'EOF'
#!/bin/sh
printf '%s\n' "$@" >"$EFC_TEST_LOG/efc-scenario.args"
[ "$1" = merge ] || exit 0
[ "$EFC_TEST_MERGE" != 1 ] || echo "efc-scenario: $2: shard-2-of-4.r1.efcpart: missing" >&2
exit "$EFC_TEST_MERGE"
EOF
printf '#!/bin/sh\nexit 0\n' >"$fake/scancel"
chmod +x "$fake/sbatch" "$fake/efc-scenario" "$fake/scancel"
PATH=$fake:$PATH
EFC_TEST_LOG=$log
EFC_TEST_MERGE=0
export PATH EFC_TEST_LOG EFC_TEST_MERGE

# expect_lines FILE LINE...: FILE holds exactly these lines.
expect_lines() {
  f=$1
  shift
  printf '%s\n' "$@" | cmp -s - "$f" || fail "$f: expected [$*], got [$(tr '\n' ' ' <"$f")]"
}

# expect_status N CMD...: CMD exits with N and says something on stderr.
expect_status() {
  want=$1
  shift
  rc=0
  "$@" >/dev/null 2>"$base/err" || rc=$?
  [ $rc -eq "$want" ] || fail "$*: exit status $rc, expected $want"
  [ -s "$base/err" ] || fail "$*: no error message"
}

file="$top/small file.yaml"
work="$top/work dir"
out="$top/out dir"
printf 'name: t\n' >"$file"

# Usage and input errors, before anything is submitted.
expect_status 2 "$efc_slurm" --tasks 4 --work "$work" --out "$out"
expect_status 2 "$efc_slurm" "$file" --tasks 0 --work "$work" --out "$out"
expect_status 2 "$efc_slurm" "$file" --tasks 4 --work "$work" --out "$out" --threads 257
expect_status 2 "$efc_slurm" "$file" --tasks 4 --work "$work" --out "$out" --frob
expect_status 1 "$efc_slurm" "$top/none.yaml" --tasks 4 --work "$work" --out "$out" --bin "$fake"
expect_status 1 "$efc_slurm" "$file" --tasks 4 --work "$top/100%" --out "$out" --bin "$fake"
expect_status 1 "$efc_slurm" "$file" --tasks 4 --work "$work" --out "$out" --bin "$top"
[ ! -f "$log/next" ] || fail "a job was submitted for a bad command line"

# Round 1: an array of 4 and a merge after it, whatever the array's end.
stale="$work/efc-slurm.failed"
mkdir -p "$work" && echo old >"$stale"
"$efc_slurm" "$file" --tasks 4 --work "$work" --out "$out" --bin "$fake" --threads 2 \
  --sbatch '-p long  --time=10' >"$base/stdout"
[ ! -f "$stale" ] || fail "the last run's efc-slurm.failed was left in place"
grep -q 'shards job 101 (array 0-3), merge job 102' "$base/stdout" || fail "job ids not printed: $(cat "$base/stdout")"
expect_lines "$log/101.args" --parsable --job-name=efc-shard --array=0-3 "--chdir=$work" \
  "--output=$work/slurm-shard-%A_%a.out" --cpus-per-task=2 -p long --time=10
expect_lines "$log/102.args" --parsable --job-name=efc-merge --dependency=afterany:101 \
  "--chdir=$work" "--output=$work/slurm-merge-%j.out" -p long --time=10

# What reaches efc-scenario when Slurm runs the scripts under /bin/sh.
SLURM_ARRAY_TASK_ID=3 sh "$log/101.wrap"
expect_lines "$log/efc-scenario.args" run "$file" --shard 3/4 --out "$work" --threads 2
EFC_TEST_MERGE=3 sh "$log/102.wrap" >/dev/null
expect_lines "$log/efc-scenario.args" merge "$work" --out "$out"
# Another round: the same shard commands and a merge after them.
cmp -s "$log/101.wrap" "$log/103.wrap" || fail "round 2's shards differ from round 1's"
sed 's/afterany:101/afterany:103/' "$log/102.args" | cmp -s - "$log/104.args" ||
  fail "round 2's merge job: $(tr '\n' ' ' <"$log/104.args")"
# The merge job runs efc-slurm-round by its path with this run's arguments but the count.
sed 's/ merge 1 / merge 2 /' "$log/102.wrap" | cmp -s - "$log/104.wrap" ||
  fail "round 2's merge script: $(cat "$log/104.wrap")"

# Done: efc-slurm.done holds ok and OUT; nothing more submitted.
sh "$log/104.wrap" >/dev/null
expect_lines "$work/efc-slurm.done" ok "$out"
[ "$(cat "$log/next")" = 105 ] || fail "a job was submitted after the run was complete"

# Failed: efc-slurm.failed holds the merge's error line; the job fails.
rm -f "$work/efc-slurm.done"
rc=0
EFC_TEST_MERGE=1 sh "$log/104.wrap" >/dev/null 2>&1 || rc=$?
[ $rc -ne 0 ] || fail "a failed merge's job exited 0"
expect_lines "$work/efc-slurm.failed" "efc-scenario: $work: shard-2-of-4.r1.efcpart: missing"
[ ! -f "$work/efc-slurm.done" ] || fail "efc-slurm.done written for a failed merge"

# Without --threads a task uses the CPUs Slurm gave it, and no more than 1 by default.
rm -rf "$work"
"$efc_slurm" "$file" --tasks 1 --work "$work" --out "$out" --bin "$fake" >/dev/null
grep -q -e '--cpus-per-task' "$log/105.args" && fail "--cpus-per-task asked for without --threads"
SLURM_ARRAY_TASK_ID=0 sh "$log/105.wrap"
expect_lines "$log/efc-scenario.args" run "$file" --shard 0/1 --out "$work" --threads 1
SLURM_ARRAY_TASK_ID=0 SLURM_CPUS_PER_TASK=4 sh "$log/105.wrap"
expect_lines "$log/efc-scenario.args" run "$file" --shard 0/1 --out "$work" --threads 4

# The 64th submission's merge asking for more stops the run instead of submitting a 65th.
rc=0
EFC_TEST_MERGE=3 "$round" merge 64 "$fake" "$file" 1 "$work" "$out" "" "" "" >/dev/null 2>&1 || rc=$?
[ $rc -ne 0 ] || fail "a 65th submission was not refused"
[ "$(cat "$log/next")" = 107 ] || fail "a job was submitted after 64 submissions"
expect_lines "$work/efc-slurm.failed" "the merge still asks for another round after 64 submissions; stopped"
echo "slurm recipe: options, scripts, rounds, done, failed and the 64-submission stop as expected"
