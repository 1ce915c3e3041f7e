/* One claim against the issuer's master keys. */
#include <stdio.h>
#include <string.h>

#include "issuer/issuer_verify.h"
#include "dsrc/efc.h"
#include "dsrc/keys.h"

static const char *const flag_names[] = {"bad-mac", "mismatch", "bad-commitment",
                                         "bad-fee", "no-key", "unbound"};

size_t issuer_flags_format(char *out, size_t cap, unsigned flags) {
  return efc_bits_format(out, cap, flags, flag_names, sizeof(flag_names) / sizeof(flag_names[0]));
}

void issuer_options_default(issuer_options *o) {
  o->check_mac = true;
  o->check_commit = true;
  o->check_fee = true;
}

static unsigned check_commit(dsrc_crypto *c, const efc_claim *cl, const char *label, const uint8_t nonce[4]) {
  uint8_t want[4];
  if (efc_commit_with(c, want, label, cl->station, cl->lane, cl->time_cs, cl->salt) != 0) return ISSUER_BAD_COMMIT;
  return memcmp(want, nonce, 4) == 0 ? 0 : ISSUER_BAD_COMMIT;
}

static unsigned autopass(dsrc_crypto *c, const keymgmt_keystore *ks, const issuer_options *opt,
                         const efc_claim *cl) {
  unsigned flags = 0, g = cl->keygen >> 4;
  uint8_t obukey[DSRC_AUTOPASS_KEY], sskey[DSRC_AUTOPASS_KEY], tc[2], mac[4], t[4];
  /* T is inside SSKEY-N: it proves the passage time to the hundredth. */
  dsrc_autopass_time_octets(t, (uint32_t)cl->time_cs);
  if (memcmp(t, cl->t, 4) != 0) flags |= ISSUER_MISMATCH;
  if (opt->check_commit && cl->nonce_mode == EFC_NONCE_COMMIT) flags |= check_commit(c, cl, "RND-1", cl->rnd1);
  if (cl->nonce_mode != EFC_NONCE_COMMIT) flags |= ISSUER_UNBOUND;
  if (!opt->check_mac) return flags;
  if (!cl->has_obuid || g < 1 || g > KEYMGMT_GENERATIONS) return flags | ISSUER_NO_KEY;
  tc[0] = (uint8_t)(cl->tc >> 8);
  tc[1] = (uint8_t)cl->tc;
  if (dsrc_autopass_obukey(c, obukey, ks->mkey_n[g - 1], cl->obuid) != 0 ||
      dsrc_autopass_sskey(c, sskey, obukey, cl->rnd1, cl->t) != 0 ||
      dsrc_autopass_mac(c, mac, sskey, cl->obuid, cl->efcstatus, tc, cl->rnd2) != 0 ||
      !dsrc_crypto_equal(mac, cl->mac1, 4))
    flags |= ISSUER_BAD_MAC;
  dsrc_crypto_wipe(obukey, sizeof(obukey));
  dsrc_crypto_wipe(sskey, sizeof(sskey));
  return flags;
}

/* The MACed attribute list must carry the claim's obuid, counter and PAN. */
static unsigned attrs_match(const efc_claim *cl) {
  dsrc_tapdu t;
  dsrc_attr_list l;
  bool obuid = false, counter = false, pan = false;
  dsrc_tapdu_init(&t, DSRC_ACTION_RS);
  if (dsrc_attr_list_decode(&t, &l, cl->attrlist, cl->attrlist_len, NULL) != cl->attrlist_len)
    return ISSUER_MISMATCH;
  for (unsigned i = 0; i < l.count; i++) {
    const dsrc_attribute *a = dsrc_tapdu_attr(&t, l, i);
    if (a->id == DSRC_ATTR_OBUID && a->value.kind == DSRC_C_EQUOBUID)
      obuid = cl->has_obuid && memcmp(a->value.u.obu_id, cl->obuid, 4) == 0;
    else if (a->id == DSRC_ATTR_STATUS && a->value.kind == DSRC_C_EQUSTAT)
      counter = a->value.u.status.counter == cl->counter;
    else if (a->id == DSRC_ATTR_PAYMENT_MEANS && a->value.kind == DSRC_C_PAYMEANS)
      pan = memcmp(a->value.u.payment_means.pan, cl->pan, 10) == 0;
  }
  return (obuid && counter && pan) ? 0 : ISSUER_MISMATCH;
}

static unsigned stamped(dsrc_crypto *c, const keymgmt_keystore *ks, const issuer_options *opt,
                        const efc_claim *cl) {
  unsigned flags = attrs_match(cl), i = cl->keyref_tsp;
  uint8_t mac[4];
  int rv;
  if (opt->check_commit && cl->nonce_mode == EFC_NONCE_COMMIT)
    /* keyRef 0: that GET_STAMPED was never sent, so no nonce was drawn for it. */
    flags |= (cl->keyref_tsp ? check_commit(c, cl, "TSP", cl->nonce_tsp) : 0) |
             (cl->keyref_tc ? check_commit(c, cl, "TC", cl->nonce_tc) : 0);
  if (cl->nonce_mode != EFC_NONCE_COMMIT) flags |= ISSUER_UNBOUND;
  if (!opt->check_mac) return flags;
  if (i < 1 || i > DSRC_AUK_COUNT || dsrc_en15509_keyref_role((int)i) != DSRC_MAC_ROLE_TSP)
    return flags | ISSUER_NO_KEY;
  if (cl->profile == EFC_PROFILE_AES) {
    uint8_t auk[DSRC_AES_KEY];
    rv = dsrc_aesref_auth_key(c, auk, ks->aes_mauk[i - 1], cl->pan, cl->provider);
    if (rv == 0)
      rv = dsrc_aesref_authenticator(c, mac, auk, cl->attrlist, cl->attrlist_len, cl->nonce_tsp, 4);
    dsrc_crypto_wipe(auk, sizeof(auk));
  } else {
    uint8_t auk[DSRC_DES_KEY];
    rv = dsrc_en15509_auth_key(c, auk, ks->mauk[i - 1], cl->pan, cl->provider);
    if (rv == 0)
      rv = dsrc_en15509_authenticator(c, mac, auk, cl->attrlist, cl->attrlist_len, cl->nonce_tsp, 4);
    dsrc_crypto_wipe(auk, sizeof(auk));
  }
  if (rv != 0 || !dsrc_crypto_equal(mac, cl->mac_tsp, 4)) flags |= ISSUER_BAD_MAC;
  return flags;
}

int issuer_verify_claim(dsrc_crypto *c, const keymgmt_keystore *ks, const issuer_options *opt,
                        const efc_claim *cl) {
  unsigned flags;
  if (!c || !ks || !opt || !cl) return -1;
  flags = cl->profile == EFC_PROFILE_AUTOPASS ? autopass(c, ks, opt, cl) : stamped(c, ks, opt, cl);
  if (opt->check_fee && cl->fee != efc_tariff(cl->vehicle_class)) flags |= ISSUER_BAD_FEE;
  return (int)flags;
}
