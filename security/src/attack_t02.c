/* T2 clone: a real OBE's identity (obuid, PAN, contract) copied, its keys unknown. */
#include <stdio.h>

#include "security/attack.h"

int sec_t02_clone_wrong_keys(sec_world *w, const sec_params *p, sec_outcome *out) {
  sim_keys own;
  sec_obe real, clone;
  sec_track t;
  char err[200];
  int rv = -1;
  if (sim_keys_init(&own, w->crypto, p->seed + 2000) != 0) return -1;
  /* The victim passes once (its claim is in the issuer's history), then the clone: the same
   * id, so the same obuid and PAN, with keys from the attacker's own master keys. */
  if (sec_obe_make(w, &real, 0x00c0ffee, NULL) == 0 && sec_obe_make(w, &clone, 0x00c0ffee, &own) == 0 &&
      sec_track_obe(w, &real, 1, &t, err, sizeof(err)) == 0 &&
      sec_track_obe(w, &clone, p->passages, &t, err, sizeof(err)) == 0) {
    sec_passage after;
    out->passages = t.passages;
    out->lost_charges = t.unpaid;
    /* A clone that passes unflagged is charged to the victim's contract. */
    out->wrong_charges = t.detected == SEC_NOT_DETECTED ? t.passages : 0;
    /* The issuer cannot tell which of two devices with one obuid is genuine: the victim's
     * own next passage meets whatever the clone's claims put on the status list. */
    if (sec_pass(w, &real, &after) == 0) {
      char why[64];
      efc_reasons_format(why, sizeof(why), after.reasons);
      sec_outcome_set(out, t.detected, t.detected == SEC_AT_LANE ? "-" : "passages charged to the victim",
                      "%s; victim's next passage: %s%s%s%s", t.text, efc_verdict_name(after.verdict),
                      why[0] ? " (" : "", why, why[0] ? ")" : "");
      rv = 0;
    }
  } else {
    snprintf(out->evidence, sizeof(out->evidence), "%s", err);
  }
  sim_keys_wipe(&own);
  return rv;
}
