/* Known answers of dsrc_crypto: every value of tests/vectors/crypto.txt, read from the file
 * so a changed vector changes the test, plus further published vectors. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "dsrc/crypto.h"
#include "dsrc/keys.h"

/* ---- reading crypto.txt ---- */

static char vec_text[16384];

static void vec_load(void) {
  FILE *f;
  size_t n;
  if (vec_text[0]) return;
  f = fopen(EFC_TEST_VECTORS "/crypto.txt", "r");
  assert_non_null(f);
  n = fread(vec_text, 1, sizeof(vec_text) - 1, f);
  fclose(f);
  assert_true(n > 0 && n < sizeof(vec_text) - 1);
  vec_text[n] = '\0';
}

/* The line (leading blanks skipped) starting with prefix, copied into buf. Fails the test
 * when none or several do, so a reworded vector file cannot silently test nothing. */
static const char *vec_line(const char *prefix, char *buf, size_t cap) {
  const char *p = vec_text, *found = NULL;
  vec_load();
  while (*p) {
    const char *s = p, *e = strchr(p, '\n');
    if (!e) e = p + strlen(p);
    while (s < e && (*s == ' ' || *s == '\t')) s++;
    if ((size_t)(e - s) >= strlen(prefix) && strncmp(s, prefix, strlen(prefix)) == 0) {
      if (found) fail_msg("several lines start with '%s'", prefix);
      found = s;
      assert_true((size_t)(e - s) < cap);
      memcpy(buf, s, (size_t)(e - s));
      buf[e - s] = '\0';
    }
    p = *e ? e + 1 : e;
  }
  if (!found) fail_msg("no line starts with '%s' in crypto.txt", prefix);
  return buf;
}

static int hexval(char ch) {
  if (ch >= '0' && ch <= '9') return ch - '0';
  if (ch >= 'a' && ch <= 'f') return ch - 'a' + 10;
  if (ch >= 'A' && ch <= 'F') return ch - 'A' + 10;
  return -1;
}

/* Decodes the hex token following the first occurrence of marker in line; returns octets. */
static size_t vec_hex(const char *line, const char *marker, uint8_t *out, size_t cap) {
  const char *p = strstr(line, marker);
  size_t n = 0;
  if (!p) fail_msg("'%s' not found in: %s", marker, line);
  p += strlen(marker);
  while (hexval(p[0]) >= 0 && hexval(p[1]) >= 0) {
    assert_true(n < cap);
    out[n++] = (uint8_t)(hexval(p[0]) << 4 | hexval(p[1]));
    p += 2;
  }
  assert_true(n > 0);
  return n;
}

/* The quoted string of a line ("..." data). */
static size_t vec_quoted(const char *line, uint8_t *out, size_t cap) {
  const char *a = strchr(line, '"'), *b = a ? strchr(a + 1, '"') : NULL;
  size_t n;
  assert_non_null(b);
  n = (size_t)(b - a - 1);
  assert_true(n <= cap);
  memcpy(out, a + 1, n);
  return n;
}

static long vec_long(const char *line, const char *marker) {
  const char *p = strstr(line, marker);
  if (!p) fail_msg("'%s' not found in: %s", marker, line);
  return strtol(p + strlen(marker), NULL, 10);
}

/* The expected value: the hex after the line's last "-> ". */
static size_t vec_expect(const char *line, uint8_t *out, size_t cap) {
  const char *p = strstr(line, "-> "), *q;
  assert_non_null(p);
  while ((q = strstr(p + 1, "-> ")) != NULL) p = q;
  return vec_hex(p, "-> ", out, cap);
}

static void hex_to(uint8_t *out, size_t n, const char *hex) {
  for (size_t i = 0; i < n; i++)
    out[i] = (uint8_t)(hexval(hex[2 * i]) << 4 | hexval(hex[2 * i + 1]));
}

/* ---- fixture ---- */

static int setup(void **state) {
  dsrc_crypto *c;
  char err[256];
  if (dsrc_crypto_new(&c, err, sizeof(err)) != 0) {
    fprintf(stderr, "dsrc_crypto_new: %s\n", err);
    return -1;
  }
  *state = c;
  return 0;
}

static int teardown(void **state) {
  dsrc_crypto_free(*state);
  return 0;
}

/* ---- block ciphers and MACs from crypto.txt ---- */

static void test_des_ecb(void **state) {
  dsrc_crypto *c = *state;
  char l[512];
  uint8_t key[8], in[8], want[8], got[8], back[8];
  vec_line("DES-ECB", l, sizeof(l));
  assert_int_equal(vec_hex(l, "key ", key, sizeof(key)), 8);
  assert_int_equal(vec_hex(l, "plain ", in, sizeof(in)), 8);
  assert_int_equal(vec_expect(l, want, sizeof(want)), 8);
  assert_int_equal(dsrc_crypto_des_encrypt(c, got, key, in), 0);
  assert_memory_equal(got, want, 8);
  assert_int_equal(dsrc_crypto_des_decrypt(c, back, key, got), 0);
  assert_memory_equal(back, in, 8);
}

static void test_des_cbc_mac(void **state) {
  dsrc_crypto *c = *state;
  char l[512];
  uint8_t key[8], data[128], want[8], got[8];
  size_t n;
  vec_line("DES CBC-MAC", l, sizeof(l));
  assert_int_equal(vec_hex(l, "key ", key, sizeof(key)), 8);
  n = vec_quoted(l, data, sizeof(data));
  assert_int_equal(vec_expect(l, want, sizeof(want)), 8);
  assert_int_equal(dsrc_crypto_mac1(c, got, key, data, n), 0);
  assert_memory_equal(got, want, 8);
}

static void test_retail_mac(void **state) {
  dsrc_crypto *c = *state;
  char l[512];
  uint8_t key[16], data[128], want[8], got[8];
  size_t n;
  vec_line("Retail MAC", l, sizeof(l));
  assert_int_equal(vec_hex(l, "key ", key, sizeof(key)), 16);
  n = vec_quoted(l, data, sizeof(data));
  assert_int_equal(vec_expect(l, want, sizeof(want)), 8);
  assert_int_equal(dsrc_crypto_mac3(c, got, key, data, n), 0);
  assert_memory_equal(got, want, 8);
}

static void test_aes_cmac_empty(void **state) {
  dsrc_crypto *c = *state;
  char l[512];
  uint8_t key[16], want[16], got[16];
  vec_line("AES-128-CMAC", l, sizeof(l));
  assert_non_null(strstr(l, "empty message"));
  assert_int_equal(vec_hex(l, "key ", key, sizeof(key)), 16);
  assert_int_equal(vec_expect(l, want, sizeof(want)), 16);
  assert_int_equal(dsrc_crypto_aes_cmac(c, got, key, NULL, 0), 0);
  assert_memory_equal(got, want, 16);
}

static void test_tdes_cmac_empty(void **state) {
  dsrc_crypto *c = *state;
  char l[512];
  uint8_t key[24], want[8], got[8];
  size_t kn;
  vec_line("3DES-CMAC", l, sizeof(l));
  assert_non_null(strstr(l, "empty message"));
  kn = vec_hex(l, "key ", key, sizeof(key));
  assert_int_equal(vec_expect(l, want, sizeof(want)), 8);
  assert_int_equal(dsrc_crypto_tdes_cmac(c, got, key, kn, NULL, 0), 0);
  assert_memory_equal(got, want, 8);
}

/* ---- EN 15509 worked example ---- */

static void test_en15509_access(void **state) {
  dsrc_crypto *c = *state;
  char l[512];
  uint8_t mack[16], ref[2], want[8], key[8], rnd[4], accr_want[4], accr[4], d[8];
  vec_line("MAcK ", l, sizeof(l));
  assert_int_equal(vec_hex(l, "MAcK ", mack, sizeof(mack)), 16);
  assert_int_equal(vec_hex(l, "AC_CR-Reference ", ref, sizeof(ref)), 2);
  vec_line("AccessKey = ", l, sizeof(l));
  /* The printed 3DES input is ref four times. */
  assert_int_equal(vec_hex(l, "(MAcK, ", d, sizeof(d)), 8);
  for (int i = 0; i < 4; i++) assert_memory_equal(d + 2 * i, ref, 2);
  assert_int_equal(vec_expect(l, want, sizeof(want)), 8);
  assert_int_equal(dsrc_en15509_access_key(c, key, mack, ref), 0);
  assert_memory_equal(key, want, 8);

  vec_line("RndOBE ", l, sizeof(l));
  assert_int_equal(vec_hex(l, "RndOBE ", rnd, sizeof(rnd)), 4);
  vec_line("AC_CR = ", l, sizeof(l));
  assert_int_equal(vec_expect(l, accr_want, sizeof(accr_want)), 4);
  assert_int_equal(dsrc_en15509_ac_cr(c, accr, key, rnd), 0);
  assert_memory_equal(accr, accr_want, 4);
}

static void test_en15509_authkey(void **state) {
  dsrc_crypto *c = *state;
  char l[512];
  uint8_t mauk[16], pan[10], prov[3], cpan_want[4], cpan[4], want[8], key[8], d[8];
  vec_line("MAuK ", l, sizeof(l));
  assert_int_equal(vec_hex(l, "MAuK ", mauk, sizeof(mauk)), 16);
  assert_int_equal(vec_hex(l, "PAN ", pan, sizeof(pan)), 10);
  assert_int_equal(vec_hex(l, "ContractProvider ", prov, sizeof(prov)), 3);
  vec_line("Compact_PAN", l, sizeof(l));
  assert_int_equal(vec_expect(l, cpan_want, sizeof(cpan_want)), 4);
  dsrc_en15509_compact_pan(cpan, pan);
  assert_memory_equal(cpan, cpan_want, 4);
  vec_line("AuthenticationKey = ", l, sizeof(l));
  assert_int_equal(vec_hex(l, "(MAuK, ", d, sizeof(d)), 8);
  assert_memory_equal(d, cpan, 4);
  assert_memory_equal(d + 4, prov, 3);
  assert_int_equal(d[7], 0);
  assert_int_equal(vec_expect(l, want, sizeof(want)), 8);
  assert_int_equal(dsrc_en15509_auth_key(c, key, mauk, pan, prov), 0);
  assert_memory_equal(key, want, 8);
}

/* The authenticator vector: AuK from the MAuK line, nonce from the GET_STAMPED.rq line. */
static void test_en15509_authenticator(void **state) {
  dsrc_crypto *c = *state;
  char l[512];
  uint8_t mauk[16], pan[10], prov[3], auk[8], nonce[8], attrs[64], padded_want[80], padded[80];
  uint8_t want[4], got[4], msg[80];
  size_t nn, na, np, nm;
  ptrdiff_t n;
  vec_line("MAuK ", l, sizeof(l));
  vec_hex(l, "MAuK ", mauk, sizeof(mauk));
  vec_hex(l, "PAN ", pan, sizeof(pan));
  vec_hex(l, "ContractProvider ", prov, sizeof(prov));
  assert_int_equal(dsrc_en15509_auth_key(c, auk, mauk, pan, prov), 0);
  vec_line("GET_STAMPED.rq", l, sizeof(l));
  nn = vec_hex(l, "nonce ", nonce, sizeof(nonce));
  assert_int_equal(nn, 4);
  vec_line("AttributeList UPER", l, sizeof(l));
  na = vec_expect(l, attrs, sizeof(attrs));
  vec_line("MAC input (padded)", l, sizeof(l));
  np = vec_expect(l, padded_want, sizeof(padded_want));
  /* The MAC input is attrlist || 04 || nonce, padded with method 1. */
  memcpy(msg, attrs, na);
  msg[na] = (uint8_t)nn;
  memcpy(msg + na + 1, nonce, nn);
  nm = na + 1 + nn;
  n = dsrc_crypto_pad1(padded, sizeof(padded), msg, nm);
  assert_int_equal(n, (ptrdiff_t)np);
  assert_memory_equal(padded, padded_want, np);
  vec_line("Authenticator", l, sizeof(l));
  assert_int_equal(vec_expect(l, want, sizeof(want)), 4);
  assert_int_equal(dsrc_en15509_authenticator(c, got, auk, attrs, na, nonce, nn), 0);
  assert_memory_equal(got, want, 4);
  {
    /* Same through the primitive: first4 of MAC alg 1 over the padded input. */
    uint8_t full[8];
    assert_int_equal(dsrc_crypto_mac1(c, full, auk, padded, np), 0);
    assert_memory_equal(full, want, 4);
  }
}

/* ---- AutoPASS worked example ---- */

typedef struct {
  uint8_t mkey_n[16], mkey_f[16], obuid[4], rnd1[4], t[4], rnd2[4], tc[2], status;
  long secs, hundredths;
} autopass_in;

static void autopass_read(autopass_in *a) {
  char l[512];
  uint8_t st[1];
  vec_line("MKEY-N ", l, sizeof(l));
  assert_int_equal(vec_hex(l, "MKEY-N ", a->mkey_n, 16), 16);
  assert_int_equal(vec_hex(l, "MKEY-F ", a->mkey_f, 16), 16);
  assert_int_equal(vec_hex(l, "obuid ", a->obuid, 4), 4);
  vec_line("RND-1 ", l, sizeof(l));
  assert_int_equal(vec_hex(l, "RND-1 ", a->rnd1, 4), 4);
  assert_int_equal(vec_hex(l, "-> T ", a->t, 4), 4);
  a->secs = vec_long(l, "time ");
  a->hundredths = vec_long(l, "+ ");
  vec_line("efcstatus ", l, sizeof(l));
  assert_int_equal(vec_hex(l, "efcstatus ", st, 1), 1);
  a->status = st[0];
  assert_int_equal(vec_hex(l, "TC ", a->tc, 2), 2);
  assert_int_equal(vec_hex(l, "RND-2 ", a->rnd2, 4), 4);
}

static void test_autopass(void **state) {
  dsrc_crypto *c = *state;
  autopass_in a;
  char l[512];
  uint8_t want[16], obu_n[16], obu_f[16], ss_n[16], ss_f[16], t[4], mac[4];
  autopass_read(&a);

  assert_int_equal(dsrc_autopass_obukey(c, obu_n, a.mkey_n, a.obuid), 0);
  vec_expect(vec_line("OBUKEY-N", l, sizeof(l)), want, 16);
  assert_memory_equal(obu_n, want, 16);
  assert_int_equal(dsrc_autopass_obukey(c, obu_f, a.mkey_f, a.obuid), 0);
  vec_expect(vec_line("OBUKEY-F", l, sizeof(l)), want, 16);
  assert_memory_equal(obu_f, want, 16);

  dsrc_autopass_time_octets(t, dsrc_autopass_time(a.secs, (unsigned)a.hundredths));
  assert_memory_equal(t, a.t, 4);

  assert_int_equal(dsrc_autopass_sskey(c, ss_n, obu_n, a.rnd1, t), 0);
  vec_expect(vec_line("SSKEY-N", l, sizeof(l)), want, 16);
  assert_memory_equal(ss_n, want, 16);
  assert_int_equal(dsrc_autopass_sskey(c, ss_f, obu_f, a.rnd1, t), 0);
  vec_expect(vec_line("SSKEY-F", l, sizeof(l)), want, 16);
  assert_memory_equal(ss_f, want, 16);

  assert_int_equal(dsrc_autopass_mac(c, mac, ss_n, a.obuid, a.status, a.tc, a.rnd2), 0);
  vec_expect(vec_line("MAC1 ", l, sizeof(l)), want, 4);
  assert_memory_equal(mac, want, 4);
  assert_int_equal(dsrc_autopass_mac(c, mac, ss_f, a.obuid, a.status, a.tc, a.rnd2), 0);
  vec_expect(vec_line("MAC2 ", l, sizeof(l)), want, 4);
  assert_memory_equal(mac, want, 4);
}

/* ---- further published vectors ---- */

static void test_des_fips81(void **state) {
  /* FIPS 81 appendix B ECB example: "Now is the time for all " under 0123456789ABCDEF. */
  static const char *const ct[3] = {"3FA40E8A984D4815", "6A271787AB8883F9", "893D51EC4B563B53"};
  dsrc_crypto *c = *state;
  const char *pt = "Now is the time for all ";
  uint8_t key[8], want[8], got[8], back[8];
  hex_to(key, 8, "0123456789ABCDEF");
  for (int i = 0; i < 3; i++) {
    hex_to(want, 8, ct[i]);
    assert_int_equal(dsrc_crypto_des_encrypt(c, got, key, (const uint8_t *)pt + 8 * i), 0);
    assert_memory_equal(got, want, 8);
    assert_int_equal(dsrc_crypto_des_decrypt(c, back, key, got), 0);
    assert_memory_equal(back, pt + 8 * i, 8);
  }
}

static void test_aes_fips197(void **state) {
  dsrc_crypto *c = *state;
  uint8_t key[16], in[16], want[16], got[16];
  hex_to(key, 16, "000102030405060708090A0B0C0D0E0F");
  hex_to(in, 16, "00112233445566778899AABBCCDDEEFF");
  hex_to(want, 16, "69C4E0D86A7B0430D8CDB78070B4C55A");
  assert_int_equal(dsrc_crypto_aes_encrypt(c, got, key, in), 0);
  assert_memory_equal(got, want, 16);
}

static void test_aes_cmac_rfc4493(void **state) {
  dsrc_crypto *c = *state;
  uint8_t key[16], m[64], want[16], got[16];
  hex_to(key, 16, "2B7E151628AED2A6ABF7158809CF4F3C");
  hex_to(m, 64,
         "6BC1BEE22E409F96E93D7E117393172AAE2D8A571E03AC9C9EB76FAC45AF8E51"
         "30C81C46A35CE411E5FBC1191A0A52EFF69F2445DF4F9B17AD2B417BE66C3710");
  hex_to(want, 16, "070A16B46B4D4144F79BDD9DD04A287C");
  assert_int_equal(dsrc_crypto_aes_cmac(c, got, key, m, 16), 0);
  assert_memory_equal(got, want, 16);
  hex_to(want, 16, "DFA66747DE9AE63030CA32611497C827");
  assert_int_equal(dsrc_crypto_aes_cmac(c, got, key, m, 40), 0);
  assert_memory_equal(got, want, 16);
  hex_to(want, 16, "51F0BEBF7E3B9D92FC49741779363CFE");
  assert_int_equal(dsrc_crypto_aes_cmac(c, got, key, m, 64), 0);
  assert_memory_equal(got, want, 16);
}

static void test_tdes_cmac_sp800_38b(void **state) {
  dsrc_crypto *c = *state;
  uint8_t k3[24], k2[16], m[20], want[8], got[8];
  hex_to(k3, 24, "8AA83BF8CBDA10620BC1BF19FBB6CD58BC313D4A371CA8B5");
  hex_to(m, 20, "6BC1BEE22E409F96E93D7E117393172AAE2D8A57");
  hex_to(want, 8, "8E8F293136283797");
  assert_int_equal(dsrc_crypto_tdes_cmac(c, got, k3, 24, m, 8), 0);
  assert_memory_equal(got, want, 8);
  hex_to(want, 8, "743DDBE0CE2DC2ED");
  assert_int_equal(dsrc_crypto_tdes_cmac(c, got, k3, 24, m, 20), 0);
  assert_memory_equal(got, want, 8);
  /* Two-key TDEA examples: K3 = K1. */
  hex_to(k2, 16, "4CF15134A2850DD58A3D10BA80570D38");
  hex_to(want, 8, "BD2EBF9A3BA00361");
  assert_int_equal(dsrc_crypto_tdes_cmac(c, got, k2, 16, NULL, 0), 0);
  assert_memory_equal(got, want, 8);
  hex_to(want, 8, "4FF2AB813C53CE83");
  assert_int_equal(dsrc_crypto_tdes_cmac(c, got, k2, 16, m, 8), 0);
  assert_memory_equal(got, want, 8);
  assert_int_equal(dsrc_crypto_tdes_cmac(c, got, k2, 8, m, 8), DSRC_CRYPTO_ERR_ARG);
}

/* 3DES-EDE with K1 = K2 collapses to single DES, and in general is E(K1) D(K2) E(K1). */
static void test_tdes_structure(void **state) {
  dsrc_crypto *c = *state;
  uint8_t key[16], in[8], a[8], b[8], t[8];
  hex_to(key, 16, "133457799BBCDFF1133457799BBCDFF1");
  hex_to(in, 8, "0123456789ABCDEF");
  assert_int_equal(dsrc_crypto_tdes_encrypt(c, a, key, in), 0);
  hex_to(b, 8, "85E813540F0AB405");
  assert_memory_equal(a, b, 8);
  hex_to(key, 16, "0123456789ABCDEFFEDCBA9876543210");
  assert_int_equal(dsrc_crypto_tdes_encrypt(c, a, key, in), 0);
  assert_int_equal(dsrc_crypto_des_encrypt(c, t, key, in), 0);
  assert_int_equal(dsrc_crypto_des_decrypt(c, b, key + 8, t), 0);
  assert_int_equal(dsrc_crypto_des_encrypt(c, t, key, b), 0);
  assert_memory_equal(a, t, 8);
}

/* ---- padding and MAC structure ---- */

static void test_pad1(void **state) {
  uint8_t out[24], msg[16] = {1, 2, 3, 4, 5, 6, 7, 8, 9};
  (void)state;
  assert_int_equal(dsrc_crypto_pad1_len(0), 8);
  assert_int_equal(dsrc_crypto_pad1_len(1), 8);
  assert_int_equal(dsrc_crypto_pad1_len(8), 8);
  assert_int_equal(dsrc_crypto_pad1_len(9), 16);
  assert_int_equal(dsrc_crypto_pad1(out, sizeof(out), NULL, 0), 8);
  for (int i = 0; i < 8; i++) assert_int_equal(out[i], 0);
  assert_int_equal(dsrc_crypto_pad1(out, sizeof(out), msg, 9), 16);
  assert_memory_equal(out, msg, 9);
  for (int i = 9; i < 16; i++) assert_int_equal(out[i], 0);
  assert_int_equal(dsrc_crypto_pad1(out, 8, msg, 9), DSRC_CRYPTO_ERR_NOBUF);
}

/* MAC alg 1 of the empty message is DES of one zero block; a message that is a multiple
 * of 8 gets no extra block, so M and M || 00..00 differ. */
static void test_mac1_padding_edges(void **state) {
  dsrc_crypto *c = *state;
  uint8_t key[8], zero[16] = {0}, a[8], b[8];
  hex_to(key, 8, "0123456789ABCDEF");
  assert_int_equal(dsrc_crypto_mac1(c, a, key, NULL, 0), 0);
  assert_int_equal(dsrc_crypto_des_encrypt(c, b, key, zero), 0);
  assert_memory_equal(a, b, 8);
  assert_int_equal(dsrc_crypto_mac1(c, b, key, zero, 8), 0);
  assert_memory_equal(a, b, 8); /* pad(empty) == one zero block, by definition */
  assert_int_equal(dsrc_crypto_mac1(c, b, key, zero, 16), 0);
  assert_memory_not_equal(a, b, 8);
  /* Feeding the same message in odd pieces through the authenticator path. */
  {
    uint8_t msg[22], full[8], auth[4];
    for (int i = 0; i < 22; i++) msg[i] = (uint8_t)(i * 37 + 1);
    msg[17] = 4;
    assert_int_equal(dsrc_crypto_mac1(c, full, key, msg, 22), 0);
    assert_int_equal(dsrc_en15509_authenticator(c, auth, key, msg, 17, msg + 18, 4), 0);
    assert_memory_equal(auth, full, 4);
  }
}

/* Retail MAC = DES(K1, DES^-1(K2, MAC alg 1 under K1)). */
static void test_mac3_structure(void **state) {
  dsrc_crypto *c = *state;
  uint8_t key[16], msg[24], m1[8], t[8], want[8], got[8];
  hex_to(key, 16, "7CA110454A1A6E570131D9619DC1376E");
  for (size_t len = 0; len <= sizeof(msg); len++) {
    for (size_t i = 0; i < len; i++) msg[i] = (uint8_t)(len * 7 + i);
    assert_int_equal(dsrc_crypto_mac1(c, m1, key, msg, len), 0);
    assert_int_equal(dsrc_crypto_des_decrypt(c, t, key + 8, m1), 0);
    assert_int_equal(dsrc_crypto_des_encrypt(c, want, key, t), 0);
    assert_int_equal(dsrc_crypto_mac3(c, got, key, msg, len), 0);
    assert_memory_equal(got, want, 8);
  }
}

/* ---- AES reference profile: KBKDF against CMAC over the SP 800-108 counter layout ---- */

static void kbkdf_by_hand(dsrc_crypto *c, uint8_t out[16], const uint8_t key[16], const char *label,
                          const uint8_t *ctx, size_t ctx_len) {
  uint8_t in[128];
  size_t n = 0, ll = strlen(label);
  memcpy(in + n, "\x00\x00\x00\x01", 4); /* [i]_32, i = 1 */
  n += 4;
  memcpy(in + n, label, ll);
  n += ll;
  in[n++] = 0x00;
  memcpy(in + n, ctx, ctx_len);
  n += ctx_len;
  memcpy(in + n, "\x00\x00\x00\x80", 4); /* [L]_32, L = 128 bits */
  n += 4;
  assert_int_equal(dsrc_crypto_aes_cmac(c, out, key, in, n), 0);
}

static void test_aesref(void **state) {
  dsrc_crypto *c = *state;
  uint8_t mauk[16], mack[16], pan[10], prov[3], ref[2] = {0x00, 0xff}, ctx[7], want[16], auk[16];
  uint8_t acc[16], rnd[4] = {0xc8, 0xa1, 0x1e, 0x6e}, mac[16], got[4],
                   nonce[4] = {0x5a, 0x7f, 0x1c, 0x20};
  uint8_t attrs[17], msg[22];
  hex_to(mauk, 16, "00112233445566778899AABBCCDDEEFF");
  hex_to(mack, 16, "0123456789ABCDEFFEDCBA9876543210");
  hex_to(pan, 10, "2800000012345678907F");
  hex_to(prov, 3, "30C001");
  hex_to(attrs, 17, "0120402800000012345678907F50DE0000");

  assert_int_equal(dsrc_aesref_auth_key(c, auk, mauk, pan, prov), 0);
  dsrc_en15509_compact_pan(ctx, pan);
  memcpy(ctx + 4, prov, 3);
  kbkdf_by_hand(c, want, mauk, "efcsim AuthenticationKey", ctx, 7);
  assert_memory_equal(auk, want, 16);

  assert_int_equal(dsrc_aesref_access_key(c, acc, mack, ref), 0);
  kbkdf_by_hand(c, want, mack, "efcsim AccessKey", ref, 2);
  assert_memory_equal(acc, want, 16);
  assert_memory_not_equal(acc, auk, 16);

  assert_int_equal(dsrc_aesref_ac_cr(c, got, acc, rnd), 0);
  assert_int_equal(dsrc_crypto_aes_cmac(c, mac, acc, rnd, 4), 0);
  assert_memory_equal(got, mac, 4);

  assert_int_equal(dsrc_aesref_authenticator(c, got, auk, attrs, 17, nonce, 4), 0);
  memcpy(msg, attrs, 17);
  msg[17] = 4;
  memcpy(msg + 18, nonce, 4);
  assert_int_equal(dsrc_crypto_aes_cmac(c, mac, auk, msg, 22), 0);
  assert_memory_equal(got, mac, 4);

  /* efcsim's own known answers for the EN 15509 example inputs (docs/crypto.md), also
   * checked with `openssl kdf ... KBKDF` and `openssl mac ... CMAC`. */
  hex_to(want, 16, "FDDC99CC34F19BE02B2642B7C6C926B3");
  assert_memory_equal(auk, want, 16);
  hex_to(want, 16, "690CD97D4BE81B1C8E7FBF88296F1FC9");
  assert_memory_equal(acc, want, 16);
  assert_int_equal(dsrc_aesref_ac_cr(c, got, acc, rnd), 0);
  hex_to(want, 4, "652CBFC8");
  assert_memory_equal(got, want, 4);
  assert_int_equal(dsrc_aesref_authenticator(c, got, auk, attrs, 17, nonce, 4), 0);
  hex_to(want, 4, "E03E5B79");
  assert_memory_equal(got, want, 4);

  /* Longer outputs run more counter iterations: block 2 is the CMAC with i = 2. */
  {
    /* i = 2, label "x", context 5A, L = 256 bits. */
    uint8_t two[32], again[32], z = 0x5a, in[11] = {0, 0, 0, 2, 'x', 0, 0x5a, 0, 0, 1, 0};
    assert_int_equal(dsrc_crypto_kbkdf(c, two, 32, mack, "x", &z, 1), 0);
    assert_int_equal(dsrc_crypto_aes_cmac(c, mac, mack, in, sizeof(in)), 0);
    assert_memory_equal(two + 16, mac, 16);
    in[3] = 1;
    assert_int_equal(dsrc_crypto_aes_cmac(c, mac, mack, in, sizeof(in)), 0);
    assert_memory_equal(two, mac, 16);
    /* The reused OpenSSL context carries nothing over from the previous derivation. */
    assert_int_equal(dsrc_crypto_kbkdf(c, again, 32, mack, "x", &z, 1), 0);
    assert_memory_equal(again, two, 32);
    assert_int_equal(dsrc_crypto_kbkdf(c, two, 0, mack, "x", &z, 1), DSRC_CRYPTO_ERR_ARG);
    assert_int_equal(dsrc_crypto_kbkdf(c, two, 16, mack, "x", NULL, 0), DSRC_CRYPTO_ERR_ARG);
    assert_int_equal(dsrc_crypto_kbkdf(c, two, 16, mack, "", &z, 1), DSRC_CRYPTO_ERR_ARG);
  }
}

/* ---- wrong keys must not verify ---- */

static void test_wrong_keys(void **state) {
  dsrc_crypto *c = *state;
  uint8_t mack[16], ref[2] = {0x00, 0xff}, ak[8], rnd[4] = {0xc8, 0xa1, 0x1e, 0x6e}, good[4],
                    bad[4];
  uint8_t mkey[16], obuid[4] = {0x00, 0xa1, 0xb2, 0xc3}, obu[16], ss[16], rnd1[4] = {1, 2, 3, 4};
  uint8_t t[4] = {5, 6, 7, 8}, tc[2] = {0x01, 0x23}, rnd2[4] = {9, 10, 11, 12}, attrs[17] = {1};
  hex_to(mack, 16, "0123456789ABCDEFFEDCBA9876543210");
  assert_int_equal(dsrc_en15509_access_key(c, ak, mack, ref), 0);
  assert_int_equal(dsrc_en15509_ac_cr(c, good, ak, rnd), 0);
  ak[3] ^= 0x10; /* not a parity bit: a different DES key */
  assert_int_equal(dsrc_en15509_ac_cr(c, bad, ak, rnd), 0);
  assert_false(dsrc_crypto_equal(good, bad, 4));
  ak[3] ^= 0x10;
  assert_int_equal(dsrc_en15509_authenticator(c, good, ak, attrs, 17, rnd, 4), 0);
  ak[0] ^= 0x02;
  assert_int_equal(dsrc_en15509_authenticator(c, bad, ak, attrs, 17, rnd, 4), 0);
  assert_false(dsrc_crypto_equal(good, bad, 4));

  memcpy(mkey, mack, 16);
  assert_int_equal(dsrc_autopass_obukey(c, obu, mkey, obuid), 0);
  assert_int_equal(dsrc_autopass_sskey(c, ss, obu, rnd1, t), 0);
  assert_int_equal(dsrc_autopass_mac(c, good, ss, obuid, 0, tc, rnd2), 0);
  /* A foreign-key MAC does not verify as a native one: wrong master key. */
  mkey[15] ^= 0x80;
  assert_int_equal(dsrc_autopass_obukey(c, obu, mkey, obuid), 0);
  assert_int_equal(dsrc_autopass_sskey(c, ss, obu, rnd1, t), 0);
  assert_int_equal(dsrc_autopass_mac(c, bad, ss, obuid, 0, tc, rnd2), 0);
  assert_false(dsrc_crypto_equal(good, bad, 4));
  assert_true(dsrc_crypto_equal(good, good, 4));
}

/* ---- counters, parity, arguments ---- */

static void test_counters(void **state) {
  dsrc_crypto *c = *state;
  uint8_t k16[16] = {1}, k8[8] = {2}, out[16], out32[32], msg[22] = {0}, nonce[4] = {0};
  dsrc_crypto_counters n;
  dsrc_crypto_counters_reset(c);
  assert_int_equal(dsrc_crypto_mac3(c, out, k16, msg, 16), 0); /* 2 CBC + DES^-1 + DES */
  n = dsrc_crypto_counters_get(c);
  assert_int_equal(n.des, 4);
  assert_int_equal(n.tdes, 0);
  dsrc_crypto_counters_reset(c);
  assert_int_equal(dsrc_en15509_authenticator(c, out, k8, msg, 17, nonce, 4), 0); /* 22 -> 24 */
  assert_int_equal(dsrc_en15509_ac_cr(c, out, k8, nonce), 0);
  assert_int_equal(dsrc_crypto_counters_get(c).des, 4);
  dsrc_crypto_counters_reset(c);
  assert_int_equal(dsrc_autopass_obukey(c, out, k16, nonce), 0);
  assert_int_equal(dsrc_en15509_auth_key(c, out, k16, msg, nonce), 0);
  assert_int_equal(dsrc_crypto_counters_get(c).tdes, 3);
  dsrc_crypto_counters_reset(c);
  assert_int_equal(dsrc_crypto_aes_cmac(c, out, k16, NULL, 0), 0);       /* subkey + 1 */
  assert_int_equal(dsrc_crypto_aes_cmac(c, out, k16, msg, 17), 0);       /* subkey + 2 */
  assert_int_equal(dsrc_crypto_aes_encrypt(c, out, k16, msg), 0);        /* 1 */
  assert_int_equal(dsrc_crypto_kbkdf(c, out, 16, k16, "ab", msg, 2), 0); /* subkey + ceil(13/16) */
  assert_int_equal(dsrc_crypto_counters_get(c).aes, 2 + 3 + 1 + 2);
  assert_int_equal(dsrc_crypto_sha256(c, out32, msg, 0), 0);
  assert_int_equal(dsrc_crypto_sha256(c, out32, msg, sizeof(msg)), 0);
  n = dsrc_crypto_counters_get(c);
  assert_int_equal(n.sha256, 2);
  assert_int_equal(n.des + n.tdes, 0);
  dsrc_crypto_counters_reset(c);
  n = dsrc_crypto_counters_get(c);
  assert_int_equal(n.des + n.tdes + n.aes + n.sha256, 0);
}

static void test_parity_and_misc(void **state) {
  dsrc_crypto *c = *state;
  uint8_t k[4] = {0x00, 0x01, 0xfe, 0x7f}, o[16], r1[32], r2[32];
  dsrc_crypto_set_parity(k, 4);
  assert_int_equal(k[0], 0x01);
  assert_int_equal(k[1], 0x01);
  assert_int_equal(k[2], 0xfe);
  assert_int_equal(k[3], 0x7f);
  assert_int_equal(dsrc_autopass_time(0, 0), 0);
  assert_int_equal(dsrc_autopass_time(42949672, 96), 0); /* 2^32 */
  assert_int_equal(dsrc_crypto_des_encrypt(NULL, o, o, o), DSRC_CRYPTO_ERR_ARG);
  assert_int_equal(dsrc_crypto_mac1(c, o, o, NULL, 5), DSRC_CRYPTO_ERR_ARG);
  assert_int_equal(dsrc_en15509_authenticator(c, o, o, o, 1, o, 128), DSRC_CRYPTO_ERR_ARG);
  assert_string_equal(dsrc_crypto_strerror(0), "success");
  assert_non_null(strstr(dsrc_crypto_strerror(DSRC_CRYPTO_ERR_LEGACY), "legacy.so"));
  assert_string_equal(dsrc_crypto_strerror(-1), "unknown error");
  assert_string_equal(dsrc_crypto_strerror(DSRC_CRYPTO_ERR_NOBUF), "output buffer too small");
  assert_int_equal(dsrc_crypto_random(r1, sizeof(r1)), 0);
  {
    dsrc_rng rng = dsrc_crypto_csprng();
    dsrc_rng_bytes(&rng, r2, sizeof(r2));
  }
  assert_memory_not_equal(r1, r2, sizeof(r1));
  assert_int_equal(dsrc_en15509_keyref_role(1), DSRC_MAC_ROLE_TC);
  assert_int_equal(dsrc_en15509_keyref_role(4), DSRC_MAC_ROLE_TC);
  assert_int_equal(dsrc_en15509_keyref_role(5), DSRC_MAC_ROLE_TSP);
  assert_int_equal(dsrc_en15509_keyref_role(8), DSRC_MAC_ROLE_TSP);
  assert_int_equal(dsrc_en15509_keyref_role(0), DSRC_MAC_ROLE_NONE);
  assert_int_equal(dsrc_en15509_keyref_role(9), DSRC_MAC_ROLE_NONE);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_des_ecb),
      cmocka_unit_test(test_des_cbc_mac),
      cmocka_unit_test(test_retail_mac),
      cmocka_unit_test(test_aes_cmac_empty),
      cmocka_unit_test(test_tdes_cmac_empty),
      cmocka_unit_test(test_en15509_access),
      cmocka_unit_test(test_en15509_authkey),
      cmocka_unit_test(test_en15509_authenticator),
      cmocka_unit_test(test_autopass),
      cmocka_unit_test(test_des_fips81),
      cmocka_unit_test(test_aes_fips197),
      cmocka_unit_test(test_aes_cmac_rfc4493),
      cmocka_unit_test(test_tdes_cmac_sp800_38b),
      cmocka_unit_test(test_tdes_structure),
      cmocka_unit_test(test_pad1),
      cmocka_unit_test(test_mac1_padding_edges),
      cmocka_unit_test(test_mac3_structure),
      cmocka_unit_test(test_aesref),
      cmocka_unit_test(test_wrong_keys),
      cmocka_unit_test(test_counters),
      cmocka_unit_test(test_parity_and_misc),
  };
  return cmocka_run_group_tests(tests, setup, teardown);
}
