/* The RSE's MAC scheduler: a BST with its public windows at least every BST period; in
 * between, one private exchange at a time (a downlink frame and the private window it
 * allocates), sessions served round-robin; NE_OK answers parked until the OBE asks for a
 * window; retries by the S and n bits of EN 12795 (docs/timing-model.md, "Retries"). */
#include <stdlib.h>
#include <string.h>

#include "efc/build.h"
#include "rse_internal.h"

void rse_config_default(rse_config *cfg) {
  memset(cfg, 0, sizeof(*cfg));
  cfg->bst_period_ns = 2000000;
  cfg->public_windows = 3;
  /* A window request (9 octets, worst-case stuffing 14 bits) at 250 kbit/s after its 68 us
   * preamble takes 412 us; the slot adds 20 us of guard. */
  cfg->public_window_ns = 432000;
  cfg->gap_du_ns = 100000;
  cfg->gap_ud_ns = 200000;
  cfg->empty_window_ns = 100000;
  cfg->max_retries = 3;
  cfg->retry_policy = RSE_RETRY_BY_WINDOW;
  cfg->session_timeout_ns = 1000000000;
  cfg->crypto_ns_per_block = 2000;
  cfg->beacon.manufacturer_id = 1;
  cfg->beacon.individual_id = 1052;
  cfg->station = 1052;
  cfg->lane = 1;
  cfg->epoch_cs = INT64_C(173323372000); /* 2024-12-03 13:48:40 UTC */
  cfg->profiles[0] = EFC_PROFILE_AUTOPASS;
  cfg->profiles[1] = EFC_PROFILE_EN15509_L1;
  cfg->profiles[2] = EFC_PROFILE_EN15509_L0;
  cfg->profiles[3] = EFC_PROFILE_AES;
  cfg->nprofiles = 4;
  cfg->autopass_set_mmi = false;
  cfg->en15509_get = true;
  cfg->en15509_set = true;
  cfg->en15509_set_mmi = true;
  cfg->stamped_ids.count = 3;
  cfg->stamped_ids.ids[0] = 24;
  cfg->stamped_ids.ids[1] = 26;
  cfg->stamped_ids.ids[2] = 32;
  cfg->vehicle_ids.count = 6;
  memcpy(cfg->vehicle_ids.ids, (const uint8_t[]){16, 17, 18, 19, 20, 22}, 6);
  cfg->keyref_tsp = 5;
  cfg->keyref_tc = 1;
  cfg->nonce_mode = EFC_NONCE_COMMIT;
  cfg->verify_at_lane = true;
}

const char *rse_strerror(int err) {
  switch (err) {
  case RSE_ERR_ARG:
    return "invalid argument";
  case RSE_ERR_FULL:
    return "no free session";
  case RSE_ERR_NOMEM:
    return "out of memory";
  default:
    return dsrc_strerror(err);
  }
}

static const char *const retry_policy_names[RSE_RETRY_COUNT] = {"by-window", "realloc-first"};
static const char *const cmd_names[RSE_CMD_COUNT] = {"none", "VST", "GET_SECURE", "GET_STAMPED_TSP", "GET_STAMPED_TC",
                                                     "GET",  "SET", "SET_MMI",    "RELEASE"};
static const char *const fail_names[RSE_FAIL_COUNT] = {"none", "retries", "timeout"};
static const char *const miss_names[RSE_MISS_COUNT] = {"none", "empty", "corrupted", "wrong", "late"};

/* A step's command is the step shifted: the steps run in the commands' order. */
_Static_assert(RSE_STEP_GET_SECURE == 0 &&
                   RSE_STEP_GET_STAMPED_TSP + RSE_CMD_GET_SECURE == RSE_CMD_GET_STAMPED_TSP &&
                   RSE_STEP_GET_STAMPED_TC + RSE_CMD_GET_SECURE == RSE_CMD_GET_STAMPED_TC &&
                   RSE_STEP_GET + RSE_CMD_GET_SECURE == RSE_CMD_GET && RSE_STEP_SET + RSE_CMD_GET_SECURE == RSE_CMD_SET &&
                   RSE_STEP_SET_MMI + RSE_CMD_GET_SECURE == RSE_CMD_SET_MMI &&
                   RSE_STEP_RELEASE + RSE_CMD_GET_SECURE == RSE_CMD_RELEASE,
               "rse_step_kind and rse_cmd out of step");

const char *rse_cmd_name(int cmd) { return cmd >= 0 && cmd < RSE_CMD_COUNT ? cmd_names[cmd] : "unknown"; }

const char *rse_fail_name(int fail) { return fail >= 0 && fail < RSE_FAIL_COUNT ? fail_names[fail] : "unknown"; }

const char *rse_miss_name(int miss) { return miss >= 0 && miss < RSE_MISS_COUNT ? miss_names[miss] : "unknown"; }

int rse_retry_policy_parse(const char *name) {
  for (int i = 0; i < RSE_RETRY_COUNT; i++)
    if (strcmp(name, retry_policy_names[i]) == 0) return i;
  return -1;
}

const char *rse_retry_policy_name(int policy) {
  return policy >= 0 && policy < RSE_RETRY_COUNT ? retry_policy_names[policy] : "unknown";
}

int rse_new(rse_engine **pr, const rse_config *cfg, dsrc_crypto *crypto, dsrc_rng rng,
            const rse_callbacks *callbacks, void *user) {
  rse_engine *r;
  if (!pr || !cfg || !crypto || !rng.fill || cfg->nprofiles == 0 || cfg->public_windows == 0 ||
      cfg->retry_policy >= RSE_RETRY_COUNT)
    return RSE_ERR_ARG;
  /* One per lane, for all of its run: the only allocation the engine makes. */
  if (!(r = calloc(1, sizeof(*r)))) return RSE_ERR_NOMEM;
  r->cfg = cfg;
  r->crypto = crypto;
  r->rng = rng;
  if (callbacks) r->cb = *callbacks;
  r->user = user;
  r->window_session = -1;
  r->admit = UINT64_MAX;
  *pr = r;
  return 0;
}

void rse_del(rse_engine *r) { free(r); }

const rse_config *rse_config_get(const rse_engine *r) { return r->cfg; }

void rse_admit_limit(rse_engine *r, uint64_t n) { r->admit = n; }

void rse_seq_add(rse_session *s, const char *name) {
  size_t n = s->seq_len, k = strlen(name);
  if (n + k + 2 > sizeof(s->out.sequence)) return;
  if (n) s->out.sequence[n++] = ' ';
  memcpy(s->out.sequence + n, name, k + 1);
  s->seq_len = (uint16_t)(n + k);
}

unsigned rse_sessions_open(const rse_engine *r) { return r->open; }

unsigned rse_passages_done(const rse_engine *r) { return r->ndone; }

void rse_skip_to(rse_engine *r, uint64_t t) {
  /* The next BST stays on the grid it was on: the first grid point at or after t. */
  if (t > r->next_bst) {
    uint64_t k = (t - r->next_bst + r->cfg->bst_period_ns - 1) / r->cfg->bst_period_ns;
    r->next_bst += k * r->cfg->bst_period_ns;
  }
}

bool rse_passage_pop(rse_engine *r, rse_passage *out) {
  if (r->ndone == 0) return false;
  *out = r->done[0];
  memmove(&r->done[0], &r->done[1], (r->ndone - 1) * sizeof(r->done[0]));
  r->ndone--;
  return true;
}

/* What s is on: its VST until it has one, then its current step's command. */
static rse_cmd session_cmd(const rse_session *s) {
  if (s->state == RSE_S_INIT) return RSE_CMD_VST;
  if (s->step >= s->nsteps) return RSE_CMD_RELEASE;
  return (rse_cmd)(s->steps[s->step] + RSE_CMD_GET_SECURE);
}

static void session_finish(rse_engine *r, rse_session *s, uint64_t t, rse_outcome outcome, rse_fail fail) {
  s->out.outcome = outcome;
  s->out.fail = fail;
  s->out.command = outcome == RSE_OUT_DONE ? RSE_CMD_RELEASE : session_cmd(s);
  s->out.t_end = t;
  s->out.lid = s->lid;
  rse_txn_verdict(r, s, outcome == RSE_OUT_DONE);
  if (r->ndone == RSE_SESSIONS_MAX) {
    /* The driver did not collect: the oldest record gives way. */
    memmove(&r->done[0], &r->done[1], (RSE_SESSIONS_MAX - 1) * sizeof(r->done[0]));
    r->ndone--;
  }
  r->done[r->ndone++] = s->out;
  r->busy &= ~(UINT32_C(1) << (s - r->sessions));
  memset(s, 0, sizeof(*s));
  r->open--;
  /* Last, with the engine consistent: the callback may pop the record it is shown. */
  if (r->cb.session_closed) r->cb.session_closed(r, &r->done[r->ndone - 1], r->user);
}

/* Every step looks at the sessions in use; walking the bits of r->busy (lowest of m:
 * first(m)) spares a pass over 32 session records, 23 KiB, for the one or two open. */
static unsigned first(uint32_t m) { return (unsigned)__builtin_ctz(m); }

static rse_session *session_find(rse_engine *r, uint32_t lid) {
  for (uint32_t m = r->busy; m; m &= m - 1)
    if (r->sessions[first(m)].lid == lid) return &r->sessions[first(m)];
  return NULL;
}

static rse_session *session_new(rse_engine *r, uint32_t lid, uint64_t t) {
  for (unsigned i = 0; i < RSE_SESSIONS_MAX; i++) {
    rse_session *s = &r->sessions[i];
    if (s->state != RSE_S_FREE) continue;
    memset(s, 0, sizeof(*s));
    s->state = RSE_S_INIT;
    s->lid = lid;
    s->action = RSE_A_ALLOC;
    s->expect = RSE_E_VST;
    s->last_progress = t;
    s->profile = -1;
    s->out.t_start = t;
    r->open++;
    r->busy |= UINT32_C(1) << i;
    return s;
  }
  return NULL;
}

static rse_closed *closed_find(rse_engine *r, uint32_t lid) {
  for (unsigned i = 0; i < RSE_CLOSED_MAX; i++)
    if (r->closed[i].lid == lid) return &r->closed[i];
  return NULL;
}

/* The RSE gives up on s: the passage fails, and its OBE, which would otherwise go on asking
 * for windows (for a late answer, or for its VST) and get a new session on the same LID,
 * is sent RELEASE. */
static void give_up(rse_engine *r, rse_session *s, uint64_t t) {
  rse_closed *c = &r->closed[r->closed_next];
  r->closed_next = (r->closed_next + 1) % RSE_CLOSED_MAX;
  if (!c->release) r->releases_due++;
  c->lid = s->lid;
  c->until = t + r->cfg->session_timeout_ns;
  c->pdu = s->pdu >= 2 ? s->pdu : 2;
  c->release = true;
  session_finish(r, s, t, RSE_OUT_FAILED, RSE_FAIL_RETRIES);
}

/* A frame's length, 0 for none: what a step sends. */
static size_t sent(dsrc_ssize n) { return n < 0 ? 0 : (size_t)n; }

static size_t bst_frame(rse_engine *r, uint64_t now, uint8_t *out, size_t cap) {
  dsrc_ssize n;
  uint32_t time = (uint32_t)(rse_time_cs(r, now) / 100);
  if (r->have_bst && r->bst_time == time && r->bst_len <= cap) {
    memcpy(out, r->bst, r->bst_len);
    return r->bst_len;
  }
  n = efc_build_bst(out, cap, &r->cfg->beacon, time);
  if (n < 0) return 0;
  memcpy(r->bst, out, (size_t)n);
  r->bst_len = (size_t)n;
  r->bst_time = time;
  r->have_bst = true;
  return (size_t)n;
}

/* Sessions whose OBE went quiet for too long fail. */
static void expire(rse_engine *r, uint64_t now) {
  for (uint32_t m = r->busy; m; m &= m - 1) {
    rse_session *s = &r->sessions[first(m)];
    if (now - s->last_progress > r->cfg->session_timeout_ns)
      session_finish(r, s, now, RSE_OUT_FAILED, RSE_FAIL_TIMEOUT);
  }
}

static bool pending(const rse_engine *r) {
  for (uint32_t m = r->busy; m; m &= m - 1)
    if (r->sessions[first(m)].action != RSE_A_NONE) return true;
  return r->releases_due != 0;
}

/* A RELEASE due to a LID given up on, if any (not once its session timeout has passed). */
static bool closed_next(rse_engine *r, uint64_t now, rse_step *step) {
  for (unsigned i = 0; i < RSE_CLOSED_MAX && r->releases_due; i++) {
    rse_closed *c = &r->closed[i];
    if (!c->release) continue;
    c->release = false;
    r->releases_due--;
    if (now > c->until) continue;
    step->len = sent(efc_build_release(step->frame, sizeof(step->frame), c->lid, c->pdu));
    r->last_was_bst = false;
    return step->len > 0;
  }
  return false;
}

void rse_next(rse_engine *r, uint64_t now, rse_step *step) {
  step->len = 0;
  step->windows = 0;
  step->public_windows = false;
  step->lid = 0;
  step->is_bst = false;
  step->idle_until = r->next_bst;
  r->window_session = -1;
  r->window_public = false;
  expire(r, now);

  /* A BST when it is due, but never two in a row while an exchange waits: a BST cycle that
   * outgrows the period (slow windows, a wall clock) must still carry one exchange. */
  if (now >= r->next_bst && !(r->last_was_bst && pending(r))) {
    r->last_was_bst = true;
    step->len = bst_frame(r, now, step->frame, sizeof(step->frame));
    step->windows = r->cfg->public_windows;
    step->public_windows = true;
    step->is_bst = true;
    r->window_public = true;
    r->next_bst = now + r->cfg->bst_period_ns;
    r->bsts++;
    return;
  }
  if (closed_next(r, now, step)) return;
  /* Round robin: the sessions in use rotated so that bit 0 is session r->rr. */
  for (uint32_t base = r->rr, m = base ? r->busy >> base | r->busy << (32 - base) : r->busy; m; m &= m - 1) {
    unsigned i = (first(m) + base) % RSE_SESSIONS_MAX;
    rse_session *s = &r->sessions[i];
    size_t n;
    if (s->action == RSE_A_NONE) continue;
    r->rr = (i + 1) % RSE_SESSIONS_MAX;
    r->last_was_bst = false;
    switch (s->action) {
    case RSE_A_ALLOC:
    case RSE_A_COMMAND:
      /* A new S for a new uplink frame, i.e. after an intact one; the same S asks for the
       * last frame again. */
      if (!s->have_s) {
        s->s = 0;
        s->have_s = true;
      } else if (s->s_got) {
        s->s = (uint8_t)!s->s;
      }
      s->s_got = false;
      if (s->action == RSE_A_COMMAND)
        n = sent(efc_build_command(step->frame, sizeof(step->frame), s->lid, s->s, s->n, s->command,
                                   s->command_len));
      else if (s->alloc_len[s->s & 1]) {
        n = s->alloc_len[s->s & 1];
        memcpy(step->frame, s->alloc[s->s & 1], n);
      } else {
        n = sent(efc_build_allocation(step->frame, sizeof(step->frame), s->lid, s->s));
        if (n > 0 && n <= sizeof(s->alloc[0])) {
          memcpy(s->alloc[s->s & 1], step->frame, n);
          s->alloc_len[s->s & 1] = (uint8_t)n;
        }
      }
      step->windows = 1;
      step->lid = s->lid;
      r->window_session = (int)i;
      break;
    case RSE_A_RELEASE:
    default:
      /* A session released before its first command (no profile in common) has no PDU
       * number yet: 2, the first. */
      n = sent(efc_build_release(step->frame, sizeof(step->frame), s->lid, s->pdu >= 2 ? s->pdu : 2));
      break;
    }
    step->len = n;
    s->out.frames_down++;
    s->out.octets_down += (uint32_t)n;
    /* A RELEASE may end a session whose current step is another command (no profile in
     * common, a command that could not be built): it is the RELEASE that goes out. */
    if (n > 0 && r->cb.command_sent)
      r->cb.command_sent(r, s->lid, s->action == RSE_A_RELEASE ? RSE_CMD_RELEASE : session_cmd(s),
                         s->action == RSE_A_ALLOC, s->retries, now, r->user);
    if (s->action == RSE_A_RELEASE) {
      rse_seq_add(s, "RELEASE");
      s->action = RSE_A_NONE;
      session_finish(r, s, now, RSE_OUT_DONE, RSE_FAIL_NONE);
    } else {
      s->action = RSE_A_NONE;
    }
    return;
  }
}

/* The window missed the answer s waits for: the passage keeps why, the driver hears it. */
static void missed(rse_engine *r, rse_session *s, uint64_t t, rse_miss why) {
  s->out.miss = why;
  if (r->cb.answer_missed) r->cb.answer_missed(r, s->lid, session_cmd(s), why, t, r->user);
}

/* No valid answer in the window (why: what it brought instead): retry, or give up after
 * max_retries. */
static void retry(rse_engine *r, rse_session *s, uint64_t t, rse_miss why) {
  s->retries++;
  s->out.retries++;
  missed(r, s, t, why);
  if (s->retries > r->cfg->max_retries) {
    give_up(r, s, t);
    return;
  }
  /* A VST or a late answer is fetched by an allocation: the OBE already has what it
   * sends there (a command is never sent for it). A command's window depends on the policy: after an empty window the
   * command itself may have been lost, so it goes again (same n); a corrupted answer
   * means the OBE answered, and a re-allocation (same S) fetches that answer. */
  if (s->expect != RSE_E_RESPONSE)
    s->action = RSE_A_ALLOC;
  else if (r->cfg->retry_policy == RSE_RETRY_REALLOC_FIRST)
    s->action = s->retries == 1 ? RSE_A_ALLOC : RSE_A_COMMAND;
  else
    s->action = why == RSE_MISS_CORRUPTED ? RSE_A_ALLOC : RSE_A_COMMAND;
}

static void next_command(rse_engine *r, rse_session *s, uint64_t t) {
  s->retries = 0;
  s->last_progress = t;
  if (s->step >= s->nsteps || s->steps[s->step] == RSE_STEP_RELEASE) {
    s->action = RSE_A_RELEASE;
    return;
  }
  if (rse_txn_command(r, s, t) != 0) {
    s->out.claim.reasons |= EFC_WHY_PROTOCOL;
    s->action = RSE_A_RELEASE;
    return;
  }
  s->action = RSE_A_COMMAND;
  s->expect = RSE_E_RESPONSE;
}

static void on_public(rse_engine *r, uint64_t t, const dsrc_frame *f) {
  rse_session *s;
  if (f->lid_len != 4 || (f->mac & (DSRC_MAC_D | DSRC_MAC_A | DSRC_MAC_L)) != (DSRC_MAC_D | DSRC_MAC_A))
    return;
  s = session_find(r, f->lid);
  if (!s) {
    rse_closed *c = closed_find(r, f->lid);
    if (c && t <= c->until) {
      /* It did not hear its RELEASE. */
      if (!c->release) r->releases_due++;
      c->release = true;
    } else if (r->admit && session_new(r, f->lid, t)) {
      r->admit--;
      if (r->cb.session_opened) r->cb.session_opened(r, f->lid, t, r->user);
    }
    return;
  }
  if (s->state == RSE_S_INIT) {
    s->action = RSE_A_ALLOC;
  } else if (s->state == RSE_S_LATE) {
    s->action = RSE_A_ALLOC;
    s->expect = RSE_E_LATE;
    s->last_progress = t;
  }
}

/* The answer to AC(n) carries the opposite n, with data. */
static bool acn_answer(const rse_session *s, const dsrc_frame *f) {
  return f->has_llc && dsrc_llc_is_acn(f->llc) && (f->llc >> 7) != s->n && (f->llc & DSRC_LLC_F);
}

static void on_private(rse_engine *r, uint64_t t, rse_session *s, const dsrc_frame *f) {
  dsrc_tapdu vst;
  unsigned pdu;
  s->out.frames_up++;
  switch (s->expect) {
  case RSE_E_VST:
    if (!f->has_llc || f->llc != DSRC_LLC_UI ||
        dsrc_pdu_decode(&vst, &pdu, f->lsdu, f->lsdu_len, NULL) < 0 || vst.kind != DSRC_VST) {
      retry(r, s, t, RSE_MISS_WRONG);
      return;
    }
    rse_seq_add(s, "VST");
    s->state = RSE_S_ACTIVE;
    if (rse_txn_start(r, s, &vst.u.vst, t) != 0) {
      s->out.claim.reasons |= EFC_WHY_PROTOCOL;
      s->action = RSE_A_RELEASE;
      return;
    }
    next_command(r, s, t);
    return;
  case RSE_E_RESPONSE:
    if (f->has_status && f->status == DSRC_LLC_NE_OK) {
      /* Accepted, not ready: the OBE asks for a window after a later BST. */
      s->state = RSE_S_LATE;
      s->expect = RSE_E_NONE;
      s->action = RSE_A_NONE;
      s->last_progress = t;
      s->out.late_responses++;
      rse_seq_add(s, "NE_OK");
      missed(r, s, t, RSE_MISS_LATE);
      return;
    }
    if (!acn_answer(s, f) || rse_txn_answer(r, s, f->lsdu, f->lsdu_len, t) != 0) {
      retry(r, s, t, RSE_MISS_WRONG);
      return;
    }
    next_command(r, s, t);
    return;
  case RSE_E_LATE:
    if (!f->has_llc || f->llc != DSRC_LLC_UI || rse_txn_answer(r, s, f->lsdu, f->lsdu_len, t) != 0) {
      retry(r, s, t, RSE_MISS_WRONG);
      return;
    }
    s->state = RSE_S_ACTIVE;
    next_command(r, s, t);
    return;
  default:
    return;
  }
}

/* dsrc_frame_decode, or what it gave for the same octets lately (a short frame heard
 * before, octet for octet, decodes the same and its FCS checks too). The FCS octets
 * spread frames over the slots (a frame has them from 3 octets on). */
static int frame_decode(rse_engine *r, dsrc_frame *f, const uint8_t *frame, size_t len) {
  unsigned k;
  int rv;
  if (len < 3 || len > RSE_RX_OCTETS) return dsrc_frame_decode(f, frame, len);
  k = frame[len - 3] % RSE_RX_SLOTS;
  if (r->rx[k].len == len && memcmp(r->rx[k].octets, frame, len) == 0) {
    *f = r->rx[k].f;
    f->lsdu = frame + r->rx[k].lsdu_at;
    return 0;
  }
  if ((rv = dsrc_frame_decode(f, frame, len)) != 0) return rv;
  r->rx[k].len = (uint8_t)len;
  memcpy(r->rx[k].octets, frame, len);
  r->rx[k].lsdu_at = (uint8_t)(f->lsdu - frame);
  r->rx[k].f = *f;
  r->rx[k].f.lsdu = NULL;
  return 0;
}

uint64_t rse_on_window(rse_engine *r, uint64_t t, unsigned w, const uint8_t *frame, size_t len,
                       bool corrupted) {
  dsrc_crypto_counters before, after;
  dsrc_frame f;
  bool ok;
  uint64_t blocks;
  (void)w;
  /* Most windows are a BST's public windows that nobody answered: out first. */
  if (r->window_public && len == 0) return 0;
  ok = len > 0 && !corrupted && frame_decode(r, &f, frame, len) == 0 && (f.mac & DSRC_MAC_D);
  if (r->window_public) {
    if (ok) on_public(r, t, &f);
    return 0;
  }
  if (r->window_session < 0) return 0;
  {
    rse_session *s = &r->sessions[r->window_session];
    r->window_session = -1;
    if (s->state == RSE_S_FREE) return 0;
    if (len > 0) s->out.octets_up += (uint32_t)len;
    if (!ok || f.lid_len != 4 || f.lid != s->lid) {
      if (len > 0) s->out.frames_up++;
      retry(r, s, t, len == 0 ? RSE_MISS_EMPTY : RSE_MISS_CORRUPTED);
      return 0;
    }
    s->s_got = true;
    before = dsrc_crypto_counters_get(r->crypto);
    on_private(r, t, s, &f);
  }
  after = dsrc_crypto_counters_get(r->crypto);
  blocks = (after.des - before.des) + (after.tdes - before.tdes) + (after.aes - before.aes);
  return blocks * r->cfg->crypto_ns_per_block;
}
