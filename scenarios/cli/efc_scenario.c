/* efc-scenario: the discrete-event runner. */
#include <sys/stat.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <unistd.h>

#include "efc/claim.h"
#include "io/cli.h"
#include "security/attack.h"
#include "sim/runner.h"
#include "security/security.h"
#include "sim/scenario.h"
#include "sim/sensitivity.h"
#include "sim/shard.h"
#include "sim/trace.h"
#ifdef EFC_MPI
#include "sim/mpi.h"
#endif

#define PROG "efc-scenario"

static void usage(FILE *out) {
  fprintf(out,
          "usage: efc-scenario run FILE [--out DIR] [--threads N] [--no-plots] [--pcap FILE] [--budget N]\n"
          "                          [--progress bar|json|off] [--mpi]\n"
          "       efc-scenario run FILE --shard I/N [--out W] [--threads N] [--budget N] [--progress ...]\n"
          "       efc-scenario merge W... [--out DIR] [--no-plots] [--progress bar|json|off]\n"
          "       efc-scenario sensitivity FILE [--out DIR] [--threads N] [--passages N] [--no-plots]\n"
          "       efc-scenario trace --profile P [--seed N] [--mcu legacy|modern] [--json] [--pcap FILE]\n"
          "       efc-scenario attack FILE [--profile P]\n"
          "       efc-scenario report security [--out DIR] [--attacks DIR] [--timing FILE] [--threads N] [--no-plots]\n"
          "       efc-scenario --help | --version\n"
          "\n"
          "run     simulates the scenario FILE (YAML, docs/scenarios.md): per-passage CSV,\n"
          "        summary.json per profile and speed, plots (SVG, PNG) in DIR (default\n"
          "        results/<file name>), and a table on stdout. Same seed, same output,\n"
          "        whatever the thread count (default: the number of cores). --pcap FILE:\n"
          "        every frame on the air as a capture (docs/capture.md), the blocks laid\n"
          "        end to end in block order (each block's clock continues the last one's).\n"
          "        --budget 1000..10000000000: with passages: auto, at most N passages in all\n"
          "        (traffic.budget); cells it leaves undecided say so (docs/statistics.md).\n"
          "        --threads 1..256 (report: 1..64); trace --seed 0..18446744073709551615.\n"
          "        --shard I/N: only shard I (0..N-1, N <= 100000) of the current round's\n"
          "        blocks, into the work directory W (default results/<file name>.shards):\n"
          "        W/shard-I-of-N.rR.efcpart. Run every shard, then merge (docs/scaling.md).\n"
          "merge   the shards' parts in W... replayed into exactly the output of the\n"
          "        unsharded run (DIR default results/<file name>). Exit 3: adaptive\n"
          "        sampling needs another round, whose plan merge wrote in the first W: run\n"
          "        the same shards again, then merge again.\n"
          "        --mpi (a build with -DEFC_MPI=ON), under mpirun -np K: rank 0 hands the\n"
          "        blocks to the ranks as they finish (one rank per core) and writes the\n"
          "        same output as one process (docs/scaling.md).\n"
          "        --progress on stderr: bar (the default on a terminal: done, rate, time\n"
          "        left), json (a line a second: done, total, rate, eta_s), off (the default\n"
          "        otherwise). Adaptive runs' totals grow as rounds are planned.\n"
          "sensitivity  which timing parameter matters: every timing parameter of FILE set,\n"
          "        one at a time, to a low and a high value around the file's\n"
          "        (docs/timing-model.md), each group of the fleet simulated at each value\n"
          "        with the same random numbers, at the first BER and the lowest speed in\n"
          "        a zone too long to cut a transaction: per group the change of the\n"
          "        completion time's p99 and of the zone needed at the top speed. A table\n"
          "        ending in \"measure first:\", DIR/sensitivity.json and the tornado chart\n"
          "        DIR/tornado.svg, .png (default DIR results/<file name>-sensitivity).\n"
          "        --passages 100..10000000 per group and value (default 10000).\n"
          "trace   one passage of one OBE through a perfect in-memory link in virtual time:\n"
          "        every frame in order (time, direction, layer 2, T-APDUs, length), then the\n"
          "        verification results at the lane and at the issuer.\n"
          "        P: autopass, en15509-l0, en15509-l1 or aes.\n"
          "attack  runs one attack file (scenarios/attacks/tNN-*.yaml) against each profile (or P)\n"
          "        through the real OBE, RSE, issuer and captures: where it was caught, what\n"
          "        the attacker gained, charges made wrongly or lost (docs/security-evaluation.md).\n"
          "report  security: every attack file (default scenarios/attacks) against every profile,\n"
          "        and the timing model (default scenarios/gantry-10m.yaml) for the same profiles:\n"
          "        DIR/security.md and a self-contained DIR/security.html (default\n"
          "        results/security) with the threats x profiles table, timing and plots.\n"
          "        The defaults are read from the working directory when it has them, else\n"
          "        from the program's own: PREFIX/share/efcsim when installed in PREFIX/bin.\n"
          "\n"
          "exit status: 0 success (run: the run completed and its results were written,\n"
          "        however many passages failed: failures are what a run measures), 1 bad\n"
          "        input, a run that could not complete or record its results, a traced\n"
          "        passage that failed or an attack that could not run, 2 bad usage,\n"
          "        3 (merge) another round of the shards to run.\n");
}

static void mkdir_results(void) { mkdir("results", 0755); }

/* --profile P: the profile, or -1 after the usage error. */
static int profile_opt(const char *s) {
  int p = efc_profile_parse(s);
  if (p < 0)
    io_cli_usage(PROG, NULL, "--profile: unknown profile '%s' (autopass, en15509-l0, en15509-l1, aes)", s);
  return p;
}

/* The options run and report share. */
typedef struct {
  const char *out_dir; /* NULL: under results/ */
  uint64_t threads;    /* 0: as many as the machine has cores */
  bool plots;
  int progress;        /* --progress: a sim_progress_mode; -1: a bar on a terminal, else none */
} scenario_out;

/* Takes option c of io_cli_getopt (err its error) when run and report share it: --out,
 * --threads (1..threads_max), --no-plots, --help. Returns -1 when c was taken, -2 when it is
 * another option, else the exit status (help printed, or a usage error). */
static int scenario_out_opt(scenario_out *so, int c, const char *err, uint64_t threads_max) {
  char msg[256];
  switch (c) {
  case 'o':
    so->out_dir = optarg;
    return -1;
  case 't':
    if (io_cli_u64_parse(&so->threads, "--threads", optarg, 1, threads_max, msg, sizeof(msg)) != 0)
      return io_cli_usage(PROG, NULL, "%s", msg);
    return -1;
  case 'n':
    so->plots = false;
    return -1;
  case 'P': {
    sim_progress_mode m;
    if (sim_progress_mode_parse(optarg, &m) != 0)
      return io_cli_usage(PROG, NULL, "--progress: expected bar, json or off, got '%s'", optarg);
    so->progress = (int)m;
    return -1;
  }
  case 'h':
  case '?':
    return io_cli_getopt_default(c, PROG, err, usage);
  default:
    return -2;
  }
}

/* --progress, or by default a bar when stderr is a terminal. */
static sim_progress_mode scenario_out_progress(const scenario_out *so) {
  if (so->progress >= 0) return (sim_progress_mode)so->progress;
  return isatty(2) ? SIM_PROGRESS_BAR : SIM_PROGRESS_OFF;
}

/* The threads to run on: --threads N, or as many as the machine has cores. */
static unsigned scenario_out_threads(const scenario_out *so) {
  long n;
  if (so->threads) return (unsigned)so->threads;
  n = sysconf(_SC_NPROCESSORS_ONLN);
  return n > 0 ? (unsigned)n : 1;
}

static int cmd_trace(int argc, char **argv) {
  static const struct option opts[] = {{"profile", required_argument, NULL, 'p'},
                                       {"seed", required_argument, NULL, 's'},
                                       {"mcu", required_argument, NULL, 'm'},
                                       {"json", no_argument, NULL, 'j'},
                                       {"pcap", required_argument, NULL, 'c'},
                                       {"help", no_argument, NULL, 'h'},
                                       {NULL, 0, NULL, 0}};
  sim_trace_options o = {.profile = -1, .seed = 1, .mcu = obe_mcu_modern, .obuid = 0x00a1b2c3};
  sim_trace_result res;
  char err[256];
  int c;
  optind = 1;
  while ((c = io_cli_getopt(argc, argv, opts, err, sizeof(err))) != -1) {
    switch (c) {
    case 'p':
      if ((o.profile = profile_opt(optarg)) < 0) return IO_CLI_EXIT_USAGE;
      break;
    case 's':
      if (io_cli_u64_parse(&o.seed, "--seed", optarg, 0, UINT64_MAX, err, sizeof(err)) != 0)
        return io_cli_usage(PROG, NULL, "%s", err);
      break;
    case 'm':
      if (strcmp(optarg, "legacy") == 0) o.mcu = obe_mcu_legacy;
      else if (strcmp(optarg, "modern") == 0) o.mcu = obe_mcu_modern;
      else return io_cli_usage(PROG, NULL, "--mcu: expected legacy or modern, got '%s'", optarg);
      break;
    case 'j':
      o.json = true;
      break;
    case 'c':
      o.pcap = optarg;
      break;
    default:
      return io_cli_getopt_default(c, PROG, err, usage);
    }
  }
  if (o.profile < 0 || optind != argc)
    return io_cli_usage(PROG, NULL, "trace needs --profile P and no other arguments");
  if (sim_trace(&o, stdout, &res) != 0) return IO_CLI_EXIT_FAILURE;
  if (o.pcap && io_cli_sidecar_write(o.pcap, PROG, err, sizeof(err)) != 0)
    return io_cli_fail(IO_CLI_EXIT_FAILURE, PROG, "%s", err);
  return res.completed && res.lane_verdict == 0 && res.issuer_flags == 0 ? IO_CLI_EXIT_OK : IO_CLI_EXIT_FAILURE;
}

static int run_shard(const sim_scenario *sc, const scenario_out *so, uint32_t shard, uint32_t shards) {
  sim_shard_options o = {.dir = so->out_dir, .shard = shard, .shards = shards, .prog = PROG};
  sim_shard_result res;
  char err[700], dir[512], name[256];
  if (!o.dir) {
    sim_scenario_name(name, sizeof(name), sc->path);
    mkdir_results();
    snprintf(dir, sizeof(dir), "results/%s.shards", name);
    o.dir = dir;
  }
  o.threads = scenario_out_threads(so);
  o.progress = scenario_out_progress(so);
  if (sim_shard_run(sc, &o, &res, err, sizeof(err)) != 0) return io_cli_fail(IO_CLI_EXIT_FAILURE, PROG, "%s", err);
  if (res.already) printf("shard %u/%u, round %u: %s was there already\n", shard, shards, res.round, res.path);
  else
    printf("shard %u/%u, round %u: %s (%llu blocks, %llu passages)\n", shard, shards, res.round, res.path,
           (unsigned long long)res.blocks, (unsigned long long)res.passages);
  return 0;
}

static int cmd_merge(int argc, char **argv) {
  static const struct option opts[] = {{"out", required_argument, NULL, 'o'},
                                       {"no-plots", no_argument, NULL, 'n'},
                                       {"progress", required_argument, NULL, 'P'},
                                       {"help", no_argument, NULL, 'h'},
                                       {NULL, 0, NULL, 0}};
  sim_merge_options o = {.plots = true, .table = stdout, .prog = PROG};
  sim_merge_result res;
  scenario_out so = {.plots = true, .progress = -1};
  char err[1400], csv[700];
  int c, rv;
  optind = 1;
  while ((c = io_cli_getopt(argc, argv, opts, err, sizeof(err))) != -1)
    if ((rv = scenario_out_opt(&so, c, err, 256)) >= 0) return rv;
  if (optind >= argc) return io_cli_usage(PROG, NULL, "merge needs at least one directory of shards' parts");
  o.out_dir = so.out_dir;
  o.plots = so.plots;
  o.progress = scenario_out_progress(&so);
  rv = sim_merge((const char *const *)argv + optind, (size_t)(argc - optind), &o, &res, err, sizeof(err));
  if (rv < 0) return io_cli_fail(IO_CLI_EXIT_FAILURE, PROG, "%s", err);
  if (rv == SIM_MERGE_MORE) {
    printf("round %u to run: %s; run the %u shards again (--shard I/%u), then merge again\n", res.round,
           res.plan_path, res.shards, res.shards);
    return IO_CLI_EXIT_MORE;
  }
  snprintf(csv, sizeof(csv), "%s/passages.csv", res.out_dir);
  if (io_cli_sidecar_write(csv, PROG, err, sizeof(err)) != 0) return io_cli_fail(IO_CLI_EXIT_FAILURE, PROG, "%s", err);
  printf("results: %s/passages.csv, %s/summary.json%s (%u shards, %u rounds)\n", res.out_dir, res.out_dir,
         !o.plots     ? ""
         : res.search ? ", frontier, completion_vs_speed, failure_causes (.svg, .png)"
                      : ", failure_vs_speed, completion_vs_speed, failure_causes (.svg, .png)",
         res.shards, res.round);
  return 0;
}

static int cmd_run(int argc, char **argv) {
  static const struct option opts[] = {{"out", required_argument, NULL, 'o'},
                                       {"threads", required_argument, NULL, 't'},
                                       {"no-plots", no_argument, NULL, 'n'},
                                       {"pcap", required_argument, NULL, 'c'},
                                       {"budget", required_argument, NULL, 'b'},
                                       {"shard", required_argument, NULL, 'S'},
                                       {"progress", required_argument, NULL, 'P'},
                                       {"mpi", no_argument, NULL, 'M'},
                                       {"help", no_argument, NULL, 'h'},
                                       {NULL, 0, NULL, 0}};
  sim_run_options o = {.out_dir = NULL, .threads = 0, .plots = true};
  bool mpi = false, root = true; /* --mpi: rank 0 alone prints and writes (sim/mpi.h) */
#ifdef EFC_MPI
  sim_mpi *m = NULL;
#endif
  uint64_t budget = 0;
  uint32_t shard = 0, shards = 0;
  scenario_out so = {.plots = true, .progress = -1};
  static sim_scenario sc;
  char err[512], dir[512], csv[4096];
  int c, rv;
  optind = 1;
  while ((c = io_cli_getopt(argc, argv, opts, err, sizeof(err))) != -1) {
    if (c == 'c') {
      o.pcap = optarg;
    } else if (c == 'S') {
      if (sim_shard_parse(optarg, &shard, &shards, err, sizeof(err)) != 0) return io_cli_usage(PROG, NULL, "%s", err);
    } else if (c == 'M') {
      mpi = true;
    } else if (c == 'b') {
      if (io_cli_u64_parse(&budget, "--budget", optarg, 1000, 10000000000ull, err, sizeof(err)) != 0)
        return io_cli_usage(PROG, NULL, "%s", err);
    } else if ((rv = scenario_out_opt(&so, c, err, 256)) >= 0) {
      return rv;
    }
  }
  if (optind != argc - 1) return io_cli_usage(PROG, NULL, "run needs exactly one scenario FILE");
  if (mpi && o.pcap) return io_cli_usage(PROG, NULL, "--pcap does not go with --mpi");
  if (mpi && shards) return io_cli_usage(PROG, NULL, "--mpi and --shard: one or the other (docs/scaling.md)");
  if (shards && o.pcap) return io_cli_usage(PROG, NULL, "--pcap cannot go with --shard: a capture is of a whole run");
#ifdef EFC_MPI
  if (mpi && sim_mpi_open(&m, &root, err, sizeof(err)) != 0) return io_cli_fail(IO_CLI_EXIT_FAILURE, PROG, "%s", err);
#else
  if (mpi) return io_cli_usage(PROG, NULL, "--mpi: this efc-scenario was built without MPI (cmake -DEFC_MPI=ON)");
#endif
  if (sim_scenario_load(&sc, argv[optind], err, sizeof(err)) != 0)
    return io_cli_fail(IO_CLI_EXIT_FAILURE, PROG, "%s", err);
  if (budget && !sc.passages_auto)
    return io_cli_usage(PROG, NULL, "--budget goes with traffic.passages: auto; %s has a fixed number", argv[optind]);
  if (budget) sc.budget = budget;
  if (shards) return run_shard(&sc, &so, shard, shards);
  o.out_dir = so.out_dir;
  o.plots = so.plots;
  if (!o.out_dir) {
    char name[256];
    sim_scenario_name(name, sizeof(name), argv[optind]);
    mkdir_results();
    snprintf(dir, sizeof(dir), "results/%s", name);
    o.out_dir = dir;
  }
  o.threads = scenario_out_threads(&so);
  o.progress = scenario_out_progress(&so);
  o.table = stdout;
  o.prog = PROG;
#ifdef EFC_MPI
  if (m) {
    if (sim_mpi_run(m, &sc, &o, err, sizeof(err)) != 0) return io_cli_fail(IO_CLI_EXIT_FAILURE, PROG, "%s", err);
  } else
#endif
  if (sim_run(&sc, &o, err, sizeof(err)) != 0) return io_cli_fail(IO_CLI_EXIT_FAILURE, PROG, "%s", err);
  if (!root) return 0;
  /* Neither CSV nor pcap has room for the version that wrote them: a sidecar each. */
  if ((size_t)snprintf(csv, sizeof(csv), "%s/passages.csv", o.out_dir) >= sizeof(csv))
    return io_cli_fail(IO_CLI_EXIT_FAILURE, PROG, "%s: path too long", o.out_dir);
  if (io_cli_sidecar_write(csv, PROG, err, sizeof(err)) != 0 ||
      (o.pcap && io_cli_sidecar_write(o.pcap, PROG, err, sizeof(err)) != 0))
    return io_cli_fail(IO_CLI_EXIT_FAILURE, PROG, "%s", err);
  printf("results: %s/passages.csv, %s/summary.json%s\n", o.out_dir, o.out_dir,
         !o.plots ? "" : sc.search ? ", frontier, completion_vs_speed, failure_causes (.svg, .png)"
                                   : ", failure_vs_speed, completion_vs_speed, failure_causes (.svg, .png)");
  return 0;
}

static int cmd_sensitivity(int argc, char **argv) {
  static const struct option opts[] = {{"out", required_argument, NULL, 'o'},
                                       {"threads", required_argument, NULL, 't'},
                                       {"passages", required_argument, NULL, 'p'},
                                       {"no-plots", no_argument, NULL, 'n'},
                                       {"help", no_argument, NULL, 'h'},
                                       {NULL, 0, NULL, 0}};
  static sim_scenario sc;
  static sim_sens_result res;
  sim_sens_options o = {.passages = 10000};
  scenario_out so = {.plots = true, .progress = -1};
  char err[512], dir[512];
  const char *out_dir;
  int c, rv;
  optind = 1;
  while ((c = io_cli_getopt(argc, argv, opts, err, sizeof(err))) != -1) {
    if (c == 'p') {
      if (io_cli_u64_parse(&o.passages, "--passages", optarg, 100, 10000000, err, sizeof(err)) != 0)
        return io_cli_usage(PROG, NULL, "%s", err);
    } else if ((rv = scenario_out_opt(&so, c, err, 256)) >= 0) {
      return rv;
    }
  }
  if (optind != argc - 1) return io_cli_usage(PROG, NULL, "sensitivity needs exactly one scenario FILE");
  if (sim_scenario_load(&sc, argv[optind], err, sizeof(err)) != 0)
    return io_cli_fail(IO_CLI_EXIT_FAILURE, PROG, "%s", err);
  out_dir = so.out_dir;
  if (!out_dir) {
    char name[256];
    sim_scenario_name(name, sizeof(name), argv[optind]);
    mkdir_results();
    snprintf(dir, sizeof(dir), "results/%s-sensitivity", name);
    out_dir = dir;
  }
  o.threads = scenario_out_threads(&so);
  /* An output directory that cannot be made is refused before the minute of simulation. */
  if (sim_sens_dir(out_dir, err, sizeof(err)) != 0) return io_cli_fail(IO_CLI_EXIT_FAILURE, PROG, "%s", err);
  if (sim_sens_run(&sc, &o, &res, err, sizeof(err)) != 0 ||
      sim_sens_write(&res, out_dir, stdout, so.plots, PROG, err, sizeof(err)) != 0)
    return io_cli_fail(IO_CLI_EXIT_FAILURE, PROG, "%s", err);
  printf("results: %s/sensitivity.json%s (%.1f s on %u threads)\n", out_dir,
         so.plots ? ", tornado (.svg, .png)" : "", res.wall_s, o.threads);
  return 0;
}

static int cmd_attack(int argc, char **argv) {
  static const struct option opts[] = {{"profile", required_argument, NULL, 'p'},
                                       {"help", no_argument, NULL, 'h'},
                                       {NULL, 0, NULL, 0}};
  sec_params p;
  char err[512];
  int c, only = -1, rv = 0;
  optind = 1;
  while ((c = io_cli_getopt(argc, argv, opts, err, sizeof(err))) != -1) {
    switch (c) {
    case 'p':
      if ((only = profile_opt(optarg)) < 0) return IO_CLI_EXIT_USAGE;
      break;
    default:
      return io_cli_getopt_default(c, PROG, err, usage);
    }
  }
  if (optind != argc - 1) return io_cli_usage(PROG, NULL, "attack needs exactly one attack FILE");
  if (sec_params_load(&p, argv[optind], err, sizeof(err)) != 0)
    return io_cli_fail(IO_CLI_EXIT_FAILURE, PROG, "%s", err);
  printf("%s %s (attacker: %s)\n", p.threat, p.title, p.attacker);
  for (int prof = 0; prof < EFC_PROFILE_COUNT; prof++) {
    sec_outcome o;
    if (only >= 0 && prof != only) continue;
    if (sec_run(&p, prof, NULL, &o, err, sizeof(err)) != 0) {
      rv = io_cli_fail(IO_CLI_EXIT_FAILURE, PROG, "%s", err);
      continue;
    }
    printf("  %-11s %-13s gained: %s; wrong charges %u, lost charges %u of %u\n    %s\n", efc_profile_name(prof),
           sec_detect_name(o.detected), o.gained, o.wrong_charges, o.lost_charges, o.passages, o.evidence);
  }
  return rv;
}

static int cmd_report(int argc, char **argv) {
  static const struct option opts[] = {{"out", required_argument, NULL, 'o'},
                                       {"attacks", required_argument, NULL, 'a'},
                                       {"timing", required_argument, NULL, 'T'},
                                       {"threads", required_argument, NULL, 't'},
                                       {"no-plots", no_argument, NULL, 'n'},
                                       {"no-mac-check", no_argument, NULL, 'M'},
                                       {"help", no_argument, NULL, 'h'},
                                       {NULL, 0, NULL, 0}};
  static sec_result res;
  static char attacks[PATH_MAX], timing[PATH_MAX];
  sec_options o;
  scenario_out so = {.plots = true, .progress = -1};
  char err[512];
  int c, rv;
  memset(&o, 0, sizeof(o));
  /* The working directory's, else the ones that came with the program (docs/cli.md). */
  if (io_cli_data_find(attacks, sizeof(attacks), "scenarios/attacks") != 0 ||
      io_cli_data_find(timing, sizeof(timing), "scenarios/gantry-10m.yaml") != 0)
    return io_cli_fail(IO_CLI_EXIT_FAILURE, PROG, "the installed data directory's path is too long");
  o.attacks_dir = attacks;
  o.timing_file = timing;
  o.prog = PROG;
  issuer_options_default(&o.iopt);
  optind = 1;
  while ((c = io_cli_getopt(argc, argv, opts, err, sizeof(err))) != -1) {
    switch (c) {
    case 'a':
      o.attacks_dir = optarg;
      break;
    case 'T':
      o.timing_file = optarg;
      break;
    case 'M':
      /* Tests only, not in --help: what an issuer without MAC1 / MAC_TSP checks misses. */
      o.iopt.check_mac = false;
      break;
    default:
      if ((rv = scenario_out_opt(&so, c, err, 64)) >= 0) return rv;
    }
  }
  if (optind != argc - 1 || strcmp(argv[optind], "security") != 0)
    return io_cli_usage(PROG, NULL, "report needs the report name: efc-scenario report security");
  o.out_dir = so.out_dir;
  o.plots = so.plots;
  if (!o.out_dir) {
    mkdir_results();
    o.out_dir = "results/security";
  }
  o.threads = scenario_out_threads(&so);
  o.progress = stdout;
  /* A bad timing file is refused before the attacks run, not after minutes of them. */
  {
    static sim_scenario check;
    if (sim_scenario_load(&check, o.timing_file, err, sizeof(err)) != 0)
      return io_cli_fail(IO_CLI_EXIT_FAILURE, PROG, "%s", err);
  }
  if (sec_report_run(&o, &res, err, sizeof(err)) != 0)
    return io_cli_fail(IO_CLI_EXIT_FAILURE, PROG, "%s", err);
  printf("report: %s/security.md, %s/security.html (%.1f s)\n", o.out_dir, o.out_dir, res.wall_s);
  return 0;
}

static int run(int argc, char **argv) {
  int rv = io_cli_main_opt(argc, argv, PROG, usage);
  if (rv >= 0) return rv;
  if (argc < 2) {
    usage(stderr);
    return IO_CLI_EXIT_USAGE;
  }
  if (strcmp(argv[1], "trace") == 0) return cmd_trace(argc - 1, argv + 1);
  if (strcmp(argv[1], "run") == 0) return cmd_run(argc - 1, argv + 1);
  if (strcmp(argv[1], "merge") == 0) return cmd_merge(argc - 1, argv + 1);
  if (strcmp(argv[1], "sensitivity") == 0) return cmd_sensitivity(argc - 1, argv + 1);
  if (strcmp(argv[1], "attack") == 0) return cmd_attack(argc - 1, argv + 1);
  if (strcmp(argv[1], "report") == 0) return cmd_report(argc - 1, argv + 1);
  return io_cli_usage(PROG, PROG, "unknown command '%s'", argv[1]);
}

/* stdout checked last: a result that did not reach its file is a failed run. */
int main(int argc, char **argv) { return io_cli_stdout_close(PROG, run(argc, argv)); }
