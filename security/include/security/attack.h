/* The security evaluation's attacks (T1..T15 of docs/threat-list.md) and the harness they run on: a
 * lane in virtual time with the real OBE and RSE engines, the real issuer (efc_issuer: the
 * claims database, its analysis and the status list it writes, read back by the RSE's
 * loader) and real captures (efc_capture). Each threat is one function that mounts the
 * attack against one profile and measures where it was caught. docs/security-evaluation.md.
 *
 * Files: scenarios/attacks/tNN-*.yaml give each threat's parameters (attack_file.c reads
 * them); attack_world.c is the harness; attack_reader.c a scripted reader for the attacks
 * that talk to an OBE without an RSE engine (unauthorised readers, pre-play, replays of the
 * RSE side); attack_tNN.c the threats. */
#ifndef SECURITY_ATTACK_H
#define SECURITY_ATTACK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "issuer/issuer_verify.h"
#include "io/capture.h"
#include "obe/obe.h"
#include "efc/claim.h"
#include "rse/rse.h"
#include "efc/statuslist.h"
#include "air/lane.h"
#include "sim/world.h"

/* Where an attack was first caught. The order is the order of the defences: a passage
 * meets the lane check, then the issuer's check of its claim, then the status list at the
 * attacker's next passage. */
enum sec_detect {
  SEC_NOT_DETECTED = 0,
  SEC_AT_LANE,        /* the lane's verdict was not a plain pass (photograph or reject) */
  SEC_BY_ISSUER,      /* the lane passed it; the issuer flagged its claim */
  SEC_BY_STATUS_LIST, /* passed lane and issuer at first; the list stopped the next passage */
  SEC_FAILED,         /* the attack itself did not work: nothing gained, nothing to detect */
  SEC_DETECT_COUNT
};
/* "not detected", "lane", "issuer", "status list", "attack fails" */
const char *sec_detect_name(int d);

#define SEC_TEXT 200
#define SEC_EVIDENCE 512

typedef struct {
  int detected;              /* enum sec_detect */
  char gained[SEC_TEXT];     /* what the attacker obtained ("PAN, plate", "free passage", "-") */
  char evidence[SEC_EVIDENCE]; /* the measured facts behind the cell, one sentence */
  unsigned passages;         /* attack passages (or attempts) run */
  unsigned wrong_charges;    /* charges made to someone who did not pass, or at a wrong fee */
  unsigned lost_charges;     /* passages that could not be charged to anyone */
} sec_outcome;

/* One attack file (scenarios/attacks/tNN-*.yaml): the threat and its parameters. Fields a
 * threat does not use keep their defaults. */
typedef struct {
  char threat[8];            /* "T7" */
  char title[96];
  char attacker[64];
  uint64_t seed;             /* default 1 */
  unsigned passages;         /* attack passages, default 3 */
  double ber;                /* T14: bit error rate on the air, default 0 */
  bool rogue_beacon;         /* T14: a second beacon in the zone */
  int nonce_mode;            /* T8: the RSE's nonces (enum efc_nonce_mode), default commit */
  int counter_back;          /* T10: how far the operator sets the counter back, default 5 */
  uint32_t fee_change;       /* T11: fee an altered claim says, default 100 */
  double keysearch_seconds;  /* T12: measurement time per cipher, default 2 */
} sec_params;

void sec_params_default(sec_params *p);
/* Reads an attack file. 0, or -1 with err naming the file, line and field. */
int sec_params_load(sec_params *p, const char *path, char *err, size_t errlen);

#define SEC_CLAIMS_MAX 64
#define SEC_OBES_MAX 8

/* An OBE with its own persistent state and engine. */
typedef struct {
  keymgmt_obe_profile prof;
  obe_state st;
  obe_engine o;
} sec_obe;

/* The world of one attack against one profile. */
typedef struct {
  int profile;
  dsrc_crypto *crypto;
  sim_keys keys;             /* the issuer's master keys and the operator's subset */
  issuer_options iopt;       /* the issuer's checks: the report can switch MAC checks off */
  rse_config rcfg;           /* the lane's RSE (change, then sec_world_rse_reset) */
  obe_config ocfg;
  dsrc_prng prng, errors;
  rse_engine *r;
  air_lane l;
  efc_status_list status;    /* what the RSE consults (sec_world_status_refresh) */
  char dir[256];             /* a private directory for the run's files, removed at free */
  efc_claim claims[SEC_CLAIMS_MAX]; /* every claim the lane made, in order */
  unsigned nclaims;
  io_cap_writer *cap;           /* when set, every frame on the lane is captured */
  unsigned cap_frames;
  char cap_err[320];            /* the capture's first failed write ("" none) */
} sec_world;

/* A world for profile with the master keys of seed; iopt NULL: the issuer's defaults.
 * The lane's RSE runs that profile only, with the operator's keys, commitment nonces,
 * station 1052. 0 or -1 with err. */
int sec_world_init(sec_world *w, int profile, uint64_t seed, const issuer_options *iopt, char *err,
                   size_t errlen);
void sec_world_free(sec_world *w);

/* After a change to w->rcfg: a fresh RSE engine (and lane) on it, the clock kept. 0, or -1
 * (out of memory) with the RSE as it was. */
int sec_world_rse_reset(sec_world *w);

/* A genuine OBE number id for w's profile (all four profiles personalised, as a real
 * multi-contract OBE). keys NULL: the issuer's; else another key set (a forgery). */
int sec_obe_make(sec_world *w, sec_obe *a, uint32_t id, const sim_keys *keys);
/* A genuine OBE number id with one contract, for w's profile (its application is eid 1). */
int sec_obe_make_single(sec_world *w, sec_obe *a, uint32_t id);
/* The T3 clone: OBE id built from the operator's key subset alone. */
int sec_obe_make_operator_clone(sec_world *w, sec_obe *a, uint32_t id);

/* What one passage did at the lane. */
typedef struct {
  bool done;                 /* the RSE finished the session (RELEASE sent) */
  int verdict;               /* enum efc_verdict */
  unsigned reasons;          /* enum efc_reason bits */
  int claim;                 /* index into w->claims, or -1 (no claim: the session failed) */
  char sequence[256];
} sec_passage;

/* One passage of a through the lane (it enters asleep; afterwards the clock moves on five
 * minutes, as a vehicle's next passage would). Its claim, if any, is appended to
 * w->claims. */
int sec_pass(sec_world *w, sec_obe *a, sec_passage *out);

/* A passage whose uplinks come from fn (a replayer, a relay): for each window of each
 * downlink fn may write one frame. down is the downlink frame (corrupted frames are not
 * given). Ends when the RSE reports the passage or after 2 s of lane time. */
typedef size_t (*sec_uplink_fn)(void *ctx, uint64_t t, const uint8_t *down, size_t down_len, unsigned w,
                                uint64_t window_start, uint8_t *out, size_t cap);
int sec_pass_driven(sec_world *w, sec_uplink_fn fn, void *ctx, sec_passage *out);

/* The issuer on every claim in w->claims (written as the RSE writes them, loaded, verified
 * with w->iopt, analysed across claims): flags[i] gets claim i's verify flags (enum
 * issuer_flag) and seq[i] its sequence flags (enum issuer_seq_flag). 0 or -1 with err. */
int sec_issuer_run(sec_world *w, unsigned *flags, unsigned *seq, char *err, size_t errlen);

/* The issuer's status list from the same database, written to a file and loaded into
 * w->status (the RSE's loader), which the lane's RSE then consults. Returns the number of
 * entries, or -1 with err. */
int sec_world_status_refresh(sec_world *w, char *err, size_t errlen);

/* An OBE's passages through all the defences: a passage, the issuer on every claim so far,
 * the status list refreshed, the next passage; what caught it first. */
typedef struct {
  unsigned passages;         /* run */
  unsigned lane_caught;      /* passages whose lane verdict was not a plain pass */
  unsigned first_reasons;    /* the first passage's lane reasons (enum efc_reason) */
  unsigned claims;           /* claims the lane made for it */
  unsigned issuer_flagged;   /* of those, flagged by the issuer (verify or sequence flags) */
  unsigned flags, seq;       /* the union of its claims' issuer flags */
  unsigned listed;           /* passages the status list caught (reason status-list) */
  unsigned unpaid;           /* passed the lane (no photograph) but the issuer voided the claim */
  int detected;              /* enum sec_detect: the first defence that caught it */
  char text[SEC_TEXT];       /* "lane: photograph (mac) 3/3; issuer: bad-mac 3/3; list: ..." */
} sec_track;

/* Runs n passages of a (n >= 1) with the issuer and the status list after each. 0 or -1
 * with err. */
int sec_track_obe(sec_world *w, sec_obe *a, unsigned n, sec_track *t, char *err, size_t errlen);

/* Starts capturing every frame on w's lane into w->dir/name; the path goes to path. */
int sec_world_capture(sec_world *w, const char *name, char *path, size_t cap, char *err, size_t errlen);
/* Ends the capture: 0 once it is complete under its name, -1 with err when a frame could not
 * be written or the file not completed (no file then). No capture: 0. */
int sec_world_capture_stop(sec_world *w, char *err, size_t errlen);
/* Ends a capture of a run that failed: nothing is kept. */
void sec_world_capture_abort(sec_world *w);

/* ---- a scripted reader: an RSE of the attacker's own, talking to one OBE engine ---- */

typedef struct {
  sec_world *w;
  obe_engine *o;
  uint64_t now;
  uint32_t lid;
  uint8_t n;                 /* LLC n of the last command */
  uint8_t s;                 /* MAC S of the last allocating downlink */
  uint8_t pdu;               /* PDU number of the last command */
  dsrc_beacon_id beacon;
  dsrc_tapdu vst;            /* the OBE's VST */
  bool open;
} sec_reader;

/* Wakes o with a BST from beacon (NULL: the lane's beacon), takes its window request and
 * its VST. 0, or -1 when the OBE did not answer. */
int sec_reader_open(sec_reader *r, sec_world *w, obe_engine *o, const dsrc_beacon_id *beacon);
/* Sends one command T-APDU (eid and content as given) and waits for its answer, late
 * answers included. 0 with *answer decoded, -1 when none came. */
int sec_reader_ask(sec_reader *r, const dsrc_tapdu *cmd, dsrc_tapdu *answer);
/* Sends raw LSDU content verbatim (a replayed command): same as sec_reader_ask. */
int sec_reader_ask_raw(sec_reader *r, const uint8_t *lsdu, size_t len, dsrc_tapdu *answer);
/* RELEASE; the lane's clock then moves five minutes past the reader's session. */
void sec_reader_close(sec_reader *r);

/* ---- the threats ---- */

typedef int (*sec_fn)(sec_world *w, const sec_params *p, sec_outcome *out);

typedef struct {
  const char *id;            /* "T1" */
  const char *title;
  sec_fn run;
} sec_threat;

/* T1..T15 in order. */
const sec_threat *sec_threat_find(const char *id);
size_t sec_threat_count(void);
const sec_threat *sec_threat_at(size_t i);

/* Runs threat p->threat against profile in a fresh world. iopt NULL: issuer defaults. */
int sec_run(const sec_params *p, int profile, const issuer_options *iopt, sec_outcome *out, char *err,
            size_t errlen);

/* The outcome helpers every threat uses. sec_text_put: printf into out, cut to cap (a cut
 * evidence text is better than none). */
void sec_outcome_set(sec_outcome *o, int detected, const char *gained, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
void sec_text_put(char *out, size_t cap, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

/* The threat functions (attack_tNN.c). */
int sec_t01_impersonation(sec_world *w, const sec_params *p, sec_outcome *out);
int sec_t02_clone_wrong_keys(sec_world *w, const sec_params *p, sec_outcome *out);
int sec_t03_clone_operator_keys(sec_world *w, const sec_params *p, sec_outcome *out);
int sec_t04_tampering(sec_world *w, const sec_params *p, sec_outcome *out);
int sec_t05_denial(sec_world *w, const sec_params *p, sec_outcome *out);
int sec_t06_eavesdropping(sec_world *w, const sec_params *p, sec_outcome *out);
int sec_t07_replay(sec_world *w, const sec_params *p, sec_outcome *out);
int sec_t08_preplay(sec_world *w, const sec_params *p, sec_outcome *out);
int sec_t09_unauthorised_reader(sec_world *w, const sec_params *p, sec_outcome *out);
int sec_t10_counter_manipulation(sec_world *w, const sec_params *p, sec_outcome *out);
int sec_t11_claim_manipulation(sec_world *w, const sec_params *p, sec_outcome *out);
int sec_t12_key_search(sec_world *w, const sec_params *p, sec_outcome *out);
int sec_t13_generation_compromise(sec_world *w, const sec_params *p, sec_outcome *out);
int sec_t14_jamming(sec_world *w, const sec_params *p, sec_outcome *out);
int sec_t15_fake_passages(sec_world *w, const sec_params *p, sec_outcome *out);

#endif
