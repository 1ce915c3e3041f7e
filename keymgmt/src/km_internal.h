/* What the keymgmt sources share: TLV plaintexts and the sealed container. */
#ifndef KM_INTERNAL_H
#define KM_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "keymgmt/keymgmt.h"

/* Every plaintext is far smaller; the bound keeps buffers on the stack and bad files out. */
#define KM_PLAINTEXT_MAX 4096

enum km_kind { KM_KIND_KEYSTORE = 1, KM_KIND_OBE = 2, KM_KIND_OPERATOR = 3 };

/* Sets err to "path: " followed by the formatted text; returns code. */
int km_fail(char *err, size_t errlen, int code, const char *path, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 5, 6)))
#endif
    ;

/* TLV: tag (1 octet), length (1 octet), value. */
typedef struct {
  uint8_t *buf;
  size_t cap, len;
  bool overflow;
} km_tlv_writer;

/* Appends one item whose value is a || b (either may be empty). */
void km_tlv_put(km_tlv_writer *w, uint8_t tag, const void *a, size_t alen, const void *b,
                size_t blen);

typedef struct {
  const uint8_t *p;
  size_t len, off;
} km_tlv_reader;

/* 1 and the next item, 0 at the end, KEYMGMT_ERR_CONTENT when an item overruns. */
int km_tlv_next(km_tlv_reader *r, uint8_t *tag, const uint8_t **val, size_t *vlen);

/* Encrypts pt into a container of the given kind and writes it atomically. With fk valid,
 * its key and salt are reused (fresh nonce); otherwise a fresh salt and a scrypt run, and
 * fk (when non-NULL) keeps the result. */
int km_seal_save(const char *path, enum km_kind kind, const char *pass, keymgmt_filekey *fk,
                 const uint8_t *pt, size_t len, bool no_replace, char *err, size_t errlen);
/* Reads, authenticates and decrypts a container of the given kind into pt (cap >=
 * KM_PLAINTEXT_MAX). fk (optional) receives the derived key for a later save. */
int km_seal_load(const char *path, enum km_kind kind, const char *pass, keymgmt_filekey *fk,
                 uint8_t *pt, size_t *len, char *err, size_t errlen);


#endif
