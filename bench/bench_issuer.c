/* efc-bench-issuer: efc-issuer verify on many claims, for wall time, claims per second and
 * the verify process's peak resident memory (getrusage of the child), at two sizes to show
 * that memory does not grow with the number of claims.
 *
 * The claims are real (every MAC and commitment computes), but made directly rather than
 * through the lane simulation: OBEs personalised in memory with sim_obe_make, each passage's
 * fields computed with the dsrc/keys.h functions as the OBE and RSE engines would. Run by
 * hand, never by ctest:
 *   efc-bench-issuer [CLAIMS (1000000)] [--obes N (10000)] [--small CLAIMS (N/10)] [--keep]
 * The files go to a fresh directory under $TMPDIR (or /tmp), removed at the end unless
 * --keep. */
/* wait4(): the child's own rusage, not the maximum over every child so far. */
#define _DEFAULT_SOURCE
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "dsrc/efc.h"
#include "dsrc/keys.h"
#include "dsrc/tapdu.h"
#include "obe/obe.h"
#include "efc/claim.h"
#include "sim/world.h"

#define PASS "bench passphrase"
#define T0 INT64_C(173323372000)
#define HOUR INT64_C(360000)
#define KEYREF_TSP 5
#define KEYREF_TC 1

static double now_s(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

typedef struct {
  keymgmt_obe_profile prof;
  uint16_t tc, counter;
} bench_obe;

typedef struct {
  dsrc_crypto *c;
  dsrc_prng prng;
} gen;

/* The common fields, as the RSE fills them (rse/src/txn.c). */
static void claim_common(gen *g, efc_claim *c, int profile, uint16_t station, int64_t t,
                         const bench_obe *o) {
  dsrc_rng rng = dsrc_prng_rng(&g->prng);
  memset(c, 0, sizeof(*c));
  c->profile = profile;
  c->station = station;
  c->lane = 1;
  c->beacon.manufacturer_id = 1;
  c->beacon.individual_id = station;
  c->time_cs = t;
  c->vehicle_class = 2;
  c->fee = efc_tariff(2);
  c->verdict = EFC_PASS;
  c->nonce_mode = EFC_NONCE_COMMIT;
  dsrc_rng_bytes(&rng, c->salt, sizeof(c->salt));
  c->has_obuid = true;
  memcpy(c->obuid, o->prof.obuid, 4);
}

/* GET_SECURE as the OBE answers it: TC advanced first, MAC1 under SSKEY-N, MAC2 under
 * SSKEY-F, both from RND-1 (the RSE's commitment) and T. */
static int claim_autopass(gen *g, efc_claim *c, bench_obe *o) {
  dsrc_rng rng = dsrc_prng_rng(&g->prng);
  uint8_t sskey[DSRC_AUTOPASS_KEY], tc[2];
  int rv;
  c->tc = ++o->tc;
  tc[0] = (uint8_t)(c->tc >> 8);
  tc[1] = (uint8_t)c->tc;
  rv = efc_commit_with(g->c, c->rnd1, "RND-1", c->station, c->lane, c->time_cs, c->salt);
  dsrc_autopass_time_octets(c->t, (uint32_t)c->time_cs);
  dsrc_rng_bytes(&rng, c->rnd2, 4);
  c->keygen = 0x11;
  if (rv == 0) rv = dsrc_autopass_sskey(g->c, sskey, o->prof.obukey_n[0], c->rnd1, c->t);
  if (rv == 0) rv = dsrc_autopass_mac(g->c, c->mac1, sskey, c->obuid, 0, tc, c->rnd2);
  if (rv == 0) rv = dsrc_autopass_sskey(g->c, sskey, o->prof.obukey_f[0], c->rnd1, c->t);
  if (rv == 0) rv = dsrc_autopass_mac(g->c, c->mac2, sskey, c->obuid, 0, tc, c->rnd2);
  dsrc_crypto_wipe(sskey, sizeof(sskey));
  return rv;
}

/* GET_STAMPED {24, 26, 32} twice (MAC_TSP, MAC_TC) over the commitment nonces; the RSE's
 * SET then advances the counter. */
static int claim_stamped(gen *g, efc_claim *c, bench_obe *o) {
  dsrc_tapdu t;
  dsrc_attr_list l;
  dsrc_attribute *a;
  dsrc_ssize n;
  bool aes = c->profile == EFC_PROFILE_AES;
  int rv;
  c->level = (uint8_t)efc_profile_level(c->profile);
  memcpy(c->pan, o->prof.pan, 10);
  memcpy(c->provider, o->prof.context_mark, 3);
  c->counter = o->counter;
  o->counter = (uint16_t)((o->counter + 1) & 0x0fff);
  dsrc_tapdu_init(&t, DSRC_ACTION_RS);
  if (!(a = dsrc_tapdu_attrs_alloc(&t, &l, 3))) return -1;
  a[0].id = DSRC_ATTR_OBUID;
  a[0].value.kind = DSRC_C_EQUOBUID;
  memcpy(a[0].value.u.obu_id, o->prof.obuid, 4);
  a[1].id = DSRC_ATTR_STATUS;
  a[1].value.kind = DSRC_C_EQUSTAT;
  a[1].value.u.status.counter = c->counter;
  a[2].id = DSRC_ATTR_PAYMENT_MEANS;
  a[2].value.kind = DSRC_C_PAYMEANS;
  memcpy(a[2].value.u.payment_means.pan, o->prof.pan, 10);
  a[2].value.u.payment_means.expiry.year = 2030;
  a[2].value.u.payment_means.expiry.month = 12;
  a[2].value.u.payment_means.expiry.day = 31;
  t.npool = (uint8_t)(l.first + 3);
  n = dsrc_attr_list_encode(c->attrlist, sizeof(c->attrlist), &t, l);
  if (n < 0) return (int)n;
  c->attrlist_len = (uint8_t)n;
  c->keyref_tsp = KEYREF_TSP;
  c->keyref_tc = KEYREF_TC;
  rv = efc_commit_with(g->c, c->nonce_tsp, "TSP", c->station, c->lane, c->time_cs, c->salt);
  if (rv == 0) rv = efc_commit_with(g->c, c->nonce_tc, "TC", c->station, c->lane, c->time_cs, c->salt);
  if (rv == 0 && aes) {
    rv = dsrc_aesref_authenticator(g->c, c->mac_tsp, o->prof.aes_auk[KEYREF_TSP - 1], c->attrlist,
                                  c->attrlist_len, c->nonce_tsp, 4);
    if (rv == 0)
      rv = dsrc_aesref_authenticator(g->c, c->mac_tc, o->prof.aes_auk[KEYREF_TC - 1], c->attrlist,
                                    c->attrlist_len, c->nonce_tc, 4);
  } else if (rv == 0) {
    rv = dsrc_en15509_authenticator(g->c, c->mac_tsp, o->prof.auk[KEYREF_TSP - 1], c->attrlist,
                                   c->attrlist_len, c->nonce_tsp, 4);
    if (rv == 0)
      rv = dsrc_en15509_authenticator(g->c, c->mac_tc, o->prof.auk[KEYREF_TC - 1], c->attrlist,
                                     c->attrlist_len, c->nonce_tc, 4);
  }
  return rv;
}

/* Writes n claims of nobes OBEs (profile = id mod 4; each OBE passes once an hour, at one of
 * five stations in turn) to path, and the first small of them to small_path too. */
static int generate(const sim_keys *k, dsrc_crypto *c, uint64_t n, unsigned nobes, uint64_t small,
                    const char *path, const char *small_path) {
  bench_obe *obes = calloc(nobes, sizeof(*obes));
  FILE *f = fopen(path, "w"), *fs = fopen(small_path, "w");
  gen g = {c, {{0}}};
  char line[2048];
  int rv = 0;
  if (!obes || !f || !fs) {
    fprintf(stderr, "efc-bench-issuer: cannot create %s: %s\n", path, strerror(errno));
    rv = -1;
    goto out;
  }
  dsrc_prng_seed(&g.prng, 42);
  for (unsigned i = 0; i < nobes && rv == 0; i++) {
    uint32_t id = 0x01000000u + i;
    rv = sim_obe_make(&obes[i].prof, c, k, id, efc_profile_bit((int)(id % EFC_PROFILE_COUNT)));
  }
  for (uint64_t p = 0; p < n && rv == 0; p++) {
    unsigned i = (unsigned)(p % nobes);
    uint64_t round = p / nobes;
    uint32_t id = 0x01000000u + i;
    int profile = (int)(id % 4);
    efc_claim cl;
    claim_common(&g, &cl, profile, (uint16_t)(100 + round % 5),
                 T0 + (int64_t)round * HOUR + (int64_t)i * 10, &obes[i]);
    rv = profile == EFC_PROFILE_AUTOPASS ? claim_autopass(&g, &cl, &obes[i])
                                         : claim_stamped(&g, &cl, &obes[i]);
    if (rv == 0) rv = efc_claim_format(&cl, line, sizeof(line)) > 0 ? 0 : -1;
    if (rv == 0) {
      fprintf(f, "%s\n", line);
      if (p < small) fprintf(fs, "%s\n", line);
    }
  }
  if (rv != 0) fprintf(stderr, "efc-bench-issuer: claim generation failed (%d)\n", rv);
out:
  if (obes)
    for (unsigned i = 0; i < nobes; i++) keymgmt_obe_profile_wipe(&obes[i].prof);
  free(obes);
  /* Scratch input of the benchmark, but a claim lost to a full disk would skew its figures:
   * the stream's error flag and the close are both checked. */
  if (f && (ferror(f) ? (fclose(f), 1) : fclose(f) != 0)) {
    fprintf(stderr, "efc-bench-issuer: %s: cannot write\n", path);
    rv = -1;
  }
  if (fs && (ferror(fs) ? (fclose(fs), 1) : fclose(fs) != 0)) {
    fprintf(stderr, "efc-bench-issuer: %s: cannot write\n", small_path);
    rv = -1;
  }
  return rv;
}

typedef struct {
  double wall_s;
  long maxrss_kib;    /* the whole process (getrusage), keystore opening included */
  long claims_rss_kib; /* the highest VmRSS sampled once the database was open */
  int status;
} run_result;

/* VmRSS of a process in KiB, or -1. */
static long rss_kib(pid_t pid) {
  char path[64], line[256];
  long v = -1;
  FILE *f;
  snprintf(path, sizeof(path), "/proc/%d/status", (int)pid);
  if (!(f = fopen(path, "r"))) return -1;
  while (fgets(line, sizeof(line), f))
    if (strncmp(line, "VmRSS:", 6) == 0) v = strtol(line + 6, NULL, 10);
  fclose(f);
  return v;
}

/* efc-issuer verify as a child process: its wall time and its own peak RSS. The keystore's
 * scrypt (32 MiB, released after the load) sets getrusage's peak whatever the claims, so
 * the child's RSS is also sampled every 5 ms from the moment its database exists: that is
 * the memory the claims themselves cost. */
static int run_verify(const char *dir, const char *claims, const char *db, const char *out,
                      run_result *r) {
  struct timespec tick = {0, 5000000};
  struct rusage ru;
  char dbpath[512];
  double t0 = now_s();
  int st;
  pid_t pid, w;
  snprintf(dbpath, sizeof(dbpath), "%s/%s", dir, db);
  r->claims_rss_kib = 0;
  fflush(stdout); /* or the child's freopen writes our buffer a second time */
  pid = fork();
  if (pid < 0) return -1;
  if (pid == 0) {
    if (chdir(dir) != 0 || !freopen(out, "w", stdout)) _exit(98);
    setenv("EFC_KEYSTORE_PASS", PASS, 1);
    execl(EFC_ISSUER_BIN, "efc-issuer", "verify", "--keystore", "keys.eks", "--claims", claims,
          "--db", db, (char *)NULL);
    _exit(99);
  }
  while ((w = wait4(pid, &st, WNOHANG, &ru)) == 0) {
    struct stat sb;
    if (stat(dbpath, &sb) == 0) {
      long v = rss_kib(pid);
      if (v > r->claims_rss_kib) r->claims_rss_kib = v;
    }
    nanosleep(&tick, NULL);
  }
  if (w != pid) return -1;
  r->wall_s = now_s() - t0;
  r->maxrss_kib = ru.ru_maxrss;
  r->status = WIFEXITED(st) ? WEXITSTATUS(st) : -1;
  return 0;
}

static double file_mib(const char *dir, const char *name) {
  char path[512];
  struct stat st;
  snprintf(path, sizeof(path), "%s/%s", dir, name);
  return stat(path, &st) == 0 ? (double)st.st_size / 1048576.0 : 0;
}

/* The summary's line starting with prefix, from the child's stdout file. */
static void show_line(const char *dir, const char *name, const char *prefix) {
  char path[512], line[512];
  FILE *f;
  snprintf(path, sizeof(path), "%s/%s", dir, name);
  if (!(f = fopen(path, "r"))) return;
  while (fgets(line, sizeof(line), f))
    if (strncmp(line, prefix, strlen(prefix)) == 0) printf("    %s", line);
  fclose(f);
}

static int parse_u64(const char *s, uint64_t *v) {
  char *end;
  if (!s || !*s || *s == '-') return -1;
  errno = 0;
  *v = strtoull(s, &end, 10);
  return *end || errno ? -1 : 0;
}

int main(int argc, char **argv) {
  uint64_t n = 1000000, nobes = 10000, small = 0;
  bool keep = false;
  const char *tmp = getenv("TMPDIR");
  char dir[256], path[512], err[512];
  dsrc_crypto *c;
  sim_keys keys;
  double t0;
  int rv;
  for (int i = 1; i < argc; i++) {
    if (strcmp(argv[i], "--keep") == 0) keep = true;
    else if (strcmp(argv[i], "--obes") == 0 && i + 1 < argc) {
      if (parse_u64(argv[++i], &nobes) != 0 || nobes == 0 || nobes > 1000000) goto usage;
    } else if (strcmp(argv[i], "--small") == 0 && i + 1 < argc) {
      if (parse_u64(argv[++i], &small) != 0) goto usage;
    } else if (parse_u64(argv[i], &n) != 0 || n == 0)
      goto usage;
  }
  if (small == 0 || small > n) small = n / 10 ? n / 10 : 1;
  snprintf(dir, sizeof(dir), "%s/efc-bench-issuer-XXXXXX", tmp && *tmp ? tmp : "/tmp");
  if (!mkdtemp(dir)) {
    fprintf(stderr, "efc-bench-issuer: %s: %s\n", dir, strerror(errno));
    return 1;
  }
  if (dsrc_crypto_new(&c, err, sizeof(err)) != 0 || sim_keys_init(&keys, c, 1) != 0) {
    fprintf(stderr, "efc-bench-issuer: set-up failed: %s\n", err);
    return 1;
  }
  snprintf(path, sizeof(path), "%s/keys.eks", dir);
  if (keymgmt_keystore_save(&keys.issuer, path, PASS, true, err, sizeof(err)) != 0) {
    fprintf(stderr, "efc-bench-issuer: %s\n", err);
    return 1;
  }
  printf("efc-bench-issuer: %" PRIu64 " and %" PRIu64 " claims of %" PRIu64
         " OBEs (all four profiles), in %s\n",
         small, n, nobes, dir);
  t0 = now_s();
  {
    char full[512], part[512];
    snprintf(full, sizeof(full), "%s/claims.jsonl", dir);
    snprintf(part, sizeof(part), "%s/small.jsonl", dir);
    rv = generate(&keys, c, n, (unsigned)nobes, small, full, part);
  }
  sim_keys_wipe(&keys);
  dsrc_crypto_free(c);
  if (rv != 0) return 1;
  printf("generated in %.1f s (%.0f claims/s); claims file %.1f MiB\n\n", now_s() - t0,
         (double)n / (now_s() - t0), file_mib(dir, "claims.jsonl"));

  printf("%10s %10s %12s %14s %16s %10s\n", "claims", "wall s", "claims/s", "peak RSS MiB",
         "claims RSS MiB", "DB MiB");
  {
    const char *names[2] = {"small.jsonl", "claims.jsonl"};
    const char *dbs[2] = {"small.db", "claims.db"};
    const char *outs[2] = {"small.out", "claims.out"};
    uint64_t counts[2] = {small, n};
    for (int i = 0; i < 2; i++) {
      run_result r;
      if (run_verify(dir, names[i], dbs[i], outs[i], &r) != 0 || r.status != 0) {
        fprintf(stderr, "efc-bench-issuer: efc-issuer verify %s failed (status %d)\n", names[i],
                r.status);
        return 1;
      }
      printf("%10" PRIu64 " %10.2f %12.0f %14.1f %16.1f %10.1f\n", counts[i], r.wall_s,
             (double)counts[i] / r.wall_s, (double)r.maxrss_kib / 1024.0,
             (double)r.claims_rss_kib / 1024.0, file_mib(dir, dbs[i]));
    }
    printf("\npeak RSS: getrusage of the verify process, which includes the keystore's scrypt\n"
           "(32 MiB, freed after the load); claims RSS: the highest VmRSS sampled while the\n"
           "claims were loaded and analysed. Wall time includes the scrypt run (~0.2 s).\n"
           "From the summaries:\n");
    for (int i = 0; i < 2; i++) {
      show_line(dir, outs[i], "this run:");
      show_line(dir, outs[i], "flagged claims:");
    }
  }
  if (!keep) {
    snprintf(path, sizeof(path), "rm -rf '%s'", dir);
    if (system(path) != 0) fprintf(stderr, "efc-bench-issuer: could not remove %s\n", dir);
  }
  return 0;
usage:
  fprintf(stderr, "usage: efc-bench-issuer [CLAIMS] [--obes N] [--small CLAIMS] [--keep]\n");
  return 2;
}
