/* The scenario runner's speed: simulated passages per second on one core for each profile,
 * with all crypto and codec work really done; the same passages' crypto alone (the same
 * functions, replayed, its block counts checked against the simulation's); the memory an
 * idle OBE of a repeating fleet occupies; and, with --national-day, the whole
 * scenarios/national-day.yaml on every core. Prints figures; asserts nothing.
 * Usage: efc-bench-sim [PASSAGES] [--profile NAME] [--rounds N] [--side sim|crypto] [--national-day];
 * --profile: that line only; --rounds: best of N (default 3) for the simulation and for the
 * crypto; --side: time one side only, so that a sampling profiler sees nothing else. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "dsrc/keys.h"
#include "sim/runner.h"
#include "sim/scenario.h"

static double now_s(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec + ts.tv_nsec * 1e-9;
}

/* A one-group scenario: profile p on a modern OBE at 100 km/h, BER 1e-6, one at a time. */
static void one_group(sim_scenario *sc, int p, uint64_t passages) {
  memset(sc, 0, sizeof(*sc));
  snprintf(sc->name, sizeof(sc->name), "bench");
  sc->seed = 42;
  sc->zone_m = 10;
  sc->lanes = sc->gantries = 1;
  sc->bers[0] = 1e-6;
  sc->nbers = 1;
  sc->speeds[0] = 100;
  sc->nspeeds = 1;
  sc->passages = passages;
  sc->headway_s = 2;
  sc->min_headway_s = 1;
  sc->groups[0].profile = p;
  sc->groups[0].share = 1;
  sc->ngroups = 1;
  dsrc_l1_params_default(&sc->l1);
  rse_config_default(&sc->rse);
  obe_config_default(&sc->obe);
  sc->mcu_legacy = obe_mcu_legacy;
  sc->mcu_modern = obe_mcu_modern;
}

/* One of the RSE's committed nonces (SHA-256), as draw_nonce in rse/src/txn.c makes it. */
static void commit(dsrc_crypto *c, uint8_t nonce[4], const char *label) {
  static const uint8_t salt[8] = {9, 8, 7, 6, 5, 4, 3, 2};
  efc_commit_with(c, nonce, label, 1000, 1, 173323372000, salt);
}

/* The crypto of one passage of profile p, outside the simulation: the OBE's keys derived at
 * zone entry, what the OBE computes, what the RSE verifies. */
static void passage_crypto(dsrc_crypto *c, const sim_keys *k, int p, uint32_t id) {
  keymgmt_obe_profile prof;
  uint8_t key[16], key2[16], mac[4], ac_cr[4], rnd[4] = {1, 2, 3, 4}, t[4] = {5, 6, 7, 8};
  static const uint8_t attrlist[27] = {3, 0x18, 0x38, 1, 2, 3, 4, 0x1a, 0x3a, 0, 0, 0x20, 0x40};
  unsigned g = k->issuer.autopass_generation;
  sim_obe_make_fast(&prof, c, k, id, efc_profile_bit(p), 5, 1);
  switch (p) {
  case EFC_PROFILE_AUTOPASS:
    /* RSE: the committed RND-1; OBE: SSKEY-N, MAC1, SSKEY-F, MAC2; RSE: OBUKEY-F, SSKEY-F,
     * MAC2. */
    commit(c, rnd, "RND-1");
    dsrc_autopass_sskey(c, key, prof.obukey_n[g - 1], rnd, t);
    dsrc_autopass_mac(c, mac, key, prof.obuid, 0, t, rnd);
    dsrc_autopass_sskey(c, key, prof.obukey_f[g - 1], rnd, t);
    dsrc_autopass_mac(c, mac, key, prof.obuid, 0, t, rnd);
    dsrc_autopass_obukey(c, key2, k->op.mkey_f, prof.obuid);
    dsrc_autopass_sskey(c, key, key2, rnd, t);
    dsrc_autopass_mac(c, mac, key, prof.obuid, 0, t, rnd);
    break;
  case EFC_PROFILE_EN15509_L0:
  case EFC_PROFILE_EN15509_L1:
    /* The RSE's committed nonces for the two GET_STAMPED. */
    commit(c, rnd, "TSP");
    commit(c, rnd, "TC");
    if (p == EFC_PROFILE_EN15509_L1) {
      dsrc_en15509_ac_cr(c, ac_cr, prof.access_key, rnd);                /* OBE, VST */
      dsrc_en15509_access_key(c, key, k->op.mack[prof.ac_cr_ref[0]], prof.ac_cr_ref); /* RSE */
      dsrc_en15509_ac_cr(c, ac_cr, key, rnd);
    }
    dsrc_en15509_authenticator(c, mac, prof.auk[4], attrlist, sizeof(attrlist), rnd, 4);
    dsrc_en15509_authenticator(c, mac, prof.auk[0], attrlist, sizeof(attrlist), rnd, 4);
    dsrc_en15509_auth_key(c, key, k->op.mauk[0], prof.pan, prof.context_mark);
    dsrc_en15509_authenticator(c, mac, key, attrlist, sizeof(attrlist), rnd, 4);
    break;
  default:
    commit(c, rnd, "TSP");
    commit(c, rnd, "TC");
    dsrc_aesref_ac_cr(c, ac_cr, prof.aes_access_key, rnd);
    dsrc_aesref_access_key(c, key, k->op.aes_mack[prof.ac_cr_ref[0]], prof.ac_cr_ref);
    dsrc_aesref_ac_cr(c, ac_cr, key, rnd);
    dsrc_aesref_authenticator(c, mac, prof.aes_auk[4], attrlist, sizeof(attrlist), rnd, 4);
    dsrc_aesref_authenticator(c, mac, prof.aes_auk[0], attrlist, sizeof(attrlist), rnd, 4);
    dsrc_aesref_auth_key(c, key, k->op.aes_mauk[0], prof.pan, prof.context_mark);
    dsrc_aesref_authenticator(c, mac, key, attrlist, sizeof(attrlist), rnd, 4);
    break;
  }
  keymgmt_obe_profile_wipe(&prof);
}

int main(int argc, char **argv) {
  uint64_t passages = 20000;
  bool national = false;
  int only = -1;
  unsigned rounds = 3;
  int side = 0; /* 0: both, 1: the simulation only, 2: the crypto only */
  dsrc_crypto *c;
  char err[256];
  sim_keys keys;
  for (int i = 1; i < argc; i++) {
    if (strcmp(argv[i], "--help") == 0) {
      printf("usage: efc-bench-sim [PASSAGES] [--profile NAME] [--rounds N] [--side sim|crypto]\n"
             "                     [--national-day]\n\n"
             "Simulated passages per second on one core for each profile (or NAME), every frame\n"
             "encoded and decoded and every MAC computed, against the same passages' crypto alone;\n"
             "the best of N rounds (default 3) of PASSAGES (default 20000). Without --profile, then\n"
             "the memory of an idle OBE; with --national-day, all of national-day.yaml on every core.\n"
             "--side runs only the simulation or only the crypto (for a sampling profiler); the\n"
             "other side's figures are then left out.\n");
      return 0;
    }
    if (strcmp(argv[i], "--national-day") == 0) {
      national = true;
    } else if (strcmp(argv[i], "--profile") == 0 && i + 1 < argc) {
      only = efc_profile_parse(argv[++i]);
      if (only < 0) {
        fprintf(stderr, "efc-bench-sim: --profile: unknown profile '%s'\n", argv[i]);
        return 2;
      }
    } else if (strcmp(argv[i], "--side") == 0 && i + 1 < argc) {
      i++;
      side = strcmp(argv[i], "sim") == 0 ? 1 : strcmp(argv[i], "crypto") == 0 ? 2 : -1;
      if (side < 0) {
        fprintf(stderr, "efc-bench-sim: --side: expected sim or crypto, got '%s'\n", argv[i]);
        return 2;
      }
    } else if (strcmp(argv[i], "--rounds") == 0 && i + 1 < argc) {
      rounds = (unsigned)strtoul(argv[++i], NULL, 10);
      if (rounds < 1 || rounds > 100) {
        fprintf(stderr, "efc-bench-sim: --rounds: expected 1..100, got '%s'\n", argv[i]);
        return 2;
      }
    } else if (argv[i][0] >= '1' && argv[i][0] <= '9') {
      passages = strtoull(argv[i], NULL, 10);
    } else {
      fprintf(stderr, "usage: efc-bench-sim [PASSAGES] [--profile NAME] [--rounds N] [--side sim|crypto]"
                      " [--national-day]\n");
      return 2;
    }
  }
  if (dsrc_crypto_new(&c, err, sizeof(err)) != 0) {
    fprintf(stderr, "efc-bench-sim: %s\n", err);
    return 1;
  }
  printf("one core, modern OBEs at 100 km/h, BER 1e-6, %llu passages each, best of %u rounds\n",
         (unsigned long long)passages, rounds);
  printf("%-12s %12s %14s %14s %12s %12s %s\n", "profile", "passages/s", "sim us/pass", "crypto us/pass",
         "sim/crypto", "frames/pass", "crypto per passage (des/3des/aes blocks, sha256): sim | replay");
  for (int p = 0; p < EFC_PROFILE_COUNT; p++) {
    static sim_scenario sc;
    sim_world w;
    sim_block *blocks;
    size_t nb;
    sim_record *rec;
    dsrc_crypto_counters a, b;
    double t0, sim_s, cry_s;
    uint64_t frames;
    if (only >= 0 && p != only) continue;
    one_group(&sc, p, passages);
    sim_keys_init(&keys, c, sc.seed);
    w.sc = &sc;
    w.keys = &keys;
    nb = sim_blocks_make(&sc, &blocks);
    rec = malloc(1000 * sizeof(*rec));
    /* Best of the rounds, simulation and crypto alternating: this machine's neighbours come
     * and go, and the quietest round of each is the figure that repeats. */
    sim_s = cry_s = 1e30;
    for (unsigned r = 0; r < rounds; r++) {
      double t;
      if (side != 2) {
        dsrc_crypto_counters_reset(c);
        t0 = now_s();
        for (size_t i = 0; i < nb; i++) sim_block_run(&w, &blocks[i], c, rec, NULL);
        t = now_s() - t0;
        sim_s = t < sim_s ? t : sim_s;
        a = dsrc_crypto_counters_get(c);
      }
      if (side != 1) {
        dsrc_crypto_counters_reset(c);
        t0 = now_s();
        for (uint64_t i = 0; i < passages; i++) passage_crypto(c, &keys, p, 0x00100000u + (uint32_t)i);
        t = now_s() - t0;
        cry_s = t < cry_s ? t : cry_s;
        b = dsrc_crypto_counters_get(c);
      }
    }
    if (side != 0) {
      double s = side == 1 ? sim_s : cry_s;
      printf("%-12s %12.0f %14.2f (%s only)\n", efc_profile_name(p), passages / s, s / passages * 1e6,
             side == 1 ? "simulation" : "crypto");
    } else {
      /* The frame counts come from one more, untimed run: summing them inside the timed
       * loop would add to what is measured. */
      frames = 0;
      for (size_t i = 0; i < nb; i++) {
        sim_block_run(&w, &blocks[i], c, rec, NULL);
        for (uint32_t j = 0; j < blocks[i].passages; j++) frames += rec[j].frames_down + rec[j].frames_up;
      }
      printf("%-12s %12.0f %14.2f %14.2f %12.2f %12.1f %.2f/%.2f/%.2f/%.2f | %.2f/%.2f/%.2f/%.2f\n",
             efc_profile_name(p), passages / sim_s, sim_s / passages * 1e6, cry_s / passages * 1e6, sim_s / cry_s,
             (double)frames / passages, (double)a.des / passages, (double)a.tdes / passages,
             (double)a.aes / passages, (double)a.sha256 / passages, (double)b.des / passages,
             (double)b.tdes / passages, (double)b.aes / passages, (double)b.sha256 / passages);
    }
    free(rec);
    free(blocks);
    sim_keys_wipe(&keys);
  }

  /* Idle OBEs of a repeating fleet: 1,000 vehicles, 20,000 passages. */
  if (only < 0 && side == 0) {
    static sim_scenario sc;
    sim_world w;
    sim_block blk;
    sim_block_stats st;
    sim_record *rec = malloc(20000 * sizeof(*rec));
    one_group(&sc, EFC_PROFILE_AUTOPASS, 20000);
    sim_keys_init(&keys, c, sc.seed);
    w.sc = &sc;
    w.keys = &keys;
    sim_block_init(&blk, &sc);
    blk.passages = 20000;
    blk.fleet = 1000;
    blk.vehicle_base = 0x00200000;
    blk.seed = 7;
    sim_block_run(&w, &blk, c, rec, &st);
    printf("idle OBE memory (AutoPASS fleet of %llu, 20 passages each on average): %.0f bytes average, %llu max\n"
           "  (%zu-byte record + %zu bytes per logged passage, the log growing to %d entries)\n",
           (unsigned long long)st.idle_obes, (double)st.idle_bytes / (double)st.idle_obes,
           (unsigned long long)st.idle_bytes_max, sizeof(sim_idle_obe), sizeof(obe_log_entry), OBE_LOG_MAX);
    free(rec);
    sim_keys_wipe(&keys);
  }
  dsrc_crypto_free(c);

  if (national) {
    static sim_scenario sc;
    sim_run_options o = {.out_dir = "/tmp/efc-bench-national-day", .threads = 0, .plots = false};
    long n = sysconf(_SC_NPROCESSORS_ONLN);
    double t0;
    if (sim_scenario_load(&sc, EFC_SOURCE_DIR "/scenarios/national-day.yaml", err, sizeof(err)) != 0) {
      fprintf(stderr, "efc-bench-sim: %s\n", err);
      return 1;
    }
    o.threads = n > 0 ? (unsigned)n : 1;
    t0 = now_s();
    if (sim_run(&sc, &o, err, sizeof(err)) != 0) {
      fprintf(stderr, "efc-bench-sim: %s\n", err);
      return 1;
    }
    printf("national-day.yaml: %llu passages in %.1f s on %u threads\n", (unsigned long long)sc.passages,
           now_s() - t0, o.threads);
  }
  return 0;
}
