/* What a claim takes from the security exchange (docs/claims.md): the RSE files it from its
 * own session; an insider's RSE, efc-pcap verify and the attacks from what they heard. */
#include <string.h>

#include "dsrc/efc.h"
#include "efc/claim.h"

void efc_claim_read_secure_rq(efc_claim *c, const uint8_t rq[9]) {
  memcpy(c->rnd1, rq, 4);
  memcpy(c->t, rq + 4, 4);
  c->keygen = rq[8];
}

void efc_claim_read_secure(efc_claim *c, const uint8_t rs[20]) {
  memcpy(c->obuid, rs, 4);
  c->has_obuid = true;
  c->efcstatus = rs[4];
  c->tc = (uint16_t)(rs[5] << 8 | rs[6]);
  memcpy(c->rnd2, rs + 7, 4);
  memcpy(c->mac1, rs + 12, 4);
  memcpy(c->mac2, rs + 16, 4);
}

void efc_claim_read_attrs(efc_claim *c, const dsrc_tapdu *t, dsrc_attr_list list) {
  for (unsigned i = 0; i < list.count; i++) {
    const dsrc_attribute *at = dsrc_tapdu_attr(t, list, i);
    if (at->id == DSRC_ATTR_OBUID && at->value.kind == DSRC_C_EQUOBUID) {
      memcpy(c->obuid, at->value.u.obu_id, 4);
      c->has_obuid = true;
    } else if (at->id == DSRC_ATTR_STATUS && at->value.kind == DSRC_C_EQUSTAT) {
      c->counter = at->value.u.status.counter;
    } else if (at->id == DSRC_ATTR_PAYMENT_MEANS && at->value.kind == DSRC_C_PAYMEANS) {
      memcpy(c->pan, at->value.u.payment_means.pan, 10);
    }
  }
}

int efc_claim_counter_set(efc_claim *c, uint16_t counter) {
  dsrc_tapdu t;
  dsrc_attr_list l;
  dsrc_ssize n;
  dsrc_tapdu_init(&t, DSRC_ACTION_RS);
  n = dsrc_attr_list_decode(&t, &l, c->attrlist, c->attrlist_len, NULL);
  if (n < 0) return (int)n;
  if (n != c->attrlist_len) return DSRC_ERR_TRAILING;
  for (unsigned i = 0; i < l.count; i++) {
    dsrc_attribute *a = &t.pool[l.first + i];
    if (a->id == DSRC_ATTR_STATUS && a->value.kind == DSRC_C_EQUSTAT) a->value.u.status.counter = counter;
  }
  if ((n = dsrc_attr_list_encode(c->attrlist, sizeof(c->attrlist), &t, l)) < 0) return (int)n;
  c->attrlist_len = (uint8_t)n;
  c->counter = counter;
  return 0;
}
