/* One passage of one OBE through a simulated lane (the real engines, the lane's air model
 * at BER 0), with chosen frames lost on purpose, every frame recorded and classified; and
 * the transaction as the retry model sees it, taken from clean passages. */
#ifndef TEST_PASSAGE_H
#define TEST_PASSAGE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "retry_model.h"
#include "air/lane.h"
#include "sim/world.h"

#define PH_FRAMES_MAX 1024

typedef enum {
  PH_BST,
  PH_WINDOW_REQUEST,
  PH_PRIVATE, /* a frame of the retry model's sequence: kind in rm */
  PH_OTHER
} ph_class;

typedef struct {
  ph_class cls;
  rm_frame_kind rm;  /* PH_PRIVATE */
  bool uplink, lost;
  uint8_t s, n;      /* of an allocating frame, of a command */
  uint32_t exposed;  /* bits exposed to errors (dsrc_l1_exposed_bits) */
} ph_frame;

/* Shared by many passages: crypto and keys are made once. */
typedef struct {
  dsrc_crypto *crypto;
  sim_keys keys;
} ph_world;

int ph_world_init(ph_world *w);
void ph_world_free(ph_world *w);

typedef struct {
  int profile;          /* enum efc_profile */
  bool legacy_mcu;
  int policy;           /* enum rse_retry_policy */
  uint8_t max_retries;
  uint64_t seed;
  uint32_t obuid;       /* 0: 0x00a1b2c3 */
  double ber;           /* bit errors drawn as in the simulator, besides the losses below */
  uint64_t enter_ns;    /* the OBE enters the zone (asleep) at this time after the first BST */
  uint64_t dwell_ns;    /* and leaves it this much later (0: never) */
  /* Positions to lose: among every frame on the air from the OBE's entry, and among the
   * private frames (those of the retry model's sequence), each sorted or not. */
  const unsigned *lose_any;
  size_t nlose_any;
  const unsigned *lose_private;
  size_t nlose_private;
} ph_options;

typedef struct {
  ph_frame f[PH_FRAMES_MAX];
  unsigned n;            /* every frame until 20 ms after the passage ended */
  bool finished;         /* the RSE reported the passage */
  int outcome;           /* enum rse_outcome */
  unsigned retries;
  unsigned late;
  unsigned passages;     /* passages the RSE reported (a LID given up on must not get two) */
  bool obe_released;     /* the OBE ended in the released state */
} ph_result;

int ph_run(const ph_world *w, const ph_options *o, ph_result *r);

/* The private frames of r up to and including the first RELEASE, into out; their count. */
unsigned ph_private(const ph_result *r, const ph_frame **out, unsigned cap);

/* The transaction of a profile for the retry model: its exchanges from clean passages,
 * with the bits of each frame averaged over passages seeds 1..npassages of OBEs numbered
 * as the scenario runner numbers its vehicles (0x00100000 + k, k spread over 0..400,000:
 * their PAN and plate, and so the stuffing of the answers, follow the number). 0 or -1. */
int ph_transaction(const ph_world *w, int profile, bool legacy_mcu, unsigned npassages, rm_transaction *t);

#endif
