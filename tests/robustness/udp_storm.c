/* efc-udp-storm: random and mutated datagrams against efc-obe or efc-rse (a test tool, not
 * installed). --as rse sends downlinks to an efc-obe host; --as obe binds the address an
 * efc-rse was given with --obe (efc-rse drops datagrams from any other address) and answers
 * each of its downlinks with a barrage. Both mix garbage of every kind with well-formed
 * frames out of order, and keep enough of a real conversation going that the daemons'
 * sessions get deep: LIDs the other side really uses, VSTs, answers to real commands.
 * docs/datagram.md is the format; tests/robustness/daemons.sh the test that uses this. */
#define _DEFAULT_SOURCE /* struct sockaddr_storage users */
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "dsrc/datagram.h"
#include "dsrc/frame.h"
#include "dsrc/rng.h"
#include "dsrc/tapdu.h"
#include "sample_msgs.h"
#include "io/udp.h"

enum { EXIT_FAILED = 1, EXIT_USAGE = 2 };
enum role { AS_RSE, AS_OBE };

/* A downlink may open at most this many windows (docs/datagram.md: count 0..16). */
#define WINDOWS_MAX 16
#define LIDS 8
#define BUF_MAX 2048 /* the daemons read into 2048-octet buffers: longer would be cut there */

enum cat {
  C_RANDOM,       /* random octets, random length */
  C_BAD_MAGIC,    /* a good datagram with one octet of "EFCD" changed */
  C_BAD_VERSION,
  C_BAD_KIND,     /* kind 0 or 4..255 */
  C_WRONG_KIND,   /* a good datagram of a kind the receiver never takes (uplink to an OBE host) */
  C_TRUNC_HEADER, /* cut inside the 36-octet header */
  C_TRUNC_FRAME,  /* cut inside the frame: the length field promises more */
  C_LONGER,       /* octets after the frame the length field does not count */
  C_OVERSIZE,     /* a frame of more than 128 octets, length field to match */
  C_ZERO,         /* a downlink or uplink with no frame */
  C_BAD_FCS,      /* a well-formed frame with 1 to 3 bits flipped and the FCS left as it was */
  C_GARBAGE,      /* a good header around random frame octets */
  C_VALID,        /* a well-formed frame with a real FCS, out of place (random LID, seq, ref) */
  C_MUTATED,      /* a well-formed frame with bits flipped in its fields, FCS recomputed */
  C_COUNT_RANGE,  /* window count (downlink) or index (uplink) out of range */
  C_WILD_TIME,    /* 0, 2^64 - 1, random, or earlier than the last */
  C_SESSION,      /* the conversation: BSTs, allocations, commands, RELEASE to LIDs heard */
  C_STALE_DONE,   /* done for a downlink long gone or not yet sent */
  C_UPLINK_NOW,   /* a well-formed uplink for the current downlink, in a window of its own choosing */
  C_STRANGER,     /* a good uplink from an address the RSE was not given */
  C_REPLY,        /* the one plausible answer to the current downlink */
  C_DONE_EARLY,   /* the done, sent before the uplinks it announces */
  C_DONE,         /* the done that ends the RSE's step */
  C_PROBE,        /* a downlink the OBE host must answer: everything before it has been read */
  C_COUNT
};

static const char *const cat_names[C_COUNT] = {
    "random-bytes", "bad-magic",     "bad-version",  "bad-kind",        "wrong-kind",  "truncated-header",
    "truncated-frame", "trailing-octets", "oversize-frame", "zero-length", "bad-fcs", "garbage-frame",
    "valid-frame",  "mutated-pdu",   "count-out-of-range", "wild-time", "session",     "stale-done",
    "uplink-now",   "stranger",      "reply",        "done-early",      "done",        "probe"};

/* Drawing weights per role. Zero: never drawn; the reply, the dones and the probes are sent
 * by the conversation, not by chance. As an RSE about 60 % of the mix is for the OBE host to
 * drop and the rest reaches its OBEs; as an OBE host the mix is the noise around replies. */
static const unsigned weights[2][C_COUNT] = {
    [AS_RSE] = {10, 6, 5, 5, 6, 6, 6, 5, 5, 4, 6, 6, 6, 6, 5, 2, 14, 0, 0, 0, 0, 0, 0, 0},
    [AS_OBE] = {8, 4, 4, 4, 4, 4, 4, 4, 4, 3, 6, 6, 8, 6, 4, 2, 0, 6, 6, 4, 0, 0, 0, 0},
};

typedef struct {
  enum role role;
  dsrc_prng prng;
  dsrc_rng rng;
  int fd, stranger;
  io_udp_addr peer;
  bool have_peer;
  uint64_t target, sent;
  uint32_t seq;
  uint64_t clock; /* a clock that only moves forward, so the OBEs' sessions can last */
  uint32_t lids[LIDS];
  unsigned nlids, lid_next;
  dsrc_beacon_id beacon;

  /* --as obe: the downlink being answered, and whether its barrage stays out of its windows
   * (so the reply is heard alone and the RSE's session goes on) */
  dsrc_dg cur;
  uint8_t cur_frame[DSRC_FRAME_MAX];
  bool clean;

  /* options */
  unsigned batch, wait_ms, idle_ms, burst, done_percent;

  /* what happened */
  unsigned long count[C_COUNT];
  unsigned long send_errors, rejects, accepted, unanswered, uplinks, dones, downlinks, unexpected, foreign;
  unsigned reject_run;
} storm;

static uint64_t rnd(storm *s) { return dsrc_prng_next(&s->prng); }
static unsigned below(storm *s, unsigned n) { return (unsigned)dsrc_prng_below(&s->prng, n); }
static bool chance(storm *s, unsigned percent) { return below(s, 100) < percent; }
static void random_fill(storm *s, uint8_t *p, size_t n) { dsrc_rng_bytes(&s->rng, p, n); }

static uint64_t now_ms(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
}

/* A private LID as an OBE draws one: the extension bit 0 on three octets, 1 on the last. */
static uint32_t lid_fresh(storm *s) { return ((uint32_t)rnd(s) & 0xfefefefeu) | 1u; }

static void lid_learn(storm *s, uint32_t lid) {
  for (unsigned i = 0; i < s->nlids; i++)
    if (s->lids[i] == lid) return;
  /* a ring: lid_next is where the next one goes, so the newest is just before it */
  s->lids[s->lid_next] = lid;
  s->lid_next = (s->lid_next + 1) % LIDS;
  if (s->nlids < LIDS) s->nlids++;
}

/* Mostly a LID the other side knows, so frames reach its sessions; the newest three most
 * often, as the OBEs draw a new LID for every session. */
static uint32_t lid_pick(storm *s) {
  unsigned back;
  if (!s->nlids || chance(s, 20)) return lid_fresh(s);
  back = chance(s, 70) ? below(s, s->nlids < 3 ? s->nlids : 3) : below(s, s->nlids);
  return s->lids[(s->lid_next + s->nlids - 1 - back) % s->nlids];
}

/* --- T-APDUs ------------------------------------------------------------------------ */

static void octets_random(storm *s, dsrc_octets *o, unsigned max) {
  o->len = (uint8_t)below(s, max + 1);
  random_fill(s, o->data, o->len);
}

static void credentials_maybe(storm *s, bool *has, dsrc_octets *o) {
  *has = chance(s, 60);
  o->len = chance(s, 90) ? 4 : (uint8_t)below(s, 9);
  random_fill(s, o->data, o->len);
}

/* Any T-APDU of the codec's sample set: every kind, every container alternative. */
static void tapdu_sample(storm *s, dsrc_tapdu *t) {
  if (!sample_message(t, below(s, 2 * DSRC_TAPDU_KINDS))) sample_message(t, 0);
}

/* A command an RSE could send, its fields random where the OBE must check them. */
static void tapdu_command(storm *s, dsrc_tapdu *t) {
  dsrc_request *q = &t->u.action_rq;
  switch (below(s, 8)) {
  case 0:
    dsrc_tapdu_init(t, DSRC_ACTION_RQ);
    q->mode = true;
    q->eid = (uint8_t)below(s, 6);
    q->type = DSRC_ACT_GET_SECURE;
    q->has_parameter = true;
    q->parameter.kind = DSRC_C_OCTETSTRING;
    octets_random(s, &q->parameter.u.octets, 12);
    if (chance(s, 70)) q->parameter.u.octets.len = 9;
    break;
  case 1: {
    dsrc_gstrq *g;
    static const uint8_t ids[] = {24, 26, 32};
    dsrc_tapdu_init(t, DSRC_ACTION_RQ);
    q->mode = true;
    q->eid = (uint8_t)below(s, 6);
    q->type = DSRC_ACT_GET_STAMPED;
    credentials_maybe(s, &q->has_credentials, &q->credentials);
    q->has_parameter = true;
    q->parameter.kind = DSRC_C_GSTRQ;
    g = &q->parameter.u.gstrq;
    g->ids.count = (uint8_t)(chance(s, 70) ? 3 : below(s, 6));
    for (unsigned i = 0; i < g->ids.count; i++)
      g->ids.ids[i] = i < 3 && chance(s, 80) ? ids[i] : (uint8_t)below(s, 128);
    g->nonce.len = 4;
    random_fill(s, g->nonce.data, 4);
    g->key_ref = (uint8_t)below(s, 16);
    break;
  }
  case 2:
    dsrc_tapdu_init(t, DSRC_GET_RQ);
    t->u.get_rq.eid = (uint8_t)below(s, 6);
    credentials_maybe(s, &t->u.get_rq.has_credentials, &t->u.get_rq.credentials);
    t->u.get_rq.has_ids = chance(s, 90);
    t->u.get_rq.ids.count = (uint8_t)below(s, 9);
    for (unsigned i = 0; i < t->u.get_rq.ids.count; i++)
      t->u.get_rq.ids.ids[i] = (uint8_t)(chance(s, 80) ? 16 + below(s, 8) : below(s, 128));
    break;
  case 3: {
    dsrc_attribute *a;
    dsrc_tapdu_init(t, DSRC_SET_RQ);
    t->u.set_rq.mode = true;
    t->u.set_rq.eid = (uint8_t)below(s, 6);
    credentials_maybe(s, &t->u.set_rq.has_credentials, &t->u.set_rq.credentials);
    a = dsrc_tapdu_attrs_alloc(t, &t->u.set_rq.attrs, 1);
    a->id = (uint8_t)(chance(s, 80) ? 26 : below(s, 128));
    sample_container(t, &a->value, DSRC_C_EQUSTAT, 0);
    a->value.u.status.counter = (uint16_t)below(s, 4096);
    break;
  }
  case 4:
    dsrc_tapdu_init(t, DSRC_ACTION_RQ);
    q->mode = true;
    q->eid = (uint8_t)below(s, 3);
    q->type = DSRC_ACT_SET_MMI;
    q->has_parameter = chance(s, 90);
    q->parameter.kind = DSRC_C_SETMMIRQ;
    q->parameter.u.set_mmi = (uint8_t)below(s, 2);
    break;
  case 5:
    dsrc_tapdu_init(t, DSRC_ACTION_RQ);
    q->mode = chance(s, 50);
    q->eid = (uint8_t)below(s, 6);
    q->type = (uint8_t)(chance(s, 50) ? DSRC_ACT_ECHO : below(s, 128));
    q->has_parameter = chance(s, 80);
    q->parameter.kind = DSRC_C_OCTETSTRING;
    octets_random(s, &q->parameter.u.octets, 24);
    break;
  case 6: /* RELEASE */
    dsrc_tapdu_init(t, DSRC_EVENT_RQ);
    t->u.event_rq.eid = (uint8_t)(chance(s, 80) ? 0 : below(s, 6));
    break;
  default:
    tapdu_sample(s, t);
    break;
  }
}

/* The eid a command addresses (0 for kinds that carry none). */
static uint8_t command_eid(const dsrc_tapdu *cmd) {
  switch (cmd->kind) {
  case DSRC_ACTION_RQ:
    return cmd->u.action_rq.eid;
  case DSRC_EVENT_RQ:
    return cmd->u.event_rq.eid;
  case DSRC_SET_RQ:
    return cmd->u.set_rq.eid;
  case DSRC_GET_RQ:
    return cmd->u.get_rq.eid;
  default:
    return 0;
  }
}

/* An answer an OBE could give, to cmd when there is one. */
static void tapdu_response(storm *s, dsrc_tapdu *t, const dsrc_tapdu *cmd) {
  unsigned what = below(s, 6);
  uint8_t eid = cmd ? command_eid(cmd) : (uint8_t)below(s, 6);
  if (cmd && chance(s, 80)) {
    if (cmd->kind == DSRC_ACTION_RQ && cmd->u.action_rq.type == DSRC_ACT_GET_SECURE) what = 0;
    else if (cmd->kind == DSRC_ACTION_RQ && cmd->u.action_rq.type == DSRC_ACT_GET_STAMPED) what = 1;
    else if (cmd->kind == DSRC_GET_RQ) what = 2;
    else if (cmd->kind == DSRC_SET_RQ) what = 3;
    else if (cmd->kind == DSRC_ACTION_RQ) what = 4;
  }
  switch (what) {
  case 0:
    dsrc_tapdu_init(t, DSRC_ACTION_RS);
    t->u.action_rs.eid = eid;
    t->u.action_rs.has_parameter = true;
    t->u.action_rs.parameter.kind = DSRC_C_OCTETSTRING;
    octets_random(s, &t->u.action_rs.parameter.u.octets, 48);
    t->u.action_rs.has_ret = chance(s, 20);
    t->u.action_rs.ret = (uint8_t)below(s, 7);
    break;
  case 1: {
    static const uint8_t ids[] = {24, 26, 32};
    static const unsigned kinds[] = {DSRC_C_EQUOBUID, DSRC_C_EQUSTAT, DSRC_C_PAYMEANS};
    unsigned n = 1 + below(s, 3);
    dsrc_attribute *a;
    dsrc_tapdu_init(t, DSRC_ACTION_RS);
    t->u.action_rs.eid = eid;
    t->u.action_rs.has_parameter = true;
    t->u.action_rs.parameter.kind = DSRC_C_GSTRS;
    a = dsrc_tapdu_attrs_alloc(t, &t->u.action_rs.parameter.u.gstrs.list, n);
    for (unsigned i = 0; a && i < n; i++) {
      a[i].id = ids[i];
      sample_container(t, &a[i].value, kinds[i], i);
      if (kinds[i] == DSRC_C_EQUOBUID) random_fill(s, a[i].value.u.obu_id, 4);
      if (kinds[i] == DSRC_C_EQUSTAT) a[i].value.u.status.counter = (uint16_t)below(s, 4096);
    }
    t->u.action_rs.parameter.u.gstrs.authenticator.len = 4;
    random_fill(s, t->u.action_rs.parameter.u.gstrs.authenticator.data, 4);
    break;
  }
  case 2: /* the samples' GET.rs carries the vehicle attributes */
    sample_message(t, DSRC_GET_RS + (chance(s, 50) ? DSRC_TAPDU_KINDS : 0));
    break;
  case 3:
    dsrc_tapdu_init(t, DSRC_SET_RS);
    t->u.set_rs.eid = eid;
    t->u.set_rs.has_ret = chance(s, 50);
    t->u.set_rs.ret = (uint8_t)below(s, 7);
    break;
  case 4:
    dsrc_tapdu_init(t, DSRC_ACTION_RS);
    t->u.action_rs.eid = eid;
    t->u.action_rs.has_ret = chance(s, 30);
    t->u.action_rs.ret = (uint8_t)below(s, 7);
    break;
  default:
    tapdu_sample(s, t);
    break;
  }
}

/* A BST: the current gantry's (so the OBEs take it and open sessions), or anyone's. */
static void tapdu_bst(storm *s, dsrc_tapdu *t, bool ours) {
  dsrc_bst *b = &t->u.bst;
  dsrc_tapdu_init(t, DSRC_BST);
  if (ours) {
    b->rsu = s->beacon;
    b->time = (uint32_t)(1700000000u + s->clock / 1000000000u);
  } else {
    b->rsu.manufacturer_id = (uint16_t)below(s, 65536);
    b->rsu.individual_id = (uint32_t)rnd(s) & 0x7ffffffu;
    b->time = (uint32_t)rnd(s);
  }
  b->profile = (uint8_t)(ours || chance(s, 80) ? 0 : below(s, 128));
  b->mand.count = 1;
  b->mand.items[0].aid = DSRC_AID_EFC;
  if (!ours && chance(s, 30)) {
    b->mand.count = (uint8_t)(1 + below(s, 3));
    for (unsigned i = 0; i < b->mand.count; i++) sample_app(&b->mand.items[i], (uint8_t)below(s, 32), chance(s, 30));
  }
  b->has_nonmand = !ours && chance(s, 10);
  b->nonmand.count = 1;
  sample_app(&b->nonmand.items[0], DSRC_AID_LAC, 1);
  b->profile_count = (uint8_t)(ours ? 0 : below(s, 3));
  for (unsigned i = 0; i < b->profile_count; i++) b->profiles[i] = (uint8_t)below(s, 128);
}

/* A VST offering the four applications of efcsim's OBEs (EFC context marks of AutoPASS,
 * Level 0, Level 1 and AES, as efc-obe sends them), with random AC_CR references and RndOBE,
 * so the RSE picks one and starts its transaction; sometimes random parameters. */
static void tapdu_vst(storm *s, dsrc_tapdu *t) {
  static const uint8_t mark[6] = {0x30, 0xc0, 0x01, 0x00, 0x00, 0x02};
  static const uint8_t contract[4] = {0x02, 0x01, 0x01, 0x03};
  dsrc_vst *v = &t->u.vst;
  dsrc_tapdu_init(t, DSRC_VST);
  v->profile = 0;
  v->apps.count = (uint8_t)(1 + below(s, 4));
  for (unsigned i = 0; i < v->apps.count; i++) {
    dsrc_application *a = &v->apps.items[i];
    uint8_t *p = a->parameter.data;
    unsigned k = chance(s, 70) ? i : below(s, 4);
    a->aid = chance(s, 95) ? DSRC_AID_EFC : (uint8_t)below(s, 32);
    a->has_eid = chance(s, 95);
    a->eid = (uint8_t)(chance(s, 90) ? i + 1 : below(s, 128));
    a->has_parameter = chance(s, 95);
    if (chance(s, 10)) {
      octets_random(s, &a->parameter, 20);
      continue;
    }
    /* context mark, then for Level 1 and AES: 02 02 AC_CR-Reference 02 04 RndOBE */
    memcpy(p, mark, sizeof(mark));
    p[4] = contract[k];
    a->parameter.len = 6;
    if (k >= 2) {
      memcpy(p + 6, "\x02\x02\x00\x00\x02\x04", 6);
      random_fill(s, p + 8, 2);
      random_fill(s, p + 12, 4);
      a->parameter.len = 16;
    }
  }
  v->config.equipment_class = 1;
  v->config.manufacturer_id = 2;
  v->config.has_status = true;
  v->config.status = 0;
}

/* Fragmentation header + T-APDU; 0 when t does not encode (then the caller has a fallback). */
static size_t lsdu_of(storm *s, const dsrc_tapdu *t, uint8_t *out, size_t cap) {
  dsrc_ssize n = dsrc_pdu_encode(out, cap, chance(s, 80) ? 2 : 2 + below(s, 14), t);
  return n > 0 ? (size_t)n : 0;
}

/* --- L2 frames ---------------------------------------------------------------------- */

/* A frame with a real FCS; 0 when the fields make none. */
static size_t frame_make(uint8_t *out, uint32_t lid, uint8_t lid_len, uint8_t mac, uint8_t llc, uint8_t status,
                         const uint8_t *lsdu, size_t lsdu_len) {
  dsrc_frame f;
  dsrc_ssize n;
  memset(&f, 0, sizeof(f));
  f.lid = lid;
  f.lid_len = lid_len;
  f.mac = mac;
  f.has_llc = (mac & DSRC_MAC_L) != 0;
  f.llc = llc;
  f.has_status = f.has_llc && dsrc_frame_wants_status(mac, llc);
  f.status = status;
  f.lsdu = lsdu;
  f.lsdu_len = f.has_llc ? lsdu_len : 0;
  n = dsrc_frame_encode(out, DSRC_FRAME_MAX, &f);
  return n > 0 ? (size_t)n : 0;
}

typedef enum { D_BST, D_ALLOC, D_COMMAND, D_RELEASE, D_ANY } down_kind;

/* A downlink frame of kind k (D_ANY: any); *windows: how many uplink windows it opens. */
static size_t frame_down(storm *s, down_kind k, bool ours, uint8_t *out, uint8_t *windows) {
  uint8_t lsdu[DSRC_FRAME_MAX];
  dsrc_tapdu t;
  size_t n = 0, len;
  uint32_t lid = ours ? lid_pick(s) : lid_fresh(s);
  uint8_t sbit = (uint8_t)below(s, 2);
  if (k == D_ANY) k = (down_kind)below(s, D_ANY + 1);
  /* Another gantry's BST ends every session: fewer of them, or no session gets far. */
  if (k == D_BST && !ours && chance(s, 60)) k = D_COMMAND;
  *windows = 1;
  switch (k) {
  case D_BST:
    tapdu_bst(s, &t, ours);
    if ((len = lsdu_of(s, &t, lsdu, sizeof(lsdu))) > 0) {
      bool alloc = ours || chance(s, 80);
      n = frame_make(out, DSRC_LID_BROADCAST, 1, alloc ? DSRC_MAC_BST : DSRC_MAC_NO_WINDOW, DSRC_LLC_UI, 0, lsdu,
                     len);
      *windows = alloc ? 3 : 0;
    }
    break;
  case D_ALLOC:
    break; /* the fallback below */
  case D_COMMAND:
    tapdu_command(s, &t);
    if ((len = lsdu_of(s, &t, lsdu, sizeof(lsdu))) > 0)
      n = frame_make(out, lid, 4, (uint8_t)(DSRC_MAC_COMMAND | sbit), chance(s, 50) ? DSRC_LLC_AC1 : DSRC_LLC_AC0, 0,
                     lsdu, len);
    break;
  case D_RELEASE:
    dsrc_tapdu_init(&t, DSRC_EVENT_RQ);
    if ((len = lsdu_of(s, &t, lsdu, sizeof(lsdu))) > 0)
      n = frame_make(out, lid, 4, DSRC_MAC_NO_WINDOW, DSRC_LLC_UI, 0, lsdu, len);
    *windows = 0;
    break;
  case D_ANY:
    /* any T-APDU behind any MAC and LLC combination the encoder accepts */
    tapdu_sample(s, &t);
    if ((len = lsdu_of(s, &t, lsdu, sizeof(lsdu))) > 0)
      n = frame_make(out, chance(s, 20) ? DSRC_LID_BROADCAST : lid, chance(s, 20) ? 1 : 4,
                     (uint8_t)((rnd(s) & 0x71) | DSRC_MAC_L), chance(s, 50) ? DSRC_LLC_UI : DSRC_LLC_AC0, 0, lsdu,
                     len);
    *windows = (uint8_t)below(s, 4);
    break;
  }
  if (n == 0) {
    n = frame_make(out, lid, 4, (uint8_t)(DSRC_MAC_ALLOCATION | sbit), 0, 0, NULL, 0);
    *windows = 1;
  }
  return n;
}

typedef enum { U_REQUEST, U_VST, U_RESPONSE, U_NE_OK, U_LATE, U_ANY } up_kind;

/* An uplink frame from lid; cmd, when known, is the command it answers (with its LLC). */
static size_t frame_up(storm *s, up_kind k, uint32_t lid, const dsrc_tapdu *cmd, uint8_t cmd_llc, uint8_t *out) {
  uint8_t lsdu[DSRC_FRAME_MAX];
  dsrc_tapdu t;
  size_t n = 0, len;
  uint8_t llc = (uint8_t)((cmd ? cmd_llc : (chance(s, 50) ? DSRC_LLC_AC0 : DSRC_LLC_AC1)) ^ DSRC_LLC_N);
  if (k == U_ANY) k = (up_kind)below(s, U_ANY + 1);
  switch (k) {
  case U_REQUEST:
    break; /* the fallback below */
  case U_VST:
    tapdu_vst(s, &t);
    if ((len = lsdu_of(s, &t, lsdu, sizeof(lsdu))) > 0)
      n = frame_make(out, lid, 4, DSRC_MAC_UPLINK_COMMAND, DSRC_LLC_UI, 0, lsdu, len);
    break;
  case U_RESPONSE:
    tapdu_response(s, &t, cmd);
    if ((len = lsdu_of(s, &t, lsdu, sizeof(lsdu))) > 0)
      n = frame_make(out, lid, 4, DSRC_MAC_RESPONSE, (uint8_t)(llc | DSRC_LLC_F),
                     chance(s, 90) ? DSRC_LLC_OK_OK : (uint8_t)rnd(s), lsdu, len);
    break;
  case U_NE_OK:
    n = frame_make(out, lid, 4, DSRC_MAC_RESPONSE, (uint8_t)(llc & ~DSRC_LLC_F), DSRC_LLC_NE_OK, NULL, 0);
    break;
  case U_LATE:
    tapdu_response(s, &t, cmd);
    if ((len = lsdu_of(s, &t, lsdu, sizeof(lsdu))) > 0)
      n = frame_make(out, lid, 4, DSRC_MAC_UPLINK_COMMAND, DSRC_LLC_UI, 0, lsdu, len);
    break;
  case U_ANY:
    tapdu_sample(s, &t);
    if ((len = lsdu_of(s, &t, lsdu, sizeof(lsdu))) > 0)
      n = frame_make(out, lid, 4, (uint8_t)((rnd(s) & 0x31) | DSRC_MAC_D | DSRC_MAC_L),
                     chance(s, 50) ? DSRC_LLC_UI : llc, (uint8_t)rnd(s), lsdu, len);
    break;
  }
  if (n == 0) n = frame_make(out, lid, 4, DSRC_MAC_WINDOW_REQUEST, 0, 0, NULL, 0);
  return n;
}

/* The frame's FCS again after its fields were changed. */
static void fcs_redo(uint8_t *f, size_t len) {
  uint16_t fcs = dsrc_fcs(f + 1, len - 4);
  f[len - 3] = (uint8_t)(fcs & 0xff);
  f[len - 2] = (uint8_t)(fcs >> 8);
}

static void bits_flip(storm *s, uint8_t *p, size_t from, size_t to, unsigned n) {
  for (unsigned i = 0; i < n && to > from; i++) {
    size_t bit = from * 8 + below(s, (unsigned)((to - from) * 8));
    p[bit / 8] ^= (uint8_t)(1u << (bit % 8));
  }
}

/* --- datagrams ---------------------------------------------------------------------- */

static size_t dg_make(storm *s, uint8_t *out, uint8_t kind, uint32_t ref, uint8_t count, uint64_t time,
                      uint8_t flags, uint32_t step, const uint8_t *frame, size_t len) {
  dsrc_dg d;
  dsrc_ssize n;
  memset(&d, 0, sizeof(d));
  d.kind = kind;
  d.lane = (uint8_t)(chance(s, 90) ? 1 : rnd(s));
  d.flags = chance(s, 95) ? flags : (uint8_t)rnd(s);
  d.seq = chance(s, 95) ? ++s->seq : (uint32_t)rnd(s);
  d.ref = ref;
  d.time_ns = time;
  d.count = count;
  d.window0_ns = chance(s, 95) ? 100000u : (uint32_t)rnd(s);
  d.step_ns = chance(s, 95) ? step : (uint32_t)rnd(s);
  d.frame = frame;
  d.len = len;
  n = dsrc_dg_encode(out, DSRC_DG_MAX, &d);
  return n > 0 ? (size_t)n : 0;
}

/* A ref that is not the current downlink's: a step long gone, or one not yet sent. */
static uint32_t ref_other(storm *s) {
  uint32_t ref = chance(s, 20) ? (uint32_t)rnd(s) : s->cur.seq + (chance(s, 50) ? 1 + below(s, 5) : -1 - below(s, 5));
  return ref == s->cur.seq ? ref + 1 : ref;
}

/* Well-formed datagram of the role's direction: a downlink (as RSE) or an uplink (as OBE
 * host). current: an uplink for the current downlink, in one of its windows. */
static size_t dg_base(storm *s, uint8_t *out, bool current, bool ours) {
  uint8_t f[DSRC_FRAME_MAX];
  size_t n;
  if (s->role == AS_RSE) {
    uint8_t windows;
    n = frame_down(s, ours ? (down_kind)below(s, D_ANY) : D_ANY, ours, f, &windows);
    s->clock += 100000 + below(s, 3000000);
    return dg_make(s, out, DSRC_DG_DOWNLINK, 0, windows, s->clock, windows == 3 ? DSRC_DG_PUBLIC : 0, windows == 3 ? 1000000 : 0,
                   f, n);
  }
  n = frame_up(s, U_ANY, lid_pick(s), NULL, 0, f);
  return dg_make(s, out, DSRC_DG_UPLINK, current ? s->cur.seq : ref_other(s),
                 (uint8_t)(current && s->cur.count ? below(s, s->cur.count) : below(s, WINDOWS_MAX + 4)),
                 (uint64_t)rnd(s), 0, 0, f, n);
}

/* As RSE: the conversation with the OBEs: the gantry's BSTs, and allocations, commands and
 * RELEASE addressed to the LIDs the OBEs announced. */
static size_t dg_session(storm *s, uint8_t *out) {
  uint8_t f[DSRC_FRAME_MAX], windows;
  unsigned r = below(s, 100);
  down_kind k = !s->nlids || r < 35 ? D_BST : r < 60 ? D_ALLOC : r < 92 ? D_COMMAND : D_RELEASE;
  size_t n;
  if (k == D_BST && chance(s, 2)) {
    /* another gantry: the OBEs end their sessions and start new ones */
    s->beacon.individual_id = (uint32_t)rnd(s) & 0x7ffffffu;
  }
  n = frame_down(s, k, true, f, &windows);
  s->clock += 200000 + below(s, 3000000);
  return dg_make(s, out, DSRC_DG_DOWNLINK, 0, windows, s->clock, windows == 3 ? DSRC_DG_PUBLIC : 0, windows == 3 ? 1000000 : 0,
                 f, n);
}

/* As OBE host: the one frame an OBE would send for the current downlink, in its window:
 * a window request after a BST, a VST (or a late answer) in an allocated window, an answer
 * (or NE_OK) to a command. Our LIDs stay the same for a while so the RSE's sessions run. */
static size_t dg_reply(storm *s, uint8_t *out) {
  dsrc_frame f;
  uint8_t frame[DSRC_FRAME_MAX];
  size_t n = 0;
  uint8_t w = 0;
  if (dsrc_frame_decode(&f, s->cur_frame, s->cur.len) != 0 || s->cur.count == 0) return 0;
  if (f.lid_len == 1 && f.lid == DSRC_LID_BROADCAST) {
    uint32_t lid;
    if (!s->nlids || chance(s, 5)) lid_learn(s, lid_fresh(s));
    lid = s->lids[below(s, s->nlids)];
    w = (uint8_t)below(s, s->cur.count);
    n = frame_up(s, U_REQUEST, lid, NULL, 0, frame);
  } else if (f.lid_len == 4 && !f.has_llc) {
    unsigned r = below(s, 100);
    n = frame_up(s, r < 70 ? U_VST : r < 85 ? U_LATE : U_ANY, f.lid, NULL, 0, frame);
  } else if (f.lid_len == 4 && dsrc_llc_is_acn(f.llc)) {
    dsrc_tapdu cmd;
    unsigned pdu, r = below(s, 100);
    bool known = dsrc_pdu_decode(&cmd, &pdu, f.lsdu, f.lsdu_len, NULL) > 0;
    n = frame_up(s, r < 80 ? U_RESPONSE : r < 92 ? U_NE_OK : U_ANY, f.lid, known ? &cmd : NULL,
                 (uint8_t)(chance(s, 95) ? f.llc : f.llc ^ DSRC_LLC_N), frame);
  }
  if (n == 0) return 0;
  return dg_make(s, out, DSRC_DG_UPLINK, s->cur.seq, w, dsrc_dg_window_start(&s->cur, w), 0, 0, frame, n);
}

static size_t dg_done(storm *s, uint8_t *out, uint32_t ref) {
  return dg_make(s, out, DSRC_DG_DONE, ref, (uint8_t)(chance(s, 90) ? 1 : rnd(s)), s->cur.time_ns, 0, 0, NULL, 0);
}

/* As RSE: a downlink the OBEs ignore (a 6-octet frame, too short to wake one) that the host
 * must still answer with a done: once it has, it has read everything sent before. */
static size_t dg_probe(storm *s, uint8_t *out) {
  static const uint8_t f[] = {DSRC_FLAG, DSRC_LID_BROADCAST, 0x00, 0, 0, DSRC_FLAG};
  uint8_t frame[sizeof(f)];
  dsrc_dg d;
  memcpy(frame, f, sizeof(f));
  fcs_redo(frame, sizeof(frame));
  memset(&d, 0, sizeof(d));
  d.kind = DSRC_DG_DOWNLINK;
  d.lane = 1;
  d.seq = ++s->seq;
  d.time_ns = ++s->clock;
  d.frame = frame;
  d.len = sizeof(frame);
  return (size_t)dsrc_dg_encode(out, DSRC_DG_MAX, &d);
}

/* Datagram of category c into out (BUF_MAX octets); returns its length. */
static size_t build(storm *s, enum cat c, uint8_t *out) {
  size_t n = 0, flen;
  bool current = s->role == AS_OBE && !s->clean && chance(s, 50);
  switch (c) {
  case C_RANDOM:
    n = below(s, BUF_MAX + 1);
    random_fill(s, out, n);
    break;
  case C_BAD_MAGIC:
    n = dg_base(s, out, current, false);
    out[below(s, 4)] ^= (uint8_t)(1 + below(s, 255));
    break;
  case C_BAD_VERSION:
    n = dg_base(s, out, current, false);
    out[4] = (uint8_t)(chance(s, 30) ? 0 : 2 + below(s, 254));
    break;
  case C_BAD_KIND:
    n = dg_base(s, out, current, false);
    out[5] = (uint8_t)(chance(s, 30) ? 0 : 4 + below(s, 252));
    break;
  case C_WRONG_KIND:
    if (s->role == AS_RSE) {
      uint8_t f[DSRC_FRAME_MAX];
      flen = frame_up(s, U_ANY, lid_pick(s), NULL, 0, f);
      n = chance(s, 50) ? dg_make(s, out, DSRC_DG_UPLINK, (uint32_t)rnd(s), 0, s->clock, 0, 0, f, flen)
                        : dg_make(s, out, DSRC_DG_DONE, (uint32_t)rnd(s), 0, s->clock, 0, 0, NULL, 0);
    } else {
      /* an OBE host sending a downlink: the RSE takes none from its hosts */
      uint8_t f[DSRC_FRAME_MAX], windows;
      flen = frame_down(s, D_ANY, false, f, &windows);
      n = dg_make(s, out, DSRC_DG_DOWNLINK, s->cur.seq, windows, s->cur.time_ns, 0, 0, f, flen);
    }
    break;
  case C_TRUNC_HEADER:
    dg_base(s, out, current, false);
    n = below(s, DSRC_DG_HEADER);
    break;
  case C_TRUNC_FRAME:
    n = dg_base(s, out, current, false);
    n = DSRC_DG_HEADER + below(s, (unsigned)(n - DSRC_DG_HEADER));
    break;
  case C_LONGER: {
    size_t extra = 1 + below(s, 64);
    n = dg_base(s, out, current, false);
    random_fill(s, out + n, extra);
    n += extra;
    break;
  }
  case C_OVERSIZE:
    n = dg_base(s, out, current, false);
    flen = DSRC_FRAME_MAX + 1 + below(s, BUF_MAX - DSRC_DG_HEADER - DSRC_FRAME_MAX);
    out[DSRC_DG_HEADER] = DSRC_FLAG;
    random_fill(s, out + DSRC_DG_HEADER + 1, flen - 2);
    out[DSRC_DG_HEADER + flen - 1] = DSRC_FLAG;
    out[34] = (uint8_t)(flen >> 8);
    out[35] = (uint8_t)flen;
    n = DSRC_DG_HEADER + flen;
    if (chance(s, 20)) { /* or a length field beyond anything present */
      out[34] = 0xff;
      out[35] = (uint8_t)rnd(s);
    }
    break;
  case C_ZERO:
    n = dg_base(s, out, current, false);
    out[34] = out[35] = 0;
    n = DSRC_DG_HEADER;
    break;
  case C_BAD_FCS:
    n = dg_base(s, out, current, false);
    flen = n - DSRC_DG_HEADER;
    if (chance(s, 50)) bits_flip(s, out + DSRC_DG_HEADER, flen - 3, flen - 1, 1 + below(s, 3)); /* the FCS */
    else bits_flip(s, out + DSRC_DG_HEADER, 1, flen - 3, 1 + below(s, 3));                 /* the fields */
    break;
  case C_GARBAGE:
    n = dg_base(s, out, current, false);
    flen = 1 + below(s, DSRC_FRAME_MAX);
    random_fill(s, out + DSRC_DG_HEADER, flen);
    if (chance(s, 50)) out[DSRC_DG_HEADER] = out[DSRC_DG_HEADER + flen - 1] = DSRC_FLAG;
    out[34] = 0;
    out[35] = (uint8_t)flen;
    n = DSRC_DG_HEADER + flen;
    break;
  case C_VALID:
    n = dg_base(s, out, current, false);
    if (s->role == AS_RSE) {
      uint32_t ref = (uint32_t)rnd(s);
      for (int i = 0; i < 4; i++) out[12 + i] = (uint8_t)(ref >> (24 - 8 * i));
      out[24] = (uint8_t)below(s, WINDOWS_MAX + 1);
    }
    break;
  case C_MUTATED:
    n = dg_base(s, out, current, chance(s, 50));
    flen = n - DSRC_DG_HEADER;
    bits_flip(s, out + DSRC_DG_HEADER, 1, flen - 3, 1 + below(s, 4));
    fcs_redo(out + DSRC_DG_HEADER, flen);
    break;
  case C_COUNT_RANGE:
    if (s->role == AS_RSE) {
      n = dg_base(s, out, false, chance(s, 50));
      out[24] = (uint8_t)(WINDOWS_MAX + 1 + below(s, 255 - WINDOWS_MAX));
    } else {
      /* the current downlink's, in a window it did not open */
      n = dg_base(s, out, true, true);
      out[24] = (uint8_t)(s->cur.count + below(s, 256u - s->cur.count));
    }
    break;
  case C_WILD_TIME: {
    uint64_t t;
    unsigned r = below(s, 5);
    n = dg_base(s, out, current, true);
    t = r == 0 ? 0 : r == 1 ? UINT64_MAX : r == 2 ? UINT64_MAX - below(s, 1000000000u) : r == 3 ? rnd(s)
                                                                                        : s->clock / 2;
    for (int i = 0; i < 8; i++) out[16 + i] = (uint8_t)(t >> (56 - 8 * i));
    break;
  }
  case C_SESSION:
    n = s->role == AS_RSE ? dg_session(s, out) : dg_base(s, out, false, true);
    break;
  case C_STALE_DONE:
    n = dg_done(s, out, ref_other(s));
    break;
  case C_UPLINK_NOW:
    n = dg_base(s, out, !s->clean, true);
    break;
  case C_STRANGER:
    n = dg_base(s, out, true, true);
    break;
  case C_REPLY:
    n = dg_reply(s, out);
    break;
  case C_DONE_EARLY:
  case C_DONE:
    n = dg_done(s, out, s->cur.seq);
    break;
  case C_PROBE:
    n = dg_probe(s, out);
    break;
  case C_COUNT:
    break;
  }
  return n;
}

static enum cat draw(storm *s) {
  unsigned total = 0, r;
  for (int c = 0; c < C_COUNT; c++) total += weights[s->role][c];
  r = below(s, total);
  for (int c = 0; c < C_COUNT; c++) {
    if (r < weights[s->role][c]) return (enum cat)c;
    r -= weights[s->role][c];
  }
  return C_RANDOM;
}

/* --- I/O ---------------------------------------------------------------------------- */

/* What an OBE host must do with a datagram (docs/datagram.md): answer a downlink whose
 * header checks and that opens at most 16 windows, drop everything else. */
static bool host_answers(const uint8_t *buf, size_t n, uint32_t *seq) {
  dsrc_dg d;
  if (dsrc_dg_decode(&d, buf, n) != 0 || d.kind != DSRC_DG_DOWNLINK || d.count > WINDOWS_MAX) return false;
  *seq = d.seq;
  return true;
}

/* Sends one datagram; a full socket buffer is waited out rather than counted as sent. */
static bool send_one(storm *s, int fd, const uint8_t *buf, size_t n) {
  for (int tries = 0; tries < 100; tries++) {
    struct pollfd p = {fd, POLLOUT, 0};
    if (sendto(fd, buf, n, 0, (const struct sockaddr *)&s->peer.sa, s->peer.len) == (ssize_t)n) return true;
    if (errno != EAGAIN && errno != EWOULDBLOCK && errno != ENOBUFS && errno != ECONNREFUSED) break;
    poll(&p, 1, 10);
  }
  s->send_errors++;
  return false;
}

/* As RSE: reads the host's answers until the done for seq (true) or wait_ms pass (false).
 * The uplinks tell which LIDs the OBEs use. */
static bool await_done(storm *s, uint32_t seq) {
  uint64_t until = now_ms() + s->wait_ms;
  for (;;) {
    uint8_t buf[BUF_MAX];
    io_udp_addr from;
    ssize_t n;
    dsrc_dg d;
    uint64_t t = now_ms();
    struct pollfd p = {s->fd, POLLIN, 0};
    if (t >= until) return false;
    if (poll(&p, 1, (int)(until - t)) <= 0) continue;
    from.len = sizeof(from.sa);
    n = recvfrom(s->fd, buf, sizeof(buf), 0, (struct sockaddr *)&from.sa, &from.len);
    if (n < 0) continue;
    if (dsrc_dg_decode(&d, buf, (size_t)n) != 0) {
      s->unexpected++;
      continue;
    }
    if (d.kind == DSRC_DG_UPLINK) {
      dsrc_frame f;
      s->uplinks++;
      if (dsrc_frame_decode(&f, d.frame, d.len) == 0 && f.lid_len == 4) lid_learn(s, f.lid);
    } else if (d.kind == DSRC_DG_DONE) {
      s->dones++;
      if (d.ref == seq) return true;
    } else {
      s->unexpected++;
    }
  }
}

static void emit(storm *s, enum cat c, const uint8_t *buf, size_t n) {
  uint32_t seq;
  int fd = c == C_STRANGER ? s->stranger : s->fd;
  if (s->sent >= s->target || (n == 0 && c == C_REPLY)) return;
  if (!send_one(s, fd, buf, n)) return;
  s->sent++;
  s->count[c]++;
  if (s->role != AS_RSE) return;
  /* Lockstep on every datagram the host answers, so nothing overflows its socket buffer and
   * every datagram sent is one the host has read by the time the storm ends. */
  if (host_answers(buf, n, &seq)) {
    s->accepted++;
    s->reject_run = 0;
    if (!await_done(s, seq)) s->unanswered++;
  } else {
    s->rejects++;
    s->reject_run++;
  }
}

static int run_as_rse(storm *s) {
  uint8_t buf[BUF_MAX + 64];
  while (s->sent < s->target) {
    enum cat c = s->reject_run >= s->batch ? C_PROBE : draw(s);
    emit(s, c, buf, build(s, c, buf));
  }
  /* the end: one more probe makes sure the last datagrams were read too */
  if (s->reject_run) {
    s->target++;
    emit(s, C_PROBE, buf, build(s, C_PROBE, buf));
  }
  return 0;
}

/* As OBE host: answers one downlink of the RSE with a barrage around its reply and done. */
static void barrage(storm *s) {
  uint8_t buf[BUF_MAX + 64];
  unsigned k = 1 + below(s, s->burst), at = below(s, k + 1);
  bool reply = chance(s, 60), early = chance(s, 3), done = chance(s, s->done_percent);
  s->clean = chance(s, 50);
  if (early) emit(s, C_DONE_EARLY, buf, build(s, C_DONE_EARLY, buf));
  for (unsigned i = 0; i <= k; i++) {
    if (i == at && reply) emit(s, C_REPLY, buf, build(s, C_REPLY, buf));
    if (i < k) {
      enum cat c = draw(s);
      emit(s, c, buf, build(s, c, buf));
    }
  }
  if (done && !early) {
    emit(s, C_DONE, buf, build(s, C_DONE, buf));
    if (chance(s, 2)) emit(s, C_DONE, buf, build(s, C_DONE, buf)); /* twice */
  }
}

static int run_as_obe(storm *s) {
  uint64_t last = now_ms();
  while (s->sent < s->target) {
    uint8_t buf[BUF_MAX];
    io_udp_addr from;
    ssize_t n;
    struct pollfd p = {s->fd, POLLIN, 0};
    if (now_ms() - last > s->idle_ms) {
      fprintf(stderr, "efc-udp-storm: no downlink for %u ms after %lu downlinks and %" PRIu64 " datagrams sent\n",
              s->idle_ms, s->downlinks, s->sent);
      return EXIT_FAILED;
    }
    if (poll(&p, 1, 100) <= 0) continue;
    from.len = sizeof(from.sa);
    n = recvfrom(s->fd, buf, sizeof(buf), 0, (struct sockaddr *)&from.sa, &from.len);
    if (n < 0) continue;
    if (s->have_peer && !io_udp_addr_equal(&from, &s->peer)) {
      s->foreign++;
      continue;
    }
    if (dsrc_dg_decode(&s->cur, buf, (size_t)n) != 0 || s->cur.kind != DSRC_DG_DOWNLINK) {
      s->unexpected++;
      continue;
    }
    s->peer = from;
    s->have_peer = true;
    memcpy(s->cur_frame, s->cur.frame, s->cur.len);
    s->cur.frame = s->cur_frame;
    s->downlinks++;
    last = now_ms();
    barrage(s);
  }
  return 0;
}

static void report(const storm *s, double secs) {
  char where[300];
  io_udp_addr_format(&s->peer, where, sizeof(where));
  printf("efc-udp-storm: as %s, %" PRIu64 " datagrams to %s in %.2f s\n", s->role == AS_RSE ? "rse" : "obe", s->sent,
         where, secs);
  for (int c = 0; c < C_COUNT; c++)
    if (s->count[c]) printf("category %s %lu\n", cat_names[c], s->count[c]);
  printf("sent %" PRIu64 "\n", s->sent);
  printf("send-errors %lu\n", s->send_errors);
  if (s->role == AS_RSE) {
    /* rejects: datagrams the host must drop unanswered; accepted ones each got their done */
    printf("rejects %lu\naccepted %lu\nunanswered %lu\nuplinks %lu\ndones %lu\nlids %u\n", s->rejects, s->accepted,
           s->unanswered, s->uplinks, s->dones, s->nlids);
  } else {
    printf("downlinks %lu\nforeign %lu\n", s->downlinks, s->foreign);
  }
  printf("unexpected %lu\n", s->unexpected);
}

static void usage(FILE *out) {
  fprintf(out,
          "usage: efc-udp-storm --as rse --to ADDR:PORT [--count N] [--seed N] [--batch N] [--wait-ms N]\n"
          "       efc-udp-storm --as obe --bind ADDR:PORT [--count N] [--seed N] [--burst N]\n"
          "                     [--done-percent P] [--idle-ms N]\n"
          "\n"
          "Sends N datagrams (default 100000) of random and mutated kinds to a daemon: --as rse to\n"
          "an efc-obe host, waiting for the done of every downlink the host must answer and sending\n"
          "a probe after --batch (32) datagrams it must drop, so all are read; --as obe posing as\n"
          "the efc-obe host an efc-rse was given (port 0: the system picks one, printed on stderr),\n"
          "answering each downlink with up to --burst (24) datagrams around one plausible reply,\n"
          "then a done with probability --done-percent (95). Prints the count of each category.\n"
          "exit status: 0 all sent, 1 the daemon went quiet (no done within --wait-ms, 2000, as rse;\n"
          "no downlink for --idle-ms, 10000, as obe), 2 bad usage.\n");
}

/* A number for option name: 0 < v <= max (v == 0 allowed when zero_ok). */
static int option_number(const char *name, const char *text, unsigned long long max, bool zero_ok,
                         unsigned long long *v) {
  char *end;
  errno = 0;
  *v = text[0] && text[0] != '-' ? strtoull(text, &end, 10) : 0;
  if (!text[0] || text[0] == '-' || *end || errno || *v > max || (*v == 0 && !zero_ok)) {
    fprintf(stderr, "efc-udp-storm: --%s: expected a number%s up to %llu, got '%s'\n", name,
            zero_ok ? "" : " from 1", max, text);
    return -1;
  }
  return 0;
}

int main(int argc, char **argv) {
  static const struct option opts[] = {
      {"as", required_argument, NULL, 'a'},      {"to", required_argument, NULL, 't'},
      {"bind", required_argument, NULL, 'b'},    {"count", required_argument, NULL, 'n'},
      {"seed", required_argument, NULL, 's'},    {"batch", required_argument, NULL, 'B'},
      {"wait-ms", required_argument, NULL, 'w'}, {"burst", required_argument, NULL, 'u'},
      {"done-percent", required_argument, NULL, 'd'}, {"idle-ms", required_argument, NULL, 'i'},
      {"help", no_argument, NULL, 'h'},          {NULL, 0, NULL, 0}};
  static storm s;
  const char *to = NULL, *bind_to = NULL, *role = NULL;
  unsigned long long v, seed = 1;
  char err[512];
  io_udp_addr a;
  struct timespec t0, t1;
  int c, rv, idx;

  s.target = 100000;
  s.batch = 32;
  s.wait_ms = 2000;
  s.burst = 24;
  s.done_percent = 95;
  s.idle_ms = 10000;
  s.stranger = -1;
  while ((c = getopt_long(argc, argv, "", opts, &idx)) != -1) {
    const char *name = c == '?' ? "" : opts[idx].name;
    switch (c) {
    case 'a':
      role = optarg;
      continue;
    case 't':
      to = optarg;
      continue;
    case 'b':
      bind_to = optarg;
      continue;
    case 'h':
      usage(stdout);
      return 0;
    case 'n':
    case 's':
      if (option_number(name, optarg, UINT64_MAX, c == 's', &v) != 0) return EXIT_USAGE;
      if (c == 'n') s.target = v;
      else seed = v;
      continue;
    case 'B':
    case 'w':
    case 'u':
    case 'd':
    case 'i':
      if (option_number(name, optarg, c == 'd' ? 100 : 1000000, c == 'd', &v) != 0) return EXIT_USAGE;
      *(c == 'B' ? &s.batch : c == 'w' ? &s.wait_ms : c == 'u' ? &s.burst : c == 'd' ? &s.done_percent
                                                                                   : &s.idle_ms) = (unsigned)v;
      continue;
    default:
      fprintf(stderr, "efc-udp-storm: see efc-udp-storm --help\n");
      return EXIT_USAGE;
    }
  }
  if (!role || (strcmp(role, "rse") != 0 && strcmp(role, "obe") != 0) || optind != argc ||
      (strcmp(role, "rse") == 0 ? !to || bind_to : !bind_to || to)) {
    fprintf(stderr, "efc-udp-storm: needs --as rse --to ADDR:PORT or --as obe --bind ADDR:PORT (see --help)\n");
    return EXIT_USAGE;
  }
  s.role = strcmp(role, "rse") == 0 ? AS_RSE : AS_OBE;
  dsrc_prng_seed(&s.prng, seed);
  s.rng = dsrc_prng_rng(&s.prng);
  s.beacon.manufacturer_id = 1;
  s.beacon.individual_id = 4000 + below(&s, 1000);
  if (io_udp_addr_parse(&a, s.role == AS_RSE ? to : bind_to, err, sizeof(err)) != 0) {
    fprintf(stderr, "efc-udp-storm: %s\n", err);
    return EXIT_USAGE;
  }
  if (s.role == AS_RSE) {
    s.peer = a;
    s.have_peer = true;
    io_udp_addr_parse(&a, a.sa.ss_family == AF_INET6 ? "[::1]:0" : "127.0.0.1:0", err, sizeof(err));
  }
  if ((s.fd = io_udp_socket_bind(&a, err, sizeof(err))) < 0) {
    fprintf(stderr, "efc-udp-storm: %s\n", err);
    return EXIT_FAILED;
  }
  if (s.role == AS_OBE) {
    io_udp_addr bound, any;
    char where[300];
    bound.len = sizeof(bound.sa);
    getsockname(s.fd, (struct sockaddr *)&bound.sa, &bound.len);
    io_udp_addr_format(&bound, where, sizeof(where));
    /* the stranger: same host, another port, so only the address tells it apart */
    io_udp_addr_parse(&any, bound.sa.ss_family == AF_INET6 ? "[::1]:0" : "127.0.0.1:0", err, sizeof(err));
    if ((s.stranger = io_udp_socket_bind(&any, err, sizeof(err))) < 0) {
      fprintf(stderr, "efc-udp-storm: %s\n", err);
      return EXIT_FAILED;
    }
    fprintf(stderr, "efc-udp-storm: posing as an OBE host on %s\n", where);
  }
  clock_gettime(CLOCK_MONOTONIC, &t0);
  rv = s.role == AS_RSE ? run_as_rse(&s) : run_as_obe(&s);
  clock_gettime(CLOCK_MONOTONIC, &t1);
  report(&s, (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9);
  if (s.role == AS_RSE && s.unanswered) {
    fprintf(stderr, "efc-udp-storm: %lu downlinks the host should have answered got no done within %u ms\n",
            s.unanswered, s.wait_ms);
    rv = EXIT_FAILED;
  }
  close(s.fd);
  if (s.stranger >= 0) close(s.stranger);
  return rv;
}
