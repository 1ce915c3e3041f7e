/* The encrypted container every key file uses: a 48-octet header (magic, version, kind,
 * scrypt parameters, salt, nonce, length) that is also the GCM AAD, the AES-256-GCM
 * ciphertext and the 16-octet tag. Layout in docs/keymgmt.md. */
#include <errno.h>
#include <fcntl.h>
#include <openssl/core_names.h>
#include <openssl/evp.h>
#include <openssl/kdf.h>
#include <openssl/rand.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "file/out.h"
#include "km_internal.h"
#include "dsrc/octets.h"

enum {
  HDR = 48,
  TAG = 16,
  SALT = 16,
  NONCE = 12,
  FORMAT_VERSION = 1,
  KDF_SCRYPT = 1,
  /* Written by every save; the loader accepts stronger settings too. */
  SCRYPT_LOG2N = 15,
  SCRYPT_R = 8,
  SCRYPT_P = 1,
};

static const uint8_t magic[4] = {'E', 'F', 'C', 'K'};

static const char *kind_name(unsigned kind) {
  switch (kind) {
  case KM_KIND_KEYSTORE:
    return "an issuer keystore";
  case KM_KIND_OBE:
    return "an OBE profile";
  case KM_KIND_OPERATOR:
    return "an operator key file";
  default:
    return "an unknown kind of key file";
  }
}

/* Bounds keep a forged header from making the loader allocate gigabytes or run for
 * minutes, and never go below what the writer uses. */
static bool scrypt_params_ok(unsigned log2n, uint32_t r, uint32_t p) {
  if (log2n < SCRYPT_LOG2N || log2n > 20 || r < 1 || r > 16 || p < 1 || p > 4) return false;
  return ((uint64_t)128 * r << log2n) <= ((uint64_t)256 << 20);
}

static int scrypt_key(keymgmt_filekey *fk, const char *pass) {
  EVP_KDF *kdf = EVP_KDF_fetch(NULL, OSSL_KDF_NAME_SCRYPT, NULL);
  EVP_KDF_CTX *x = kdf ? EVP_KDF_CTX_new(kdf) : NULL;
  uint64_t n = (uint64_t)1 << fk->log2n;
  /* OpenSSL's default 32 MiB cap is just below what N = 2^15, r = 8 needs. */
  uint64_t maxmem = 2 * (uint64_t)128 * fk->r * n + ((uint64_t)1 << 20);
  uint32_t r = fk->r, p = fk->p;
  OSSL_PARAM params[7];
  int rv = KEYMGMT_ERR_CRYPTO;
  params[0] =
      OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_PASSWORD, (void *)pass, strlen(pass));
  params[1] = OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_SALT, fk->salt, SALT);
  params[2] = OSSL_PARAM_construct_uint64(OSSL_KDF_PARAM_SCRYPT_N, &n);
  params[3] = OSSL_PARAM_construct_uint32(OSSL_KDF_PARAM_SCRYPT_R, &r);
  params[4] = OSSL_PARAM_construct_uint32(OSSL_KDF_PARAM_SCRYPT_P, &p);
  params[5] = OSSL_PARAM_construct_uint64(OSSL_KDF_PARAM_SCRYPT_MAXMEM, &maxmem);
  params[6] = OSSL_PARAM_construct_end();
  if (x && EVP_KDF_derive(x, fk->key, sizeof(fk->key), params) > 0) {
    fk->valid = true;
    rv = 0;
  }
  EVP_KDF_CTX_free(x);
  EVP_KDF_free(kdf);
  return rv;
}

/* AES-256-GCM over pt (enc) or ct (dec) with hdr as AAD; tag out (enc) or in (dec). */
static int gcm(bool enc, const uint8_t key[32], const uint8_t *hdr, const uint8_t *in, size_t len,
               uint8_t *out, uint8_t tag[TAG]) {
  EVP_CIPHER *ci = EVP_CIPHER_fetch(NULL, "AES-256-GCM", NULL);
  EVP_CIPHER_CTX *x = EVP_CIPHER_CTX_new();
  OSSL_PARAM params[2];
  int n = 0, rv = KEYMGMT_ERR_CRYPTO;
  if (!ci || !x || len > KM_PLAINTEXT_MAX) goto done;
  if (!EVP_CipherInit_ex2(x, ci, key, hdr + 32, enc, NULL)) goto done;
  if (!EVP_CipherUpdate(x, NULL, &n, hdr, HDR)) goto done;
  if (len > 0 && (!EVP_CipherUpdate(x, out, &n, in, (int)len) || n != (int)len)) goto done;
  if (!enc) {
    params[0] = OSSL_PARAM_construct_octet_string(OSSL_CIPHER_PARAM_AEAD_TAG, tag, TAG);
    params[1] = OSSL_PARAM_construct_end();
    if (!EVP_CIPHER_CTX_set_params(x, params)) goto done;
  }
  if (EVP_CipherFinal_ex(x, out + len, &n) <= 0) {
    rv = enc ? KEYMGMT_ERR_CRYPTO : KEYMGMT_ERR_AUTH;
    goto done;
  }
  if (enc) {
    params[0] = OSSL_PARAM_construct_octet_string(OSSL_CIPHER_PARAM_AEAD_TAG, tag, TAG);
    params[1] = OSSL_PARAM_construct_end();
    if (!EVP_CIPHER_CTX_get_params(x, params)) goto done;
  }
  rv = 0;
done:
  EVP_CIPHER_CTX_free(x);
  EVP_CIPHER_free(ci);
  return rv;
}

int km_seal_save(const char *path, enum km_kind kind, const char *pass, keymgmt_filekey *fk,
                 const uint8_t *pt, size_t len, bool no_replace, char *err, size_t errlen) {
  keymgmt_filekey local;
  keymgmt_filekey *k = fk ? fk : &local;
  uint8_t *file;
  size_t total = HDR + len + TAG;
  int rv;
  if (!path || !pt || len > KM_PLAINTEXT_MAX)
    return km_fail(err, errlen, KEYMGMT_ERR_ARG, path, "invalid argument");
  if (!fk) local.valid = false;
  if (!k->valid) {
    if (!pass || !*pass)
      return km_fail(err, errlen, KEYMGMT_ERR_PASS, path, "no passphrase, or an empty one");
    k->log2n = SCRYPT_LOG2N;
    k->r = SCRYPT_R;
    k->p = SCRYPT_P;
    if (RAND_bytes(k->salt, SALT) != 1 || scrypt_key(k, pass) != 0) {
      dsrc_crypto_wipe(k, sizeof(*k));
      return km_fail(err, errlen, KEYMGMT_ERR_CRYPTO, path, "scrypt key derivation failed");
    }
  }
  file = malloc(total);
  if (!file) {
    rv = km_fail(err, errlen, KEYMGMT_ERR_NOMEM, path, "out of memory");
    goto out;
  }
  memcpy(file, magic, 4);
  file[4] = FORMAT_VERSION;
  file[5] = (uint8_t)kind;
  file[6] = KDF_SCRYPT;
  file[7] = k->log2n;
  dsrc_put_be32(file + 8, k->r);
  dsrc_put_be32(file + 12, k->p);
  memcpy(file + 16, k->salt, SALT);
  /* A fresh random nonce per save; with a reused key the 96-bit nonce space is ample. */
  if (RAND_bytes(file + 32, NONCE) != 1) {
    rv = km_fail(err, errlen, KEYMGMT_ERR_CRYPTO, path, "no random nonce");
    goto out;
  }
  dsrc_put_be32(file + 44, (uint32_t)len);
  rv = gcm(true, k->key, file, pt, len, file + HDR, file + HDR + len);
  if (rv != 0) {
    rv = km_fail(err, errlen, rv, path, "encryption failed");
    goto out;
  }
  /* Temporaries a killed writer left beside this key file (docs/files.md). Best effort: a
   * directory that cannot be read fails the write below with its own error. */
  file_tmp_sweep(path, NULL, 0);
  rv = keymgmt_write_atomic(path, file, total, no_replace, err, errlen);
out:
  free(file);
  if (!fk) dsrc_crypto_wipe(&local, sizeof(local));
  return rv;
}

/* Reads at most cap octets; *len = size read; -1 with errno on failure. A file larger than
 * cap reads as cap + 1 octets so the caller can tell. */
static int read_small(const char *path, uint8_t *buf, size_t cap, size_t *len) {
  int fd = open(path, O_RDONLY | O_CLOEXEC);
  size_t n = 0;
  if (fd < 0) return -1;
  while (n < cap + 1) {
    ssize_t k = read(fd, buf + n, cap + 1 - n);
    if (k < 0) {
      if (errno == EINTR) continue;
      close(fd);
      return -1;
    }
    if (k == 0) break;
    n += (size_t)k;
  }
  close(fd);
  *len = n;
  return 0;
}

int km_seal_load(const char *path, enum km_kind kind, const char *pass, keymgmt_filekey *fk,
                 uint8_t *pt, size_t *len, char *err, size_t errlen) {
  enum { FILE_MAX = HDR + KM_PLAINTEXT_MAX + TAG };
  uint8_t *file = malloc(FILE_MAX + 1);
  keymgmt_filekey k;
  size_t size = 0;
  uint32_t n;
  int rv;
  memset(&k, 0, sizeof(k));
  if (!file) return km_fail(err, errlen, KEYMGMT_ERR_NOMEM, path, "out of memory");
  if (read_small(path, file, FILE_MAX, &size) != 0) {
    rv = km_fail(err, errlen, KEYMGMT_ERR_IO, path, "cannot read: %s", strerror(errno));
    goto out;
  }
  if (size < 4 || memcmp(file, magic, 4) != 0) {
    rv = km_fail(err, errlen, KEYMGMT_ERR_NOT_KEYFILE, path,
                 "not an efcsim key file (no EFCK magic)");
    goto out;
  }
  if (size < HDR + TAG) {
    rv = km_fail(err, errlen, KEYMGMT_ERR_TRUNCATED, path,
                 "truncated: %zu octets, shorter than the header and tag", size);
    goto out;
  }
  if (file[4] != FORMAT_VERSION) {
    rv = km_fail(err, errlen, KEYMGMT_ERR_VERSION, path,
                 "unsupported format version %u (this build reads %u)", file[4], FORMAT_VERSION);
    goto out;
  }
  if (file[5] != kind) {
    rv = km_fail(err, errlen, KEYMGMT_ERR_KIND, path, "this is %s, not %s", kind_name(file[5]),
                 kind_name(kind));
    goto out;
  }
  k.log2n = file[7];
  k.r = dsrc_get_be32(file + 8);
  k.p = dsrc_get_be32(file + 12);
  if (file[6] != KDF_SCRYPT || !scrypt_params_ok(k.log2n, k.r, k.p)) {
    rv = km_fail(err, errlen, KEYMGMT_ERR_KDF, path,
                 "unknown KDF %u or scrypt parameters out of bounds (log2 N %u, r %u, p %u)",
                 file[6], k.log2n, k.r, k.p);
    goto out;
  }
  n = dsrc_get_be32(file + 44);
  if (n > KM_PLAINTEXT_MAX || size != HDR + (size_t)n + TAG) {
    rv = km_fail(err, errlen, KEYMGMT_ERR_TRUNCATED, path,
                 "truncated or extended: the header announces %u octets of ciphertext, the "
                 "file holds %zu",
                 n, size < HDR + TAG ? 0 : size - HDR - TAG);
    goto out;
  }
  if (!pass || !*pass) {
    rv = km_fail(err, errlen, KEYMGMT_ERR_PASS, path, "no passphrase, or an empty one");
    goto out;
  }
  memcpy(k.salt, file + 16, SALT);
  if (scrypt_key(&k, pass) != 0) {
    rv = km_fail(err, errlen, KEYMGMT_ERR_CRYPTO, path, "scrypt key derivation failed");
    goto out;
  }
  rv = gcm(false, k.key, file, file + HDR, n, pt, file + HDR + n);
  if (rv != 0) {
    dsrc_crypto_wipe(pt, n);
    rv = km_fail(err, errlen, rv, path, "%s",
                 rv == KEYMGMT_ERR_AUTH ? keymgmt_strerror(rv) : "decryption failed");
    goto out;
  }
  *len = n;
  if (fk) *fk = k;
out:
  dsrc_crypto_wipe(&k, sizeof(k));
  free(file);
  return rv;
}
