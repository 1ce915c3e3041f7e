/* The sensitivity analysis: every timing parameter one at a time at a low and a high value,
 * every group simulated with the same seeds at each value (common random numbers, so that a
 * parameter a group never uses changes nothing at all), in a zone long enough that no
 * transaction is cut short. docs/timing-model.md, "Sensitivity: which figures to measure
 * first", gives every range and its reason. */
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "sim/pool.h"
#include "sim/sensitivity.h"
#include "sim/world.h"

/* One parameter: how to read and set it in a scenario (in the unit of its file key), and
 * the low and high values around the file's v. */
typedef struct {
  const char *key, *unit, *why;
  bool fixed;
  double (*get)(const sim_scenario *sc);
  void (*set)(sim_scenario *sc, double v);
  void (*range)(double v, double *lo, double *hi);
} param_def;

static uint32_t u32_of(double v) { return v <= 0 ? 0 : v >= 4294967295.0 ? UINT32_MAX : (uint32_t)llround(v); }
static uint64_t u64_of(double v) { return v <= 0 ? 0 : (uint64_t)llround(v); }

#define MCU_COST(name, mcu, field)                                                                           \
  static double get_##name(const sim_scenario *sc) { return sc->mcu.field / 1e6; }                          \
  static void set_##name(sim_scenario *sc, double v) { sc->mcu.field = u32_of(v * 1e6); }
MCU_COST(leg_des, mcu_legacy, des_ns)
MCU_COST(leg_tdes, mcu_legacy, tdes_ns)
MCU_COST(leg_aes, mcu_legacy, aes_ns)
MCU_COST(mod_des, mcu_modern, des_ns)
MCU_COST(mod_tdes, mcu_modern, tdes_ns)
MCU_COST(mod_aes, mcu_modern, aes_ns)

/* timing.obe_base_ms sets both classes' (scenario.c). */
static double get_base(const sim_scenario *sc) { return sc->mcu_modern.base_ns / 1e6; }
static void set_base(sim_scenario *sc, double v) { sc->mcu_legacy.base_ns = sc->mcu_modern.base_ns = u32_of(v * 1e6); }
static double get_start(const sim_scenario *sc) { return (double)sc->obe.start_ns / 1e6; }
static void set_start(sim_scenario *sc, double v) { sc->obe.start_ns = u64_of(v * 1e6); }

#define RSE_NS(name, field, scale)                                                                           \
  static double get_##name(const sim_scenario *sc) { return (double)sc->rse.field / (scale); }              \
  static void set_##name(sim_scenario *sc, double v) { sc->rse.field = u64_of(v * (scale)); }
RSE_NS(gap_du, gap_du_ns, 1e3)
RSE_NS(gap_ud, gap_ud_ns, 1e3)
RSE_NS(bst, bst_period_ns, 1e6)
RSE_NS(pubwin, public_window_ns, 1e3)
RSE_NS(empty, empty_window_ns, 1e3)
RSE_NS(timeout, session_timeout_ns, 1e6)

static double get_rse_crypto(const sim_scenario *sc) { return sc->rse.crypto_ns_per_block / 1e6; }
static void set_rse_crypto(sim_scenario *sc, double v) { sc->rse.crypto_ns_per_block = u32_of(v * 1e6); }
/* The OBE must expect as many public windows as the RSE opens (scenario.c sets both). */
static double get_nwin(const sim_scenario *sc) { return sc->rse.public_windows; }
static void set_nwin(sim_scenario *sc, double v) { sc->rse.public_windows = sc->obe.public_windows = (uint8_t)lround(v); }
static double get_retries(const sim_scenario *sc) { return sc->rse.max_retries; }
static void set_retries(sim_scenario *sc, double v) { sc->rse.max_retries = (uint8_t)lround(v); }
static double get_down(const sim_scenario *sc) { return sc->l1.down_bps / 1e3; }
static void set_down(sim_scenario *sc, double v) { sc->l1.down_bps = u32_of(v * 1e3); }
static double get_up(const sim_scenario *sc) { return sc->l1.up_bps / 1e3; }
static void set_up(sim_scenario *sc, double v) { sc->l1.up_bps = u32_of(v * 1e3); }

/* An estimate: half and double. */
static void half_double(double v, double *lo, double *hi) {
  *lo = v / 2;
  *hi = v * 2;
}
/* The OBE's start-up: EN 12253 allows at most 5 ms, the default; an OBE may wake faster. */
static void start_range(double v, double *lo, double *hi) {
  *lo = v / 5;
  *hi = v > 5 ? v : 5;
}
/* A public window must hold a 9-octet window request with worst-case stuffing (412 us at
 * the standard rates): shorter would cut requests off, which no beacon does. */
static void pubwin_range(double v, double *lo, double *hi) {
  *lo = v < 412 ? v : 412;
  *hi = v * 2;
}
/* Commercial beacons open 2 or 3 windows, test beacons 3: one fewer and one more. */
static void nwin_range(double v, double *lo, double *hi) {
  *lo = v > 1 ? v - 1 : 1;
  *hi = v < 16 ? v + 1 : 16;
}
/* Whole retries: half (rounded down) and double, within the file's 0..20. */
static void retries_range(double v, double *lo, double *hi) {
  *lo = floor(v / 2);
  *hi = v * 2 < 20 ? v * 2 : 20;
}
/* A BST period below the file's 0.1 ms limit is not a scenario. */
static void bst_range(double v, double *lo, double *hi) {
  half_double(v, lo, hi);
  if (*lo < 0.1) *lo = 0.1;
}

static const param_def params[] = {
    {"timing.legacy.des_ms", "ms", "estimate: half and double", false, get_leg_des, set_leg_des, half_double},
    {"timing.legacy.tdes_ms", "ms", "estimate: half and double", false, get_leg_tdes, set_leg_tdes, half_double},
    {"timing.legacy.aes_ms", "ms", "estimate: half and double", false, get_leg_aes, set_leg_aes, half_double},
    {"timing.modern.des_ms", "ms", "estimate: half and double", false, get_mod_des, set_mod_des, half_double},
    {"timing.modern.tdes_ms", "ms", "estimate: half and double", false, get_mod_tdes, set_mod_tdes, half_double},
    {"timing.modern.aes_ms", "ms", "estimate: half and double", false, get_mod_aes, set_mod_aes, half_double},
    {"timing.obe_base_ms", "ms", "estimate: half and double", false, get_base, set_base, half_double},
    {"timing.obe_start_ms", "ms", "EN 12253 maximum 5 ms: a fifth of the file's value up to the maximum", false,
     get_start, set_start, start_range},
    {"timing.gap_down_up_us", "us", "estimate: half and double", false, get_gap_du, set_gap_du, half_double},
    {"timing.gap_up_down_us", "us", "estimate: half and double", false, get_gap_ud, set_gap_ud, half_double},
    {"timing.bst_period_ms", "ms", "estimate: half and double", false, get_bst, set_bst, bst_range},
    {"timing.public_window_us", "us", "the shortest window that holds every request (412 us), and double", false,
     get_pubwin, set_pubwin, pubwin_range},
    {"timing.public_windows", "", "beacons open 2 or 3: one fewer and one more", false, get_nwin, set_nwin,
     nwin_range},
    {"timing.empty_window_us", "us", "estimate: half and double", false, get_empty, set_empty, half_double},
    {"timing.max_retries", "", "estimate: half (rounded down) and double", false, get_retries, set_retries,
     retries_range},
    {"timing.session_timeout_ms", "ms", "estimate: half and double", false, get_timeout, set_timeout, half_double},
    {"timing.rse_crypto_ms_per_block", "ms", "estimate: half and double", false, get_rse_crypto, set_rse_crypto,
     half_double},
    {"timing.downlink_kbps", "kbit/s", "fixed by EN 12253: half and double, for scale only", true, get_down,
     set_down, half_double},
    {"timing.uplink_kbps", "kbit/s", "fixed by EN 12253: half and double, for scale only", true, get_up, set_up,
     half_double},
};
#define NPARAMS (sizeof(params) / sizeof(params[0]))

void sim_sens_apply(sim_scenario *dst, const sim_scenario *sc, unsigned i, double v) {
  if (dst != sc) memcpy(dst, sc, sizeof(*dst));
  if (i < NPARAMS) params[i].set(dst, v);
}

void sim_sens_setup(const sim_scenario *sc, uint64_t passages, sim_sens_result *res) {
  double timeout_s = 0, bst_s = 0, dwell_s;
  memset(res, 0, sizeof(*res));
  res->sc = sc;
  res->passages = passages;
  res->ber = sc->bers[0];
  if (sc->speed_dist) {
    res->ref_kmh = sc->speed_min;
    res->top_kmh = sc->speed_max;
  } else {
    res->ref_kmh = res->top_kmh = sc->speeds[0];
    for (unsigned i = 0; i < sc->nspeeds; i++) {
      if (sc->speeds[i] < res->ref_kmh) res->ref_kmh = sc->speeds[i];
      if (sc->speeds[i] > res->top_kmh) res->top_kmh = sc->speeds[i];
    }
  }
  res->nparams = (unsigned)NPARAMS;
  for (unsigned i = 0; i < NPARAMS; i++) {
    sim_sens_param *p = &res->params[i];
    p->key = params[i].key;
    p->unit = params[i].unit;
    p->why = params[i].why;
    p->fixed = params[i].fixed;
    p->base = params[i].get(sc);
    params[i].range(p->base, &p->low, &p->high);
  }
  /* The long zone: its dwell outlasts a session that stalls to its timeout and many BST
   * periods, at the largest values measured, so that a transaction ends (done or given up)
   * inside it; the traffic brings one vehicle at a time, the next after the last has left. */
  for (unsigned i = 0; i < NPARAMS; i++) {
    const sim_sens_param *p = &res->params[i];
    double top = p->high > p->base ? p->high : p->base;
    if (params[i].get == get_timeout) timeout_s = top / 1e3;
    if (params[i].get == get_bst) bst_s = top / 1e3;
  }
  dwell_s = 2 + 2 * timeout_s + 20 * bst_s;
  if (dwell_s > 1000) dwell_s = 1000; /* completion times are int32 microseconds */
  res->zone_m = dwell_s * res->ref_kmh / 3.6;
  res->min_headway_s = dwell_s + 1;
  res->headway_s = dwell_s + 2;
}

int sim_sens_blocks(const sim_sens_result *res, unsigned stream, sim_blocks *out) {
  const sim_scenario *sc = res->sc;
  out->vehicle_base = 0x00100000u;
  for (unsigned g = 0; g < sc->ngroups; g++) {
    sim_block proto;
    sim_block_init(&proto, sc);
    proto.group = (int16_t)g;
    proto.ber = res->ber;
    proto.speed_idx = 0;
    proto.speed_kmh = res->ref_kmh;
    proto.zone_m = res->zone_m;
    proto.headway_s = res->headway_s;
    proto.min_headway_s = res->min_headway_s;
    /* One seed per group, whatever the parameter's value: the same vehicles, arrivals and
     * bit errors at every value. */
    if (sim_blocks_split(sc, &proto, res->passages, sim_seed_mix(sim_seed_mix(sc->seed, 0x53454e53u + stream), g + 1), out) !=
        0)
      return -1;
  }
  return 0;
}

/* A never-finished passage's completion: after every finite one. */
#define NEVER INT64_MAX

typedef struct {
  const sim_scenario *sc;
  int64_t *comp[SIM_GROUPS_MAX]; /* per group, in block order */
  size_t n[SIM_GROUPS_MAX];
  uint64_t unfinished[SIM_GROUPS_MAX], cut[SIM_GROUPS_MAX];
} variant_ctx;

static int take(const sim_block *b, const sim_record *rec, size_t n, sim_frames *frames, void *ctx, char *err,
                size_t errlen) {
  variant_ctx *v = ctx;
  unsigned g = (unsigned)b->group;
  (void)frames;
  (void)err;
  (void)errlen;
  for (size_t i = 0; i < n; i++) {
    const sim_record *r = &rec[i];
    if (r->outcome == SIM_OK) {
      v->comp[g][v->n[g]++] = r->completion_us;
    } else {
      v->comp[g][v->n[g]++] = NEVER;
      v->unfinished[g]++;
      if (r->outcome == SIM_INCOMPLETE || r->outcome == SIM_NO_SESSION) v->cut[g]++;
    }
  }
  return 0;
}

static int cmp_i64(const void *a, const void *b) {
  int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
  return x < y ? -1 : x > y;
}

/* The q-quantile of sorted, nearest rank (as sim_report_quantile), in ms; *inf when it falls
 * on a passage that never finished. */
static double quantile(const int64_t *sorted, size_t n, double q, bool *inf) {
  size_t k = (size_t)ceil(q * (double)n);
  if (k < 1) k = 1;
  if (k > n) k = n;
  *inf = n == 0 || sorted[k - 1] == NEVER;
  return *inf ? NAN : (double)sorted[k - 1] / 1e3;
}

/* Simulates every group at the scenario sc (one value of one parameter), into pts. */
static int run_variant(const sim_sens_result *res, const sim_scenario *sc, const sim_keys *keys,
                       const sim_blocks *blocks, unsigned threads, sim_sens_point *pts, char *err, size_t errlen) {
  sim_world w = {sc, keys};
  sim_pool_options po = {.threads = threads, .frames = false};
  variant_ctx v;
  int rv = 0;
  memset(&v, 0, sizeof(v));
  v.sc = sc;
  for (unsigned g = 0; g < sc->ngroups && rv == 0; g++)
    if (!(v.comp[g] = malloc((res->passages ? res->passages : 1) * sizeof(int64_t)))) rv = -1;
  if (rv != 0) snprintf(err, errlen, "out of memory");
  else rv = sim_pool_run(&w, blocks->v, blocks->n, &po, take, &v, err, errlen);
  for (unsigned g = 0; g < sc->ngroups; g++) {
    sim_sens_point *p = &pts[g];
    if (rv == 0) {
      qsort(v.comp[g], v.n[g], sizeof(int64_t), cmp_i64);
      p->n = v.n[g];
      p->unfinished = v.unfinished[g];
      p->cut = v.cut[g];
      p->p99_ms = quantile(v.comp[g], v.n[g], 0.99, &p->p99_inf);
      p->q_ms = quantile(v.comp[g], v.n[g], sc->target, &p->q_inf);
      p->zone_m = p->q_inf ? NAN : res->top_kmh / 3.6 * p->q_ms / 1e3;
    }
    free(v.comp[g]);
  }
  return rv;
}

double sim_sens_delta(double a, bool a_inf, double b, bool b_inf, int *inf) {
  *inf = a_inf == b_inf ? 0 : a_inf ? 1 : -1;
  return a_inf || b_inf ? NAN : a - b;
}

/* The largest change a parameter makes to any group's required zone (or p99 when zone is
 * false); infinite changes are larger than any. */
static double effect(const sim_sens_result *res, unsigned i, bool zone) {
  double e = 0;
  for (unsigned g = 0; g < res->sc->ngroups; g++)
    for (int side = 0; side < 2; side++) {
      const sim_sens_point *p = side ? &res->high[i][g] : &res->low[i][g];
      int inf;
      double d = zone ? sim_sens_delta(p->zone_m, p->q_inf, res->base[g].zone_m, res->base[g].q_inf, &inf)
                      : sim_sens_delta(p->p99_ms, p->p99_inf, res->base[g].p99_ms, res->base[g].p99_inf, &inf);
      if (inf) return INFINITY;
      if (isfinite(d) && fabs(d) > e) e = fabs(d);
    }
  return e;
}

/* The noise reference's largest change of any group's required zone (or p99). */
static double noise_effect(const sim_sens_result *res, bool zone) {
  double e = 0;
  for (unsigned g = 0; g < res->sc->ngroups; g++) {
    const sim_sens_point *p = &res->noise[g], *b = &res->base[g];
    int inf;
    double d = zone ? sim_sens_delta(p->zone_m, p->q_inf, b->zone_m, b->q_inf, &inf)
                    : sim_sens_delta(p->p99_ms, p->p99_inf, b->p99_ms, b->p99_inf, &inf);
    if (inf) return INFINITY;
    if (isfinite(d) && fabs(d) > e) e = fabs(d);
  }
  return e;
}

/* Parameters by their largest change of the required zone, then of p99, then in table
 * order; "measure first" the parameters not fixed by a standard within a tenth of the top
 * one's zone effect and above twice the noise's (at most 5), or by p99 when no zone
 * changed. */
static void rank(sim_sens_result *res) {
  double ez[SIM_SENS_PARAMS_MAX], ep[SIM_SENS_PARAMS_MAX], top = 0, noise;
  bool by_zone;
  for (unsigned i = 0; i < res->nparams; i++) {
    ez[i] = effect(res, i, true);
    ep[i] = effect(res, i, false);
    res->order[i] = i;
  }
  for (unsigned i = 1; i < res->nparams; i++)
    for (unsigned j = i; j > 0; j--) {
      unsigned a = res->order[j - 1], b = res->order[j];
      if (ez[b] > ez[a] || (ez[b] == ez[a] && ep[b] > ep[a])) {
        res->order[j - 1] = b;
        res->order[j] = a;
      } else {
        break;
      }
    }
  for (unsigned i = 0; i < res->nparams; i++)
    if (!res->params[i].fixed && ez[i] > top) top = ez[i];
  by_zone = top > 0;
  if (!by_zone)
    for (unsigned i = 0; i < res->nparams; i++)
      if (!res->params[i].fixed && ep[i] > top) top = ep[i];
  noise = noise_effect(res, by_zone);
  res->nmeasure = 0;
  for (unsigned k = 0; k < res->nparams && res->nmeasure < 5 && top > 0; k++) {
    unsigned i = res->order[k];
    double e = by_zone ? ez[i] : ep[i];
    if (!res->params[i].fixed && e > 2 * noise && (isinf(top) ? isinf(e) : e >= top / 10))
      res->measure[res->nmeasure++] = i;
  }
  res->worst_group = 0;
  for (unsigned g = 1; g < res->sc->ngroups; g++) {
    const sim_sens_point *a = &res->base[g], *w = &res->base[res->worst_group];
    if (!w->q_inf && (a->q_inf || a->zone_m > w->zone_m)) res->worst_group = g;
  }
}

int sim_sens_run(const sim_scenario *sc, const sim_sens_options *opt, sim_sens_result *res, char *err, size_t errlen) {
  sim_scenario *var = malloc(sizeof(*var)); /* one value of one parameter */
  sim_blocks blocks = {.first_index = 0}, other = {.first_index = 0};
  sim_keys keys;
  dsrc_crypto *crypto;
  struct timespec t0, t1;
  int rv = 0;
  clock_gettime(CLOCK_MONOTONIC, &t0);
  sim_sens_setup(sc, opt->passages, res);
  if (!var || sim_sens_blocks(res, 0, &blocks) != 0 || sim_sens_blocks(res, 1, &other) != 0) {
    free(var);
    free(blocks.v);
    free(other.v);
    snprintf(err, errlen, "out of memory");
    return -1;
  }
  if (dsrc_crypto_new(&crypto, err, errlen) != 0) {
    free(var);
    free(blocks.v);
    free(other.v);
    return -1;
  }
  if (sim_keys_init(&keys, crypto, sc->seed) != 0) {
    snprintf(err, errlen, "key set-up failed");
    dsrc_crypto_free(crypto);
    free(var);
    free(blocks.v);
    free(other.v);
    return -1;
  }
  dsrc_crypto_free(crypto);
  rv = run_variant(res, sc, &keys, &blocks, opt->threads, res->base, err, errlen);
  if (rv == 0) rv = run_variant(res, sc, &keys, &other, opt->threads, res->noise, err, errlen);
  for (unsigned i = 0; i < res->nparams && rv == 0; i++)
    for (int side = 0; side < 2 && rv == 0; side++) {
      const sim_sens_param *p = &res->params[i];
      double v = side ? p->high : p->low;
      sim_sens_point *pts = side ? res->high[i] : res->low[i];
      /* The file's own value measures what the file's values measured. */
      if (v == p->base) {
        memcpy(pts, res->base, sizeof(res->base));
        continue;
      }
      sim_sens_apply(var, sc, i, v);
      rv = run_variant(res, var, &keys, &blocks, opt->threads, pts, err, errlen);
    }
  sim_keys_wipe(&keys);
  free(var);
  free(blocks.v);
  free(other.v);
  if (rv != 0) return -1;
  rank(res);
  clock_gettime(CLOCK_MONOTONIC, &t1);
  res->wall_s = (double)(t1.tv_sec - t0.tv_sec) + (t1.tv_nsec - t0.tv_nsec) * 1e-9;
  return 0;
}
