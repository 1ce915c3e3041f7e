/* A rank that answers rank 0 of efc-scenario run --mpi wrongly, to see rank 0 stop every
 * rank with one line and never hang (tests/cluster/mpi.sh). Started in rank 0's company:
 *   mpirun -np 1 efc-scenario run FILE --mpi : -np 1 mpi-rank MODE
 * MODE: fail (a block that failed), short (a result cut short), garbage (passages out of
 * range), die (gone without a word, in the middle of the run). */
#include <limits.h>
#include <mpi.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sim/mpi.h"
#include "sim/wire.h"

int main(int argc, char **argv) {
  const char *mode = argc == 2 ? argv[1] : "";
  uint8_t in[4 + SIM_WIRE_BLOCK_LEN], *out;
  size_t cap = SIM_MPI_HEAD_LEN + 100000 * (size_t)SIM_WIRE_RECORD_LEN;
  if (strcmp(mode, "fail") && strcmp(mode, "short") && strcmp(mode, "garbage") && strcmp(mode, "die")) {
    fprintf(stderr, "usage: mpi-rank fail|short|garbage|die\n");
    return 2;
  }
  if (!(out = malloc(cap))) return 1;
  MPI_Init(&argc, &argv);
  /* The run's check (sim/mpi.h): this rank takes rank 0's run for its own. */
  {
    uint8_t id[SIM_MPI_ID_LEN];
    int differs = INT_MAX, first;
    MPI_Bcast(id, (int)sizeof(id), MPI_BYTE, 0, MPI_COMM_WORLD);
    MPI_Allreduce(&differs, &first, 1, MPI_INT, MPI_MIN, MPI_COMM_WORLD);
  }
  for (;;) {
    MPI_Status st;
    sim_block b;
    uint32_t k, n;
    size_t len;
    int count;
    MPI_Probe(0, MPI_ANY_TAG, MPI_COMM_WORLD, &st);
    MPI_Get_count(&st, MPI_BYTE, &count);
    if (count < 0 || (size_t)count > sizeof(in)) return 1;
    MPI_Recv(in, count, MPI_BYTE, 0, st.MPI_TAG, MPI_COMM_WORLD, MPI_STATUS_IGNORE);
    if (st.MPI_TAG == SIM_MPI_TAG_STOP) break;
    if (!strcmp(mode, "die")) return 3;
    k = sim_wire_get_u32(in);
    if (sim_wire_block_decode(&b, in + 4, (size_t)count - 4) != (ssize_t)SIM_WIRE_BLOCK_LEN) return 1;
    n = b.passages;
    if ((size_t)n * SIM_WIRE_RECORD_LEN + SIM_MPI_HEAD_LEN > cap) return 1;
    sim_wire_put_u32(out, k);
    sim_wire_put_u32(out + 4, !strcmp(mode, "fail"));
    sim_wire_put_u32(out + 8, n);
    if (!strcmp(mode, "fail")) {
      len = SIM_MPI_HEAD_LEN + (size_t)sprintf((char *)out + SIM_MPI_HEAD_LEN, "block %u failed (-7)", k);
    } else {
      len = SIM_MPI_HEAD_LEN + (size_t)n * SIM_WIRE_RECORD_LEN;
      memset(out + SIM_MPI_HEAD_LEN, 0xff, len - SIM_MPI_HEAD_LEN);
      if (!strcmp(mode, "short")) len--;
    }
    MPI_Send(out, (int)len, MPI_BYTE, 0, SIM_MPI_TAG_RESULT, MPI_COMM_WORLD);
  }
  MPI_Finalize();
  free(out);
  return 0;
}
