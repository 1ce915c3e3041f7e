/* Scenario files: YAML through libcyaml into a file-shaped struct (optional values as
 * pointers, so an absent key keeps its default), then checked and turned into the
 * runtime scenario. Every error names the file, the line and the field. */
#include <cyaml/cyaml.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sim/scenario.h"
#include "sim/yaml.h"

typedef struct {
  double *des_ms, *tdes_ms, *aes_ms;
} y_mcu;

typedef struct {
  double *downlink_kbps, *uplink_kbps, *downlink_preamble_us, *uplink_preamble_us;
  unsigned *trailing_bits;
  double *obe_start_ms, *gap_down_up_us, *gap_up_down_us, *bst_period_ms;
  unsigned *public_windows, *max_retries;
  double *public_window_us, *empty_window_us, *session_timeout_ms;
  double *obe_base_ms, *rse_crypto_ms_per_block;
  y_mcu *legacy, *modern;
} y_timing;

typedef struct {
  double *from_kmh, *to_kmh, *step_kmh;
} y_range;

typedef struct {
  double *mean_kmh, *sd_kmh, *min_kmh, *max_kmh;
} y_dist;

typedef struct {
  double *speeds_kmh;
  unsigned speeds_kmh_count;
  y_range *speed_range;
  y_dist *speed_distribution;
  uint64_t *passages;
  double *headway_s, *min_headway_s;
  uint64_t *fleet_size;
} y_traffic;

typedef struct {
  char *profile;
  char *mcu;
  double *share;
} y_group;

typedef struct {
  char **profiles;
  unsigned profiles_count;
  bool *autopass_set_mmi, *en15509_get, *en15509_set, *en15509_set_mmi;
  char *nonce;
  char *retry_policy;
} y_rse;

typedef struct {
  char *name, *description;
  uint64_t *seed;
  double *zone_length_m;
  unsigned *lanes, *gantries;
  double *ber;
  double *ber_sweep;
  unsigned ber_sweep_count;
  y_timing *timing;
  y_rse *rse;
  y_traffic *traffic;
  y_group *fleet;
  unsigned fleet_count;
} y_scenario;

#define OPT CYAML_FLAG_OPTIONAL

static const cyaml_schema_field_t mcu_fields[] = {
    CYAML_FIELD_FLOAT_PTR("des_ms", OPT, y_mcu, des_ms),
    CYAML_FIELD_FLOAT_PTR("tdes_ms", OPT, y_mcu, tdes_ms),
    CYAML_FIELD_FLOAT_PTR("aes_ms", OPT, y_mcu, aes_ms),
    CYAML_FIELD_END};

static const cyaml_schema_field_t timing_fields[] = {
    CYAML_FIELD_FLOAT_PTR("downlink_kbps", OPT, y_timing, downlink_kbps),
    CYAML_FIELD_FLOAT_PTR("uplink_kbps", OPT, y_timing, uplink_kbps),
    CYAML_FIELD_FLOAT_PTR("downlink_preamble_us", OPT, y_timing, downlink_preamble_us),
    CYAML_FIELD_FLOAT_PTR("uplink_preamble_us", OPT, y_timing, uplink_preamble_us),
    CYAML_FIELD_UINT_PTR("trailing_bits", OPT, y_timing, trailing_bits),
    CYAML_FIELD_FLOAT_PTR("obe_start_ms", OPT, y_timing, obe_start_ms),
    CYAML_FIELD_FLOAT_PTR("gap_down_up_us", OPT, y_timing, gap_down_up_us),
    CYAML_FIELD_FLOAT_PTR("gap_up_down_us", OPT, y_timing, gap_up_down_us),
    CYAML_FIELD_FLOAT_PTR("bst_period_ms", OPT, y_timing, bst_period_ms),
    CYAML_FIELD_UINT_PTR("public_windows", OPT, y_timing, public_windows),
    CYAML_FIELD_UINT_PTR("max_retries", OPT, y_timing, max_retries),
    CYAML_FIELD_FLOAT_PTR("public_window_us", OPT, y_timing, public_window_us),
    CYAML_FIELD_FLOAT_PTR("empty_window_us", OPT, y_timing, empty_window_us),
    CYAML_FIELD_FLOAT_PTR("session_timeout_ms", OPT, y_timing, session_timeout_ms),
    CYAML_FIELD_FLOAT_PTR("obe_base_ms", OPT, y_timing, obe_base_ms),
    CYAML_FIELD_FLOAT_PTR("rse_crypto_ms_per_block", OPT, y_timing, rse_crypto_ms_per_block),
    CYAML_FIELD_MAPPING_PTR("legacy", OPT, y_timing, legacy, mcu_fields),
    CYAML_FIELD_MAPPING_PTR("modern", OPT, y_timing, modern, mcu_fields),
    CYAML_FIELD_END};

static const cyaml_schema_field_t range_fields[] = {
    CYAML_FIELD_FLOAT_PTR("from_kmh", CYAML_FLAG_DEFAULT, y_range, from_kmh),
    CYAML_FIELD_FLOAT_PTR("to_kmh", CYAML_FLAG_DEFAULT, y_range, to_kmh),
    CYAML_FIELD_FLOAT_PTR("step_kmh", CYAML_FLAG_DEFAULT, y_range, step_kmh),
    CYAML_FIELD_END};

static const cyaml_schema_field_t dist_fields[] = {
    CYAML_FIELD_FLOAT_PTR("mean_kmh", CYAML_FLAG_DEFAULT, y_dist, mean_kmh),
    CYAML_FIELD_FLOAT_PTR("sd_kmh", CYAML_FLAG_DEFAULT, y_dist, sd_kmh),
    CYAML_FIELD_FLOAT_PTR("min_kmh", CYAML_FLAG_DEFAULT, y_dist, min_kmh),
    CYAML_FIELD_FLOAT_PTR("max_kmh", CYAML_FLAG_DEFAULT, y_dist, max_kmh),
    CYAML_FIELD_END};

static const cyaml_schema_value_t float_entry = {CYAML_VALUE_FLOAT(CYAML_FLAG_DEFAULT, double)};
static const cyaml_schema_value_t string_entry = {
    CYAML_VALUE_STRING(CYAML_FLAG_POINTER, char, 1, 64)};

static const cyaml_schema_field_t traffic_fields[] = {
    CYAML_FIELD_SEQUENCE("speeds_kmh", CYAML_FLAG_POINTER | OPT, y_traffic, speeds_kmh, &float_entry,
                         0, SIM_SPEEDS_MAX),
    CYAML_FIELD_MAPPING_PTR("speed_range", OPT, y_traffic, speed_range, range_fields),
    CYAML_FIELD_MAPPING_PTR("speed_distribution", OPT, y_traffic, speed_distribution, dist_fields),
    CYAML_FIELD_UINT_PTR("passages", OPT, y_traffic, passages),
    CYAML_FIELD_FLOAT_PTR("headway_s", OPT, y_traffic, headway_s),
    CYAML_FIELD_FLOAT_PTR("min_headway_s", OPT, y_traffic, min_headway_s),
    CYAML_FIELD_UINT_PTR("fleet_size", OPT, y_traffic, fleet_size),
    CYAML_FIELD_END};

static const cyaml_schema_field_t group_fields[] = {
    CYAML_FIELD_STRING_PTR("profile", CYAML_FLAG_DEFAULT, y_group, profile, 1, 32),
    CYAML_FIELD_STRING_PTR("mcu", OPT, y_group, mcu, 1, 16),
    CYAML_FIELD_FLOAT_PTR("share", OPT, y_group, share),
    CYAML_FIELD_END};

static const cyaml_schema_value_t group_entry = {
    CYAML_VALUE_MAPPING(CYAML_FLAG_DEFAULT, y_group, group_fields)};

static const cyaml_schema_field_t rse_fields[] = {
    CYAML_FIELD_SEQUENCE("profiles", CYAML_FLAG_POINTER | OPT, y_rse, profiles, &string_entry, 1,
                         EFC_PROFILE_COUNT),
    CYAML_FIELD_BOOL_PTR("autopass_set_mmi", OPT, y_rse, autopass_set_mmi),
    CYAML_FIELD_BOOL_PTR("en15509_get", OPT, y_rse, en15509_get),
    CYAML_FIELD_BOOL_PTR("en15509_set", OPT, y_rse, en15509_set),
    CYAML_FIELD_BOOL_PTR("en15509_set_mmi", OPT, y_rse, en15509_set_mmi),
    CYAML_FIELD_STRING_PTR("nonce", OPT, y_rse, nonce, 1, 16),
    CYAML_FIELD_STRING_PTR("retry_policy", OPT, y_rse, retry_policy, 1, 32),
    CYAML_FIELD_END};

static const cyaml_schema_field_t top_fields[] = {
    CYAML_FIELD_STRING_PTR("name", OPT, y_scenario, name, 1, 63),
    CYAML_FIELD_STRING_PTR("description", OPT, y_scenario, description, 0, 4096),
    CYAML_FIELD_UINT_PTR("seed", OPT, y_scenario, seed),
    CYAML_FIELD_FLOAT_PTR("zone_length_m", OPT, y_scenario, zone_length_m),
    CYAML_FIELD_UINT_PTR("lanes", OPT, y_scenario, lanes),
    CYAML_FIELD_UINT_PTR("gantries", OPT, y_scenario, gantries),
    CYAML_FIELD_FLOAT_PTR("ber", OPT, y_scenario, ber),
    CYAML_FIELD_SEQUENCE("ber_sweep", CYAML_FLAG_POINTER | OPT, y_scenario, ber_sweep, &float_entry, 1,
                         SIM_BERS_MAX),
    CYAML_FIELD_MAPPING_PTR("timing", OPT, y_scenario, timing, timing_fields),
    CYAML_FIELD_MAPPING_PTR("rse", OPT, y_scenario, rse, rse_fields),
    CYAML_FIELD_MAPPING_PTR("traffic", OPT, y_scenario, traffic, traffic_fields),
    CYAML_FIELD_SEQUENCE("fleet", CYAML_FLAG_POINTER | OPT, y_scenario, fleet, &group_entry, 0,
                         SIM_GROUPS_MAX),
    CYAML_FIELD_END};

static const cyaml_schema_value_t top_schema = {
    CYAML_VALUE_MAPPING(CYAML_FLAG_POINTER, y_scenario, top_fields)};

/* libcyaml reports an error and then a backtrace of "in mapping field 'x' (line: L, ...)"
 * lines, innermost first; the first message and that backtrace make the one-line error. */
typedef struct {
  char msg[256];
  char fields[6][48];
  unsigned nfields;
  unsigned line;
  bool in_backtrace;
} log_capture;

/* libcyaml's messages are printf formats of its own. */
__attribute__((format(printf, 3, 0))) static void capture_log(cyaml_log_t level, void *ctx, const char *fmt,
                                                              va_list ap) {
  log_capture *c = ctx;
  char text[256];
  const char *p;
  size_t n;
  if (level < CYAML_LOG_ERROR) return;
  vsnprintf(text, sizeof(text), fmt, ap);
  n = strlen(text);
  while (n && (text[n - 1] == '\n' || text[n - 1] == ' ')) text[--n] = '\0';
  if (strstr(text, "Backtrace:")) {
    c->in_backtrace = true;
    return;
  }
  if (!c->in_backtrace) {
    if (!c->msg[0]) snprintf(c->msg, sizeof(c->msg), "%s", strncmp(text, "Load: ", 6) ? text : text + 6);
    return;
  }
  if ((p = strstr(text, "field '")) != NULL && c->nfields < 6) {
    const char *e = strchr(p + 7, '\'');
    if (e) snprintf(c->fields[c->nfields++], sizeof(c->fields[0]), "%.*s", (int)(e - p - 7), p + 7);
  }
  if ((p = strstr(text, "(line: ")) != NULL && c->line == 0) c->line = (unsigned)atoi(p + 7);
}

/* The line of the first "key:" at or after line 'from', in block style (at the start of a
 * line, after indentation or "- ") or in a flow mapping ("{a: 1, key: 2}"); 0 if none. */
static unsigned key_line(const char *path, const char *key, unsigned from) {
  char line[1024];
  unsigned n = 0, found = 0;
  size_t klen = strlen(key);
  FILE *f = fopen(path, "r");
  if (!f) return 0;
  while (!found && fgets(line, sizeof(line), f)) {
    char *hash = strchr(line, '#');
    if (++n < from) continue;
    if (hash) *hash = '\0';
    for (char *p = strstr(line, key); p && !found; p = strstr(p + 1, key)) {
      char before = p == line ? ' ' : p[-1];
      if (p[klen] == ':' && (before == ' ' || before == '\t' || before == '-' || before == '{' || before == ','))
        found = n;
    }
  }
  fclose(f);
  return found;
}

/* A dotted field path's line: each component searched after the previous one's line; the
 * last one's nth occurrence (list items repeat their keys). */
static unsigned path_line(const char *path, const char *dotted, unsigned nth) {
  char buf[128], *part, *next, *save = NULL;
  unsigned line = 1;
  snprintf(buf, sizeof(buf), "%s", dotted);
  for (part = strtok_r(buf, ".", &save); part; part = next) {
    unsigned l = key_line(path, part, line);
    next = strtok_r(NULL, ".", &save);
    for (unsigned k = 1; !next && l && k < nth; k++) l = key_line(path, part, l + 1);
    if (!l) return line;
    line = l;
  }
  return line;
}

__attribute__((format(printf, 6, 0))) static int vfail(char *err, size_t errlen, const char *path, const char *field, unsigned nth,
                 const char *fmt, va_list ap) {
  char why[200];
  vsnprintf(why, sizeof(why), fmt, ap);
  snprintf(err, errlen, "%s:%u: %s: %s", path, path_line(path, field, nth), field, why);
  return -1;
}

__attribute__((format(printf, 5, 6))) static int fail(char *err, size_t errlen, const char *path, const char *field, const char *fmt, ...) {
  va_list ap;
  int rv;
  va_start(ap, fmt);
  rv = vfail(err, errlen, path, field, 1, fmt, ap);
  va_end(ap);
  return rv;
}

/* For the nth item of a list (1-based). */
__attribute__((format(printf, 6, 7))) static int fail_item(char *err, size_t errlen, const char *path, const char *field, unsigned nth,
                     const char *fmt, ...) {
  va_list ap;
  int rv;
  va_start(ap, fmt);
  rv = vfail(err, errlen, path, field, nth, fmt, ap);
  va_end(ap);
  return rv;
}

#define NEED(cond, field, ...)                                        \
  do {                                                                \
    if (!(cond)) return fail(err, errlen, sc->path, field, __VA_ARGS__); \
  } while (0)

/* A non-negative finite number into *out, or the default. */
static int num(sim_scenario *sc, char *err, size_t errlen, const char *field, const double *v, double def,
               double lo, double hi, double *out) {
  if (!v) {
    *out = def;
    return 0;
  }
  if (!isfinite(*v) || *v < lo || *v > hi)
    return fail(err, errlen, sc->path, field, "%g is outside %g..%g", *v, lo, hi);
  *out = *v;
  return 0;
}

#define NUM(field, v, def, lo, hi, out)                                         \
  do {                                                                          \
    double d_ = 0;                                                                \
    if (num(sc, err, errlen, field, v, def, lo, hi, &d_) != 0) return -1;      \
    out = d_;                                                                   \
  } while (0)

static int timing(sim_scenario *sc, const y_timing *t, char *err, size_t errlen) {
  static const y_timing none;
  rse_config *r = &sc->rse;
  obe_config *o = &sc->obe;
  double kbps;
  if (!t) t = &none;
  NUM("timing.downlink_kbps", t->downlink_kbps, 500, 1, 100000, kbps);
  sc->l1.down_bps = (uint32_t)(kbps * 1000);
  NUM("timing.uplink_kbps", t->uplink_kbps, 250, 1, 100000, kbps);
  sc->l1.up_bps = (uint32_t)(kbps * 1000);
  NUM("timing.downlink_preamble_us", t->downlink_preamble_us, 32, 0, 10000, sc->l1.down_preamble_ns);
  sc->l1.down_preamble_ns *= 1000;
  NUM("timing.uplink_preamble_us", t->uplink_preamble_us, 68, 0, 10000, sc->l1.up_preamble_ns);
  sc->l1.up_preamble_ns *= 1000;
  if (t->trailing_bits) {
    NEED(*t->trailing_bits <= 8, "timing.trailing_bits", "%u is more than 8", *t->trailing_bits);
    sc->l1.down_trailing_bits = sc->l1.up_trailing_bits = (uint8_t)*t->trailing_bits;
  }
  NUM("timing.obe_start_ms", t->obe_start_ms, 5, 0, 1000, kbps);
  o->start_ns = (uint64_t)(kbps * 1e6);
  NUM("timing.gap_down_up_us", t->gap_down_up_us, 100, 0, 100000, kbps);
  r->gap_du_ns = (uint64_t)(kbps * 1e3);
  NUM("timing.gap_up_down_us", t->gap_up_down_us, 200, 0, 100000, kbps);
  r->gap_ud_ns = (uint64_t)(kbps * 1e3);
  NUM("timing.bst_period_ms", t->bst_period_ms, 2, 0.1, 10000, kbps);
  r->bst_period_ns = (uint64_t)(kbps * 1e6);
  if (t->public_windows) {
    NEED(*t->public_windows >= 1 && *t->public_windows <= 16, "timing.public_windows",
         "%u is outside 1..16", *t->public_windows);
    r->public_windows = o->public_windows = (uint8_t)*t->public_windows;
  }
  if (t->max_retries) {
    NEED(*t->max_retries <= 20, "timing.max_retries", "%u is more than 20", *t->max_retries);
    r->max_retries = (uint8_t)*t->max_retries;
  }
  NUM("timing.public_window_us", t->public_window_us, (double)r->public_window_ns / 1e3, 1, 1e6, kbps);
  r->public_window_ns = (uint64_t)(kbps * 1e3);
  NUM("timing.empty_window_us", t->empty_window_us, (double)r->empty_window_ns / 1e3, 1, 1e6, kbps);
  r->empty_window_ns = (uint64_t)(kbps * 1e3);
  NUM("timing.session_timeout_ms", t->session_timeout_ms, (double)r->session_timeout_ns / 1e6, 1, 1e6, kbps);
  r->session_timeout_ns = (uint64_t)(kbps * 1e6);
  NUM("timing.obe_base_ms", t->obe_base_ms, 0.3, 0, 1000, kbps);
  sc->mcu_legacy.base_ns = sc->mcu_modern.base_ns = (uint32_t)(kbps * 1e6);
  NUM("timing.rse_crypto_ms_per_block", t->rse_crypto_ms_per_block, 0.002, 0, 100, kbps);
  r->crypto_ns_per_block = (uint32_t)(kbps * 1e6);
  {
    const y_mcu *m[2] = {t->legacy, t->modern};
    obe_mcu *dst[2] = {&sc->mcu_legacy, &sc->mcu_modern};
    const char *names[2] = {"timing.legacy", "timing.modern"};
    for (int i = 0; i < 2; i++) {
      char f[64];
      double v;
      if (!m[i]) continue;
      snprintf(f, sizeof(f), "%s.des_ms", names[i]);
      NUM(f, m[i]->des_ms, dst[i]->des_ns / 1e6, 0, 1000, v);
      dst[i]->des_ns = (uint32_t)(v * 1e6);
      snprintf(f, sizeof(f), "%s.tdes_ms", names[i]);
      NUM(f, m[i]->tdes_ms, dst[i]->tdes_ns / 1e6, 0, 1000, v);
      dst[i]->tdes_ns = (uint32_t)(v * 1e6);
      snprintf(f, sizeof(f), "%s.aes_ms", names[i]);
      NUM(f, m[i]->aes_ms, dst[i]->aes_ns / 1e6, 0, 1000, v);
      dst[i]->aes_ns = (uint32_t)(v * 1e6);
    }
  }
  return 0;
}

static int traffic(sim_scenario *sc, const y_traffic *t, char *err, size_t errlen) {
  int kinds;
  NEED(t != NULL, "traffic", "missing: a scenario needs traffic (speeds and passages)");
  kinds = (t->speeds_kmh != NULL) + (t->speed_range != NULL) + (t->speed_distribution != NULL);
  /* An empty list loads as no list at all: tell the two apart by the key. */
  NEED(kinds > 0 || !key_line(sc->path, "speeds_kmh", 1), "traffic.speeds_kmh", "empty: no speed to simulate");
  NEED(kinds == 1, "traffic", "give exactly one of speeds_kmh, speed_range, speed_distribution");
  if (t->speeds_kmh) {
    NEED(t->speeds_kmh_count > 0, "traffic.speeds_kmh", "empty: no speed to simulate");
    for (unsigned i = 0; i < t->speeds_kmh_count; i++) {
      NEED(isfinite(t->speeds_kmh[i]) && t->speeds_kmh[i] > 0, "traffic.speeds_kmh",
           "speed %g is not positive", t->speeds_kmh[i]);
      NEED(t->speeds_kmh[i] <= 500, "traffic.speeds_kmh", "speed %g km/h is above 500", t->speeds_kmh[i]);
      sc->speeds[sc->nspeeds++] = t->speeds_kmh[i];
    }
  } else if (t->speed_range) {
    const y_range *r = t->speed_range;
    NEED(*r->from_kmh > 0, "traffic.speed_range.from_kmh", "speed %g is not positive", *r->from_kmh);
    NEED(*r->to_kmh >= *r->from_kmh && *r->to_kmh <= 500, "traffic.speed_range.to_kmh",
         "%g is not in from_kmh..500", *r->to_kmh);
    NEED(*r->step_kmh > 0, "traffic.speed_range.step_kmh", "%g is not positive", *r->step_kmh);
    for (double v = *r->from_kmh; v <= *r->to_kmh + 1e-9; v += *r->step_kmh) {
      NEED(sc->nspeeds < SIM_SPEEDS_MAX, "traffic.speed_range", "more than %d speeds", SIM_SPEEDS_MAX);
      sc->speeds[sc->nspeeds++] = v;
    }
  } else {
    const y_dist *d = t->speed_distribution;
    NEED(*d->min_kmh > 0, "traffic.speed_distribution.min_kmh", "speed %g is not positive", *d->min_kmh);
    NEED(*d->max_kmh > *d->min_kmh && *d->max_kmh <= 500, "traffic.speed_distribution.max_kmh",
         "%g is not in min_kmh..500", *d->max_kmh);
    NEED(*d->mean_kmh > 0, "traffic.speed_distribution.mean_kmh", "speed %g is not positive", *d->mean_kmh);
    NEED(*d->sd_kmh >= 0, "traffic.speed_distribution.sd_kmh", "%g is negative", *d->sd_kmh);
    sc->speed_dist = true;
    sc->speed_mean = *d->mean_kmh;
    sc->speed_sd = *d->sd_kmh;
    sc->speed_min = *d->min_kmh;
    sc->speed_max = *d->max_kmh;
  }
  NEED(t->passages != NULL, "traffic", "missing passages: how many vehicles to simulate");
  NEED(*t->passages > 0, "traffic.passages", "0: nothing to simulate");
  NEED(*t->passages <= UINT64_C(100000000), "traffic.passages", "more than 100,000,000");
  sc->passages = *t->passages;
  NUM("traffic.headway_s", t->headway_s, 2.0, 0, 3600, sc->headway_s);
  NUM("traffic.min_headway_s", t->min_headway_s, 0.5 * sc->headway_s, 0, sc->headway_s, sc->min_headway_s);
  NEED(sc->headway_s > 0, "traffic.headway_s", "must be positive");
  sc->fleet_size = t->fleet_size ? *t->fleet_size : 0;
  return 0;
}

static int fleet(sim_scenario *sc, const y_group *g, unsigned n, char *err, size_t errlen) {
  double total = 0;
  NEED(n > 0, "fleet", "missing or empty: which OBEs pass the gantry?");
  for (unsigned i = 0; i < n; i++) {
    sim_group *d = &sc->groups[sc->ngroups++];
    d->profile = efc_profile_parse(g[i].profile);
    if (d->profile < 0)
      return fail_item(err, errlen, sc->path, "fleet.profile", i + 1,
                       "unknown profile '%s' (autopass, en15509-l0, en15509-l1, aes)", g[i].profile);
    d->legacy = false;
    if (g[i].mcu) {
      if (strcmp(g[i].mcu, "legacy") != 0 && strcmp(g[i].mcu, "modern") != 0)
        return fail_item(err, errlen, sc->path, "fleet.mcu", i + 1, "'%s' is not legacy or modern", g[i].mcu);
      d->legacy = strcmp(g[i].mcu, "legacy") == 0;
    }
    if (g[i].share && (!isfinite(*g[i].share) || *g[i].share < 0))
      return fail_item(err, errlen, sc->path, "fleet.share", i + 1, "%g is negative", *g[i].share);
    d->share = g[i].share ? *g[i].share : 1.0;
    total += d->share;
    snprintf(d->label, sizeof(d->label), "%s/%s", efc_profile_name(d->profile), d->legacy ? "legacy" : "modern");
  }
  NEED(total > 0, "fleet.share", "the shares add up to 0");
  for (unsigned i = 0; i < sc->ngroups; i++) sc->groups[i].share /= total;
  return 0;
}

static int rse_opts(sim_scenario *sc, const y_rse *r, char *err, size_t errlen) {
  rse_config *c = &sc->rse;
  if (!r) return 0;
  if (r->profiles) {
    c->nprofiles = 0;
    for (unsigned i = 0; i < r->profiles_count; i++) {
      int p = efc_profile_parse(r->profiles[i]);
      NEED(p >= 0, "rse.profiles", "unknown profile '%s'", r->profiles[i]);
      c->profiles[c->nprofiles++] = (uint8_t)p;
    }
  }
  if (r->autopass_set_mmi) c->autopass_set_mmi = *r->autopass_set_mmi;
  if (r->en15509_get) c->en15509_get = *r->en15509_get;
  if (r->en15509_set) c->en15509_set = *r->en15509_set;
  if (r->en15509_set_mmi) c->en15509_set_mmi = *r->en15509_set_mmi;
  if (r->nonce) {
    if (strcmp(r->nonce, "commit") == 0) c->nonce_mode = EFC_NONCE_COMMIT;
    else if (strcmp(r->nonce, "random") == 0) c->nonce_mode = EFC_NONCE_RANDOM;
    else if (strcmp(r->nonce, "time") == 0) c->nonce_mode = EFC_NONCE_TIME;
    else return fail(err, errlen, sc->path, "rse.nonce", "'%s' is not commit, random or time", r->nonce);
  }
  if (r->retry_policy) {
    int p = rse_retry_policy_parse(r->retry_policy);
    NEED(p >= 0, "rse.retry_policy", "'%s' is not by-window or realloc-first", r->retry_policy);
    c->retry_policy = (uint8_t)p;
  }
  return 0;
}

static int convert(sim_scenario *sc, const y_scenario *y, char *err, size_t errlen) {
  snprintf(sc->name, sizeof(sc->name), "%s", y->name ? y->name : "scenario");
  sc->seed = y->seed ? *y->seed : 1;
  NUM("zone_length_m", y->zone_length_m, 10, 0.1, 1000, sc->zone_m);
  sc->lanes = y->lanes ? *y->lanes : 1;
  NEED(sc->lanes >= 1 && sc->lanes <= 16, "lanes", "%u is outside 1..16", sc->lanes);
  sc->gantries = y->gantries ? *y->gantries : 1;
  NEED(sc->gantries >= 1 && sc->gantries <= 1000, "gantries", "%u is outside 1..1000", sc->gantries);
  NEED(!(y->ber && y->ber_sweep), "ber_sweep", "give ber or ber_sweep, not both");
  if (y->ber_sweep) {
    for (unsigned i = 0; i < y->ber_sweep_count; i++) {
      NEED(y->ber_sweep[i] >= 0 && y->ber_sweep[i] < 0.5, "ber_sweep", "%g is outside 0..0.5", y->ber_sweep[i]);
      sc->bers[sc->nbers++] = y->ber_sweep[i];
    }
  } else {
    NUM("ber", y->ber, 1e-6, 0, 0.5, sc->bers[0]);
    sc->nbers = 1;
  }
  if (timing(sc, y->timing, err, errlen) != 0 || rse_opts(sc, y->rse, err, errlen) != 0 ||
      traffic(sc, y->traffic, err, errlen) != 0 || fleet(sc, y->fleet, y->fleet_count, err, errlen) != 0)
    return -1;
  return 0;
}

int sim_yaml_load(const char *path, const cyaml_schema_value_t *schema, void **out, char *err, size_t errlen) {
  log_capture cap;
  cyaml_config_t cfg;
  cyaml_err_t e;
  FILE *probe = fopen(path, "r");
  *out = NULL;
  if (!probe) {
    snprintf(err, errlen, "%s: cannot open", path);
    return -1;
  }
  fclose(probe);
  memset(&cap, 0, sizeof(cap));
  memset(&cfg, 0, sizeof(cfg));
  cfg.log_fn = capture_log;
  cfg.log_ctx = &cap;
  cfg.mem_fn = cyaml_mem;
  cfg.log_level = CYAML_LOG_ERROR;
  e = cyaml_load_file(path, &cfg, schema, (cyaml_data_t **)out, NULL);
  if (e != CYAML_OK) {
    char field[200] = "";
    unsigned line = cap.line;
    for (unsigned i = cap.nfields; i-- > 0;)
      snprintf(field + strlen(field), sizeof(field) - strlen(field), "%s%s", field[0] ? "." : "", cap.fields[i]);
    /* An unknown key: libcyaml points at its mapping; find the key's own line. */
    if (strncmp(cap.msg, "Unexpected key: ", 16) == 0) {
      unsigned l = key_line(path, cap.msg + 16, line ? line : 1);
      if (l) line = l;
    }
    snprintf(err, errlen, "%s:%u: %s%s%s", path, line ? line : 1, field, field[0] ? ": " : "",
             cap.msg[0] ? cap.msg : cyaml_strerror(e));
    *out = NULL;
    return -1;
  }
  /* An empty or comment-only file is a valid YAML stream without a document: libcyaml
   * succeeds and hands back no data at all. */
  if (*out == NULL) {
    snprintf(err, errlen, "%s:1: empty: no document (expected a mapping of keys)", path);
    return -1;
  }
  return 0;
}

void sim_yaml_free(const cyaml_schema_value_t *schema, void *data) {
  cyaml_config_t cfg;
  memset(&cfg, 0, sizeof(cfg));
  cfg.mem_fn = cyaml_mem;
  cfg.log_level = CYAML_LOG_ERROR;
  cyaml_free(&cfg, schema, data, 0);
}

unsigned sim_yaml_key_line(const char *path, const char *key) { return path_line(path, key, 1); }

int sim_scenario_load(sim_scenario *sc, const char *path, char *err, size_t errlen) {
  y_scenario *y = NULL;
  int rv;
  memset(sc, 0, sizeof(*sc));
  snprintf(sc->path, sizeof(sc->path), "%s", path);
  if (sim_yaml_load(path, &top_schema, (void **)&y, err, errlen) != 0) return -1;
  obe_config_default(&sc->obe);
  rse_config_default(&sc->rse);
  dsrc_l1_params_default(&sc->l1);
  sc->mcu_legacy = obe_mcu_legacy;
  sc->mcu_modern = obe_mcu_modern;
  rv = convert(sc, y, err, errlen);
  sim_yaml_free(&top_schema, y);
  return rv;
}
