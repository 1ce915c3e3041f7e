/* efc-pcap decode: the capture frame by frame, grouped by transaction, as text or as one
 * JSON document. In JSON every record appears exactly once, and its "frame" member is
 * exactly what efc-dsrc decode --frame prints for the same octets. */
#include <inttypes.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dsrc/hex.h"
#include "dsrc/jer.h"
#include "pcap_tool.h"

typedef struct {
  FILE *out;
  bool json;
  bool have_t0;
  uint64_t t0;             /* text times count from the first frame */
  unsigned long records, txns, complete;
  /* text: the BST whose JER was last shown on each lane, so a repeated BST is not */
  uint8_t shown[256][DSRC_FRAME_MAX];
  size_t shown_len[256];
  /* JSON: the broadcast runs wait in a temporary file until the transactions are out */
  FILE *bc;
  unsigned long json_txns, json_bcs;
} decode_ctx;

static double ms_since(const decode_ctx *c, uint64_t t) { return (double)(int64_t)(t - c->t0) / 1e6; }

/* --- text --------------------------------------------------------------------------- */

static void text_jer(decode_ctx *c, const pcap_frame *pf) {
  for (size_t off = 0; pf->role != PCAP_ROLE_MALFORMED && pf->f.has_llc && off < pf->f.lsdu_len;) {
    dsrc_tapdu t;
    unsigned pdu;
    json_t *j;
    char *s;
    dsrc_ssize n = dsrc_pdu_decode(&t, &pdu, pf->f.lsdu + off, pf->f.lsdu_len - off, NULL);
    if (n < 0) break;
    off += (size_t)n;
    j = dsrc_tapdu_to_jer(&t, NULL);
    s = j ? json_dumps(j, JSON_COMPACT) : NULL;
    fprintf(c->out, "%17s%s\n", "", s ? s : "(no JER value)");
    free(s);
    json_decref(j);
  }
}

static bool is_bst_shown(decode_ctx *c, const pcap_frame *pf) {
  if (c->shown_len[pf->lane] == pf->len && memcmp(c->shown[pf->lane], pf->octets, pf->len) == 0)
    return true;
  if (pf->len <= DSRC_FRAME_MAX) {
    memcpy(c->shown[pf->lane], pf->octets, pf->len);
    c->shown_len[pf->lane] = pf->len;
  }
  return false;
}

/* One line for a frame (count > 1: a run of identical broadcast frames), then its JER and
 * any decode error. */
static void text_frame(decode_ctx *c, const pcap_frame *pf, size_t count) {
  char gap[24], l2[64], err[200], line[256];
  size_t n;
  const char *fcs = pf->role == PCAP_ROLE_MALFORMED ? "-" : pf->f.fcs_ok ? "ok" : "BAD";
  const char *flags = (pf->flags & IO_CAP_COLLIDED) ? "collided" : (pf->flags & IO_CAP_CORRUPTED) ? "corrupted" : "";
  if (pf->has_gap)
    snprintf(gap, sizeof(gap), "%.1f", (double)pf->gap_ns / 1e3);
  else
    snprintf(gap, sizeof(gap), "-");
  pcap_frame_l2_text(pf, l2, sizeof(l2));
  if (count > 1) {
    n = strlen(l2);
    snprintf(l2 + n, sizeof(l2) - n, " x %zu", count);
  }
  n = (size_t)snprintf(line, sizeof(line), "%12.3f %-4s %4u %9s %8.1f %3zu %-3s %-9s %-26s %s",
                       ms_since(c, pf->t_ns), pf->uplink ? "up" : "down", pf->lane, gap,
                       (double)pf->air_ns / 1e3, pf->len, fcs, flags, l2, pf->msgs);
  /* Lines carry no trailing blanks when the last columns are empty. */
  if (n >= sizeof(line)) n = sizeof(line) - 1;
  while (n > 0 && line[n - 1] == ' ') line[--n] = '\0';
  fprintf(c->out, "%s\n", line);
  pcap_frame_error_text(pf, err, sizeof(err));
  if (err[0]) fprintf(c->out, "%17s! %s\n", "", err);
  if (pf->role == PCAP_ROLE_BST && is_bst_shown(c, pf)) return;
  text_jer(c, pf);
}

/* Frames fold when they are the same octets with the same fate on the air. */
static bool same_frame(const pcap_frame *a, const pcap_frame *b) {
  return a->len == b->len && a->flags == b->flags && memcmp(a->octets, b->octets, a->len) == 0;
}

/* Frames of a group; consecutive identical broadcast frames fold into one line. */
static void text_frames(decode_ctx *c, const pcap_group *g) {
  for (size_t i = 0; i < g->nframes;) {
    const pcap_frame *pf = &g->frames[i];
    size_t n = 1;
    bool broadcast = pf->role == PCAP_ROLE_MALFORMED || pf->f.lid_len != 4;
    while (broadcast && i + n < g->nframes && same_frame(pf, &g->frames[i + n])) n++;
    text_frame(c, pf, n);
    i += n;
  }
}

static void text_group(decode_ctx *c, const pcap_group *g) {
  const pcap_frame *first = &g->frames[0];
  if (g->kind == PCAP_GROUP_BROADCAST) {
    fprintf(c->out, "-- %s x %zu on lane %u, %.3f .. %.3f ms\n", pcap_role_name(first->role),
            g->nframes, g->lane, ms_since(c, g->t_first), ms_since(c, g->t_end));
    text_frames(c, g);
    return;
  }
  fprintf(c->out, "-- transaction %u: lane %u, LID %08" PRIx32 ", %.3f .. %.3f ms, ", g->number, g->lane,
          g->lid, ms_since(c, g->t_first), ms_since(c, g->t_end));
  if (g->released && g->has_request)
    fprintf(c->out, "complete in %.3f ms (first window request to RELEASE)",
            (double)(g->t_release - g->t_request_end) / 1e6);
  else if (g->released)
    fprintf(c->out, "complete (RELEASE; no window request seen)");
  else
    fprintf(c->out, "incomplete (no RELEASE)");
  fprintf(c->out, ", %u late response%s, %u command and %u allocation retries\n", g->late,
          g->late == 1 ? "" : "s", g->cmd_retries, g->alloc_retries);
  text_frames(c, g);
}

/* --- JSON --------------------------------------------------------------------------- */

static json_t *frame_json(const pcap_frame *pf) {
  json_t *o = json_object();
  char err[200], msg[256], *hex;
  int ferr;
  json_t *fj;
  if (!o) return NULL;
  json_object_set_new(o, "record", json_integer((json_int_t)pf->record));
  json_object_set_new(o, "t_ns", json_integer((json_int_t)pf->t_ns));
  json_object_set_new(o, "dir", json_string(pf->uplink ? "up" : "down"));
  json_object_set_new(o, "lane", json_integer(pf->lane));
  json_object_set_new(o, "corrupted", json_boolean(pf->flags & IO_CAP_CORRUPTED));
  json_object_set_new(o, "collided", json_boolean(pf->flags & IO_CAP_COLLIDED));
  json_object_set_new(o, "role", json_string(pcap_role_name(pf->role)));
  json_object_set_new(o, "messages", json_string(pf->msgs));
  json_object_set_new(o, "airtime_ns", json_integer((json_int_t)pf->air_ns));
  json_object_set_new(o, "gap_ns", pf->has_gap ? json_integer((json_int_t)pf->gap_ns) : json_null());
  pcap_frame_error_text(pf, err, sizeof(err));
  if (err[0]) json_object_set_new(o, "error", json_string(err));
  /* A record may hold more than a frame's 128 octets: efc-dsrc shows those too. */
  hex = malloc(2 * pf->len + 1);
  if (!hex) {
    json_decref(o);
    return NULL;
  }
  dsrc_hex_encode(hex, pf->octets, pf->len, 0);
  json_object_set_new(o, "hex", json_string(hex));
  free(hex);
  /* Last, so a line-oriented reader finds it after "frame": (tests/pcap does). */
  fj = dsrc_frame_to_json(pf->octets, pf->len, &ferr, msg, sizeof(msg));
  json_object_set_new(o, "frame", fj ? fj : json_null());
  return o;
}

static int json_frames(FILE *out, const pcap_group *g) {
  for (size_t i = 0; i < g->nframes; i++) {
    json_t *o = frame_json(&g->frames[i]);
    char *s = o ? json_dumps(o, JSON_COMPACT) : NULL;
    json_decref(o);
    if (!s) return -1;
    fprintf(out, "\n%s%s", s, i + 1 < g->nframes ? "," : "");
    free(s);
  }
  return 0;
}

static int json_group(decode_ctx *c, const pcap_group *g) {
  json_t *h = json_object();
  FILE *out = g->kind == PCAP_GROUP_TXN ? c->out : c->bc;
  unsigned long *count = g->kind == PCAP_GROUP_TXN ? &c->json_txns : &c->json_bcs;
  char *s, lid[9];
  size_t n;
  if (!h) return -1;
  json_object_set_new(h, g->kind == PCAP_GROUP_TXN ? "number" : "count",
                      json_integer(g->kind == PCAP_GROUP_TXN ? (json_int_t)g->number : (json_int_t)g->nframes));
  json_object_set_new(h, "lane", json_integer(g->lane));
  if (g->kind == PCAP_GROUP_TXN) {
    snprintf(lid, sizeof(lid), "%08" PRIx32, g->lid);
    json_object_set_new(h, "lid", json_string(lid));
    json_object_set_new(h, "complete", json_boolean(g->released));
  }
  json_object_set_new(h, "start_ns", json_integer((json_int_t)g->t_first));
  json_object_set_new(h, "end_ns", json_integer((json_int_t)g->t_end));
  if (g->kind == PCAP_GROUP_TXN) {
    if (g->released && g->has_request)
      json_object_set_new(h, "duration_ns", json_integer((json_int_t)(g->t_release - g->t_request_end)));
    json_object_set_new(h, "late_responses", json_integer(g->late));
    json_object_set_new(h, "command_retries", json_integer(g->cmd_retries));
    json_object_set_new(h, "allocation_retries", json_integer(g->alloc_retries));
  }
  s = json_dumps(h, JSON_COMPACT);
  json_decref(h);
  if (!s) return -1;
  /* The header object stays open for its frames array. */
  n = strlen(s);
  s[n - 1] = '\0';
  fprintf(out, "%s\n%s,\"frames\":[", (*count)++ ? "," : "", s);
  free(s);
  if (json_frames(out, g) != 0) return -1;
  fputs("\n]}", out);
  return 0;
}

static int decode_group(void *ctxp, const pcap_group *g) {
  decode_ctx *c = ctxp;
  if (!c->have_t0) {
    c->have_t0 = true;
    c->t0 = g->t_first;
  }
  c->records += g->nframes;
  if (g->kind == PCAP_GROUP_TXN) {
    c->txns++;
    if (g->released) c->complete++;
  }
  if (c->json) return json_group(c, g) == 0 ? 0 : IO_CLI_EXIT_FAILURE;
  text_group(c, g);
  return 0;
}

static int json_begin(decode_ctx *c, const char *path) {
  json_t *p = json_string(path);
  char *s = p ? json_dumps(p, JSON_ENCODE_ANY) : NULL;
  json_decref(p);
  c->bc = tmpfile();
  if (!c->bc) {
    free(s);
    return -1;
  }
  fprintf(c->out, "{\"capture\":%s,\"transactions\":[", s ? s : "null");
  free(s);
  return 0;
}

static int json_end(decode_ctx *c) {
  char buf[4096];
  size_t n;
  fputs("\n],\"broadcasts\":[", c->out);
  /* rewind clears the stream's error flag: a write that failed (a full /tmp) shows now. */
  if (fflush(c->bc) != 0 || ferror(c->bc)) return -1;
  rewind(c->bc);
  while ((n = fread(buf, 1, sizeof(buf), c->bc)) > 0) fwrite(buf, 1, n, c->out);
  fprintf(c->out, "\n],\"records\":%lu,\"complete\":%lu,\"incomplete\":%lu}\n", c->records, c->complete,
          c->txns - c->complete);
  return ferror(c->bc) ? -1 : 0;
}

int pcap_cmd_decode(int argc, char **argv) {
  uint64_t idle;
  bool json;
  const char *file;
  decode_ctx *c;
  char err[512] = "";
  int rv = pcap_file_args(argc, argv, "decode", &json, &idle, &file);
  if (rv >= 0) return rv;
  if (!(c = calloc(1, sizeof(*c)))) {
    fprintf(stderr, "efc-pcap: out of memory\n");
    return IO_CLI_EXIT_FAILURE;
  }
  c->out = stdout;
  c->json = json;
  if (json && json_begin(c, file) != 0) {
    fprintf(stderr, "efc-pcap: cannot create a temporary file\n");
    free(c);
    return IO_CLI_EXIT_FAILURE;
  }
  if (!json)
    fprintf(c->out,
            "%s: times in ms from the first frame; gap from the end of the lane's previous frame\n"
            "%12s %-4s %4s %9s %8s %3s %-3s %-9s %-26s %s\n",
            file, "time_ms", "dir", "lane", "gap_us", "air_us", "oct", "fcs", "flags",
            "layer 2", "messages");
  rv = pcap_file_walk(file, idle, decode_group, c, err, sizeof(err));
  /* The document stays whole even when the file is not (the exit status tells). */
  if (json && json_end(c) != 0 && rv == 0) {
    snprintf(err, sizeof(err), "%s: the temporary file of its broadcasts cannot be written or read back", file);
    rv = IO_CLI_EXIT_FAILURE;
  }
  if (rv == 0 && !json)
    fprintf(c->out, "%lu frames, %lu transaction%s (%lu complete, %lu incomplete)\n", c->records, c->txns,
            c->txns == 1 ? "" : "s", c->complete, c->txns - c->complete);
  if (c->bc) fclose(c->bc);
  free(c);
  fflush(stdout);
  if (rv != 0) {
    fprintf(stderr, "efc-pcap: %s\n", err[0] ? err : "out of memory");
    return IO_CLI_EXIT_FAILURE;
  }
  return IO_CLI_EXIT_OK;
}
