/* T6 eavesdropping: a passive listener in the zone. The lane's capture stands for what a
 * receiver beside the gantry hears; the listener reads the file back with the capture reader
 * and decodes every frame with the dsrc codec, and lists what identifies the vehicle, its
 * contract or its payments in clear. Nothing is assumed per profile: what leaks is what the
 * decoded answers, VSTs and commands carried. */
#include <stdio.h>
#include <string.h>

#include "dsrc/efc.h"
#include "efc/msg.h"
#include "security/attack.h"
#include "security/leak.h"


typedef struct {
  const keymgmt_obe_profile *victim;
  unsigned frames, up, corrupted, undecoded, tapdus;
  unsigned found[SEC_LEAK_COUNT];  /* T-APDUs that carried each kind */
  bool attr[128];           /* attribute ids read from answers and SETs */
  unsigned secure;          /* GET_SECURE answers read */
  unsigned sessions;        /* VSTs heard: one per transaction */
  int last_action;          /* actionType of the last ACTION command heard, or -1 */
  /* The victim's own values, read back: in how many sessions each was. */
  unsigned own_obuid, own_pan, own_plate;
  bool s_obuid, s_pan, s_plate;
} listener;

/* A single-profile OBE: the victim carries only the scheme under evaluation, so no other
 * application of a multi-contract device answers for it. */
static void session_end(listener *l) {
  l->own_obuid += l->s_obuid;
  l->own_pan += l->s_pan;
  l->own_plate += l->s_plate;
  l->s_obuid = l->s_pan = l->s_plate = false;
}

static void on_attr(listener *l, const dsrc_attribute *a) {
  const keymgmt_obe_profile *v = l->victim;
  enum sec_leak k = sec_leak_of(a);
  l->attr[a->id & 127] = true;
  if (k != SEC_LEAK_NONE) l->found[k]++;
  switch (a->value.kind) {
  case DSRC_C_EQUOBUID:
    l->s_obuid |= memcmp(a->value.u.obu_id, v->obuid, 4) == 0;
    break;
  case DSRC_C_PAYMEANS:
    l->s_pan |= memcmp(a->value.u.payment_means.pan, v->pan, 10) == 0;
    break;
  case DSRC_C_VEHLPN:
    l->s_plate |= a->value.u.lpn.number.len == v->lpn_len &&
                  memcmp(a->value.u.lpn.number.data, v->lpn, v->lpn_len) == 0;
    break;
  default:
    break;
  }
}

static void on_list(listener *l, const dsrc_tapdu *t, dsrc_attr_list list) {
  for (unsigned i = 0; i < list.count; i++) on_attr(l, dsrc_tapdu_attr(t, list, i));
}

static void on_tapdu(listener *l, const dsrc_tapdu *t) {
  l->tapdus++;
  switch (t->kind) {
  case DSRC_VST:
    /* A VST opens a transaction; each application's context mark names the provider. */
    if (l->sessions++) session_end(l);
    for (unsigned i = 0; i < t->u.vst.apps.count; i++)
      if (t->u.vst.apps.items[i].has_parameter && t->u.vst.apps.items[i].parameter.len >= 3)
        l->found[SEC_LEAK_PROVIDER]++;
    break;
  case DSRC_ACTION_RQ:
    l->last_action = t->u.action_rq.type;
    break;
  case DSRC_ACTION_RS: {
    const dsrc_action_rs *rs = &t->u.action_rs;
    const uint8_t *p;
    if (!rs->has_parameter) break;
    if (rs->parameter.kind == DSRC_C_GSTRS) {
      on_list(l, t, rs->parameter.u.gstrs.list);
    } else if (l->last_action == DSRC_ACT_GET_SECURE && (p = efc_msg_secure_rs(t))) {
      /* obuid(4) || efcstatus(1) || TC(2) || RND-2 || keyGen || MAC1 || MAC2 */
      l->secure++;
      l->found[SEC_LEAK_OBUID]++;
      l->found[SEC_LEAK_EFCSTATUS]++;
      l->found[SEC_LEAK_TC]++;
      l->s_obuid |= memcmp(p, l->victim->obuid, 4) == 0;
    }
    break;
  }
  case DSRC_GET_RS:
    if (t->u.get_rs.has_attrs) on_list(l, t, t->u.get_rs.attrs);
    break;
  case DSRC_SET_RQ:
    /* The RSE writes the counter back in clear: the listener learns it from the command. */
    on_list(l, t, t->u.set_rq.attrs);
    break;
  default:
    break;
  }
}

static void on_frame(listener *l, const io_cap_record *r) {
  dsrc_frame f;
  size_t off = 0;
  l->frames++;
  l->up += r->uplink;
  if (r->flags & (IO_CAP_CORRUPTED | IO_CAP_COLLIDED)) {
    l->corrupted++;
    return;
  }
  if (dsrc_frame_decode(&f, r->frame, r->len) != 0) {
    l->undecoded++;
    return;
  }
  while (off < f.lsdu_len) {
    dsrc_tapdu t;
    unsigned pdu;
    dsrc_ssize n = dsrc_pdu_decode(&t, &pdu, f.lsdu + off, f.lsdu_len - off, NULL);
    if (n <= 0) {
      l->undecoded++;
      return;
    }
    off += (size_t)n;
    on_tapdu(l, &t);
  }
}

int sec_t06_eavesdropping(sec_world *w, const sec_params *p, sec_outcome *out) {
  char path[400], err[300], gained[SEC_TEXT] = "", ids[128], secure[64] = "";
  sec_obe victim;
  listener l;
  io_cap_reader *rd;
  io_cap_record rec;
  size_t n = 0;
  int rv;
  if (sec_obe_make_single(w, &victim, 0x00e0e001) != 0) return -1;
  if (sec_world_capture(w, "t06.pcap", path, sizeof(path), err, sizeof(err)) != 0) {
    snprintf(out->evidence, sizeof(out->evidence), "%.180s", err);
    return -1;
  }
  for (unsigned i = 0; i < p->passages; i++) {
    sec_passage ps;
    if (sec_pass(w, &victim, &ps) != 0) {
      sec_world_capture_abort(w);
      return -1;
    }
  }
  if (sec_world_capture_stop(w, err, sizeof(err)) != 0) {
    snprintf(out->evidence, sizeof(out->evidence), "%.180s", err);
    return -1;
  }

  /* The listener's side: only the file. */
  memset(&l, 0, sizeof(l));
  l.victim = &victim.prof;
  l.last_action = -1;
  if (!(rd = io_cap_reader_open(path, err, sizeof(err)))) {
    snprintf(out->evidence, sizeof(out->evidence), "%.180s", err);
    return -1;
  }
  while ((rv = io_cap_reader_next(rd, &rec, err, sizeof(err))) == 1) on_frame(&l, &rec);
  io_cap_reader_close(rd);
  if (rv < 0) {
    snprintf(out->evidence, sizeof(out->evidence), "%.180s", err);
    return -1;
  }
  if (l.sessions) session_end(&l);

  n = sec_leaks_format(gained, sizeof(gained), l.found);
  sec_attr_ids_format(ids, sizeof(ids), l.attr);
  if (l.secure) snprintf(secure, sizeof(secure), "; %u GET_SECURE.rs (obuid, efcstatus, TC)", l.secure);
  out->passages = p->passages;
  sec_outcome_set(out, n ? SEC_NOT_DETECTED : SEC_FAILED, n ? gained : "-",
                  "%u frames (%u up, %u lost, %u undecodable) of %u sessions decoded; attribute ids in clear: "
                  "%s%s; victim's obuid in %u/%u, PAN %u/%u, plate %u/%u",
                  l.frames, l.up, l.corrupted, l.undecoded, l.sessions, ids[0] ? ids : "none", secure,
                  l.own_obuid, l.sessions, l.own_pan, l.sessions, l.own_plate, l.sessions);
  return 0;
}
