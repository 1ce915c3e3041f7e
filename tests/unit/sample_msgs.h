/* Sample T-APDUs of every kind and every container alternative efcsim carries, for the
 * round-trip and robustness tests. */
#ifndef EFC_TEST_SAMPLE_MSGS_H
#define EFC_TEST_SAMPLE_MSGS_H

#include <string.h>

#include "dsrc/tapdu.h"

static inline void sample_octets(dsrc_octets *o, const char *s) {
  o->len = (uint8_t)strlen(s);
  memcpy(o->data, s, o->len);
}

static inline void sample_receipt(dsrc_receipt *r, uint8_t salt) {
  r->date.year = 2026;
  r->date.month = 11;
  r->date.day = 27;
  r->hours = 23;
  r->mins = 59;
  r->double_secs = 30;
  r->service_provider.country = 0x0c3;
  r->service_provider.issuer = 16383;
  r->location_of_station = 0xbeef;
  r->ascending_km = true;
  r->lane = 127;
  r->session_type = 7;
  r->result = 0;
  r->tariff_class = 2;
  r->claimed_class = 3;
  r->fee_amount = (uint16_t)(1234 + salt);
  r->fee_unit[0] = 0x05;
  r->fee_unit[1] = 0x78;
  r->contract_provider.country = 0x2ca;
  r->contract_provider.issuer = 42;
  r->type_of_contract[0] = 0x00;
  r->type_of_contract[1] = 0x01;
  r->context_version = 127;
  for (int i = 0; i < 4; i++) r->authenticator[i] = (uint8_t)(0xa0 + i + salt);
}

/* Fills c with a value of container kind k (every supported kind; NULL kinds carry none). */
static inline void sample_container(dsrc_tapdu *t, dsrc_container *c, unsigned k, unsigned variant) {
  memset(&c->u, 0, sizeof(c->u));
  c->kind = (uint8_t)k;
  switch (k) {
  case DSRC_C_INTEGER: {
    static const int64_t vals[] = {0, -1, 127, 128, -128, -129, 65535, INT64_MAX, INT64_MIN};
    c->u.integer = vals[variant % (sizeof(vals) / sizeof(vals[0]))];
    break;
  }
  case DSRC_C_OCTETSTRING:
    sample_octets(&c->u.octets, variant ? "" : "\xff\xff\x7e\x7e");
    break;
  case DSRC_C_BEACONID:
    c->u.beacon.manufacturer_id = 65535;
    c->u.beacon.individual_id = 134217727;
    break;
  case DSRC_C_AEID:
    c->u.aeid = 31;
    break;
  case DSRC_C_ASEID:
    c->u.ase_id = 127;
    break;
  case DSRC_C_ATTRIDLIST:
    c->u.ids.count = 3;
    c->u.ids.ids[0] = 0;
    c->u.ids.ids[1] = 64;
    c->u.ids.ids[2] = 127;
    break;
  case DSRC_C_ATTRLIST: {
    dsrc_attribute *a = dsrc_tapdu_attrs_alloc(t, &c->u.list, 2);
    a[0].id = 24;
    sample_container(t, &a[0].value, DSRC_C_EQUOBUID, 0);
    a[1].id = 26;
    sample_container(t, &a[1].value, DSRC_C_EQUSTAT, 0);
    break;
  }
  case DSRC_C_TIME:
    c->u.time = 4294967295u;
    break;
  case DSRC_C_GSTRQ:
    c->u.gstrq.ids.count = 3;
    c->u.gstrq.ids.ids[0] = 24;
    c->u.gstrq.ids.ids[1] = 26;
    c->u.gstrq.ids.ids[2] = 32;
    sample_octets(&c->u.gstrq.nonce, "\x5a\x7f\x1c\x20");
    c->u.gstrq.key_ref = 5;
    break;
  case DSRC_C_GSTRS: {
    dsrc_attribute *a = dsrc_tapdu_attrs_alloc(t, &c->u.gstrs.list, 1);
    a[0].id = 32;
    sample_container(t, &a[0].value, DSRC_C_PAYMEANS, 0);
    sample_octets(&c->u.gstrs.authenticator, "\x62\xfa\xc8\x0d");
    break;
  }
  case DSRC_C_EFCCONTEXT:
    c->u.context_mark.provider.country = 0x0c3;
    c->u.context_mark.provider.issuer = 1;
    c->u.context_mark.type_of_contract[1] = 1;
    c->u.context_mark.context_version = 2;
    break;
  case DSRC_C_VEHLPN:
    c->u.lpn.country = 0x0c3;
    c->u.lpn.alphabet = variant ? 33 : 1;
    sample_octets(&c->u.lpn.number, "EL12345   ");
    break;
  case DSRC_C_VEHCLASS:
    c->u.vehicle_class.has_trailer = variant & 1;
    c->u.vehicle_class.trailer = variant & 1;
    c->u.vehicle_class.un_ece = 2;
    c->u.vehicle_class.has_local = (variant & 2) != 0;
    c->u.vehicle_class.local = 9;
    break;
  case DSRC_C_VEHDIMS:
    c->u.dims.length = 45;
    c->u.dims.height = 16;
    c->u.dims.width = 18;
    break;
  case DSRC_C_VEHAXLES:
    c->u.axles.first_axle_height = 50;
    c->u.axles.tyre_configuration = 3;
    c->u.axles.trailer_axles = 7;
    c->u.axles.tractor_axles = 2;
    break;
  case DSRC_C_VEHWTLIMS:
    c->u.weights.max_laden = 3500;
    c->u.weights.train_max = 65535;
    c->u.weights.unladen = 1;
    break;
  case DSRC_C_VEHSPCHARS:
    c->u.specific.euro_value = 15;
    c->u.specific.cop_value = 7;
    c->u.specific.engine = 255;
    c->u.specific.descriptive = 21;
    c->u.specific.future_element = 1;
    c->u.specific.co2_scheme = 3;
    c->u.specific.co2_class = 7;
    c->u.specific.suspension = 2;
    break;
  case DSRC_C_EQUOBUID:
    memcpy(c->u.obu_id, "\x00\xa1\xb2\xc3", 4);
    break;
  case DSRC_C_EQUSTAT:
    c->u.status.local_use = 15;
    c->u.status.counter = 4095;
    break;
  case DSRC_C_PAYMEANS:
    memcpy(c->u.payment_means.pan, "\x28\x00\x00\x00\x12\x34\x56\x78\x90\x7f", 10);
    c->u.payment_means.expiry.year = 2117;
    c->u.payment_means.expiry.month = 12;
    c->u.payment_means.expiry.day = 31;
    break;
  case DSRC_C_RECDATA1:
  case DSRC_C_RECDATA2:
    sample_receipt(&c->u.receipt, (uint8_t)k);
    break;
  case DSRC_C_SETMMIRQ:
    c->u.set_mmi = 255;
    break;
  default:
    break;
  }
}

/* The container kinds the codec carries, plus a few of the NULL ones. */
static const unsigned sample_kinds[] = {
    DSRC_C_INTEGER,    DSRC_C_OCTETSTRING, DSRC_C_BEACONID,   DSRC_C_AEID,
    DSRC_C_ASEID,      DSRC_C_ATTRIDLIST,  DSRC_C_ATTRLIST,   DSRC_C_TIME,
    DSRC_C_GSTRQ,      DSRC_C_GSTRS,       DSRC_C_EFCCONTEXT, DSRC_C_VEHLPN,
    DSRC_C_VEHCLASS,   DSRC_C_VEHDIMS,     DSRC_C_VEHAXLES,   DSRC_C_VEHWTLIMS,
    DSRC_C_VEHSPCHARS, DSRC_C_EQUOBUID,    DSRC_C_EQUSTAT,    DSRC_C_PAYMEANS,
    DSRC_C_RECDATA1,   DSRC_C_RECDATA2,    DSRC_C_SETMMIRQ,   1,
    10,                48,                 86};
#define SAMPLE_KINDS (sizeof(sample_kinds) / sizeof(sample_kinds[0]))

static inline void sample_app(dsrc_application *a, uint8_t aid, int with_param) {
  a->aid = aid;
  a->has_eid = with_param;
  a->eid = (uint8_t)(aid + 3);
  a->has_parameter = with_param;
  if (with_param) sample_octets(&a->parameter, "\x30\xc0\x01\x00\x01\x02");
}

/* Message number i of the sample set (returns 0 past the end). Each exercises one kind
 * with its options present or absent. */
static inline int sample_message(dsrc_tapdu *t, unsigned i) {
  unsigned variant = i / DSRC_TAPDU_KINDS;
  unsigned kind = i % DSRC_TAPDU_KINDS;
  bool all = variant & 1;
  if (variant >= 2) return 0;
  dsrc_tapdu_init(t, (enum dsrc_tapdu_kind)kind);
  switch (kind) {
  case DSRC_ACTION_RQ:
  case DSRC_EVENT_RQ: {
    dsrc_request *r = kind == DSRC_ACTION_RQ ? &t->u.action_rq : &t->u.event_rq;
    r->mode = all;
    r->eid = all ? 127 : 1;
    r->type = all ? DSRC_ACT_GET_SECURE : 0;
    r->has_credentials = all;
    sample_octets(&r->credentials, "\xde\xcb\x1f\xf3");
    r->has_parameter = true;
    sample_container(t, &r->parameter, all ? DSRC_C_OCTETSTRING : DSRC_C_GSTRQ, 0);
    r->has_iid = all;
    r->iid = 9;
    break;
  }
  case DSRC_ACTION_RS:
    t->u.action_rs.fill = all;
    t->u.action_rs.eid = 3;
    t->u.action_rs.has_iid = all;
    t->u.action_rs.iid = 100;
    t->u.action_rs.has_parameter = true;
    sample_container(t, &t->u.action_rs.parameter, all ? DSRC_C_OCTETSTRING : DSRC_C_GSTRS, 0);
    t->u.action_rs.has_ret = all;
    t->u.action_rs.ret = DSRC_RET_PROCESSING;
    break;
  case DSRC_EVENT_RS:
    break;
  case DSRC_SET_RQ: {
    unsigned n = all ? SAMPLE_KINDS / 2 : SAMPLE_KINDS - SAMPLE_KINDS / 2;
    unsigned first = all ? 0 : SAMPLE_KINDS / 2;
    dsrc_attribute *a = dsrc_tapdu_attrs_alloc(t, &t->u.set_rq.attrs, n);
    for (unsigned k = 0; k < n; k++) {
      a[k].id = (uint8_t)(first + k);
      sample_container(t, &a[k].value, sample_kinds[first + k], variant);
    }
    t->u.set_rq.fill = 0;
    t->u.set_rq.mode = true;
    t->u.set_rq.eid = 1;
    t->u.set_rq.has_credentials = all;
    sample_octets(&t->u.set_rq.credentials, "\x11\x22\x33\x44");
    t->u.set_rq.has_iid = all;
    t->u.set_rq.iid = 2;
    break;
  }
  case DSRC_SET_RS:
    t->u.set_rs.fill = all ? 3 : 0;
    t->u.set_rs.eid = 1;
    t->u.set_rs.has_iid = all;
    t->u.set_rs.iid = 4;
    t->u.set_rs.has_ret = true;
    t->u.set_rs.ret = all ? DSRC_RET_ACCESS_DENIED : 0;
    break;
  case DSRC_GET_RQ:
    t->u.get_rq.eid = 1;
    t->u.get_rq.has_credentials = all;
    sample_octets(&t->u.get_rq.credentials, "\xde\xcb\x1f\xf3");
    t->u.get_rq.has_iid = all;
    t->u.get_rq.iid = 5;
    t->u.get_rq.has_ids = true;
    t->u.get_rq.ids.count = all ? 8 : 0;
    for (unsigned k = 0; k < 8; k++) t->u.get_rq.ids.ids[k] = (uint8_t)(16 + k);
    break;
  case DSRC_GET_RS: {
    dsrc_attribute *a;
    t->u.get_rs.eid = 1;
    t->u.get_rs.has_iid = all;
    t->u.get_rs.iid = 6;
    t->u.get_rs.has_attrs = true;
    a = dsrc_tapdu_attrs_alloc(t, &t->u.get_rs.attrs, 6);
    for (unsigned k = 0; k < 6; k++) {
      static const unsigned kinds[] = {DSRC_C_VEHLPN, DSRC_C_VEHCLASS, DSRC_C_VEHDIMS,
                                       DSRC_C_VEHAXLES, DSRC_C_VEHWTLIMS, DSRC_C_VEHSPCHARS};
      a[k].id = (uint8_t)(16 + k);
      sample_container(t, &a[k].value, kinds[k], variant + k);
    }
    t->u.get_rs.has_ret = all;
    t->u.get_rs.ret = 0;
    break;
  }
  case DSRC_BST:
    t->u.bst.rsu.manufacturer_id = 4095;
    t->u.bst.rsu.individual_id = 256;
    t->u.bst.time = 1733233720u;
    t->u.bst.profile = all ? 1 : 0;
    t->u.bst.mand.count = all ? 3 : 1;
    sample_app(&t->u.bst.mand.items[0], DSRC_AID_EFC, 0);
    sample_app(&t->u.bst.mand.items[1], DSRC_AID_CCC, 0);
    sample_app(&t->u.bst.mand.items[2], 31, 1);
    t->u.bst.has_nonmand = all;
    t->u.bst.nonmand.count = 1;
    sample_app(&t->u.bst.nonmand.items[0], DSRC_AID_LAC, 1);
    t->u.bst.profile_count = all ? 2 : 0;
    t->u.bst.profiles[0] = 0;
    t->u.bst.profiles[1] = 127;
    break;
  case DSRC_VST:
    t->u.vst.fill = all ? 0xf : 0;
    t->u.vst.profile = 0;
    t->u.vst.apps.count = all ? 2 : 1;
    sample_app(&t->u.vst.apps.items[0], DSRC_AID_EFC, 1);
    sample_app(&t->u.vst.apps.items[1], DSRC_AID_FREIGHT, all);
    t->u.vst.config.equipment_class = 32767;
    t->u.vst.config.manufacturer_id = 2;
    t->u.vst.config.has_status = all;
    t->u.vst.config.status = 0x2000;
    break;
  }
  return 1;
}

#endif
