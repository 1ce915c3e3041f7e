/* efc-scenario run: a scenario cut into blocks (independent streams of vehicles through one
 * lane, each with its own seed), simulated on any number of threads, the results merged in
 * block order so the output does not depend on the thread count. */
#ifndef SIM_RUNNER_H
#define SIM_RUNNER_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "io/capture.h"
#include "sim/progress.h"
#include "sim/scenario.h"
#include "sim/world.h"

enum sim_outcome {
  SIM_OK = 0,          /* RELEASE before the vehicle left the zone, lane verdict pass */
  SIM_INCOMPLETE = 1,  /* the vehicle left the zone first */
  SIM_FAILED = 2,      /* the RSE gave up (retries exhausted) */
  SIM_NO_SESSION = 3,  /* the OBE never got its VST through */
  SIM_NOT_PASS = 4,    /* finished, but the lane did not pass it */
};
const char *sim_outcome_name(int outcome);

/* A stream of vehicles through one lane: where (BER, zone), how fast, how dense, which
 * group. sim_block_init fills it from a scenario's first point. */
typedef struct {
  uint32_t index;      /* position in the run's order */
  uint32_t cell;       /* the report's cell of its passages (group < 0: of group 0 at bin 0) */
  uint16_t ber_idx;
  int16_t speed_idx;   /* -1: speeds drawn from the distribution */
  int16_t group;       /* every vehicle of this group; -1: drawn by the fleet's shares */
  uint16_t lane, gantry;
  double ber, zone_m;
  double speed_kmh;    /* speed_idx >= 0: the speed */
  double headway_s, min_headway_s;
  uint32_t passages;
  /* Reported: passages warmup .. warmup + reported - 1 (reported 0: every one from warmup
   * on); the others only fill the lane before and after them. A biased block reports one
   * passage, whose OBE's draws alone are biased (docs/statistics.md). */
  uint32_t warmup, reported;
  uint32_t vehicle_base; /* first vehicle id of the block's fleet */
  uint32_t fleet;        /* distinct vehicles (0: a new vehicle every passage) */
  uint64_t seed;
  /* Importance sampling (docs/statistics.md); both 0: plain sampling. */
  double bias_ber;       /* frame losses drawn at this BER instead of ber (0: at ber) */
  double bias_collide;   /* a public-window choice joins one another OBE made at the same BST with this
                          * probability, else the OBE's own draw (0: always the OBE's) */
  bool pilot;            /* its passages choose the bias of those that follow, outside the estimate */
} sim_block;

/* One passage. */
typedef struct {
  uint32_t block, seq;
  uint32_t obuid;
  uint8_t group, lane, outcome, verdict;
  uint16_t gantry, ber_idx;
  float speed_kmh;
  uint64_t t_enter_ns;
  uint32_t dwell_us;
  int32_t completion_us; /* zone entry to RELEASE; -1 when it did not finish */
  uint16_t frames_down, frames_up, retries, late;
  uint32_t octets_down, octets_up;
  uint32_t airtime_us, processing_us;
  uint32_t obes_in_zone; /* most OBEs in the zone at once during the passage */
  /* Why it was not SIM_OK (sim/cause.h): enum sim_cause, the rse_cmd it was on, and enum
   * sim_loss, the last loss of that command; all 0 for SIM_OK. */
  uint8_t cause, cause_cmd, cause_frame;
  /* Importance sampling: the log likelihood ratio of every biased draw of the block up to
   * the passage's end (plain sampling: 0, a weight of 1), and over the same draws the
   * frame losses drawn, their exposed bits, and the window choices made while another OBE
   * had chosen at that BST (contended) and of those, the ones that took its window. */
  double log_w;
  uint32_t bias_lost;
  float bias_bits;
  uint32_t collided, contended;
} sim_record;

/* The state an OBE keeps between passages: its counters and passage log. The keys are
 * derived again when it enters a zone (the stand-in for its key memory). */
typedef struct {
  uint16_t autopass_tc, equipment_status;
  uint8_t efcstatus, log_len, log_head, log_cap;
  obe_log_entry *log;
} sim_idle_obe;

/* Everything a block needs that is shared, read-only, by all threads. */
typedef struct {
  const sim_scenario *sc;
  const sim_keys *keys;
} sim_world;

/* What a block's idle OBEs cost in memory once it is over (repeating fleets only). */
typedef struct {
  uint64_t idle_obes;
  uint64_t idle_bytes;     /* their state: struct and log, summed */
  uint64_t idle_bytes_max; /* the largest one */
} sim_block_stats;

/* Bytes an idle OBE occupies: its struct and its log entries. */
size_t sim_idle_obe_bytes(const sim_idle_obe *s);

/* Simulates one block into out[0 .. b->passages-1]; stats (optional) gets its memory. */
int sim_block_run(const sim_world *w, const sim_block *b, dsrc_crypto *c, sim_record *out,
                  sim_block_stats *stats);

/* A block's frames on the air, kept for a capture: records packed one after another
 * (time 8, uplink 1, lane 1, flags 1, LID 4, length 1, frame), and the block's end time. */
typedef struct {
  uint8_t *buf;
  size_t len, cap;
  uint64_t end_ns;
  bool oom;
} sim_frames;

/* sim_block_run, every frame also appended to frames. */
int sim_block_run_frames(const sim_world *w, const sim_block *b, dsrc_crypto *c, sim_record *out,
                         sim_block_stats *stats, sim_frames *frames);

/* Writes a block's frames to a capture, times shifted by offset_ns. Returns 0 or -1 with
 * err (a full disk). */
int sim_frames_write(const sim_frames *f, io_cap_writer *w, uint64_t offset_ns, char *err, size_t errlen);
void sim_frames_free(sim_frames *f);

/* Two numbers mixed into a seed (splitmix64's finaliser): blocks' and streams' seeds. */
uint64_t sim_seed_mix(uint64_t a, uint64_t b);

/* A block of sc's first BER, zone and speed (or its distribution), the fleet's mix, the
 * traffic's headway, one passage: the caller sets what differs. */
void sim_block_init(sim_block *b, const sim_scenario *sc);

/* A growing list of blocks: numbered from first_index, vehicle ids from vehicle_base on. */
typedef struct {
  sim_block *v;
  size_t n, cap;
  uint32_t first_index;
  uint32_t vehicle_base;
  uint32_t per_block;    /* passages reported per block; 0: 1,000 */
  uint32_t warmup;       /* and before and after them, in each block, passages that only fill the lane */
} sim_blocks;

/* Appends the blocks of passages vehicles like proto (its BER, zone, speed, headway, group,
 * cell) to out, shared by every lane of every gantry, block k of them seeded
 * sim_seed_mix(seed, k). 0, or -1 when out of memory. */
int sim_blocks_split(const sim_scenario *sc, const sim_block *proto, uint64_t passages, uint64_t seed,
                     sim_blocks *out);

/* The blocks of a scenario run with a fixed number of passages at every BER and speed of
 * its first zone, in order, as efc-scenario run makes them; returns their number (*out
 * malloc'd). */
size_t sim_blocks_make(const sim_scenario *sc, sim_block **out);

struct sim_exec;

typedef struct {
  const char *out_dir;
  unsigned threads;
  sim_progress_mode progress; /* on stderr: a bar, JSON lines, or nothing */
  bool plots;
  FILE *table;         /* the summary table (stdout) */
  const char *pcap;    /* a capture of every frame, blocks laid end to end; NULL: none */
  const char *prog;    /* summary.json's "written_by": this program's --version line; NULL: none */
  /* What runs each round's blocks (sim/pool.h); NULL: the local worker pool. */
  const struct sim_exec *exec;
} sim_run_options;

/* Runs a whole scenario: passages.csv, summary.json and plots in out_dir. 0, or -1 with err. */
int sim_run(const sim_scenario *sc, const sim_run_options *opt, char *err, size_t errlen);

#endif
