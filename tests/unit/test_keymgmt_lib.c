/* keymgmt without the tool: identifiers, in-memory personalisation, the operator subset,
 * sealed-file round trips and the audit chain at the library level. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include "dsrc/rng.h"
#include "keymgmt/keymgmt.h"
/* The sealing internals, to store plaintexts the library itself would never write. */
#include "../../keymgmt/src/km_internal.h"

typedef struct {
  dsrc_crypto *c;
  keymgmt_keystore ks;
  char dir[64];
} fixture;

static int setup(void **state) {
  fixture *f = calloc(1, sizeof(*f));
  dsrc_prng prng;
  dsrc_rng rng;
  char err[256];
  if (!f || dsrc_crypto_new(&f->c, err, sizeof(err)) != 0) return -1;
  dsrc_prng_seed(&prng, 42);
  rng = dsrc_prng_rng(&prng);
  keymgmt_keystore_generate(&f->ks, &rng);
  snprintf(f->dir, sizeof(f->dir), "/tmp/efc-km-lib-XXXXXX");
  if (!mkdtemp(f->dir)) return -1;
  *state = f;
  return 0;
}

static int teardown(void **state) {
  fixture *f = *state;
  char cmd[128];
  dsrc_crypto_free(f->c);
  keymgmt_keystore_wipe(&f->ks);
  snprintf(cmd, sizeof(cmd), "rm -rf %s", f->dir);
  if (system(cmd) != 0) return -1;
  free(f);
  return 0;
}

static void hex_to(uint8_t *out, size_t n, const char *hex) {
  for (size_t i = 0; i < n; i++) {
    unsigned v;
    sscanf(hex + 2 * i, "%2x", &v);
    out[i] = (uint8_t)v;
  }
}

static bool odd_parity(const uint8_t *k, size_t n) {
  for (size_t i = 0; i < n; i++) {
    unsigned ones = 0;
    for (int b = 0; b < 8; b++) ones += (k[i] >> b) & 1;
    if (!(ones & 1)) return false;
  }
  return true;
}

static void fill_identity(keymgmt_obe_profile *p, unsigned profiles) {
  memset(p, 0, sizeof(*p));
  hex_to(p->obuid, 4, "00A1B2C3");
  hex_to(p->pan, 10, "2800000012345678907F");
  hex_to(p->context_mark, 6, "30C001000102");
  p->profiles = profiles;
  p->ac_cr_ref[0] = 0x00;
  p->ac_cr_ref[1] = 0xff;
}

/* ---- identifiers ---- */

static void test_country_and_provider(void **state) {
  uint16_t cc;
  uint8_t prov[3], want[3];
  (void)state;
  assert_int_equal(keymgmt_country_code("NO", &cc), 0);
  assert_int_equal(cc, 0x0c3); /* 00110 00011 */
  assert_int_equal(keymgmt_country_code("fr", &cc), 0);
  assert_int_equal(cc, 0x2ca); /* 10110 01010 */
  assert_int_equal(keymgmt_provider_parse("NO:1", prov), 0);
  hex_to(want, 3, "30C001");
  assert_memory_equal(prov, want, 3);
  assert_int_equal(keymgmt_provider_parse("FR:16383", prov), 0);
  assert_int_equal(prov[0], 0xb2);
  assert_int_equal(prov[1], 0xbf);
  assert_int_equal(prov[2], 0xff);
  static const char *const bad[] = {"N:1",   "NO1",   "NO:16384", "NO:", "1O:1",
                                    "NO:-1", "NOR:1", "NO:1x",    "",    ":1"};
  for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
    assert_int_equal(keymgmt_provider_parse(bad[i], prov), KEYMGMT_ERR_ARG);
  assert_int_equal(keymgmt_country_code("N1", &cc), KEYMGMT_ERR_ARG);
}

/* The profile table is efc's (test_efc). */
static void test_checks(void **state) {
  uint8_t pan[10];
  (void)state;
  hex_to(pan, 10, "2800000012345678907F");
  assert_true(keymgmt_pan_valid(pan));
  hex_to(pan, 10, "28000000123456789F7F");
  assert_false(keymgmt_pan_valid(pan));
  hex_to(pan, 10, "2800000012345678907A");
  assert_false(keymgmt_pan_valid(pan));
  assert_true(keymgmt_date_valid(2030, 6, 30));
  assert_true(keymgmt_date_valid(2028, 2, 29));
  assert_false(keymgmt_date_valid(2100, 2, 29));
  assert_false(keymgmt_date_valid(2030, 4, 31));
  assert_false(keymgmt_date_valid(2118, 1, 1));
  {
    char fp[9];
    uint8_t k[16] = {0};
    keymgmt_key_fingerprint(fp, k, 16);
    assert_int_equal(strlen(fp), 8);
    assert_string_equal(fp, "374708FF"); /* SHA-256 of 16 zero octets starts 374708FF */
  }
  assert_non_null(strstr(keymgmt_strerror(KEYMGMT_ERR_AUTH), "wrong passphrase"));
  assert_string_equal(keymgmt_strerror(DSRC_CRYPTO_ERR_NOBUF), "output buffer too small");
}

/* ---- keystore generation ---- */

static void test_generate(void **state) {
  fixture *f = *state;
  keymgmt_keystore again;
  dsrc_prng prng;
  dsrc_rng rng;
  for (int g = 0; g < KEYMGMT_GENERATIONS; g++) {
    assert_true(odd_parity(f->ks.mkey_n[g], 16));
    assert_true(odd_parity(f->ks.mkey_f[g], 16));
    assert_memory_not_equal(f->ks.mkey_n[g], f->ks.mkey_n[g] + 8, 8);
  }
  for (int i = 0; i < DSRC_AUK_COUNT; i++) assert_true(odd_parity(f->ks.mauk[i], 16));
  for (int r = 0; r < KEYMGMT_MACK_REFS; r++) assert_true(odd_parity(f->ks.mack[r], 16));
  assert_int_equal(f->ks.autopass_generation, 1);
  assert_int_equal(f->ks.mack_ref, 0);
  assert_int_equal(f->ks.audit_count, 0);
  /* Same seed, same keys: simulations are reproducible. */
  dsrc_prng_seed(&prng, 42);
  rng = dsrc_prng_rng(&prng);
  keymgmt_keystore_generate(&again, &rng);
  assert_memory_equal(again.mkey_n, f->ks.mkey_n, sizeof(again.mkey_n));
  assert_memory_equal(again.aes_mack, f->ks.aes_mack, sizeof(again.aes_mack));
  keymgmt_keystore_wipe(&again);
}

/* ---- in-memory personalisation ---- */

static void test_personalise_memory(void **state) {
  fixture *f = *state;
  keymgmt_obe_profile p;
  uint8_t k[16], zero[16] = {0};
  fill_identity(&p, EFC_PROFILES_ALL);
  p.autopass_tc = 77;
  assert_int_equal(keymgmt_obe_profile_personalise(f->c, &p, &f->ks), 0);
  assert_int_equal(p.autopass_tc, 0);
  for (int g = 0; g < KEYMGMT_GENERATIONS; g++) {
    assert_int_equal(dsrc_autopass_obukey(f->c, k, f->ks.mkey_n[g], p.obuid), 0);
    assert_memory_equal(p.obukey_n[g], k, 16);
    assert_int_equal(dsrc_autopass_obukey(f->c, k, f->ks.mkey_f[g], p.obuid), 0);
    assert_memory_equal(p.obukey_f[g], k, 16);
  }
  for (int i = 0; i < DSRC_AUK_COUNT; i++) {
    assert_int_equal(dsrc_en15509_auth_key(f->c, k, f->ks.mauk[i], p.pan, p.context_mark), 0);
    assert_memory_equal(p.auk[i], k, 8);
    assert_int_equal(dsrc_aesref_auth_key(f->c, k, f->ks.aes_mauk[i], p.pan, p.context_mark), 0);
    assert_memory_equal(p.aes_auk[i], k, 16);
  }
  assert_int_equal(dsrc_en15509_access_key(f->c, k, f->ks.mack[0], p.ac_cr_ref), 0);
  assert_memory_equal(p.access_key, k, 8);
  assert_int_equal(dsrc_aesref_access_key(f->c, k, f->ks.aes_mack[0], p.ac_cr_ref), 0);
  assert_memory_equal(p.aes_access_key, k, 16);

  /* Only what the profiles need. */
  fill_identity(&p, efc_profile_bit(EFC_PROFILE_EN15509_L0));
  assert_int_equal(keymgmt_obe_profile_personalise(f->c, &p, &f->ks), 0);
  assert_memory_not_equal(p.auk[0], zero, 8);
  assert_memory_equal(p.access_key, zero, 8);
  assert_memory_equal(p.obukey_n[0], zero, 16);
  assert_memory_equal(p.aes_access_key, zero, 16);

  /* Invalid identities. */
  fill_identity(&p, efc_profile_bit(EFC_PROFILE_EN15509_L1));
  p.ac_cr_ref[0] = 4;
  assert_int_equal(keymgmt_obe_profile_personalise(f->c, &p, &f->ks), KEYMGMT_ERR_ARG);
  fill_identity(&p, 0);
  assert_int_equal(keymgmt_obe_profile_personalise(f->c, &p, &f->ks), KEYMGMT_ERR_ARG);
  fill_identity(&p, 16);
  assert_int_equal(keymgmt_obe_profile_personalise(f->c, &p, &f->ks), KEYMGMT_ERR_ARG);
  fill_identity(&p, efc_profile_bit(EFC_PROFILE_AUTOPASS));
  p.pan[0] = 0xf2;
  assert_int_equal(keymgmt_obe_profile_personalise(f->c, &p, &f->ks), KEYMGMT_ERR_ARG);
  keymgmt_obe_profile_wipe(&p);
}

/* Some of the keys: exactly those of the full personalisation that the masks name, the
 * others zero; a bit past the generations or keyRefs is refused. */
static void test_personalise_partial(void **state) {
  fixture *f = *state;
  keymgmt_obe_profile full, p;
  uint8_t zero[16] = {0};
  fill_identity(&full, EFC_PROFILES_ALL);
  assert_int_equal(keymgmt_obe_profile_personalise(f->c, &full, &f->ks), 0);
  fill_identity(&p, EFC_PROFILES_ALL);
  p.en15509_tc = 9;
  /* generation 3, keyRefs 1 and 5 */
  assert_int_equal(keymgmt_obe_profile_personalise_partial(f->c, &p, &f->ks, 1u << 2, 0x11), 0);
  assert_int_equal(p.en15509_tc, 0);
  for (int g = 0; g < KEYMGMT_GENERATIONS; g++) {
    assert_memory_equal(p.obukey_n[g], g == 2 ? full.obukey_n[g] : zero, 16);
    assert_memory_equal(p.obukey_f[g], g == 2 ? full.obukey_f[g] : zero, 16);
  }
  for (int i = 0; i < DSRC_AUK_COUNT; i++) {
    assert_memory_equal(p.auk[i], i == 0 || i == 4 ? full.auk[i] : zero, 8);
    assert_memory_equal(p.aes_auk[i], i == 0 || i == 4 ? full.aes_auk[i] : zero, 16);
  }
  assert_memory_equal(p.access_key, full.access_key, 8);
  assert_memory_equal(p.aes_access_key, full.aes_access_key, 16);
  assert_int_equal(keymgmt_obe_profile_personalise_partial(f->c, &p, &f->ks, 1u << KEYMGMT_GENERATIONS, 1),
                   KEYMGMT_ERR_ARG);
  assert_int_equal(keymgmt_obe_profile_personalise_partial(f->c, &p, &f->ks, 1, 1u << DSRC_AUK_COUNT),
                   KEYMGMT_ERR_ARG);
  keymgmt_obe_profile_wipe(&full);
  keymgmt_obe_profile_wipe(&p);
}

/* The simulator's path: thousands of OBEs, no KDF, no files. */
static void test_personalise_many(void **state) {
  fixture *f = *state;
  keymgmt_obe_profile p;
  struct timespec a, b;
  double ms;
  enum { N = 2000 };
  clock_gettime(CLOCK_MONOTONIC, &a);
  for (uint32_t i = 0; i < N; i++) {
    fill_identity(&p, efc_profile_bit(EFC_PROFILE_AUTOPASS) | efc_profile_bit(EFC_PROFILE_EN15509_L1));
    p.obuid[0] = (uint8_t)(i >> 24);
    p.obuid[1] = (uint8_t)(i >> 16);
    p.obuid[2] = (uint8_t)(i >> 8);
    p.obuid[3] = (uint8_t)i;
    assert_int_equal(keymgmt_obe_profile_personalise(f->c, &p, &f->ks), 0);
  }
  clock_gettime(CLOCK_MONOTONIC, &b);
  ms = (double)(b.tv_sec - a.tv_sec) * 1e3 + (double)(b.tv_nsec - a.tv_nsec) / 1e6;
  printf("personalised %d OBEs in memory in %.1f ms (%.1f us each)\n", N, ms, ms * 1e3 / N);
  assert_true(ms < 20000); /* generous: sanitizer builds on a loaded machine */
  keymgmt_obe_profile_wipe(&p);
}

/* ---- operator subset ---- */

static void test_operator_export(void **state) {
  fixture *f = *state;
  keymgmt_operator_keys ok;
  uint8_t zero[16] = {0};
  assert_int_equal(keymgmt_operator_keys_export(&ok, &f->ks, 0), KEYMGMT_ERR_ARG);
  assert_int_equal(keymgmt_operator_keys_export(&ok, &f->ks, 6), KEYMGMT_ERR_ARG);
  assert_int_equal(keymgmt_operator_keys_export(&ok, &f->ks, 3), 0);
  assert_int_equal(ok.generation, 3);
  assert_memory_equal(ok.mkey_f, f->ks.mkey_f[2], 16);
  for (int ref = 1; ref <= DSRC_AUK_COUNT; ref++) {
    bool tc = dsrc_en15509_keyref_role(ref) == DSRC_MAC_ROLE_TC;
    assert_int_equal(!!(ok.mauk_held & (1u << (ref - 1))), tc);
    assert_memory_equal(ok.mauk[ref - 1], tc ? f->ks.mauk[ref - 1] : zero, 16);
    assert_memory_equal(ok.aes_mauk[ref - 1], tc ? f->ks.aes_mauk[ref - 1] : zero, 16);
  }
  assert_int_equal(ok.mauk_held, 0x0f);
  assert_int_equal(ok.mack_held, 0x0f);
  assert_memory_equal(ok.mack, f->ks.mack, sizeof(ok.mack));
  keymgmt_operator_keys_wipe(&ok);
}

/* ---- sealed files through the library (real scrypt parameters) ---- */

static void test_obe_file_roundtrip(void **state) {
  fixture *f = *state;
  keymgmt_obe_profile p, q;
  keymgmt_operator_keys ok;
  char path[128], err[512];
  struct stat st;
  fill_identity(&p, EFC_PROFILES_ALL);
  p.has_expiry = true;
  p.expiry_year = 2030;
  p.expiry_month = 6;
  p.expiry_day = 30;
  p.has_lpn = true;
  assert_int_equal(keymgmt_country_code("NO", &p.lpn_country), 0);
  memcpy(p.lpn, "AB12345", 7);
  p.lpn_len = 7;
  p.has_vehicle_class = true;
  p.vehicle_class = 2;
  assert_int_equal(keymgmt_obe_profile_personalise(f->c, &p, &f->ks), 0);
  p.autopass_tc = 513;
  p.en15509_tc = 4095;
  snprintf(path, sizeof(path), "%s/obe.eop", f->dir);
  assert_int_equal(keymgmt_obe_profile_save(&p, path, "obe pass", false, err, sizeof(err)), 0);
  assert_int_equal(stat(path, &st), 0);
  assert_int_equal(st.st_mode & 0777, 0600);
  assert_int_equal(keymgmt_obe_profile_save(&p, path, "obe pass", false, err, sizeof(err)),
                   KEYMGMT_ERR_EXISTS);
  assert_non_null(strstr(err, "obe.eop: exists"));
  assert_int_equal(keymgmt_obe_profile_load(&q, path, "obe pass", err, sizeof(err)), 0);
  assert_memory_equal(&q, &p, sizeof(p));
  /* Another kind's loader refuses before any KDF work. */
  assert_int_equal(keymgmt_operator_keys_load(&ok, path, "obe pass", err, sizeof(err)),
                   KEYMGMT_ERR_KIND);
  assert_non_null(strstr(err, "this is an OBE profile, not an operator key file"));
  assert_int_equal(keymgmt_obe_profile_load(&q, path, "", err, sizeof(err)), KEYMGMT_ERR_PASS);
  keymgmt_obe_profile_wipe(&p);
  keymgmt_obe_profile_wipe(&q);
}

static void test_operator_file_roundtrip(void **state) {
  fixture *f = *state;
  keymgmt_operator_keys ok, back;
  char path[128], err[512];
  assert_int_equal(keymgmt_operator_keys_export(&ok, &f->ks, 2), 0);
  snprintf(path, sizeof(path), "%s/op.eok", f->dir);
  assert_int_equal(keymgmt_operator_keys_save(&ok, path, "op pass", false, err, sizeof(err)), 0);
  assert_int_equal(keymgmt_operator_keys_load(&back, path, "wrong", err, sizeof(err)), KEYMGMT_ERR_AUTH);
  assert_non_null(
      strstr(err, "op.eok: wrong passphrase or corrupted file (authentication failed)"));
  assert_int_equal(keymgmt_operator_keys_save(&ok, path, "op pass", true, err, sizeof(err)), 0);
  assert_int_equal(keymgmt_operator_keys_load(&back, path, "op pass", err, sizeof(err)), 0);
  assert_memory_equal(&back, &ok, sizeof(ok));
  keymgmt_operator_keys_wipe(&ok);
  keymgmt_operator_keys_wipe(&back);
}

static void test_keystore_file_roundtrip(void **state) {
  fixture *f = *state;
  keymgmt_keystore a, b;
  char path[128], err[512];
  memcpy(&a, &f->ks, sizeof(a));
  a.seal.valid = false;
  a.autopass_generation = 4;
  a.mack_ref = 3;
  a.audit_count = 0x0102030405060708ull;
  memset(a.audit_head, 0xab, sizeof(a.audit_head));
  snprintf(path, sizeof(path), "%s/keys.eks", f->dir);
  assert_int_equal(keymgmt_keystore_save(&a, path, "ks pass", true, err, sizeof(err)), 0);
  assert_true(a.seal.valid);
  assert_int_equal(keymgmt_keystore_save(&a, path, "ks pass", true, err, sizeof(err)),
                   KEYMGMT_ERR_EXISTS);
  /* A second save reuses the derived key (no passphrase needed), with a new nonce. */
  a.mack_ref = 2;
  assert_int_equal(keymgmt_keystore_save(&a, path, NULL, false, err, sizeof(err)), 0);
  assert_int_equal(keymgmt_keystore_load(&b, path, "ks pass", err, sizeof(err)), 0);
  assert_int_equal(b.mack_ref, 2);
  assert_int_equal(b.autopass_generation, 4);
  assert_true(b.audit_count == a.audit_count);
  assert_memory_equal(b.audit_head, a.audit_head, 32);
  assert_memory_equal(b.mkey_n, a.mkey_n, sizeof(a.mkey_n));
  assert_memory_equal(b.aes_mauk, a.aes_mauk, sizeof(a.aes_mauk));
  assert_memory_equal(b.seal.key, a.seal.key, 32);
  keymgmt_keystore_wipe(&a);
  keymgmt_keystore_wipe(&b);
}

/* ---- atomic writes ---- */

static void test_write_atomic(void **state) {
  fixture *f = *state;
  char path[128], err[512];
  uint8_t d[3] = {1, 2, 3}, back[8];
  FILE *fp;
  snprintf(path, sizeof(path), "%s/atomic.bin", f->dir);
  assert_int_equal(keymgmt_write_atomic(path, d, 3, true, err, sizeof(err)), 0);
  assert_int_equal(keymgmt_write_atomic(path, d, 2, true, err, sizeof(err)), KEYMGMT_ERR_EXISTS);
  assert_int_equal(keymgmt_write_atomic(path, d, 2, false, err, sizeof(err)), 0);
  fp = fopen(path, "rb");
  assert_non_null(fp);
  assert_int_equal(fread(back, 1, sizeof(back), fp), 2);
  fclose(fp);
  snprintf(path, sizeof(path), "%s/no-such-dir/x", f->dir);
  assert_int_equal(keymgmt_write_atomic(path, d, 3, false, err, sizeof(err)), KEYMGMT_ERR_IO);
  assert_non_null(strstr(err, "no-such-dir/x: cannot create a temporary file"));
}

/* ---- audit chain, library level (no passphrase involved) ---- */

static void write_lines(const char *path, char **lines, const int *order, int n) {
  FILE *fp = fopen(path, "w");
  assert_non_null(fp);
  for (int i = 0; i < n; i++) fprintf(fp, "%s\n", lines[order[i]]);
  fclose(fp);
}

static void test_audit_chain(void **state) {
  fixture *f = *state;
  keymgmt_keystore ks;
  keymgmt_audit_entry e;
  char path[128], err[512], *lines[4];
  static const char *const kv[] = {"obuid", "00A1B2C3"};
  memset(&ks, 0, sizeof(ks));
  snprintf(path, sizeof(path), "%s/chain.audit", f->dir);
  assert_int_equal(keymgmt_audit_verify(path, &ks, err, sizeof(err)), 0); /* empty, no file */
  for (int i = 0; i < 4; i++) {
    assert_int_equal(keymgmt_audit_entry_make(&e, &ks, i ? "personalise" : "init", kv, i ? 1 : 0), 0);
    assert_int_equal(e.seq, (uint64_t)i + 1);
    assert_int_equal(keymgmt_audit_entry_append(&e, path, err, sizeof(err)), 0);
    lines[i] = strdup(e.line);
    keymgmt_audit_entry_free(&e);
  }
  assert_int_equal(keymgmt_audit_verify(path, &ks, err, sizeof(err)), 0);

  {
    static const int removed[] = {0, 2, 3}, swapped[] = {0, 2, 1, 3}, truncated[] = {0, 1, 2};
    static const int all[] = {0, 1, 2, 3};
    write_lines(path, lines, removed, 3);
    assert_int_equal(keymgmt_audit_verify(path, &ks, err, sizeof(err)), KEYMGMT_ERR_AUDIT);
    assert_non_null(strstr(err, "chain.audit: entry 2: sequence number 3"));
    write_lines(path, lines, swapped, 4);
    assert_int_equal(keymgmt_audit_verify(path, &ks, err, sizeof(err)), KEYMGMT_ERR_AUDIT);
    assert_non_null(strstr(err, "entry 2: sequence number 3"));
    write_lines(path, lines, truncated, 3);
    assert_int_equal(keymgmt_audit_verify(path, &ks, err, sizeof(err)), KEYMGMT_ERR_AUDIT);
    assert_non_null(strstr(err, "entry 4: missing"));
    /* Edited detail. */
    {
      char *p = strstr(lines[2], "00A1B2C3");
      assert_non_null(p);
      p[7] = '4';
      write_lines(path, lines, all, 4);
      assert_int_equal(keymgmt_audit_verify(path, &ks, err, sizeof(err)), KEYMGMT_ERR_AUDIT);
      assert_non_null(strstr(err, "entry 3: hash mismatch (edited?)"));
      p[7] = '3';
    }
    /* Garbage line. */
    {
      char *keep = lines[1];
      lines[1] = (char *)"{\"seq\":2}";
      write_lines(path, lines, all, 4);
      assert_int_equal(keymgmt_audit_verify(path, &ks, err, sizeof(err)), KEYMGMT_ERR_AUDIT);
      assert_non_null(strstr(err, "entry 2: malformed"));
      lines[1] = keep;
    }
    /* The keystore recording fewer entries than the log holds. */
    write_lines(path, lines, all, 4);
    ks.audit_count = 3;
    assert_int_equal(keymgmt_audit_verify(path, &ks, err, sizeof(err)), KEYMGMT_ERR_AUDIT);
    assert_non_null(strstr(err, "entry 4: not recorded in the keystore"));
    ks.audit_count = 4;
    ks.audit_head[0] ^= 1;
    assert_int_equal(keymgmt_audit_verify(path, &ks, err, sizeof(err)), KEYMGMT_ERR_AUDIT);
    assert_non_null(strstr(err, "entry 4: hash differs from the keystore's record"));
    ks.audit_head[0] ^= 1;
    assert_int_equal(keymgmt_audit_verify(path, &ks, err, sizeof(err)), 0);
  }
  for (int i = 0; i < 4; i++) free(lines[i]);
}

/* Authentic but malformed plaintexts are refused with KEYMGMT_ERR_CONTENT, not trusted. */
static void test_malformed_plaintexts(void **state) {
  fixture *f = *state;
  static const struct {
    enum km_kind kind;
    uint8_t pt[24];
    size_t len;
  } cases[] = {
      {KM_KIND_KEYSTORE, {0x10, 0x02, 0x01, 0x00}, 4},             /* state only: keys missing */
      {KM_KIND_KEYSTORE, {0x01, 0x05, 0x01, 0x02}, 4},             /* item overruns */
      {KM_KIND_KEYSTORE, {0x7f, 0x00}, 2},                         /* unknown tag */
      {KM_KIND_OBE, {0x27, 0x04, 0, 0, 0, 0}, 6},                  /* counters, no identity */
      {KM_KIND_OBE, {0x27, 0x04, 0, 0, 0x10, 0}, 6},               /* 12-bit counter overflows */
      {KM_KIND_OPERATOR, {0x45, 0x01, 0x00}, 3},                   /* no MKEY-F */
      {KM_KIND_OPERATOR, {0x45, 0x01, 0x00, 0x45, 0x01, 0x00}, 6}, /* repeated item */
      {KM_KIND_OPERATOR, {0}, 0},                                  /* empty */
  };
  keymgmt_filekey fk;
  char path[128], err[512];
  memset(&fk, 0, sizeof(fk));
  snprintf(path, sizeof(path), "%s/malformed", f->dir);
  for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
    keymgmt_keystore ks;
    keymgmt_obe_profile p;
    keymgmt_operator_keys ok;
    int rv;
    /* fk keeps the first derived key: one scrypt run for all the saves. */
    assert_int_equal(km_seal_save(path, cases[i].kind, "pw", &fk, cases[i].pt, cases[i].len, false,
                                  err, sizeof(err)),
                     0);
    if (cases[i].kind == KM_KIND_KEYSTORE)
      rv = keymgmt_keystore_load(&ks, path, "pw", err, sizeof(err));
    else if (cases[i].kind == KM_KIND_OBE)
      rv = keymgmt_obe_profile_load(&p, path, "pw", err, sizeof(err));
    else
      rv = keymgmt_operator_keys_load(&ok, path, "pw", err, sizeof(err));
    assert_int_equal(rv, KEYMGMT_ERR_CONTENT);
    assert_non_null(strstr(err, "authentic but"));
  }
  /* An OBE profile holding a key its profiles do not use (an AccessKey at Level 0). */
  {
    uint8_t pt[512], id[23] = {0x00, 0xa1, 0xb2, 0xc3, 0x28, 0,    0,
                               0,    0x12, 0x34, 0x56, 0x78, 0x90, 0x7f,
                               0x30, 0xc0, 0x01, 0x00, 0x01, 0x02, efc_profile_bit(EFC_PROFILE_EN15509_L0)};
    uint8_t key[8] = {1, 2, 3, 4, 5, 6, 7, 8}, counters[4] = {0};
    km_tlv_writer w = {pt, sizeof(pt), 0, false};
    keymgmt_obe_profile p;
    km_tlv_put(&w, 0x20, id, sizeof(id), NULL, 0);
    for (uint8_t i = 1; i <= DSRC_AUK_COUNT; i++) km_tlv_put(&w, 0x23, &i, 1, key, 8);
    km_tlv_put(&w, 0x27, counters, 4, NULL, 0);
    assert_int_equal(km_seal_save(path, KM_KIND_OBE, "pw", &fk, pt, w.len, false, err, sizeof(err)),
                     0);
    assert_int_equal(keymgmt_obe_profile_load(&p, path, "pw", err, sizeof(err)), 0);
    assert_int_equal(p.profiles, efc_profile_bit(EFC_PROFILE_EN15509_L0));
    km_tlv_put(&w, 0x24, key, 8, NULL, 0);
    assert_false(w.overflow);
    assert_int_equal(km_seal_save(path, KM_KIND_OBE, "pw", &fk, pt, w.len, false, err, sizeof(err)),
                     0);
    assert_int_equal(keymgmt_obe_profile_load(&p, path, "pw", err, sizeof(err)), KEYMGMT_ERR_CONTENT);
    dsrc_crypto_wipe(pt, sizeof(pt));
  }
  dsrc_crypto_wipe(&fk, sizeof(fk));
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_country_and_provider),
      cmocka_unit_test(test_checks),
      cmocka_unit_test(test_generate),
      cmocka_unit_test(test_personalise_memory),
      cmocka_unit_test(test_personalise_partial),
      cmocka_unit_test(test_personalise_many),
      cmocka_unit_test(test_operator_export),
      cmocka_unit_test(test_obe_file_roundtrip),
      cmocka_unit_test(test_operator_file_roundtrip),
      cmocka_unit_test(test_keystore_file_roundtrip),
      cmocka_unit_test(test_write_atomic),
      cmocka_unit_test(test_audit_chain),
      cmocka_unit_test(test_malformed_plaintexts),
  };
  return cmocka_run_group_tests(tests, setup, teardown);
}
