/* A capture record's frame as efc-pcap sees it: L2 fields, role, the facts of its T-APDUs,
 * airtime. The roles follow docs/protocol.md (sections 2 and 5) and the MAC bit table of
 * frame.h, and match what tools/pcap/efcsim.lua shows in Wireshark. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "efc/msg.h"
#include "pcap_tool.h"

static const char *const role_names[PCAP_ROLES] = {
    "BST",  "window request", "window allocation", "command", "response", "NE_OK",
    "VST",  "late response",  "RELEASE",           "malformed"};

const char *pcap_role_name(pcap_role r) { return r < PCAP_ROLES ? role_names[r] : "?"; }

static void fact_of(pcap_pdu_fact *p, const dsrc_tapdu *t) {
  const dsrc_container *param = NULL;
  p->kind = t->kind;
  p->type = 0;
  p->eid = -1;
  p->param_kind = -1;
  p->param_len = 0;
  switch (t->kind) {
  case DSRC_ACTION_RQ:
  case DSRC_EVENT_RQ: {
    const dsrc_request *r = t->kind == DSRC_ACTION_RQ ? &t->u.action_rq : &t->u.event_rq;
    p->type = r->type;
    p->eid = r->eid;
    if (r->has_parameter) param = &r->parameter;
    break;
  }
  case DSRC_ACTION_RS:
    p->eid = t->u.action_rs.eid;
    if (t->u.action_rs.has_parameter) param = &t->u.action_rs.parameter;
    break;
  case DSRC_SET_RQ:
    p->eid = t->u.set_rq.eid;
    break;
  case DSRC_SET_RS:
    p->eid = t->u.set_rs.eid;
    break;
  case DSRC_GET_RQ:
    p->eid = t->u.get_rq.eid;
    break;
  case DSRC_GET_RS:
    p->eid = t->u.get_rs.eid;
    break;
  default:
    break;
  }
  if (param) {
    p->param_kind = param->kind;
    if (param->kind == DSRC_C_OCTETSTRING) p->param_len = param->u.octets.len;
  }
}

static pcap_role role_of(const pcap_frame *pf) {
  const dsrc_frame *f = &pf->f;
  bool up = (f->mac & DSRC_MAC_D) != 0;
  const pcap_pdu_fact *first = pf->npdus ? &pf->pdus[0] : NULL;
  /* The BST is the one broadcast frame that allocates (public) windows. */
  if (f->lid_len == 1 && !up && (f->mac & DSRC_MAC_A)) return PCAP_ROLE_BST;
  if (!f->has_llc) return up ? PCAP_ROLE_WINDOW_REQUEST : PCAP_ROLE_WINDOW_ALLOCATION;
  if (!up)
    return first && first->kind == DSRC_EVENT_RQ && first->type == 0 ? PCAP_ROLE_RELEASE
                                                                     : PCAP_ROLE_COMMAND;
  /* Uplink UI frames are the VST and the late responses (docs/protocol.md, "Late response"). */
  if (f->llc == DSRC_LLC_UI)
    return first && first->kind == DSRC_VST ? PCAP_ROLE_VST : PCAP_ROLE_LATE_RESPONSE;
  if (f->has_status && f->status == DSRC_LLC_NE_OK) return PCAP_ROLE_NE_OK;
  return PCAP_ROLE_RESPONSE;
}

int pcap_frame_fill(pcap_frame *pf, const io_cap_record *r, unsigned long record,
                    const dsrc_l1_params *l1) {
  memset(pf, 0, sizeof(*pf));
  /* The record's octets live only until the reader's next call. */
  pf->octets = malloc(r->len ? r->len : 1);
  if (!pf->octets) return -1;
  memcpy(pf->octets, r->frame, r->len);
  pf->len = r->len;
  pf->record = record;
  pf->t_ns = r->t_ns;
  pf->uplink = r->uplink;
  pf->lane = r->lane;
  pf->flags = r->flags;
  pf->rec_lid = r->lid;
  pf->air_ns = dsrc_l1_airtime_ns(l1, r->uplink, pf->octets, pf->len);
  pf->err = dsrc_frame_decode(&pf->f, pf->octets, pf->len);
  if (pf->err != 0 && pf->err != DSRC_ERR_FCS) {
    pf->role = PCAP_ROLE_MALFORMED;
    return 0;
  }
  for (size_t off = 0; pf->f.has_llc && off < pf->f.lsdu_len;) {
    dsrc_tapdu t;
    unsigned pdu;
    dsrc_ssize n = dsrc_pdu_decode(&t, &pdu, pf->f.lsdu + off, pf->f.lsdu_len - off, NULL);
    if (n < 0) {
      pf->pdu_err = (int)n;
      break;
    }
    if (pf->npdus < PCAP_PDUS_MAX) fact_of(&pf->pdus[pf->npdus++], &t);
    off += (size_t)n;
  }
  pf->role = role_of(pf);
  return 0;
}

void pcap_frame_release(pcap_frame *pf) {
  free(pf->octets);
  pf->octets = NULL;
}

static bool is_action(const char *cmd) {
  static const char *const actions[] = {"GET_STAMPED", "GET_SECURE", "SET_MMI", "ECHO", "ACTION"};
  for (size_t i = 0; i < sizeof(actions) / sizeof(actions[0]); i++)
    if (strcmp(cmd, actions[i]) == 0) return true;
  return false;
}

/* An answer takes the name of the command it answers when the kinds agree; without one (a
 * capture that starts mid-transaction) the contents tell: a GetStampedRs container is a
 * GET_STAMPED answer, AutoPASS's 20-octet string a GET_SECURE answer. */
static const char *answer_name(const pcap_pdu_fact *p, const char *last_cmd) {
  switch (p->kind) {
  case DSRC_ACTION_RS:
    if (last_cmd[0] && is_action(last_cmd)) return last_cmd;
    if (p->param_kind == DSRC_C_GSTRS) return "GET_STAMPED";
    if (p->param_kind == DSRC_C_OCTETSTRING && p->param_len == 20) return "GET_SECURE";
    return "ACTION";
  case DSRC_GET_RS:
    return "GET";
  case DSRC_SET_RS:
    return "SET";
  default:
    return "EVENT_REPORT";
  }
}

void pcap_frame_name(pcap_frame *pf, char *last_cmd, size_t cap) {
  size_t used = 0;
  pf->msgs[0] = '\0';
  for (unsigned i = 0; i < pf->npdus; i++) {
    const pcap_pdu_fact *p = &pf->pdus[i];
    char name[40];
    switch (p->kind) {
    case DSRC_BST:
      snprintf(name, sizeof(name), "BST");
      break;
    case DSRC_VST:
      snprintf(name, sizeof(name), "VST");
      break;
    case DSRC_ACTION_RQ:
      snprintf(last_cmd, cap, "%s", efc_action_name(p->type));
      snprintf(name, sizeof(name), "%s.rq", last_cmd);
      break;
    case DSRC_GET_RQ:
      snprintf(last_cmd, cap, "GET");
      snprintf(name, sizeof(name), "GET.rq");
      break;
    case DSRC_SET_RQ:
      snprintf(last_cmd, cap, "SET");
      snprintf(name, sizeof(name), "SET.rq");
      break;
    case DSRC_EVENT_RQ:
      if (p->type == 0) {
        snprintf(name, sizeof(name), "RELEASE");
      } else {
        snprintf(last_cmd, cap, "EVENT_REPORT");
        snprintf(name, sizeof(name), "EVENT_REPORT.rq");
      }
      break;
    default: {
      snprintf(name, sizeof(name), "%s.rs", answer_name(p, last_cmd));
      break;
    }
    }
    used += (size_t)snprintf(pf->msgs + used, sizeof(pf->msgs) - used, "%s%s", used ? "+" : "", name);
    if (used >= sizeof(pf->msgs)) break;
  }
}

static const char *status_name(uint8_t s) {
  switch (s) {
  case DSRC_LLC_OK_OK:
    return "OK_OK";
  case DSRC_LLC_NR_OK:
    return "NR_OK";
  case DSRC_LLC_NE_OK:
    return "NE_OK";
  default:
    return NULL;
  }
}

void pcap_frame_l2_text(const pcap_frame *pf, char *out, size_t cap) {
  const dsrc_frame *f = &pf->f;
  const char *st;
  switch (pf->role) {
  case PCAP_ROLE_WINDOW_ALLOCATION:
    snprintf(out, cap, "window allocation S=%u", f->mac & DSRC_MAC_S);
    return;
  case PCAP_ROLE_COMMAND:
    if (dsrc_llc_is_acn(f->llc))
      snprintf(out, cap, "command AC%u S=%u", f->llc >> 7, f->mac & DSRC_MAC_S);
    else
      snprintf(out, cap, "command UI, no window");
    return;
  case PCAP_ROLE_RESPONSE:
    st = status_name(f->status);
    if (st)
      snprintf(out, cap, "response AC%u %s", f->llc >> 7, st);
    else
      snprintf(out, cap, "response AC%u status %02x", f->llc >> 7, f->status);
    return;
  case PCAP_ROLE_NE_OK:
    snprintf(out, cap, "NE_OK, answer later");
    return;
  default:
    snprintf(out, cap, "%s", pcap_role_name(pf->role));
    return;
  }
}

void pcap_frame_error_text(const pcap_frame *pf, char *out, size_t cap) {
  size_t n = 0;
  out[0] = '\0';
  if (pf->role == PCAP_ROLE_MALFORMED) {
    snprintf(out, cap, "frame of %zu octets: %s", pf->len, dsrc_strerror(pf->err));
    return;
  }
  if (pf->err == DSRC_ERR_FCS)
    n = (size_t)snprintf(out, cap, "frame check sequence mismatch: received %04x, computed %04x",
                         pf->f.fcs, dsrc_fcs(pf->octets + 1, pf->len - 4));
  if (pf->pdu_err && n < cap)
    snprintf(out + n, cap - n, "%sT-APDU: %s", n ? "; " : "", dsrc_strerror(pf->pdu_err));
}
