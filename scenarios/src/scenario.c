/* Scenario files: YAML through libcyaml into a file-shaped struct (optional values as
 * pointers, so an absent key keeps its default), then checked and turned into the
 * runtime scenario. Every error names the file, the line and the field. */
#include <cyaml/cyaml.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "io/cli.h"
#include "sim/scenario.h"
#include "sim/yaml.h"

/* Every number is its text here (NULL: absent), read by sim_yaml_u64 / sim_yaml_double. */
typedef struct {
  char *des_ms, *tdes_ms, *aes_ms;
} y_mcu;

typedef struct {
  char *downlink_kbps, *uplink_kbps, *downlink_preamble_us, *uplink_preamble_us;
  char *trailing_bits;
  char *obe_start_ms, *gap_down_up_us, *gap_up_down_us, *bst_period_ms;
  char *public_windows, *max_retries;
  char *public_window_us, *empty_window_us, *session_timeout_ms;
  char *obe_base_ms, *rse_crypto_ms_per_block;
  y_mcu *legacy, *modern;
} y_timing;

typedef struct {
  char *from_kmh, *to_kmh, *step_kmh;
} y_range;

typedef struct {
  char *mean_kmh, *sd_kmh, *min_kmh, *max_kmh;
} y_dist;

typedef struct {
  char **speeds_kmh;
  unsigned speeds_kmh_count;
  y_range *speed_range;
  y_dist *speed_distribution;
  char *passages;
  char *first_look, *max_per_cell, *budget;
  char *headway_s, *min_headway_s;
  char *fleet_size;
} y_traffic;

typedef struct {
  char *axis;
  char *from, *to, *resolution;
} y_search;

typedef struct {
  char **ber;
  unsigned ber_count;
  char **zone_length_m;
  unsigned zone_length_m_count;
  char **obes_in_zone;
  unsigned obes_in_zone_count;
  y_search *search;
} y_sweep;

typedef struct {
  char *profile;
  char *mcu;
  char *share;
} y_group;

typedef struct {
  char **profiles;
  unsigned profiles_count;
  bool *autopass_set_mmi, *en15509_get, *en15509_set, *en15509_set_mmi;
  char *nonce;
  char *retry_policy;
} y_rse;

typedef struct {
  char *ber, *collide, *pilot, *precision, *warmup;
} y_importance;

typedef struct {
  char *name, *description;
  char *seed;
  char *success_target, *confidence;
  char *passages_csv;
  y_sweep *sweep;
  y_importance *importance;
  char *zone_length_m;
  char *lanes, *gantries;
  char *ber;
  char **ber_sweep;
  unsigned ber_sweep_count;
  y_timing *timing;
  y_rse *rse;
  y_traffic *traffic;
  y_group *fleet;
  unsigned fleet_count;
} y_scenario;

#define OPT CYAML_FLAG_OPTIONAL

static const cyaml_schema_field_t mcu_fields[] = {
    SIM_YAML_NUMBER_PTR("des_ms", OPT, y_mcu, des_ms),
    SIM_YAML_NUMBER_PTR("tdes_ms", OPT, y_mcu, tdes_ms),
    SIM_YAML_NUMBER_PTR("aes_ms", OPT, y_mcu, aes_ms),
    CYAML_FIELD_END};

static const cyaml_schema_field_t timing_fields[] = {
    SIM_YAML_NUMBER_PTR("downlink_kbps", OPT, y_timing, downlink_kbps),
    SIM_YAML_NUMBER_PTR("uplink_kbps", OPT, y_timing, uplink_kbps),
    SIM_YAML_NUMBER_PTR("downlink_preamble_us", OPT, y_timing, downlink_preamble_us),
    SIM_YAML_NUMBER_PTR("uplink_preamble_us", OPT, y_timing, uplink_preamble_us),
    SIM_YAML_NUMBER_PTR("trailing_bits", OPT, y_timing, trailing_bits),
    SIM_YAML_NUMBER_PTR("obe_start_ms", OPT, y_timing, obe_start_ms),
    SIM_YAML_NUMBER_PTR("gap_down_up_us", OPT, y_timing, gap_down_up_us),
    SIM_YAML_NUMBER_PTR("gap_up_down_us", OPT, y_timing, gap_up_down_us),
    SIM_YAML_NUMBER_PTR("bst_period_ms", OPT, y_timing, bst_period_ms),
    SIM_YAML_NUMBER_PTR("public_windows", OPT, y_timing, public_windows),
    SIM_YAML_NUMBER_PTR("max_retries", OPT, y_timing, max_retries),
    SIM_YAML_NUMBER_PTR("public_window_us", OPT, y_timing, public_window_us),
    SIM_YAML_NUMBER_PTR("empty_window_us", OPT, y_timing, empty_window_us),
    SIM_YAML_NUMBER_PTR("session_timeout_ms", OPT, y_timing, session_timeout_ms),
    SIM_YAML_NUMBER_PTR("obe_base_ms", OPT, y_timing, obe_base_ms),
    SIM_YAML_NUMBER_PTR("rse_crypto_ms_per_block", OPT, y_timing, rse_crypto_ms_per_block),
    CYAML_FIELD_MAPPING_PTR("legacy", OPT, y_timing, legacy, mcu_fields),
    CYAML_FIELD_MAPPING_PTR("modern", OPT, y_timing, modern, mcu_fields),
    CYAML_FIELD_END};

static const cyaml_schema_field_t range_fields[] = {
    SIM_YAML_NUMBER_PTR("from_kmh", CYAML_FLAG_DEFAULT, y_range, from_kmh),
    SIM_YAML_NUMBER_PTR("to_kmh", CYAML_FLAG_DEFAULT, y_range, to_kmh),
    SIM_YAML_NUMBER_PTR("step_kmh", CYAML_FLAG_DEFAULT, y_range, step_kmh),
    CYAML_FIELD_END};

static const cyaml_schema_field_t dist_fields[] = {
    SIM_YAML_NUMBER_PTR("mean_kmh", CYAML_FLAG_DEFAULT, y_dist, mean_kmh),
    SIM_YAML_NUMBER_PTR("sd_kmh", CYAML_FLAG_DEFAULT, y_dist, sd_kmh),
    SIM_YAML_NUMBER_PTR("min_kmh", CYAML_FLAG_DEFAULT, y_dist, min_kmh),
    SIM_YAML_NUMBER_PTR("max_kmh", CYAML_FLAG_DEFAULT, y_dist, max_kmh),
    CYAML_FIELD_END};

static const cyaml_schema_value_t string_entry = {
    CYAML_VALUE_STRING(CYAML_FLAG_POINTER, char, 1, 64)};

static const cyaml_schema_field_t traffic_fields[] = {
    CYAML_FIELD_SEQUENCE("speeds_kmh", CYAML_FLAG_POINTER | OPT, y_traffic, speeds_kmh, &sim_yaml_number_entry,
                         0, SIM_SPEEDS_MAX),
    CYAML_FIELD_MAPPING_PTR("speed_range", OPT, y_traffic, speed_range, range_fields),
    CYAML_FIELD_MAPPING_PTR("speed_distribution", OPT, y_traffic, speed_distribution, dist_fields),
    SIM_YAML_NUMBER_PTR("passages", OPT, y_traffic, passages),
    SIM_YAML_NUMBER_PTR("first_look", OPT, y_traffic, first_look),
    SIM_YAML_NUMBER_PTR("max_per_cell", OPT, y_traffic, max_per_cell),
    SIM_YAML_NUMBER_PTR("budget", OPT, y_traffic, budget),
    SIM_YAML_NUMBER_PTR("headway_s", OPT, y_traffic, headway_s),
    SIM_YAML_NUMBER_PTR("min_headway_s", OPT, y_traffic, min_headway_s),
    SIM_YAML_NUMBER_PTR("fleet_size", OPT, y_traffic, fleet_size),
    CYAML_FIELD_END};

static const cyaml_schema_field_t group_fields[] = {
    CYAML_FIELD_STRING_PTR("profile", CYAML_FLAG_DEFAULT, y_group, profile, 1, 32),
    CYAML_FIELD_STRING_PTR("mcu", OPT, y_group, mcu, 1, 16),
    SIM_YAML_NUMBER_PTR("share", OPT, y_group, share),
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

static const cyaml_schema_field_t search_fields[] = {
    CYAML_FIELD_STRING_PTR("axis", CYAML_FLAG_DEFAULT, y_search, axis, 1, 32),
    SIM_YAML_NUMBER_PTR("from", CYAML_FLAG_DEFAULT, y_search, from),
    SIM_YAML_NUMBER_PTR("to", CYAML_FLAG_DEFAULT, y_search, to),
    SIM_YAML_NUMBER_PTR("resolution", CYAML_FLAG_DEFAULT, y_search, resolution),
    CYAML_FIELD_END};

static const cyaml_schema_field_t sweep_fields[] = {
    CYAML_FIELD_SEQUENCE("ber", CYAML_FLAG_POINTER | OPT, y_sweep, ber, &sim_yaml_number_entry, 1, SIM_BERS_MAX),
    CYAML_FIELD_SEQUENCE("zone_length_m", CYAML_FLAG_POINTER | OPT, y_sweep, zone_length_m, &sim_yaml_number_entry, 1,
                         SIM_ZONES_MAX),
    CYAML_FIELD_SEQUENCE("obes_in_zone", CYAML_FLAG_POINTER | OPT, y_sweep, obes_in_zone, &sim_yaml_number_entry, 1,
                         SIM_DENSITIES_MAX),
    CYAML_FIELD_MAPPING_PTR("search", OPT, y_sweep, search, search_fields),
    CYAML_FIELD_END};

static const cyaml_schema_field_t importance_fields[] = {
    SIM_YAML_NUMBER_PTR("ber", OPT, y_importance, ber),
    CYAML_FIELD_STRING_PTR("collide", OPT, y_importance, collide, 1, 32),
    SIM_YAML_NUMBER_PTR("pilot", OPT, y_importance, pilot),
    SIM_YAML_NUMBER_PTR("precision", OPT, y_importance, precision),
    SIM_YAML_NUMBER_PTR("warmup", OPT, y_importance, warmup),
    CYAML_FIELD_END};

static const cyaml_schema_field_t top_fields[] = {
    CYAML_FIELD_STRING_PTR("name", OPT, y_scenario, name, 1, 63),
    CYAML_FIELD_STRING_PTR("description", OPT, y_scenario, description, 0, 4096),
    SIM_YAML_NUMBER_PTR("seed", OPT, y_scenario, seed),
    SIM_YAML_NUMBER_PTR("success_target", OPT, y_scenario, success_target),
    SIM_YAML_NUMBER_PTR("confidence", OPT, y_scenario, confidence),
    CYAML_FIELD_STRING_PTR("passages_csv", OPT, y_scenario, passages_csv, 1, 16),
    CYAML_FIELD_MAPPING_PTR("sweep", OPT, y_scenario, sweep, sweep_fields),
    CYAML_FIELD_MAPPING_PTR("importance", OPT, y_scenario, importance, importance_fields),
    SIM_YAML_NUMBER_PTR("zone_length_m", OPT, y_scenario, zone_length_m),
    SIM_YAML_NUMBER_PTR("lanes", OPT, y_scenario, lanes),
    SIM_YAML_NUMBER_PTR("gantries", OPT, y_scenario, gantries),
    SIM_YAML_NUMBER_PTR("ber", OPT, y_scenario, ber),
    CYAML_FIELD_SEQUENCE("ber_sweep", CYAML_FLAG_POINTER | OPT, y_scenario, ber_sweep, &sim_yaml_number_entry, 1,
                         SIM_BERS_MAX),
    CYAML_FIELD_MAPPING_PTR("timing", OPT, y_scenario, timing, timing_fields),
    CYAML_FIELD_MAPPING_PTR("rse", OPT, y_scenario, rse, rse_fields),
    CYAML_FIELD_MAPPING_PTR("traffic", OPT, y_scenario, traffic, traffic_fields),
    CYAML_FIELD_SEQUENCE("fleet", CYAML_FLAG_POINTER | OPT, y_scenario, fleet, &group_entry, 0,
                         SIM_GROUPS_MAX),
    CYAML_FIELD_END};

static const cyaml_schema_value_t top_schema = {
    CYAML_VALUE_MAPPING(CYAML_FLAG_POINTER, y_scenario, top_fields)};

#define NEED(cond, key, ...)                                                 \
  do {                                                                       \
    if (!(cond)) return sim_yaml_fail(err, errlen, sc->path, key, 1, __VA_ARGS__); \
  } while (0)

/* key's number text v (NULL when absent: def) in lo..hi, ends excluded by flags. */
static int num(const sim_scenario *sc, char *err, size_t errlen, const char *key, const char *v, double def,
               double lo, double hi, unsigned flags, double *out) {
  if (!v) {
    *out = def;
    return 0;
  }
  return sim_yaml_double(out, sc->path, key, 1, v, lo, hi, flags, err, errlen);
}

static int whole(const sim_scenario *sc, char *err, size_t errlen, const char *key, const char *v, uint64_t def,
                 uint64_t lo, uint64_t hi, uint64_t *out) {
  if (!v) {
    *out = def;
    return 0;
  }
  return sim_yaml_u64(out, sc->path, key, 1, v, lo, hi, err, errlen);
}

/* NUM / NUMX (ends excluded) / INT: into out of any numeric type, or return -1. */
#define NUMX(key, v, def, lo, hi, flags, out)                                       \
  do {                                                                              \
    double d_ = 0;                                                                  \
    if (num(sc, err, errlen, key, v, def, lo, hi, flags, &d_) != 0) return -1;      \
    out = d_;                                                                       \
  } while (0)
#define NUM(key, v, def, lo, hi, out) NUMX(key, v, def, lo, hi, 0, out)
#define INT(key, v, def, lo, hi, out)                                               \
  do {                                                                              \
    uint64_t u_ = 0;                                                                \
    if (whole(sc, err, errlen, key, v, def, lo, hi, &u_) != 0) return -1;           \
    out = u_;                                                                       \
  } while (0)

/* Speeds in km/h: from 1 (a 1000 m zone then takes an hour, which a passage's dwell time
 * still holds) to 500. */
#define SPEED_MIN 1.0
#define SPEED_MAX 500.0

static int timing(sim_scenario *sc, const y_timing *t, char *err, size_t errlen) {
  static const y_timing none;
  rse_config *r = &sc->rse;
  obe_config *o = &sc->obe;
  double v;
  if (!t) t = &none;
  NUM("timing.downlink_kbps", t->downlink_kbps, 500, 1, 100000, v);
  sc->l1.down_bps = (uint32_t)(v * 1000);
  NUM("timing.uplink_kbps", t->uplink_kbps, 250, 1, 100000, v);
  sc->l1.up_bps = (uint32_t)(v * 1000);
  NUM("timing.downlink_preamble_us", t->downlink_preamble_us, 32, 0, 10000, sc->l1.down_preamble_ns);
  sc->l1.down_preamble_ns *= 1000;
  NUM("timing.uplink_preamble_us", t->uplink_preamble_us, 68, 0, 10000, sc->l1.up_preamble_ns);
  sc->l1.up_preamble_ns *= 1000;
  INT("timing.trailing_bits", t->trailing_bits, sc->l1.down_trailing_bits, 0, 8, sc->l1.down_trailing_bits);
  sc->l1.up_trailing_bits = sc->l1.down_trailing_bits;
  NUM("timing.obe_start_ms", t->obe_start_ms, 5, 0, 1000, v);
  o->start_ns = (uint64_t)(v * 1e6);
  NUM("timing.gap_down_up_us", t->gap_down_up_us, 100, 0, 100000, v);
  r->gap_du_ns = (uint64_t)(v * 1e3);
  NUM("timing.gap_up_down_us", t->gap_up_down_us, 200, 0, 100000, v);
  r->gap_ud_ns = (uint64_t)(v * 1e3);
  NUM("timing.bst_period_ms", t->bst_period_ms, 2, 0.1, 10000, v);
  r->bst_period_ns = (uint64_t)(v * 1e6);
  INT("timing.public_windows", t->public_windows, r->public_windows, 1, 16, r->public_windows);
  o->public_windows = r->public_windows;
  INT("timing.max_retries", t->max_retries, r->max_retries, 0, 20, r->max_retries);
  NUM("timing.public_window_us", t->public_window_us, (double)r->public_window_ns / 1e3, 1, 1e6, v);
  r->public_window_ns = (uint64_t)(v * 1e3);
  NUM("timing.empty_window_us", t->empty_window_us, (double)r->empty_window_ns / 1e3, 1, 1e6, v);
  r->empty_window_ns = (uint64_t)(v * 1e3);
  NUM("timing.session_timeout_ms", t->session_timeout_ms, (double)r->session_timeout_ns / 1e6, 1, 1e6, v);
  r->session_timeout_ns = (uint64_t)(v * 1e6);
  NUM("timing.obe_base_ms", t->obe_base_ms, 0.3, 0, 1000, v);
  sc->mcu_legacy.base_ns = sc->mcu_modern.base_ns = (uint32_t)(v * 1e6);
  NUM("timing.rse_crypto_ms_per_block", t->rse_crypto_ms_per_block, 0.002, 0, 100, v);
  r->crypto_ns_per_block = (uint32_t)(v * 1e6);
  {
    const y_mcu *m[2] = {t->legacy, t->modern};
    obe_mcu *dst[2] = {&sc->mcu_legacy, &sc->mcu_modern};
    const char *names[2] = {"timing.legacy", "timing.modern"};
    for (int i = 0; i < 2; i++) {
      char f[64];
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

static int speeds(sim_scenario *sc, const y_traffic *t, char *err, size_t errlen) {
  if (t->speeds_kmh) {
    NEED(t->speeds_kmh_count > 0, "traffic.speeds_kmh", "empty: no speed to simulate");
    for (unsigned i = 0; i < t->speeds_kmh_count; i++)
      if (sim_yaml_double(&sc->speeds[sc->nspeeds++], sc->path, "traffic.speeds_kmh", 1, t->speeds_kmh[i],
                          SPEED_MIN, SPEED_MAX, 0, err, errlen) != 0)
        return -1;
  } else if (t->speed_range) {
    const y_range *r = t->speed_range;
    double from, to, step;
    NUM("traffic.speed_range.from_kmh", r->from_kmh, 0, SPEED_MIN, SPEED_MAX, from);
    NUM("traffic.speed_range.to_kmh", r->to_kmh, 0, from, SPEED_MAX, to);
    NUM("traffic.speed_range.step_kmh", r->step_kmh, 0, 0.1, SPEED_MAX, step);
    for (double v = from; v <= to + 1e-9; v += step) {
      NEED(sc->nspeeds < SIM_SPEEDS_MAX, "traffic.speed_range", "more than %d speeds", SIM_SPEEDS_MAX);
      sc->speeds[sc->nspeeds++] = v;
    }
  } else {
    const y_dist *d = t->speed_distribution;
    sc->speed_dist = true;
    NUM("traffic.speed_distribution.min_kmh", d->min_kmh, 0, SPEED_MIN, SPEED_MAX, sc->speed_min);
    NUMX("traffic.speed_distribution.max_kmh", d->max_kmh, 0, sc->speed_min, SPEED_MAX, IO_CLI_ABOVE_LO,
         sc->speed_max);
    /* A mean outside min..max would draw no speed within them and fall back to the mean. */
    NUM("traffic.speed_distribution.mean_kmh", d->mean_kmh, 0, sc->speed_min, sc->speed_max, sc->speed_mean);
    NUM("traffic.speed_distribution.sd_kmh", d->sd_kmh, 0, 0, SPEED_MAX, sc->speed_sd);
  }
  return 0;
}

static int traffic(sim_scenario *sc, const y_traffic *t, char *err, size_t errlen) {
  int kinds;
  NEED(t != NULL, "traffic", "missing: a scenario needs traffic (speeds and passages)");
  kinds = (t->speeds_kmh != NULL) + (t->speed_range != NULL) + (t->speed_distribution != NULL);
  /* An empty list loads as no list at all: tell the two apart by the key. */
  NEED(kinds > 0 || !sim_yaml_key_present(sc->path, "speeds_kmh"), "traffic.speeds_kmh",
       "empty: no speed to simulate");
  NEED(kinds == 1, "traffic", "give exactly one of speeds_kmh, speed_range, speed_distribution");
  if (speeds(sc, t, err, errlen) != 0) return -1;
  NEED(t->passages != NULL, "traffic", "missing passages: how many vehicles to simulate, or auto");
  sc->passages_auto = strcmp(t->passages, "auto") == 0;
  if (!sc->passages_auto) INT("traffic.passages", t->passages, 0, 1, 100000000, sc->passages);
  /* auto samples a cell of one group at one speed at a time (docs/statistics.md). */
  NEED(!sc->passages_auto || !t->speed_distribution, "traffic.passages",
       "auto needs speeds_kmh or speed_range: a cell is one speed");
  NEED(sc->passages_auto || !(t->first_look || t->max_per_cell || t->budget), "traffic",
       "first_look, max_per_cell and budget go with passages: auto");
  INT("traffic.first_look", t->first_look, 1000, 10, 100000000, sc->first_look);
  /* Absent, the last look is 128,000 passages, or the first when that is later. */
  INT("traffic.max_per_cell", t->max_per_cell, sc->first_look > 128000 ? sc->first_look : 128000, sc->first_look,
      100000000, sc->cell_max);
  INT("traffic.budget", t->budget, 50000000, 1000, 10000000000ull, sc->budget);
  /* 0.1 s apart is bumper to bumper at motorway speed; a shorter mean only stacks OBEs. */
  NUM("traffic.headway_s", t->headway_s, 2.0, 0.1, 3600, sc->headway_s);
  NUM("traffic.min_headway_s", t->min_headway_s, 0.5 * sc->headway_s, 0, sc->headway_s, sc->min_headway_s);
  INT("traffic.fleet_size", t->fleet_size, 0, 0, 100000000, sc->fleet_size);
  NEED(!sc->passages_auto || sc->fleet_size == 0, "traffic.fleet_size",
       "not with passages: auto (a repeating fleet's counters need the fleet's passages in order)");
  return 0;
}

static int fleet(sim_scenario *sc, const y_group *g, unsigned n, char *err, size_t errlen) {
  double total = 0;
  NEED(n > 0, "fleet", "missing or empty: which OBEs pass the gantry?");
  for (unsigned i = 0; i < n; i++) {
    sim_group *d = &sc->groups[sc->ngroups++];
    bool runs = false;
    d->profile = efc_profile_parse(g[i].profile);
    if (d->profile < 0)
      return sim_yaml_fail(err, errlen, sc->path, "fleet.profile", i + 1,
                           "unknown profile '%s' (autopass, en15509-l0, en15509-l1, aes)", g[i].profile);
    /* An OBE offers its one profile; a group the RSE cannot serve would only measure 0 %. */
    for (unsigned k = 0; k < sc->rse.nprofiles; k++) runs |= sc->rse.profiles[k] == d->profile;
    if (!runs)
      return sim_yaml_fail(err, errlen, sc->path, "fleet.profile", i + 1,
                           "the RSE does not run %s (rse.profiles): no OBE of this group could pass",
                           efc_profile_name(d->profile));
    d->legacy = false;
    if (g[i].mcu) {
      if (strcmp(g[i].mcu, "legacy") != 0 && strcmp(g[i].mcu, "modern") != 0)
        return sim_yaml_fail(err, errlen, sc->path, "fleet.mcu", i + 1, "'%s' is not legacy or modern", g[i].mcu);
      d->legacy = strcmp(g[i].mcu, "legacy") == 0;
    }
    d->share = 1.0;
    if (g[i].share && sim_yaml_double(&d->share, sc->path, "fleet.share", i + 1, g[i].share, 0, 1e6, 0, err,
                                      errlen) != 0)
      return -1;
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
    else return sim_yaml_fail(err, errlen, sc->path, "rse.nonce", 1, "'%s' is not commit, random or time", r->nonce);
  }
  if (r->retry_policy) {
    int p = rse_retry_policy_parse(r->retry_policy);
    NEED(p >= 0, "rse.retry_policy", "'%s' is not by-window or realloc-first", r->retry_policy);
    c->retry_policy = (uint8_t)p;
  }
  return 0;
}

/* A list of numbers of key into out[0 .. n-1], each in lo..hi (ends by flags). */
static int list(sim_scenario *sc, char *err, size_t errlen, const char *key, char *const *v, unsigned n, double lo,
                double hi, unsigned flags, double *out) {
  for (unsigned i = 0; i < n; i++)
    if (sim_yaml_double(&out[i], sc->path, key, 1, v[i], lo, hi, flags, err, errlen) != 0) return -1;
  return 0;
}

/* sweep: the axes beside speed, and the zone search. */
static int sweep(sim_scenario *sc, const y_scenario *y, char *err, size_t errlen) {
  const y_sweep *w = y->sweep;
  if (w->ber) {
    NEED(!y->ber && !y->ber_sweep, "sweep.ber", "give ber, ber_sweep or sweep.ber, not two of them");
    if (list(sc, err, errlen, "sweep.ber", w->ber, w->ber_count, 0, 0.5, IO_CLI_BELOW_HI, sc->bers) != 0) return -1;
    sc->nbers = w->ber_count;
  }
  if (w->zone_length_m) {
    NEED(!y->zone_length_m, "sweep.zone_length_m", "give zone_length_m or sweep.zone_length_m, not both");
    NEED(!w->search, "sweep.search", "the zone is searched: sweep.zone_length_m cannot list zones as well");
    if (list(sc, err, errlen, "sweep.zone_length_m", w->zone_length_m, w->zone_length_m_count, 0.1, 1000, 0,
             sc->zones) != 0)
      return -1;
    sc->nzones = w->zone_length_m_count;
  }
  if (w->obes_in_zone) {
    if (list(sc, err, errlen, "sweep.obes_in_zone", w->obes_in_zone, w->obes_in_zone_count, 0.01, 64, 0,
             sc->densities) != 0)
      return -1;
    sc->ndensities = w->obes_in_zone_count;
  }
  if (w->search) {
    const y_search *s = w->search;
    NEED(strcmp(s->axis, "zone_length_m") == 0, "sweep.search.axis", "'%s': the search axis is zone_length_m",
         s->axis);
    NEED(!y->zone_length_m, "zone_length_m", "the zone is searched (sweep.search): leave zone_length_m out");
    NUM("sweep.search.from", s->from, 0, 0.1, 1000, sc->search_from_m);
    NUMX("sweep.search.to", s->to, 0, sc->search_from_m, 1000, IO_CLI_ABOVE_LO, sc->search_to_m);
    NUMX("sweep.search.resolution", s->resolution, 0, 0, sc->search_to_m - sc->search_from_m, IO_CLI_ABOVE_LO,
         sc->search_step_m);
    sc->search = true;
    sc->zones[0] = sc->search_to_m;
  }
  return 0;
}

static int verdicts(sim_scenario *sc, const y_scenario *y, char *err, size_t errlen) {
  NUMX("success_target", y->success_target, 0.999, 0, 1, IO_CLI_ABOVE_LO | IO_CLI_BELOW_HI, sc->target);
  NUMX("confidence", y->confidence, 0.95, 0.5, 1, IO_CLI_BELOW_HI, sc->confidence);
  sc->csv_all = !sc->passages_auto;
  if (y->passages_csv) {
    NEED(strcmp(y->passages_csv, "all") == 0 || strcmp(y->passages_csv, "failures") == 0, "passages_csv",
         "'%s' is not all or failures", y->passages_csv);
    sc->csv_all = strcmp(y->passages_csv, "all") == 0;
  }
  NEED(!sc->search || !sc->speed_dist, "sweep.search", "needs speeds_kmh or speed_range: a frontier is per speed");
  NEED(!(sc->nzones > 1 || sc->ndensities || sc->search) || !sc->speed_dist, "sweep",
       "needs speeds_kmh or speed_range: a sweep point is one speed");
  return 0;
}

/* importance: the BER bias (auto, off, or a BER above every BER of the run), the collision bias
 * (auto, off, or the probability a window choice joins a taken one), the pilot, the
 * precision, the warm-up. */
static int importance(sim_scenario *sc, const y_importance *m, char *err, size_t errlen) {
  double hi_ber = 0;
  if (!m) return 0;
  sc->is_on = true;
  NEED(sc->passages_auto, "importance", "needs traffic.passages: auto (a cell is sampled until its estimate is known)");
  for (unsigned i = 0; i < sc->nbers; i++)
    if (sc->bers[i] > hi_ber) hi_ber = sc->bers[i];
  if (!m->ber || strcmp(m->ber, "auto") == 0) {
    sc->is_ber_mode = 0;
  } else if (strcmp(m->ber, "off") == 0) {
    sc->is_ber_mode = -1;
  } else {
    NUMX("importance.ber", m->ber, 0, hi_ber, 0.2, IO_CLI_ABOVE_LO, sc->is_ber);
    sc->is_ber_mode = 1;
  }
  for (unsigned i = 0; i < sc->nbers && sc->is_ber_mode >= 0; i++)
    NEED(sc->bers[i] > 0, "importance.ber", "a BER of 0 has no bit error to draw more often (importance.ber: off)");
  if (!m->collide || strcmp(m->collide, "auto") == 0) {
    sc->is_collide_mode = 0;
  } else if (strcmp(m->collide, "off") == 0) {
    sc->is_collide_mode = -1;
  } else {
    /* The probability a window choice joins one taken at the same BST (block.c). */
    NUMX("importance.collide", m->collide, 0, 0, 1, IO_CLI_ABOVE_LO | IO_CLI_BELOW_HI, sc->is_collide);
    sc->is_collide_mode = 1;
  }
  INT("importance.pilot", m->pilot, 2000, 100, 10000000, sc->is_pilot);
  NUMX("importance.precision", m->precision, 0.1, 0, 1, IO_CLI_ABOVE_LO, sc->is_precision);
  sc->is_warmup = -1;
  if (m->warmup && strcmp(m->warmup, "auto") != 0) INT("importance.warmup", m->warmup, 0, 0, 100000, sc->is_warmup);
  return 0;
}

static int convert(sim_scenario *sc, const y_scenario *y, char *err, size_t errlen) {
  snprintf(sc->name, sizeof(sc->name), "%s", y->name ? y->name : "scenario");
  /* summary.json records the seed as a JSON integer, which is signed 64-bit. */
  INT("seed", y->seed, 1, 0, INT64_MAX, sc->seed);
  NUM("zone_length_m", y->zone_length_m, 10, 0.1, 1000, sc->zones[0]);
  sc->nzones = 1;
  INT("lanes", y->lanes, 1, 1, 16, sc->lanes);
  INT("gantries", y->gantries, 1, 1, 1000, sc->gantries);
  NEED(!(y->ber && y->ber_sweep), "ber_sweep", "give ber or ber_sweep, not both");
  if (y->sweep && sweep(sc, y, err, errlen) != 0) return -1;
  sc->zone_m = sc->zones[0];
  /* A BER of 0.5 is noise: no frame would ever arrive. */
  if (sc->nbers) {
    /* sweep.ber */
  } else if (y->ber_sweep) {
    for (unsigned i = 0; i < y->ber_sweep_count; i++)
      if (sim_yaml_double(&sc->bers[sc->nbers++], sc->path, "ber_sweep", 1, y->ber_sweep[i], 0, 0.5,
                          IO_CLI_BELOW_HI, err, errlen) != 0)
        return -1;
  } else {
    NUMX("ber", y->ber, 1e-6, 0, 0.5, IO_CLI_BELOW_HI, sc->bers[0]);
    sc->nbers = 1;
  }
  /* The RSE's profiles before the fleet, which is checked against them. */
  if (timing(sc, y->timing, err, errlen) != 0 || rse_opts(sc, y->rse, err, errlen) != 0 ||
      traffic(sc, y->traffic, err, errlen) != 0 || fleet(sc, y->fleet, y->fleet_count, err, errlen) != 0 ||
      verdicts(sc, y, err, errlen) != 0 || importance(sc, y->importance, err, errlen) != 0)
    return -1;
  return 0;
}

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

void sim_scenario_name(char *name, size_t cap, const char *path) {
  const char *base = strrchr(path, '/');
  char *dot;
  snprintf(name, cap, "%s", base ? base + 1 : path);
  if ((dot = strrchr(name, '.')) != NULL) *dot = '\0';
}
