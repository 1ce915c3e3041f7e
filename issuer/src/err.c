/* Texts of the efc_issuer error codes. */
#include "issuer/issuer_err.h"

const char *issuer_strerror(int err) {
  switch (err) {
  case ISSUER_ERR_ARG:
    return "invalid argument";
  case ISSUER_ERR_NOMEM:
    return "out of memory";
  case ISSUER_ERR_IO:
    return "cannot read or write a file";
  case ISSUER_ERR_DB:
    return "database error";
  case ISSUER_ERR_NOT_DB:
    return "not an efc-issuer claims database";
  case ISSUER_ERR_STALE:
    return "the analysis of the last verify run did not complete";
  case ISSUER_ERR_CRYPTO:
    return "claim verification failed";
  default:
    return "unknown error";
  }
}
