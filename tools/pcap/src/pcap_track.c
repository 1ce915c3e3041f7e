/* Groups the frames of a capture into transactions and broadcast runs, streaming: only the
 * groups still open (and those waiting behind an open one) are held in memory, so a long
 * capture needs no more memory than its busiest moment. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pcap_tool.h"

#define LANES 256 /* the record's lane is one octet */

typedef struct {
  bool has_end;
  uint64_t end;     /* latest end of a frame on the lane */
  pcap_group *run;  /* the lane's broadcast run, while it may grow */
} lane_state;

struct pcap_tracker {
  uint64_t idle_ns;
  pcap_group_fn fn;
  void *ctx;
  dsrc_l1_params l1;
  pcap_group *head, *tail; /* groups not yet emitted, in order of their first frame */
  unsigned txns;
  lane_state lanes[LANES];
};

pcap_tracker *pcap_tracker_new(uint64_t idle_ns, pcap_group_fn fn, void *ctx) {
  pcap_tracker *t = calloc(1, sizeof(*t));
  if (!t) return NULL;
  t->idle_ns = idle_ns;
  t->fn = fn;
  t->ctx = ctx;
  dsrc_l1_params_default(&t->l1);
  return t;
}

static void group_free(pcap_group *g) {
  for (size_t i = 0; i < g->nframes; i++) pcap_frame_release(&g->frames[i]);
  free(g->frames);
  free(g);
}

void pcap_tracker_free(pcap_tracker *t) {
  if (!t) return;
  while (t->head) {
    pcap_group *g = t->head;
    t->head = g->next;
    group_free(g);
  }
  free(t);
}

static void group_close(pcap_tracker *t, pcap_group *g) {
  g->closed = true;
  if (t->lanes[g->lane].run == g) t->lanes[g->lane].run = NULL;
}

static pcap_group *group_new(pcap_tracker *t, pcap_group_kind kind, uint8_t lane, uint32_t lid,
                             uint64_t t_first) {
  pcap_group *g = calloc(1, sizeof(*g));
  if (!g) return NULL;
  g->kind = kind;
  g->lane = lane;
  g->lid = lid;
  g->t_first = t_first;
  if (kind == PCAP_GROUP_TXN) g->number = ++t->txns;
  if (t->tail)
    t->tail->next = g;
  else
    t->head = g;
  t->tail = g;
  return g;
}

/* Moves pf into g (g owns its octets from now on). */
static int group_append(pcap_group *g, pcap_frame *pf) {
  uint64_t end = pf->t_ns + pf->air_ns;
  if (g->nframes == g->cap) {
    size_t cap = g->cap ? g->cap * 2 : 16;
    pcap_frame *nf = realloc(g->frames, cap * sizeof(*nf));
    if (!nf) return -1;
    g->frames = nf;
    g->cap = cap;
  }
  g->frames[g->nframes++] = *pf;
  if (end > g->t_end) g->t_end = end;
  return 0;
}

/* What a private frame tells about its transaction: the first window request, retries
 * (docs/timing-model.md, "Retries": the same S asks for the last uplink frame again, the same n
 * repeats a command), late responses, the RELEASE that ends it. */
static void txn_note(pcap_group *g, pcap_frame *pf) {
  const dsrc_frame *f = &pf->f;
  pcap_frame_name(pf, g->last_cmd, sizeof(g->last_cmd));
  if (pf->role == PCAP_ROLE_MALFORMED) return;
  if (pf->role == PCAP_ROLE_WINDOW_REQUEST && !g->has_request) {
    g->has_request = true;
    g->t_request_end = pf->t_ns + pf->air_ns;
  }
  if (!(f->mac & DSRC_MAC_D) && (f->mac & DSRC_MAC_A)) {
    uint8_t s = f->mac & DSRC_MAC_S;
    if (g->have_s && s == g->last_s) g->alloc_retries++;
    g->have_s = true;
    g->last_s = s;
  }
  if (pf->role == PCAP_ROLE_COMMAND && dsrc_llc_is_acn(f->llc)) {
    uint8_t n = f->llc >> 7;
    if (g->have_n && n == g->last_n) g->cmd_retries++;
    g->have_n = true;
    g->last_n = n;
  }
  if (pf->role == PCAP_ROLE_NE_OK) g->late++;
  if (pf->role == PCAP_ROLE_RELEASE) {
    g->released = true;
    g->closed = true;
    g->t_release = pf->t_ns;
  }
}

static pcap_group *open_txn(pcap_tracker *t, uint8_t lane, uint32_t lid) {
  for (pcap_group *g = t->head; g; g = g->next)
    if (g->kind == PCAP_GROUP_TXN && !g->closed && g->lane == lane && (lid == 0 || g->lid == lid))
      return g;
  return NULL;
}

/* Broadcasts heard while a transaction is open on their lane wait in tentative runs: the
 * next frame of a transaction that began before them moves them into it (they lie between
 * two of its frames); if the transactions end without one, they stay runs. So a
 * transaction that dies does not swallow the BSTs that follow it, nor a new one the BSTs
 * before its window request. The queue is in order of first frames: the runs after dst. */
static int tentative_flush(pcap_tracker *t, uint8_t lane, pcap_group *dst) {
  pcap_group *prev = dst, *g, *next;
  for (g = dst->next; g; g = next) {
    next = g->next;
    if (g->kind != PCAP_GROUP_BROADCAST || !g->tentative || g->lane != lane) {
      prev = g;
      continue;
    }
    for (size_t i = 0; i < g->nframes; i++) {
      if (group_append(dst, &g->frames[i]) != 0) {
        /* The frames moved so far belong to dst now; the rest stay with g. */
        memmove(g->frames, g->frames + i, (g->nframes - i) * sizeof(*g->frames));
        g->nframes -= i;
        return -1;
      }
    }
    g->nframes = 0;
    prev->next = next;
    if (t->tail == g) t->tail = prev;
    if (t->lanes[lane].run == g) t->lanes[lane].run = NULL;
    group_free(g);
  }
  return 0;
}

/* Once no transaction is open on the lane, its tentative runs are plain runs. */
static void tentative_settle(pcap_tracker *t, uint8_t lane) {
  if (open_txn(t, lane, 0)) return;
  for (pcap_group *g = t->head; g; g = g->next)
    if (g->kind == PCAP_GROUP_BROADCAST && g->lane == lane) g->tentative = false;
}

static int emit_ready(pcap_tracker *t) {
  while (t->head && t->head->closed) {
    pcap_group *g = t->head;
    int rv = t->fn(t->ctx, g);
    t->head = g->next;
    if (!t->head) t->tail = NULL;
    group_free(g);
    if (rv != 0) return rv;
  }
  return 0;
}

static void expire(pcap_tracker *t, uint64_t now) {
  for (pcap_group *g = t->head; g; g = g->next) {
    /* A transaction lives by its own frames, not by the BSTs around it. */
    uint64_t last = g->kind == PCAP_GROUP_TXN ? g->t_own_end : g->t_end;
    if (g->closed || now <= last || now - last <= t->idle_ns) continue;
    group_close(t, g);
    if (g->kind == PCAP_GROUP_TXN) tentative_settle(t, g->lane);
  }
}

/* Routes a frame: private frames to the transaction of their LID (opening one), broadcast
 * frames to the lane's run of identical broadcasts (tentative while a transaction is open
 * on the lane). */
static int route(pcap_tracker *t, pcap_frame *pf) {
  lane_state *ls = &t->lanes[pf->lane];
  bool private_lid = pf->role != PCAP_ROLE_MALFORMED && pf->f.lid_len == 4, tentative;
  pcap_group *g;
  if (private_lid) {
    g = open_txn(t, pf->lane, pf->f.lid);
    if (g) {
      if (tentative_flush(t, pf->lane, g) != 0) return -1;
    } else {
      /* Broadcasts before a transaction's first frame are not its own: the lane's run ends
       * here (and, if tentative, waits for the transactions already open). */
      if (ls->run) group_close(t, ls->run);
      if (!(g = group_new(t, PCAP_GROUP_TXN, pf->lane, pf->f.lid, pf->t_ns))) return -1;
    }
    txn_note(g, pf);
    if (group_append(g, pf) != 0) return -1;
    if (pf->t_ns + pf->air_ns > g->t_own_end) g->t_own_end = pf->t_ns + pf->air_ns;
    if (g->closed) tentative_settle(t, pf->lane);
    return 0;
  }
  {
    /* Broadcast frames name no command: a scratch keeps the transaction's names clean. */
    char scratch[24] = "";
    pcap_frame_name(pf, scratch, sizeof(scratch));
  }
  tentative = open_txn(t, pf->lane, 0) != NULL;
  g = ls->run;
  /* A run holds the same frame with the same fate on the air. */
  if (g && (g->tentative != tentative || g->frames[0].len != pf->len || g->frames[0].flags != pf->flags ||
            memcmp(g->frames[0].octets, pf->octets, pf->len) != 0)) {
    group_close(t, g);
    g = NULL;
  }
  if (!g) {
    if (!(g = group_new(t, PCAP_GROUP_BROADCAST, pf->lane, pf->rec_lid, pf->t_ns))) return -1;
    g->tentative = tentative;
    ls->run = g;
  }
  return group_append(g, pf);
}

int pcap_tracker_add(pcap_tracker *t, const io_cap_record *r, unsigned long record) {
  pcap_frame pf;
  lane_state *ls;
  uint64_t end;
  if (pcap_frame_fill(&pf, r, record, &t->l1) != 0) return -1;
  ls = &t->lanes[pf.lane];
  expire(t, pf.t_ns);
  if (ls->has_end) {
    pf.has_gap = true;
    pf.gap_ns = (int64_t)(pf.t_ns - ls->end);
  }
  end = pf.t_ns + pf.air_ns;
  if (!ls->has_end || end > ls->end) ls->end = end;
  ls->has_end = true;
  if (route(t, &pf) != 0) {
    pcap_frame_release(&pf);
    return -1;
  }
  return emit_ready(t);
}

int pcap_tracker_finish(pcap_tracker *t) {
  for (pcap_group *g = t->head; g; g = g->next) {
    group_close(t, g);
    g->tentative = false;
  }
  return emit_ready(t);
}

int pcap_file_walk(const char *path, uint64_t idle_ns, pcap_group_fn fn, void *ctx, char *err,
                   size_t errlen) {
  io_cap_reader *rd = io_cap_reader_open(path, err, errlen);
  pcap_tracker *t;
  io_cap_record rec;
  unsigned long n = 0;
  int rv = 0;
  if (!rd) return IO_CLI_EXIT_FAILURE;
  if (!(t = pcap_tracker_new(idle_ns, fn, ctx))) {
    io_cap_reader_close(rd);
    snprintf(err, errlen, "%s: out of memory", path);
    return IO_CLI_EXIT_FAILURE;
  }
  for (;;) {
    int got = io_cap_reader_next(rd, &rec, err, errlen);
    if (got == 0) break;
    if (got < 0) {
      /* What was read is still shown (a daemon killed mid-record leaves such a file). */
      pcap_tracker_finish(t);
      rv = IO_CLI_EXIT_FAILURE;
      break;
    }
    rv = pcap_tracker_add(t, &rec, ++n);
    if (rv < 0) {
      snprintf(err, errlen, "%s: record %lu: out of memory", path, n);
      rv = IO_CLI_EXIT_FAILURE;
    }
    if (rv != 0) break;
  }
  if (rv == 0) rv = pcap_tracker_finish(t);
  {
    /* Time going back is a warning, not an error: merged captures do it (docs/capture.md). */
    const char *first;
    unsigned long back = io_cap_reader_backsteps(rd, &first);
    if (back == 1) fprintf(stderr, "efc-pcap: warning: %s\n", first);
    else if (back > 1) fprintf(stderr, "efc-pcap: warning: %s, and %lu more records go back\n", first, back - 1);
  }
  pcap_tracker_free(t);
  io_cap_reader_close(rd);
  return rv;
}

int pcap_ms_parse(uint64_t *ns, const char *opt, const char *s, char *err, size_t errlen) {
  double ms;
  if (io_cli_double_parse(&ms, opt, s, 0, 1e9, IO_CLI_ABOVE_LO, err, errlen) != 0) return -1;
  *ns = (uint64_t)(ms * 1e6);
  return 0;
}

int pcap_file_args(int argc, char **argv, const char *cmd, bool *json, uint64_t *idle, const char **file) {
  static const struct option opts[] = {{"json", no_argument, NULL, 'j'},
                                       {"idle-ms", required_argument, NULL, 'i'},
                                       {"help", no_argument, NULL, 'h'},
                                       {NULL, 0, NULL, 0}};
  char prog[32], err[256];
  int opt;
  snprintf(prog, sizeof(prog), "efc-pcap %s", cmd);
  *json = false;
  *idle = PCAP_IDLE_NS_DEFAULT;
  optind = 1;
  while ((opt = io_cli_getopt(argc, argv, opts, err, sizeof(err))) != -1) {
    switch (opt) {
    case 'j':
      *json = true;
      break;
    case 'i':
      if (pcap_ms_parse(idle, "--idle-ms", optarg, err, sizeof(err)) != 0)
        return io_cli_usage(prog, NULL, "%s", err);
      break;
    case 'h':
      printf("usage: efc-pcap %s FILE [--json] [--idle-ms MS]\n"
             "--idle-ms: a number of ms in (0, 1e9]\n", cmd);
      return IO_CLI_EXIT_OK;
    default:
      return io_cli_usage(prog, prog, "%s", err);
    }
  }
  if (optind != argc - 1) return io_cli_usage("efc-pcap", prog, "%s needs exactly one capture FILE", cmd);
  *file = argv[optind];
  return -1;
}
