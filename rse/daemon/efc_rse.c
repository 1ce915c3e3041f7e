/* efc-rse: the RSE talking to efc-obe hosts over UDP, a thin libev shell around the RSE
 * engine and the lane's air model (air/src/lane.c). Each step sends a downlink
 * datagram to every host, collects their uplink frames per window until each host says
 * DONE (or the wall-clock window closes, with --realtime), and hands the windows to the
 * engine. Bit errors are real flipped bits; the receiver's FCS decides. */
#define _DEFAULT_SOURCE
#include <ev.h>
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "io/capture.h"
#include "file/out.h"
#include "dsrc/datagram.h"
#include "air/lane.h"
#include "io/cli.h"
#include "io/udp.h"

#define PROG "efc-rse"
/* The longest wait in ms whose value in ns, added to a clock reading, stays in 64 bits. */
#define MS_MAX (UINT64_C(1) << 43)
#define HOSTS_MAX 16
#define WIN_MAX 16
#define LIDS_MAX 64
/* Malformed status-list lines shown one by one; the rest are counted. */
#define STATUS_WARNINGS_SHOWN 5

typedef struct {
  uint32_t lid;
  uint64_t model_start, model_end, wall_start, wall_end;
} lid_times;

typedef struct {
  rse_config cfg;
  keymgmt_operator_keys keys;
  efc_status_list status;
  dsrc_crypto *crypto;
  dsrc_prng prng, errors;
  rse_engine *r;
  air_lane l;
  io_udp_addr hosts[HOSTS_MAX];
  unsigned nhosts;
  int fd;
  io_cap_writer *cap;
  file_journal *claims;
  bool write_failed; /* a claim or the capture could not be written: the run stops, exit 1 */
  bool realtime, forever, verbose;
  uint64_t target;
  uint64_t timeout_ns, slack_ns;
  uint64_t zone_ns;     /* --zone-ms: a passage with no OBE for this long on the RSE's clock fails */
  uint64_t max_idle_ns; /* --max-idle-s: no answer from the hosts for this long stops the run */
  uint64_t wall0;
  uint64_t last_event;  /* RSE clock: the last session opened or passage ended (the zone's start) */
  uint64_t last_heard;  /* wall clock: the last step every host answered in time (with
                         * --realtime: the last datagram from a host) */
  uint64_t opened;      /* sessions the engine opened */
  bool idle_stop, interrupted;

  /* the step in progress */
  bool waiting;
  air_tx tx;
  uint32_t seq;
  unsigned dones;
  uint32_t done_mask; /* hosts that said done for this step: a second done counts once */
  uint8_t up[WIN_MAX][HOSTS_MAX][DSRC_FRAME_MAX];
  size_t up_len[WIN_MAX][HOSTS_MAX];
  unsigned nup[WIN_MAX];
  uint64_t model, model_t0; /* the model's clock, and the step's start on it */
  uint32_t releasing;       /* the LID whose RELEASE the step being begun carries, or 0 */

  /* results */
  lid_times lids[LIDS_MAX];
  unsigned nlids;
  /* passages: every passage asked for that ended: successes (pass), verdicts other than
   * pass, failures (the engine gave up) and no_obe (no OBE within --zone-ms). */
  uint64_t passages, successes, failures, no_obe, retries, bad_datagrams;
  uint64_t late_responses; /* NE_OK answers, fetched after a later BST (the passages' "late") */
  uint64_t late_uplinks;   /* --realtime: uplinks that arrived after their window closed, dropped */
  uint64_t timed_out;      /* steps ended by --timeout-ms before every host said done */
  double *wall_ms, *model_ms;
  size_t ntimes, captimes;

  ev_timer timer;
  ev_io io;
  ev_signal sigint, sigterm;
  struct ev_loop *loop;
} daemon_rse;

static uint64_t wall_ns(const daemon_rse *d) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec - d->wall0;
}

static void usage(FILE *out) {
  fprintf(out,
          "usage: efc-rse --profile autopass|en15509-l0|en15509-l1|aes --keys FILE --obe ADDR:PORT [--obe ...]\n"
          "               (--passages N | --forever) [--claims FILE] [--status-list FILE] [--pcap FILE]\n"
          "               [--ber B] [--retry-policy by-window|realloc-first] [--realtime]\n"
          "               [--pass-file FILE] [--seed N] [--station N] [--lane N] [--timeout-ms N]\n"
          "               [--slack-ms N] [--zone-ms N] [--max-idle-s N] [--start UNIXSECONDS] [--verbose]\n"
          "       efc-rse --help | --version\n"
          "\n"
          "Runs the RSE against efc-obe hosts over UDP. --keys is the toll charger's key file\n"
          "(efc-keymgmt export-operator; passphrase from --pass-file or EFC_OPERATOR_PASS). Claims\n"
          "go to --claims as JSON lines. --ber (0 <= B < 0.5) flips bits on the air, both ways, so\n"
          "that frames fail as often as in the simulator (docs/timing-model.md); --retry-policy\n"
          "chooses what follows a command's bad window (default by-window). Without --realtime the\n"
          "link runs in virtual time, each step waiting for every host (up to --timeout-ms, 1..2^43,\n"
          "default 500); with it, windows close on the wall clock (plus --slack-ms, 0..2^43, default\n"
          "1) and an answer after its window is lost and retried.\n"
          "\n"
          "Every passage asked for ends: done, failed by the RSE (retries exhausted, or 1 s without\n"
          "progress), or failed as \"no OBE\" when no OBE opens a session within --zone-ms (1..2^43,\n"
          "default 2000) of the RSE's clock after the previous passage ended. When the hosts have not\n"
          "answered for --max-idle-s (1..86400, default 10) of wall-clock time (in virtual time: no\n"
          "step every host answered within --timeout-ms), efc-rse stops with an error.\n"
          "\n"
          "The RSE's clock (claim times) starts at --start (unix seconds, 0..2^40), default now; when\n"
          "--claims FILE already holds claims, the default is a second after its last claim (a run\n"
          "in virtual time covers more claim time than it takes), and a --start before it is\n"
          "refused. Other ranges: --passages 1..2^64-1, --seed 0..2^64-1, --station 0..65535,\n"
          "--lane 1..127. Runs whose claims go to different files and are checked together need\n"
          "--start values that keep them apart (docs/datagram.md).\n"
          "\n"
          "The summary: passages (done or failed, as asked), successful (done, verdict pass), retries\n"
          "(commands and allocations sent again), failed (retries exhausted or no progress / no\n"
          "OBE), photograph or reject (done, another verdict); then late responses (NE_OK answers,\n"
          "fetched in a window after a later BST: the \"late\" of --verbose), uplinks after their\n"
          "window (--realtime: dropped as lost), steps timed out (a host sent no done within\n"
          "--timeout-ms), bad datagrams ignored; then wall-clock transaction times beside the\n"
          "timing model's for the same messages. --verbose: a line per passage on stderr.\n"
          "exit status: 0 every passage asked for ended and an OBE took part; 1 bad input, no OBE\n"
          "at all, no host answering (--max-idle-s) or interrupted before the passages were done;\n"
          "2 bad usage.\n");
}

static lid_times *lid_find(daemon_rse *d, uint32_t lid, bool add) {
  for (unsigned i = 0; i < d->nlids; i++)
    if (d->lids[i].lid == lid) return &d->lids[i];
  if (!add) return NULL;
  if (d->nlids == LIDS_MAX) memmove(d->lids, d->lids + 1, (--d->nlids) * sizeof(d->lids[0]));
  memset(&d->lids[d->nlids], 0, sizeof(d->lids[0]));
  d->lids[d->nlids].lid = lid;
  return &d->lids[d->nlids++];
}

/* A run that cannot record its results stops: one line naming the file, exit 1. */
static void write_failed(daemon_rse *d, const char *err) {
  fprintf(stderr, "efc-rse: %s\n", err);
  d->write_failed = true;
  ev_break(d->loop, EVBREAK_ALL);
}

/* Every frame on the air goes to the capture. */
static void on_frame(void *ctx, const air_frame *f) {
  daemon_rse *d = ctx;
  if (d->cap && !d->write_failed) {
    char err[400];
    io_cap_record r = {d->realtime ? f->t_start : d->model_t0 + (f->t_start - d->tx.t0), f->uplink,
                       d->cfg.lane,
                       (uint8_t)((f->corrupted ? IO_CAP_CORRUPTED : 0) | (f->collided ? IO_CAP_COLLIDED : 0)),
                       io_cap_frame_lid(f->frame, f->len), f->frame, f->len};
    if (io_cap_writer_put(d->cap, &r, err, sizeof(err)) != 0) write_failed(d, err);
  }
}

/* A session opened (in a window of the step being finished): its transaction's clocks start. */
static void on_session_opened(rse_engine *r, uint32_t lid, uint64_t t, void *user) {
  daemon_rse *d = user;
  lid_times *lt = lid_find(d, lid, true);
  (void)r;
  d->opened++;
  if (t > d->last_event) d->last_event = t;
  lt->model_start = d->model_t0 + (t - d->tx.t0);
  lt->wall_start = wall_ns(d);
  lt->model_end = 0;
}

/* A session closed. Done: its RELEASE is the frame of the step being begun, whose end
 * (release_sent) stops the transaction's clocks. */
static void on_session_closed(rse_engine *r, const rse_passage *p, void *user) {
  daemon_rse *d = user;
  (void)r;
  if (p->outcome == RSE_OUT_DONE) d->releasing = p->lid;
}

static void release_sent(daemon_rse *d) {
  lid_times *lt = lid_find(d, d->releasing, false);
  if (lt) {
    lt->model_end = d->model_t0 + (d->tx.t1 - d->tx.t0);
    lt->wall_end = wall_ns(d);
  }
  d->releasing = 0;
}

static const rse_callbacks rse_events = {.session_opened = on_session_opened, .session_closed = on_session_closed};

static void record_time(daemon_rse *d, double wall, double model) {
  if (d->ntimes == d->captimes) {
    size_t cap = d->captimes ? d->captimes * 2 : 256;
    double *a = realloc(d->wall_ms, cap * sizeof(double)), *b;
    if (!a) return;
    d->wall_ms = a;
    b = realloc(d->model_ms, cap * sizeof(double));
    if (!b) return;
    d->model_ms = b;
    d->captimes = cap;
  }
  d->wall_ms[d->ntimes] = wall;
  d->model_ms[d->ntimes++] = model;
}

static void collect(daemon_rse *d) {
  rse_passage p;
  while (rse_passage_pop(d->r, &p)) {
    lid_times *t = lid_find(d, p.lid, false);
    d->passages++;
    d->retries += p.retries;
    d->late_responses += p.late_responses;
    if (p.t_end > d->last_event) d->last_event = p.t_end;
    if (p.outcome == RSE_OUT_DONE && p.claim.verdict == EFC_PASS) d->successes++;
    if (p.outcome == RSE_OUT_FAILED) d->failures++;
    if (d->verbose) {
      char why[128];
      efc_reasons_format(why, sizeof(why), p.claim.reasons);
      fprintf(stderr, "efc-rse: LID %08" PRIX32 ": %s, %s%s%s, %u retries, %u late responses: %s\n", p.lid,
              p.outcome == RSE_OUT_DONE ? "done" : "failed", efc_verdict_name(p.claim.verdict), why[0] ? " " : "",
              why, p.retries, p.late_responses, p.sequence);
    }
    if (d->claims && p.outcome == RSE_OUT_DONE && !d->write_failed) {
      /* The journal syncs the claim before the lane goes on: a kill cannot take it back. */
      char line[2048], err[400];
      int n = efc_claim_format(&p.claim, line, sizeof(line) - 1);
      if (n <= 0) {
        write_failed(d, "a claim could not be formatted");
      } else {
        line[n] = '\n';
        if (file_journal_append(d->claims, line, (size_t)n + 1, err, sizeof(err)) != 0) write_failed(d, err);
      }
    }
    if (t && t->model_end && p.outcome == RSE_OUT_DONE)
      record_time(d, (double)(t->wall_end - t->wall_start) / 1e6, (double)(t->model_end - t->model_start) / 1e6);
  }
}

static void schedule(daemon_rse *d, uint64_t at_wall);

/* Every passage asked for has ended: the run is over. */
static bool all_ended(daemon_rse *d) {
  if (d->forever || d->passages < d->target) return false;
  ev_break(d->loop, EVBREAK_ALL);
  return true;
}

static void send_downlink(daemon_rse *d) {
  const rse_config *c = &d->cfg;
  size_t len;
  dsrc_dg out;
  memset(&out, 0, sizeof(out));
  out.kind = DSRC_DG_DOWNLINK;
  out.lane = c->lane;
  out.flags = d->tx.s.public_windows ? DSRC_DG_PUBLIC : 0;
  out.seq = ++d->seq;
  out.time_ns = d->tx.t1;
  out.count = d->tx.s.windows;
  out.window0_ns = (uint32_t)c->gap_du_ns;
  out.step_ns = d->tx.s.public_windows ? (uint32_t)c->public_window_ns : 0;
  len = d->tx.s.len < DSRC_FRAME_MAX ? d->tx.s.len : DSRC_FRAME_MAX; /* one frame */
  for (unsigned i = 0; i < d->nhosts; i++) {
    uint8_t f[DSRC_FRAME_MAX], buf[DSRC_DG_MAX];
    dsrc_ssize n;
    memcpy(f, d->tx.s.frame, len);
    /* Each host is a different receiver: its own bit errors. */
    air_damage(&d->l, false, f, len);
    out.frame = f;
    out.len = len;
    n = dsrc_dg_encode(buf, sizeof(buf), &out);
    if (n > 0) sendto(d->fd, buf, (size_t)n, 0, (const struct sockaddr *)&d->hosts[i].sa, d->hosts[i].len);
  }
  {
    air_frame lf = {d->tx.t0, d->tx.t1, false, -1, d->tx.s.frame, d->tx.s.len, false, false, 0};
    on_frame(d, &lf);
  }
  if (d->releasing) release_sent(d);
}

/* The windows are closed: hand them to the engine, then the next step. */
static void finish_step(daemon_rse *d) {
  uint64_t t0 = d->tx.t0;
  d->waiting = false;
  ev_timer_stop(d->loop, &d->timer);
  /* In virtual time a host that answers after --timeout-ms is as good as gone: the model's
   * clock then moves a step per timeout, and a passage could take hours. */
  if (d->tx.s.windows && d->dones < d->nhosts && !d->realtime) d->timed_out++;
  else if (!d->realtime && d->tx.s.windows) d->last_heard = wall_ns(d);
  for (unsigned w = 0; w < d->tx.s.windows && w < WIN_MAX; w++) {
    air_uplink up[HOSTS_MAX];
    for (unsigned k = 0; k < d->nup[w]; k++) air_uplink_make(&d->l, &up[k], d->up[w][k], d->up_len[w][k], (int)k);
    air_tx_window(&d->l, &d->tx, w, up, d->nup[w]);
  }
  air_tx_end(&d->l, &d->tx);
  d->model += d->l.now - t0;
  collect(d);
  if (all_ended(d)) return;
  schedule(d, d->realtime ? d->l.now : 0);
}

/* No OBE has opened a session for --zone-ms of the RSE's clock since the last passage
 * ended: the passage asked for ends as a failure ("no OBE"), and the engine admits one
 * session fewer, so that the run still ends after exactly --passages passages. Such a
 * passage has no LID and no claim; it is counted, never silently waited for. */
static bool zone_expired(daemon_rse *d) {
  uint64_t used;
  if (d->forever || rse_sessions_open(d->r) || d->l.now <= d->last_event || d->l.now - d->last_event <= d->zone_ns)
    return false;
  d->passages++;
  d->no_obe++;
  d->last_event = d->l.now;
  used = d->opened + d->no_obe;
  rse_admit_limit(d->r, used < d->target ? d->target - used : 0);
  if (d->verbose)
    fprintf(stderr, "efc-rse: no OBE: failed, no session within %" PRIu64 " ms\n", d->zone_ns / 1000000u);
  return all_ended(d);
}

static void step(daemon_rse *d) {
  uint64_t now = d->realtime ? wall_ns(d) : d->l.now;
  if (d->realtime && now > d->l.now) d->l.now = now;
  if (wall_ns(d) - d->last_heard > d->max_idle_ns) {
    /* No host has answered for that long: it is gone, was never there, or (in virtual
     * time) misses every --timeout-ms. Each step would otherwise wait for ever. */
    d->idle_stop = true;
    ev_break(d->loop, EVBREAK_ALL);
    return;
  }
  if (zone_expired(d)) return;
  d->model_t0 = d->model;
  if (!air_tx_begin(&d->l, UINT64_MAX, &d->tx)) {
    /* Idle until the next BST: on the wall clock, or at once in virtual time. */
    d->releasing = 0;
    d->model += d->l.now - now;
    schedule(d, d->realtime ? d->l.now : 0);
    return;
  }
  d->model_t0 = d->model;
  memset(d->nup, 0, sizeof(d->nup));
  d->dones = 0;
  d->done_mask = 0;
  d->waiting = true;
  send_downlink(d);
  if (d->tx.s.windows == 0) {
    finish_step(d);
    return;
  }
  {
    /* Without --realtime the hosts' DONE ends the step; the timeout only guards against a
     * host that is gone. With it, the last window's end on the wall clock does. */
    uint64_t until;
    if (d->realtime) {
      uint64_t ws = air_tx_window_start(&d->l, &d->tx, d->tx.s.windows - 1);
      uint64_t len = d->tx.s.public_windows ? d->cfg.public_window_ns : 4700000u; /* a 128-octet frame */
      until = ws + len + d->slack_ns;
    } else {
      until = wall_ns(d) + d->timeout_ns;
    }
    ev_timer_stop(d->loop, &d->timer);
    ev_timer_set(&d->timer, until > wall_ns(d) ? (double)(until - wall_ns(d)) / 1e9 : 0, 0);
    ev_timer_start(d->loop, &d->timer);
  }
}

static void on_timer(struct ev_loop *loop, ev_timer *w, int revents) {
  daemon_rse *d = w->data;
  (void)loop;
  (void)revents;
  if (d->waiting) finish_step(d);
  else step(d);
}

/* at_wall 0: now (virtual time needs no waiting). */
static void schedule(daemon_rse *d, uint64_t at_wall) {
  uint64_t now = wall_ns(d);
  ev_timer_stop(d->loop, &d->timer);
  ev_timer_set(&d->timer, at_wall > now ? (double)(at_wall - now) / 1e9 : 0, 0);
  ev_timer_start(d->loop, &d->timer);
}

static void on_read(struct ev_loop *loop, ev_io *w, int revents) {
  daemon_rse *d = w->data;
  (void)loop;
  (void)revents;
  for (;;) {
    uint8_t buf[2048];
    io_udp_addr from;
    dsrc_dg u;
    unsigned host = HOSTS_MAX;
    int rv = io_udp_dg_recv(d->fd, buf, sizeof(buf), &from, &u);
    if (rv < 0) return;
    for (unsigned i = 0; i < d->nhosts; i++)
      if (io_udp_addr_equal(&from, &d->hosts[i])) host = i;
    if (host == HOSTS_MAX || rv > 0 || u.kind == DSRC_DG_DOWNLINK) {
      d->bad_datagrams++;
      continue;
    }
    if (d->realtime) d->last_heard = wall_ns(d);
    if (!d->waiting || u.ref != d->seq) continue; /* an answer to an earlier step: too late */
    if (u.kind == DSRC_DG_DONE) {
      if (d->done_mask & (1u << host)) continue;
      d->done_mask |= 1u << host;
      /* Every host has said all it will: on the wall clock too, waiting for the window's
       * end would only add time the air does not have (each uplink was checked against its
       * own deadline as it came). */
      if (++d->dones == d->nhosts) finish_step(d);
      continue;
    }
    if (u.count >= d->tx.s.windows || u.count >= WIN_MAX || d->nup[u.count] >= HOSTS_MAX) {
      d->bad_datagrams++;
      continue;
    }
    if (d->realtime) {
      /* On the wall clock the frame must have ended within its window. */
      uint64_t ws = air_tx_window_start(&d->l, &d->tx, u.count), air;
      dsrc_l1_params p = d->l.l1;
      air = dsrc_l1_airtime_ns(&p, 1, u.frame, u.len);
      if (wall_ns(d) > ws + air + d->slack_ns) {
        d->late_uplinks++;
        continue;
      }
    }
    memcpy(d->up[u.count][d->nup[u.count]], u.frame, u.len);
    d->up_len[u.count][d->nup[u.count]++] = u.len;
  }
}

static void on_signal(struct ev_loop *loop, ev_signal *w, int revents) {
  daemon_rse *d = w->data;
  (void)revents;
  d->interrupted = true;
  ev_break(loop, EVBREAK_ALL);
}

static int cmp_double(const void *a, const void *b) {
  double x = *(const double *)a, y = *(const double *)b;
  return x < y ? -1 : x > y;
}

static void summary(daemon_rse *d) {
  double wm = 0, mm = 0, w99 = 0, m99 = 0;
  /* The first line's start is what scripts match ("N passages, N successful, 0 retries"). */
  printf("efc-rse: profile %s, %" PRIu64 " passages, %" PRIu64 " successful, %" PRIu64 " retries, %" PRIu64
         " failed (%" PRIu64 " retries exhausted or no progress, %" PRIu64 " no OBE), %" PRIu64
         " photograph or reject\n",
         efc_profile_name(d->cfg.profiles[0]), d->passages, d->successes, d->retries, d->failures + d->no_obe,
         d->failures, d->no_obe, d->passages - d->successes - d->failures - d->no_obe);
  printf("efc-rse: link: %" PRIu64 " late responses (NE_OK, answer fetched after a later BST), %" PRIu64
         " uplinks after their window (dropped), %" PRIu64 " steps timed out waiting for a host, %" PRIu64
         " bad datagrams ignored\n",
         d->late_responses, d->late_uplinks, d->timed_out, d->bad_datagrams);
  if (d->ntimes) {
    for (size_t i = 0; i < d->ntimes; i++) {
      wm += d->wall_ms[i];
      mm += d->model_ms[i];
    }
    qsort(d->wall_ms, d->ntimes, sizeof(double), cmp_double);
    qsort(d->model_ms, d->ntimes, sizeof(double), cmp_double);
    w99 = d->wall_ms[(size_t)ceil(0.99 * (double)d->ntimes) - 1];
    m99 = d->model_ms[(size_t)ceil(0.99 * (double)d->ntimes) - 1];
    printf("transaction time (first window request to RELEASE), %zu passages: wall clock mean %.2f ms, p99 %.2f ms;"
           " timing model mean %.2f ms, p99 %.2f ms%s\n",
           d->ntimes, wm / (double)d->ntimes, w99, mm / (double)d->ntimes, m99,
           d->realtime ? "" : " (virtual time: wall clock is processing speed only)");
  }
}

/* The latest claim time among the last claims of path (the tail of the file: claims are
 * appended in time order), in unix centiseconds: 1 and *out set, 0 when the file is
 * missing or holds no claim. Lines that are not claims are the issuer's to judge. */
#define CLAIMS_TAIL (256 * 1024)
static int claims_last_cs(const char *path, int64_t *out) {
  FILE *f = fopen(path, "rb");
  char *buf, *line, *nl;
  size_t n;
  long size, from;
  int found = 0;
  if (!f) return 0;
  if (fseek(f, 0, SEEK_END) != 0 || (size = ftell(f)) < 0 ||
      fseek(f, from = size > CLAIMS_TAIL ? size - CLAIMS_TAIL : 0, SEEK_SET) != 0 ||
      !(buf = malloc(CLAIMS_TAIL + 1))) {
    fclose(f);
    return 0;
  }
  n = fread(buf, 1, CLAIMS_TAIL, f);
  fclose(f);
  buf[n] = '\0';
  line = buf;
  /* Read from the middle of the file, the first line may be a part of one. */
  if (from > 0 && (nl = strchr(buf, '\n'))) line = nl + 1;
  for (; *line; line = nl + 1) {
    efc_claim c;
    char err[128];
    if (!(nl = strchr(line, '\n'))) break; /* a last line without its newline: unfinished */
    *nl = '\0';
    if (efc_claim_parse(&c, line, err, sizeof(err)) == 0 && (!found || c.time_cs > *out)) {
      *out = c.time_cs;
      found = 1;
    }
  }
  free(buf);
  return found;
}

/* The status list, its first STATUS_WARNINGS_SHOWN malformed lines named on stderr and the
 * rest counted in one line (a file of two million bad lines must not print two million). */
static int status_load(efc_status_list *l, const char *path, char *err, size_t errlen) {
  int skipped = efc_status_list_load(l, path, stderr, STATUS_WARNINGS_SHOWN, err, errlen);
  if (skipped > STATUS_WARNINGS_SHOWN)
    fprintf(stderr, "efc-rse: %s: %d malformed lines skipped in all (the first %d shown)\n", path, skipped,
            STATUS_WARNINGS_SHOWN);
  return skipped;
}

static int run(int argc, char **argv) {
  static const struct option opts[] = {
      {"profile", required_argument, NULL, 'p'},   {"keys", required_argument, NULL, 'k'},
      {"obe", required_argument, NULL, 'o'},       {"passages", required_argument, NULL, 'n'},
      {"forever", no_argument, NULL, 'f'},         {"claims", required_argument, NULL, 'C'},
      {"status-list", required_argument, NULL, 's'}, {"pcap", required_argument, NULL, 'c'},
      {"ber", required_argument, NULL, 'b'},       {"realtime", no_argument, NULL, 'R'},
      {"pass-file", required_argument, NULL, 'P'}, {"seed", required_argument, NULL, 'S'},
      {"station", required_argument, NULL, 't'},   {"lane", required_argument, NULL, 'L'},
      {"timeout-ms", required_argument, NULL, 'T'}, {"slack-ms", required_argument, NULL, 'K'},
      {"verbose", no_argument, NULL, 'v'},         {"start", required_argument, NULL, 'A'},
      {"retry-policy", required_argument, NULL, 'r'}, {"help", no_argument, NULL, 'h'},
      {"zone-ms", required_argument, NULL, 'Z'},   {"max-idle-s", required_argument, NULL, 'I'},
      {"version", no_argument, NULL, IO_CLI_OPT_VERSION}, {NULL, 0, NULL, 0}};
  static daemon_rse d;
  const char *keys = NULL, *claims = NULL, *status = NULL, *pcap = NULL, *pass_file = NULL;
  uint64_t seed = 0, timeout_ms = 500, slack_ms = 1, start = 0, zone_ms = 2000, max_idle_s = 10;
  int64_t last_cs = 0;
  uint32_t v;
  bool seeded = false, started = false, have_last;
  int profile = -1, c;
  double ber = 0;
  char err[512], pass[IO_PASS_MAX];
  io_udp_addr any;

  rse_config_default(&d.cfg);
  while ((c = io_cli_getopt(argc, argv, opts, err, sizeof(err))) != -1) {
    int bad = 0;
    switch (c) {
    case 'p':
      if ((profile = efc_profile_parse(optarg)) < 0)
        return io_cli_usage(PROG, NULL, "--profile: unknown profile '%s'", optarg);
      break;
    case 'k':
      keys = optarg;
      break;
    case 'o':
      if (d.nhosts == HOSTS_MAX) return io_cli_usage(PROG, NULL, "--obe given too often");
      if (io_udp_peer_parse(&d.hosts[d.nhosts], optarg, err, sizeof(err)) != 0)
        return io_cli_usage(PROG, NULL, "--obe %s", err);
      d.nhosts++;
      break;
    case 'n':
      bad = io_cli_u64_parse(&d.target, "--passages", optarg, 1, UINT64_MAX, err, sizeof(err));
      break;
    case 'f':
      d.forever = true;
      break;
    case 'C':
      claims = optarg;
      break;
    case 's':
      status = optarg;
      break;
    case 'c':
      pcap = optarg;
      break;
    case 'b':
      bad = io_cli_double_parse(&ber, "--ber", optarg, 0, 0.5, IO_CLI_BELOW_HI, err, sizeof(err));
      break;
    case 'R':
      d.realtime = true;
      break;
    case 'P':
      pass_file = optarg;
      break;
    case 'S':
      bad = io_cli_u64_parse(&seed, "--seed", optarg, 0, UINT64_MAX, err, sizeof(err));
      seeded = true;
      break;
    case 't':
      if (!(bad = io_cli_u32_parse(&v, "--station", optarg, 0, 65535, err, sizeof(err)))) {
        d.cfg.station = (uint16_t)v;
        d.cfg.beacon.individual_id = v;
      }
      break;
    case 'L':
      if (!(bad = io_cli_u32_parse(&v, "--lane", optarg, 1, 127, err, sizeof(err)))) d.cfg.lane = (uint8_t)v;
      break;
    case 'T':
      bad = io_cli_u64_parse(&timeout_ms, "--timeout-ms", optarg, 1, MS_MAX, err, sizeof(err));
      break;
    case 'K':
      bad = io_cli_u64_parse(&slack_ms, "--slack-ms", optarg, 0, MS_MAX, err, sizeof(err));
      break;
    case 'Z':
      bad = io_cli_u64_parse(&zone_ms, "--zone-ms", optarg, 1, MS_MAX, err, sizeof(err));
      break;
    case 'I':
      bad = io_cli_u64_parse(&max_idle_s, "--max-idle-s", optarg, 1, 86400, err, sizeof(err));
      break;
    case 'v':
      d.verbose = true;
      break;
    case 'A':
      /* Up to 2^40 s: far beyond any toll date, and time_cs stays well inside 64 bits. */
      bad = io_cli_u64_parse(&start, "--start", optarg, 0, UINT64_C(1) << 40, err, sizeof(err));
      started = true;
      break;
    case 'r': {
      int pol = rse_retry_policy_parse(optarg);
      if (pol < 0)
        return io_cli_usage(PROG, NULL, "--retry-policy: expected by-window or realloc-first, got '%s'",
                            optarg);
      d.cfg.retry_policy = (uint8_t)pol;
      break;
    }
    default:
      return io_cli_getopt_default(c, PROG, err, usage);
    }
    if (bad) return io_cli_usage(PROG, NULL, "%s", err);
  }
  if (profile < 0 || !keys || d.nhosts == 0 || (!d.target && !d.forever) || (d.target && d.forever) ||
      optind != argc)
    return io_cli_usage(PROG, PROG,
                        "needs --profile, --keys, at least one --obe, and --passages N or --forever");
  if ((c = io_cli_pass_read(pass, PROG, PROG, pass_file, "EFC_OPERATOR_PASS", "--pass-file")) != 0) return c;
  c = keymgmt_operator_keys_load(&d.keys, keys, pass, err, sizeof(err));
  io_pass_wipe(pass);
  if (c != 0) return io_cli_fail(IO_CLI_EXIT_FAILURE, PROG, "%s", err);
  efc_status_list_init(&d.status);
  if (status) {
    int skipped = status_load(&d.status, status, err, sizeof(err));
    if (skipped < 0) {
      fprintf(stderr, "efc-rse: %s\n", err);
      return IO_CLI_EXIT_FAILURE;
    }
    d.cfg.status = &d.status;
  }
  if (claims && file_journal_open(&d.claims, claims, 0, err, sizeof(err)) != 0) {
    fprintf(stderr, "efc-rse: %s\n", err);
    return IO_CLI_EXIT_FAILURE;
  }
  if (pcap && !(d.cap = io_cap_writer_open(pcap, err, sizeof(err)))) {
    fprintf(stderr, "efc-rse: %s\n", err);
    return IO_CLI_EXIT_FAILURE;
  }
  /* pcap has no comment field: the version that wrote the capture goes beside it. */
  if (pcap && io_cli_sidecar_write(pcap, PROG, err, sizeof(err)) != 0)
    return io_cli_fail(IO_CLI_EXIT_FAILURE, PROG, "%s", err);
  if (dsrc_crypto_new(&d.crypto, err, sizeof(err)) != 0) {
    fprintf(stderr, "efc-rse: %s\n", err);
    return IO_CLI_EXIT_FAILURE;
  }
  /* Claims carry the date they were made, and the issuer orders an OBE's claims by it: two
   * runs whose claim times overlap show its counters going backwards. A run in virtual time
   * covers more claim time than wall-clock time, so "now" can lie inside the last run's
   * claims; a run appending to them starts a second after the last one. */
  have_last = claims && claims_last_cs(claims, &last_cs);
  if (started) {
    if (have_last && (int64_t)start * 100 <= last_cs)
      return io_cli_fail(IO_CLI_EXIT_FAILURE, PROG,
                         "--start %" PRIu64 " is not after the last claim in %s (unix time %" PRId64 ".%02d): the"
                         " issuer would see counters go backwards; give --start %" PRId64 " or later, or another"
                         " claims file",
                         start, claims, last_cs / 100, (int)(last_cs % 100), last_cs / 100 + 1);
    d.cfg.epoch_cs = (int64_t)start * 100;
  } else {
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    d.cfg.epoch_cs = (int64_t)ts.tv_sec * 100 + ts.tv_nsec / 10000000;
    if (have_last && d.cfg.epoch_cs < last_cs + 100) d.cfg.epoch_cs = last_cs + 100;
  }
  d.cfg.profiles[0] = (uint8_t)profile;
  d.cfg.nprofiles = 1;
  d.cfg.keys = &d.keys;
  d.timeout_ns = timeout_ms * 1000000u;
  d.slack_ns = slack_ms * 1000000u;
  d.zone_ns = zone_ms * 1000000u;
  d.max_idle_ns = max_idle_s * 1000000000u;
  dsrc_prng_seed(&d.prng, seeded ? seed : (uint64_t)time(NULL) ^ (uint64_t)getpid());
  dsrc_prng_seed(&d.errors, seeded ? seed + 1 : (uint64_t)time(NULL) * 7 + 1);
  {
    int rv = rse_new(&d.r, &d.cfg, d.crypto, seeded ? dsrc_prng_rng(&d.prng) : dsrc_crypto_csprng(), &rse_events, &d);
    if (rv != 0) return io_cli_fail(IO_CLI_EXIT_FAILURE, PROG, "%s", rse_strerror(rv));
  }
  if (!d.forever) rse_admit_limit(d.r, d.target);
  air_lane_init(&d.l, d.r, ber, &d.errors);
  d.l.flip_bits = true;
  d.l.on_frame = on_frame;
  d.l.ctx = &d;
  io_udp_addr_parse(&any, d.hosts[0].sa.ss_family == AF_INET6 ? "[::]:0" : "0.0.0.0:0", err, sizeof(err));
  if ((d.fd = io_udp_socket_bind(&any, err, sizeof(err))) < 0) {
    fprintf(stderr, "efc-rse: %s\n", err);
    return IO_CLI_EXIT_FAILURE;
  }
  {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    d.wall0 = (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
  }
  d.loop = ev_default_loop(0);
  ev_io_init(&d.io, on_read, d.fd, EV_READ);
  d.io.data = &d;
  ev_io_start(d.loop, &d.io);
  ev_init(&d.timer, on_timer);
  d.timer.data = &d;
  ev_signal_init(&d.sigint, on_signal, SIGINT);
  ev_signal_init(&d.sigterm, on_signal, SIGTERM);
  d.sigint.data = &d;
  d.sigterm.data = &d;
  ev_signal_start(d.loop, &d.sigint);
  ev_signal_start(d.loop, &d.sigterm);
  schedule(&d, 0);
  ev_run(d.loop, 0);

  summary(&d);
  /* A failed run leaves no capture that looks complete. */
  if (d.write_failed) io_cap_writer_abort(d.cap);
  else if (io_cap_writer_close(d.cap, err, sizeof(err)) != 0) write_failed(&d, err);
  if (file_journal_close(d.claims, err, sizeof(err)) != 0) write_failed(&d, err);
  close(d.fd);
  rse_del(d.r);
  efc_status_list_free(&d.status);
  keymgmt_operator_keys_wipe(&d.keys);
  dsrc_crypto_free(d.crypto);
  free(d.wall_ms);
  free(d.model_ms);
  /* Its error is on stderr already: a run whose results were not recorded failed. */
  if (d.write_failed) return IO_CLI_EXIT_FAILURE;
  if (d.idle_stop)
    return io_cli_fail(IO_CLI_EXIT_FAILURE, PROG,
                       "no answer from the --obe hosts for %" PRIu64 " s (--max-idle-s): is efc-obe running there?"
                       " stopped after %" PRIu64 " passages%s",
                       max_idle_s, d.passages, d.forever ? "" : " of those asked for");
  if (d.interrupted && !d.forever && d.passages < d.target)
    return io_cli_fail(IO_CLI_EXIT_FAILURE, PROG, "interrupted after %" PRIu64 " of %" PRIu64 " passages",
                       d.passages, d.target);
  if (d.passages == d.no_obe)
    return io_cli_fail(IO_CLI_EXIT_FAILURE, PROG, "no OBE took part in any passage");
  return 0;
}

/* stdout checked last: a result that did not reach its file is a failed run. */
int main(int argc, char **argv) { return io_cli_stdout_close(PROG, run(argc, argv)); }
