/* The retry rules as a Markov chain and as a walk (retry_model.h). Nothing here comes from
 * the engines: only the rules of docs/timing-model.md, restated:
 * - every allocation (plain, or a command with its window) carries S; the RSE toggles S
 *   after a window that brought an intact frame and keeps it otherwise;
 * - the OBE answers an allocation whose S is that of the last allocation it transmitted in
 *   with the frame it sent there; a new command gets a new answer (NE_OK when late);
 * - the RSE counts a retry for every window without a valid answer (empty: no frame;
 *   corrupted: a frame that failed) and gives up on the (max_retries + 1)th of one
 *   exchange; by-window repeats the command after an empty window and re-allocates after a
 *   corrupted one, realloc-first re-allocates on the first retry and repeats the command on
 *   later ones; a VST and a late answer are always fetched by an allocation;
 * - a late answer's window is obtained through a public window, which costs no retry;
 * - RELEASE ends the transaction, or follows the RSE's giving up; it has no window. */
#include <math.h>
#include <string.h>

#include "retry_model.h"

double rm_loss(double ber, double bits) { return ber <= 0 ? 0 : -expm1(bits * log1p(-ber)); }

/* Phase A of a command: the RSE sends the command or a plain allocation; the OBE has the
 * command or not. */
enum { A_CMD = 0, A_ALLOC = 1 };

typedef struct {
  double a[RM_RETRIES_MAX + 2][2][2]; /* [retries][action][obe has the command] */
  double b[RM_RETRIES_MAX + 2];       /* late answer (or VST) still to fetch */
} chain;

/* A window went bad at k retries: mass m moves to k + 1 with the next action, or fails. */
static void bad_a(chain *c, rm_phase_result *out, unsigned k, unsigned max, int policy, bool empty, int has,
                  double m) {
  int next;
  if (m == 0) return;
  if (k + 1 > max) {
    out->p_fail += m;
    return;
  }
  if (policy == RM_REALLOC_FIRST)
    next = k + 1 == 1 ? A_ALLOC : A_CMD;
  else
    next = empty ? A_CMD : A_ALLOC;
  c->a[k + 1][next][has] += m;
}

static void bad_b(chain *c, rm_phase_result *out, unsigned k, unsigned max, double m) {
  if (k + 1 > max)
    out->p_fail += m;
  else
    c->b[k + 1] += m;
}

int rm_phase_solve(const rm_phase *ph, double ber, unsigned max_retries, int policy, rm_phase_result *out) {
  chain c;
  double d, u1, a, u2;
  if (!ph || !out || max_retries > RM_RETRIES_MAX || (policy != RM_BY_WINDOW && policy != RM_REALLOC_FIRST))
    return -1;
  memset(&c, 0, sizeof(c));
  memset(out, 0, sizeof(*out));
  if (ph->kind == RM_PHASE_VST) {
    /* An allocation fetches the VST, again with the same S if it came corrupted. */
    a = rm_loss(ber, ph->bits_down);
    u2 = rm_loss(ber, ph->bits_up);
    d = u1 = 0;
    c.b[0] = 1;
  } else {
    d = rm_loss(ber, ph->bits_down);
    u1 = rm_loss(ber, ph->bits_up);
    a = rm_loss(ber, ph->bits_alloc);
    u2 = rm_loss(ber, ph->bits_late);
    c.a[0][A_CMD][0] = 1;
  }
  for (unsigned k = 0; k <= max_retries; k++) {
    for (int has = 0; has < 2; has++) {
      double m = c.a[k][A_CMD][has], through;
      /* The command: lost, the window is empty. Heard, the OBE answers (a first run, or its
       * last frame again: the window repeats its S). */
      bad_a(&c, out, k, max_retries, policy, true, has, m * d);
      bad_a(&c, out, k, max_retries, policy, false, 1, m * (1 - d) * u1);
      through = m * (1 - d) * (1 - u1);
      m = c.a[k][A_ALLOC][has];
      if (has) {
        /* Same S as the answer it sent: the answer again. */
        bad_a(&c, out, k, max_retries, policy, true, 1, m * a);
        bad_a(&c, out, k, max_retries, policy, false, 1, m * (1 - a) * u1);
        through += m * (1 - a) * (1 - u1);
      } else {
        /* It never got the command: a window it has nothing for. */
        bad_a(&c, out, k, max_retries, policy, true, 0, m);
      }
      if (ph->late)
        c.b[k] += through;
      else
        out->p_ok[k] += through;
    }
    {
      /* The late answer (or VST): an allocation, and the frame in its window. */
      double m = c.b[k];
      bad_b(&c, out, k, max_retries, m * a);
      bad_b(&c, out, k, max_retries, m * (1 - a) * u2);
      out->p_ok[k] += m * (1 - a) * (1 - u2);
    }
  }
  return 0;
}

int rm_passage_solve(const rm_transaction *t, double ber, unsigned max_retries, int policy,
                     rm_passage_result *out) {
  /* dist of the retries so far among passages still going. */
  double going[RM_TOTAL_MAX], next[RM_TOTAL_MAX];
  unsigned span = 1;
  if (!t || !out || t->nphases == 0 || t->nphases > RM_PHASES_MAX) return -1;
  memset(out, 0, sizeof(*out));
  memset(going, 0, sizeof(going));
  going[0] = 1;
  for (unsigned i = 0; i < t->nphases; i++) {
    rm_phase_result r;
    if (rm_phase_solve(&t->phase[i], ber, max_retries, policy, &r) != 0) return -1;
    memset(next, 0, sizeof(next));
    for (unsigned j = 0; j < span; j++) {
      if (going[j] == 0) continue;
      for (unsigned k = 0; k <= max_retries; k++) next[j + k] += going[j] * r.p_ok[k];
      out->dist_fail[j + max_retries + 1] += going[j] * r.p_fail;
    }
    span += max_retries + 1;
    memcpy(going, next, sizeof(going));
  }
  for (unsigned j = 0; j < RM_TOTAL_MAX; j++) {
    out->p_fail += out->dist_fail[j];
    out->dist[j] = going[j] + out->dist_fail[j];
    out->retries_mean += j * out->dist[j];
  }
  return 0;
}

const char *rm_frame_kind_name(rm_frame_kind k) {
  static const char *const names[] = {"ALLOC", "COMMAND", "RELEASE", "VST", "NE_OK", "ANSWER", "LATE"};
  return (unsigned)k < sizeof(names) / sizeof(names[0]) ? names[k] : "?";
}

/* ---- the walk ---- */

typedef struct {
  const unsigned *lost;
  size_t nlost;
  rm_walk_result *out;
  /* RSE */
  bool have_s, s_got;
  unsigned char s;
  /* OBE */
  bool have_sent;
  unsigned char sent_s;
  rm_frame_kind last; /* what it sent in that allocation */
  bool has_cmd;       /* it has executed the current command */
} walk;

/* Puts a frame on the air; true when it is lost. */
static bool put(walk *w, rm_frame_kind kind, unsigned char s, unsigned char n, double bits) {
  rm_frame *f;
  bool lost = false;
  for (size_t i = 0; i < w->nlost; i++) lost |= w->lost[i] == w->out->n;
  if (w->out->n >= RM_WALK_MAX) {
    w->out->unmodelled = true;
    return true;
  }
  f = &w->out->f[w->out->n++];
  f->kind = kind;
  f->s = s;
  f->n = n;
  f->lost = lost;
  f->bits = bits;
  return lost;
}

static unsigned char next_s(walk *w) {
  if (!w->have_s) {
    w->have_s = true;
    w->s = 0;
  } else if (w->s_got) {
    w->s ^= 1;
  }
  w->s_got = false;
  return w->s;
}

/* The allocation repeats the S of the last one the OBE transmitted in: that frame again. */
static bool repeats(const walk *w, unsigned char s) { return w->have_sent && s == w->sent_s; }

/* The OBE sends kind in the window of an allocation with S s: 0 intact, 2 corrupted. */
static int window(walk *w, unsigned char s, rm_frame_kind kind, double bits_up) {
  bool lost = put(w, kind, 0, 0, bits_up);
  w->have_sent = true;
  w->sent_s = s;
  w->last = kind;
  if (lost) return 2;
  w->s_got = true;
  return 0;
}

/* One exchange: a command's phase A (the command and the answer in its window), then, for
 * a VST or a late answer, phase B (allocations until the frame comes intact). false when
 * the RSE gave up or the walk left the rules' reach. */
static bool walk_phase(walk *w, const rm_phase *ph, unsigned char n, unsigned max, int policy) {
  unsigned k = 0;
  bool vst = ph->kind == RM_PHASE_VST;
  if (!vst) {
    bool send_command = true;
    w->has_cmd = false;
    for (;;) {
      unsigned char s = next_s(w);
      int got = 1; /* 1: empty window */
      if (send_command) {
        if (!put(w, RM_F_COMMAND, s, n, ph->bits_down)) {
          bool first = !w->has_cmd;
          w->has_cmd = true;
          /* A repeat reaching an OBE that did not transmit in its window: whether it
           * answers at once or NE_OK would depend on timing. The rules never lead here. */
          if (!first && !repeats(w, s)) {
            w->out->unmodelled = true;
            return false;
          }
          got = window(w, s, first ? (ph->late ? RM_F_NE_OK : RM_F_ANSWER) : w->last, ph->bits_up);
        }
      } else if (!put(w, RM_F_ALLOC, s, 0, ph->bits_alloc) && w->has_cmd) {
        /* An OBE without the command has nothing for a plain allocation: empty. */
        if (!repeats(w, s)) {
          w->out->unmodelled = true;
          return false;
        }
        got = window(w, s, w->last, ph->bits_up);
      }
      if (got == 0) break;
      w->out->retries++;
      if (++k > max) return false;
      send_command = policy == RM_REALLOC_FIRST ? k != 1 : got == 1;
    }
    if (!ph->late) return true;
    /* The OBE now asks for a window in a public one (no retry) when its answer is ready. */
  }
  for (;;) {
    unsigned char s = next_s(w);
    int got = 1;
    if (!put(w, RM_F_ALLOC, s, 0, vst ? ph->bits_down : ph->bits_alloc))
      got = window(w, s, repeats(w, s) ? w->last : vst ? RM_F_VST : RM_F_LATE, vst ? ph->bits_up : ph->bits_late);
    if (got == 0) return true;
    w->out->retries++;
    if (++k > max) return false;
  }
}

int rm_walk(const rm_transaction *t, unsigned max_retries, int policy, const unsigned *lost, size_t nlost,
            rm_walk_result *out) {
  walk w;
  unsigned char n = 0;
  if (!t || !out || t->nphases == 0 || t->nphases > RM_PHASES_MAX || max_retries > RM_RETRIES_MAX ||
      (policy != RM_BY_WINDOW && policy != RM_REALLOC_FIRST) || (nlost && !lost))
    return -1;
  memset(out, 0, sizeof(*out));
  memset(&w, 0, sizeof(w));
  w.lost = lost;
  w.nlost = nlost;
  w.out = out;
  for (unsigned i = 0; i < t->nphases; i++) {
    if (t->phase[i].kind == RM_PHASE_COMMAND) n ^= 1; /* a new command, a new n: the first is AC1 */
    if (!walk_phase(&w, &t->phase[i], n, max_retries, policy)) {
      out->failed = !out->unmodelled;
      break;
    }
  }
  /* RELEASE, after the last exchange or when the RSE gives up. */
  if (!out->unmodelled) put(&w, RM_F_RELEASE, 0, 0, t->bits_release);
  return 0;
}
