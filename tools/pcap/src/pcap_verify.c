/* efc-pcap verify: the lane verification of every captured transaction of one profile, by
 * the RSE's own code (rse/verify.h) on the fields the frames carried. A frame whose FCS
 * failed never reached its addressee and is skipped; a repeated command (same n bit) is
 * one command; the last answer to a command counts, as at the lane. */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "dsrc/efc.h"
#include "efc/msg.h"
#include "pcap_tool.h"
#include "rse/verify.h"

#define PROG "efc-pcap verify"

enum { CMD_NONE, CMD_SECURE, CMD_STAMPED, CMD_OTHER };

typedef struct {
  dsrc_crypto *crypto;
  keymgmt_operator_keys keys;
  int profile;
  bool json;
  unsigned long txns, ours, pass, fail, incomplete;
} verify_ctx;

/* What one transaction showed, gathered frame by frame. */
typedef struct {
  efc_claim c;
  bool vst, app, secure_rq, secure_rs, released;
  unsigned stamped_rq, stamped_rs; /* GET_STAMPED commands (TSP, TC) and their answers */
  bool denied;
  bool cred_sent[2], cred_ok[2];
  uint8_t ref[2], rnd_obe[4];
  uint8_t attrlist_tc[EFC_ATTRLIST_MAX];
  size_t attrlist_tc_len;
  int pending;
  bool have_llc;
  uint8_t last_llc;
} txn_view;

static void on_command(verify_ctx *v, txn_view *x, const pcap_frame *pf, const dsrc_tapdu *t) {
  const dsrc_request *q = &t->u.action_rq;
  const uint8_t *secure;
  const dsrc_gstrq *g;
  /* The same n bit again is the RSE repeating a command it got no answer to. */
  if (x->have_llc && pf->f.llc == x->last_llc) return;
  x->have_llc = true;
  x->last_llc = pf->f.llc;
  x->pending = CMD_OTHER;
  if ((secure = efc_msg_secure_rq(t))) {
    efc_claim_read_secure_rq(&x->c, secure);
    x->secure_rq = true;
    x->pending = CMD_SECURE;
  } else if (x->stamped_rq < 2 && (g = efc_msg_stamped_rq(t))) {
    /* The first GET_STAMPED is for the TSP (MAC_TSP), the second for the TC (MAC_TC). */
    unsigned k = x->stamped_rq++;
    uint8_t want[4];
    if (k == 0) {
      memcpy(x->c.nonce_tsp, g->nonce.data, 4);
      x->c.keyref_tsp = g->key_ref;
    } else {
      memcpy(x->c.nonce_tc, g->nonce.data, 4);
      x->c.keyref_tc = g->key_ref;
    }
    x->cred_sent[k] = q->has_credentials && q->credentials.len == 4;
    if (x->cred_sent[k] && x->app && x->c.level == 1 &&
        rse_access_credentials(v->crypto, &v->keys, v->profile, x->ref, x->rnd_obe, want) == 0)
      x->cred_ok[k] = dsrc_crypto_equal(want, q->credentials.data, 4);
    x->pending = CMD_STAMPED;
  }
}

static void on_answer(txn_view *x, const dsrc_tapdu *t) {
  const dsrc_action_rs *rs = &t->u.action_rs;
  const uint8_t *secure;
  const dsrc_gstrs *g;
  if (t->kind != DSRC_ACTION_RS) return;
  if (x->pending == CMD_SECURE && (secure = efc_msg_secure_rs(t))) {
    efc_claim_read_secure(&x->c, secure);
    x->secure_rs = true;
  } else if (x->pending == CMD_STAMPED) {
    uint8_t list[EFC_ATTRLIST_MAX];
    dsrc_ssize n;
    if (rs->has_ret && rs->ret == DSRC_RET_ACCESS_DENIED) {
      x->denied = true;
      return;
    }
    if (!(g = efc_msg_stamped_rs(t))) return;
    efc_claim_read_attrs(&x->c, t, g->list);
    n = dsrc_attr_list_encode(list, sizeof(list), t, g->list);
    if (n < 0) return;
    if (x->stamped_rq == 1) {
      memcpy(x->c.mac_tsp, g->authenticator.data, 4);
    } else {
      memcpy(x->c.mac_tc, g->authenticator.data, 4);
      memcpy(x->attrlist_tc, list, (size_t)n);
      x->attrlist_tc_len = (size_t)n;
    }
    x->stamped_rs = x->stamped_rq;
  }
  x->pending = CMD_NONE;
}

static void on_vst(verify_ctx *v, txn_view *x, const dsrc_tapdu *t) {
  const dsrc_application *a = rse_vst_app(&t->u.vst, v->profile);
  x->vst = true;
  if (!a) return;
  x->app = true;
  memcpy(x->c.provider, a->parameter.data, 3);
  if (a->parameter.len == DSRC_L1_PARAM_LEN) {
    x->c.level = 1;
    memcpy(x->ref, a->parameter.data + 8, 2);
    memcpy(x->rnd_obe, a->parameter.data + 12, 4);
  }
}

static void hex(char *out, const uint8_t *p, size_t n) {
  static const char digits[] = "0123456789ABCDEF";
  for (size_t i = 0; i < n; i++) {
    out[2 * i] = digits[p[i] >> 4];
    out[2 * i + 1] = digits[p[i] & 15];
  }
  out[2 * n] = 0;
}

static const char *why_text(unsigned why, const char *ok) {
  return why == 0 ? ok : why == EFC_WHY_NO_KEYS ? "no key to check" : "WRONG";
}

static int on_group(void *ctx, const pcap_group *g) {
  verify_ctx *v = ctx;
  txn_view x;
  char line[512], obuid[9] = "-";
  const char *verdict;
  unsigned why = EFC_WHY_INCOMPLETE;
  size_t at = 0;
  if (g->kind != PCAP_GROUP_TXN) return 0;
  v->txns++;
  memset(&x, 0, sizeof(x));
  x.c.profile = v->profile;
  for (size_t i = 0; i < g->nframes; i++) {
    const pcap_frame *pf = &g->frames[i];
    dsrc_tapdu t;
    unsigned pdu;
    if (pf->role == PCAP_ROLE_MALFORMED || pf->err != 0) continue;
    if (pf->role == PCAP_ROLE_RELEASE) x.released = true;
    if (!pf->f.lsdu_len || dsrc_pdu_decode(&t, &pdu, pf->f.lsdu, pf->f.lsdu_len, NULL) < 0) continue;
    if (pf->role == PCAP_ROLE_VST && t.kind == DSRC_VST) on_vst(v, &x, &t);
    else if (pf->role == PCAP_ROLE_COMMAND) on_command(v, &x, pf, &t);
    else if (pf->role == PCAP_ROLE_RESPONSE || pf->role == PCAP_ROLE_LATE_RESPONSE) on_answer(&x, &t);
  }
  if (!x.app) return 0; /* another profile's transaction, or no VST heard */
  v->ours++;
  if (x.c.has_obuid) hex(obuid, x.c.obuid, 4);
  at = (size_t)snprintf(line, sizeof(line), "#%u lane %u LID %08" PRIX32 " %s OBE %s", g->number, g->lane,
                        g->lid, efc_profile_name(v->profile), obuid);
  if (v->profile == EFC_PROFILE_AUTOPASS) {
    if (x.secure_rq && x.secure_rs) {
      why = rse_verify_mac2(v->crypto, &v->keys, &x.c);
      at += (size_t)snprintf(line + at, sizeof(line) - at, " TC %u: MAC2 %s", x.c.tc, why_text(why, "correct"));
    } else {
      at += (size_t)snprintf(line + at, sizeof(line) - at, ": no GET_SECURE %s", x.secure_rq ? "answer" : "command");
    }
  } else {
    at += (size_t)snprintf(line + at, sizeof(line) - at, " counter %u:", x.c.counter);
    if (x.c.level == 1) {
      bool sent = x.cred_sent[0] || x.cred_sent[1], ok = sent && (!x.cred_sent[0] || x.cred_ok[0]) &&
                                                          (!x.cred_sent[1] || x.cred_ok[1]);
      at += (size_t)snprintf(line + at, sizeof(line) - at, " access credentials %s%s,",
                             !sent ? "absent" : ok ? "correct" : "WRONG", x.denied ? " (the OBE denied access)" : "");
    }
    if (x.denied) {
      why = EFC_WHY_ACCESS;
      at += (size_t)snprintf(line + at, sizeof(line) - at, " no MAC_TC");
    } else if (x.stamped_rs >= 2) {
      why = rse_verify_mac_tc(v->crypto, &v->keys, &x.c, x.attrlist_tc, x.attrlist_tc_len);
      at += (size_t)snprintf(line + at, sizeof(line) - at, " MAC_TC %s", why_text(why, "correct"));
    } else {
      at += (size_t)snprintf(line + at, sizeof(line) - at, " no GET_STAMPED answer for the TC");
    }
  }
  if (why == 0 && !x.released) why = EFC_WHY_INCOMPLETE;
  verdict = why == 0 ? "passes" : why == EFC_WHY_INCOMPLETE ? "incomplete" : "FAILS";
  if (why == 0) v->pass++;
  else if (why == EFC_WHY_INCOMPLETE) v->incomplete++;
  else v->fail++;
  if (v->json) {
    printf("{\"transaction\":%u,\"lane\":%u,\"lid\":\"%08" PRIX32 "\",\"profile\":\"%s\",\"obuid\":\"%s\","
           "\"released\":%s,\"lane_check\":\"%s\"}\n",
           g->number, g->lane, g->lid, efc_profile_name(v->profile), obuid, x.released ? "true" : "false",
           why == 0 ? "pass" : why == EFC_WHY_INCOMPLETE ? "incomplete" : why == EFC_WHY_ACCESS ? "access-denied"
                             : why == EFC_WHY_NO_KEYS                    ? "no-key"
                                                                          : "mac");
  } else {
    printf("%s%s -> lane check %s\n", line, x.released ? "" : " (no RELEASE)", verdict);
  }
  return 0;
}

static void usage(FILE *out) {
  fprintf(out,
          "usage: efc-pcap verify FILE --keys FILE --profile autopass|en15509-l0|en15509-l1|aes\n"
          "                       [--pass-file FILE] [--json] [--idle-ms N]\n"
          "\n"
          "Re-runs the lane verification over every captured transaction of the profile with the\n"
          "toll charger's key file (passphrase from --pass-file or EFC_OPERATOR_PASS): AutoPASS\n"
          "MAC2; EN 15509 and AES MAC_TC, and at Level 1 whether the RSE presented the right access\n"
          "credentials. MAC1 and MAC_TSP need the issuer's keys (efc-issuer verify). Frames with a\n"
          "bad FCS are skipped, as their addressee skipped them. --idle-ms: a number of ms in\n"
          "(0, 1e9]. Exit status 0 when the file was\n"
          "read (failed checks are the result), 1 bad input, 2 bad usage.\n");
}

int pcap_cmd_verify(int argc, char **argv) {
  static const struct option opts[] = {{"keys", required_argument, NULL, 'k'},
                                       {"profile", required_argument, NULL, 'p'},
                                       {"pass-file", required_argument, NULL, 'P'},
                                       {"json", no_argument, NULL, 'j'},
                                       {"idle-ms", required_argument, NULL, 'i'},
                                       {"help", no_argument, NULL, 'h'},
                                       {NULL, 0, NULL, 0}};
  verify_ctx v;
  const char *keys = NULL, *pass_file = NULL, *file;
  uint64_t idle = PCAP_IDLE_NS_DEFAULT;
  char err[512], pass[IO_PASS_MAX];
  int c, rv;
  memset(&v, 0, sizeof(v));
  v.profile = -1;
  optind = 1;
  while ((c = io_cli_getopt(argc, argv, opts, err, sizeof(err))) != -1) {
    switch (c) {
    case 'k':
      keys = optarg;
      break;
    case 'p':
      if ((v.profile = efc_profile_parse(optarg)) < 0)
        return io_cli_usage(PROG, NULL, "--profile: unknown profile '%s'", optarg);
      break;
    case 'P':
      pass_file = optarg;
      break;
    case 'j':
      v.json = true;
      break;
    case 'i':
      if (pcap_ms_parse(&idle, "--idle-ms", optarg, err, sizeof(err)) != 0)
        return io_cli_usage(PROG, NULL, "%s", err);
      break;
    default:
      return io_cli_getopt_default(c, PROG, err, usage);
    }
  }
  if (optind + 1 != argc || !keys || v.profile < 0)
    return io_cli_usage(PROG, PROG, "needs FILE, --keys FILE and --profile P");
  file = argv[optind];
  if ((rv = io_cli_pass_read(pass, PROG, PROG, pass_file, "EFC_OPERATOR_PASS", "--pass-file")) != 0) return rv;
  rv = keymgmt_operator_keys_load(&v.keys, keys, pass, err, sizeof(err));
  io_pass_wipe(pass);
  if (rv != 0) return io_cli_fail(IO_CLI_EXIT_FAILURE, PROG, "%s", err);
  if (dsrc_crypto_new(&v.crypto, err, sizeof(err)) != 0) {
    fprintf(stderr, "efc-pcap verify: %s\n", err);
    keymgmt_operator_keys_wipe(&v.keys);
    return IO_CLI_EXIT_FAILURE;
  }
  rv = pcap_file_walk(file, idle, on_group, &v, err, sizeof(err));
  if (rv == 0 && !v.json)
    printf("%lu transactions, %lu of profile %s: %lu pass the lane check, %lu fail, %lu incomplete\n", v.txns,
           v.ours, efc_profile_name(v.profile), v.pass, v.fail, v.incomplete);
  if (rv != 0) fprintf(stderr, "efc-pcap verify: %s\n", err);
  keymgmt_operator_keys_wipe(&v.keys);
  dsrc_crypto_free(v.crypto);
  return rv == 0 ? IO_CLI_EXIT_OK : IO_CLI_EXIT_FAILURE;
}
