/* The audit log: one JSON object per line, each holding the SHA-256 of the line before it.
 * The keystore records the count and the latest hash, so removing or rewriting entries at
 * the end shows too. */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <jansson.h>
#include <openssl/evp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "dsrc/hex.h"
#include "file/out.h"
#include "km_internal.h"

int keymgmt_audit_path(char *out, size_t cap, const char *keystore_path) {
  int n;
  if (!out || !keystore_path) return KEYMGMT_ERR_ARG;
  n = snprintf(out, cap, "%s.audit", keystore_path);
  return n < 0 || (size_t)n >= cap ? KEYMGMT_ERR_ARG : 0;
}

/* The hash covers the entry's canonical JSON (sorted keys, compact) without its hash. */
static int entry_hash(json_t *obj, uint8_t out[KEYMGMT_HASH]) {
  char *canon = json_dumps(obj, JSON_COMPACT | JSON_SORT_KEYS);
  unsigned n = 0;
  int ok;
  if (!canon) return KEYMGMT_ERR_NOMEM;
  ok = EVP_Digest(canon, strlen(canon), out, &n, EVP_sha256(), NULL) && n == KEYMGMT_HASH;
  free(canon);
  return ok ? 0 : KEYMGMT_ERR_CRYPTO;
}

int keymgmt_audit_entry_make(keymgmt_audit_entry *e, keymgmt_keystore *ks, const char *action,
                         const char *const *kv, size_t n) {
  char prev[2 * KEYMGMT_HASH + 1], hash[2 * KEYMGMT_HASH + 1], when[32];
  time_t now = time(NULL);
  struct tm tm;
  json_t *obj, *details;
  int rv = KEYMGMT_ERR_NOMEM;
  if (!e || !ks || !action || (!kv && n > 0)) return KEYMGMT_ERR_ARG;
  memset(e, 0, sizeof(*e));
  gmtime_r(&now, &tm);
  strftime(when, sizeof(when), "%Y-%m-%dT%H:%M:%SZ", &tm);
  dsrc_hex_encode(prev, ks->audit_head, KEYMGMT_HASH, 0);
  details = json_object();
  obj = json_pack("{s:I, s:s, s:s, s:o, s:s}", "seq", (json_int_t)(ks->audit_count + 1), "time",
                  when, "action", action, "details", details, "prev", prev);
  if (!obj) goto out;
  for (size_t i = 0; i < n; i++)
    if (json_object_set_new(details, kv[2 * i], json_string(kv[2 * i + 1])) != 0) goto out;
  if ((rv = entry_hash(obj, e->hash)) != 0) goto out;
  dsrc_hex_encode(hash, e->hash, KEYMGMT_HASH, 0);
  rv = KEYMGMT_ERR_NOMEM;
  if (json_object_set_new(obj, "hash", json_string(hash)) != 0) goto out;
  e->line = json_dumps(obj, JSON_COMPACT | JSON_SORT_KEYS);
  if (!e->line) goto out;
  e->seq = ks->audit_count + 1;
  ks->audit_count = e->seq;
  memcpy(ks->audit_head, e->hash, KEYMGMT_HASH);
  rv = 0;
out:
  json_decref(obj);
  return rv;
}

void keymgmt_audit_entry_free(keymgmt_audit_entry *e) {
  if (!e) return;
  free(e->line);
  e->line = NULL;
}

int keymgmt_audit_entry_append(const keymgmt_audit_entry *e, const char *audit_path, char *err,
                           size_t errlen) {
  file_journal *j;
  size_t len;
  char *buf;
  int rv;
  if (!e || !e->line || !audit_path)
    return km_fail(err, errlen, KEYMGMT_ERR_ARG, audit_path, "invalid argument");
  len = strlen(e->line);
  if (!(buf = malloc(len + 1))) return km_fail(err, errlen, KEYMGMT_ERR_NOMEM, audit_path, "out of memory");
  memcpy(buf, e->line, len);
  buf[len] = '\n';
  /* A journal (docs/files.md): a regular file only, the entry in one O_APPEND write (no
   * interleaving with a concurrent append) synced before this returns, and a line cut short
   * by an earlier crash closed first so that it stays one bad line --verify names. */
  rv = file_journal_open(&j, audit_path, FILE_OUT_PRIVATE, err, errlen);
  if (rv == 0) {
    rv = file_journal_append(j, buf, len + 1, err, errlen);
    if (rv == 0) rv = file_journal_close(j, err, errlen);
    else file_journal_close(j, NULL, 0);
  }
  free(buf);
  if (rv == 0) return 0;
  return rv == FILE_ERR_NOMEM ? KEYMGMT_ERR_NOMEM : rv == FILE_ERR_ARG ? KEYMGMT_ERR_ARG : KEYMGMT_ERR_IO;
}

/* Parses a line into its fields; false if it is not an audit entry's JSON. */
static bool entry_parse(const char *line, json_t **obj, json_int_t *seq, uint8_t prev[KEYMGMT_HASH],
                        uint8_t hash[KEYMGMT_HASH]) {
  json_error_t jerr;
  json_t *o = json_loads(line, JSON_REJECT_DUPLICATES, &jerr);
  json_t *details;
  const char *time_s, *action, *prev_s, *hash_s;
  *obj = o;
  if (!o ||
      json_unpack(o, "{s:I, s:s, s:s, s:o, s:s, s:s !}", "seq", seq, "time", &time_s, "action",
                  &action, "details", &details, "prev", &prev_s, "hash", &hash_s) != 0)
    return false;
  if (!json_is_object(details) || strlen(prev_s) != 64 || strlen(hash_s) != 64) return false;
  return dsrc_hex_decode(prev, KEYMGMT_HASH, prev_s, NULL) == KEYMGMT_HASH &&
         dsrc_hex_decode(hash, KEYMGMT_HASH, hash_s, NULL) == KEYMGMT_HASH;
}

int keymgmt_audit_verify(const char *audit_path, const keymgmt_keystore *ks, char *err, size_t errlen) {
  FILE *f;
  char *line = NULL;
  size_t cap = 0;
  ssize_t got;
  uint64_t i = 0;
  uint8_t last[KEYMGMT_HASH] = {0};
  int rv = 0;
  if (!audit_path || !ks)
    return km_fail(err, errlen, KEYMGMT_ERR_ARG, audit_path, "invalid argument");
  f = fopen(audit_path, "r");
  if (!f) {
    if (errno == ENOENT && ks->audit_count == 0) return 0;
    return km_fail(err, errlen, KEYMGMT_ERR_AUDIT, audit_path, "cannot read: %s", strerror(errno));
  }
  while (rv == 0 && (got = getline(&line, &cap, f)) >= 0) {
    json_t *obj = NULL;
    json_int_t seq = 0;
    uint8_t prev[KEYMGMT_HASH], hash[KEYMGMT_HASH], again[KEYMGMT_HASH];
    i++;
    if (got > 0 && line[got - 1] == '\n') line[got - 1] = '\0';
    if (!entry_parse(line, &obj, &seq, prev, hash)) {
      rv = km_fail(err, errlen, KEYMGMT_ERR_AUDIT, audit_path,
                   "entry %" PRIu64 ": malformed (not the JSON of an audit entry)", i);
    } else {
      json_object_del(obj, "hash");
      if (entry_hash(obj, again) != 0 || !dsrc_crypto_equal(again, hash, KEYMGMT_HASH))
        rv = km_fail(err, errlen, KEYMGMT_ERR_AUDIT, audit_path,
                     "entry %" PRIu64 ": hash mismatch (edited?)", i);
      else if (seq != (json_int_t)i)
        rv = km_fail(err, errlen, KEYMGMT_ERR_AUDIT, audit_path,
                     "entry %" PRIu64 ": sequence number %" JSON_INTEGER_FORMAT " where %" PRIu64
                     " was expected (entries removed or reordered?)",
                     i, seq, i);
      else if (!dsrc_crypto_equal(prev, last, KEYMGMT_HASH))
        rv = km_fail(err, errlen, KEYMGMT_ERR_AUDIT, audit_path,
                     "entry %" PRIu64 ": prev-hash does not match the hash of entry %" PRIu64
                     " (edited, removed or reordered?)",
                     i, i - 1);
      memcpy(last, hash, KEYMGMT_HASH);
    }
    json_decref(obj);
  }
  free(line);
  fclose(f);
  if (rv != 0) return rv;
  if (i < ks->audit_count)
    return km_fail(err, errlen, KEYMGMT_ERR_AUDIT, audit_path,
                   "entry %" PRIu64 ": missing: the keystore records %" PRIu64
                   " entries, the log holds %" PRIu64 " (truncated?)",
                   i + 1, ks->audit_count, i);
  if (i > ks->audit_count)
    return km_fail(err, errlen, KEYMGMT_ERR_AUDIT, audit_path,
                   "entry %" PRIu64 ": not recorded in the keystore, which records %" PRIu64
                   " entries (appended by hand, or the keystore restored from a backup?)",
                   ks->audit_count + 1, ks->audit_count);
  if (i > 0 && !dsrc_crypto_equal(last, ks->audit_head, KEYMGMT_HASH))
    return km_fail(err, errlen, KEYMGMT_ERR_AUDIT, audit_path,
                   "entry %" PRIu64
                   ": hash differs from the keystore's record of the latest "
                   "entry (log rewritten?)",
                   i);
  return 0;
}
