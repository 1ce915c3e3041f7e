/* T3 clone with the operator's keys: an OBE built from what an RSE holds (MKEY-F of one
 * generation, the MAC_TC keys, the access keys) for an invented obuid. */
#include <stdio.h>

#include "sim/attack.h"

int atk_t03_clone_operator_keys(atk_world *w, const atk_params *p, atk_outcome *out) {
  atk_obe a;
  atk_track t;
  char err[200];
  if (atk_obe_make_operator_clone(w, &a, 0x00c10e01) != 0 ||
      atk_track_obe(w, &a, p->passages, &t, err, sizeof(err)) != 0) {
    snprintf(out->evidence, sizeof(out->evidence), "set-up failed");
    return -1;
  }
  out->passages = t.passages;
  /* Passages before the status list stops it are not chargeable: no issuer backs them. */
  out->lost_charges = t.unpaid;
  atk_outcome_set(out, t.detected,
                  t.detected == ATK_NOT_DETECTED ? "free passages that pass every check" : "passages until listed",
                  "%s", t.text);
  return 0;
}
