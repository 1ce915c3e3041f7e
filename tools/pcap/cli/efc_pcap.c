/* efc-pcap: reads the captures efcsim writes (docs/capture.md). Each subcommand is one entry
 * of the table below and one function taking its own arguments (argv[0] = its name), so a
 * new subcommand is one function and one line here. */
#include <stdio.h>
#include <string.h>

#include "pcap_tool.h"

typedef int (*pcap_cmd_fn)(int argc, char **argv);

typedef struct {
  const char *name;
  pcap_cmd_fn run; /* NULL: announced but not written yet */
  const char *args;
  const char *what;
} pcap_cmd;

static const pcap_cmd commands[] = {
    {"decode", pcap_cmd_decode, "FILE [--json] [--idle-ms MS]",
     "every frame grouped by transaction: time, direction, lane, layer 2, FCS,\n"
     "         corrupted flag, airtime, gap, and each T-APDU as JER; --json: one document\n"
     "         whose frames carry exactly efc-dsrc decode --frame's object"},
    {"stats", pcap_cmd_stats, "FILE [--json] [--idle-ms MS]",
     "frames per direction and role, failures, octets, airtime, channel occupancy,\n"
     "         transactions and their durations, late responses, and the retries the\n"
     "         frames show as repeats (a command's n bit, an allocation's S bit)"},
    {"verify", pcap_cmd_verify, "FILE --keys FILE --profile P [--pass-file FILE] [--json]",
     "the lane verification of every captured transaction of profile P with the\n"
     "         toll charger's keys: MAC2, MAC_TC, the Level 1 access credentials"},
    {"replay", pcap_cmd_replay, "FILE --side rse|obe --to ADDR:PORT [--transaction N | --profile P]",
     "one side of a captured transaction against a live efc-obe (--side rse) or\n"
     "         efc-rse (--side obe), reporting how the live answers or commands differ"},
};

#define NCOMMANDS (sizeof(commands) / sizeof(commands[0]))

static void usage(FILE *out) {
  fprintf(out, "usage:");
  for (size_t i = 0; i < NCOMMANDS; i++)
    fprintf(out, "%s efc-pcap %s %s\n", i ? "      " : "", commands[i].name, commands[i].args);
  fprintf(out, "       efc-pcap --help | --version\n");
  fprintf(out, "\n");
  for (size_t i = 0; i < NCOMMANDS; i++) fprintf(out, "%-8s %s\n", commands[i].name, commands[i].what);
  fprintf(out,
          "\n"
          "A transaction is the frames of one private LID on one lane from its window request\n"
          "to its RELEASE, with the lane's BSTs between two of its frames; one without a frame\n"
          "of its own for --idle-ms (default 2000, capture time) ends incomplete. BSTs outside\n"
          "transactions form runs of identical frames, shown once as 'BST x N'. Text times\n"
          "count from the first frame; gaps from the end of the lane's previous frame.\n"
          "\n"
          "exit status: 0 success, 1 bad input (one-line error naming the record), 2 bad usage.\n");
}

static int run(int argc, char **argv) {
  int rv = io_cli_main_opt(argc, argv, "efc-pcap", usage);
  if (rv >= 0) return rv;
  if (argc < 2) {
    usage(stderr);
    return IO_CLI_EXIT_USAGE;
  }
  if (strcmp(argv[1], "help") == 0) {
    usage(stdout);
    return IO_CLI_EXIT_OK;
  }
  for (size_t i = 0; i < NCOMMANDS; i++) {
    if (strcmp(argv[1], commands[i].name) != 0) continue;
    if (!commands[i].run) return io_cli_usage("efc-pcap", NULL, "%s is not available yet", commands[i].name);
    return commands[i].run(argc - 1, argv + 1);
  }
  return io_cli_usage("efc-pcap", "efc-pcap", "unknown command '%s'", argv[1]);
}

/* stdout checked last: a result that did not reach its file is a failed run. */
int main(int argc, char **argv) { return io_cli_stdout_close("efc-pcap", run(argc, argv)); }
