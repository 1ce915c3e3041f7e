/* T13 compromise of one key generation: an insider leaks the operator's current key set
 * (w->keys.op: MKEY-F of generation g, the MAC_TC MAuKs, the MAcKs), the attacker builds
 * clones from it, and the issuer rotates:
 *   AutoPASS: the current generation becomes the next one, the operator's keys are exported
 *     again for it; genuine OBEs hold OBUKEY-F of all five generations, the clone only of
 *     the leaked one.
 *   EN 15509 and AES have no generations. The analogue: the lane's MAC_TC keyRef moves to
 *     the next MAC_TC key, and at Level 1 (and AES) the issuer's current AC_CR
 *     MasterKeyReference moves on; then, since an OBE's reference is fixed when it is
 *     personalised, the lane drops the old MAcK to see what that costs.
 * Measured: the clone before the rotation, a fresh clone from the same leak after it, genuine
 * OBEs after it, and whether the claims from before still verify. The row is where the
 * clone made after the rotation is caught. */
#include <stdio.h>
#include <string.h>

#include "dsrc/keys.h"
#include "security/attack.h"

#define T13_ID_GENUINE 0x00d13001u
#define T13_ID_CLONE_BEFORE 0x00c13001u
#define T13_ID_CLONE_AFTER 0x00c13002u

/* The next keyRef after k (cyclically in 1..8) whose role is MAC_TC, or k when none. */
static uint8_t next_tc_keyref(uint8_t k) {
  for (int i = 1; i <= DSRC_AUK_COUNT; i++) {
    int r = (k - 1 + i) % DSRC_AUK_COUNT + 1;
    if (r != k && dsrc_en15509_keyref_role(r) == DSRC_MAC_ROLE_TC) return (uint8_t)r;
  }
  return k;
}

/* "1-4" style list of the bits set in m (bit i = first + i). */
static void held_text(char *out, size_t cap, unsigned m, int first) {
  int lo = -1, n = 0;
  size_t len = 0;
  out[0] = 0;
  for (int i = 0; i <= 8; i++) {
    bool on = i < 8 && (m & (1u << i));
    if (on && lo < 0) lo = i;
    if (!on && lo >= 0) {
      int k = i - 1 == lo ? snprintf(out + len, cap - len, "%s%d", n ? "," : "", lo + first)
                          : snprintf(out + len, cap - len, "%s%d-%d", n ? "," : "", lo + first, i - 1 + first);
      if (k > 0 && (size_t)k < cap - len) len += (size_t)k;
      n++;
      lo = -1;
    }
  }
}

int sec_t13_generation_compromise(sec_world *w, const sec_params *p, sec_outcome *out) {
  keymgmt_operator_keys rotated;
  const keymgmt_operator_keys *leaked = &w->keys.op;
  sec_obe genuine, before, after;
  sec_passage pg, pc;
  sec_track tc, tg;
  unsigned flags[SEC_CLAIMS_MAX], seq[SEC_CLAIMS_MAX], old_ok = 0, old_n = 0, first, mac_failed = 0;
  unsigned gen_first, gen_end, gen_ok = 0;
  char err[200], what[96], fl[64], lost_access[64] = "";
  bool autopass = w->profile == EFC_PROFILE_AUTOPASS;
  bool access = efc_profile_level(w->profile) != 0;
  uint8_t tc_before = w->rcfg.keyref_tc, ref_before = w->keys.issuer.mack_ref;
  uint8_t gen_before = w->keys.issuer.autopass_generation;
  int g = leaked->generation, rv = -1;
  err[0] = 0;
  memset(&rotated, 0, sizeof(rotated));
  /* Before the rotation: a genuine OBE and a clone of the leak, one passage each. */
  if (sec_obe_make(w, &genuine, T13_ID_GENUINE, NULL) != 0 ||
      sec_obe_make_operator_clone(w, &before, T13_ID_CLONE_BEFORE) != 0 || sec_pass(w, &genuine, &pg) != 0 ||
      sec_pass(w, &before, &pc) != 0) {
    snprintf(err, sizeof(err), "set-up failed before the rotation");
    goto done;
  }
  /* The rotation. w->keys.op stays what leaked; the lane gets the new export. */
  if (autopass) {
    int next = g % KEYMGMT_GENERATIONS + 1;
    w->keys.issuer.autopass_generation = (uint8_t)next;
    if (keymgmt_operator_keys_export(&rotated, &w->keys.issuer, next) != 0) goto done;
    sec_text_put(what, sizeof(what), "gen %d->%d", g, next);
  } else {
    char mauk[24], mack[24];
    w->rcfg.keyref_tc = next_tc_keyref(tc_before);
    if (access) w->keys.issuer.mack_ref = (uint8_t)((ref_before + 1) % KEYMGMT_MACK_REFS);
    if (keymgmt_operator_keys_export(&rotated, &w->keys.issuer, w->keys.issuer.autopass_generation) != 0) goto done;
    held_text(mauk, sizeof(mauk), leaked->mauk_held, 1);
    held_text(mack, sizeof(mack), leaked->mack_held, 0);
    if (access)
      sec_text_put(what, sizeof(what), "TC keyRef %u->%u, MKRef %u->%u (leak MAuK %s, MAcK %s)", tc_before,
                   w->rcfg.keyref_tc, ref_before, w->keys.issuer.mack_ref, mauk, mack);
    else
      sec_text_put(what, sizeof(what), "TC keyRef %u->%u (leak MAuK %s)", tc_before, w->rcfg.keyref_tc, mauk);
  }
  w->rcfg.keys = &rotated;
  sec_world_rse_reset(w);
  /* After it: a fresh clone from the same leak (personalised, as a new OBE would be, under
   * the issuer's new reference), then the genuine OBE. */
  first = w->nclaims;
  if (sec_obe_make_operator_clone(w, &after, T13_ID_CLONE_AFTER) != 0 ||
      sec_track_obe(w, &after, p->passages, &tc, err, sizeof(err)) != 0)
    goto done;
  /* The lane's own check on each of its passages, whatever the status list also said. */
  for (unsigned i = first; i < w->nclaims; i++) mac_failed += (w->claims[i].reasons & EFC_WHY_MAC) != 0;
  gen_first = w->nclaims;
  if (sec_track_obe(w, &genuine, p->passages, &tg, err, sizeof(err)) != 0) goto done;
  gen_end = w->nclaims;
  /* What stays valid: the claims made before the rotation, judged now. */
  if (sec_issuer_run(w, flags, seq, err, sizeof(err)) != 0) goto done;
  if (pg.claim >= 0) {
    old_n++;
    old_ok += !flags[pg.claim] && !seq[pg.claim];
  }
  /* Genuine after the rotation: passed the lane and sound at the issuer. */
  for (unsigned i = gen_first; i < gen_end; i++)
    gen_ok += w->claims[i].verdict == EFC_PASS && !flags[i] && !seq[i];
  /* An OBE's MasterKeyReference was fixed at its personalisation: dropping the old MAcK at
   * the lane cuts off every OBE personalised under it, genuine or not. */
  if (access) {
    sec_passage xg, xc;
    rotated.mack_held = (uint8_t)(rotated.mack_held & ~(1u << ref_before));
    dsrc_crypto_wipe(rotated.mack[ref_before], sizeof(rotated.mack[ref_before]));
    dsrc_crypto_wipe(rotated.aes_mack[ref_before], sizeof(rotated.aes_mack[ref_before]));
    sec_world_rse_reset(w);
    if (sec_pass(w, &genuine, &xg) != 0 || sec_pass(w, &after, &xc) != 0) goto done;
    sec_text_put(lost_access, sizeof(lost_access), "; MAcK%u off: genuine %s, clone %s", ref_before,
        xg.reasons & EFC_WHY_ACCESS ? "denied" : "ok", xc.reasons & EFC_WHY_ACCESS ? "denied" : "ok");
  }
  issuer_flags_format(fl, sizeof(fl), tc.flags);
  out->passages = tc.passages;
  out->lost_charges = tc.unpaid;
  sec_outcome_set(out, tc.detected, tc.detected == SEC_AT_LANE ? "-" : "clone survives the rotation",
                  "clone before: %s; %s: clone lane mac %u/%u, issuer %u/%u%s%s, list %u; genuine ok %u/%u; "
                  "old claims %u/%u ok%s",
                  efc_verdict_name(pc.verdict), what, mac_failed, tc.passages, tc.issuer_flagged, tc.claims,
                  fl[0] ? " " : "", fl, tc.listed, gen_ok, gen_end - gen_first, old_ok, old_n, lost_access);
  rv = 0;
done:
  if (rv != 0) snprintf(out->evidence, sizeof(out->evidence), "%s", err[0] ? err : "set-up failed");
  /* The world's lane back on the world's keys: rotated lives on this stack. */
  w->rcfg.keys = &w->keys.op;
  w->rcfg.keyref_tc = tc_before;
  w->keys.issuer.autopass_generation = gen_before;
  w->keys.issuer.mack_ref = ref_before;
  sec_world_rse_reset(w);
  keymgmt_operator_keys_wipe(&rotated);
  return rv;
}
