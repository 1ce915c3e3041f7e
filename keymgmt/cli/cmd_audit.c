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
  enum { O_VERIFY = CLI_O_OWN, O_END };
  static const struct option opts[] = {CLI_OPTS_KEYSTORE, {"verify", no_argument, NULL, O_VERIFY},
                                       CLI_OPTS_END};
  const char *v[O_END] = {0}, *path;
  char audit[4096], err[512];
  keymgmt_keystore ks;
  int rv;
  if ((rv = cli_args_parse(argc, argv, "audit", opts, usage, v, O_END)) >= 0) return rv;
  path = v[CLI_O_KEYSTORE];
  if (keymgmt_audit_path(audit, sizeof(audit), path) != 0) return cli_fail("%s: path too long", path);
  if (!v[O_VERIFY]) {
    FILE *f = fopen(audit, "r");
    char buf[4096];
    size_t n;
    if (!f) return cli_fail("%s: cannot read: %s", audit, strerror(errno));
    while ((n = fread(buf, 1, sizeof(buf), f)) > 0) fwrite(buf, 1, n, stdout);
    fclose(f);
    return 0;
  }
  if ((rv = cli_keystore_open(&ks, "audit", path, v[CLI_O_PASS_FILE])) != 0) return rv;
  rv = keymgmt_audit_verify(audit, &ks, err, sizeof(err));
  if (rv == 0) printf("%s: %llu entries verified\n", audit, (unsigned long long)ks.audit_count);
  keymgmt_keystore_wipe(&ks);
  return rv == 0 ? 0 : cli_fail("%s", err);
}
