/* efc-pcap stats: what a capture holds, counted: frames per direction and role, failures on
 * the air, octets, airtime and channel occupancy, transactions and their durations, late
 * responses and retries. Streams: memory grows only with the number of transactions (one
 * duration each). */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pcap_tool.h"

typedef struct {
  unsigned long records;
  unsigned long roles[2][PCAP_ROLES]; /* [uplink][role] */
  unsigned long dir_frames[2];
  unsigned long corrupted, collided;
  uint64_t octets[2], air[2];
  bool have_span;
  uint64_t t_first, t_end;
  bool lane_seen[256];
  uint64_t lane_air[256][2];
  unsigned long txns, complete;
  uint64_t *durations;
  size_t ndur, capdur;
  unsigned long late, cmd_retries, alloc_retries;
} stats_ctx;

static int stats_frame(stats_ctx *s, const pcap_frame *pf) {
  int up = pf->uplink ? 1 : 0;
  uint64_t end = pf->t_ns + pf->air_ns;
  s->records++;
  s->roles[up][pf->role]++;
  s->dir_frames[up]++;
  if (pf->flags & IO_CAP_CORRUPTED) s->corrupted++;
  if (pf->flags & IO_CAP_COLLIDED) s->collided++;
  s->octets[up] += pf->len;
  s->air[up] += pf->air_ns;
  s->lane_seen[pf->lane] = true;
  s->lane_air[pf->lane][up] += pf->air_ns;
  if (!s->have_span || pf->t_ns < s->t_first) s->t_first = pf->t_ns;
  if (!s->have_span || end > s->t_end) s->t_end = end;
  s->have_span = true;
  return 0;
}

static int stats_group(void *ctxp, const pcap_group *g) {
  stats_ctx *s = ctxp;
  for (size_t i = 0; i < g->nframes; i++) stats_frame(s, &g->frames[i]);
  if (g->kind != PCAP_GROUP_TXN) return 0;
  s->txns++;
  s->late += g->late;
  s->cmd_retries += g->cmd_retries;
  s->alloc_retries += g->alloc_retries;
  if (!g->released) return 0;
  s->complete++;
  /* Duration as the RSE counts it (rse_passage): from the moment it has the window request
   * to the RELEASE. */
  if (!g->has_request) return 0;
  if (s->ndur == s->capdur) {
    size_t cap = s->capdur ? s->capdur * 2 : 64;
    uint64_t *nd = realloc(s->durations, cap * sizeof(*nd));
    if (!nd) return IO_CLI_EXIT_FAILURE;
    s->durations = nd;
    s->capdur = cap;
  }
  s->durations[s->ndur++] = g->t_release - g->t_request_end;
  return 0;
}

static int cmp_u64(const void *a, const void *b) {
  uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
  return x < y ? -1 : x > y;
}

typedef struct {
  uint64_t min, p99;
  double mean;
} duration_summary;

/* p99 by the nearest-rank method: the smallest duration with at least 99 % at or below. */
static duration_summary durations_summarise(stats_ctx *s) {
  duration_summary d = {0, 0, 0.0};
  double sum = 0;
  size_t rank;
  if (s->ndur == 0) return d;
  qsort(s->durations, s->ndur, sizeof(*s->durations), cmp_u64);
  for (size_t i = 0; i < s->ndur; i++) sum += (double)s->durations[i];
  rank = (s->ndur * 99 + 99) / 100; /* ceil(0.99 n) */
  d.min = s->durations[0];
  d.p99 = s->durations[rank - 1];
  d.mean = sum / (double)s->ndur;
  return d;
}

static uint64_t span_ns(const stats_ctx *s) { return s->have_span ? s->t_end - s->t_first : 0; }

static double share(uint64_t part, uint64_t whole) { return whole ? (double)part / (double)whole : 0.0; }

static void stats_text(stats_ctx *s, const char *path, FILE *out) {
  unsigned lanes = 0;
  uint64_t span = span_ns(s);
  duration_summary d = durations_summarise(s);
  for (unsigned l = 0; l < 256; l++) lanes += s->lane_seen[l];
  fprintf(out, "capture: %s\n", path);
  fprintf(out, "records: %lu (down %lu, up %lu) on %u lane%s\n", s->records, s->dir_frames[0],
          s->dir_frames[1], lanes, lanes == 1 ? "" : "s");
  fprintf(out, "span: %.3f ms (first frame's start to last frame's end)\n", (double)span / 1e6);
  fprintf(out, "frames by role:           down       up\n");
  for (unsigned r = 0; r < PCAP_ROLES; r++) {
    if (!s->roles[0][r] && !s->roles[1][r]) continue;
    fprintf(out, "  %-20s %8lu %8lu\n", pcap_role_name((pcap_role)r), s->roles[0][r], s->roles[1][r]);
  }
  fprintf(out, "corrupted: %lu (collided %lu)\n", s->corrupted, s->collided);
  fprintf(out, "octets: down %llu, up %llu, total %llu\n", (unsigned long long)s->octets[0],
          (unsigned long long)s->octets[1], (unsigned long long)(s->octets[0] + s->octets[1]));
  fprintf(out, "airtime: down %.3f ms, up %.3f ms, total %.3f ms\n", (double)s->air[0] / 1e6,
          (double)s->air[1] / 1e6, (double)(s->air[0] + s->air[1]) / 1e6);
  for (unsigned l = 0; l < 256; l++) {
    uint64_t down = s->lane_air[l][0], up = s->lane_air[l][1];
    if (!s->lane_seen[l]) continue;
    fprintf(out, "channel occupancy: lane %u %.1f %% (down %.1f %%, up %.1f %%) of the span\n", l,
            100 * share(down + up, span), 100 * share(down, span), 100 * share(up, span));
  }
  fprintf(out, "transactions: %lu (%lu complete with RELEASE, %lu incomplete)\n", s->txns, s->complete,
          s->txns - s->complete);
  if (s->ndur)
    fprintf(out,
            "transaction duration (first window request to RELEASE): min %.3f ms, mean %.3f ms, "
            "p99 %.3f ms over %zu\n",
            (double)d.min / 1e6, d.mean / 1e6, (double)d.p99 / 1e6, s->ndur);
  fprintf(out, "late responses (NE_OK): %lu\n", s->late);
  fprintf(out, "retries: %lu repeated commands (same n bit), %lu repeated allocations (same S bit)\n",
          s->cmd_retries, s->alloc_retries);
}

static json_t *dir_pair(uint64_t down, uint64_t up) {
  return json_pack("{sIsI}", "down", (json_int_t)down, "up", (json_int_t)up);
}

static int stats_json(stats_ctx *s, const char *path, FILE *out) {
  uint64_t span = span_ns(s);
  duration_summary d = durations_summarise(s);
  json_t *o = json_object(), *roles = json_object(), *occ = json_array();
  char *txt;
  for (int up = 0; up < 2; up++) {
    json_t *r = json_object();
    for (unsigned k = 0; k < PCAP_ROLES; k++)
      json_object_set_new(r, pcap_role_name((pcap_role)k), json_integer((json_int_t)s->roles[up][k]));
    json_object_set_new(roles, up ? "up" : "down", r);
  }
  for (unsigned l = 0; l < 256; l++) {
    uint64_t down = s->lane_air[l][0], up = s->lane_air[l][1];
    if (!s->lane_seen[l]) continue;
    json_array_append_new(occ, json_pack("{sisfsfsf}", "lane", (int)l, "total", share(down + up, span),
                                         "down", share(down, span), "up", share(up, span)));
  }
  json_object_set_new(o, "capture", json_string(path));
  json_object_set_new(o, "records", json_integer((json_int_t)s->records));
  json_object_set_new(o, "frames", dir_pair(s->dir_frames[0], s->dir_frames[1]));
  json_object_set_new(o, "roles", roles);
  json_object_set_new(o, "corrupted", json_integer((json_int_t)s->corrupted));
  json_object_set_new(o, "collided", json_integer((json_int_t)s->collided));
  json_object_set_new(o, "octets", dir_pair(s->octets[0], s->octets[1]));
  json_object_set_new(o, "airtime_ns", dir_pair(s->air[0], s->air[1]));
  json_object_set_new(o, "span_ns", json_integer((json_int_t)span));
  json_object_set_new(o, "occupancy", occ);
  json_object_set_new(o, "transactions",
                      json_pack("{sIsIsI}", "total", (json_int_t)s->txns, "complete", (json_int_t)s->complete,
                                "incomplete", (json_int_t)(s->txns - s->complete)));
  if (s->ndur)
    json_object_set_new(o, "duration_ns",
                        json_pack("{sIsIsfsI}", "n", (json_int_t)s->ndur, "min", (json_int_t)d.min, "mean",
                                  d.mean, "p99", (json_int_t)d.p99));
  json_object_set_new(o, "late_responses", json_integer((json_int_t)s->late));
  json_object_set_new(o, "retries", json_pack("{sIsI}", "commands", (json_int_t)s->cmd_retries,
                                              "allocations", (json_int_t)s->alloc_retries));
  txt = json_dumps(o, JSON_INDENT(2));
  json_decref(o);
  if (!txt) return -1;
  fprintf(out, "%s\n", txt);
  free(txt);
  return 0;
}

int pcap_cmd_stats(int argc, char **argv) {
  uint64_t idle;
  bool json;
  const char *file;
  stats_ctx *s;
  char err[512] = "";
  int rv = pcap_file_args(argc, argv, "stats", &json, &idle, &file);
  if (rv >= 0) return rv;
  if (!(s = calloc(1, sizeof(*s)))) {
    fprintf(stderr, "efc-pcap: out of memory\n");
    return IO_CLI_EXIT_FAILURE;
  }
  rv = pcap_file_walk(file, idle, stats_group, s, err, sizeof(err));
  if (rv == 0) {
    if (json)
      rv = stats_json(s, file, stdout) == 0 ? 0 : IO_CLI_EXIT_FAILURE;
    else
      stats_text(s, file, stdout);
    if (rv != 0) snprintf(err, sizeof(err), "%s: out of memory", file);
  }
  free(s->durations);
  free(s);
  if (rv != 0) {
    fprintf(stderr, "efc-pcap: %s\n", err[0] ? err : "out of memory");
    return IO_CLI_EXIT_FAILURE;
  }
  return IO_CLI_EXIT_OK;
}
