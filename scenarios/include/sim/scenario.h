/* A scenario: lanes, zone, timing, traffic, fleet and bit errors, as read from a YAML file
 * (docs/scenarios.md lists every key with its default). */
#ifndef SIM_SCENARIO_H
#define SIM_SCENARIO_H

#include <stdbool.h>
#include <stdint.h>

#include "dsrc/l1.h"
#include "obe/obe.h"
#include "rse/rse.h"

#define SIM_GROUPS_MAX 16
#define SIM_SPEEDS_MAX 128
#define SIM_BERS_MAX 32
#define SIM_ZONES_MAX 32
#define SIM_DENSITIES_MAX 16

/* One part of the fleet: a profile on an MCU class, with its share of the traffic. */
typedef struct {
  int profile;        /* enum efc_profile */
  bool legacy;        /* MCU class */
  double share;
  char label[40];     /* "en15509-l1/legacy" */
} sim_group;

typedef struct {
  char name[64];
  char path[256];
  uint64_t seed;
  double zone_m;
  unsigned lanes;
  unsigned gantries;

  double bers[SIM_BERS_MAX];
  unsigned nbers;

  /* traffic: a list of speeds, or a truncated normal distribution */
  double speeds[SIM_SPEEDS_MAX];
  unsigned nspeeds;
  bool speed_dist;
  double speed_mean, speed_sd, speed_min, speed_max;
  uint64_t passages;       /* per speed (list) or in all (distribution), per BER */
  double headway_s;        /* mean time between zone entries in one lane */
  double min_headway_s;    /* and its minimum */
  uint64_t fleet_size;     /* distinct vehicles (0: every passage a new one) */

  /* verdicts (docs/statistics.md) */
  double target;           /* success_target: the success rate a cell must demonstrate */
  double confidence;       /* of every verdict of a family at once */
  bool passages_auto;      /* traffic.passages: auto, sampled until decided */
  uint64_t first_look;     /* auto: a cell's first look, then doubling */
  uint64_t cell_max;       /* auto: a cell's last look */
  uint64_t budget;         /* auto: passages in all */
  bool csv_all;            /* passages_csv: all (else failures only) */

  /* sweep: the grid is ber x zone x density x speed, per group; search bisects the zone */
  double zones[SIM_ZONES_MAX];
  unsigned nzones;
  double densities[SIM_DENSITIES_MAX]; /* mean OBEs in one lane's zone; none: headway_s */
  unsigned ndensities;
  bool search;             /* sweep.search: the shortest zone that demonstrates the target */
  double search_from_m, search_to_m, search_step_m;

  /* importance sampling (docs/statistics.md, "Rare failures"): failures drawn more often
   * and weighed back; needs passages: auto */
  bool is_on;
  int is_ber_mode;         /* BER bias: -1 off, 0 auto (chosen per cell by pilots), 1 fixed */
  double is_ber;           /* is_ber_mode 1: the biased BER */
  int is_collide_mode;     /* collision bias: -1 off, 0 auto (pilot, with several OBEs), 1 fixed */
  double is_collide;       /* is_collide_mode 1: the probability a window choice joins a taken one */
  uint64_t is_pilot;       /* passages per pilot */
  double is_precision;     /* a cell stops once its 95 % interval is within this of the estimate */
  int64_t is_warmup;       /* passages that fill the lane before a block's; -1: from the traffic */

  sim_group groups[SIM_GROUPS_MAX];
  unsigned ngroups;

  /* the engines' parameters (docs/timing-model.md defaults, overridden by the file) */
  dsrc_l1_params l1;
  rse_config rse;          /* timing and transaction options; identity set per lane */
  obe_config obe;
  obe_mcu mcu_legacy, mcu_modern;
} sim_scenario;

/* Loads and checks a scenario file. On error returns -1 with err holding one line naming
 * the file, the line and the field ("scenarios/x.yaml:12: traffic.speeds_kmh: speed -60
 * is negative"). */
int sim_scenario_load(sim_scenario *sc, const char *path, char *err, size_t errlen);

/* A scenario file's name without its folder and extension ("scenarios/noisy.yaml" ->
 * "noisy"): what the default output folders under results/ are named after. */
void sim_scenario_name(char *name, size_t cap, const char *path);

#endif
