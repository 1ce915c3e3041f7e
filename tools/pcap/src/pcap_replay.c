/* efc-pcap replay: one side of a captured transaction played against a live process over
 * the datagram link (docs/datagram.md), the replay-attack experiment.
 *
 * --side rse: the tool is the RSE. It sends the lane's captured BST to a live efc-obe, takes
 * the LID of the OBE that asks for a window, and sends the transaction's captured downlinks
 * with that LID (an attacker adapts the framing; the T-APDUs go verbatim). Each live answer
 * is compared with the captured one.
 *
 * --side obe: the tool is an OBE host at the address a live efc-rse sends to (its --obe).
 * It answers the RSE's BST with the captured window request and each command with the next
 * captured answer, adapting the L2 n bit and the PDU number to the live command (contents
 * verbatim), and reports how the RSE's commands differ from the captured ones. The RSE's
 * verdict is in its own output and claims. */
#include <inttypes.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "dsrc/datagram.h"
#include "efc/build.h"
#include "pcap_tool.h"
#include "rse/rse.h"
#include "rse/verify.h"
#include "io/udp.h"

#define PROG "efc-pcap replay"

#define LANES 128
#define WIN_MAX 16
#define UP_MAX 16

typedef struct {
  bool uplink;
  pcap_role role;
  uint8_t *oct;
  size_t len;
} rp_frame;

typedef struct {
  unsigned number;
  uint8_t lane;
  uint32_t lid;
  int profile;
  bool released;
  rp_frame *f;
  size_t n;
  uint8_t bst[DSRC_FRAME_MAX];
  size_t bst_len;
} rp_txn;

typedef struct {
  /* selection */
  unsigned want_number; /* 0: by profile or the first released */
  int want_profile;     /* -1: any */
  bool found;
  rp_txn txn;
  unsigned txns;
  uint8_t bst[LANES][DSRC_FRAME_MAX];
  size_t bst_len[LANES];
} rp_select;

typedef struct {
  int fd;
  io_udp_addr peer;
  bool have_peer;
  rse_config cfg; /* the default timing the replayer's downlinks announce */
  dsrc_l1_params l1;
  uint64_t now;
  uint32_t seq;
  uint64_t timeout_ns;
  unsigned same, differ, missing, extra;
} rp_link;

/* The profile a captured transaction ran: the VST application whose eid its first command
 * names (GET_SECURE is AutoPASS whatever the eid). */
static int txn_profile(const pcap_group *g) {
  dsrc_tapdu vst;
  bool have_vst = false;
  for (size_t i = 0; i < g->nframes; i++) {
    const pcap_frame *pf = &g->frames[i];
    unsigned pdu;
    if (pf->err != 0 || pf->role == PCAP_ROLE_MALFORMED || !pf->npdus) continue;
    if (pf->role == PCAP_ROLE_VST && !have_vst) {
      have_vst = dsrc_pdu_decode(&vst, &pdu, pf->f.lsdu, pf->f.lsdu_len, NULL) >= 0 && vst.kind == DSRC_VST;
    } else if (pf->role == PCAP_ROLE_COMMAND && pf->pdus[0].kind == DSRC_ACTION_RQ) {
      if (pf->pdus[0].type == DSRC_ACT_GET_SECURE) return EFC_PROFILE_AUTOPASS;
      if (pf->pdus[0].type != DSRC_ACT_GET_STAMPED || !have_vst) continue;
      for (int p = EFC_PROFILE_EN15509_L0; p < EFC_PROFILE_COUNT; p++) {
        const dsrc_application *a = rse_vst_app(&vst.u.vst, p);
        if (a && a->eid == pf->pdus[0].eid) return p;
      }
    }
  }
  return -1;
}

static void txn_free(rp_txn *t) {
  for (size_t i = 0; i < t->n; i++) free(t->f[i].oct);
  free(t->f);
  memset(t, 0, sizeof(*t));
}

static int on_group(void *ctx, const pcap_group *g) {
  rp_select *s = ctx;
  int profile;
  for (size_t i = 0; i < g->nframes; i++) {
    const pcap_frame *pf = &g->frames[i];
    if (pf->role == PCAP_ROLE_BST && pf->err == 0 && g->lane < LANES) {
      memcpy(s->bst[g->lane], pf->octets, pf->len);
      s->bst_len[g->lane] = pf->len;
    }
  }
  if (g->kind != PCAP_GROUP_TXN || s->found) return 0;
  s->txns++;
  profile = txn_profile(g);
  if (s->want_number ? g->number != s->want_number
                     : !g->released || (s->want_profile >= 0 && profile != s->want_profile))
    return 0;
  s->found = true;
  s->txn.number = g->number;
  s->txn.lane = g->lane;
  s->txn.lid = g->lid;
  s->txn.profile = profile;
  s->txn.released = g->released;
  if (g->lane < LANES) {
    memcpy(s->txn.bst, s->bst[g->lane], s->bst_len[g->lane]);
    s->txn.bst_len = s->bst_len[g->lane];
  }
  if (!(s->txn.f = calloc(g->nframes ? g->nframes : 1, sizeof(rp_frame)))) return -1;
  for (size_t i = 0; i < g->nframes; i++) {
    const pcap_frame *pf = &g->frames[i];
    rp_frame *f;
    /* A frame the air corrupted reached nobody; the broadcasts in between are not the
     * transaction's. */
    if (pf->err != 0 || pf->role == PCAP_ROLE_MALFORMED || pf->role == PCAP_ROLE_BST) continue;
    f = &s->txn.f[s->txn.n];
    if (!(f->oct = malloc(pf->len))) return -1;
    memcpy(f->oct, pf->octets, pf->len);
    f->len = pf->len;
    f->uplink = pf->uplink;
    f->role = pf->role;
    s->txn.n++;
  }
  return 0;
}

/* ---- the link ---- */

static uint64_t mono_ns(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

/* Waits for one datagram (any peer when !from_peer_only); 0 on timeout, -1 error. */
static ssize_t link_recv(rp_link *k, uint8_t *buf, size_t cap, io_udp_addr *from, uint64_t deadline) {
  for (;;) {
    uint64_t now = mono_ns();
    struct pollfd p = {k->fd, POLLIN, 0};
    ssize_t n;
    int ms;
    if (now >= deadline) return 0;
    ms = (int)((deadline - now + 999999) / 1000000);
    if (poll(&p, 1, ms) < 0) return -1;
    from->len = sizeof(from->sa);
    n = recvfrom(k->fd, buf, cap, 0, (struct sockaddr *)&from->sa, &from->len);
    if (n >= 0) return n;
  }
}

static void link_send(rp_link *k, const io_udp_addr *to, const dsrc_dg *d) {
  uint8_t buf[DSRC_DG_MAX];
  dsrc_ssize n = dsrc_dg_encode(buf, sizeof(buf), d);
  if (n > 0) sendto(k->fd, buf, (size_t)n, 0, (const struct sockaddr *)&to->sa, to->len);
}

/* ---- naming and comparing ---- */

/* "GET_SECURE.rs" and the like, or the L2 role. */
static void frame_text(const uint8_t *oct, size_t len, bool uplink, char *last_cmd, char *out, size_t cap) {
  pcap_frame pf;
  io_cap_record r = {0, uplink, 0, 0, 0, oct, len};
  dsrc_l1_params l1;
  dsrc_l1_params_default(&l1);
  if (pcap_frame_fill(&pf, &r, 0, &l1) != 0) {
    snprintf(out, cap, "?");
    return;
  }
  pcap_frame_name(&pf, last_cmd, 24);
  {
    /* An answer's return code is what an attacker most wants to see (accessDenied). */
    dsrc_tapdu t;
    unsigned pdu;
    int ret = -1;
    if (pf.role != PCAP_ROLE_MALFORMED && pf.f.lsdu_len &&
        dsrc_pdu_decode(&t, &pdu, pf.f.lsdu, pf.f.lsdu_len, NULL) >= 0) {
      if (t.kind == DSRC_ACTION_RS && t.u.action_rs.has_ret) ret = t.u.action_rs.ret;
      if (t.kind == DSRC_GET_RS && t.u.get_rs.has_ret) ret = t.u.get_rs.ret;
      if (t.kind == DSRC_SET_RS && t.u.set_rs.has_ret) ret = t.u.set_rs.ret;
    }
    snprintf(out, cap, "%s%s", pf.msgs[0] ? pf.msgs : pcap_role_name(pf.role),
             ret == DSRC_RET_ACCESS_DENIED ? " accessDenied" : ret > 0 ? " ret!=0" : "");
  }
  pcap_frame_release(&pf);
}

/* Compares the LSDUs (the T-APDUs with their fragmentation header): the LID and FCS differ
 * by construction. Returns the octets that differ, or -1 when the frame kinds differ. */
static int lsdu_diff(const uint8_t *a, size_t alen, const uint8_t *b, size_t blen) {
  dsrc_frame fa, fb;
  int d = 0;
  size_t n;
  if (dsrc_frame_decode(&fa, a, alen) < 0 || dsrc_frame_decode(&fb, b, blen) < 0) return -1;
  if (fa.mac != fb.mac || fa.has_llc != fb.has_llc) return -1;
  n = fa.lsdu_len < fb.lsdu_len ? fa.lsdu_len : fb.lsdu_len;
  for (size_t i = 0; i < n; i++) d += fa.lsdu[i] != fb.lsdu[i];
  d += (int)(fa.lsdu_len > n ? fa.lsdu_len - n : fb.lsdu_len - n);
  return d;
}

/* Re-encodes frame with another LID (and, for an answer, the LLC and PDU number of the live
 * command). Returns the new length or 0. */
static size_t reframe(uint8_t *out, size_t cap, const uint8_t *oct, size_t len, uint32_t lid, const dsrc_frame *cmd) {
  dsrc_frame f;
  uint8_t lsdu[DSRC_FRAME_MAX];
  dsrc_ssize n;
  if (dsrc_frame_decode(&f, oct, len) < 0 || f.lsdu_len > sizeof(lsdu)) return 0;
  memcpy(lsdu, f.lsdu, f.lsdu_len);
  f.lsdu = lsdu;
  if (f.lid_len == 4) f.lid = lid;
  if (cmd && cmd->has_llc && f.has_llc && dsrc_llc_is_acn(f.llc) && dsrc_llc_is_acn(cmd->llc)) {
    /* The answer carries the command's n inverted, its own F bit. */
    f.llc = (uint8_t)(((cmd->llc ^ DSRC_LLC_N) & ~DSRC_LLC_F) | (f.llc & DSRC_LLC_F));
    if (f.lsdu_len && cmd->lsdu_len) lsdu[0] = (uint8_t)((lsdu[0] & ~0x78) | (cmd->lsdu[0] & 0x78));
  }
  n = dsrc_frame_encode(out, cap, &f);
  return n > 0 ? (size_t)n : 0;
}

/* The captured answer in cap (a response or a late response) as an immediate answer to the
 * live command cmd: the attacker has the T-APDU ready, so it answers in the command's own
 * window (OK_OK) with the command's n and PDU number. Returns the length or 0. */
static size_t answer_now(uint8_t *out, size_t outcap, const rp_frame *cap, uint32_t lid, const dsrc_frame *cmd) {
  dsrc_frame f;
  dsrc_ssize n;
  if (dsrc_frame_decode(&f, cap->oct, cap->len) < 0) return 0;
  n = efc_build_answer_now(out, outcap, lid, cmd, f.lsdu, f.lsdu_len);
  return n > 0 ? (size_t)n : 0;
}

/* ---- --side rse ---- */

typedef struct {
  uint8_t f[UP_MAX][DSRC_FRAME_MAX];
  size_t len[UP_MAX];
  unsigned n;
} rp_answers;

/* One downlink to the live OBE host and its answers, the model clock moved past them. */
static int rse_exchange(rp_link *k, uint8_t lane, const uint8_t *frame, size_t len, bool public, rp_answers *a) {
  dsrc_dg d;
  uint8_t buf[2048];
  uint64_t deadline = mono_ns() + k->timeout_ns, air = dsrc_l1_airtime_ns(&k->l1, 0, frame, len);
  unsigned count = public ? k->cfg.public_windows : (frame[frame[1] == 0xff ? 2 : 5] & DSRC_MAC_A) ? 1 : 0;
  memset(&d, 0, sizeof(d));
  d.kind = DSRC_DG_DOWNLINK;
  d.lane = lane;
  d.flags = public ? DSRC_DG_PUBLIC : 0;
  d.seq = ++k->seq;
  d.time_ns = k->now + air;
  d.count = (uint8_t)count;
  d.window0_ns = (uint32_t)k->cfg.gap_du_ns;
  d.step_ns = public ? (uint32_t)k->cfg.public_window_ns : 0;
  d.frame = frame;
  d.len = len;
  link_send(k, &k->peer, &d);
  a->n = 0;
  k->now = d.time_ns + k->cfg.gap_du_ns + (public ? count * k->cfg.public_window_ns : 5000000u) + k->cfg.gap_ud_ns;
  for (;;) {
    io_udp_addr from;
    dsrc_dg u;
    ssize_t n = link_recv(k, buf, sizeof(buf), &from, deadline);
    if (n <= 0) return -1; /* the host is gone or never answers */
    if (!io_udp_addr_equal(&from, &k->peer) || dsrc_dg_decode(&u, buf, (size_t)n) != 0 || u.ref != d.seq) continue;
    if (u.kind == DSRC_DG_DONE) return 0;
    if (u.kind == DSRC_DG_UPLINK && a->n < UP_MAX && u.len <= DSRC_FRAME_MAX) {
      memcpy(a->f[a->n], u.frame, u.len);
      a->len[a->n++] = u.len;
    }
  }
}

static uint32_t frame_lid(const uint8_t *f, size_t len) {
  dsrc_frame x;
  return dsrc_frame_decode(&x, f, len) >= 0 ? x.lid : 0;
}

static int replay_rse(rp_link *k, const rp_txn *t) {
  rp_answers a;
  uint32_t live = 0;
  char last_cmd[24] = "", last_live[24] = "", what[128], got[128];
  size_t i;
  if (!t->bst_len) {
    fprintf(stderr, "efc-pcap replay: transaction %u: the capture has no BST of lane %u before it\n", t->number,
            t->lane);
    return IO_CLI_EXIT_FAILURE;
  }
  /* The OBE picks one of the public windows at random; a few BSTs find it. */
  for (int tries = 0; tries < 8 && !live; tries++) {
    if (rse_exchange(k, t->lane, t->bst, t->bst_len, true, &a) != 0) {
      fprintf(stderr, "efc-pcap replay: no answer from the OBE host (no DONE within the timeout)\n");
      return IO_CLI_EXIT_FAILURE;
    }
    for (unsigned j = 0; j < a.n && !live; j++)
      if (a.len[j] == 9) live = frame_lid(a.f[j], a.len[j]);
  }
  if (!live) {
    fprintf(stderr, "efc-pcap replay: no OBE asked for a window after 8 BSTs\n");
    return IO_CLI_EXIT_FAILURE;
  }
  printf("replaying the RSE side of transaction #%u (%s, lane %u, captured LID %08" PRIX32 ") to the OBE with LID "
         "%08" PRIX32 "\n",
         t->number, t->profile >= 0 ? efc_profile_name(t->profile) : "unknown profile", t->lane, t->lid, live);
  /* Skip the captured window request: it answered the BST. */
  for (i = 0; i < t->n && (t->f[i].uplink); i++) {
  }
  while (i < t->n) {
    const rp_frame *dn = &t->f[i++];
    uint8_t out[DSRC_FRAME_MAX];
    size_t len = reframe(out, sizeof(out), dn->oct, dn->len, live, NULL);
    const rp_frame *want = NULL;
    if (!len) continue;
    frame_text(dn->oct, dn->len, false, last_cmd, what, sizeof(what));
    frame_text(out, len, false, last_live, got, sizeof(got));
    /* The captured answers to this downlink: the uplinks up to the next downlink. */
    for (; i < t->n && t->f[i].uplink; i++)
      if (!want) want = &t->f[i];
    if (rse_exchange(k, t->lane, out, len, false, &a) != 0) {
      fprintf(stderr, "efc-pcap replay: no answer from the OBE host (no DONE within the timeout)\n");
      return IO_CLI_EXIT_FAILURE;
    }
    printf("  sent %s\n", what);
    if (want) frame_text(want->oct, want->len, true, last_cmd, what, sizeof(what));
    if (a.n) frame_text(a.f[0], a.len[0], true, last_live, got, sizeof(got));
    if (want && a.n) {
      int d = lsdu_diff(want->oct, want->len, a.f[0], a.len[0]);
      if (d == 0) {
        k->same++;
        printf("    answer identical to the captured one: %s\n", got);
      } else {
        k->differ++;
        if (d < 0)
          printf("    answer DIFFERS: captured %s, live %s\n", what, got);
        else
          printf("    answer DIFFERS in %d octets: captured %s, live %s\n", d, what, got);
      }
    } else if (want) {
      k->missing++;
      printf("    no answer (captured: %s)\n", what);
    } else if (a.n) {
      k->extra++;
      printf("    answer where the capture had none: %s\n", got);
    }
  }
  printf("answers: %u identical to the capture, %u differ, %u missing, %u extra\n", k->same, k->differ, k->missing,
         k->extra);
  return IO_CLI_EXIT_OK;
}

/* ---- --side obe ---- */

static int replay_obe(rp_link *k, const rp_txn *t) {
  const rp_frame *cmds[64];
  unsigned ncmds = 0, live_cmds = 0;
  size_t up = 0; /* next captured uplink to use */
  uint8_t last_sent[DSRC_FRAME_MAX];
  size_t last_len = 0;
  bool requested = false, released = false, have_llc = false, sent_vst = false;
  uint8_t last_llc = 0;
  char last_cmd[24] = "", what[128];
  int set_mmi = -1;
  uint64_t idle_until = mono_ns() + k->timeout_ns;
  for (size_t i = 0; i < t->n && ncmds < 64; i++)
    if (!t->f[i].uplink && t->f[i].role == PCAP_ROLE_COMMAND) cmds[ncmds++] = &t->f[i];
  printf("replaying the OBE side of transaction #%u (%s, lane %u, LID %08" PRIX32 ") as an OBE host\n", t->number,
         t->profile >= 0 ? efc_profile_name(t->profile) : "unknown profile", t->lane, t->lid);
  while (!released) {
    uint8_t buf[2048], out[DSRC_FRAME_MAX];
    io_udp_addr from;
    dsrc_dg d, u;
    dsrc_frame f;
    size_t len = 0;
    ssize_t n = link_recv(k, buf, sizeof(buf), &from, idle_until);
    if (n <= 0) {
      fprintf(stderr, "efc-pcap replay: no RSE downlink for %" PRIu64 " ms%s\n", k->timeout_ns / 1000000,
              requested ? " in the middle of the transaction" : "");
      return IO_CLI_EXIT_FAILURE;
    }
    if (dsrc_dg_decode(&d, buf, (size_t)n) != 0 || d.kind != DSRC_DG_DOWNLINK || dsrc_frame_decode(&f, d.frame, d.len) < 0)
      continue;
    idle_until = mono_ns() + k->timeout_ns;
    if (!requested && f.lid_len == 1 && (f.mac & DSRC_MAC_A) && d.count) {
      /* The BST: the captured window request, in the first public window. */
      for (; up < t->n && !(t->f[up].uplink && t->f[up].role == PCAP_ROLE_WINDOW_REQUEST); up++) {
      }
      if (up < t->n) {
        memcpy(out, t->f[up].oct, t->f[up].len);
        len = t->f[up++].len;
        requested = true;
      }
    } else if (requested && f.lid_len == 4 && f.lid == t->lid) {
      if (!f.has_llc && (f.mac & DSRC_MAC_A)) {
        /* A window allocation: the VST first; any later one asks for the last frame again
         * (every answer goes out at once, so no late answer is pending). */
        if (!sent_vst) {
          for (; up < t->n && !(t->f[up].uplink && t->f[up].role == PCAP_ROLE_VST); up++) {
          }
          if (up < t->n) {
            len = reframe(out, sizeof(out), t->f[up].oct, t->f[up].len, t->lid, NULL);
            up++;
            sent_vst = true;
          }
        } else if (last_len) {
          memcpy(out, last_sent, len = last_len);
        }
      } else if (f.has_llc && dsrc_llc_is_acn(f.llc)) {
        if (have_llc && f.llc == last_llc && last_len) {
          memcpy(out, last_sent, len = last_len); /* a repeated command gets the same answer */
        } else {
          const rp_frame *cap = live_cmds < ncmds ? cmds[live_cmds] : NULL;
          int diff = cap ? lsdu_diff(cap->oct, cap->len, d.frame, d.len) : -1;
          frame_text(d.frame, d.len, false, last_cmd, what, sizeof(what));
          printf("  the RSE sent %s: %s\n", what,
                 !cap ? "not in the capture" : diff == 0 ? "identical to the captured command" : "DIFFERS from the captured command");
          live_cmds++;
          /* The captured answer, wherever the OBE gave it (at once, or late after NE_OK). */
          for (; up < t->n && !(t->f[up].uplink && (t->f[up].role == PCAP_ROLE_RESPONSE ||
                                                     t->f[up].role == PCAP_ROLE_LATE_RESPONSE));
               up++) {
          }
          if (up < t->n) {
            len = answer_now(out, sizeof(out), &t->f[up], t->lid, &f);
            up++;
          }
        }
        have_llc = true;
        last_llc = f.llc;
        if (f.lsdu_len >= 4) {
          dsrc_tapdu q;
          unsigned pdu;
          if (dsrc_pdu_decode(&q, &pdu, f.lsdu, f.lsdu_len, NULL) >= 0 && q.kind == DSRC_ACTION_RQ &&
              q.u.action_rq.type == DSRC_ACT_SET_MMI && q.u.action_rq.has_parameter &&
              q.u.action_rq.parameter.kind == DSRC_C_SETMMIRQ)
            set_mmi = q.u.action_rq.parameter.u.set_mmi;
        }
      } else if (f.lsdu_len) {
        dsrc_tapdu q;
        unsigned pdu;
        if (dsrc_pdu_decode(&q, &pdu, f.lsdu, f.lsdu_len, NULL) >= 0 && q.kind == DSRC_EVENT_RQ) released = true;
      }
    }
    if (len && d.count) {
      memset(&u, 0, sizeof(u));
      u.kind = DSRC_DG_UPLINK;
      u.lane = d.lane;
      u.seq = ++k->seq;
      u.ref = d.seq;
      u.time_ns = dsrc_dg_window_start(&d, 0);
      u.frame = out;
      u.len = len;
      link_send(k, &from, &u);
      memcpy(last_sent, out, len);
      last_len = len;
    }
    memset(&u, 0, sizeof(u));
    u.kind = DSRC_DG_DONE;
    u.lane = d.lane;
    u.seq = ++k->seq;
    u.ref = d.seq;
    u.time_ns = d.time_ns;
    u.count = (uint8_t)(len && d.count);
    link_send(k, &from, &u);
  }
  printf("the RSE released the replayed OBE after %u commands (%u in the capture)%s\n", live_cmds, ncmds,
         set_mmi < 0 ? "" : set_mmi == 0 ? "; its SET_MMI said: transaction OK" : "; its SET_MMI said: NOT OK");
  return IO_CLI_EXIT_OK;
}

static void usage(FILE *out) {
  fprintf(out,
          "usage: efc-pcap replay FILE --side rse|obe --to ADDR:PORT [--transaction N | --profile P]\n"
          "                       [--timeout-ms N] [--idle-ms N]\n"
          "\n"
          "Plays one side of one captured transaction (number N as efc-pcap decode shows it; else\n"
          "the first released one of profile P; else the first released one) against a live process.\n"
          "--side rse: the tool is the RSE and ADDR:PORT a live efc-obe; the captured downlinks go to\n"
          "the OBE that answers the lane's captured BST, with its LID, and each answer is compared\n"
          "with the captured one. --side obe: the tool is an OBE host listening on ADDR:PORT (start\n"
          "efc-rse with --obe ADDR:PORT); it answers with the captured uplinks, L2 numbering adapted\n"
          "to the live commands, and reports how the RSE's commands differ; the RSE's verdict is in\n"
          "its own output and claims. --timeout-ms (default 5000): how long to wait for the peer.\n"
          "--transaction 1..4294967295; --timeout-ms and --idle-ms: a number of ms in (0, 1e9].\n"
          "Exit status 0 when the replay ran, 1 bad input or no peer, 2 bad usage.\n");
}

int pcap_cmd_replay(int argc, char **argv) {
  static const struct option opts[] = {{"side", required_argument, NULL, 's'},
                                       {"to", required_argument, NULL, 't'},
                                       {"transaction", required_argument, NULL, 'n'},
                                       {"profile", required_argument, NULL, 'p'},
                                       {"timeout-ms", required_argument, NULL, 'T'},
                                       {"idle-ms", required_argument, NULL, 'i'},
                                       {"help", no_argument, NULL, 'h'},
                                       {NULL, 0, NULL, 0}};
  static rp_select sel;
  rp_link k;
  const char *side = NULL, *to = NULL;
  uint64_t idle = PCAP_IDLE_NS_DEFAULT;
  uint32_t number;
  char err[512];
  int c, rv;
  memset(&sel, 0, sizeof(sel));
  memset(&k, 0, sizeof(k));
  sel.want_profile = -1;
  k.timeout_ns = 5000000000u;
  optind = 1;
  while ((c = io_cli_getopt(argc, argv, opts, err, sizeof(err))) != -1) {
    int bad = 0;
    switch (c) {
    case 's':
      side = optarg;
      break;
    case 't':
      to = optarg;
      break;
    case 'n':
      if (!(bad = io_cli_u32_parse(&number, "--transaction", optarg, 1, UINT32_MAX, err, sizeof(err))))
        sel.want_number = number;
      break;
    case 'p':
      if ((sel.want_profile = efc_profile_parse(optarg)) < 0)
        return io_cli_usage(PROG, NULL, "--profile: unknown profile '%s'", optarg);
      break;
    case 'T':
      bad = pcap_ms_parse(&k.timeout_ns, "--timeout-ms", optarg, err, sizeof(err));
      break;
    case 'i':
      bad = pcap_ms_parse(&idle, "--idle-ms", optarg, err, sizeof(err));
      break;
    default:
      return io_cli_getopt_default(c, PROG, err, usage);
    }
    if (bad) return io_cli_usage(PROG, NULL, "%s", err);
  }
  if (optind + 1 != argc || !side || !to || (strcmp(side, "rse") != 0 && strcmp(side, "obe") != 0))
    return io_cli_usage(PROG, PROG, "needs FILE, --side rse|obe and --to ADDR:PORT");
  /* --side rse sends to an OBE host: port 1..65535; --side obe listens there (0: any). */
  if ((strcmp(side, "rse") == 0 ? io_udp_peer_parse(&k.peer, to, err, sizeof(err))
                                : io_udp_addr_parse(&k.peer, to, err, sizeof(err))) != 0)
    return io_cli_usage(PROG, NULL, "--to %s", err);
  rv = pcap_file_walk(argv[optind], idle, on_group, &sel, err, sizeof(err));
  if (rv != 0) {
    if (rv > 0) fprintf(stderr, "efc-pcap replay: %s\n", err);
    else fprintf(stderr, "efc-pcap replay: %s: out of memory\n", argv[optind]);
    txn_free(&sel.txn);
    return IO_CLI_EXIT_FAILURE;
  }
  if (!sel.found) {
    if (sel.want_number)
      fprintf(stderr, "efc-pcap replay: %s: no transaction %u (the file has %u)\n", argv[optind], sel.want_number,
              sel.txns);
    else
      fprintf(stderr, "efc-pcap replay: %s: no released transaction%s%s\n", argv[optind],
              sel.want_profile >= 0 ? " of profile " : "",
              sel.want_profile >= 0 ? efc_profile_name(sel.want_profile) : "");
    return IO_CLI_EXIT_FAILURE;
  }
  rse_config_default(&k.cfg);
  dsrc_l1_params_default(&k.l1);
  k.now = 1000000; /* earlier than any live clock: a live efc-obe takes it as a new gantry */
  k.fd = strcmp(side, "rse") == 0 ? io_udp_socket_for(&k.peer, err, sizeof(err)) : io_udp_socket_bind(&k.peer, err, sizeof(err));
  if (k.fd < 0) {
    fprintf(stderr, "efc-pcap replay: %s\n", err);
    txn_free(&sel.txn);
    return IO_CLI_EXIT_FAILURE;
  }
  if (strcmp(side, "obe") == 0) {
    /* With port 0 the system picks one: say which, so the RSE can be pointed at it. */
    char where[300];
    if (io_udp_socket_where(k.fd, where, sizeof(where)) == 0)
      fprintf(stderr, "efc-pcap replay: OBE host listening on %s\n", where);
  }
  rv = strcmp(side, "rse") == 0 ? replay_rse(&k, &sel.txn) : replay_obe(&k, &sel.txn);
  close(k.fd);
  txn_free(&sel.txn);
  return rv;
}
