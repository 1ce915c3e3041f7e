/* T11 the operator invents or alters claims. Genuine passages go through the lane; before
 * their claims reach the issuer the operator edits them, one way per OBE:
 *
 *   fee            the fee set to p->fee_change, the class left alone
 *   class+fee      the class changed with the fee to match its tariff (closest to
 *                  p->fee_change): the class comes from an unauthenticated GET, or from the
 *                  operator's own classification (AutoPASS)
 *   time           the time moved an hour on, nothing else touched
 *   time+nonce     the same, with everything the operator can recompute made to fit: a
 *                  fresh salt and the commitment nonces for the new time, AutoPASS's T
 *   station        the claim filed under another station, nothing else touched
 *   station+nonce  the same, with a fresh salt and nonces
 *   invented       a claim for a passage that never happened, made from an OBE's earlier
 *                  claim: later time, next counter, fresh salt and nonces, random MAC1 /
 *                  MAC_TSP (the one thing the operator cannot compute)
 *   twice          a genuine claim sent twice
 *
 * The naive edits show what the commitment check catches by itself; the +nonce ones what
 * an operator who knows the rules does, where only MAC1 / MAC_TSP (issuer keys) stand in the
 * way: without that check, a commitment binds nothing, since the operator recomputes it.
 * The issuer then judges every claim (sec_issuer_run) with w->iopt.
 *
 * The row's verdict is over the edits of data an OBE vouched for or a rule checks; the
 * class is vouched for by no MAC and checked by no rule in any profile (docs/claims.md),
 * so class+fee is measured like the rest but reported in gained and wrong_charges, where
 * it shows in every profile, instead of making every row "not detected". */
#include <stdio.h>
#include <string.h>

#include "issuer/issuer_analyse.h"
#include "dsrc/keys.h"
#include "security/attack.h"

#define T11_OBUID 0x00c11a00u
#define T11_OTHER_STATION 2052u
#define T11_HOUR_CS INT64_C(360000)

enum { V_FEE, V_CLASS, V_TIME, V_TIME_NONCE, V_STATION, V_STATION_NONCE, V_INVENTED, V_TWICE, V_COUNT };
static const char *const variant_names[V_COUNT] = {"fee",           "class+fee", "time",     "time+nonce",
                                                   "station",       "station+nonce", "invented", "twice"};

/* The class whose tariff is closest to fee and differs from the claim's own fee. */
static uint8_t class_for(uint32_t fee, uint32_t own) {
  uint8_t best = 0;
  uint32_t best_d = UINT32_MAX;
  for (uint8_t k = 0; k < 8; k++) {
    uint32_t t = efc_tariff(k), d = t > fee ? t - fee : fee - t;
    if (t != own && d < best_d) {
      best = k;
      best_d = d;
    }
  }
  return best;
}

/* What the operator can recompute after moving a claim: a fresh salt, the commitment nonces
 * for the claim's station, lane and time, and AutoPASS's T. */
static int reseal(sec_world *w, const dsrc_rng *g, efc_claim *c) {
  dsrc_rng_bytes(g, c->salt, sizeof(c->salt));
  if (c->profile == EFC_PROFILE_AUTOPASS) {
    dsrc_autopass_time_octets(c->t, (uint32_t)c->time_cs);
    return efc_commit_with(w->crypto, c->rnd1, "RND-1", c->station, c->lane, c->time_cs, c->salt);
  }
  if (c->keyref_tsp && efc_commit_with(w->crypto, c->nonce_tsp, "TSP", c->station, c->lane, c->time_cs, c->salt))
    return -1;
  if (c->keyref_tc && efc_commit_with(w->crypto, c->nonce_tc, "TC", c->station, c->lane, c->time_cs, c->salt))
    return -1;
  return 0;
}

/* A passage that never happened, from an OBE's earlier claim. */
static int invent(sec_world *w, const dsrc_rng *g, const efc_claim *from, efc_claim *c) {
  *c = *from;
  c->time_cs += T11_HOUR_CS;
  if (c->profile == EFC_PROFILE_AUTOPASS) {
    c->tc = (uint16_t)(c->tc + 1);
    dsrc_rng_bytes(g, c->rnd2, 4);
    dsrc_rng_bytes(g, c->mac1, 4);
    /* MAC2 the operator could compute with MKEY-F; the issuer does not look at it. */
    dsrc_rng_bytes(g, c->mac2, 4);
  } else {
    if (efc_claim_counter_set(c, (uint16_t)((c->counter + 1) & 0x0fff)) != 0) return -1;
    dsrc_rng_bytes(g, c->mac_tsp, 4);
    dsrc_rng_bytes(g, c->mac_tc, 4);
  }
  return reseal(w, g, c);
}

/* "name n, name n" for each flag set on any of the claims. */
static void flag_counts(char *out, size_t cap, const unsigned *flags, const unsigned *seq, unsigned n) {
  size_t k = 0;
  out[0] = 0;
  for (int fam = 0; fam < 2; fam++)
    for (unsigned b = 0; b < 8; b++) {
      unsigned count = 0;
      char name[40];
      for (unsigned i = 0; i < n; i++) count += ((fam ? seq[i] : flags[i]) >> b) & 1u;
      if (!count) continue;
      if (fam) issuer_seq_flags_format(name, sizeof(name), 1u << b, 0);
      else issuer_flags_format(name, sizeof(name), 1u << b);
      if (k < cap) {
        int m = snprintf(out + k, cap - k, "%s%s %u", k ? ", " : "", name, count);
        if (m > 0) k += (size_t)m;
      }
    }
}

int sec_t11_claim_manipulation(sec_world *w, const sec_params *p, sec_outcome *out) {
  sec_obe a;
  sec_passage ps;
  dsrc_prng rnd;
  dsrc_rng g;
  int at[V_COUNT];                 /* each variant's claim in w->claims */
  bool altered[V_COUNT];
  unsigned flags[SEC_CLAIMS_MAX], seq[SEC_CLAIMS_MAX], vf[V_COUNT], vs[V_COUNT];
  unsigned nvar = 0, flagged = 0, accepted_verdict = 0;
  char err[200], counts[120], passed[120];
  size_t k = 0;

  dsrc_prng_seed(&rnd, p->seed * 31 + 11);
  g = dsrc_prng_rng(&rnd);
  for (int v = 0; v < V_COUNT; v++) {
    efc_claim *c;
    if (sec_obe_make(w, &a, T11_OBUID + (uint32_t)v, NULL) != 0 || sec_pass(w, &a, &ps) != 0 || ps.claim < 0 ||
        w->nclaims + 1 >= SEC_CLAIMS_MAX) {
      snprintf(out->evidence, sizeof(out->evidence), "genuine passage for '%s' made no claim", variant_names[v]);
      return -1;
    }
    c = &w->claims[ps.claim];
    at[v] = ps.claim;
    altered[v] = true;
    switch (v) {
    case V_FEE:
      altered[v] = c->fee != p->fee_change;
      c->fee = p->fee_change;
      break;
    case V_CLASS:
      c->vehicle_class = class_for(p->fee_change, c->fee);
      c->fee = efc_tariff(c->vehicle_class);
      break;
    case V_TIME:
    case V_TIME_NONCE:
      c->time_cs += T11_HOUR_CS;
      if (v == V_TIME_NONCE && reseal(w, &g, c) != 0) return -1;
      break;
    case V_STATION:
    case V_STATION_NONCE:
      c->station = T11_OTHER_STATION;
      c->beacon.individual_id = T11_OTHER_STATION;
      if (v == V_STATION_NONCE && reseal(w, &g, c) != 0) return -1;
      break;
    case V_INVENTED:
      /* The OBE's genuine claim stays; the invented one comes after it. */
      if (invent(w, &g, c, &w->claims[w->nclaims]) != 0) return -1;
      at[v] = (int)w->nclaims++;
      break;
    default: /* V_TWICE */
      w->claims[w->nclaims] = *c;
      at[v] = (int)w->nclaims++;
      break;
    }
  }
  if (sec_issuer_run(w, flags, seq, err, sizeof(err)) != 0) {
    snprintf(out->evidence, sizeof(out->evidence), "%s", err);
    return -1;
  }

  passed[0] = 0;
  for (int v = 0; v < V_COUNT; v++) {
    unsigned i = (unsigned)at[v];
    if (!altered[v]) continue;
    vf[nvar] = flags[i];
    vs[nvar++] = seq[i];
    if (flags[i] || seq[i]) {
      flagged++;
      /* A real passage whose only claim the issuer voids is charged to nobody. */
      if (flags[i] && v != V_INVENTED && v != V_TWICE) out->lost_charges++;
      continue;
    }
    /* Accepted: a charge for a passage that did not happen, happened elsewhere or at
     * another time, or at a fee the vehicle does not owe. */
    out->wrong_charges++;
    if (v != V_CLASS) accepted_verdict++;
    if (k < sizeof(passed)) {
      int m = snprintf(passed + k, sizeof(passed) - k, "%s%s", k ? ", " : "", variant_names[v]);
      if (m > 0) k += (size_t)m;
    }
  }
  out->passages = nvar;
  flag_counts(counts, sizeof(counts), vf, vs, nvar);
  {
    char gained[SEC_TEXT];
    bool class_passed = altered[V_CLASS] && !flags[at[V_CLASS]] && !seq[at[V_CLASS]];
    if (class_passed && accepted_verdict)
      snprintf(gained, sizeof(gained), "fee changed unnoticed; %u more altered or invented claim%s accepted",
               accepted_verdict, accepted_verdict == 1 ? "" : "s");
    else if (class_passed)
      snprintf(gained, sizeof(gained), "fee changed unnoticed");
    else if (accepted_verdict)
      snprintf(gained, sizeof(gained), "%u altered or invented claim%s accepted", accepted_verdict,
               accepted_verdict == 1 ? "" : "s");
    else
      snprintf(gained, sizeof(gained), "-");
    sec_outcome_set(out, accepted_verdict ? SEC_NOT_DETECTED : SEC_BY_ISSUER, gained, "flagged %u/%u%s%s%s; unflagged: %s",
                    flagged, nvar, counts[0] ? " (" : "", counts, counts[0] ? ")" : "", passed[0] ? passed : "none");
  }
  return 0;
}
