/* Beyond one machine (docs/scaling.md): what sharding costs and gains, measured with the
 * real program in separate processes, as a cluster runs it.
 * 1. Efficiency of 2 processes against 1 on this machine: one process on one thread, two
 *    shards side by side plus their merge, and (given --mpi-bin) mpirun -np 2 with --mpi;
 *    two threads of one process for reference. Each the best of 3 runs (the least
 *    disturbed by whatever else the machine does).
 * 2. The merge against the number of shards (1 to 1,000) and of passages: its wall time,
 *    rate, peak memory (ru_maxrss) and the parts' size; and each shard's fixed cost.
 * 3. From those, a worked estimate of a 1e10-passage sweep on 1,000 cores.
 * Prints figures; asserts nothing.
 * Usage: efc-bench-scaling [--passages N] [--mpi-bin DIR] [--quick | --full]
 * (--full adds 3,000,000 passages to the merge's table.) */
/* wait4, for a child's peak memory. */
#define _DEFAULT_SOURCE
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static const char *prog = EFC_SCENARIO_BIN;
static char work[512];

static double now_s(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec + ts.tv_nsec * 1e-9;
}

/* Starts argv with stdout and stderr to /dev/null; returns the pid. */
static pid_t start(char *const argv[]) {
  pid_t pid;
  /* The child would otherwise flush a copy of what is buffered. */
  fflush(stdout);
  pid = fork();
  if (pid == 0) {
    if (!freopen("/dev/null", "w", stdout) || !freopen("/dev/null", "w", stderr)) _exit(127);
    execvp(argv[0], argv);
    _exit(127);
  }
  if (pid < 0) {
    perror("fork");
    exit(1);
  }
  return pid;
}

/* Waits for pid; its peak memory in KiB into *maxrss_kib (NULL: not wanted). Exits on a
 * failed child: a figure from a failed run would be meaningless. */
static int finish(pid_t pid, long *maxrss_kib) {
  int st;
  struct rusage ru;
  if (wait4(pid, &st, 0, &ru) != pid) {
    perror("wait4");
    exit(1);
  }
  if (maxrss_kib) *maxrss_kib = ru.ru_maxrss;
  return WIFEXITED(st) ? WEXITSTATUS(st) : 128;
}

static void must(int status, const char *what) {
  if (status != 0) {
    fprintf(stderr, "efc-bench-scaling: %s: exit %d\n", what, status);
    exit(1);
  }
}

/* A scenario of 4 groups (sharing the vehicles) x 3 speeds, per speed `passages` vehicles,
 * fixed sampling. */
static void scenario_write(const char *path, unsigned long passages) {
  FILE *f = fopen(path, "w");
  if (!f) {
    perror(path);
    exit(1);
  }
  fprintf(f,
          "name: bench scaling\nseed: 11\nzone_length_m: 10\nber: 3.0e-5\n"
          "traffic:\n  speeds_kmh: [60, 180, 250]\n  passages: %lu\n  headway_s: 0.5\n  min_headway_s: 0.1\n"
          "fleet:\n  - {profile: autopass, mcu: legacy}\n  - {profile: en15509-l0, mcu: modern}\n"
          "  - {profile: en15509-l1, mcu: legacy}\n  - {profile: aes, mcu: modern}\n",
          passages);
  if (fclose(f) != 0) {
    perror(path);
    exit(1);
  }
}

static void rm_rf(const char *dir) {
  char *argv[] = {"rm", "-rf", (char *)dir, NULL};
  must(finish(start(argv), NULL), "rm -rf");
}

static unsigned long long dir_bytes(const char *dir, const char *suffix) {
  DIR *d = opendir(dir);
  struct dirent *e;
  unsigned long long sum = 0;
  char path[1200];
  struct stat st;
  if (!d) return 0;
  while ((e = readdir(d)) != NULL) {
    size_t n = strlen(e->d_name), m = strlen(suffix);
    if (n < m || strcmp(e->d_name + n - m, suffix) != 0) continue;
    snprintf(path, sizeof(path), "%s/%s", dir, e->d_name);
    if (stat(path, &st) == 0) sum += (unsigned long long)st.st_size;
  }
  closedir(d);
  return sum;
}

/* Runs the shards of file into w, two processes at a time (this machine's cores). */
static double shards_run(const char *file, const char *w, unsigned shards) {
  double t0 = now_s();
  for (unsigned i = 0; i < shards; i += 2) {
    char s0[32], s1[32];
    pid_t a, b = -1;
    snprintf(s0, sizeof(s0), "%u/%u", i, shards);
    snprintf(s1, sizeof(s1), "%u/%u", i + 1, shards);
    {
      char *argv[] = {(char *)prog, "run", (char *)file, "--shard", s0, "--out", (char *)w, "--threads", "1", NULL};
      a = start(argv);
    }
    if (i + 1 < shards) {
      char *argv[] = {(char *)prog, "run", (char *)file, "--shard", s1, "--out", (char *)w, "--threads", "1", NULL};
      b = start(argv);
    }
    must(finish(a, NULL), "a shard");
    if (b > 0) must(finish(b, NULL), "a shard");
  }
  return now_s() - t0;
}

/* The best of 3 wall times of argv. */
static double best_of_3(char *const argv[], const char *what) {
  double best = 0;
  for (int i = 0; i < 3; i++) {
    double t0 = now_s(), t;
    must(finish(start(argv), NULL), what);
    t = now_s() - t0;
    if (i == 0 || t < best) best = t;
  }
  return best;
}

static double merge_run(const char *w, const char *out, long *rss) {
  char *argv[] = {(char *)prog, "merge", (char *)w, "--out", (char *)out, "--no-plots", NULL};
  double t0 = now_s();
  must(finish(start(argv), rss), "merge");
  return now_s() - t0;
}

int main(int argc, char **argv) {
  unsigned long per_speed = 100000;
  const char *mpi_bin = NULL;
  int quick = 0, full = 0;
  char file[600], w[600], out[600];
  double t1, t2s, t2m, t2t, t2mpi = 0, rate_core, rate_merge = 0, bytes_per_passage = 0, shard_fixed = 0;
  for (int i = 1; i < argc; i++) {
    if (strcmp(argv[i], "--passages") == 0 && i + 1 < argc) per_speed = strtoul(argv[++i], NULL, 10);
    else if (strcmp(argv[i], "--mpi-bin") == 0 && i + 1 < argc) mpi_bin = argv[++i];
    else if (strcmp(argv[i], "--quick") == 0) quick = 1;
    else if (strcmp(argv[i], "--full") == 0) full = 1;
    else {
      fprintf(stderr, "usage: efc-bench-scaling [--passages N] [--mpi-bin DIR] [--quick | --full]\n");
      return 2;
    }
  }
  if (per_speed < 1000 || per_speed > 100000000) {
    fprintf(stderr, "efc-bench-scaling: --passages: expected 1000..100000000\n");
    return 2;
  }
  snprintf(work, sizeof(work), "%s/efc-bench-scaling.%ld", getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp",
           (long)getpid());
  if (mkdir(work, 0700) != 0) {
    perror(work);
    return 1;
  }
  snprintf(file, sizeof(file), "%s/scaling.yaml", work);
  scenario_write(file, per_speed);

  /* 1. Efficiency. */
  printf("1. two processes against one: %lu passages (3 speeds x %lu, 4 groups), fixed sampling\n",
         3 * per_speed, per_speed);
  snprintf(out, sizeof(out), "%s/one", work);
  {
    char *a[] = {(char *)prog, "run", file, "--out", out, "--threads", "1", "--no-plots", NULL};
    t1 = best_of_3(a, "one process");
  }
  snprintf(w, sizeof(w), "%s/w2", work);
  snprintf(out, sizeof(out), "%s/m2", work);
  t2s = t2m = 0;
  for (int i = 0; i < 3; i++) {
    double s2, m2;
    rm_rf(w);
    s2 = shards_run(file, w, 2);
    m2 = merge_run(w, out, NULL);
    if (i == 0 || s2 + m2 < t2s + t2m) {
      t2s = s2;
      t2m = m2;
    }
  }
  snprintf(out, sizeof(out), "%s/t2", work);
  {
    char *a[] = {(char *)prog, "run", file, "--out", out, "--threads", "2", "--no-plots", NULL};
    t2t = best_of_3(a, "two threads");
  }
  if (mpi_bin) {
    char mpi_prog[600];
    snprintf(mpi_prog, sizeof(mpi_prog), "%s/efc-scenario", mpi_bin);
    snprintf(out, sizeof(out), "%s/mpi", work);
    char *a[] = {"mpirun", "-np", "2", "--oversubscribe", "--allow-run-as-root", mpi_prog, "run", file, "--mpi",
                 "--out", out, "--no-plots", NULL};
    t2mpi = best_of_3(a, "mpirun -np 2");
  }
  rate_core = 3.0 * per_speed / t1;
  printf("   %-34s %8.2f s  %10.0f passages/s\n", "1 process, 1 thread", t1, rate_core);
  printf("   %-34s %8.2f s  speed-up %.2f, efficiency %.0f %%\n", "2 shards (processes)", t2s, t1 / t2s,
         50 * t1 / t2s);
  printf("   %-34s %8.2f s  speed-up %.2f, efficiency %.0f %%\n", "2 shards + their merge", t2s + t2m,
         t1 / (t2s + t2m), 50 * t1 / (t2s + t2m));
  if (mpi_bin)
    printf("   %-34s %8.2f s  speed-up %.2f, efficiency %.0f %%\n", "mpirun -np 2 --mpi", t2mpi, t1 / t2mpi,
           50 * t1 / t2mpi);
  printf("   %-34s %8.2f s  speed-up %.2f, efficiency %.0f %%\n", "1 process, 2 threads (reference)", t2t,
         t1 / t2t, 50 * t1 / t2t);

  /* 2. The merge against shards and passages. */
  printf("\n2. the merge: wall time, rate and peak memory against shards and passages\n");
  printf("   %10s %7s %11s %9s %12s %9s %12s\n", "passages", "shards", "parts (MB)", "merge s", "passages/s",
         "peak MiB", "shard s each");
  {
    unsigned long sizes[] = {10000, 100000, 1000000};
    unsigned counts[] = {1, 10, 100, 1000};
    for (size_t si = 0; si < (quick ? 1u : full ? 3u : 2u); si++) {
      for (size_t ci = 0; ci < (quick ? 3 : 4); ci++) {
        long rss;
        double ts, tm, passages = 3.0 * sizes[si];
        unsigned long long bytes;
        scenario_write(file, sizes[si]);
        snprintf(w, sizeof(w), "%s/w-%lu-%u", work, sizes[si], counts[ci]);
        snprintf(out, sizeof(out), "%s/m-%lu-%u", work, sizes[si], counts[ci]);
        ts = shards_run(file, w, counts[ci]);
        bytes = dir_bytes(w, ".efcpart");
        tm = merge_run(w, out, &rss);
        printf("   %10.0f %7u %11.1f %9.2f %12.0f %9.1f %12.3f\n", passages, counts[ci], bytes / 1e6, tm,
               passages / tm, rss / 1024.0, ts / ((counts[ci] + 1) / 2));
        /* Shards ran two at a time: a shard's wall time is the run's over the pairs. */
        if (si == (quick ? 0u : full ? 2u : 1u) && counts[ci] == 1) {
          rate_merge = passages / tm;
          bytes_per_passage = (double)bytes / passages;
        }
        if (si == 0 && counts[ci] == (quick ? 100 : 1000)) shard_fixed = ts / ((counts[ci] + 1) / 2);
        rm_rf(w);
        rm_rf(out);
      }
    }
  }

  /* 3. The worked estimate. */
  {
    double total = 1e10, cores = 1000, eff = t1 / t2s / 2, shards = 1000;
    double sim = total / (cores * rate_core * (eff > 1 ? 1 : eff));
    double merge_one = total / rate_merge;
    double scenarios = 1000, merge_split = total / scenarios / rate_merge;
    printf("\n3. a 1e10-passage sweep on 1,000 cores, from the figures above\n");
    printf("   simulation: 1e10 / (1000 cores x %.0f passages/s x efficiency %.2f) = %.0f s (%.1f h)\n",
           rate_core, eff > 1 ? 1 : eff, sim, sim / 3600);
    printf("   shards' fixed cost: %.0f shards x %.3f s = %.0f core-seconds (%.2f s of wall on 1000 cores)\n", shards,
           shard_fixed, shards * shard_fixed, shard_fixed);
    printf("   parts on the shared filesystem: %.0f bytes a passage -> %.0f GB\n", bytes_per_passage,
           total * bytes_per_passage / 1e9);
    printf("   merge, one scenario of 1e10 passages: %.0f s (%.1f h) at %.0f passages/s\n", merge_one,
           merge_one / 3600, rate_merge);
    printf("   merge, a national study as 1,000 gantry scenarios of 1e7 passages merged side by side: %.0f s each\n",
           merge_split);
  }
  rm_rf(work);
  return 0;
}
