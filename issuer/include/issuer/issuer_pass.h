/* The keystore passphrase, from a file or the environment, never from argv. */
#ifndef BACKOFFICE_ISSUER_PASS_H
#define BACKOFFICE_ISSUER_PASS_H

#include <stdbool.h>
#include <stddef.h>

#define ISSUER_PASS_MAX 1024
#define ISSUER_PASS_ENV "EFC_KEYSTORE_PASS"

/* From file when given (one trailing line end dropped), else from the environment variable
 * ISSUER_PASS_ENV. Returns 0, or ISSUER_ERR_IO / ISSUER_ERR_ARG with a one-line err naming
 * the file or variable; *missing is set when neither source was given (a usage error).
 * Wipe out with issuer_pass_wipe. */
int issuer_pass_read(char out[ISSUER_PASS_MAX], const char *file, bool *missing, char *err,
                     size_t errlen);
void issuer_pass_wipe(char pass[ISSUER_PASS_MAX]);

#endif
