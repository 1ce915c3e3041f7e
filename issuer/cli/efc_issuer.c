/* efc-issuer: the issuer's back office. verify checks a file of claims against the master
 * keys and across passages, into a SQLite database; statuslist writes the list the RSEs
 * load. docs/issuer.md. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "issuer/issuer_analyse.h"
#include "issuer/issuer_db.h"
#include "issuer/issuer_ingest.h"
#include "issuer/issuer_report.h"
#include "issuer/issuer_statuslist.h"
#include "io/cli.h"

#define PROG "efc-issuer"

static const char *const usage_text =
    "usage: efc-issuer verify --keystore FILE --claims FILE [--db FILE] [--pass-file FILE]\n"
    "                         [--min-gap SECONDS] [--max-list N] [--batch N]\n"
    "       efc-issuer statuslist --db FILE --out FILE\n"
    "       efc-issuer --help | --version\n"
    "\n"
    "verify      reads the claims (one JSON line each, as the RSE writes them), checks each\n"
    "            with the issuer's master keys (MAC1 / MAC_TSP, MACed data against the\n"
    "            claim, commitment nonces, tariff), stores every claim with its verdict in\n"
    "            the database (default: the claims path + \".db\"), then flags per OBE\n"
    "            duplicate and backwards counters, counter gaps and passages less than\n"
    "            --min-gap seconds apart (default 60; 0..31536000) at different stations or\n"
    "            at the same time. Prints a summary and the flagged claims (the first\n"
    "            --max-list, 50; 0..1000000000).\n"
    "            Claims already stored are not stored twice: append and re-run.\n"
    "            Claims are committed every --batch lines (10000; 1..10000000) and at the end.\n"
    "            The keystore passphrase comes from --pass-file or EFC_KEYSTORE_PASS.\n"
    "statuslist  writes the status list the RSEs load (OBUID,ACTION,REASON lines, sorted):\n"
    "            reject on bad MAC or altered MACed data, photograph on duplicate or\n"
    "            backwards counters or impossible times.\n"
    "\n"
    "exit status: 0 the run completed (flagged claims included), 1 unusable input,\n"
    "2 bad usage. Malformed claim lines are reported as FILE:LINE: reason and skipped.\n";

/* "efc-issuer: text" on stderr: IO_CLI_EXIT_FAILURE, or IO_CLI_EXIT_USAGE with the pointer
 * to --help. */
#define fail(...) io_cli_fail(IO_CLI_EXIT_FAILURE, PROG, __VA_ARGS__)
#define usage(...) io_cli_usage(PROG, PROG, __VA_ARGS__)

static void print_usage(FILE *out) { fputs(usage_text, out); }

enum { O_KEYSTORE = 256, O_CLAIMS, O_DB, O_PASS_FILE, O_MIN_GAP, O_MAX_LIST, O_BATCH, O_NO_MAC,
       O_OUT };

typedef struct {
  const char *keystore, *claims, *db, *pass_file;
  uint64_t min_gap_s, max_list, batch;
  bool no_mac_check;
} verify_args;

static int verify_run(const verify_args *va) {
  char err[1024], pass[IO_PASS_MAX], dbpath[4200];
  keymgmt_keystore ks;
  dsrc_crypto *crypto = NULL;
  issuer_db *db = NULL;
  issuer_ingest_args ia;
  issuer_run_counts counts;
  issuer_analyse_options ao;
  issuer_report_options ro;
  FILE *in;
  int rv, st = IO_CLI_EXIT_FAILURE;

  memset(&ks, 0, sizeof(ks));
  /* The cheap checks first: a missing claims file should not cost a scrypt run. */
  if (!(in = fopen(va->claims, "r"))) return fail("%s: cannot open: %s", va->claims, strerror(errno));
  if ((rv = io_cli_pass_read(pass, PROG, PROG, va->pass_file, "EFC_KEYSTORE_PASS", "--pass-file")) != 0) {
    fclose(in);
    return rv;
  }
  if (dsrc_crypto_new(&crypto, err, sizeof(err)) != 0) {
    io_pass_wipe(pass);
    fclose(in);
    return fail("%s", err);
  }
  rv = keymgmt_keystore_load(&ks, va->keystore, pass, err, sizeof(err));
  io_pass_wipe(pass);
  if (rv != 0) {
    fail("%s", err);
    goto out_keys;
  }
  if (va->db) snprintf(dbpath, sizeof(dbpath), "%s", va->db);
  else if ((size_t)snprintf(dbpath, sizeof(dbpath), "%s.db", va->claims) >= sizeof(dbpath)) {
    fail("%s: path too long", va->claims);
    goto out_keys;
  }
  if (issuer_db_open(&db, dbpath, ISSUER_DB_WRITE, err, sizeof(err)) != 0) {
    fail("%s", err);
    goto out_keys;
  }

  memset(&ia, 0, sizeof(ia));
  ia.in = in;
  ia.source = va->claims;
  ia.crypto = crypto;
  ia.ks = &ks;
  issuer_options_default(&ia.vopt);
  ia.vopt.check_mac = !va->no_mac_check;
  ia.batch = (unsigned)va->batch;
  ia.warn_max = ISSUER_WARN_MAX_DEFAULT;
  ia.warn = stderr;
  if (issuer_ingest_file(db, &ia, &counts, err, sizeof(err)) != 0) {
    fail("%s", err);
    goto out_db;
  }
  /* The keys are no longer needed: drop them before the long SQL part. */
  keymgmt_keystore_wipe(&ks);
  issuer_analyse_options_default(&ao);
  ao.min_gap_cs = (int64_t)va->min_gap_s * 100;
  if (issuer_analyse_run(db, &ao, err, sizeof(err)) != 0) {
    fail("%s", err);
    goto out_db;
  }
  ro.source = va->claims;
  ro.check_mac = !va->no_mac_check;
  ro.max_list = (unsigned)va->max_list;
  if (issuer_report_print(db, stdout, &ro, &counts, err, sizeof(err)) != 0) {
    fail("%s", err);
    goto out_db;
  }
  st = fflush(stdout) == 0 ? 0 : fail("stdout: write error");
out_db:
  issuer_db_close(db);
out_keys:
  keymgmt_keystore_wipe(&ks);
  dsrc_crypto_free(crypto);
  fclose(in);
  return st;
}

static int cmd_verify(int argc, char **argv) {
  static const struct option opts[] = {
      {"keystore", required_argument, NULL, O_KEYSTORE},
      {"claims", required_argument, NULL, O_CLAIMS},
      {"db", required_argument, NULL, O_DB},
      {"pass-file", required_argument, NULL, O_PASS_FILE},
      {"min-gap", required_argument, NULL, O_MIN_GAP},
      {"max-list", required_argument, NULL, O_MAX_LIST},
      {"batch", required_argument, NULL, O_BATCH},
      /* Test only: shows what the issuer misses without MAC1 / MAC_TSP (docs/issuer.md). */
      {"no-mac-check", no_argument, NULL, O_NO_MAC},
      {"help", no_argument, NULL, 'h'},
      {NULL, 0, NULL, 0}};
  verify_args va = {.min_gap_s = 60, .max_list = 50, .batch = ISSUER_BATCH_DEFAULT};
  char err[256];
  int c, rv = 0;
  while (rv == 0 && (c = io_cli_getopt(argc, argv, opts, err, sizeof(err))) != -1) {
    switch (c) {
    case O_KEYSTORE:
      va.keystore = optarg;
      break;
    case O_CLAIMS:
      va.claims = optarg;
      break;
    case O_DB:
      va.db = optarg;
      break;
    case O_PASS_FILE:
      va.pass_file = optarg;
      break;
    case O_MIN_GAP:
      rv = io_cli_u64_parse(&va.min_gap_s, "--min-gap", optarg, 0, 86400 * 365, err, sizeof(err));
      break;
    case O_MAX_LIST:
      rv = io_cli_u64_parse(&va.max_list, "--max-list", optarg, 0, 1000000000, err, sizeof(err));
      break;
    case O_BATCH:
      rv = io_cli_u64_parse(&va.batch, "--batch", optarg, 1, 10000000, err, sizeof(err));
      break;
    case O_NO_MAC:
      va.no_mac_check = true;
      break;
    default:
      return io_cli_getopt_default(c, PROG, err, print_usage);
    }
  }
  if (rv != 0) return usage("%s", err);
  if (optind < argc) return usage("verify: unexpected argument '%s'", argv[optind]);
  if (!va.keystore) return usage("verify: --keystore FILE is required");
  if (!va.claims) return usage("verify: --claims FILE is required");
  return verify_run(&va);
}

static int cmd_statuslist(int argc, char **argv) {
  static const struct option opts[] = {{"db", required_argument, NULL, O_DB},
                                       {"out", required_argument, NULL, O_OUT},
                                       {"help", no_argument, NULL, 'h'},
                                       {NULL, 0, NULL, 0}};
  const char *dbpath = NULL, *out = NULL;
  char err[1024];
  issuer_db *db;
  issuer_statuslist_counts n;
  int c, rv;
  while ((c = io_cli_getopt(argc, argv, opts, err, sizeof(err))) != -1) {
    switch (c) {
    case O_DB:
      dbpath = optarg;
      break;
    case O_OUT:
      out = optarg;
      break;
    default:
      return io_cli_getopt_default(c, PROG, err, print_usage);
    }
  }
  if (optind < argc) return usage("statuslist: unexpected argument '%s'", argv[optind]);
  if (!dbpath) return usage("statuslist: --db FILE is required");
  if (!out) return usage("statuslist: --out FILE is required");
  if (issuer_db_open(&db, dbpath, ISSUER_DB_READ, err, sizeof(err)) != 0) return fail("%s", err);
  rv = issuer_statuslist_write(db, out, &n, err, sizeof(err));
  issuer_db_close(db);
  if (rv != 0) return fail("%s", err);
  printf("efc-issuer statuslist: %s: %zu entries (%zu reject, %zu photograph)\n", out,
         n.reject + n.photograph, n.reject, n.photograph);
  return 0;
}

static int run(int argc, char **argv) {
  const char *cmd = argc > 1 ? argv[1] : NULL;
  int rv = io_cli_main_opt(argc, argv, PROG, print_usage);
  if (rv >= 0) return rv;
  if (!cmd) return usage("no command");
  if (strcmp(cmd, "help") == 0) {
    fputs(usage_text, stdout);
    return 0;
  }
  /* Each command parses its own options with argv[0] = the command. */
  if (strcmp(cmd, "verify") == 0) return cmd_verify(argc - 1, argv + 1);
  if (strcmp(cmd, "statuslist") == 0) return cmd_statuslist(argc - 1, argv + 1);
  return usage("unknown command '%s'", cmd);
}

/* stdout checked last: a result that did not reach its file is a failed run. */
int main(int argc, char **argv) { return io_cli_stdout_close(PROG, run(argc, argv)); }
