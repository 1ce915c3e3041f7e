/* The status list the RSEs load (efc/include/efc/statuslist.h), written from the claims
 * database: reject the OBEs whose claims failed the issuer's MAC or whose MACed data
 * disagree with the claim; photograph those with duplicate or backwards counters or
 * impossible passage times. docs/issuer.md, "Status-list policy". */
#ifndef BACKOFFICE_ISSUER_STATUSLIST_H
#define BACKOFFICE_ISSUER_STATUSLIST_H

#include <stddef.h>

#include "issuer/issuer_db.h"

typedef struct {
  size_t reject, photograph;
} issuer_statuslist_counts;

/* Writes the list to path atomically through the file library (temp file in the same
 * directory, fsync, rename, fsync of the directory), sorted by obuid. Refuses a database
 * whose analysis is incomplete (ISSUER_ERR_STALE) and a path that exists and is not a
 * regular file (ISSUER_ERR_ARG: a device is never replaced). */
int issuer_statuslist_write(issuer_db *db, const char *path, issuer_statuslist_counts *n,
                            char *err, size_t errlen);

#endif
