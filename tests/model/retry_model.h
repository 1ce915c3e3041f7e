/* An independent model of the link layer's retry rules, written apart from the OBE and RSE
 * engines from the rules as docs/timing-model.md ("Retries") states them. It knows a
 * transaction only as its exchanges (the VST, then each command with or without a late
 * answer) and the bits each frame exposes to errors; a frame is lost with probability
 * 1 - (1 - BER)^bits, independently of every other.
 *
 * Two forms of the same rules:
 * - rm_phase_solve: an exact Markov chain per exchange over (retries used, what the RSE
 *   sends next, whether the OBE has the command), giving the probability of completing
 *   after k retries and of giving up; rm_passage_solve combines the exchanges.
 * - rm_walk: the rules walked frame by frame for a given set of lost frames, giving every
 *   private frame the RSE and the OBE put on the air (kind, S and n bits), the retries
 *   and the outcome: what the simulator must do when exactly those frames are lost. */
#ifndef RETRY_MODEL_H
#define RETRY_MODEL_H

#include <stdbool.h>
#include <stddef.h>

#define RM_PHASES_MAX 8
#define RM_RETRIES_MAX 20
#define RM_TOTAL_MAX (RM_PHASES_MAX * (RM_RETRIES_MAX + 1) + 1)
#define RM_WALK_MAX 512

/* The RSE's choice after a command's window brought no valid answer (rse.h has the same
 * two; the model keeps its own names). */
enum rm_policy {
  RM_BY_WINDOW = 0,     /* empty window: repeat the command; corrupted answer: re-allocate */
  RM_REALLOC_FIRST = 1  /* first retry re-allocates, later ones repeat the command */
};

typedef enum { RM_PHASE_VST, RM_PHASE_COMMAND } rm_phase_kind;

/* One exchange the RSE must complete within max_retries retries. Bits are those exposed to
 * errors (preamble and stuffing included), as a mean over passages when they vary. */
typedef struct {
  rm_phase_kind kind;
  bool late;          /* a command answered NE_OK first, then by a UI frame in a window of its own */
  double bits_down;   /* VST: the window allocation; command: the command */
  double bits_up;     /* VST: the VST; command: its first answer (NE_OK, or the answer itself) */
  double bits_alloc;  /* late: the allocation of the late answer's window */
  double bits_late;   /* late: the late answer */
} rm_phase;

typedef struct {
  rm_phase phase[RM_PHASES_MAX];
  unsigned nphases;
  double bits_release; /* RELEASE, which has no window and costs no retry */
} rm_transaction;

typedef struct {
  double p_ok[RM_RETRIES_MAX + 1]; /* completed after exactly k retries */
  double p_fail;                   /* max_retries + 1 bad windows: the RSE gives up */
} rm_phase_result;

typedef struct {
  double p_fail;
  /* Total retries of a passage, over all passages; a failed one counts the retries it
   * took, the failing exchange's max_retries + 1 included (as the RSE reports them). */
  double dist[RM_TOTAL_MAX];
  double dist_fail[RM_TOTAL_MAX]; /* the part of dist that failed */
  double retries_mean;
} rm_passage_result;

/* 1 - (1 - ber)^bits. */
double rm_loss(double ber, double bits);

int rm_phase_solve(const rm_phase *ph, double ber, unsigned max_retries, int policy, rm_phase_result *out);
int rm_passage_solve(const rm_transaction *t, double ber, unsigned max_retries, int policy,
                     rm_passage_result *out);

typedef enum {
  RM_F_ALLOC,   /* down: window allocation */
  RM_F_COMMAND, /* down: ACn command with a window */
  RM_F_RELEASE, /* down: RELEASE, no window */
  RM_F_VST,     /* up */
  RM_F_NE_OK,   /* up: command accepted, answer later */
  RM_F_ANSWER,  /* up: the ACn answer in the command's window */
  RM_F_LATE     /* up: the late answer, UI */
} rm_frame_kind;

typedef struct {
  rm_frame_kind kind;
  unsigned char s, n; /* S of an allocating frame; n of a command */
  bool lost;
  double bits;
} rm_frame;

typedef struct {
  rm_frame f[RM_WALK_MAX];
  unsigned n;          /* private frames up to and including the first RELEASE */
  bool failed;         /* the RSE gave up */
  unsigned retries;
  bool unmodelled;     /* a case the rules leave to timing (never expected; see rm_walk) */
} rm_walk_result;

/* Walks the rules with the private frames at positions lost[0..nlost-1] (0-based, in the
 * order they go on the air) lost; 0, or -1 on bad arguments. */
int rm_walk(const rm_transaction *t, unsigned max_retries, int policy, const unsigned *lost, size_t nlost,
            rm_walk_result *out);

const char *rm_frame_kind_name(rm_frame_kind k);

#endif
