/* keymgmt: the issuer keystore, OBE profiles, operator key files and the audit log.
 *
 * Every file is an encrypted container (AES-256-GCM under a key derived from a passphrase
 * with scrypt; docs/keymgmt.md) holding a binary TLV plaintext, written atomically. The
 * structs below are the plaintext in memory: wipe them with their *_wipe function.
 *
 * Functions return 0 or a negative KEYMGMT_ERR_* code; those taking (err, errlen) also write
 * a one-line message there that names the file, e.g.
 * "keys.eks: wrong passphrase or corrupted file (authentication failed)". */
#ifndef KEYMGMT_KEYMGMT_H
#define KEYMGMT_KEYMGMT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "dsrc/crypto.h"
#include "dsrc/keys.h"
#include "dsrc/rng.h"
#include "efc/profile.h"

#define KEYMGMT_GENERATIONS 5 /* AutoPASS key generations 1..5 */
#define KEYMGMT_MACK_REFS 4   /* AC_CR-MasterKeyReference 0..3 */
#define KEYMGMT_KEY 16        /* every master key: 2-key 3DES or AES-128 */
#define KEYMGMT_HASH 32       /* SHA-256 */
#define KEYMGMT_LPN_MAX 14

/* Disjoint from the dsrc (-1..) and dsrc_crypto (-101..) codes. */
enum keymgmt_err {
  KEYMGMT_ERR_ARG = -201,         /* invalid argument */
  KEYMGMT_ERR_NOMEM = -202,       /* out of memory */
  KEYMGMT_ERR_IO = -203,          /* cannot read or write a file */
  KEYMGMT_ERR_EXISTS = -204,      /* refusing to overwrite an existing file */
  KEYMGMT_ERR_NOT_KEYFILE = -205, /* not an efcsim key file (magic) */
  KEYMGMT_ERR_VERSION = -206,     /* unsupported format version */
  KEYMGMT_ERR_KIND = -207,        /* another kind of key file */
  KEYMGMT_ERR_TRUNCATED = -208,   /* length differs from what the header says */
  KEYMGMT_ERR_KDF = -209,         /* KDF unknown or its parameters out of bounds */
  KEYMGMT_ERR_AUTH = -210,        /* wrong passphrase or corrupted file */
  KEYMGMT_ERR_CONTENT = -211,     /* authentic but not a valid plaintext for its kind */
  KEYMGMT_ERR_CRYPTO = -212,      /* an OpenSSL operation failed */
  KEYMGMT_ERR_AUDIT = -213,       /* the audit log does not verify */
  KEYMGMT_ERR_PASS = -214,        /* no or empty passphrase */
};

/* A static English text for an KEYMGMT_ERR_* code (or a dsrc_crypto code); never NULL. */
const char *keymgmt_strerror(int err);

/* The derived file key of the last load or save, so saving again needs no second scrypt
 * run (a fresh GCM nonce per save). Internal to the library; wiped with its owner. */
typedef struct {
  bool valid;
  uint8_t key[32];
  uint8_t salt[16];
  uint8_t log2n;
  uint32_t r, p;
} keymgmt_filekey;

/* ---- issuer keystore ---- */

typedef struct {
  uint8_t mkey_n[KEYMGMT_GENERATIONS][KEYMGMT_KEY]; /* MKEY-N_1..5 at [0..4] */
  uint8_t mkey_f[KEYMGMT_GENERATIONS][KEYMGMT_KEY]; /* MKEY-F_1..5 */
  uint8_t mauk[DSRC_AUK_COUNT][KEYMGMT_KEY];        /* MAuK_1..8 at [0..7] */
  uint8_t mack[KEYMGMT_MACK_REFS][KEYMGMT_KEY];     /* MAcK by MasterKeyReference 0..3 */
  uint8_t aes_mauk[DSRC_AUK_COUNT][KEYMGMT_KEY];    /* AES-MAuK_1..8 */
  uint8_t aes_mack[KEYMGMT_MACK_REFS][KEYMGMT_KEY]; /* AES-MAcK_0..3 */
  uint8_t autopass_generation;                    /* current generation, 1..5 */
  uint8_t mack_ref;                               /* current MasterKeyReference, 0..3 */
  uint64_t audit_count;                           /* entries in the audit log */
  uint8_t audit_head[KEYMGMT_HASH];                /* hash of the latest entry */
  keymgmt_filekey seal;
} keymgmt_keystore;

/* Fresh master keys from rng (DES parity set on the 3DES keys, K1 != K2); generation 1,
 * reference 0, empty audit record. Daemons and efc-keymgmt pass dsrc_crypto_csprng(); a
 * simulation may pass a seeded dsrc_prng for reproducible runs. */
void keymgmt_keystore_generate(keymgmt_keystore *ks, const dsrc_rng *rng);
int keymgmt_keystore_load(keymgmt_keystore *ks, const char *path, const char *pass, char *err,
                      size_t errlen);
/* create: refuse if path exists (init); otherwise replace it atomically. When ks->seal is
 * valid (after a load or save) its key and salt are reused and pass is ignored; clear
 * ks->seal.valid to re-key under a new passphrase. */
int keymgmt_keystore_save(keymgmt_keystore *ks, const char *path, const char *pass, bool create, char *err,
                      size_t errlen);
void keymgmt_keystore_wipe(keymgmt_keystore *ks);

/* ---- OBE profile ---- */

typedef struct {
  /* Identity, set by the caller before keymgmt_obe_profile_personalise. */
  uint8_t obuid[DSRC_OBUID_LEN];
  uint8_t pan[DSRC_PAN_LEN];
  uint8_t context_mark[6];              /* provider(3) || typeOfContract(2) || contextVersion(1) */
  unsigned profiles;                    /* efc_profile_bit() set */
  uint8_t ac_cr_ref[DSRC_AC_CR_REF_LEN]; /* MasterKeyReference (0..3) || Diversifier */
  /* Optional vehicle and contract data. */
  bool has_expiry;
  uint16_t expiry_year; /* 1990..2117 (DateCompact) */
  uint8_t expiry_month, expiry_day;
  bool has_lpn;
  uint16_t lpn_country; /* ITA.2 10 bits */
  uint8_t lpn_len;
  char lpn[KEYMGMT_LPN_MAX];
  bool has_vehicle_class;
  uint8_t vehicle_class; /* unEceVehicleClass 0..7 */
  /* Keys, derived for the profiles in use only; the others stay zero. */
  uint8_t obukey_n[KEYMGMT_GENERATIONS][DSRC_AUTOPASS_KEY]; /* autopass */
  uint8_t obukey_f[KEYMGMT_GENERATIONS][DSRC_AUTOPASS_KEY];
  uint8_t auk[DSRC_AUK_COUNT][DSRC_DES_KEY];     /* en15509-l0, -l1 */
  uint8_t access_key[DSRC_DES_KEY];             /* en15509-l1 */
  uint8_t aes_auk[DSRC_AUK_COUNT][DSRC_AES_KEY]; /* aes */
  uint8_t aes_access_key[DSRC_AES_KEY];
  /* Counters at personalisation. */
  uint16_t autopass_tc;
  uint16_t en15509_tc; /* 12 bits */
} keymgmt_obe_profile;

/* The provider octets of the context mark. */
static inline const uint8_t *keymgmt_obe_profile_provider(const keymgmt_obe_profile *p) {
  return p->context_mark;
}

/* Derives every key p's profiles need from the master keys, in memory (no KDF, no I/O: the
 * simulator personalises thousands of OBEs this way); zeroes the other keys and the
 * counters. p's identity fields must be set; KEYMGMT_ERR_ARG when they are invalid. */
int keymgmt_obe_profile_personalise(dsrc_crypto *c, keymgmt_obe_profile *p, const keymgmt_keystore *ks);
/* The same with only some of the keys, for an OBE that will meet one known RSE (the
 * simulator derives them as each vehicle enters a zone): AutoPASS generation g when bit
 * g - 1 of generations is set, AuK_i and AES-AuK_i when bit i - 1 of keyrefs is; the access
 * keys as always. A bit past KEYMGMT_GENERATIONS or DSRC_AUK_COUNT is KEYMGMT_ERR_ARG. */
int keymgmt_obe_profile_personalise_partial(dsrc_crypto *c, keymgmt_obe_profile *p, const keymgmt_keystore *ks,
                                        unsigned generations, unsigned keyrefs);
int keymgmt_obe_profile_save(const keymgmt_obe_profile *p, const char *path, const char *pass, bool replace,
                         char *err, size_t errlen);
int keymgmt_obe_profile_load(keymgmt_obe_profile *p, const char *path, const char *pass, char *err,
                         size_t errlen);
void keymgmt_obe_profile_wipe(keymgmt_obe_profile *p);

/* ---- toll charger (operator) key file ---- */

typedef struct {
  uint8_t generation; /* G: the one MKEY-F generation held */
  uint8_t mkey_f[KEYMGMT_KEY];
  uint8_t mauk_held;                       /* bit i-1: MAuK_i / AES-MAuK_i held */
  uint8_t mauk[DSRC_AUK_COUNT][KEYMGMT_KEY]; /* [i-1]; zero where not held */
  uint8_t aes_mauk[DSRC_AUK_COUNT][KEYMGMT_KEY];
  uint8_t mack_held; /* bit r: MAcK_r / AES-MAcK_r held */
  uint8_t mack[KEYMGMT_MACK_REFS][KEYMGMT_KEY];
  uint8_t aes_mack[KEYMGMT_MACK_REFS][KEYMGMT_KEY];
  uint8_t mack_ref; /* the issuer's current reference at export */
} keymgmt_operator_keys;

/* The operator subset of ks for generation g (1..5): MKEY-F_g, the MAuK whose keyRef
 * dsrc_en15509_keyref_role() calls MAC_TC, every MAcK, and the AES equivalents. */
int keymgmt_operator_keys_export(keymgmt_operator_keys *out, const keymgmt_keystore *ks, int generation);
int keymgmt_operator_keys_save(const keymgmt_operator_keys *ok, const char *path, const char *pass,
                           bool replace, char *err, size_t errlen);
int keymgmt_operator_keys_load(keymgmt_operator_keys *ok, const char *path, const char *pass, char *err,
                           size_t errlen);
void keymgmt_operator_keys_wipe(keymgmt_operator_keys *ok);

/* ---- audit log: PATH.audit beside the keystore, JSON lines in a SHA-256 chain ---- */

/* One pending entry: built before the keystore is saved (which records its hash), appended
 * after. details: n key/value string pairs (kv[2i], kv[2i+1]). */
typedef struct {
  uint64_t seq;
  uint8_t hash[KEYMGMT_HASH];
  char *line; /* the JSON line, no newline; freed by keymgmt_audit_entry_free */
} keymgmt_audit_entry;

/* Builds the next entry after ks's record and advances ks->audit_count / audit_head. */
int keymgmt_audit_entry_make(keymgmt_audit_entry *e, keymgmt_keystore *ks, const char *action,
                         const char *const *kv, size_t n);
/* Appends the line to audit_path (created 0600) and fsyncs it. */
int keymgmt_audit_entry_append(const keymgmt_audit_entry *e, const char *audit_path, char *err,
                           size_t errlen);
void keymgmt_audit_entry_free(keymgmt_audit_entry *e);
/* Checks every entry's hash, sequence and chain, and the last one against ks's record.
 * KEYMGMT_ERR_AUDIT with "PATH: entry N: what" naming the first bad entry. */
int keymgmt_audit_verify(const char *audit_path, const keymgmt_keystore *ks, char *err, size_t errlen);
/* PATH.audit for a keystore path; returns 0 or KEYMGMT_ERR_ARG when it does not fit. */
int keymgmt_audit_path(char *out, size_t cap, const char *keystore_path);

/* ---- identifiers ---- */

/* ISO 3166-1 alpha-2 letters -> 10-bit CountryCode in ITA.2 (two 5-bit letters). */
int keymgmt_country_code(const char *alpha2, uint16_t *out);
/* "CC:ID" (e.g. "NO:1") -> UPER of Provider: country(10) || issuer(14) = 3 octets. */
int keymgmt_provider_parse(const char *text, uint8_t out[DSRC_PROVIDER_LEN]);
/* A PAN of BCD digits padded with F nibbles (at least one digit). */
bool keymgmt_pan_valid(const uint8_t pan[DSRC_PAN_LEN]);
/* A DateCompact-representable calendar date: 1990..2117, real month and day. */
bool keymgmt_date_valid(unsigned year, unsigned month, unsigned day);
/* SHA-256 of key, first 4 octets as 8 uppercase hex digits: a fingerprint, never the key. */
void keymgmt_key_fingerprint(char out[9], const uint8_t *key, size_t len);

/* ---- file-level helpers shared with the tool ---- */

/* Writes data to path atomically: temp file in the same directory (mode 0600), fsync,
 * rename (or, with no_replace, link: fails if path exists), fsync the directory. Test hook:
 * env EFC_TEST_CRASH_BEFORE_RENAME=1 makes it _exit(99) after the fsync, before the rename. */
int keymgmt_write_atomic(const char *path, const uint8_t *data, size_t len, bool no_replace,
                        char *err, size_t errlen);

#endif
