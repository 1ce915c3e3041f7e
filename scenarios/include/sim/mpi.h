/* efc-scenario run --mpi (built with -DEFC_MPI=ON): one scenario over the ranks of an MPI
 * job. Every rank runs the same command line and loads the same scenario; rank 0 plans the
 * rounds, hands each round's blocks to the ranks as they finish (two in flight per rank,
 * so that a sweep's or adaptive sampling's uneven blocks balance themselves), simulates
 * blocks itself between messages, and hands the results to the report in block order: the
 * output is the one sim_run gives on one machine (docs/scaling.md). One block at a time
 * per rank: start one rank per core. Every rank must read the same scenario file (a shared
 * file system, or the same copy on every node) and run the same build: a rank that does
 * not stops the run before any block, with one line naming it. */
#ifndef SIM_MPI_H
#define SIM_MPI_H

#include <stdbool.h>
#include <stddef.h>

#include "sim/runner.h"

/* First, every rank checks that it runs the same run as rank 0: rank 0 broadcasts
 * (MPI_Bcast) the SHA-256 of its --version line, the scenario's text, its seed and budget
 * (SIM_MPI_ID_LEN octets), and an MPI_Allreduce (MPI_MIN, MPI_INT) of INT_MAX, or of the
 * rank's own number where its digest differs, names the first rank that differs. Then the
 * messages, MPI_BYTE in MPI_COMM_WORLD, integers little-endian (sim/wire.h). Every
 * block a rank is sent gets exactly one result. */
#define SIM_MPI_ID_LEN 32u
enum {
  SIM_MPI_TAG_BLOCK = 1,  /* rank 0 to a rank: u32 k (the block's place in its round), the block */
  SIM_MPI_TAG_RESULT = 2, /* a rank to rank 0: u32 k, u32 status, u32 n, then the n passages
                           * or, status not 0, why (text, unterminated) */
  SIM_MPI_TAG_STOP = 3    /* rank 0 to a rank: u32 status of the whole run; no more blocks */
};
#define SIM_MPI_HEAD_LEN 12u

typedef struct sim_mpi sim_mpi;

/* Starts MPI. *root: this is rank 0, the one that plans, writes the output and prints. The
 * other ranks' stdout and stderr are pointed at /dev/null, so that an error every rank
 * meets (a broken scenario file) is printed once; their own failures reach rank 0 as
 * messages. A rank that exits before sim_mpi_run (a failure on the way) ends the job:
 * mpirun stops the other ranks. 0, or -1 with err. */
int sim_mpi_open(sim_mpi **m, bool *root, char *err, size_t errlen);

/* Runs sc over the ranks: on rank 0 sim_run with opt (no capture), on the others serving
 * blocks until rank 0 is done; then MPI is finished and m freed. Every rank returns 0, or
 * -1 when the run failed anywhere (rank 0's err says why: a block that failed on rank R,
 * a message that could not be read, the report's own error). */
int sim_mpi_run(sim_mpi *m, const sim_scenario *sc, const sim_run_options *opt, char *err, size_t errlen);

#endif
