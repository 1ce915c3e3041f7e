/* Passages through the lane simulator, one OBE at a time, on a perfect link. */
#include <string.h>

#include "claimgen.h"
#include "dsrc/l1.h"
#include "rse/rse.h"

int claimgen_init(claimgen *g, uint64_t seed) {
  char err[256];
  memset(g, 0, sizeof(*g));
  if (dsrc_crypto_new(&g->crypto, err, sizeof(err)) != 0) return -1;
  if (sim_keys_init(&g->keys, g->crypto, seed) != 0 ||
      sim_keys_init(&g->attacker, g->crypto, seed ^ UINT64_C(0xa77ac4e5)) != 0) {
    claimgen_free(g);
    return -1;
  }
  g->passages = seed;
  return 0;
}

void claimgen_free(claimgen *g) {
  sim_keys_wipe(&g->keys);
  sim_keys_wipe(&g->attacker);
  dsrc_crypto_free(g->crypto);
  g->crypto = NULL;
}

int claimgen_obe_make(claimgen *g, claimgen_obe *o, uint32_t id, int profile) {
  int rv = sim_obe_make(&o->prof, g->crypto, &g->keys, id, efc_profile_bit(profile));
  if (rv == 0) obe_state_init(&o->st, &o->prof);
  return rv;
}

int claimgen_clone_make(claimgen *g, claimgen_obe *o, uint32_t id, int profile) {
  keymgmt_obe_profile real;
  unsigned bit = efc_profile_bit(profile);
  int rv = sim_obe_make(&real, g->crypto, &g->keys, id, bit);
  if (rv == 0) rv = sim_obe_make(&o->prof, g->crypto, &g->attacker, id, bit);
  if (rv == 0) {
    /* What the operator's key file gives: every MKEY-F generation it was sent (one here,
     * copied for all so the lane's choice works), the MAC_TC keys (keyRef 1-4), MAcK. */
    memcpy(o->prof.obukey_f, real.obukey_f, sizeof(real.obukey_f));
    for (int i = 0; i < DSRC_AUK_COUNT; i++)
      if (dsrc_en15509_keyref_role(i + 1) == DSRC_MAC_ROLE_TC) {
        memcpy(o->prof.auk[i], real.auk[i], sizeof(real.auk[i]));
        memcpy(o->prof.aes_auk[i], real.aes_auk[i], sizeof(real.aes_auk[i]));
      }
    memcpy(o->prof.access_key, real.access_key, sizeof(real.access_key));
    memcpy(o->prof.aes_access_key, real.aes_access_key, sizeof(real.aes_access_key));
    obe_state_init(&o->st, &o->prof);
  }
  keymgmt_obe_profile_wipe(&real);
  return rv;
}

/* One RSE step on a perfect link with one OBE always in the zone: the lane simulator's
 * schedule without bit errors, collisions or zone edges (kept here so the tests do not
 * depend on how the lane models those). */
static void link_step(rse_engine *r, obe_engine *o, const dsrc_l1_params *l1, uint64_t *now) {
  const rse_config *cfg = rse_config_get(r);
  uint8_t buf[DSRC_FRAME_MAX];
  uint64_t t0 = *now, t1, te = 0, proc = 0;
  rse_step s;
  rse_next(r, t0, &s);
  if (s.len == 0) {
    *now = s.idle_until > t0 ? s.idle_until : t0 + 1;
    return;
  }
  t1 = t0 + dsrc_l1_airtime_ns(l1, 0, s.frame, s.len);
  obe_on_downlink(o, t1, s.frame, s.len, false);
  if (s.windows == 0) {
    *now = t1 + cfg->gap_ud_ns;
    return;
  }
  for (unsigned w = 0; w < s.windows; w++) {
    uint64_t ws = t1 + cfg->gap_du_ns + (s.public_windows ? w * cfg->public_window_ns : 0);
    size_t n = obe_on_window(o, ws, w, buf, sizeof(buf));
    te = n ? ws + dsrc_l1_airtime_ns(l1, 1, buf, n)
           : ws + (s.public_windows ? cfg->public_window_ns : cfg->empty_window_ns);
    proc += rse_on_window(r, te, w, n ? buf : NULL, n, false);
  }
  if (s.public_windows)
    *now = t1 + cfg->gap_du_ns + s.windows * cfg->public_window_ns + cfg->gap_ud_ns + proc;
  else
    *now = te + cfg->gap_ud_ns + proc;
}

int claimgen_passage(claimgen *g, claimgen_obe *o, int profile, uint16_t station,
                     int64_t epoch_cs, efc_claim *out) {
  obe_config ocfg;
  rse_config rcfg;
  dsrc_l1_params l1;
  dsrc_prng traffic;
  rse_passage p;
  uint64_t now = 0;
  bool done = false;
  obe_engine ob;
  rse_engine *r;
  dsrc_prng_seed(&traffic, ++g->passages * UINT64_C(0x9e3779b97f4a7c15));
  dsrc_l1_params_default(&l1);
  obe_config_default(&ocfg);
  ocfg.mcu = obe_mcu_modern;
  rse_config_default(&rcfg);
  rcfg.profiles[0] = (uint8_t)profile;
  rcfg.nprofiles = 1;
  rcfg.keys = &g->keys.op;
  rcfg.station = station;
  rcfg.beacon.individual_id = station;
  rcfg.epoch_cs = epoch_cs;
  if (obe_init(&ob, &ocfg, &o->prof, &o->st, g->crypto, dsrc_prng_rng(&traffic), NULL, NULL) != 0 ||
      rse_new(&r, &rcfg, g->crypto, dsrc_prng_rng(&traffic), NULL, NULL) != 0)
    return -1;
  while (!done && now < 2000000000u) {
    link_step(r, &ob, &l1, &now);
    done = rse_passage_pop(r, &p);
  }
  rse_del(r);
  if (!done || p.outcome != RSE_OUT_DONE) return -1;
  *out = p.claim;
  return 0;
}

int claimgen_write(FILE *f, const efc_claim *c) {
  char line[2048];
  int n = efc_claim_format(c, line, sizeof(line));
  if (n < 0) return n;
  return fprintf(f, "%s\n", line) < 0 ? -1 : 0;
}
