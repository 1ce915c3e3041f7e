/* Error codes of efc_issuer (the back office's claim store, analysis and status list),
 * disjoint from the dsrc (-1..), dsrc_crypto (-101..), keymgmt (-201..), obe (-301..) and
 * rse (-401..) codes so one int can carry any of them. */
#ifndef BACKOFFICE_ISSUER_ERR_H
#define BACKOFFICE_ISSUER_ERR_H

enum issuer_err {
  ISSUER_ERR_ARG = -501,    /* invalid argument */
  ISSUER_ERR_NOMEM = -502,  /* out of memory */
  ISSUER_ERR_IO = -503,     /* a file cannot be read or written */
  ISSUER_ERR_DB = -504,     /* SQLite reported an error */
  ISSUER_ERR_NOT_DB = -505, /* the file is not an efc-issuer claims database */
  ISSUER_ERR_STALE = -506,  /* the database's analysis is incomplete (interrupted run) */
  ISSUER_ERR_CRYPTO = -507, /* claim verification failed for a reason other than a flag */
};

/* A static English text for an ISSUER_ERR_* code; never NULL. */
const char *issuer_strerror(int err);

#endif
