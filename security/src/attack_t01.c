/* T1 impersonation: an OBE with an invented identity and keys of the attacker's own. */
#include <stdio.h>

#include "security/attack.h"

int sec_t01_impersonation(sec_world *w, const sec_params *p, sec_outcome *out) {
  sim_keys own;
  sec_obe a;
  sec_track t;
  char err[200];
  int rv = -1;
  if (sim_keys_init(&own, w->crypto, p->seed + 1000) != 0) return -1;
  /* An obuid no issuer gave out, keys from the attacker's own master keys. */
  if (sec_obe_make(w, &a, 0x0f0f0001, &own) == 0 && sec_track_obe(w, &a, p->passages, &t, err, sizeof(err)) == 0) {
    /* Caught or not, nobody is wrongly charged: the forgery names no real contract. */
    out->passages = t.passages;
    out->lost_charges = t.unpaid;
    sec_outcome_set(out, t.detected, t.detected == SEC_AT_LANE ? "-" : "free passages", "%s", t.text);
    rv = 0;
  } else {
    snprintf(out->evidence, sizeof(out->evidence), "%s", err);
  }
  sim_keys_wipe(&own);
  return rv;
}
