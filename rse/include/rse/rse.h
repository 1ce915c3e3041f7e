/* The RSE: a sans-I/O transaction engine and MAC scheduler over the dsrc codec. The driver
 * asks it what to transmit next (rse_next), tells it what each uplink window brought
 * (rse_on_window), and collects finished passages (rse_passage_pop). Time is passed in; the
 * RSE never reads a clock, never does I/O, and draws randomness from the dsrc_rng it is
 * given. docs/timing-model.md describes the schedule. */
#ifndef RSE_RSE_H
#define RSE_RSE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "dsrc/crypto.h"
#include "dsrc/frame.h"
#include "dsrc/rng.h"
#include "keymgmt/keymgmt.h"
#include "efc/claim.h"
#include "efc/statuslist.h"

#define RSE_SESSIONS_MAX 32
#define RSE_RX_SLOTS 16
#define RSE_STEPS_MAX 8
#define RSE_CLOSED_MAX 8

enum rse_err {
  RSE_ERR_ARG = -401,
  RSE_ERR_FULL = -402, /* no free session slot */
};
const char *rse_strerror(int err);

/* What the RSE does when a private window brings no valid answer to a command
 * (docs/timing-model.md, "Retries"). */
enum rse_retry_policy {
  /* An empty window (no preamble: the OBE sent nothing, so it never got the command)
   * repeats the command at once; a corrupted answer (preamble heard, FCS bad) is fetched
   * again by a re-allocation with the same S bit. */
  RSE_RETRY_BY_WINDOW = 0,
  /* The first retry of a command re-allocates, later ones repeat the command, whatever
   * the window brought (efcsim before 2026-12-07). */
  RSE_RETRY_REALLOC_FIRST = 1,
  RSE_RETRY_COUNT = 2
};
/* "by-window", "realloc-first"; -1 if unknown. */
int rse_retry_policy_parse(const char *name);
const char *rse_retry_policy_name(int policy);

typedef struct {
  /* timing (docs/timing-model.md, "Default parameters") */
  uint64_t bst_period_ns;     /* a BST at least this often, sessions or not: 2 ms */
  uint8_t public_windows;     /* public uplink windows after each BST: 3 */
  uint64_t public_window_ns;  /* length of one public window */
  uint64_t gap_du_ns;         /* end of downlink to start of its uplink window: 100 us */
  uint64_t gap_ud_ns;         /* end of uplink to the next downlink: 200 us */
  uint64_t empty_window_ns;   /* a private window with no preamble is given up after this */
  uint8_t max_retries;        /* per command: 3 */
  uint8_t retry_policy;       /* enum rse_retry_policy: by-window */
  uint64_t session_timeout_ns; /* a session with no progress for this long fails */
  uint32_t crypto_ns_per_block; /* RSE processing per cipher block: 2 us */

  /* identity */
  dsrc_beacon_id beacon;
  uint16_t station;
  uint8_t lane;
  int64_t epoch_cs;           /* unix time in centiseconds at t = 0 */

  /* transactions: the profiles it runs, in order of preference */
  uint8_t profiles[EFC_PROFILE_COUNT];
  uint8_t nprofiles;
  bool autopass_set_mmi;      /* optional SET_MMI after GET_SECURE: off */
  bool en15509_get;           /* GET of vehicle data: on */
  bool en15509_set;           /* SET of the transaction counter: on */
  bool en15509_set_mmi;       /* SET_MMI: on */
  dsrc_attr_ids stamped_ids;  /* GET_STAMPED attributes: {24, 26, 32} */
  dsrc_attr_ids vehicle_ids;  /* GET attributes: {16, 17, 18, 19, 20, 22} */
  uint8_t keyref_tsp;         /* GET_STAMPED key for MAC_TSP: 5 */
  uint8_t keyref_tc;          /* and for MAC_TC: 1 */
  uint8_t nonce_mode;         /* enum efc_nonce_mode */
  bool verify_at_lane;        /* check MAC2 / MAC_TC: on */

  const keymgmt_operator_keys *keys; /* NULL: no lane verification possible */
  const efc_status_list *status; /* NULL: none */
} rse_config;

/* The defaults of docs/timing-model.md, profile list {autopass, en15509-l1,
 * en15509-l0, aes}. */
void rse_config_default(rse_config *cfg);

/* What the RSE does next. */
typedef struct {
  uint8_t frame[DSRC_FRAME_MAX];
  size_t len;          /* 0: nothing to send before idle_until */
  uint8_t windows;     /* uplink windows after the frame */
  bool public_windows; /* true: BST public windows; false: one private window */
  uint32_t lid;        /* the private window's owner */
  uint64_t idle_until;
  bool is_bst;
} rse_step;

typedef enum {
  RSE_OUT_DONE = 0,       /* RELEASE sent */
  RSE_OUT_FAILED = 1,     /* gave up: retries exhausted or no progress */
} rse_outcome;

/* A finished passage: the claim plus what the timing model reports. */
typedef struct {
  uint32_t lid;
  rse_outcome outcome;
  efc_claim claim;
  uint64_t t_start;       /* the OBE's first window request */
  uint64_t t_end;         /* RELEASE (or the failure) */
  uint32_t frames_down, frames_up, octets_down, octets_up;
  uint32_t retries, late_responses;
  uint32_t steps_done;
  uint64_t rse_processing_ns;
  char sequence[256];     /* message sequence, e.g. "VST GET_SECURE.rq GET_SECURE.rs RELEASE" */
} rse_passage;

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

typedef struct {
  const rse_config *cfg;
  dsrc_crypto *crypto;
  dsrc_rng rng;

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

  /* Short uplink frames (9-24 octets) decoded lately, by their octets: an OBE sends the
   * same window request, and the same "not yet" answer for each n bit, several times a
   * passage. */
  struct {
    dsrc_frame_key key;
    uint8_t lsdu_at;  /* f.lsdu's offset in the frame (f.lsdu itself is not kept) */
    dsrc_frame f;
  } rx[RSE_RX_SLOTS];
} rse_engine;

int rse_init(rse_engine *r, const rse_config *cfg, dsrc_crypto *crypto, dsrc_rng rng);

/* What to send at time now (the medium is free). */
void rse_next(rse_engine *r, uint64_t now, rse_step *step);

/* Window w of the last step's windows, at time t: the frame received in it (len 0:
 * silence; corrupted: a frame failed on the air or collided). Returns the RSE processing
 * time (ns) its handling costs before the next downlink. Silence in a BST's public window
 * changes nothing, and a driver need not report it. */
uint64_t rse_on_window(rse_engine *r, uint64_t t, unsigned w, const uint8_t *frame, size_t len,
                       bool corrupted);

/* Takes the oldest finished passage; false when there is none. */
bool rse_passage_pop(rse_engine *r, rse_passage *out);

/* Finished passages not yet taken. */
static inline unsigned rse_passages_done(const rse_engine *r) { return r->ndone; }

/* Sessions not yet finished. */
unsigned rse_sessions_open(const rse_engine *r);

/* Opens at most n more sessions (default: no limit); window requests beyond it go
 * unanswered, so a run of N passages ends with no transaction cut short. */
void rse_admit_limit(rse_engine *r, uint64_t n);

/* Nothing happens before t: move the BST schedule on (keeping its phase) without sending. */
void rse_skip_to(rse_engine *r, uint64_t t);

#endif
