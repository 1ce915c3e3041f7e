/* T3 clone with the operator's keys: an OBE built from what an RSE holds (MKEY-F of one
 * generation, the MAC_TC keys, the access keys) for an invented obuid. */
#include <stdio.h>

#include "security/attack.h"

int sec_t03_clone_operator_keys(sec_world *w, const sec_params *p, sec_outcome *out) {
  sec_obe a;
  sec_track t;
  char err[200];
  if (sec_obe_make_operator_clone(w, &a, 0x00c10e01) != 0 ||
      sec_track_obe(w, &a, p->passages, &t, err, sizeof(err)) != 0) {
    snprintf(out->evidence, sizeof(out->evidence), "set-up failed");
    return -1;
  }
  out->passages = t.passages;
  /* Passages before the status list stops it are not chargeable: no issuer backs them. */
  out->lost_charges = t.unpaid;
  sec_outcome_set(out, t.detected,
                  t.detected == SEC_NOT_DETECTED ? "free passages that pass every check" : "passages until listed",
                  "%s", t.text);
  return 0;
}
