/* T9 unauthorised reader: a reader of the attacker's own (a car park, a tracking or
 * marketing network) with no keys at all wakes a genuine OBE and asks what any RSE may ask:
 * GET of the vehicle and contract attributes (EN 15509 ids, dsrc/efc.h), the receipts,
 * GET_STAMPED, and AutoPASS GET_SECURE. What it obtained is what the OBE answered. */
#include <stdio.h>
#include <string.h>

#include "dsrc/efc.h"
#include "dsrc/keys.h"
#include "efc/msg.h"
#include "rse/verify.h"
#include "security/attack.h"
#include "security/leak.h"


typedef struct {
  unsigned asked, data, empty, denied, refused; /* commands; answers with data, with none, accessDenied, other errors */
  unsigned found[SEC_LEAK_COUNT];
  bool attr[128];
  char plate[16];
  uint8_t pan[10];
  bool have_pan;
} reading;

/* The reader's own beacon: it is not the operator's. */
static const dsrc_beacon_id reader_beacon = {0x7f, 424242};

/* A single-profile OBE: the scheme under evaluation and nothing a multi-contract device would
 * add beside it. */
static void on_attr(reading *g, const dsrc_attribute *a) {
  enum sec_leak k = sec_leak_of(a);
  g->attr[a->id & 127] = true;
  if (k != SEC_LEAK_NONE) g->found[k]++;
  switch (a->value.kind) {
  case DSRC_C_PAYMEANS:
    memcpy(g->pan, a->value.u.payment_means.pan, 10);
    g->have_pan = true;
    break;
  case DSRC_C_VEHLPN: {
    size_t n = a->value.u.lpn.number.len < sizeof(g->plate) - 1 ? a->value.u.lpn.number.len : sizeof(g->plate) - 1;
    memcpy(g->plate, a->value.u.lpn.number.data, n);
    g->plate[n] = 0;
    /* the number is space-padded */
    while (n && g->plate[n - 1] == ' ') g->plate[--n] = 0;
    break;
  }
  default:
    break;
  }
}

/* One answer: data, a denial, or another refusal. */
static void on_answer(reading *g, const dsrc_tapdu *a, bool secure) {
  unsigned before = 0, after = 0;
  int ret = -1;
  for (int k = 0; k < SEC_LEAK_COUNT; k++) before += g->found[k];
  if (a->kind == DSRC_GET_RS) {
    if (a->u.get_rs.has_ret) ret = a->u.get_rs.ret;
    for (unsigned i = 0; a->u.get_rs.has_attrs && i < a->u.get_rs.attrs.count; i++)
      on_attr(g, dsrc_tapdu_attr(a, a->u.get_rs.attrs, i));
  } else if (a->kind == DSRC_ACTION_RS) {
    const dsrc_action_rs *rs = &a->u.action_rs;
    if (rs->has_ret) ret = rs->ret;
    if (rs->has_parameter && rs->parameter.kind == DSRC_C_GSTRS) {
      for (unsigned i = 0; i < rs->parameter.u.gstrs.list.count; i++)
        on_attr(g, dsrc_tapdu_attr(a, rs->parameter.u.gstrs.list, i));
    } else if (secure && efc_msg_secure_rs(a)) {
      /* obuid(4) || efcstatus(1) || TC(2) || ...: no key needed to read them */
      g->found[SEC_LEAK_OBUID]++;
      g->found[SEC_LEAK_EFCSTATUS]++;
      g->found[SEC_LEAK_TC]++;
    }
  }
  for (int k = 0; k < SEC_LEAK_COUNT; k++) after += g->found[k];
  if (ret == DSRC_RET_ACCESS_DENIED) g->denied++;
  else if (ret > 0) g->refused++;
  else if (after > before) g->data++;
  else g->empty++;
}

static void ask_get(sec_reader *r, reading *g, uint8_t eid, const uint8_t *ids, unsigned n) {
  dsrc_tapdu q, a;
  dsrc_attr_ids want;
  want.count = (uint8_t)n;
  memcpy(want.ids, ids, n);
  efc_msg_get(&q, eid, NULL, &want);
  g->asked++;
  if (sec_reader_ask(r, &q, &a) == 0) on_answer(g, &a, false);
}

/* One reader session against the OBE: everything a keyless reader may try. */
static int read_once(sec_world *w, sec_obe *v, reading *g, unsigned *sessions) {
  static const uint8_t vehicle[] = {DSRC_ATTR_LPN, DSRC_ATTR_CLASS, DSRC_ATTR_DIMENSIONS,
                                    DSRC_ATTR_AXLES, DSRC_ATTR_WEIGHTS, DSRC_ATTR_SPECIFIC};
  static const uint8_t contract[] = {DSRC_ATTR_CONTEXT_MARK, DSRC_ATTR_OBUID, DSRC_ATTR_STATUS,
                                     DSRC_ATTR_PAYMENT_MEANS};
  static const uint8_t receipts[] = {DSRC_ATTR_RECEIPT1, DSRC_ATTR_RECEIPT2};
  sec_reader r;
  const dsrc_application *app;
  dsrc_tapdu q, a;
  uint8_t eid, t[4];
  obe_sleep(&v->o);
  if (sec_reader_open(&r, w, &v->o, &reader_beacon) != 0) return -1;
  (*sessions)++;
  /* The application of the scheme under evaluation, as its VST lists it. */
  app = rse_vst_app(&r.vst.u.vst, w->profile);
  eid = app ? app->eid : (r.vst.u.vst.apps.count ? r.vst.u.vst.apps.items[0].eid : 1);
  ask_get(&r, g, eid, vehicle, sizeof(vehicle));
  ask_get(&r, g, eid, contract, sizeof(contract));
  ask_get(&r, g, eid, receipts, sizeof(receipts));

  /* GET_STAMPED with the reader's own nonce: the attributes come back beside a MAC it cannot
   * check, which does not matter to it. */
  efc_msg_get_stamped(&q, eid, NULL, &w->rcfg.stamped_ids, w->rcfg.keyref_tc, (const uint8_t *)"\x0b\xad\xca\xfe");
  g->asked++;
  if (sec_reader_ask(&r, &q, &a) == 0) on_answer(g, &a, false);

  /* GET_SECURE: RND-1 and T of its own, any key generation. */
  dsrc_autopass_time_octets(t, (uint32_t)(w->rcfg.epoch_cs + (int64_t)(r.now / 10000000u)));
  efc_msg_get_secure(&q, eid, (const uint8_t *)"\x12\x34\x56\x78", t, 0x11);
  g->asked++;
  if (sec_reader_ask(&r, &q, &a) == 0) on_answer(g, &a, true);
  sec_reader_close(&r);
  /* The next reading is another day: a new session for the OBE. */
  w->l.now += UINT64_C(300000000000);
  return 0;
}

int sec_t09_unauthorised_reader(sec_world *w, const sec_params *p, sec_outcome *out) {
  sec_obe v;
  reading g;
  unsigned sessions = 0, tc0;
  char gained[SEC_TEXT] = "", ids[128] = "", what[96] = "";
  memset(&g, 0, sizeof(g));
  if (sec_obe_make_single(w, &v, 0x00e0e009) != 0) return -1;
  tc0 = v.st.autopass_tc;
  for (unsigned i = 0; i < p->passages; i++)
    if (read_once(w, &v, &g, &sessions) != 0) break;
  if (!sessions) {
    snprintf(out->evidence, sizeof(out->evidence), "the OBE never answered the reader's BST");
    return -1;
  }
  sec_leaks_format(gained, sizeof(gained), g.found);
  sec_attr_ids_format(ids, sizeof(ids), g.attr);
  if (g.have_pan || g.plate[0])
    snprintf(what, sizeof(what), "; read PAN %02x%02x%02x%02x%02x.., plate %s", g.pan[0], g.pan[1], g.pan[2],
             g.pan[3], g.pan[4], g.plate[0] ? g.plate : "-");
  out->passages = sessions;
  sec_outcome_set(out, g.data ? SEC_NOT_DETECTED : SEC_FAILED, g.data ? gained : "-",
                  "%u sessions, %u commands: %u with data, %u empty, %u accessDenied, %u refused; "
                  "attribute ids read: %s%s; victim's TC +%u",
                  sessions, g.asked, g.data, g.empty, g.denied, g.refused, ids[0] ? ids : "none", what,
                  (unsigned)(uint16_t)(v.st.autopass_tc - tc0));
  return 0;
}
