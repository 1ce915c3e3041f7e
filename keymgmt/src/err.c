/* Texts of the keymgmt error codes. */
#include <stdarg.h>
#include <stdio.h>

#include "km_internal.h"

static const char *const texts[] = {
    "invalid argument",
    "out of memory",
    "cannot read or write the file",
    "refusing to overwrite an existing file",
    "not an efcsim key file",
    "unsupported format version",
    "another kind of key file",
    "truncated or extended file",
    "unknown KDF or KDF parameters out of bounds",
    "wrong passphrase or corrupted file (authentication failed)",
    "authentic but invalid content",
    "OpenSSL operation failed",
    "audit log does not verify",
    "no passphrase, or an empty one",
};

const char *keymgmt_strerror(int err) {
  int n = (int)(sizeof(texts) / sizeof(texts[0]));
  if (err == 0) return "success";
  if (err <= KEYMGMT_ERR_ARG && err > KEYMGMT_ERR_ARG - n) return texts[KEYMGMT_ERR_ARG - err];
  return dsrc_crypto_strerror(err);
}

int km_fail(char *err, size_t errlen, int code, const char *path, const char *fmt, ...) {
  va_list ap;
  int k;
  if (!err || errlen == 0) return code;
  k = snprintf(err, errlen, "%s: ", path ? path : "(none)");
  if (k < 0 || (size_t)k >= errlen) return code;
  va_start(ap, fmt);
  vsnprintf(err + k, errlen - (size_t)k, fmt, ap);
  va_end(ap);
  return code;
}
