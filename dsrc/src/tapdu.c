/* Descriptions of the ten T-APDU kinds (EN 12834 / ISO 14906 generic module, as profiled by
 * EN 15509's En15509TApdus), and the public PER entry points. */
#include <string.h>

#include "values.h"

static const char *const tapdu_names[DSRC_TAPDU_KINDS] = {
    "actionRequest", "actionResponse", "eventReportRequest", "eventReportResponse",
    "setRequest",    "setResponse",    "getRequest",         "getResponse",
    "initialisationRequest", "initialisationResponse"};

static int v_opt_ext7(visitor *v, const char *name, bool present, uint8_t *x) {
  return present ? v_ext7(v, name, x) : 0;
}

/* Action-Request and Event-Report-Request have one shape. */
static int v_request(visitor *v, dsrc_tapdu *t, dsrc_request *r, bool event) {
  const char *param = event ? "eventParameter" : "actionParameter";
  TRY(v_seq_begin(v, NULL));
  TRY(v_present(v, "accessCredentials", &r->has_credentials));
  TRY(v_present(v, param, &r->has_parameter));
  TRY(v_present(v, "iid", &r->has_iid));
  TRY(v_bool(v, "mode", &r->mode));
  TRY(v_ext7(v, "eid", &r->eid));
  TRY(v_ext7(v, event ? "eventType" : "actionType", &r->type));
  if (r->has_credentials) TRY(v_octets127(v, "accessCredentials", &r->credentials));
  if (r->has_parameter) TRY(v_container(v, param, t, &r->parameter));
  TRY(v_opt_ext7(v, "iid", r->has_iid, &r->iid));
  v_end(v);
  return 0;
}

/* JER must show fill bits, but a hand-written value may leave them out: they are zero. */
static int v_fill(visitor *v, unsigned n, uint8_t *fill) {
  bool has = true;
  if (v->mode == VM_JER_DEC) {
    TRY(vj_present(v, "fill", &has));
    if (!has) {
      *fill = 0;
      return 0;
    }
  }
  return v_bits8(v, "fill", n, fill);
}

static int v_action_rs(visitor *v, dsrc_tapdu *t, dsrc_action_rs *r) {
  TRY(v_seq_begin(v, NULL));
  TRY(v_present(v, "iid", &r->has_iid));
  TRY(v_present(v, "responseParameter", &r->has_parameter));
  TRY(v_present(v, "ret", &r->has_ret));
  TRY(v_fill(v, 1, &r->fill));
  TRY(v_ext7(v, "eid", &r->eid));
  TRY(v_opt_ext7(v, "iid", r->has_iid, &r->iid));
  if (r->has_parameter) TRY(v_container(v, "responseParameter", t, &r->parameter));
  TRY(v_opt_ext7(v, "ret", r->has_ret, &r->ret));
  v_end(v);
  return 0;
}

static int v_set_rq(visitor *v, dsrc_tapdu *t, dsrc_set_rq *r) {
  TRY(v_seq_begin(v, NULL));
  TRY(v_present(v, "accessCredentials", &r->has_credentials));
  TRY(v_present(v, "iid", &r->has_iid));
  TRY(v_fill(v, 1, &r->fill));
  TRY(v_bool(v, "mode", &r->mode));
  TRY(v_ext7(v, "eid", &r->eid));
  if (r->has_credentials) TRY(v_octets127(v, "accessCredentials", &r->credentials));
  TRY(v_attr_list(v, "attrList", t, &r->attrs));
  TRY(v_opt_ext7(v, "iid", r->has_iid, &r->iid));
  v_end(v);
  return 0;
}

static int v_set_rs(visitor *v, dsrc_set_rs *r) {
  TRY(v_seq_begin(v, NULL));
  TRY(v_present(v, "iid", &r->has_iid));
  TRY(v_present(v, "ret", &r->has_ret));
  TRY(v_fill(v, 2, &r->fill));
  TRY(v_ext7(v, "eid", &r->eid));
  TRY(v_opt_ext7(v, "iid", r->has_iid, &r->iid));
  TRY(v_opt_ext7(v, "ret", r->has_ret, &r->ret));
  v_end(v);
  return 0;
}

static int v_get_rq(visitor *v, dsrc_get_rq *r) {
  TRY(v_seq_begin(v, NULL));
  TRY(v_present(v, "accessCredentials", &r->has_credentials));
  TRY(v_present(v, "iid", &r->has_iid));
  TRY(v_present(v, "attrIdList", &r->has_ids));
  TRY(v_fill(v, 1, &r->fill));
  TRY(v_ext7(v, "eid", &r->eid));
  if (r->has_credentials) TRY(v_octets127(v, "accessCredentials", &r->credentials));
  TRY(v_opt_ext7(v, "iid", r->has_iid, &r->iid));
  if (r->has_ids) TRY(v_attr_ids(v, "attrIdList", &r->ids));
  v_end(v);
  return 0;
}

static int v_get_rs(visitor *v, dsrc_tapdu *t, dsrc_get_rs *r) {
  TRY(v_seq_begin(v, NULL));
  TRY(v_present(v, "iid", &r->has_iid));
  TRY(v_present(v, "attributelist", &r->has_attrs));
  TRY(v_present(v, "ret", &r->has_ret));
  TRY(v_fill(v, 1, &r->fill));
  TRY(v_ext7(v, "eid", &r->eid));
  TRY(v_opt_ext7(v, "iid", r->has_iid, &r->iid));
  if (r->has_attrs) TRY(v_attr_list(v, "attributelist", t, &r->attrs));
  TRY(v_opt_ext7(v, "ret", r->has_ret, &r->ret));
  v_end(v);
  return 0;
}

/* ApplicationList; the parameter is an ApplicationContextMark, a container restricted to
 * its octetstring alternative. */
static int v_app_list(visitor *v, const char *name, dsrc_app_list *l) {
  TRY(v_list_begin(v, name, &l->count, DSRC_APPS_MAX));
  for (unsigned i = 0; i < l->count; i++) {
    dsrc_application *a = &l->items[i];
    TRY(v_item_begin(v, i));
    TRY(v_seq_begin(v, NULL));
    TRY(v_present(v, "eid", &a->has_eid));
    TRY(v_present(v, "parameter", &a->has_parameter));
    TRY(v_ext(v, "aid", 5, &a->aid));
    TRY(v_opt_ext7(v, "eid", a->has_eid, &a->eid));
    if (a->has_parameter) {
      uint8_t kind = DSRC_C_OCTETSTRING;
      size_t at = v_pos(v);
      TRY(v_choice_begin(v, "parameter", dsrc_container_names, DSRC_C_ROOT_COUNT, true, 7, &kind));
      if (kind != DSRC_C_OCTETSTRING)
        return v_fail_at(v, at, "parameter", DSRC_ERR_CONSTRAINT,
                         "ApplicationContextMark must be an octetstring");
      TRY(v_octets127(v, NULL, &a->parameter));
      v_end(v);
    }
    v_end(v);
    v_end(v);
  }
  v_end(v);
  return 0;
}

static int v_bst_body(visitor *v, dsrc_bst *b) {
  TRY(v_seq_begin(v, NULL));
  TRY(v_present(v, "nonmandApplications", &b->has_nonmand));
  TRY(v_beacon_id(v, "rsu", &b->rsu));
  TRY(v_uint(v, "time", 32, &b->time));
  TRY(v_ext7(v, "profile", &b->profile));
  TRY(v_app_list(v, "mandApplications", &b->mand));
  if (b->has_nonmand) TRY(v_app_list(v, "nonmandApplications", &b->nonmand));
  TRY(v_list_begin(v, "profileList", &b->profile_count, DSRC_PROFILES_MAX));
  for (unsigned i = 0; i < b->profile_count; i++) {
    TRY(v_item_begin(v, i));
    TRY(v_ext7(v, NULL, &b->profiles[i]));
    v_end(v);
  }
  v_end(v);
  v_end(v);
  return 0;
}

static int v_vst(visitor *v, dsrc_vst *s) {
  TRY(v_seq_begin(v, NULL));
  TRY(v_fill(v, 4, &s->fill));
  TRY(v_ext7(v, "profile", &s->profile));
  TRY(v_app_list(v, "applications", &s->apps));
  TRY(v_seq_begin(v, "obeConfiguration"));
  TRY(v_present(v, "obeStatus", &s->config.has_status));
  TRY(v_u16(v, "equipmentClass", 15, &s->config.equipment_class));
  TRY(v_u16(v, "manufacturerID", 16, &s->config.manufacturer_id));
  if (s->config.has_status) TRY(v_u16(v, "obeStatus", 16, &s->config.status));
  v_end(v);
  v_end(v);
  return 0;
}

int v_tapdu(visitor *v, dsrc_tapdu *t) {
  if (v_dec(v)) t->npool = 0;
  TRY(v_choice_begin(v, NULL, tapdu_names, DSRC_TAPDU_KINDS, false, 4, &t->kind));
  switch (t->kind) {
  case DSRC_ACTION_RQ:
    TRY(v_request(v, t, &t->u.action_rq, false));
    break;
  case DSRC_ACTION_RS:
    TRY(v_action_rs(v, t, &t->u.action_rs));
    break;
  case DSRC_EVENT_RQ:
    TRY(v_request(v, t, &t->u.event_rq, true));
    break;
  case DSRC_EVENT_RS:
    TRY(v_null(v)); /* EN 15509: no response to RELEASE */
    break;
  case DSRC_SET_RQ:
    TRY(v_set_rq(v, t, &t->u.set_rq));
    break;
  case DSRC_SET_RS:
    TRY(v_set_rs(v, &t->u.set_rs));
    break;
  case DSRC_GET_RQ:
    TRY(v_get_rq(v, &t->u.get_rq));
    break;
  case DSRC_GET_RS:
    TRY(v_get_rs(v, t, &t->u.get_rs));
    break;
  case DSRC_BST:
    TRY(v_bst_body(v, &t->u.bst));
    break;
  default:
    TRY(v_vst(v, &t->u.vst));
    break;
  }
  v_end(v);
  return 0;
}

/* A whole top-level PER encoding: the value, then zero padding to an octet boundary. */
typedef int (*top_fn)(visitor *v, void *value, void *ctx);

static dsrc_ssize per_top(bool enc, top_fn fn, void *value, void *ctx, const uint8_t *buf,
                          size_t len, size_t *bitpos) {
  visitor v;
  int rv;
  v_init_per(&v, enc, buf, len);
  rv = fn(&v, value, ctx);
  if (rv == 0) rv = per_pad(&v.per);
  if (bitpos) *bitpos = v.per.pos;
  return rv != 0 ? rv : (dsrc_ssize)(v.per.pos >> 3);
}

/* Encoding reads value and ctx only; the casts let one walker serve both directions. */
#define PER_ENCODE(fn, value, ctx, buf, cap) \
  per_top(true, fn, (void *)(uintptr_t)(value), (void *)(uintptr_t)(ctx), buf, cap, NULL)

static int top_tapdu(visitor *v, void *value, void *ctx) {
  (void)ctx;
  return v_tapdu(v, value);
}

static int top_beacon_id(visitor *v, void *value, void *ctx) {
  (void)ctx;
  return v_beacon_id(v, NULL, value);
}

static int top_context_mark(visitor *v, void *value, void *ctx) {
  (void)ctx;
  return v_context_mark(v, NULL, value);
}

static int top_bst(visitor *v, void *value, void *ctx) {
  (void)ctx;
  return v_bst_body(v, value);
}

static int top_attr_list(visitor *v, void *value, void *ctx) {
  return v_attr_list(v, NULL, ctx, value);
}

void dsrc_tapdu_init(dsrc_tapdu *t, enum dsrc_tapdu_kind kind) {
  memset(&t->u, 0, sizeof(t->u));
  t->kind = (uint8_t)kind;
  t->npool = 0;
}

dsrc_attribute *dsrc_tapdu_attrs_alloc(dsrc_tapdu *t, dsrc_attr_list *list, unsigned n) {
  if ((unsigned)t->npool + n > DSRC_POOL_MAX) return NULL;
  list->first = t->npool;
  list->count = (uint8_t)n;
  t->npool = (uint8_t)(t->npool + n);
  memset(&t->pool[list->first], 0, n * sizeof(t->pool[0]));
  return &t->pool[list->first];
}

dsrc_ssize dsrc_tapdu_decode(dsrc_tapdu *t, const uint8_t *buf, size_t len, size_t *bitpos) {
  return per_top(false, top_tapdu, t, NULL, buf, len, bitpos);
}

dsrc_ssize dsrc_tapdu_encode(uint8_t *buf, size_t cap, const dsrc_tapdu *t) {
  return PER_ENCODE(top_tapdu, t, NULL, buf, cap);
}

dsrc_ssize dsrc_beacon_id_decode(dsrc_beacon_id *b, const uint8_t *buf, size_t len,
                                 size_t *bitpos) {
  return per_top(false, top_beacon_id, b, NULL, buf, len, bitpos);
}

dsrc_ssize dsrc_beacon_id_encode(uint8_t *buf, size_t cap, const dsrc_beacon_id *b) {
  return PER_ENCODE(top_beacon_id, b, NULL, buf, cap);
}

dsrc_ssize dsrc_context_mark_decode(dsrc_context_mark *m, const uint8_t *buf, size_t len,
                                    size_t *bitpos) {
  return per_top(false, top_context_mark, m, NULL, buf, len, bitpos);
}

dsrc_ssize dsrc_context_mark_encode(uint8_t *buf, size_t cap, const dsrc_context_mark *m) {
  return PER_ENCODE(top_context_mark, m, NULL, buf, cap);
}

dsrc_ssize dsrc_bst_decode(dsrc_bst *b, const uint8_t *buf, size_t len, size_t *bitpos) {
  return per_top(false, top_bst, b, NULL, buf, len, bitpos);
}

dsrc_ssize dsrc_bst_encode(uint8_t *buf, size_t cap, const dsrc_bst *b) {
  return PER_ENCODE(top_bst, b, NULL, buf, cap);
}

dsrc_ssize dsrc_attr_list_encode(uint8_t *buf, size_t cap, const dsrc_tapdu *t,
                                 dsrc_attr_list list) {
  return PER_ENCODE(top_attr_list, &list, t, buf, cap);
}

const char *dsrc_tapdu_kind_name(unsigned kind) {
  return kind < DSRC_TAPDU_KINDS ? tapdu_names[kind] : NULL;
}
