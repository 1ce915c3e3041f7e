/* The shapes of the security exchange's messages (docs/crypto.md), checked in one place for
 * the RSE, the attacks and efc-pcap. */
#include "efc/msg.h"

const char *efc_action_name(unsigned type) {
  switch (type) {
  case DSRC_ACT_GET_STAMPED:
    return "GET_STAMPED";
  case DSRC_ACT_GET_SECURE:
    return "GET_SECURE";
  case DSRC_ACT_SET_MMI:
    return "SET_MMI";
  case DSRC_ACT_ECHO:
    return "ECHO";
  default:
    return "ACTION";
  }
}

/* The parameter of an action request of type, or NULL. */
static const dsrc_container *rq_parameter(const dsrc_tapdu *t, uint8_t type) {
  const dsrc_request *q = &t->u.action_rq;
  return t->kind == DSRC_ACTION_RQ && q->type == type && q->has_parameter ? &q->parameter : NULL;
}

static const dsrc_container *rs_parameter(const dsrc_tapdu *t) {
  const dsrc_action_rs *a = &t->u.action_rs;
  return t->kind == DSRC_ACTION_RS && a->has_parameter ? &a->parameter : NULL;
}

const uint8_t *efc_msg_secure_rq(const dsrc_tapdu *t) {
  const dsrc_container *p = rq_parameter(t, DSRC_ACT_GET_SECURE);
  return p && p->kind == DSRC_C_OCTETSTRING && p->u.octets.len == 9 ? p->u.octets.data : NULL;
}

const dsrc_gstrq *efc_msg_stamped_rq(const dsrc_tapdu *t) {
  const dsrc_container *p = rq_parameter(t, DSRC_ACT_GET_STAMPED);
  return p && p->kind == DSRC_C_GSTRQ && p->u.gstrq.nonce.len == 4 ? &p->u.gstrq : NULL;
}

const uint8_t *efc_msg_secure_rs(const dsrc_tapdu *t) {
  const dsrc_container *p = rs_parameter(t);
  return p && p->kind == DSRC_C_OCTETSTRING && p->u.octets.len == 20 ? p->u.octets.data : NULL;
}

const dsrc_gstrs *efc_msg_stamped_rs(const dsrc_tapdu *t) {
  const dsrc_container *p = rs_parameter(t);
  return p && p->kind == DSRC_C_GSTRS && p->u.gstrs.authenticator.len == 4 ? &p->u.gstrs : NULL;
}
