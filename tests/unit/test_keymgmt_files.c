/* efc-keymgmt end to end: the files it writes hold what they must and nothing more, bad
 * files fail cleanly without being touched, a crash before the rename leaves the previous
 * keystore intact, and the audit log catches edits, removals and reorderings.
 * Uses the real scrypt parameters; the number of passphrase opens is kept small. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>

#include "keymgmt/keymgmt.h"

#define KM EFC_BIN_DIR "/efc-keymgmt"
#define PASS_FILES "--pass-file ks.pass"

typedef struct {
  char dir[64];
  keymgmt_keystore ks; /* as the tool left it, loaded through the library */
} fixture;

static fixture *fx;

/* Runs efc-keymgmt in the fixture directory with env (may be "") before it; stdout and
 * stderr go to out.txt and err.txt there. Returns the exit status. */
static int km(const char *env, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static int km(const char *env, const char *fmt, ...) {
  char args[1024], cmd[2048];
  va_list ap;
  int st;
  va_start(ap, fmt);
  vsnprintf(args, sizeof(args), fmt, ap);
  va_end(ap);
  snprintf(cmd, sizeof(cmd), "cd %s && %s %s %s >out.txt 2>err.txt", fx->dir, env, KM, args);
  st = system(cmd);
  if (st == -1 || !WIFEXITED(st)) return -1;
  return WEXITSTATUS(st);
}

/* The whole of a file in the fixture directory (NUL-terminated); *len its size. */
static uint8_t *slurp(const char *name, size_t *len) {
  char path[256];
  FILE *f;
  uint8_t *buf;
  long n;
  snprintf(path, sizeof(path), "%s/%s", fx->dir, name);
  f = fopen(path, "rb");
  if (!f) return NULL;
  fseek(f, 0, SEEK_END);
  n = ftell(f);
  fseek(f, 0, SEEK_SET);
  buf = malloc((size_t)n + 1);
  assert_non_null(buf);
  assert_int_equal(fread(buf, 1, (size_t)n, f), (size_t)n);
  buf[n] = '\0';
  fclose(f);
  if (len) *len = (size_t)n;
  return buf;
}

static void spit(const char *name, const void *data, size_t len) {
  char path[256];
  FILE *f;
  snprintf(path, sizeof(path), "%s/%s", fx->dir, name);
  f = fopen(path, "wb");
  assert_non_null(f);
  assert_int_equal(fwrite(data, 1, len, f), len);
  fclose(f);
}

static void copy(const char *from, const char *to) {
  size_t n;
  uint8_t *d = slurp(from, &n);
  assert_non_null(d);
  spit(to, d, n);
  free(d);
}

/* err.txt: exactly one line, containing every given fragment. */
static void expect_one_line(const char *a, const char *b) {
  size_t n;
  char *e = (char *)slurp("err.txt", &n);
  assert_non_null(e);
  assert_true(n > 0 && e[n - 1] == '\n');
  assert_true(strchr(e, '\n') == e + n - 1);
  if (a && !strstr(e, a)) fail_msg("stderr '%s' lacks '%s'", e, a);
  if (b && !strstr(e, b)) fail_msg("stderr '%s' lacks '%s'", e, b);
  free(e);
}

static bool contains(const uint8_t *hay, size_t n, const uint8_t *needle, size_t k) {
  for (size_t i = 0; i + k <= n; i++)
    if (memcmp(hay + i, needle, k) == 0) return true;
  return false;
}

/* The key, or either DES half of it, appears in the bytes. */
static bool holds_key(const void *hay, size_t n, const uint8_t key[16]) {
  return contains(hay, n, key, 16) || contains(hay, n, key, 8) || contains(hay, n, key + 8, 8);
}

static int setup(void **state) {
  fixture *f = calloc(1, sizeof(*f));
  char err[512];
  (void)state;
  if (!f) return -1;
  fx = f;
  snprintf(f->dir, sizeof(f->dir), "/tmp/efc-km-cli-XXXXXX");
  if (!mkdtemp(f->dir)) return -1;
  unsetenv("EFC_KEYSTORE_PASS");
  unsetenv("EFC_OBE_PASS");
  unsetenv("EFC_OPERATOR_PASS");
  unsetenv("EFC_TEST_CRASH_BEFORE_RENAME");
  spit("ks.pass", "keystore passphrase\n", 20);
  spit("obe.pass", "obe passphrase\r\n", 16);
  spit("op.pass", "operator passphrase", 19);
  spit("wrong.pass", "keystore passphrasE\n", 20);
  if (km("", "init --keystore keys.eks " PASS_FILES) != 0) return -1;
  if (km("",
         "personalise --keystore keys.eks " PASS_FILES
         " --obuid 00A1B2C3 --pan 2800000012345678907F --provider NO:1"
         " --profiles autopass,en15509-l0,en15509-l1,aes --out obe.eop"
         " --out-pass-file obe.pass --expiry 2030-06-30 --lpn NO:AB12345 --vehicle-class 2") != 0)
    return -1;
  if (km("", "export-operator --keystore keys.eks " PASS_FILES
             " --generation 2 --out op.eok --out-pass-file op.pass") != 0)
    return -1;
  if (km("", "rotate --keystore keys.eks " PASS_FILES " --autopass-generation 3 --mack-ref 1") != 0)
    return -1;
  {
    char path[128];
    snprintf(path, sizeof(path), "%s/keys.eks", f->dir);
    if (keymgmt_keystore_load(&f->ks, path, "keystore passphrase", err, sizeof(err)) != 0) {
      fprintf(stderr, "%s\n", err);
      return -1;
    }
  }
  return 0;
}

static int teardown(void **state) {
  char cmd[128];
  (void)state;
  keymgmt_keystore_wipe(&fx->ks);
  snprintf(cmd, sizeof(cmd), "rm -rf %s", fx->dir);
  if (system(cmd) != 0) return -1;
  free(fx);
  return 0;
}

/* Every master key of the keystore, 34 of them. */
static size_t master_keys(const uint8_t *keys[40]) {
  size_t n = 0;
  for (int g = 0; g < KEYMGMT_GENERATIONS; g++) keys[n++] = fx->ks.mkey_n[g];
  for (int g = 0; g < KEYMGMT_GENERATIONS; g++) keys[n++] = fx->ks.mkey_f[g];
  for (int i = 0; i < DSRC_AUK_COUNT; i++) keys[n++] = fx->ks.mauk[i];
  for (int i = 0; i < DSRC_AUK_COUNT; i++) keys[n++] = fx->ks.aes_mauk[i];
  for (int r = 0; r < KEYMGMT_MACK_REFS; r++) keys[n++] = fx->ks.mack[r];
  for (int r = 0; r < KEYMGMT_MACK_REFS; r++) keys[n++] = fx->ks.aes_mack[r];
  return n;
}

static void test_state_after_commands(void **state) {
  struct stat st;
  char path[128];
  (void)state;
  assert_int_equal(fx->ks.autopass_generation, 3);
  assert_int_equal(fx->ks.mack_ref, 1);
  assert_int_equal(fx->ks.audit_count, 4);
  for (int i = 0; i < 4; i++) {
    static const char *const names[] = {"keys.eks", "keys.eks.audit", "obe.eop", "op.eok"};
    snprintf(path, sizeof(path), "%s/%s", fx->dir, names[i]);
    assert_int_equal(stat(path, &st), 0);
    assert_int_equal(st.st_mode & 0777, 0600);
  }
}

/* Acceptance 3a: no master key in clear in the keystore file. */
static void test_keystore_no_clear_keys(void **state) {
  const uint8_t *keys[40];
  size_t n = master_keys(keys), len;
  uint8_t *file = slurp("keys.eks", &len);
  (void)state;
  assert_int_equal(n, 34);
  for (size_t i = 0; i < n; i++) assert_false(holds_key(file, len, keys[i]));
  free(file);
}

/* Acceptance 3b: the OBE profile holds none of the master keys, decrypted or not, and the
 * keys the tool derived are the library's in-memory ones. */
static void test_obe_profile(void **state) {
  const uint8_t *keys[40];
  size_t n = master_keys(keys), len;
  uint8_t *file = slurp("obe.eop", &len);
  keymgmt_obe_profile p, q;
  dsrc_crypto *c;
  char path[128], err[512];
  (void)state;
  snprintf(path, sizeof(path), "%s/obe.eop", fx->dir);
  assert_int_equal(keymgmt_obe_profile_load(&p, path, "obe passphrase", err, sizeof(err)), 0);
  for (size_t i = 0; i < n; i++) {
    assert_false(holds_key(&p, sizeof(p), keys[i]));
    assert_false(holds_key(file, len, keys[i]));
  }
  /* Nor its own keys in clear. */
  assert_false(contains(file, len, p.obukey_n[0], 16));
  assert_false(contains(file, len, p.auk[0], 8));
  assert_false(contains(file, len, p.aes_access_key, 16));
  assert_int_equal(p.profiles, EFC_PROFILES_ALL);
  assert_int_equal(p.ac_cr_ref[0], 0); /* the reference current at personalisation */
  assert_int_equal(p.context_mark[0], 0x30);
  assert_int_equal(p.context_mark[2], 0x01);
  assert_int_equal(p.expiry_year, 2030);
  assert_int_equal(p.lpn_len, 7);
  assert_int_equal(p.vehicle_class, 2);
  assert_int_equal(p.autopass_tc, 0);

  memcpy(&q, &p, sizeof(q));
  assert_int_equal(dsrc_crypto_new(&c, err, sizeof(err)), 0);
  assert_int_equal(keymgmt_obe_profile_personalise(c, &q, &fx->ks), 0);
  assert_memory_equal(&q, &p, sizeof(p));
  dsrc_crypto_free(c);
  keymgmt_obe_profile_wipe(&p);
  keymgmt_obe_profile_wipe(&q);
  free(file);
}

/* Acceptance 3c: the operator file holds MKEY-F_2 and the MAC_TC keys only. */
static void test_operator_file(void **state) {
  size_t len;
  uint8_t *file = slurp("op.eok", &len);
  keymgmt_operator_keys ok;
  char path[128], err[512];
  (void)state;
  snprintf(path, sizeof(path), "%s/op.eok", fx->dir);
  assert_int_equal(keymgmt_operator_keys_load(&ok, path, "operator passphrase", err, sizeof(err)), 0);
  assert_int_equal(ok.generation, 2);
  assert_memory_equal(ok.mkey_f, fx->ks.mkey_f[1], 16);
  for (int g = 0; g < KEYMGMT_GENERATIONS; g++) {
    assert_false(holds_key(&ok, sizeof(ok), fx->ks.mkey_n[g]));
    assert_false(holds_key(file, len, fx->ks.mkey_n[g]));
    if (g == 1) continue;
    assert_false(holds_key(&ok, sizeof(ok), fx->ks.mkey_f[g]));
  }
  for (int ref = 1; ref <= DSRC_AUK_COUNT; ref++) {
    bool tc = dsrc_en15509_keyref_role(ref) == DSRC_MAC_ROLE_TC;
    assert_int_equal(holds_key(&ok, sizeof(ok), fx->ks.mauk[ref - 1]), tc);
    assert_int_equal(holds_key(&ok, sizeof(ok), fx->ks.aes_mauk[ref - 1]), tc);
    assert_false(holds_key(file, len, fx->ks.mauk[ref - 1]));
  }
  assert_int_equal(ok.mauk_held, 0x0f);
  assert_memory_equal(ok.mack, fx->ks.mack, sizeof(ok.mack));
  assert_false(holds_key(file, len, ok.mkey_f));
  keymgmt_operator_keys_wipe(&ok);
  free(file);
}

/* Acceptance 2: bad keystores fail with one line, exit 1, and stay byte-identical. A
 * writing command (rotate) is used so "untouched" means something. */
static void bad_keystore(const char *name, const uint8_t *data, size_t len, const char *pass,
                         const char *what) {
  size_t after_len;
  uint8_t *after;
  char audit[64];
  spit(name, data, len);
  assert_int_equal(km("", "rotate --keystore %s --pass-file %s --mack-ref 2", name, pass), 1);
  expect_one_line(name, what);
  after = slurp(name, &after_len);
  assert_int_equal(after_len, len);
  assert_memory_equal(after, data, len);
  free(after);
  snprintf(audit, sizeof(audit), "%s.audit", name);
  assert_null(slurp(audit, NULL));
}

static void test_bad_keystores(void **state) {
  size_t len;
  uint8_t *good = slurp("keys.eks", &len), *b = malloc(len);
  (void)state;
  assert_non_null(b);
  bad_keystore("wrongpass.eks", good, len, "wrong.pass",
               "wrong passphrase or corrupted file (authentication failed)");
  bad_keystore("truncated.eks", good, len - 7, "ks.pass", "truncated");
  bad_keystore("short.eks", good, 30, "ks.pass", "truncated");
  bad_keystore("empty.eks", good, 0, "ks.pass", "not an efcsim key file");
  {
    /* One flipped bit: in the header (magic, kind, salt, length), the ciphertext, the tag. */
    static const struct {
      size_t at;
      uint8_t bit;
      const char *what;
    } flips[] = {
        {1, 0x01, "not an efcsim key file"},
        {5, 0x02, "not an issuer keystore"},
        {20, 0x10, "authentication failed"},
        {46, 0x01, "truncated or extended"},
        {100, 0x80, "authentication failed"},
        {0, 0x01, "authentication failed"}, /* the tag's last octet */
    };
    for (size_t i = 0; i < sizeof(flips) / sizeof(flips[0]); i++) {
      char name[32];
      size_t at = flips[i].at ? flips[i].at : len - 1;
      memcpy(b, good, len);
      b[at] ^= flips[i].bit;
      snprintf(name, sizeof(name), "flip%zu.eks", i);
      bad_keystore(name, b, len, "ks.pass", flips[i].what);
    }
  }
  free(good);
  free(b);
}

/* Acceptance 2: the crash hook exits between fsync and rename; the previous keystore is
 * byte-identical and still opens, and its audit log still verifies. */
static void test_crash_before_rename(void **state) {
  size_t len, after_len;
  uint8_t *before, *after;
  (void)state;
  copy("keys.eks", "crash.eks");
  copy("keys.eks.audit", "crash.eks.audit");
  before = slurp("crash.eks", &len);
  assert_int_equal(km("EFC_TEST_CRASH_BEFORE_RENAME=1",
                      "rotate --keystore crash.eks " PASS_FILES " --mack-ref 3"),
                   99);
  after = slurp("crash.eks", &after_len);
  assert_int_equal(after_len, len);
  assert_memory_equal(after, before, len);
  free(after);
  assert_int_equal(km("", "list --keystore crash.eks " PASS_FILES), 0);
  after = slurp("out.txt", NULL);
  assert_non_null(strstr((char *)after, "current MAcK reference 1"));
  assert_non_null(strstr((char *)after, "fingerprint"));
  free(after);
  assert_int_equal(km("", "audit --keystore crash.eks --verify " PASS_FILES), 0);
  /* A crash while writing a new OBE profile leaves no profile behind. */
  assert_int_equal(km("EFC_TEST_CRASH_BEFORE_RENAME=1",
                      "personalise --keystore crash.eks " PASS_FILES
                      " --obuid 00000001 --pan 12345F --provider FR:7 --profiles autopass"
                      " --out crash.eop --out-pass-file obe.pass"),
                   1); /* --pan is 3 octets: refused before any work */
  assert_int_equal(km("EFC_TEST_CRASH_BEFORE_RENAME=1",
                      "personalise --keystore crash.eks " PASS_FILES
                      " --obuid 00000001 --pan 123456789FFFFFFFFFFF --provider FR:7"
                      " --profiles autopass --out crash.eop --out-pass-file obe.pass"),
                   99);
  assert_null(slurp("crash.eop", NULL));
  after = slurp("crash.eks", &after_len);
  assert_memory_equal(after, before, len);
  free(after);
  free(before);
}

/* Acceptance 4: audit --verify passes untouched, names the entry after each tampering. */
static void tampered(const char *name, char **lines, const int *order, int n, const char *what) {
  char ks[64], audit[64], log[4096] = "";
  snprintf(ks, sizeof(ks), "%s.eks", name);
  snprintf(audit, sizeof(audit), "%s.eks.audit", name);
  copy("keys.eks", ks);
  for (int i = 0; i < n; i++) {
    strcat(log, lines[order[i]]);
    strcat(log, "\n");
  }
  spit(audit, log, strlen(log));
  assert_int_equal(km("", "audit --keystore %s --verify " PASS_FILES, ks), 1);
  expect_one_line(audit, what);
}

static void test_audit_verify(void **state) {
  char *log, *lines[8], *save = NULL;
  int n = 0;
  (void)state;
  assert_int_equal(km("", "audit --keystore keys.eks --verify " PASS_FILES), 0);
  log = (char *)slurp("out.txt", NULL);
  assert_non_null(strstr(log, "4 entries verified"));
  free(log);
  assert_int_equal(km("", "audit --keystore keys.eks"), 0);
  log = (char *)slurp("out.txt", NULL);
  for (char *t = strtok_r(log, "\n", &save); t && n < 8; t = strtok_r(NULL, "\n", &save))
    lines[n++] = t;
  assert_int_equal(n, 4);
  assert_non_null(strstr(lines[0], "\"action\":\"init\""));
  assert_non_null(strstr(lines[1], "\"obuid\":\"00A1B2C3\""));
  assert_non_null(strstr(lines[2], "\"action\":\"export-operator\""));
  assert_non_null(strstr(lines[3], "\"action\":\"rotate\""));
  {
    static const int removed[] = {0, 2, 3}, swapped[] = {0, 1, 3, 2}, truncated[] = {0, 1, 2};
    static const int all[] = {0, 1, 2, 3};
    char *edit = strdup(lines[1]), *p = strstr(edit, "00A1B2C3");
    char *orig = lines[1];
    tampered("removed", lines, removed, 3, "entry 2: sequence number 3");
    tampered("swapped", lines, swapped, 4, "entry 3: sequence number 4");
    tampered("truncated", lines, truncated, 3, "entry 4: missing");
    p[0] = '1';
    lines[1] = edit;
    tampered("edited", lines, all, 4, "entry 2: hash mismatch (edited?)");
    lines[1] = orig;
    free(edit);
  }
  free(log);
}

/* Usage errors exit 2 with one line; every command has --help; no overwrite by init. */
static void test_usage(void **state) {
  static const char *const cmds[] = {"init", "personalise", "export-operator", "rotate",
                                     "list", "audit",       "derive"};
  (void)state;
  for (size_t i = 0; i < sizeof(cmds) / sizeof(cmds[0]); i++) {
    char *out;
    assert_int_equal(km("", "%s --help", cmds[i]), 0);
    out = (char *)slurp("out.txt", NULL);
    assert_non_null(strstr(out, "usage: efc-keymgmt"));
    free(out);
  }
  assert_int_equal(km("", "--help"), 0);
  assert_int_equal(km("", "%s", ""), 2);
  assert_int_equal(km("", "frobnicate"), 2);
  expect_one_line("unknown command", NULL);
  assert_int_equal(km("", "list"), 2);
  expect_one_line("--keystore FILE is required", NULL);
  assert_int_equal(km("", "list --keystore keys.eks"), 2); /* no passphrase anywhere */
  expect_one_line("EFC_KEYSTORE_PASS", NULL);
  assert_int_equal(km("", "list --keystore keys.eks --pass-file nope.pass"), 1);
  expect_one_line("nope.pass: cannot read passphrase file", NULL);
  assert_int_equal(km("", "rotate --keystore keys.eks " PASS_FILES), 2);
  assert_int_equal(km("", "rotate --keystore keys.eks " PASS_FILES " --mack-ref 4"), 1);
  expect_one_line("--mack-ref: expected 0..3", NULL);
  assert_int_equal(km("", "export-operator --keystore keys.eks " PASS_FILES
                          " --generation 6 --out x.eok --out-pass-file op.pass"),
                   1);
  expect_one_line("--generation", NULL);
  assert_int_equal(km("", "init --keystore keys.eks " PASS_FILES), 1);
  expect_one_line("keys.eks: exists; refusing to overwrite it", NULL);
  assert_int_equal(km("", "personalise --keystore keys.eks " PASS_FILES
                          " --obuid 00A1B2C3 --pan 2800000012345678907F --provider NO:1"
                          " --profiles autopass,bogus --out x.eop --out-pass-file obe.pass"),
                   1);
  expect_one_line("--profiles", NULL);
  assert_int_equal(km("", "personalise --keystore keys.eks " PASS_FILES
                          " --obuid 00A1B2C3 --pan 2800000012345678907F --provider NO:1"
                          " --profiles aes --ac-cr-ref 0400 --out x.eop --out-pass-file obe.pass"),
                   1);
  expect_one_line("--ac-cr-ref: MasterKeyReference 4", NULL);
  assert_int_equal(
      km("", "personalise --keystore keys.eks " PASS_FILES
             " --obuid 00A1B2C3 --pan 2800000012345678907F --provider NO:1"
             " --profiles aes --expiry 2030-02-30 --out x.eop --out-pass-file obe.pass"),
      1);
  expect_one_line("--expiry", NULL);
  /* The environment works as a passphrase source too; list never prints a key. */
  assert_int_equal(km("EFC_KEYSTORE_PASS='keystore passphrase'", "list --keystore keys.eks"), 0);
  {
    size_t len;
    uint8_t *out = slurp("out.txt", &len);
    const uint8_t *keys[40];
    size_t n = master_keys(keys);
    for (size_t i = 0; i < n; i++) {
      char hex[33];
      for (int j = 0; j < 16; j++) snprintf(hex + 2 * j, 3, "%02X", keys[i][j]);
      assert_null(strstr((char *)out, hex));
      hex[16] = '\0';
      assert_null(strstr((char *)out, hex));
    }
    assert_non_null(strstr((char *)out, "MAuK_5         keyRef 5 MAC_TSP"));
    free(out);
  }
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_state_after_commands), cmocka_unit_test(test_keystore_no_clear_keys),
      cmocka_unit_test(test_obe_profile),          cmocka_unit_test(test_operator_file),
      cmocka_unit_test(test_bad_keystores),        cmocka_unit_test(test_crash_before_rename),
      cmocka_unit_test(test_audit_verify),         cmocka_unit_test(test_usage),
  };
  return cmocka_run_group_tests(tests, setup, teardown);
}
