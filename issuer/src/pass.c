/* Reading the keystore passphrase: the same rules as efc-keymgmt, whose reader lives in its
 * command-line tool and is not part of the library. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "issuer/issuer_err.h"
#include "issuer/issuer_pass.h"
#include "dsrc/crypto.h"

void issuer_pass_wipe(char pass[ISSUER_PASS_MAX]) { dsrc_crypto_wipe(pass, ISSUER_PASS_MAX); }

static int from_file(char out[ISSUER_PASS_MAX], const char *file, char *err, size_t errlen) {
  size_t n;
  FILE *f = fopen(file, "r");
  if (!f) {
    snprintf(err, errlen, "%s: cannot read passphrase file: %s", file, strerror(errno));
    return ISSUER_ERR_IO;
  }
  n = fread(out, 1, ISSUER_PASS_MAX - 1, f);
  if (ferror(f) || (n == ISSUER_PASS_MAX - 1 && fgetc(f) != EOF)) {
    fclose(f);
    issuer_pass_wipe(out);
    snprintf(err, errlen, "%s: cannot read passphrase file, or longer than %d octets", file,
             ISSUER_PASS_MAX - 2);
    return ISSUER_ERR_IO;
  }
  fclose(f);
  /* One trailing line end is the editor's, not the passphrase's. */
  if (n > 0 && out[n - 1] == '\n') out[--n] = '\0';
  if (n > 0 && out[n - 1] == '\r') out[--n] = '\0';
  if (n == 0 || memchr(out, '\0', n)) {
    issuer_pass_wipe(out);
    snprintf(err, errlen, "%s: empty passphrase, or one with a NUL octet", file);
    return ISSUER_ERR_ARG;
  }
  return 0;
}

int issuer_pass_read(char out[ISSUER_PASS_MAX], const char *file, bool *missing, char *err,
                     size_t errlen) {
  const char *v;
  size_t n;
  memset(out, 0, ISSUER_PASS_MAX);
  *missing = false;
  if (file) return from_file(out, file, err, errlen);
  v = getenv(ISSUER_PASS_ENV);
  if (!v) {
    *missing = true;
    snprintf(err, errlen, "no passphrase: give --pass-file FILE or set %s", ISSUER_PASS_ENV);
    return ISSUER_ERR_ARG;
  }
  n = strlen(v);
  if (n == 0 || n >= ISSUER_PASS_MAX - 1) {
    snprintf(err, errlen, "%s: empty passphrase, or longer than %d octets", ISSUER_PASS_ENV,
             ISSUER_PASS_MAX - 2);
    return ISSUER_ERR_ARG;
  }
  memcpy(out, v, n);
  return 0;
}
