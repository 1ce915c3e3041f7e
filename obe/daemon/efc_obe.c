/* efc-obe: one or many OBEs behind one UDP socket, a thin libev shell around the OBE engine.
 * Each downlink datagram goes to every OBE; each answers in the windows the datagram
 * describes; a DONE datagram closes the host's answers. State is made durable before any
 * answer that reveals it; an OBE whose state cannot be written answers no more
 * (docs/datagram.md, "Durability before disclosure"). */
#define _DEFAULT_SOURCE /* struct sockaddr_storage users, mkdir */
#include <errno.h>
#include <ev.h>
#include <fcntl.h>
#include <inttypes.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include "io/capture.h"
#include "dsrc/datagram.h"
#include "file/out.h"
#include "obe/obe.h"
#include "io/cli.h"
#include "io/udp.h"

#define PROG "efc-obe"
/* The longest --rearm-ms whose value in ns, added to a datagram's time, stays in 64 bits. */
#define MS_MAX (UINT64_C(1) << 43)
#define HOST_MAX 64

typedef struct host host;

typedef struct {
  host *h;
  keymgmt_obe_profile prof;
  obe_state st;
  obe_engine o;
  char state_path[600];
  obe_power power;       /* as its events report it */
  uint64_t released_at;
  uint64_t sessions;
  /* Its state could not be made durable: like an OBE whose memory failed, it stays silent
   * until efc-obe restarts, so that the counter it could not save is never revealed. */
  bool silenced;
} hosted;

struct host {
  hosted *obes;
  unsigned n;
  obe_config cfg;
  dsrc_crypto *crypto;
  dsrc_prng prng;
  dsrc_rng rng;
  int fd;
  io_cap_writer *cap;
  bool cap_failed; /* the capture could not be written: the daemon stops, exit 1 */
  uint64_t rearm_ns;
  uint32_t seq;
  bool heard;
  uint64_t last_time;
  unsigned long bad_datagrams, downlinks, persist_errors, silenced;
  unsigned long log_dropped; /* session lines a full, unread stderr pipe could not take */
  ev_io io;
  ev_signal sigint, sigterm;
};

static void usage(FILE *out) {
  fprintf(out,
          "usage: efc-obe --listen ADDR:PORT --profile OBE [--profile OBE ...] [--pass-file FILE]\n"
          "               [--state DIR] [--mcu legacy|modern] [--pcap FILE] [--rearm-ms N] [--seed N]\n"
          "       efc-obe --help | --version\n"
          "\n"
          "Emulates one OBE per --profile file (efc-keymgmt personalise; passphrase from --pass-file\n"
          "or EFC_OBE_PASS) behind one UDP socket. --state keeps each OBE's counters and log in\n"
          "DIR/<obuid>.state, written durably before an answer reveals them: an OBE whose state\n"
          "cannot be written drops that answer and stays silent until efc-obe restarts (one error\n"
          "line), and efc-obe then exits 1 when stopped. Temporaries left in DIR by a killed\n"
          "efc-obe are removed at start. --mcu sets the modelled processing time (default\n"
          "modern). An OBE released by its RSE is ready for its next passage --rearm-ms later\n"
          "(default 20; 0..8796093022208). --seed 0..18446744073709551615. SIGINT/SIGTERM stop it with state and capture flushed. One log line per\n"
          "session on stderr.\n"
          "exit status: 0 stopped cleanly, 1 bad input or a state file that could not be written,\n"
          "2 bad usage.\n");
}

/* Writes x's state to its file, durably. On failure the OBE is silenced: the state holds a
 * counter no file holds, and the answer that would reveal it must never leave. */
static int persist(host *h, hosted *x) {
  uint8_t buf[OBE_STATE_ENCODED_MAX + 8];
  char err[700];
  int n;
  if (!x->state_path[0]) return 0;
  n = obe_state_encode(buf, sizeof(buf), &x->st);
  if (n < 0 || keymgmt_write_atomic(x->state_path, buf, (size_t)n, false, err, sizeof(err)) != 0) {
    if (n < 0) snprintf(err, sizeof(err), "%s: state too large", x->state_path);
    fprintf(stderr, "efc-obe: OBE %02X%02X%02X%02X: %s; its state is not durable: it answers no more until restarted\n",
            x->prof.obuid[0], x->prof.obuid[1], x->prof.obuid[2], x->prof.obuid[3], err);
    h->persist_errors++;
    if (!x->silenced) h->silenced++;
    x->silenced = true;
    return -1;
  }
  return 0;
}

static int load_state(hosted *x) {
  uint8_t buf[OBE_STATE_ENCODED_MAX + 8];
  size_t n;
  FILE *f = fopen(x->state_path, "rb");
  if (!f) return errno == ENOENT ? 1 : -1;
  n = fread(buf, 1, sizeof(buf), f);
  fclose(f);
  return obe_state_decode(&x->st, buf, n) == 0 ? 0 : -1;
}

static void capture(host *h, bool up, uint64_t t, uint8_t lane, const uint8_t *f, size_t len) {
  io_cap_record r = {t, up, lane, 0, io_cap_frame_lid(f, len), f, len};
  char err[400];
  if (!h->cap || h->cap_failed) return;
  if (io_cap_writer_put(h->cap, &r, err, sizeof(err)) != 0) {
    /* What it answers would be missing from its capture: stop, one line, exit 1. */
    fprintf(stderr, "efc-obe: %s\n", err);
    h->cap_failed = true;
    ev_break(EV_DEFAULT, EVBREAK_ALL);
  }
}

/* When stderr is a pipe, a reader that stops reading must not stop the OBEs: with the pipe
 * full, a blocking write would hold the whole host, and every RSE would see its OBEs fall
 * silent after a "released" line. The pipe is opened again as a description of our own
 * (the shell's stays blocking), without blocking, and a line the pipe cannot take is
 * counted and dropped. A terminal or a file is left alone: neither fills up like a pipe. */
static int stderr_unblock(void) {
  struct stat st;
  int fd, saved;
  if (fstat(STDERR_FILENO, &st) != 0 || !S_ISFIFO(st.st_mode)) return -1;
  /* A reader gone for good is the same: lines dropped, not the host killed by SIGPIPE. */
  signal(SIGPIPE, SIG_IGN);
  if ((fd = open("/proc/self/fd/2", O_WRONLY | O_NONBLOCK | O_CLOEXEC)) < 0) return -1;
  if ((saved = fcntl(STDERR_FILENO, F_DUPFD_CLOEXEC, 3)) < 0 || dup2(fd, STDERR_FILENO) < 0) {
    if (saved >= 0) close(saved);
    saved = -1;
  }
  close(fd);
  return saved;
}

/* The blocking stderr back, for the last lines, which must not be lost. */
static void stderr_restore(int saved) {
  if (saved < 0) return;
  fflush(stderr);
  clearerr(stderr);
  dup2(saved, STDERR_FILENO);
  close(saved);
}

static void log_session(hosted *x, const dsrc_beacon_id *beacon) {
  fprintf(stderr, "efc-obe: OBE %02X%02X%02X%02X: session with beacon %u/%u released: %" PRIu32
                  " commands, AutoPASS TC %u, EN 15509 counter %u\n",
          x->prof.obuid[0], x->prof.obuid[1], x->prof.obuid[2], x->prof.obuid[3], beacon->manufacturer_id,
          beacon->individual_id, obe_stats_get(&x->o)->commands, x->st.autopass_tc, x->st.equipment_status & 0x0fff);
  if (ferror(stderr)) {
    clearerr(stderr);
    x->h->log_dropped++;
  }
}

static void on_power_changed(obe_engine *o, obe_power power, uint64_t t, void *user) {
  (void)o;
  (void)t;
  ((hosted *)user)->power = power;
}

static void on_session_closed(obe_engine *o, uint32_t lid, const dsrc_beacon_id *beacon, bool released,
                              uint64_t t, void *user) {
  hosted *x = user;
  (void)o;
  (void)lid;
  if (!released) return;
  x->released_at = t;
  x->sessions++;
  log_session(x, beacon);
}

/* Durable before the next window, which may reveal it: the engine raises this at the end of
 * the obe_on_downlink that changed the state, and on_downlink opens no window of a silenced
 * OBE. */
static void on_state_changed(obe_engine *o, uint64_t t, void *user) {
  hosted *x = user;
  (void)o;
  (void)t;
  persist(x->h, x);
}

static const obe_callbacks obe_events = {on_power_changed, NULL, on_session_closed, on_state_changed};

/* A fresh OBE on x's profile and persistent state: it starts asleep, and raises no event
 * that says so. */
static int hosted_start(host *h, hosted *x) {
  x->h = h;
  x->power = OBE_ASLEEP;
  return obe_init(&x->o, &h->cfg, &x->prof, &x->st, h->crypto, h->rng, &obe_events, x);
}

static void send_dg(host *h, const io_udp_addr *to, const dsrc_dg *d) {
  uint8_t buf[DSRC_DG_MAX];
  dsrc_ssize n = dsrc_dg_encode(buf, sizeof(buf), d);
  if (n > 0) sendto(h->fd, buf, (size_t)n, 0, (const struct sockaddr *)&to->sa, to->len);
}

static void on_downlink(host *h, const dsrc_dg *d, const io_udp_addr *from) {
  unsigned sent = 0;
  /* Time runs backwards only when another clock speaks (a new efc-rse in virtual time, a
   * replay): the vehicles are at another gantry, so each OBE starts afresh, state kept. */
  bool new_clock = h->heard && d->time_ns < h->last_time;
  h->heard = true;
  h->last_time = d->time_ns;
  h->downlinks++;
  capture(h, false, d->time_ns, d->lane, d->frame, d->len);
  for (unsigned i = 0; i < h->n; i++) {
    hosted *x = &h->obes[i];
    if (x->silenced) continue;
    if (new_clock) hosted_start(h, x);
    /* Released and gone long enough: the vehicle's next passage, a fresh OBE with the same
     * profile and persistent state. */
    if (x->power == OBE_RELEASED && d->time_ns > x->released_at + h->rearm_ns) hosted_start(h, x);
    obe_on_downlink(&x->o, d->time_ns, d->frame, d->len, false);
  }
  for (unsigned w = 0; w < d->count; w++)
    for (unsigned i = 0; i < h->n; i++) {
      uint8_t f[DSRC_FRAME_MAX];
      uint64_t ws = dsrc_dg_window_start(d, w);
      size_t n;
      dsrc_dg u;
      if (h->obes[i].silenced) continue;
      n = obe_on_window(&h->obes[i].o, ws, w, f, sizeof(f));
      if (n == 0) continue;
      memset(&u, 0, sizeof(u));
      u.kind = DSRC_DG_UPLINK;
      u.lane = d->lane;
      u.seq = ++h->seq;
      u.ref = d->seq;
      u.time_ns = ws;
      u.count = (uint8_t)w;
      u.frame = f;
      u.len = n;
      send_dg(h, from, &u);
      capture(h, true, ws, d->lane, f, n);
      sent++;
    }
  {
    dsrc_dg done;
    memset(&done, 0, sizeof(done));
    done.kind = DSRC_DG_DONE;
    done.lane = d->lane;
    done.seq = ++h->seq;
    done.ref = d->seq;
    done.time_ns = d->time_ns;
    done.count = (uint8_t)sent;
    send_dg(h, from, &done);
  }
}

static void on_read(struct ev_loop *loop, ev_io *w, int revents) {
  host *h = w->data;
  (void)loop;
  (void)revents;
  for (;;) {
    uint8_t buf[2048];
    io_udp_addr from;
    dsrc_dg d;
    int rv = io_udp_dg_recv(h->fd, buf, sizeof(buf), &from, &d);
    if (rv < 0) return;
    if (rv > 0 || d.kind != DSRC_DG_DOWNLINK || d.count > 16) {
      h->bad_datagrams++;
      continue;
    }
    on_downlink(h, &d, &from);
  }
}

static void on_signal(struct ev_loop *loop, ev_signal *w, int revents) {
  (void)w;
  (void)revents;
  ev_break(loop, EVBREAK_ALL);
}

static int run(int argc, char **argv) {
  static const struct option opts[] = {
      {"listen", required_argument, NULL, 'l'}, {"profile", required_argument, NULL, 'p'},
      {"pass-file", required_argument, NULL, 'P'}, {"state", required_argument, NULL, 's'},
      {"mcu", required_argument, NULL, 'm'},    {"pcap", required_argument, NULL, 'c'},
      {"rearm-ms", required_argument, NULL, 'r'}, {"seed", required_argument, NULL, 'S'},
      {"help", no_argument, NULL, 'h'},         {"version", no_argument, NULL, IO_CLI_OPT_VERSION},
      {NULL, 0, NULL, 0}};
  static host h;
  const char *listen = NULL, *pass_file = NULL, *state_dir = NULL, *pcap = NULL;
  const char *profiles[HOST_MAX];
  unsigned nprof = 0;
  uint64_t rearm_ms = 20, seed = 0;
  bool seeded = false;
  int saved_stderr;
  char pass[IO_PASS_MAX], err[512];
  io_udp_addr addr;
  struct ev_loop *loop;
  int c;

  obe_config_default(&h.cfg);
  while ((c = io_cli_getopt(argc, argv, opts, err, sizeof(err))) != -1) {
    int bad = 0;
    switch (c) {
    case 'l':
      listen = optarg;
      break;
    case 'p':
      if (nprof == HOST_MAX) return io_cli_usage(PROG, NULL, "at most %d OBEs", HOST_MAX);
      profiles[nprof++] = optarg;
      break;
    case 'P':
      pass_file = optarg;
      break;
    case 's':
      state_dir = optarg;
      break;
    case 'm':
      if (strcmp(optarg, "legacy") == 0) h.cfg.mcu = obe_mcu_legacy;
      else if (strcmp(optarg, "modern") == 0) h.cfg.mcu = obe_mcu_modern;
      else return io_cli_usage(PROG, NULL, "--mcu: expected legacy or modern, got '%s'", optarg);
      break;
    case 'c':
      pcap = optarg;
      break;
    case 'r':
      bad = io_cli_u64_parse(&rearm_ms, "--rearm-ms", optarg, 0, MS_MAX, err, sizeof(err));
      break;
    case 'S':
      bad = io_cli_u64_parse(&seed, "--seed", optarg, 0, UINT64_MAX, err, sizeof(err));
      seeded = true;
      break;
    default:
      return io_cli_getopt_default(c, PROG, err, usage);
    }
    if (bad) return io_cli_usage(PROG, NULL, "%s", err);
  }
  if (!listen || nprof == 0 || optind != argc)
    return io_cli_usage(PROG, PROG, "needs --listen ADDR:PORT and at least one --profile OBE");
  if (io_udp_addr_parse(&addr, listen, err, sizeof(err)) != 0)
    return io_cli_usage(PROG, NULL, "--listen %s", err);
  if ((c = io_cli_pass_read(pass, PROG, PROG, pass_file, "EFC_OBE_PASS", "--pass-file")) != 0) return c;
  if (dsrc_crypto_new(&h.crypto, err, sizeof(err)) != 0) {
    fprintf(stderr, "efc-obe: %s\n", err);
    return IO_CLI_EXIT_FAILURE;
  }
  if (seeded) {
    dsrc_prng_seed(&h.prng, seed);
    h.rng = dsrc_prng_rng(&h.prng);
  } else {
    h.rng = dsrc_crypto_csprng();
  }
  h.rearm_ns = rearm_ms * 1000000u;
  h.obes = calloc(nprof, sizeof(*h.obes));
  h.n = nprof;
  if (state_dir && mkdir(state_dir, 0700) != 0 && errno != EEXIST) {
    fprintf(stderr, "efc-obe: %s: cannot create the state directory\n", state_dir);
    return IO_CLI_EXIT_FAILURE;
  }
  /* The temporaries of state files whose writer was killed (docs/files.md). */
  if (state_dir && file_tmp_sweep_dir(state_dir, err, sizeof(err)) < 0) {
    fprintf(stderr, "efc-obe: %s\n", err);
    return IO_CLI_EXIT_FAILURE;
  }
  for (unsigned i = 0; i < nprof; i++) {
    hosted *x = &h.obes[i];
    if (keymgmt_obe_profile_load(&x->prof, profiles[i], pass, err, sizeof(err)) != 0) {
      io_pass_wipe(pass);
      fprintf(stderr, "efc-obe: %s\n", err);
      return IO_CLI_EXIT_FAILURE;
    }
    obe_state_init(&x->st, &x->prof);
    if (state_dir) {
      int rv;
      snprintf(x->state_path, sizeof(x->state_path), "%s/%02X%02X%02X%02X.state", state_dir, x->prof.obuid[0],
               x->prof.obuid[1], x->prof.obuid[2], x->prof.obuid[3]);
      if ((rv = load_state(x)) < 0) {
        fprintf(stderr, "efc-obe: %s: %s\n", x->state_path, obe_strerror(OBE_ERR_STATE));
        return IO_CLI_EXIT_FAILURE;
      }
    }
    if (hosted_start(&h, x) != 0) {
      fprintf(stderr, "efc-obe: %s: %s\n", profiles[i], obe_strerror(OBE_ERR_PROFILE));
      return IO_CLI_EXIT_FAILURE;
    }
  }
  io_pass_wipe(pass);
  if ((h.fd = io_udp_socket_bind(&addr, err, sizeof(err))) < 0) {
    fprintf(stderr, "efc-obe: %s\n", err);
    return IO_CLI_EXIT_FAILURE;
  }
  if (pcap && !(h.cap = io_cap_writer_open(pcap, err, sizeof(err)))) {
    fprintf(stderr, "efc-obe: %s\n", err);
    return IO_CLI_EXIT_FAILURE;
  }
  /* pcap has no comment field: the version that wrote the capture goes beside it. */
  if (pcap && io_cli_sidecar_write(pcap, PROG, err, sizeof(err)) != 0)
    return io_cli_fail(IO_CLI_EXIT_FAILURE, PROG, "%s", err);
  loop = ev_default_loop(0);
  ev_io_init(&h.io, on_read, h.fd, EV_READ);
  h.io.data = &h;
  ev_io_start(loop, &h.io);
  ev_signal_init(&h.sigint, on_signal, SIGINT);
  ev_signal_init(&h.sigterm, on_signal, SIGTERM);
  ev_signal_start(loop, &h.sigint);
  ev_signal_start(loop, &h.sigterm);
  {
    /* With port 0 the system picks one: say which, so a script can find it. */
    char where[300];
    if (io_udp_socket_where(h.fd, where, sizeof(where)) != 0) snprintf(where, sizeof(where), "%s", listen);
    fprintf(stderr, "efc-obe: %u OBE(s) listening on %s\n", h.n, where);
  }
  saved_stderr = stderr_unblock();
  ev_run(loop, 0);
  stderr_restore(saved_stderr);

  for (unsigned i = 0; i < h.n; i++) {
    /* A silenced OBE's state is not written: it was reported, and its file keeps the last
     * state it revealed, which is all a restart needs. */
    if (!h.obes[i].silenced) persist(&h, &h.obes[i]);
    keymgmt_obe_profile_wipe(&h.obes[i].prof);
  }
  if (h.cap_failed) {
    io_cap_writer_abort(h.cap);
  } else if (io_cap_writer_close(h.cap, err, sizeof(err)) != 0) {
    fprintf(stderr, "efc-obe: %s\n", err);
    h.cap_failed = true;
  }
  close(h.fd);
  dsrc_crypto_free(h.crypto);
  fprintf(stderr, "efc-obe: stopped: %lu downlinks, %lu bad datagrams ignored", h.downlinks, h.bad_datagrams);
  if (h.silenced) fprintf(stderr, ", %lu OBE(s) silenced: state not durable", h.silenced);
  if (h.log_dropped) fprintf(stderr, ", %lu session lines dropped (stderr not read)", h.log_dropped);
  fputc('\n', stderr);
  free(h.obes);
  return h.persist_errors || h.cap_failed ? IO_CLI_EXIT_FAILURE : 0;
}

/* stdout checked last: a result that did not reach its file is a failed run. */
int main(int argc, char **argv) { return io_cli_stdout_close(PROG, run(argc, argv)); }
