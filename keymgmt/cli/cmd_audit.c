/* efc-keymgmt audit: print the log, or verify its chain against the keystore's record. */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "cli.h"

static void usage(FILE *out) {
  fprintf(out,
          "usage: efc-keymgmt audit --keystore FILE [--verify [--pass-file FILE]]\n"
          "\n"
          "Prints FILE.audit (one JSON object per line: seq, time, action, details, prev, hash).\n"
          "With --verify, checks every entry's SHA-256, its sequence number and its link to\n"
          "the previous entry, and the last one against the count and hash the keystore\n"
          "records (so it needs the keystore passphrase); names the first bad entry, exit 1.\n");
}

int cmd_audit(int argc, char **argv) {
  enum { O_KEYSTORE = 256, O_PASS_FILE, O_VERIFY };
  static const struct option opts[] = {{"keystore", required_argument, NULL, O_KEYSTORE},
                                       {"pass-file", required_argument, NULL, O_PASS_FILE},
                                       {"verify", no_argument, NULL, O_VERIFY},
                                       {"help", no_argument, NULL, 'h'},
                                       {NULL, 0, NULL, 0}};
  const char *path = NULL, *pass_file = NULL;
  char audit[4096], err[512];
  bool verify = false;
  keymgmt_keystore ks;
  int c, rv;
  while ((c = cli_getopt(argc, argv, "audit", opts)) != -1) {
    switch (c) {
    case O_KEYSTORE:
      path = optarg;
      break;
    case O_PASS_FILE:
      pass_file = optarg;
      break;
    case O_VERIFY:
      verify = true;
      break;
    case 'h':
      usage(stdout);
      return 0;
    default:
      return EXIT_USAGE;
    }
  }
  if ((rv = cli_no_args(argc, argv, "audit")) != 0) return rv;
  if (!path) return cli_usage("audit", "--keystore FILE is required");
  if (keymgmt_audit_path(audit, sizeof(audit), path) != 0) return cli_fail("%s: path too long", path);
  if (!verify) {
    FILE *f = fopen(audit, "r");
    char buf[4096];
    size_t n;
    if (!f) return cli_fail("%s: cannot read: %s", audit, strerror(errno));
    while ((n = fread(buf, 1, sizeof(buf), f)) > 0) fwrite(buf, 1, n, stdout);
    fclose(f);
    return 0;
  }
  if ((rv = cli_keystore_open(&ks, "audit", path, pass_file)) != 0) return rv;
  rv = keymgmt_audit_verify(audit, &ks, err, sizeof(err));
  if (rv == 0) printf("%s: %llu entries verified\n", audit, (unsigned long long)ks.audit_count);
  keymgmt_keystore_wipe(&ks);
  return rv == 0 ? 0 : cli_fail("%s", err);
}
