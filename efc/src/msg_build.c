/* The commands an RSE sends, built once for the RSE and for the attacker's readers. */
#include <string.h>

#include "dsrc/efc.h"
#include "efc/msg.h"

static void credentials(const uint8_t *cred, bool *has, dsrc_octets *o) {
  *has = cred != NULL;
  if (cred) {
    o->len = 4;
    memcpy(o->data, cred, 4);
  }
}

static dsrc_request *action(dsrc_tapdu *q, uint8_t eid, uint8_t type) {
  dsrc_tapdu_init(q, DSRC_ACTION_RQ);
  q->u.action_rq.mode = true;
  q->u.action_rq.eid = eid;
  q->u.action_rq.type = type;
  return &q->u.action_rq;
}

void efc_msg_get_secure(dsrc_tapdu *q, uint8_t eid, const uint8_t rnd1[4], const uint8_t t[4], uint8_t keygen) {
  dsrc_request *a = action(q, eid, DSRC_ACT_GET_SECURE);
  uint8_t *p = a->parameter.u.octets.data;
  a->has_parameter = true;
  a->parameter.kind = DSRC_C_OCTETSTRING;
  a->parameter.u.octets.len = 9;
  memcpy(p, rnd1, 4);
  memcpy(p + 4, t, 4);
  p[8] = keygen;
}

void efc_msg_get_stamped(dsrc_tapdu *q, uint8_t eid, const uint8_t *cred, const dsrc_attr_ids *ids,
                         uint8_t key_ref, const uint8_t nonce[4]) {
  dsrc_request *a = action(q, eid, DSRC_ACT_GET_STAMPED);
  dsrc_gstrq *g = &a->parameter.u.gstrq;
  credentials(cred, &a->has_credentials, &a->credentials);
  a->has_parameter = true;
  a->parameter.kind = DSRC_C_GSTRQ;
  g->ids = *ids;
  g->key_ref = key_ref;
  g->nonce.len = 4;
  memcpy(g->nonce.data, nonce, 4);
}

void efc_msg_get(dsrc_tapdu *q, uint8_t eid, const uint8_t *cred, const dsrc_attr_ids *ids) {
  dsrc_tapdu_init(q, DSRC_GET_RQ);
  q->u.get_rq.eid = eid;
  credentials(cred, &q->u.get_rq.has_credentials, &q->u.get_rq.credentials);
  q->u.get_rq.has_ids = true;
  q->u.get_rq.ids = *ids;
}

void efc_msg_set_counter(dsrc_tapdu *q, uint8_t eid, const uint8_t *cred, uint16_t counter) {
  dsrc_attribute *at;
  dsrc_tapdu_init(q, DSRC_SET_RQ);
  q->u.set_rq.mode = true;
  q->u.set_rq.eid = eid;
  credentials(cred, &q->u.set_rq.has_credentials, &q->u.set_rq.credentials);
  /* The pool of a fresh T-APDU has room for one attribute. */
  at = dsrc_tapdu_attrs_alloc(q, &q->u.set_rq.attrs, 1);
  at->id = DSRC_ATTR_STATUS;
  at->value.kind = DSRC_C_EQUSTAT;
  at->value.u.status.counter = (uint16_t)(counter & 0x0fff);
}

void efc_msg_release(dsrc_tapdu *q) { dsrc_tapdu_init(q, DSRC_EVENT_RQ); }
