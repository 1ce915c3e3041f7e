/* efc-scenario: the discrete-event runner. */
#include <getopt.h>
#include <sys/stat.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <unistd.h>

#include "efc/claim.h"
#include "security/attack.h"
#include "sim/runner.h"
#include "security/security.h"
#include "sim/scenario.h"
#include "sim/trace.h"

enum { EXIT_BAD_INPUT = 1, EXIT_USAGE = 2 };

static void usage(FILE *out) {
  fprintf(out,
          "usage: efc-scenario run FILE [--out DIR] [--threads N] [--no-plots] [--pcap FILE]\n"
          "       efc-scenario trace --profile P [--seed N] [--mcu legacy|modern] [--json] [--pcap FILE]\n"
          "       efc-scenario attack FILE [--profile P]\n"
          "       efc-scenario report security [--out DIR] [--attacks DIR] [--timing FILE] [--threads N] [--no-plots]\n"
          "\n"
          "run     simulates the scenario FILE (YAML, docs/scenarios.md): per-passage CSV,\n"
          "        summary.json per profile and speed, plots (SVG, PNG) in DIR (default\n"
          "        results/<file name>), and a table on stdout. Same seed, same output,\n"
          "        whatever the thread count (default: the number of cores). --pcap FILE:\n"
          "        every frame on the air as a capture (docs/capture.md), the blocks laid\n"
          "        end to end in block order (each block's clock continues the last one's).\n"
          "trace   one passage of one OBE through a perfect in-memory link in virtual time:\n"
          "        every frame in order (time, direction, layer 2, T-APDUs, length), then the\n"
          "        verification results at the lane and at the issuer.\n"
          "        P: autopass, en15509-l0, en15509-l1 or aes.\n"
          "attack  runs one attack file (scenarios/attacks/tNN-*.yaml) against each profile (or P)\n"
          "        through the real OBE, RSE, issuer and captures: where it was caught, what\n"
          "        the attacker gained, charges made wrongly or lost (docs/security-evaluation.md).\n"
          "report  security: every attack file (default scenarios/attacks) against every profile,\n"
          "        and the timing model (default scenarios/default.yaml) for the same profiles:\n"
          "        DIR/security.md and a self-contained DIR/security.html (default\n"
          "        results/security) with the threats x profiles table, timing and plots.\n"
          "\n"
          "exit status: 0 success, 1 bad input or a failed passage, 2 bad usage.\n");
}

static void mkdir_results(void) { mkdir("results", 0755); }

static int parse_u64(const char *s, uint64_t *v) {
  char *end;
  unsigned long long x;
  if (!s || !*s || *s == '-') return -1;
  x = strtoull(s, &end, 10);
  if (*end) return -1;
  *v = x;
  return 0;
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
  int c;
  optind = 1;
  while ((c = getopt_long(argc, argv, "p:s:m:jc:h", opts, NULL)) != -1) {
    switch (c) {
    case 'p':
      if ((o.profile = efc_profile_parse(optarg)) < 0) {
        fprintf(stderr, "efc-scenario: --profile: unknown profile '%s' (autopass, en15509-l0, en15509-l1, aes)\n", optarg);
        return EXIT_USAGE;
      }
      break;
    case 's':
      if (parse_u64(optarg, &o.seed) != 0) {
        fprintf(stderr, "efc-scenario: --seed: not a non-negative integer: '%s'\n", optarg);
        return EXIT_USAGE;
      }
      break;
    case 'm':
      if (strcmp(optarg, "legacy") == 0) o.mcu = obe_mcu_legacy;
      else if (strcmp(optarg, "modern") == 0) o.mcu = obe_mcu_modern;
      else {
        fprintf(stderr, "efc-scenario: --mcu: expected legacy or modern, got '%s'\n", optarg);
        return EXIT_USAGE;
      }
      break;
    case 'j':
      o.json = true;
      break;
    case 'c':
      o.pcap = optarg;
      break;
    case 'h':
      usage(stdout);
      return 0;
    default:
      fprintf(stderr, "efc-scenario: see efc-scenario --help\n");
      return EXIT_USAGE;
    }
  }
  if (o.profile < 0 || optind != argc) {
    fprintf(stderr, "efc-scenario: trace needs --profile P and no other arguments\n");
    return EXIT_USAGE;
  }
  if (sim_trace(&o, stdout, &res) != 0) return EXIT_BAD_INPUT;
  return res.completed && res.lane_verdict == 0 && res.issuer_flags == 0 ? 0 : EXIT_BAD_INPUT;
}

static int cmd_run(int argc, char **argv) {
  static const struct option opts[] = {{"out", required_argument, NULL, 'o'},
                                       {"threads", required_argument, NULL, 't'},
                                       {"no-plots", no_argument, NULL, 'n'},
                                       {"pcap", required_argument, NULL, 'c'},
                                       {"help", no_argument, NULL, 'h'},
                                       {NULL, 0, NULL, 0}};
  sim_run_options o = {.out_dir = NULL, .threads = 0, .plots = true};
  static sim_scenario sc;
  char err[512], dir[512];
  uint64_t threads = 0;
  int c;
  optind = 1;
  while ((c = getopt_long(argc, argv, "o:t:nc:h", opts, NULL)) != -1) {
    switch (c) {
    case 'o':
      o.out_dir = optarg;
      break;
    case 'c':
      o.pcap = optarg;
      break;
    case 't':
      if (parse_u64(optarg, &threads) != 0 || threads < 1 || threads > 256) {
        fprintf(stderr, "efc-scenario: --threads: expected 1..256, got '%s'\n", optarg);
        return EXIT_USAGE;
      }
      break;
    case 'n':
      o.plots = false;
      break;
    case 'h':
      usage(stdout);
      return 0;
    default:
      fprintf(stderr, "efc-scenario: see efc-scenario --help\n");
      return EXIT_USAGE;
    }
  }
  if (optind != argc - 1) {
    fprintf(stderr, "efc-scenario: run needs exactly one scenario FILE\n");
    return EXIT_USAGE;
  }
  if (sim_scenario_load(&sc, argv[optind], err, sizeof(err)) != 0) {
    fprintf(stderr, "efc-scenario: %s\n", err);
    return EXIT_BAD_INPUT;
  }
  if (!o.out_dir) {
    const char *base = strrchr(argv[optind], '/');
    char name[256];
    snprintf(name, sizeof(name), "%s", base ? base + 1 : argv[optind]);
    if (strrchr(name, '.')) *strrchr(name, '.') = '\0';
    mkdir_results();
    snprintf(dir, sizeof(dir), "results/%s", name);
    o.out_dir = dir;
  }
  if (threads == 0) {
    long n = sysconf(_SC_NPROCESSORS_ONLN);
    threads = n > 0 ? (uint64_t)n : 1;
  }
  o.threads = (unsigned)threads;
  o.progress = isatty(2);
  o.table = stdout;
  if (sim_run(&sc, &o, err, sizeof(err)) != 0) {
    fprintf(stderr, "efc-scenario: %s\n", err);
    return EXIT_BAD_INPUT;
  }
  printf("results: %s/passages.csv, %s/summary.json%s\n", o.out_dir, o.out_dir,
         o.plots ? ", success_vs_speed.svg/.png, completion_vs_speed.svg/.png" : "");
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
  while ((c = getopt_long(argc, argv, "p:h", opts, NULL)) != -1) {
    switch (c) {
    case 'p':
      if ((only = efc_profile_parse(optarg)) < 0) {
        fprintf(stderr, "efc-scenario: --profile: unknown profile '%s'\n", optarg);
        return EXIT_USAGE;
      }
      break;
    case 'h':
      usage(stdout);
      return 0;
    default:
      fprintf(stderr, "efc-scenario: see efc-scenario --help\n");
      return EXIT_USAGE;
    }
  }
  if (optind != argc - 1) {
    fprintf(stderr, "efc-scenario: attack needs exactly one attack FILE\n");
    return EXIT_USAGE;
  }
  if (sec_params_load(&p, argv[optind], err, sizeof(err)) != 0) {
    fprintf(stderr, "efc-scenario: %s\n", err);
    return EXIT_BAD_INPUT;
  }
  printf("%s %s (attacker: %s)\n", p.threat, p.title, p.attacker);
  for (int prof = 0; prof < EFC_PROFILE_COUNT; prof++) {
    sec_outcome o;
    if (only >= 0 && prof != only) continue;
    if (sec_run(&p, prof, NULL, &o, err, sizeof(err)) != 0) {
      fprintf(stderr, "efc-scenario: %s\n", err);
      rv = EXIT_BAD_INPUT;
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
  sec_options o;
  char err[512];
  uint64_t threads = 0;
  int c;
  memset(&o, 0, sizeof(o));
  o.out_dir = NULL;
  o.attacks_dir = EFC_SOURCE_DIR "/scenarios/attacks";
  o.timing_file = EFC_SOURCE_DIR "/scenarios/default.yaml";
  o.plots = true;
  issuer_options_default(&o.iopt);
  optind = 1;
  while ((c = getopt_long(argc, argv, "o:a:T:t:nMh", opts, NULL)) != -1) {
    switch (c) {
    case 'o':
      o.out_dir = optarg;
      break;
    case 'a':
      o.attacks_dir = optarg;
      break;
    case 'T':
      o.timing_file = optarg;
      break;
    case 't':
      if (parse_u64(optarg, &threads) != 0 || threads < 1 || threads > 64) {
        fprintf(stderr, "efc-scenario: --threads: expected 1..64, got '%s'\n", optarg);
        return EXIT_USAGE;
      }
      break;
    case 'n':
      o.plots = false;
      break;
    case 'M':
      /* Tests only, not in --help: what an issuer without MAC1 / MAC_TSP checks misses. */
      o.iopt.check_mac = false;
      break;
    case 'h':
      usage(stdout);
      return 0;
    default:
      fprintf(stderr, "efc-scenario: see efc-scenario --help\n");
      return EXIT_USAGE;
    }
  }
  if (optind != argc - 1 || strcmp(argv[optind], "security") != 0) {
    fprintf(stderr, "efc-scenario: report needs the report name: efc-scenario report security\n");
    return EXIT_USAGE;
  }
  if (!o.out_dir) {
    mkdir_results();
    o.out_dir = "results/security";
  }
  if (threads == 0) {
    long n = sysconf(_SC_NPROCESSORS_ONLN);
    threads = n > 0 ? (uint64_t)n : 1;
  }
  o.threads = (unsigned)threads;
  o.progress = stdout;
  if (sec_report_run(&o, &res, err, sizeof(err)) != 0) {
    fprintf(stderr, "efc-scenario: %s\n", err);
    return EXIT_BAD_INPUT;
  }
  printf("report: %s/security.md, %s/security.html (%.1f s)\n", o.out_dir, o.out_dir, res.wall_s);
  return 0;
}

int main(int argc, char **argv) {
  if (argc < 2) {
    usage(stderr);
    return EXIT_USAGE;
  }
  if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0) {
    usage(stdout);
    return 0;
  }
  if (strcmp(argv[1], "trace") == 0) return cmd_trace(argc - 1, argv + 1);
  if (strcmp(argv[1], "run") == 0) return cmd_run(argc - 1, argv + 1);
  if (strcmp(argv[1], "attack") == 0) return cmd_attack(argc - 1, argv + 1);
  if (strcmp(argv[1], "report") == 0) return cmd_report(argc - 1, argv + 1);
  fprintf(stderr, "efc-scenario: unknown command '%s' (see efc-scenario --help)\n", argv[1]);
  return EXIT_USAGE;
}
