/* Atomic replacement of a key file: a crash leaves either the old file or the new one. The
 * file library does the work (temporary, fsync, rename or link, directory fsync); key files
 * are always private. */
#include <stdio.h>

#include "file/out.h"
#include "km_internal.h"

int keymgmt_write_atomic(const char *path, const uint8_t *data, size_t len, bool no_replace,
                        char *err, size_t errlen) {
  char why[512];
  int rv = file_write_atomic(path, data, len, FILE_OUT_PRIVATE | (no_replace ? FILE_OUT_NO_REPLACE : 0u),
                             why, sizeof(why));
  if (rv == 0) return 0;
  if (err && errlen) snprintf(err, errlen, "%s", why);
  switch (rv) {
  case FILE_ERR_EXISTS: return KEYMGMT_ERR_EXISTS;
  case FILE_ERR_ARG: return KEYMGMT_ERR_ARG;
  default: return KEYMGMT_ERR_IO;
  }
}
