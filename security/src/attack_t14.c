/* T14 jamming and disruption: genuine vehicles drive through a lane the attacker disturbs,
 * first with heavy bit errors on the air (p->ber), then with a rogue beacon in the zone (a
 * second BST source with a beacon id of its own, heard by the OBE between the RSE's steps:
 * an OBE drops its session when the beacon changes, obe.c on_bst). Each vehicle stays in the
 * zone for the time a 10 m zone takes at 90 km/h. Measured: transactions lost, and that
 * nothing is charged wrongly: every claim made verifies at the issuer, names the vehicle
 * that was there, and no vehicle is claimed twice for one passage. */
#include <stdio.h>
#include <string.h>

#include "efc/build.h"
#include "issuer/issuer_analyse.h"
#include "security/attack.h"

#define DWELL_NS UINT64_C(400000000)      /* 10 m at 25 m/s */
#define TAIL_NS UINT64_C(1500000000)      /* the RSE gives up on a silent session within this */
#define ROGUE_PERIOD_NS UINT64_C(50000000) /* its BST repetition: the German test beacons' 50 ms */
#define FLEET 4

typedef struct {
  unsigned passages, sessions, failed, photographed, claims, lost, duplicates;
  unsigned twice;      /* passages with more than one sound claim */
  unsigned foreign;    /* sound claims naming an OBE that was not there */
  unsigned issuer_bad; /* claims the issuer would not accept */
  unsigned seq;        /* union of the claims' sequence flags */
} phase;

static const dsrc_beacon_id rogue_beacon = {0x66, 666};

/* The rogue's BST: a well-formed beacon frame for the EFC application, time from the lane. */
static size_t rogue_bst(const sec_world *w, uint8_t *out, size_t cap) {
  uint32_t time = (uint32_t)((w->rcfg.epoch_cs + (int64_t)(w->l.now / 10000000u)) / 100);
  dsrc_ssize n = efc_build_bst(out, cap, &rogue_beacon, time);
  return n < 0 ? 0 : (size_t)n;
}

/* One vehicle's passage: every session the RSE finished or gave up while it was near, and
 * the claims appended to w->claims (as the harness records them: finished sessions only).
 * first/last: the range of w->claims this passage made. */
static int drive(sec_world *w, sec_obe *a, bool rogue, phase *ph, unsigned *first, unsigned *last) {
  uint64_t enter = w->l.now, leave = enter + DWELL_NS, end = leave + TAIL_NS;
  uint64_t next_rogue = enter + dsrc_prng_below(&w->prng, ROGUE_PERIOD_NS);
  bool overflow = false;
  *first = w->nclaims;
  obe_sleep(&a->o);
  if (air_lane_add(&w->l, &a->o, enter, leave) < 0) return -1;
  while (w->l.now < end && !overflow) {
    rse_passage rp;
    if (rogue && w->l.now >= next_rogue && w->l.now < leave) {
      uint8_t f[DSRC_FRAME_MAX];
      size_t n = rogue_bst(w, f, sizeof(f));
      if (n) obe_on_downlink(&a->o, w->l.now, f, n, false);
      next_rogue += ROGUE_PERIOD_NS;
    }
    air_lane_step(&w->l, end);
    while (rse_passage_pop(w->r, &rp)) {
      ph->sessions++;
      if (rp.outcome != RSE_OUT_DONE) {
        ph->failed++;
        continue;
      }
      if (rp.claim.verdict != EFC_PASS) ph->photographed++;
      /* Every claim must reach the issuer, or a double charge could hide in the overflow. */
      if (w->nclaims >= SEC_CLAIMS_MAX) overflow = true;
      else w->claims[w->nclaims++] = rp.claim;
    }
    if (w->l.now >= leave && rse_sessions_open(w->r) == 0) break;
  }
  air_lane_remove(&w->l, &a->o);
  w->l.now += UINT64_C(300000000000);
  *last = w->nclaims;
  return overflow ? -1 : 0;
}

/* n passages of the fleet in turn, then the issuer on their claims. */
static int run_phase(sec_world *w, sec_obe *fleet, unsigned n, bool rogue, phase *ph, char *err, size_t errlen) {
  unsigned first[20], last[20], flags[SEC_CLAIMS_MAX], seq[SEC_CLAIMS_MAX];
  const sec_obe *who[20];
  memset(ph, 0, sizeof(*ph));
  w->nclaims = 0; /* each phase is judged on its own claims */
  if (n > 20) n = 20;
  for (unsigned i = 0; i < n; i++) {
    sec_obe *a = &fleet[i % FLEET];
    who[i] = a;
    if (drive(w, a, rogue, ph, &first[i], &last[i]) != 0) {
      snprintf(err, errlen, "passage %u could not run, or its claims overflowed the harness", i + 1);
      return -1;
    }
    ph->passages++;
  }
  ph->claims = w->nclaims;
  if (w->nclaims && sec_issuer_run(w, flags, seq, err, errlen) != 0) return -1;
  for (unsigned i = 0; i < n; i++) {
    unsigned valid = 0;
    for (unsigned k = first[i]; k < last[i]; k++) {
      const efc_claim *c = &w->claims[k];
      bool sound = !(flags[k] & ~(unsigned)ISSUER_UNBOUND);
      bool theirs = c->has_obuid && memcmp(c->obuid, who[i]->prof.obuid, 4) == 0;
      ph->seq |= seq[k];
      if (!sound) ph->issuer_bad++;
      if (seq[k] & ISSUER_SEQ_DUPLICATE) ph->duplicates++;
      /* A sound claim naming another OBE charges someone who was not there. */
      if (sound && !theirs) ph->foreign++;
      else if (sound) valid++;
    }
    if (!valid) ph->lost++;
    if (valid > 1) ph->twice += valid - 1; /* one passage, charged again */
  }
  return 0;
}

static void phase_text(char *out, size_t cap, const char *name, const phase *ph) {
  char judged[48] = ", all sound";
  if (ph->issuer_bad || ph->duplicates)
    snprintf(judged, sizeof(judged), " (%u unsound, %u duplicate)", ph->issuer_bad, ph->duplicates);
  snprintf(out, cap, "%s: %u/%u lost, %u/%u sessions failed, %u claims%s, %u charged twice%s", name, ph->lost,
           ph->passages, ph->failed, ph->sessions, ph->claims, ph->claims ? judged : "", ph->twice,
           ph->foreign ? ", to another OBE" : "");
}

int sec_t14_jamming(sec_world *w, const sec_params *p, sec_outcome *out) {
  sec_obe fleet[FLEET];
  phase jam, rogue;
  char err[300], a[100], b[100] = "", ber[24];
  unsigned lost, wrong, failed;
  memset(&rogue, 0, sizeof(rogue));
  for (unsigned i = 0; i < FLEET; i++)
    if (sec_obe_make_single(w, &fleet[i], 0x00e0e140 + i) != 0) return -1;
  /* Bit errors on the whole lane, both directions. */
  w->l.ber = p->ber;
  sec_world_rse_reset(w);
  if (run_phase(w, fleet, p->passages, false, &jam, err, sizeof(err)) != 0) goto fail;
  snprintf(ber, sizeof(ber), "ber %g", p->ber);
  phase_text(a, sizeof(a), ber, &jam);
  if (p->rogue_beacon) {
    /* The rogue alone, on a clean channel. */
    w->l.ber = 0;
    sec_world_rse_reset(w);
    if (run_phase(w, fleet, p->passages, true, &rogue, err, sizeof(err)) != 0) goto fail;
    phase_text(b, sizeof(b), "; rogue beacon", &rogue);
  }
  lost = jam.lost + rogue.lost;
  wrong = jam.twice + jam.foreign + rogue.twice + rogue.foreign;
  failed = jam.failed + rogue.failed + jam.photographed + rogue.photographed;
  out->passages = jam.passages + rogue.passages;
  out->lost_charges = lost;
  out->wrong_charges = wrong;
  {
    char gained[96];
    if (lost && wrong)
      snprintf(gained, sizeof(gained), "%u lost transactions, %u passage%s charged twice", lost, wrong,
               wrong == 1 ? "" : "s");
    else if (lost) snprintf(gained, sizeof(gained), "%u lost transactions", lost);
    else if (wrong) snprintf(gained, sizeof(gained), "%u passage%s charged twice", wrong, wrong == 1 ? "" : "s");
    else snprintf(gained, sizeof(gained), "-");
    /* The lane sees what it lost (failed sessions); a disruption that cost nothing failed. */
    sec_outcome_set(out, failed || lost ? SEC_AT_LANE : SEC_FAILED, gained, "%s%s", a, b);
  }
  return 0;
fail:
  snprintf(out->evidence, sizeof(out->evidence), "%.180s", err);
  return -1;
}

