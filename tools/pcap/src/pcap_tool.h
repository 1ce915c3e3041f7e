/* efc-pcap internals: the frames of a capture with what the tool derives from them (airtime,
 * gap, role, message names) and the tracker that groups them into transactions and runs of
 * broadcasts. Each subcommand (decode, stats, and later verify and replay) is one function
 * that consumes the groups. */
#ifndef PCAP_TOOL_H
#define PCAP_TOOL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "io/capture.h"
#include "io/cli.h"
#include "dsrc/frame.h"
#include "dsrc/l1.h"

/* What a frame is at layer 2 (docs/protocol.md, section 5); one table of names in pcap_frame.c. */
typedef enum {
  PCAP_ROLE_BST,
  PCAP_ROLE_WINDOW_REQUEST,
  PCAP_ROLE_WINDOW_ALLOCATION,
  PCAP_ROLE_COMMAND,
  PCAP_ROLE_RESPONSE,
  PCAP_ROLE_NE_OK,
  PCAP_ROLE_VST,
  PCAP_ROLE_LATE_RESPONSE,
  PCAP_ROLE_RELEASE,
  PCAP_ROLE_MALFORMED, /* no L2 frame could be read from the octets */
  PCAP_ROLES
} pcap_role;

const char *pcap_role_name(pcap_role r);

#define PCAP_PDUS_MAX 8   /* PDU facts kept per frame; a 128-octet frame rarely holds two */
#define PCAP_MSGS_MAX 80  /* "GET_STAMPED.rq", several joined with '+' */

/* The little a tool needs of each T-APDU without keeping the (large) decoded value. */
typedef struct {
  uint8_t kind;         /* enum dsrc_tapdu_kind */
  uint8_t type;         /* actionType / eventType of requests */
  int eid;              /* -1 when the kind has none */
  int param_kind;       /* container alternative of the (action) parameter, -1 if absent */
  uint8_t param_len;    /* octets of an octetstring parameter */
} pcap_pdu_fact;

typedef struct {
  unsigned long record; /* 1-based record number in the file */
  uint64_t t_ns;        /* the frame's first bit, preamble included */
  uint64_t air_ns;      /* dsrc_l1_airtime_ns */
  int64_t gap_ns;       /* from the end of the previous frame on the same lane */
  bool has_gap;         /* false for a lane's first frame */
  bool uplink;
  uint8_t lane;
  uint8_t flags;        /* IO_CAP_CORRUPTED, IO_CAP_COLLIDED */
  uint32_t rec_lid;     /* the LID of the record header */
  int err;              /* dsrc_frame_decode: 0, DSRC_ERR_FCS (fields valid) or another error */
  dsrc_frame f;         /* valid unless role is PCAP_ROLE_MALFORMED; f.lsdu points into octets */
  pcap_role role;
  int pdu_err;          /* first T-APDU decode error, 0 if none */
  uint8_t npdus;
  pcap_pdu_fact pdus[PCAP_PDUS_MAX];
  char msgs[PCAP_MSGS_MAX]; /* application messages, set by the tracker */
  size_t len;
  uint8_t *octets;      /* owned copy of the frame */
} pcap_frame;

/* Copies and classifies a record's frame. Returns 0 or -1 (out of memory). */
int pcap_frame_fill(pcap_frame *pf, const io_cap_record *r, unsigned long record,
                    const dsrc_l1_params *l1);
void pcap_frame_release(pcap_frame *pf);

/* Names the frame's application messages into pf->msgs ("GET_STAMPED.rq", "BST"); last_cmd
 * (updated by requests, size 24) names the answers. */
void pcap_frame_name(pcap_frame *pf, char *last_cmd, size_t cap);

/* One-line layer 2 summary ("command AC1 S=1", "window allocation S=0"). */
void pcap_frame_l2_text(const pcap_frame *pf, char *out, size_t cap);

/* Decode error of a frame as one line, or "" when it decoded cleanly. */
void pcap_frame_error_text(const pcap_frame *pf, char *out, size_t cap);

typedef enum { PCAP_GROUP_TXN, PCAP_GROUP_BROADCAST } pcap_group_kind;

/* A transaction: the frames of one private LID on one lane from its first frame (the window
 * request) to the RELEASE, plus the lane's broadcast frames between two of its frames. A
 * broadcast run: identical broadcast frames of a lane outside transactions. */
typedef struct pcap_group {
  pcap_group_kind kind;
  unsigned number;          /* transactions: 1, 2, ... in order of their first frame */
  uint8_t lane;
  uint32_t lid;
  bool closed;              /* no frame will join any more */
  bool released;            /* closed by a RELEASE */
  uint64_t t_first;         /* first frame's start */
  uint64_t t_end;           /* last frame's end */
  uint64_t t_own_end;       /* end of the last frame of its own LID (transactions) */
  bool has_request;
  uint64_t t_request_end;   /* end of the first window request: the RSE knows the OBE then */
  uint64_t t_release;       /* start of the RELEASE */
  char last_cmd[24];
  bool have_n, have_s;
  uint8_t last_n, last_s;
  unsigned cmd_retries;     /* ACn commands repeating the previous command's n bit */
  unsigned alloc_retries;   /* window allocations repeating the previous S bit */
  unsigned late;            /* NE_OK answers */
  pcap_frame *frames;
  size_t nframes, cap;
  bool tentative;           /* tracker only: broadcasts that may yet join a transaction */
  struct pcap_group *next;  /* queue order: first frame's order in the file */
} pcap_group;

/* Called with each group once it is complete, in the order of the groups' first frames. */
typedef int (*pcap_group_fn)(void *ctx, const pcap_group *g);

typedef struct pcap_tracker pcap_tracker;

/* idle_ns: a transaction or run with no frame for this long (capture time) is closed. */
pcap_tracker *pcap_tracker_new(uint64_t idle_ns, pcap_group_fn fn, void *ctx);
/* Returns 0, -1 out of memory, or the callback's nonzero value. */
int pcap_tracker_add(pcap_tracker *t, const io_cap_record *r, unsigned long record);
/* Closes every open group and emits the rest. */
int pcap_tracker_finish(pcap_tracker *t);
void pcap_tracker_free(pcap_tracker *t);

#define PCAP_IDLE_NS_DEFAULT 2000000000u /* twice the RSE's default session timeout */

/* Reads FILE through the tracker; err gets a one-line message on failure. Returns 0, 1 (bad
 * input: err set; the groups read before the fault have been emitted) or the callback's
 * value. */
int pcap_file_walk(const char *path, uint64_t idle_ns, pcap_group_fn fn, void *ctx, char *err,
                   size_t errlen);

/* The subcommands: argv[0] is the subcommand's name. */
int pcap_cmd_decode(int argc, char **argv);
int pcap_cmd_stats(int argc, char **argv);
int pcap_cmd_verify(int argc, char **argv);
int pcap_cmd_replay(int argc, char **argv);

/* decode's and stats' arguments: FILE [--json] [--idle-ms MS]. Returns -1 to go on, or
 * the exit status (help printed, or a usage error reported). */
int pcap_file_args(int argc, char **argv, const char *cmd, bool *json, uint64_t *idle, const char **file);

/* A time option in ms (--idle-ms, --timeout-ms): above 0, at most 1e9, fractions allowed;
 * *ns gets it in ns. 0, or -1 with a one-line err naming opt. */
int pcap_ms_parse(uint64_t *ns, const char *opt, const char *s, char *err, size_t errlen);

#endif
