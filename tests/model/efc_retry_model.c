/* efc-retry-model: the retry model's predictions for the four profiles at given bit error
 * rates, with the exchanges and frame sizes taken from clean passages of the simulator
 * (docs/timing-model.md prints them beside the simulator's figures).
 *   efc-retry-model [--policy by-window|realloc-first] [--legacy] BER... */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "passage.h"

int main(int argc, char **argv) {
  ph_world w;
  int policy = RM_BY_WINDOW;
  bool legacy = false, dist = false;
  double bers[16];
  unsigned nbers = 0;
  for (int i = 1; i < argc; i++) {
    char *end;
    if (strcmp(argv[i], "--policy") == 0 && i + 1 < argc) {
      policy = rse_retry_policy_parse(argv[++i]);
      if (policy < 0) {
        fprintf(stderr, "efc-retry-model: --policy: '%s' is not by-window or realloc-first\n", argv[i]);
        return 2;
      }
    } else if (strcmp(argv[i], "--legacy") == 0) {
      legacy = true;
    } else if (strcmp(argv[i], "--dist") == 0) {
      dist = true;
    } else if (nbers < 16) {
      bers[nbers] = strtod(argv[i], &end);
      if (*end || !(bers[nbers] >= 0 && bers[nbers] < 0.5)) {
        fprintf(stderr, "efc-retry-model: '%s' is not a bit error rate\n", argv[i]);
        return 2;
      }
      nbers++;
    }
  }
  if (nbers == 0) {
    fprintf(stderr, "usage: efc-retry-model [--policy by-window|realloc-first] [--legacy] [--dist] BER...\n");
    return 2;
  }
  if (ph_world_init(&w) != 0) {
    fprintf(stderr, "efc-retry-model: crypto set-up failed\n");
    return 1;
  }
  printf("profile      BER      P(failed)      mean retries  (policy %s, %s MCU)\n", rse_retry_policy_name(policy),
         legacy ? "legacy" : "modern");
  for (int p = 0; p < EFC_PROFILE_COUNT; p++) {
    rm_transaction t;
    if (ph_transaction(&w, p, legacy, 20, &t) != 0) {
      fprintf(stderr, "efc-retry-model: %s: clean passages did not give one sequence\n", efc_profile_name(p));
      return 1;
    }
    for (unsigned b = 0; b < nbers; b++) {
      rm_passage_result r;
      rm_passage_solve(&t, bers[b], 3, policy, &r);
      printf("%-12s %.0e  %.4e     %.4f\n", efc_profile_name(p), bers[b], r.p_fail, r.retries_mean);
      for (unsigned j = 0; dist && j < 12; j++)
        printf("    %2u retries: %.6e (failed %.6e)\n", j, r.dist[j], r.dist_fail[j]);
    }
  }
  ph_world_free(&w);
  return 0;
}
