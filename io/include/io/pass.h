/* Passphrases for the sealed key files, from a file or an environment variable and never
 * from the command line (it would show in ps and in shell history). Every program reads
 * them by the same rules, so a passphrase file that sealed a file with efc-keymgmt opens
 * it in efc-obe, efc-rse, efc-pcap and efc-issuer too. */
#ifndef IO_PASS_H
#define IO_PASS_H

#include <stddef.h>

#define IO_PASS_MAX 1024                  /* a passphrase buffer, its NUL included */
#define IO_PASS_LEN_MAX (IO_PASS_MAX - 2) /* the longest passphrase, in octets */

enum {
  IO_PASS_ERR_NONE_GIVEN = -1, /* no file and the variable is not set: a usage error */
  IO_PASS_ERR_READ = -2,       /* the file cannot be read */
  IO_PASS_ERR_BAD = -3         /* empty, longer than IO_PASS_LEN_MAX, or with a NUL octet */
};

/* The passphrase from file when it is given, else from the environment variable env. One
 * trailing line end ("\n", "\r\n") of a file is the editor's and dropped. file_opt is the
 * option that gives the file ("--pass-file"), for the error when neither source is there.
 * Returns 0, or an IO_PASS_ERR_* with a one-line err naming the file, the variable or the
 * option; out then holds zeros. Wipe out with io_pass_wipe once the key file is open. */
int io_pass_read(char out[IO_PASS_MAX], const char *file, const char *env, const char *file_opt,
                 char *err, size_t errlen);
void io_pass_wipe(char pass[IO_PASS_MAX]);

#endif
