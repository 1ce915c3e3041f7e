/* T12 key search on captured MACs: which key a passive capture lets an attacker search
 * for under each profile, the trial rate measured on this machine (all cores), the time to
 * the key here and on the fastest published key-search machine, and how many captures pin
 * it (sim/keysearch.h, docs/keysearch.md). For DES the search is also run for real on a
 * reduced key space against a real authenticator. */
#include <stdio.h>
#include <string.h>

#include "security/attack.h"
#include "security/keysearch.h"

/* A key an attacker recovers within a year on a published machine is a key he has. */
#define FEASIBLE_S (365.25 * 86400)

typedef struct {
  int cipher;
  const char *what;   /* what the key gives */
  double best_s;      /* expected time on the fastest published machine */
  char line[240];
} searched;

static int measure(const sec_params *p, searched *s, char *err, size_t errlen) {
  sec_ks_rate r;
  sec_ks_candidates c;
  const sec_ks_published *pub;
  size_t npub = sec_keysearch_published(&pub);
  unsigned bits = sec_keysearch_key_bits(s->cipher), per_key = sec_keysearch_captures_per_key(s->cipher);
  double best_rate = 0;
  const char *best = "-";
  char here[48], there[48];
  if (sec_keysearch_rate(&r, s->cipher, p->keysearch_seconds, 0, err, errlen) != 0) return -1;
  if (sec_keysearch_candidates(&c, bits, SEC_KS_MAC_BITS) != 0) return -1;
  for (size_t i = 0; i < npub; i++) {
    double hw = sec_keysearch_hw_rate(&pub[i], s->cipher);
    if (hw > best_rate) {
      best_rate = hw;
      best = pub[i].name;
    }
  }
  s->best_s = sec_keysearch_extrapolate(bits, best_rate).expected_s;
  /* A key that answers one MAC only (the AutoPASS SSKEY) cannot be pinned at all. */
  if (per_key && per_key < c.captures_to_pin) s->best_s = -1;
  sec_keysearch_format_duration(here, sizeof(here), sec_keysearch_extrapolate(bits, r.rate).expected_s);
  sec_keysearch_format_duration(there, sizeof(there), sec_keysearch_extrapolate(bits, best_rate).expected_s);
  snprintf(s->line, sizeof(s->line), "%s %s: %.2g trials/s on %u cores, %s here, %s on %s; %u captures pin it%s",
           sec_keysearch_cipher_name(s->cipher), sec_keysearch_cipher_key(s->cipher), r.rate, r.threads, here, there,
           best, c.captures_to_pin, per_key && per_key < c.captures_to_pin ? ", but each key gives 1" : "");
  return 0;
}

int sec_t12_key_search(sec_world *w, const sec_params *p, sec_outcome *out) {
  searched s[2];
  unsigned n = 0;
  char err[200], demo_text[160] = "";
  bool feasible = false;
  size_t at = 0;
  (void)w;
  memset(s, 0, sizeof(s));
  /* The keys a captured transaction exposes, per profile (docs/crypto.md). */
  switch (w->profile) {
  case EFC_PROFILE_AUTOPASS:
    s[n++] = (searched){SEC_KS_TDES2, "one transaction's SSKEY", 0, ""};
    break;
  case EFC_PROFILE_EN15509_L0:
    s[n++] = (searched){SEC_KS_DES, "one OBE's AuK: its MACs forgeable", 0, ""};
    break;
  case EFC_PROFILE_EN15509_L1:
    s[n++] = (searched){SEC_KS_DES, "one OBE's AuK: its MACs forgeable", 0, ""};
    s[n++] = (searched){SEC_KS_DES_ACCR, "the AccessKey: access to every OBE of that reference", 0, ""};
    break;
  default:
    s[n++] = (searched){SEC_KS_AES128, "one OBE's AES AuK", 0, ""};
    break;
  }
  for (unsigned i = 0; i < n; i++) {
    if (measure(p, &s[i], err, sizeof(err)) != 0) {
      snprintf(out->evidence, sizeof(out->evidence), "%s", err);
      return -1;
    }
    if (s[i].best_s >= 0 && s[i].best_s < FEASIBLE_S) feasible = true;
  }
  if (s[0].cipher == SEC_KS_DES) {
    /* The search itself, on a real authenticator, with all but a few key bits known. */
    sec_ks_demo d;
    if (sec_keysearch_demo(&d, NULL, SEC_KS_DEMO_UNKNOWN_BITS, SEC_KS_DEMO_MAC_BITS, 0, err, sizeof(err)) != 0) {
      snprintf(out->evidence, sizeof(out->evidence), "%s", err);
      return -1;
    }
    snprintf(demo_text, sizeof(demo_text), "; real search, 2^%u keys, %u MAC bits: %llu candidates (%.0f expected), "
             "%llu after a 2nd capture%s",
             d.unknown_bits, d.mac_bits, (unsigned long long)d.candidates[0], d.expected[0],
             (unsigned long long)d.candidates[1], d.pinned ? ": the real key" : "");
  }
  out->passages = 0;
  {
    char gained[SEC_TEXT] = "", line[600];
    for (unsigned i = 0; i < n; i++)
      if (s[i].best_s >= 0 && s[i].best_s < FEASIBLE_S)
        snprintf(gained + strlen(gained), sizeof(gained) - strlen(gained), "%s%s", gained[0] ? "; " : "", s[i].what);
    at = (size_t)snprintf(line, sizeof(line), "%s%s%s%s", s[0].line, n > 1 ? "; " : "", n > 1 ? s[1].line : "",
                          demo_text);
    (void)at;
    /* An offline search leaves no trace: it is caught nowhere, or it does not finish. */
    sec_outcome_set(out, feasible ? SEC_NOT_DETECTED : SEC_FAILED, feasible ? gained : "-", "%s", line);
  }
  return 0;
}
