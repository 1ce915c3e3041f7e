/* Internal: the RSE engine's state, and the transaction half of the RSE (txn.c), called by
 * the scheduler (rse.c). Drivers see rse_engine as an opaque type (rse/rse.h). */
#ifndef RSE_INTERNAL_H
#define RSE_INTERNAL_H

#include "rse/rse.h"

#define RSE_RX_SLOTS 16
#define RSE_RX_OCTETS 24 /* the longest frame the decode cache keeps */
#define RSE_STEPS_MAX 8
#define RSE_CLOSED_MAX 8

typedef enum {
  RSE_S_FREE,
  RSE_S_INIT,    /* window requested; VST expected in the allocated window */
  RSE_S_ACTIVE,  /* commands */
  RSE_S_LATE,    /* NE_OK received: the OBE will request a window when its answer is ready */
} rse_session_state;

/* An allocation carries the session's S bit: toggled when the last allocated window
 * brought an intact frame, the same when the RSE wants that frame again. */
typedef enum { RSE_A_NONE, RSE_A_ALLOC, RSE_A_COMMAND, RSE_A_RELEASE } rse_action;
typedef enum { RSE_E_NONE, RSE_E_VST, RSE_E_RESPONSE, RSE_E_LATE } rse_expect;

typedef enum {
  RSE_STEP_GET_SECURE,
  RSE_STEP_GET_STAMPED_TSP,
  RSE_STEP_GET_STAMPED_TC,
  RSE_STEP_GET,
  RSE_STEP_SET,
  RSE_STEP_SET_MMI,
  RSE_STEP_RELEASE
} rse_step_kind;

typedef struct {
  rse_session_state state;
  uint32_t lid;
  rse_action action;
  rse_expect expect;
  uint8_t s;             /* MAC S bit of the last allocation */
  uint8_t n;             /* LLC n bit of the current command */
  bool have_s;
  bool s_got;            /* the last allocated window brought an intact frame */
  uint8_t pdu;           /* PDU number of the current command, 2..15 */
  uint8_t retries;
  uint64_t last_progress;

  int profile;
  uint8_t eid;
  uint8_t context_mark[6];
  uint8_t ac_cr_ref[2];
  uint8_t rnd_obe[4];
  bool have_ac_cr;
  uint8_t ac_cr[4];
  uint8_t steps[RSE_STEPS_MAX];
  uint8_t nsteps, step;
  uint8_t command[DSRC_FRAME_MAX]; /* the current command's LSDU */
  size_t command_len;
  bool lane_checked;
  uint16_t seq_len;      /* of out.sequence */
  /* The window allocation frames for S = 0 and 1 (length 0: not built yet): a session
   * sends one for every answer it waits for. */
  uint8_t alloc[2][16];
  uint8_t alloc_len[2];

  rse_passage out;
} rse_session;

/* A LID whose session the RSE gave up on: it gets RELEASE (again when it asks for a
 * window) instead of a new session, until the session timeout has passed. */
typedef struct {
  uint32_t lid;          /* 0: free (a private LID never is 0) */
  uint64_t until;
  uint8_t pdu;
  bool release;          /* a RELEASE is due */
} rse_closed;

struct rse_engine {
  const rse_config *cfg;
  dsrc_crypto *crypto;
  dsrc_rng rng;
  rse_callbacks cb;
  void *user;

  uint64_t next_bst;
  unsigned rr;                 /* round-robin position */
  rse_session sessions[RSE_SESSIONS_MAX];
  int window_session;          /* whose private window is open, or -1 */
  bool window_public;

  rse_closed closed[RSE_CLOSED_MAX];
  unsigned closed_next;        /* the entry the next give-up takes */
  unsigned releases_due;       /* entries with release set */

  /* finished passages, oldest first */
  rse_passage done[RSE_SESSIONS_MAX];
  unsigned ndone;

  uint64_t bsts;
  uint64_t processing_ns;      /* RSE crypto time owed before the next downlink */
  unsigned open;               /* sessions in use */
  uint32_t busy;               /* bit i: sessions[i] is in use (RSE_SESSIONS_MAX is 32) */
  uint64_t admit;              /* sessions it may still open (rse_admit_limit) */
  bool last_was_bst;           /* the last step was a BST: a private exchange goes next */

  /* The BST changes only when its time (seconds) does. */
  bool have_bst;
  uint32_t bst_time;
  uint8_t bst[DSRC_FRAME_MAX];
  size_t bst_len;

  /* Short uplink frames (3..RSE_RX_OCTETS octets) decoded lately, by their octets: an OBE
   * sends the same window request, and the same "not yet" answer for each n bit, several
   * times a passage. len 0: empty. */
  struct {
    uint8_t len;
    uint8_t lsdu_at;  /* f.lsdu's offset in the frame (f.lsdu itself is not kept) */
    uint8_t octets[RSE_RX_OCTETS];
    dsrc_frame f;
  } rx[RSE_RX_SLOTS];
};


/* Unix centiseconds at time t. */
static inline int64_t rse_time_cs(const rse_engine *r, uint64_t t) {
  return r->cfg->epoch_cs + (int64_t)(t / 10000000u);
}

/* Picks a profile for the OBE's VST and prepares the session's steps. 0, or -1 when the
 * RSE runs none of the OBE's profiles. */
int rse_txn_start(rse_engine *r, rse_session *s, const dsrc_vst *vst, uint64_t t);

/* Builds the command of the current step into s->command (new n bit and PDU number). */
int rse_txn_command(rse_engine *r, rse_session *s, uint64_t t);

/* Handles the answer LSDU to the current command; 0 when it was the answer (the session
 * moves on), -1 when it was not (the caller retries). */
int rse_txn_answer(rse_engine *r, rse_session *s, const uint8_t *lsdu, size_t len, uint64_t t);

/* Sets the claim's verdict, fee and class from what the session learned. */
void rse_txn_verdict(rse_engine *r, rse_session *s, bool complete);

/* Appends a message name to the passage's sequence. */
void rse_seq_add(rse_session *s, const char *name);

#endif
