/* T7: not written yet; it reports that it did not run. */
#include <stdio.h>

#include "sim/attack.h"

int atk_t07_replay(atk_world *w, const atk_params *p, atk_outcome *out) {
  (void)w;
  (void)p;
  snprintf(out->evidence, sizeof(out->evidence), "not written yet");
  return -1;
}
