/* The OBE's EFC applications: one per profile it was personalised for. Attributes, access
 * control (Level 1 and AES), GET, SET, GET_STAMPED, GET_SECURE, SET_MMI, ECHO, RELEASE. */
#include <string.h>

#include "dsrc/keys.h"
#include "obe_internal.h"

/* An application is known by the profile it runs (enum efc_profile), or APP_NONE. */
typedef int app_kind;
enum { APP_NONE = -1 };

/* The OBE numbers its applications 1, 2, ... in profile order, for the profiles it was
 * personalised for: an OBE with one profile answers on eid 1. */
static app_kind app_of_eid(const obe_engine *o, uint8_t eid) {
  uint8_t next = 1;
  for (int p = 0; p < EFC_PROFILE_COUNT; p++) {
    if (!efc_profiles_has(o->prof->profiles, p)) continue;
    if (next++ == eid) return p;
  }
  return APP_NONE;
}

bool obe_app_accepts(const obe_engine *o, const dsrc_bst *bst) {
  if (bst->profile != o->cfg->bst_profile) return false;
  for (unsigned i = 0; i < bst->mand.count; i++)
    if (bst->mand.items[i].aid == DSRC_AID_EFC) return true;
  return false;
}

/* The context mark of an application: the personalised one, with the typeOfContract that
 * names the profile. */
static void context_mark(const obe_engine *o, app_kind k, uint8_t out[6]) {
  uint16_t type = efc_profile_contract(k);
  memcpy(out, o->prof->context_mark, 6);
  out[3] = (uint8_t)(type >> 8);
  out[4] = (uint8_t)type;
}

static void add_app(obe_engine *o, dsrc_app_list *l, app_kind k, uint8_t eid) {
  dsrc_application *a = &l->items[l->count++];
  uint8_t *p = a->parameter.data;
  a->aid = DSRC_AID_EFC;
  a->has_eid = true;
  a->eid = eid;
  a->has_parameter = true;
  context_mark(o, k, p);
  a->parameter.len = 6;
  if (efc_profile_level(k)) {
    /* Level 1: CM || 02 02 || AC_CR-Reference || 02 04 || RndOBE */
    p[6] = 0x02;
    p[7] = 0x02;
    memcpy(p + 8, o->prof->ac_cr_ref, 2);
    p[10] = 0x02;
    p[11] = 0x04;
    memcpy(p + 12, o->rnd_obe, 4);
    a->parameter.len = 16;
  }
}

int obe_app_vst(obe_engine *o, dsrc_tapdu *t) {
  uint8_t eid = 1;
  int rv;
  dsrc_tapdu_init(t, DSRC_VST);
  dsrc_rng_bytes(&o->rng, o->rnd_obe, sizeof(o->rnd_obe));
  o->have_ac_cr_des = o->have_ac_cr_aes = false;
  for (app_kind k = 0; k < EFC_PROFILE_COUNT; k++) {
    if (!efc_profiles_has(o->prof->profiles, k)) continue;
    add_app(o, &t->u.vst.apps, k, eid++);
    if (k == EFC_PROFILE_EN15509_L1) {
      if ((rv = dsrc_en15509_ac_cr(o->crypto, o->ac_cr_des, o->prof->access_key, o->rnd_obe)) != 0)
        return rv;
      o->have_ac_cr_des = true;
    } else if (k == EFC_PROFILE_AES) {
      if ((rv = dsrc_aesref_ac_cr(o->crypto, o->ac_cr_aes, o->prof->aes_access_key, o->rnd_obe)) != 0)
        return rv;
      o->have_ac_cr_aes = true;
    }
  }
  t->u.vst.config.equipment_class = o->cfg->equipment_class;
  t->u.vst.config.manufacturer_id = o->cfg->manufacturer_id;
  t->u.vst.config.has_status = true;
  t->u.vst.config.status = o->cfg->obe_status;
  return 0;
}

/* Level 1 and AES applications need the session's AC_CR in every GET, SET and
 * GET_STAMPED; ECHO and SET_MMI need none, and Level 0 and AutoPASS have no access control. */
static bool access_ok(const obe_engine *o, app_kind k, bool has, const dsrc_octets *cred) {
  if (!efc_profile_level(k)) return true;
  if (!has || cred->len != 4) return false;
  if (k == EFC_PROFILE_EN15509_L1) return o->have_ac_cr_des && dsrc_crypto_equal(cred->data, o->ac_cr_des, 4);
  return o->have_ac_cr_aes && dsrc_crypto_equal(cred->data, o->ac_cr_aes, 4);
}

/* One attribute value from the OBE's data into c, which the caller has zeroed; false when
 * it holds no such attribute. */
static bool attribute(const obe_engine *o, app_kind k, uint8_t id, dsrc_container *c) {
  const keymgmt_obe_profile *p = o->prof;
  /* An AutoPASS contract holds no EN 15509 vehicle or payment data: a reader learns its
   * context and obuid by GET, efcstatus and TC by GET_SECURE (docs/crypto.md). */
  if (k == EFC_PROFILE_AUTOPASS && id != 0 && id != 24) return false;
  switch (id) {
  case 0: {
    uint8_t cm[6];
    c->kind = DSRC_C_EFCCONTEXT;
    context_mark(o, k, cm);
    return dsrc_context_mark_decode(&c->u.context_mark, cm, 6, NULL) == 6;
  }
  case 16:
    if (!p->has_lpn) return false;
    c->kind = DSRC_C_VEHLPN;
    c->u.lpn.country = p->lpn_country;
    c->u.lpn.alphabet = 1; /* latinAlphabetNo1 */
    c->u.lpn.number.len = p->lpn_len;
    memcpy(c->u.lpn.number.data, p->lpn, p->lpn_len);
    return true;
  case 17:
    c->kind = DSRC_C_VEHCLASS;
    c->u.vehicle_class.un_ece = p->has_vehicle_class ? p->vehicle_class : 2;
    return true;
  case 18: /* efcsim's defaults for a passenger car (docs/profiles.md) */
    c->kind = DSRC_C_VEHDIMS;
    c->u.dims.length = 45;
    c->u.dims.height = 15;
    c->u.dims.width = 18;
    return true;
  case 19:
    c->kind = DSRC_C_VEHAXLES;
    c->u.axles.first_axle_height = 35;
    c->u.axles.tyre_configuration = 1;
    c->u.axles.tractor_axles = 2;
    return true;
  case 20:
    c->kind = DSRC_C_VEHWTLIMS;
    c->u.weights.max_laden = 2100;
    c->u.weights.train_max = 3600;
    c->u.weights.unladen = 1500;
    return true;
  case 22:
    c->kind = DSRC_C_VEHSPCHARS;
    c->u.specific.euro_value = 6;
    c->u.specific.engine = 2;
    return true;
  case 24:
    c->kind = DSRC_C_EQUOBUID;
    memcpy(c->u.obu_id, p->obuid, 4);
    return true;
  case 26:
    c->kind = DSRC_C_EQUSTAT;
    c->u.status.local_use = (uint8_t)(o->st->equipment_status >> 12);
    c->u.status.counter = o->st->equipment_status & 0x0fff;
    return true;
  case 32:
    c->kind = DSRC_C_PAYMEANS;
    memcpy(c->u.payment_means.pan, p->pan, 10);
    c->u.payment_means.expiry.year = p->has_expiry ? p->expiry_year : 2030;
    c->u.payment_means.expiry.month = p->has_expiry ? p->expiry_month : 12;
    c->u.payment_means.expiry.day = p->has_expiry ? p->expiry_day : 31;
    return true;
  default:
    return false;
  }
}

/* The attributes of ids that the OBE holds, in order, into a list of rs. */
static int attributes(obe_engine *o, app_kind k, dsrc_tapdu *rs, dsrc_attr_list *list,
                      const dsrc_attr_ids *ids) {
  unsigned n = 0;
  dsrc_attribute *a = dsrc_tapdu_attrs_alloc(rs, list, ids->count);
  if (!a) return DSRC_ERR_LIMIT;
  /* The pool comes zeroed; a slot an absent attribute wrote to is zeroed again. */
  for (unsigned i = 0; i < ids->count; i++)
    if (attribute(o, k, ids->ids[i], &a[n].value))
      a[n++].id = ids->ids[i];
    else
      memset(&a[n], 0, sizeof(a[n]));
  list->count = (uint8_t)n;
  rs->npool = (uint8_t)(list->first + n);
  return 0;
}

static void action_rs(dsrc_tapdu *rs, uint8_t eid, int ret) {
  dsrc_tapdu_init(rs, DSRC_ACTION_RS);
  rs->u.action_rs.eid = eid;
  if (ret > 0) {
    rs->u.action_rs.has_ret = true;
    rs->u.action_rs.ret = (uint8_t)ret;
  }
}

static int get_stamped(obe_engine *o, app_kind k, const dsrc_request *rq, dsrc_tapdu *rs) {
  const dsrc_gstrq *g = &rq->parameter.u.gstrq;
  dsrc_gstrs *out;
  uint8_t attrlist[DSRC_FRAME_MAX];
  dsrc_ssize n;
  int rv;
  action_rs(rs, rq->eid, 0);
  if (k == EFC_PROFILE_AUTOPASS || !rq->has_parameter || rq->parameter.kind != DSRC_C_GSTRQ ||
      g->key_ref < 1 || g->key_ref > DSRC_AUK_COUNT || g->nonce.len > DSRC_NONCE_MAX) {
    action_rs(rs, rq->eid, DSRC_RET_ARGUMENT_ERROR);
    return 0;
  }
  rs->u.action_rs.has_parameter = true;
  rs->u.action_rs.parameter.kind = DSRC_C_GSTRS;
  out = &rs->u.action_rs.parameter.u.gstrs;
  if ((rv = attributes(o, k, rs, &out->list, &g->ids)) != 0) return rv;
  n = dsrc_attr_list_encode(attrlist, sizeof(attrlist), rs, out->list);
  if (n < 0) return (int)n;
  out->authenticator.len = 4;
  if (k == EFC_PROFILE_AES)
    rv = dsrc_aesref_authenticator(o->crypto, out->authenticator.data, o->prof->aes_auk[g->key_ref - 1],
                                  attrlist, (size_t)n, g->nonce.data, g->nonce.len);
  else
    rv = dsrc_en15509_authenticator(o->crypto, out->authenticator.data, o->prof->auk[g->key_ref - 1],
                                   attrlist, (size_t)n, g->nonce.data, g->nonce.len);
  return rv;
}

/* AutoPASS GET_SECURE: parameter RND-1(4) || T(4) || keyGen(1); answer obuid(4) ||
 * efcstatus(1) || TC(2) || RND-2(4) || keyGen(1) || MAC1(4) || MAC2(4). */
static int get_secure(obe_engine *o, const dsrc_request *rq, dsrc_tapdu *rs) {
  const uint8_t *in = rq->parameter.u.octets.data;
  uint8_t sskey[DSRC_AUTOPASS_KEY], tc[2], *out;
  unsigned gn, gf;
  int rv;
  action_rs(rs, rq->eid, 0);
  if (!rq->has_parameter || rq->parameter.kind != DSRC_C_OCTETSTRING ||
      rq->parameter.u.octets.len != 9) {
    action_rs(rs, rq->eid, DSRC_RET_ARGUMENT_ERROR);
    return 0;
  }
  gn = in[8] >> 4;
  gf = in[8] & 0x0f;
  if (gn < 1 || gn > KEYMGMT_GENERATIONS || gf < 1 || gf > KEYMGMT_GENERATIONS) {
    action_rs(rs, rq->eid, DSRC_RET_ARGUMENT_ERROR);
    return 0;
  }
  /* The counter advances before anything is revealed; the caller persists it first. */
  o->st->autopass_tc = (uint16_t)(o->st->autopass_tc + 1);
  o->dirty = true;
  obe_state_log(o->st, (uint32_t)in[4] << 24 | (uint32_t)in[5] << 16 | (uint32_t)in[6] << 8 | in[7],
                o->beacon.individual_id);
  tc[0] = (uint8_t)(o->st->autopass_tc >> 8);
  tc[1] = (uint8_t)o->st->autopass_tc;

  rs->u.action_rs.has_parameter = true;
  rs->u.action_rs.parameter.kind = DSRC_C_OCTETSTRING;
  rs->u.action_rs.parameter.u.octets.len = 20;
  out = rs->u.action_rs.parameter.u.octets.data;
  memcpy(out, o->prof->obuid, 4);
  out[4] = o->st->efcstatus;
  memcpy(out + 5, tc, 2);
  dsrc_rng_bytes(&o->rng, out + 7, 4);
  out[11] = in[8];
  rv = dsrc_autopass_sskey(o->crypto, sskey, o->prof->obukey_n[gn - 1], in, in + 4);
  if (rv == 0) rv = dsrc_autopass_mac(o->crypto, out + 12, sskey, out, out[4], tc, out + 7);
  if (rv == 0) rv = dsrc_autopass_sskey(o->crypto, sskey, o->prof->obukey_f[gf - 1], in, in + 4);
  if (rv == 0) rv = dsrc_autopass_mac(o->crypto, out + 16, sskey, out, out[4], tc, out + 7);
  dsrc_crypto_wipe(sskey, sizeof(sskey));
  return rv;
}

static int action(obe_engine *o, app_kind k, const dsrc_request *rq, dsrc_tapdu *rs) {
  switch (rq->type) {
  case DSRC_ACT_GET_STAMPED:
    if (!access_ok(o, k, rq->has_credentials, &rq->credentials)) break;
    return get_stamped(o, k, rq, rs);
  case DSRC_ACT_GET_SECURE:
    if (k != EFC_PROFILE_AUTOPASS) {
      action_rs(rs, rq->eid, DSRC_RET_ARGUMENT_ERROR);
      return 0;
    }
    return get_secure(o, rq, rs);
  case DSRC_ACT_SET_MMI:
    action_rs(rs, rq->eid, 0);
    return 0;
  case DSRC_ACT_ECHO:
    action_rs(rs, rq->eid, 0);
    if (rq->has_parameter) {
      rs->u.action_rs.has_parameter = true;
      rs->u.action_rs.parameter = rq->parameter;
    }
    return 0;
  default:
    action_rs(rs, rq->eid, DSRC_RET_ARGUMENT_ERROR);
    return 0;
  }
  o->stats.access_denied++;
  action_rs(rs, rq->eid, DSRC_RET_ACCESS_DENIED);
  return 0;
}

static int get(obe_engine *o, app_kind k, const dsrc_get_rq *rq, dsrc_tapdu *rs) {
  dsrc_tapdu_init(rs, DSRC_GET_RS);
  rs->u.get_rs.eid = rq->eid;
  if (!access_ok(o, k, rq->has_credentials, &rq->credentials)) {
    o->stats.access_denied++;
    rs->u.get_rs.has_ret = true;
    rs->u.get_rs.ret = DSRC_RET_ACCESS_DENIED;
    return 0;
  }
  if (!rq->has_ids) return 0;
  rs->u.get_rs.has_attrs = true;
  return attributes(o, k, rs, &rs->u.get_rs.attrs, &rq->ids);
}

/* SET writes the EquipmentStatus (attr 26), as EN 15509's RSE does with the transaction
 * counter; every other attribute is read-only. */
static int set(obe_engine *o, app_kind k, const dsrc_tapdu *rq, dsrc_tapdu *rs) {
  const dsrc_set_rq *s = &rq->u.set_rq;
  dsrc_tapdu_init(rs, DSRC_SET_RS);
  rs->u.set_rs.eid = s->eid;
  rs->u.set_rs.has_ret = true;
  if (!access_ok(o, k, s->has_credentials, &s->credentials)) {
    o->stats.access_denied++;
    rs->u.set_rs.ret = DSRC_RET_ACCESS_DENIED;
    return 0;
  }
  for (unsigned i = 0; i < s->attrs.count; i++) {
    const dsrc_attribute *a = dsrc_tapdu_attr(rq, s->attrs, i);
    if (a->id != 26 || a->value.kind != DSRC_C_EQUSTAT || k == EFC_PROFILE_AUTOPASS) {
      rs->u.set_rs.ret = DSRC_RET_ARGUMENT_ERROR;
      return 0;
    }
  }
  for (unsigned i = 0; i < s->attrs.count; i++) {
    const dsrc_attribute *a = dsrc_tapdu_attr(rq, s->attrs, i);
    o->st->equipment_status =
        (uint16_t)((a->value.u.status.local_use & 0x0f) << 12 | (a->value.u.status.counter & 0x0fff));
    o->dirty = true;
  }
  rs->u.set_rs.ret = DSRC_RET_NO_ERROR;
  return 0;
}

/* One command T-APDU -> its answer in rs; returns 1 if there is an answer, 0 if none. */
/* EVENT_REPORT with eventType release (0). */
static bool is_release(const dsrc_tapdu *rq) { return rq->kind == DSRC_EVENT_RQ && rq->u.event_rq.type == 0; }

bool obe_app_is_release(const uint8_t *lsdu, size_t len) {
  dsrc_tapdu rq;
  unsigned pdu;
  return len > 0 && dsrc_pdu_decode(&rq, &pdu, lsdu, len, NULL) >= 0 && is_release(&rq);
}

static int command(obe_engine *o, const dsrc_tapdu *rq, dsrc_tapdu *rs, bool *release) {
  int rv;
  switch (rq->kind) {
  case DSRC_ACTION_RQ: {
    app_kind k = app_of_eid(o, rq->u.action_rq.eid);
    /* SET_MMI and ECHO go to eid 0, the OBE itself. */
    if (k == APP_NONE && rq->u.action_rq.eid != 0) {
      action_rs(rs, rq->u.action_rq.eid, DSRC_RET_ARGUMENT_ERROR);
      return 1;
    }
    rv = action(o, k, &rq->u.action_rq, rs);
    return rv < 0 ? rv : 1;
  }
  case DSRC_GET_RQ: {
    app_kind k = app_of_eid(o, rq->u.get_rq.eid);
    if (k == APP_NONE) {
      dsrc_tapdu_init(rs, DSRC_GET_RS);
      rs->u.get_rs.eid = rq->u.get_rq.eid;
      rs->u.get_rs.has_ret = true;
      rs->u.get_rs.ret = DSRC_RET_ARGUMENT_ERROR;
      return 1;
    }
    rv = get(o, k, &rq->u.get_rq, rs);
    return rv < 0 ? rv : 1;
  }
  case DSRC_SET_RQ: {
    app_kind k = app_of_eid(o, rq->u.set_rq.eid);
    if (k == APP_NONE) {
      dsrc_tapdu_init(rs, DSRC_SET_RS);
      rs->u.set_rs.eid = rq->u.set_rq.eid;
      rs->u.set_rs.has_ret = true;
      rs->u.set_rs.ret = DSRC_RET_ARGUMENT_ERROR;
      return 1;
    }
    rv = set(o, k, rq, rs);
    return rv < 0 ? rv : 1;
  }
  case DSRC_EVENT_RQ:
    if (is_release(rq)) *release = true;
    return 0; /* EN 15509: no response to RELEASE */
  default:
    return 0;
  }
}

int obe_app_execute(obe_engine *o, const uint8_t *lsdu, size_t len, uint8_t *answer, size_t cap,
                    bool *release, unsigned *pdus) {
  size_t off = 0, out = 0;
  *release = false;
  *pdus = 0;
  while (off < len) {
    dsrc_tapdu rq, rs;
    unsigned pdu;
    dsrc_ssize n = dsrc_pdu_decode(&rq, &pdu, lsdu + off, len - off, NULL);
    int rv;
    if (n < 0) return (int)n;
    off += (size_t)n;
    (*pdus)++;
    rv = command(o, &rq, &rs, release);
    if (rv < 0) return rv;
    if (rv == 0) continue;
    n = dsrc_pdu_encode(answer + out, cap - out, pdu, &rs);
    if (n < 0) return (int)n;
    out += (size_t)n;
  }
  return (int)out;
}
