/* The RSE: a sans-I/O transaction engine and MAC scheduler over the dsrc codec. The driver
 * asks it what to transmit next (rse_next), tells it what each uplink window brought
 * (rse_on_window), hears what happened through the callbacks it gave rse_new, and collects
 * finished passages (rse_passage_pop). Time is passed in; the RSE never reads a clock, never
 * does I/O, and draws randomness from the dsrc_rng it is given. docs/timing-model.md
 * describes the schedule. */
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

#define RSE_SESSIONS_MAX 32 /* sessions at once, and finished passages kept for the driver */

enum rse_err {
  RSE_ERR_ARG = -401,
  RSE_ERR_FULL = -402,  /* no free session slot */
  RSE_ERR_NOMEM = -403,
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

/* What a session is on: the start that fetches the OBE's VST, or the application command
 * (docs/profiles.md) whose answer it waits for. */
typedef enum {
  RSE_CMD_NONE = 0,            /* no session: never reported by the RSE, a driver's "not yet" */
  RSE_CMD_VST = 1,             /* the allocation in whose window the OBE sends its VST */
  RSE_CMD_GET_SECURE = 2,      /* AutoPASS */
  RSE_CMD_GET_STAMPED_TSP = 3, /* EN 15509: GET_STAMPED with keyref_tsp (MAC_TSP) */
  RSE_CMD_GET_STAMPED_TC = 4,  /* and with keyref_tc (MAC_TC) */
  RSE_CMD_GET = 5,
  RSE_CMD_SET = 6,
  RSE_CMD_SET_MMI = 7,
  RSE_CMD_RELEASE = 8,
  RSE_CMD_COUNT = 9
} rse_cmd;
/* "none", "VST", "GET_SECURE", "GET_STAMPED_TSP", "GET_STAMPED_TC", "GET", "SET",
 * "SET_MMI", "RELEASE"; "unknown" out of range. */
const char *rse_cmd_name(int cmd);

/* Why the RSE gave up on a session (RSE_OUT_FAILED). */
typedef enum {
  RSE_FAIL_NONE = 0,    /* it did not (RSE_OUT_DONE) */
  /* The private windows of one command (its own, and those fetching its late answer) or of
   * the VST missed their answer max_retries + 1 times (an NE_OK between does not reset the
   * count). */
  RSE_FAIL_RETRIES = 1,
  /* No progress (no answer, NE_OK or late-answer request) for session_timeout_ns: in
   * practice a late answer the OBE never asked to deliver. */
  RSE_FAIL_TIMEOUT = 2,
  RSE_FAIL_COUNT = 3
} rse_fail;
/* "none", "retries", "timeout"; "unknown" out of range. */
const char *rse_fail_name(int fail);

/* What a private window brought instead of the answer the RSE waited for. */
typedef enum {
  RSE_MISS_NONE = 0,
  RSE_MISS_EMPTY = 1,     /* no preamble: the OBE sent nothing (it missed the frame, or left) */
  RSE_MISS_CORRUPTED = 2, /* a frame that failed (FCS, collision, decoding), or another LID's */
  RSE_MISS_WRONG = 3,     /* an intact frame of the OBE that does not answer what was asked */
  RSE_MISS_LATE = 4,      /* NE_OK: accepted, the answer comes later (late-response procedure) */
  RSE_MISS_COUNT = 5
} rse_miss;
/* "none", "empty", "corrupted", "wrong", "late"; "unknown" out of range. */
const char *rse_miss_name(int miss);

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
  rse_fail fail;          /* why it failed; RSE_FAIL_NONE when done */
  rse_cmd command;        /* done: RELEASE; failed: what the session was on when it ended */
  rse_miss miss;          /* the last window that missed its answer (RSE_MISS_NONE: none) */
} rse_passage;

/* An RSE, opaque to drivers: one per lane, made by rse_new for the lane's whole run, so the
 * allocation costs nothing on the simulator's path. */
typedef struct rse_engine rse_engine;

/* What the RSE reports as it happens, so that no driver need read frames or engine fields to
 * learn it (docs/timing-model.md, "Engine events"). Each callback may be NULL; user is the
 * pointer given to rse_new. A callback runs inside the rse_next or rse_on_window call that
 * caused it and must not call either. */

/* A window request from the OBE with private LID lid opened a session in the window
 * rse_on_window reported at t: the passage starts (its t_start). */
typedef void (*rse_session_opened)(rse_engine *r, uint32_t lid, uint64_t t, void *user);

/* The session of p->lid ended and its passage p is done (valid during the call; the same
 * record waits for rse_passage_pop). p->outcome RSE_OUT_DONE: raised by the rse_next whose
 * step carries the session's RELEASE, so that frame's end on the air is the transaction's
 * end. RSE_OUT_FAILED: the RSE gave up at p->t_end. */
typedef void (*rse_session_closed)(rse_engine *r, const rse_passage *p, void *user);

/* A frame to the session of lid went out at t, in the rse_next whose step carries it:
 * cmd is what the session is on (never RSE_CMD_NONE). allocation: the frame only allocates
 * a window, in which the OBE sends what it already has for cmd (its VST, a late answer, an
 * answer heard corrupted); false: the command itself (or RELEASE). attempt: the retries of
 * cmd before this frame (0: none). RELEASEs repeated to a LID given up on, whose session has
 * closed, raise nothing. */
typedef void (*rse_command_sent)(rse_engine *r, uint32_t lid, rse_cmd cmd, bool allocation, unsigned attempt,
                                 uint64_t t, void *user);

/* The private window of lid's session, reported by rse_on_window at t, did not bring the
 * answer to cmd: why says what it brought. RSE_MISS_LATE is no retry (the OBE took the
 * command); the others are, and when they exhaust max_retries, session_closed follows
 * with RSE_FAIL_RETRIES in the same call. */
typedef void (*rse_answer_missed)(rse_engine *r, uint32_t lid, rse_cmd cmd, rse_miss why, uint64_t t,
                                  void *user);

/* New members go at the end; drivers initialise it by member names (.session_closed = f), so
 * that a member added does not disturb them. */
typedef struct {
  rse_session_opened session_opened;
  rse_session_closed session_closed;
  rse_command_sent command_sent;
  rse_answer_missed answer_missed;
} rse_callbacks;

/* A new RSE in *pr on cfg (which it keeps a pointer to), crypto and rng; callbacks NULL:
 * none, else they are copied. 0, or RSE_ERR_ARG / RSE_ERR_NOMEM. */
int rse_new(rse_engine **pr, const rse_config *cfg, dsrc_crypto *crypto, dsrc_rng rng,
            const rse_callbacks *callbacks, void *user);
/* Frees r (NULL: nothing). */
void rse_del(rse_engine *r);

/* The configuration r runs on. */
const rse_config *rse_config_get(const rse_engine *r);

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
unsigned rse_passages_done(const rse_engine *r);

/* Sessions not yet finished. */
unsigned rse_sessions_open(const rse_engine *r);

/* Opens at most n more sessions (default: no limit); window requests beyond it go
 * unanswered, so a run of N passages ends with no transaction cut short. */
void rse_admit_limit(rse_engine *r, uint64_t n);

/* Nothing happens before t: move the BST schedule on (keeping its phase) without sending. */
void rse_skip_to(rse_engine *r, uint64_t t);

#endif
