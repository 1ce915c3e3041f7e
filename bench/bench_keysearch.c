/* efc-bench-keysearch: threat T12 on this machine. Trial rates of the attacker's loops
 * (sim/keysearch.h) at 1 thread and on every core, the time to search each key space at
 * those rates and at published hardware rates, the candidate and capture arithmetic, and
 * the reduced-space search on a real AuthenticationKey.
 *
 * Usage: efc-bench-keysearch [seconds per measurement, default 3] [repeats, default 1]
 *                            [--no-demo]
 * With repeats > 1 the rows are measured round by round, that many rounds, and the median
 * of each row reported
 * (other load on the machine only ever lowers a rate; the median resists one bad run). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "security/keysearch.h"

static int cmp_double(const void *a, const void *b) {
  double x = *(const double *)a, y = *(const double *)b;
  return (x > y) - (x < y);
}

enum { MAX_REPEATS = 15, MAX_ROWS = 2 * SEC_KS_CIPHERS };

/* The run with the median rate of a row, so its other fields stay consistent with it. */
static sec_ks_rate median(sec_ks_rate *runs, int n) {
  double rates[MAX_REPEATS];
  for (int i = 0; i < n; i++) rates[i] = runs[i].rate;
  qsort(rates, (size_t)n, sizeof(double), cmp_double);
  for (int i = 0; i < n; i++)
    if (runs[i].rate == rates[n / 2]) return runs[i];
  return runs[0];
}

static double now_s(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

int main(int argc, char **argv) {
  double seconds = 3.0, t_start = now_s();
  int repeats = 1, demo = 1, nargs = 0;
  unsigned cores = sec_keysearch_cores();
  sec_ks_rate all[SEC_KS_CIPHERS];
  const sec_ks_published *pub;
  size_t npub = sec_keysearch_published(&pub);
  char d1[48], d2[48];

  for (int i = 1; i < argc; i++) {
    if (strcmp(argv[i], "--help") == 0) {
      printf("usage: efc-bench-keysearch [SECONDS] [REPEATS] [--no-demo]\n\n"
             "Threat T12 on this machine: the attacker's trial rates on 1 thread and on every core\n"
             "(SECONDS per measurement, default 3; the median of REPEATS rounds, default 1), the\n"
             "time to search each key space, and (unless --no-demo) a reduced-space search on a\n"
             "real AuthenticationKey.\n");
      return 0;
    }
    if (strcmp(argv[i], "--no-demo") == 0) {
      demo = 0;
    } else if (argv[i][0] == '-') {
      fprintf(stderr, "usage: efc-bench-keysearch [SECONDS] [REPEATS] [--no-demo]\n");
      return 2;
    } else if (nargs++ == 0) {
      seconds = atof(argv[i]);
    } else {
      repeats = atoi(argv[i]);
    }
  }
  if (!(seconds > 0)) seconds = 3.0;
  if (repeats < 1) repeats = 1;
  if (repeats > MAX_REPEATS) repeats = MAX_REPEATS;

  printf("efc-bench-keysearch: %.1f s per measurement, median of %d, %u online cores\n\n", seconds,
         repeats, cores);
  printf("-- trial rates (OpenSSL EVP, one context per thread re-keyed per trial) --\n");
  /* Repeats go round every row in turn, so load that comes and goes hits all rows alike. */
  static sec_ks_rate runs[MAX_ROWS][MAX_REPEATS];
  int rows = 0, cipher_of[MAX_ROWS];
  unsigned threads_of[MAX_ROWS];
  for (int c = 0; c < SEC_KS_CIPHERS; c++) {
    cipher_of[rows] = c;
    threads_of[rows++] = 1;
    if (cores > 1) {
      cipher_of[rows] = c;
      threads_of[rows++] = cores;
    }
  }
  for (int r = 0; r < repeats; r++)
    for (int row = 0; row < rows; row++) {
      char err[256];
      if (sec_keysearch_rate(&runs[row][r], cipher_of[row], seconds, threads_of[row], err,
                             sizeof(err))) {
        fprintf(stderr, "efc-bench-keysearch: %s\n", err);
        return 1;
      }
    }
  printf("%-12s %-8s %7s %14s %14s %10s %7s\n", "cipher", "threads", "trials", "trials/s",
         "per thread", "ns/trial", "blocks");
  for (int row = 0; row < rows; row++) {
    sec_ks_rate m = median(runs[row], repeats);
    printf("%-12s %-8u %6.1fM %14.4g %14.4g %10.1f %7u", sec_keysearch_cipher_name(m.cipher),
           m.threads, (double)m.trials / 1e6, m.rate, m.rate_per_thread, m.ns_per_trial,
           m.blocks_per_trial);
    if (repeats > 1) {
      printf("   runs:");
      for (int r = 0; r < repeats; r++) printf(" %.3g", runs[row][r].rate);
    }
    printf("\n");
    all[m.cipher] = m; /* the last row of a cipher: every core */
  }

  printf("\n-- time to search the key space (expected = half of it) --\n");
  for (int c = 0; c < SEC_KS_CIPHERS; c++) {
    unsigned k = sec_keysearch_key_bits(c);
    sec_ks_time t = sec_keysearch_extrapolate(k, all[c].rate);
    printf("%s: %s, key %s, 2^%u keys, %u block ops per trial\n", sec_keysearch_cipher_name(c),
           sec_keysearch_cipher_mac(c), sec_keysearch_cipher_key(c), k, sec_keysearch_blocks(c));
    sec_keysearch_format_duration(d1, sizeof(d1), t.expected_s);
    sec_keysearch_format_duration(d2, sizeof(d2), t.full_s);
    printf("  %-44s %12.4g trials/s  expected %-16s full %s\n", "this machine, all cores", all[c].rate,
           d1, d2);
    for (size_t p = 0; p < npub; p++) {
      double rate = sec_keysearch_hw_rate(&pub[p], c);
      char who[80];
      t = sec_keysearch_extrapolate(k, rate);
      sec_keysearch_format_duration(d1, sizeof(d1), t.expected_s);
      sec_keysearch_format_duration(d2, sizeof(d2), t.full_s);
      snprintf(who, sizeof(who), "%s (%d)", pub[p].name, pub[p].year);
      printf("  %-44s %12.4g trials/s  expected %-16s full %s\n", who, rate, d1, d2);
    }
  }

  printf("\n-- candidates left by a 4-octet MAC, captures to pin the key (p >= %.2f) --\n",
         SEC_KS_PIN_PROBABILITY);
  for (int c = 0; c < SEC_KS_CIPHERS; c++) {
    sec_ks_candidates m;
    unsigned per = sec_keysearch_captures_per_key(c);
    char avail[32];
    sec_keysearch_candidates(&m, sec_keysearch_key_bits(c), SEC_KS_MAC_BITS);
    snprintf(avail, sizeof(avail), per ? "%u per key" : "no limit", per);
    printf("%-12s 2^%-3.0f candidates after 1; %u captures carry the key (wrong left %.3g, "
           "unique p=%.3g); %u pin it (wrong left %.3g); captures available: %s\n",
           sec_keysearch_cipher_name(c), m.candidates_log2, m.captures_min, m.wrong_at_min,
           m.p_unique_at_min, m.captures_to_pin, m.wrong_after_pin, avail);
  }

  if (demo) {
    sec_ks_demo d;
    char err[256];
    printf("\n-- reduced-space search on the worked example's AuthenticationKey --\n");
    if (sec_keysearch_demo(&d, NULL, SEC_KS_DEMO_UNKNOWN_BITS, SEC_KS_DEMO_MAC_BITS, 0, err,
                           sizeof(err))) {
      fprintf(stderr, "efc-bench-keysearch: %s\n", err);
      return 1;
    }
    printf("B = %u unknown key bits, M = %u MAC bits compared, %u threads: %llu trials in %.2f s "
           "(%.4g trials/s)\n",
           d.unknown_bits, d.mac_bits, d.threads, (unsigned long long)d.trials, d.seconds, d.rate);
    printf("after capture 1: %llu candidates (expected %.1f), real key among them: %s\n",
           (unsigned long long)d.candidates[0], d.expected[0], d.real_in[0] ? "yes" : "NO");
    printf("after capture 2: %llu candidates (expected %.4f), real key among them: %s -> %s\n",
           (unsigned long long)d.candidates[1], d.expected[1], d.real_in[1] ? "yes" : "NO",
           d.pinned ? "pinned" : "NOT pinned");
  }
  printf("\ntotal wall time %.1f s\n", now_s() - t_start);
  return 0;
}
