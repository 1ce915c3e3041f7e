/* The OBE: a sans-I/O state machine over the dsrc codec. A driver (the simulator, the UDP
 * daemon, a test) hands it downlink frames with the time they ended, asks it, when each
 * uplink window opens, what it transmits, and hears what happened through the callbacks it
 * gave obe_init. It never reads a clock, never does I/O and draws randomness only from the
 * dsrc_rng it is given.
 *
 * Persistent state (transaction counters, the passage log) lives in an obe_state the
 * caller owns. When the state_changed callback says so, the caller must make the state
 * durable before the next window: a counter the OBE reveals is then never lost. A caller
 * that cannot must open no window of that OBE again (efc-obe silences it). */
#ifndef OBE_OBE_H
#define OBE_OBE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "dsrc/crypto.h"
#include "dsrc/efc.h"
#include "dsrc/frame.h"
#include "dsrc/rng.h"
#include "keymgmt/keymgmt.h"

#define OBE_LOG_MAX 100 /* AutoPASS: the last 100 passages */

/* Errors, disjoint from the dsrc (-1..) and crypto (-101..) codes. */
enum obe_err {
  OBE_ERR_ARG = -301,
  OBE_ERR_STATE = -302,   /* persistent state malformed */
  OBE_ERR_PROFILE = -303, /* the OBE profile supports no profile */
};
const char *obe_strerror(int err);

/* Processing costs of an OBE microcontroller class (nanoseconds). */
typedef struct {
  uint32_t base_ns; /* per command */
  uint32_t des_ns;  /* per single-DES block */
  uint32_t tdes_ns; /* per triple-DES block */
  uint32_t aes_ns;  /* per AES block */
} obe_mcu;

/* docs/timing-model.md, "Default parameters": "legacy" 1990s 8/16-bit OBE, "modern" Cortex-M with a
 * crypto engine (AES on legacy: not available, costed at 3DES rate x 2, see docs). */
extern const obe_mcu obe_mcu_legacy;
extern const obe_mcu obe_mcu_modern;

typedef struct {
  obe_mcu mcu;
  uint64_t start_ns;               /* wake-up to operational after a long frame: 5 ms */
  uint8_t public_windows;          /* after each BST: 3 */
  uint64_t link_timeout_ns;        /* session dropped after this long with no frame to its LID: 1 s */
  uint64_t refuse_after_release_ns; /* a new beacon is refused this long after RELEASE */
  uint16_t equipment_class;        /* ObeConfiguration */
  uint16_t manufacturer_id;
  uint16_t obe_status;
  uint8_t bst_profile;             /* the DSRC profile it supports (0) */
} obe_config;

void obe_config_default(obe_config *cfg);

/* A passage in the AutoPASS log. */
typedef struct {
  uint32_t time;    /* T of the transaction (centiseconds mod 2^32) */
  uint32_t station; /* the beacon's individualid */
} obe_log_entry;

/* What survives power-off. The caller owns it and stores it (obe_state_encode). */
typedef struct {
  uint16_t autopass_tc;   /* the OBE's own counter, incremented by every GET_SECURE */
  uint16_t equipment_status; /* EN 15509 attr 26: 4 bits local use + 12-bit counter */
  uint8_t efcstatus;      /* bit 0 moved/removed, bit 1 battery low */
  uint8_t log_len;        /* entries in log, newest at (log_head - 1) */
  uint8_t log_head;
  obe_log_entry log[OBE_LOG_MAX];
} obe_state;

/* The counters of a profile at personalisation. */
void obe_state_init(obe_state *st, const keymgmt_obe_profile *prof);
/* A versioned, checksummed binary form for files; returns octets or a negative error. */
#define OBE_STATE_ENCODED_MAX (16 + OBE_LOG_MAX * 8)
int obe_state_encode(uint8_t *out, size_t cap, const obe_state *st);
int obe_state_decode(obe_state *st, const uint8_t *in, size_t len);
/* Adds a passage to the log (the ring keeps the newest OBE_LOG_MAX). */
void obe_state_log(obe_state *st, uint32_t time, uint32_t station);

/* Counters of what the OBE did, for tests and the timing model. */
typedef struct {
  uint32_t frames_rx, frames_tx, frames_ignored;
  uint32_t commands, repeats_answered, resends, late_responses, access_denied;
  uint32_t sessions;
  dsrc_crypto_counters crypto; /* block operations this OBE performed */
  uint64_t processing_ns;     /* modelled processing time, summed */
} obe_stats;

typedef enum {
  OBE_ASLEEP,
  OBE_WAKING,
  OBE_IDLE,      /* awake, no session */
  OBE_INIT,      /* window requested for its VST */
  OBE_SESSION,
  OBE_RELEASED
} obe_power;

typedef struct obe_engine obe_engine;

/* What the OBE reports as it happens, so that no driver need read engine fields to learn it
 * (docs/timing-model.md, "Engine events"). Each callback may be NULL; user is the pointer
 * given to obe_init; t is the time of the obe_on_downlink or obe_on_window call that raised
 * it, and the callback must not call either. obe_init and obe_sleep, the driver's own doing,
 * raise none. */

/* The power state changed to power. */
typedef void (*obe_power_changed)(obe_engine *o, obe_power power, uint64_t t, void *user);

/* The OBE answered beacon with a new private LID lid: a session opened (power OBE_INIT; its
 * window request follows). */
typedef void (*obe_session_opened)(obe_engine *o, uint32_t lid, const dsrc_beacon_id *beacon, uint64_t t,
                                   void *user);

/* The session of LID lid with beacon ended: released by the RSE's RELEASE (power
 * OBE_RELEASED), or else dropped (link timeout, another beacon). */
typedef void (*obe_session_closed)(obe_engine *o, uint32_t lid, const dsrc_beacon_id *beacon, bool released,
                                   uint64_t t, void *user);

/* The persistent state changed: raised at the end of the obe_on_downlink that changed it,
 * before any window can reveal it. */
typedef void (*obe_state_changed)(obe_engine *o, uint64_t t, void *user);

typedef struct {
  obe_power_changed power_changed;
  obe_session_opened session_opened;
  obe_session_closed session_closed;
  obe_state_changed state_changed;
} obe_callbacks;

/* An uplink frame kept for reuse (len 0: none yet). */
typedef struct {
  uint8_t frame[16];
  uint8_t len;
  uint8_t llc;
  uint32_t lid;
} obe_kept;

/* An OBE. Its members, and obe_kept, are the engine's own: a driver uses the functions and
 * events here. The type stays complete, unlike the RSE's, because the simulator embeds an
 * OBE in every vehicle slot and the lane asks each OBE near the zone obe_public_window on
 * every BST: opaque, it would cost an allocation per vehicle and a call per OBE per BST
 * (docs/timing-model.md, "Engine events"). */
struct obe_engine {
  const obe_config *cfg;
  const keymgmt_obe_profile *prof;
  obe_state *st;
  dsrc_crypto *crypto;
  dsrc_rng rng;
  dsrc_rng window_rng;    /* the public-window choice's; rng unless obe_window_rng_set */
  obe_callbacks cb;
  void *user;

  obe_power power;
  uint64_t wake_at;
  uint64_t last_rx;       /* the last frame to its LID, or its session's start: BSTs do not
                           * keep a link alive, so a session the RSE left times out */
  uint64_t released_at;

  /* The beacon of the current or last session. */
  bool have_beacon;
  dsrc_beacon_id beacon;
  uint32_t beacon_time;
  bool beacon_done; /* that session ended with RELEASE */

  uint32_t lid;
  uint8_t rnd_obe[4];
  uint8_t ac_cr_des[4];  /* the session's AC_CR for the Level 1 application */
  uint8_t ac_cr_aes[4];  /* and for the AES application */
  bool have_ac_cr_des;
  bool have_ac_cr_aes;

  /* Windows allocated by the last downlink frame. */
  uint8_t windows;       /* public windows after a BST, or 1 private */
  bool private_window;
  int8_t public_choice;  /* the public window it requests in, or -1 */
  bool want_window;      /* request a private window at the next BST */
  enum { OBE_WANT_NONE, OBE_WANT_VST, OBE_WANT_LATE } want;

  /* MAC S bit (uplink windows) and LLC n bit (commands), kept apart as EN 12795 does. A
   * window request in a public window is not part of the S sequence. */
  uint8_t alloc_s;       /* S of the allocation just heard */
  bool resend;           /* it asks for the last frame sent in a private window again */
  bool have_sent_s;
  uint8_t sent_s;        /* S of the last allocation it transmitted in */
  uint8_t last_uplink[DSRC_FRAME_MAX]; /* and what it sent there */
  size_t last_uplink_len;
  bool have_n;
  uint8_t last_n;        /* n bit of the last executed command */
  uint8_t last_llc;      /* its LLC control octet */
  /* Frames that depend only on the LID and the LLC octet, built once and sent again while
   * both stay the same: its window request, and its "not yet, command accepted" answer for
   * each value of the n bit, which alternates from command to command (L0 and L1 answer
   * most commands with one first). */
  obe_kept wreq;
  obe_kept neok[2];

  /* The answer to the last command: LSDU (PDU headers + T-APDUs), when it is ready. */
  bool have_answer;      /* a command awaits its answer in a window */
  bool answer_empty;     /* the command needs no answer (RELEASE) */
  uint8_t answer[DSRC_FRAME_MAX];
  size_t answer_len;
  uint64_t answer_ready;
  bool answer_late;      /* NE_OK sent; deliver through the late-response procedure */
  bool stored;           /* answer kept for a repeated command */

  bool dirty;            /* persistent state changed during this downlink */
  obe_stats stats;

  /* The last BST frame heard and what it said: a beacon repeats the same octets every few
   * milliseconds, and these need no second decoding. */
  uint8_t bst_frame[32];
  uint8_t bst_len;
  bool bst_accepted;     /* a profile and a mandatory application the OBE supports */
  bool bst_allocates;
  dsrc_beacon_id bst_rsu;
  uint32_t bst_time;
};

/* Binds an OBE to its configuration, profile (keys), persistent state, crypto context,
 * randomness and callbacks (NULL: none; they are copied). It starts asleep. */
int obe_init(obe_engine *o, const obe_config *cfg, const keymgmt_obe_profile *prof, obe_state *st,
             dsrc_crypto *crypto, dsrc_rng rng, const obe_callbacks *callbacks, void *user);

/* Draws the OBE's public-window choices (one octet each, the window its remainder by the
 * number of windows) from rng instead of the OBE's randomness: a simulator biases them
 * for importance sampling and weighs the result (docs/statistics.md). */
void obe_window_rng_set(obe_engine *o, dsrc_rng rng);

/* A downlink frame ended at t. corrupted: the frame failed on the air (it still wakes a
 * sleeping OBE, which detects energy, but is otherwise ignored). */
void obe_on_downlink(obe_engine *o, uint64_t t, const uint8_t *frame, size_t len, bool corrupted);

/* Uplink window w (0-based) of those the last downlink allocated opens at t. Returns the
 * octets of the frame the OBE sends in it (0: silent). */
size_t obe_on_window(obe_engine *o, uint64_t t, unsigned w, uint8_t *out, size_t cap);

/* The one public window (0-based) of the last downlink in which obe_on_window would send,
 * or -1: a BST offers several and an OBE answers in at most one, so a driver with many OBEs
 * asks each once instead of offering it every window. */
static inline int obe_public_window(const obe_engine *o) {
  if (o->private_window || !o->want_window || o->public_choice < 0 || o->public_choice >= (int)o->windows)
    return -1;
  return o->public_choice;
}

/* What the OBE did so far. */
static inline const obe_stats *obe_stats_get(const obe_engine *o) { return &o->stats; }

/* Its power state, and from OBE_INIT on its session's LID: which frames its passage still
 * hangs on (a biased air draws those, air/lane.h). */
static inline obe_power obe_power_get(const obe_engine *o) { return o->power; }
static inline uint32_t obe_lid_get(const obe_engine *o) { return o->lid; }

/* The vehicle left: the OBE powers down (its session, if any, is lost; no event). */
void obe_sleep(obe_engine *o);

#endif
