/* One lane in virtual time: an RSE, the OBEs in its zone, and the air between them. The
 * lane drives the sans-I/O engines exactly as the UDP daemons do, but with a virtual clock,
 * frame airtimes from the encoded frames (dsrc_l1_link_airtime_ns), bit errors drawn per frame
 * and per receiver, and collisions when two OBEs use one window. docs/timing-model.md. */
#ifndef AIR_LANE_H
#define AIR_LANE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "dsrc/l1.h"
#include "dsrc/rng.h"
#include "obe/obe.h"
#include "rse/rse.h"

#define AIR_LANE_OBES_MAX 64
#define AIR_LANE_PERR_BITS 2048 /* covers the largest frame with a preamble of up to ~600 bits */
#define AIR_LANE_STUFF_SLOTS 64
#define AIR_LANE_STUFF_OCTETS 24 /* the longest frame the stuffed-bit cache keeps */

/* A frame on the air: who sent it (-1 the RSE, else the OBE's index), when, and whether the
 * receiver(s) got it intact. For a downlink frame, corrupted is true when it failed for
 * every OBE present, and lost_at says at which OBEs' receivers it failed. */
typedef struct {
  uint64_t t_start, t_end;
  bool uplink;
  int sender;
  const uint8_t *frame;
  size_t len;
  bool corrupted;
  bool collided;
  /* Downlink: bit i set when the frame failed at the receiver of obes[i], inside the zone
   * for the whole frame (AIR_LANE_OBES_MAX is 64); an OBE outside never hears it and has no
   * bit. Uplink: 0. */
  uint64_t lost_at;
} air_frame;

typedef void (*air_frame_fn)(void *ctx, const air_frame *f);

/* Importance sampling (docs/statistics.md): the air draws the losses one OBE's passage
 * hangs on at a biased bit error rate ber instead of the lane's, and keeps the log of the
 * likelihood ratio of every such draw (the lane's probability over the biased one), so a
 * driver can weigh that passage. Those draws are the tagged OBE's uplink frames, BSTs at
 * its receiver before its session, and its session's frames at its receiver; the rest
 * (BSTs during its session or after, every other OBE's frames) are drawn at the lane's
 * BER, which keeps the weights tame and is as valid (the bias may depend on anything
 * already drawn). The counts feed the choice of the next bias (cross-entropy). */
typedef struct {
  double ber;      /* the biased BER, > 0 */
  const obe_engine *tag; /* the OBE whose passage is weighed: only its draws are biased */
  double log_keep; /* log(1 - ber) */
  double log_w;    /* sum over draws of log(p / q) (lost) or log((1 - p) / (1 - q)) (kept) */
  uint64_t lost;   /* draws that lost a frame */
  double bits;     /* the exposed bits of every draw */
  double qerr[AIR_LANE_PERR_BITS]; /* as air_lane.perr, at ber */
} air_bias;

typedef struct {
  dsrc_l1_params l1;    /* changed with air_lane_l1_set only */
  dsrc_l1_link link[2]; /* l1 worked out per direction ([1]: uplink) */
  double ber;           /* bit error rate, both directions */
  double log_keep;      /* log(1 - ber), for 1 - (1 - ber)^bits */
  /* 1 - (1 - ber)^bits for bits < AIR_LANE_PERR_BITS, filled in as frame sizes occur (0: not
   * yet): a passage sends the same few sizes dozens of times. */
  double perr[AIR_LANE_PERR_BITS];
  /* Stuffed bits of recent short frames (3..AIR_LANE_STUFF_OCTETS octets), by content: a
   * passage sends the same BST a dozen times or more, and the same window request,
   * allocation and "not yet" answer about five times each. Slot by an FCS octet; len 0:
   * empty. */
  struct {
    uint8_t len, stuffed;
    uint8_t octets[AIR_LANE_STUFF_OCTETS];
  } stuff[AIR_LANE_STUFF_SLOTS];
  dsrc_prng *errors;    /* draws the bit errors */
  air_bias *bias;       /* NULL: draws at ber (air_lane_bias_set) */
  rse_engine *r;
  const rse_config *rcfg; /* r's: the windows' timing */
  obe_engine *obes[AIR_LANE_OBES_MAX]; /* the OBEs near the zone (air_lane_add, air_lane_remove) */
  uint64_t enter[AIR_LANE_OBES_MAX], leave[AIR_LANE_OBES_MAX]; /* when each is inside it */
  size_t nobes;
  bool flip_bits;        /* uplink errors as flipped bits the RSE's FCS catches (UDP mode:
                          * air_damage) */
  air_frame_fn on_frame; /* optional: every frame on the air */
  /* Optional, for tests: true loses the frame whatever the bit errors draw (a downlink
   * frame for every OBE, an uplink frame for the RSE). Asked before the frame is heard;
   * its corrupted flag is not yet set. */
  bool (*lose)(void *ctx, const air_frame *f);
  void *ctx;
  uint64_t now;

  /* totals */
  uint64_t airtime_down_ns, airtime_up_ns;
  uint64_t frames_down, frames_up, collisions, corrupted;
} air_lane;

/* A lane with the default link parameters (dsrc_l1_params_default). */
void air_lane_init(air_lane *l, rse_engine *r, double ber, dsrc_prng *errors);

/* From now on draws the losses b->tag's passage hangs on at b's BER, adding to b's
 * likelihood ratio (b->ber set, the rest zeroed by the caller; the tag may come later, and
 * no tag biases nothing; NULL: no bias). Not for flip_bits. */
void air_lane_bias_set(air_lane *l, air_bias *b);

/* Other link parameters: bit rates, preambles, trailing bits. */
void air_lane_l1_set(air_lane *l, const dsrc_l1_params *p);

/* An OBE inside the zone from enter to leave: it hears downlink frames that start and end
 * inside, and the RSE hears its uplink frames only if they do. Returns its index, or -1
 * when AIR_LANE_OBES_MAX OBEs are already there. */
int air_lane_add(air_lane *l, obe_engine *o, uint64_t enter, uint64_t leave);
void air_lane_remove(air_lane *l, obe_engine *o);

/* One RSE step at l->now: a downlink frame and its uplink windows, or idling until the
 * RSE's next BST (never past until). Advances l->now. */
void air_lane_step(air_lane *l, uint64_t until);

/* Steps until l->now reaches until or the RSE has a finished passage to hand over, which
 * is all a driver needs to look at between steps. */
void air_lane_run(air_lane *l, uint64_t until);

/* The same step in pieces, for drivers whose OBEs are elsewhere (the UDP daemon): begin
 * (false: the RSE idled and l->now moved on), then each window with the frames senders
 * offered in it (two or more collide), then end. */
typedef struct {
  rse_step s;
  uint64_t t0, t1;   /* the downlink frame on the air */
  double p_down;     /* its probability of failing */
  double q_down;     /* the same, as a biased lane draws it (p_down when unbiased) */
  uint32_t exposed_down; /* its bits an error can hit */
  uint64_t t_end;    /* end of the last window's frame */
  uint64_t proc;     /* RSE processing owed */
} air_tx;

typedef struct {
  const uint8_t *frame;
  size_t len;
  int sender;
  uint64_t air;
  double p_err, q_err; /* as air_tx.p_down and q_down */
  uint32_t exposed;
} air_uplink;

bool air_tx_begin(air_lane *l, uint64_t until, air_tx *tx);
uint64_t air_tx_window_start(const air_lane *l, const air_tx *tx, unsigned w);
void air_uplink_make(air_lane *l, air_uplink *u, const uint8_t *frame, size_t len, int sender);
void air_tx_window(air_lane *l, air_tx *tx, unsigned w, const air_uplink *up, unsigned n);
void air_tx_end(air_lane *l, air_tx *tx);

/* Flips each bit of f with probability ber; returns how many it flipped. */
unsigned air_flip_bits(dsrc_prng *rng, double ber, uint8_t *f, size_t len);

/* A frame on a link whose errors are real flipped bits (UDP mode): each octet bit flips
 * with probability l->ber, and an error among the bits the octets do not carry (preamble,
 * stuffing, trailing bits) damages the frame too (one more flipped bit), so a frame fails
 * exactly as often as air_frame_error_probability says. Returns the bits flipped. */
unsigned air_damage(air_lane *l, bool uplink, uint8_t *f, size_t len);

/* Probability that a frame of len octets fails at bit error rate ber. */
double air_frame_error_probability(const dsrc_l1_params *p, bool uplink, const uint8_t *frame,
                                    size_t len, double ber);

#endif
