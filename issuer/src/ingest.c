/* A claims file, line by line: parse, verify against the master keys, store in batches. */
#include <openssl/evp.h>
#include <stdlib.h>
#include <string.h>

#include "issuer/issuer_ingest.h"

typedef struct {
  char *buf;
  size_t len;
  bool too_long; /* more than ISSUER_LINE_MAX octets: the rest was skipped */
  bool nul;      /* a NUL octet, which no JSON text carries */
} line_buf;

/* Reads one line without its '\n' (and without a final '\r'). Returns false at the end of
 * the input. Never keeps more than ISSUER_LINE_MAX octets, whatever the line's length. */
static bool line_read(FILE *in, line_buf *l) {
  int ch;
  bool any = false;
  l->len = 0;
  l->too_long = l->nul = false;
  while ((ch = getc_unlocked(in)) != EOF) {
    any = true;
    if (ch == '\n') break;
    if (ch == '\0') l->nul = true;
    if (l->len < ISSUER_LINE_MAX) l->buf[l->len++] = (char)ch;
    else l->too_long = true;
  }
  if (l->len > 0 && l->buf[l->len - 1] == '\r' && !l->too_long) l->len--;
  l->buf[l->len] = '\0';
  return any;
}

typedef struct {
  issuer_db *db;
  const issuer_ingest_args *a;
  issuer_run_counts *c;
  EVP_MD_CTX *md_ctx;
  EVP_MD *md;
} ingest;

static void warn_line(ingest *g, const char *reason) {
  g->c->malformed++;
  if (g->a->warn && g->c->malformed <= g->a->warn_max)
    fprintf(g->a->warn, "%s:%llu: %s\n", g->a->source, (unsigned long long)g->c->lines, reason);
}

static int line_hash(ingest *g, const line_buf *l, uint8_t out[ISSUER_LINE_HASH]) {
  uint8_t md[EVP_MAX_MD_SIZE];
  unsigned n = 0;
  if (!EVP_DigestInit_ex2(g->md_ctx, g->md, NULL) ||
      !EVP_DigestUpdate(g->md_ctx, l->buf, l->len) || !EVP_DigestFinal_ex(g->md_ctx, md, &n) ||
      n < ISSUER_LINE_HASH)
    return ISSUER_ERR_CRYPTO;
  memcpy(out, md, ISSUER_LINE_HASH);
  return 0;
}

/* One line: 0 when stored, skipped or already there; negative on a fatal error. */
static int ingest_line(ingest *g, const line_buf *l, char *err, size_t errlen) {
  efc_claim cl;
  issuer_row row;
  char why[256];
  bool inserted = false;
  int flags, rv;
  if (l->too_long) {
    snprintf(why, sizeof(why), "line longer than %d octets, skipped", ISSUER_LINE_MAX);
    warn_line(g, why);
    return 0;
  }
  if (l->nul) {
    warn_line(g, "NUL octet in the line, skipped");
    return 0;
  }
  if (l->len == 0 || strspn(l->buf, " \t") == l->len) {
    warn_line(g, "empty line, skipped");
    return 0;
  }
  if (efc_claim_parse(&cl, l->buf, why, sizeof(why)) != 0) {
    warn_line(g, why);
    return 0;
  }
  g->c->claims++;
  flags = issuer_verify_claim(g->a->crypto, g->a->ks, &g->a->vopt, &cl);
  if (flags < 0) {
    snprintf(err, errlen, "%s:%llu: claim verification failed (%d)", g->a->source,
             (unsigned long long)g->c->lines, flags);
    return ISSUER_ERR_CRYPTO;
  }
  issuer_row_from_claim(&row, &cl, (unsigned)flags);
  row.line_no = (int64_t)g->c->lines;
  if ((rv = line_hash(g, l, row.line_hash)) != 0) {
    snprintf(err, errlen, "%s:%llu: SHA-256 failed", g->a->source, (unsigned long long)g->c->lines);
    return rv;
  }
  if ((rv = issuer_db_run_add(g->db, &row, &inserted, err, errlen)) != 0) return rv;
  if (inserted) g->c->inserted++;
  else g->c->already++;
  return 0;
}

int issuer_ingest_file(issuer_db *db, const issuer_ingest_args *a, issuer_run_counts *c,
                       char *err, size_t errlen) {
  ingest g = {db, a, c, NULL, NULL};
  line_buf l = {0};
  unsigned batch = a->batch ? a->batch : ISSUER_BATCH_DEFAULT;
  int rv = 0;
  memset(c, 0, sizeof(*c));
  l.buf = malloc(ISSUER_LINE_MAX + 1);
  g.md_ctx = EVP_MD_CTX_new();
  g.md = EVP_MD_fetch(NULL, "SHA256", NULL);
  if (!l.buf || !g.md_ctx || !g.md) {
    snprintf(err, errlen, "%s: out of memory", a->source);
    rv = ISSUER_ERR_NOMEM;
    goto out;
  }
  if ((rv = issuer_db_run_begin(db, a->source, a->vopt.check_mac, err, errlen)) != 0) goto out;
  while (line_read(a->in, &l)) {
    c->lines++;
    if ((rv = ingest_line(&g, &l, err, errlen)) != 0) break;
    /* Batches bound the transaction (and the WAL); each commit is a consistent point an
     * interrupted run keeps. */
    if (c->lines % batch == 0 &&
        ((rv = issuer_db_run_progress(db, c, err, errlen)) != 0 ||
         (rv = issuer_db_tx_commit(db, err, errlen)) != 0 ||
         (rv = issuer_db_tx_begin(db, err, errlen)) != 0))
      break;
  }
  if (rv == 0 && ferror(a->in)) {
    snprintf(err, errlen, "%s: read error after line %llu", a->source, (unsigned long long)c->lines);
    rv = ISSUER_ERR_IO;
  }
  /* What was read before an error is stored all the same. */
  {
    char e2[512];
    int crv = issuer_db_run_progress(db, c, e2, sizeof(e2));
    if (crv == 0) crv = issuer_db_tx_commit(db, e2, sizeof(e2));
    if (rv == 0 && crv != 0) {
      snprintf(err, errlen, "%s", e2);
      rv = crv;
    }
  }
  if (a->warn && c->malformed > a->warn_max)
    fprintf(a->warn, "%s: %llu more malformed lines not shown\n", a->source,
            (unsigned long long)(c->malformed - a->warn_max));
out:
  EVP_MD_free(g.md);
  EVP_MD_CTX_free(g.md_ctx);
  free(l.buf);
  return rv;
}
