/* YAML files through libcyaml: loading with one-line errors, the line of a key, and the
 * number reader every loader shares (sim/yaml.h). */
#include <cyaml/cyaml.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "io/cli.h"
#include "sim/yaml.h"

const cyaml_schema_value_t sim_yaml_number_entry = {
    CYAML_VALUE_STRING(CYAML_FLAG_POINTER, char, 0, SIM_YAML_NUMBER_MAX)};

/* A value quoted back from the file may hold a line break ("1\n2" in quotes): an error stays
 * one line. */
static void one_line(char *s) {
  for (; *s; s++)
    if ((unsigned char)*s < 0x20 || *s == 0x7f) *s = '?';
}

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

/* The line of the nth block-style list item ("- ...") after line 'after'; 0 if none. */
static unsigned item_line(const char *path, unsigned after, unsigned nth) {
  char line[1024];
  unsigned n = 0, seen = 0, found = 0;
  FILE *f = fopen(path, "r");
  if (!f) return 0;
  while (!found && fgets(line, sizeof(line), f)) {
    const char *p = line + strspn(line, " \t");
    if (++n <= after) continue;
    if (p[0] == '-' && (p[1] == ' ' || p[1] == '\t' || p[1] == '\n' || p[1] == '\0') && ++seen == nth) found = n;
  }
  fclose(f);
  return found;
}

/* A dotted field path's line: each component searched after the previous one's line; for
 * the nth item of a list (nth > 1), the last one searched from that item's line on, since
 * items need not all hold the key. */
static unsigned path_line(const char *path, const char *dotted, unsigned nth) {
  char buf[128], *part, *next, *save = NULL;
  unsigned line = 1;
  snprintf(buf, sizeof(buf), "%s", dotted);
  for (part = strtok_r(buf, ".", &save); part; part = next) {
    unsigned from = line, l;
    next = strtok_r(NULL, ".", &save);
    if (!next && nth > 1) {
      unsigned item = item_line(path, line, nth);
      if (!item) return line;
      from = item;
    }
    l = key_line(path, part, from);
    if (!l) return from;
    line = l;
  }
  return line;
}

unsigned sim_yaml_key_line(const char *path, const char *key, unsigned nth) { return path_line(path, key, nth); }

bool sim_yaml_key_present(const char *path, const char *key) { return key_line(path, key, 1) != 0; }

int sim_yaml_fail(char *err, size_t errlen, const char *path, const char *key, unsigned nth, const char *fmt, ...) {
  char why[200];
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(why, sizeof(why), fmt, ap);
  va_end(ap);
  snprintf(err, errlen, "%s:%u: %s: %s", path, path_line(path, key, nth), key, why);
  one_line(err);
  return -1;
}

/* The parsers' own error already reads "KEY: expected ..., got '...'": put the place first. */
static int place(char *err, size_t errlen, const char *path, const char *key, unsigned nth, const char *msg) {
  snprintf(err, errlen, "%s:%u: %s", path, path_line(path, key, nth), msg);
  one_line(err);
  return -1;
}

int sim_yaml_u64(uint64_t *out, const char *path, const char *key, unsigned nth, const char *s, uint64_t lo,
                 uint64_t hi, char *err, size_t errlen) {
  char msg[256];
  if (io_cli_u64_parse(out, key, s, lo, hi, msg, sizeof(msg)) != 0) return place(err, errlen, path, key, nth, msg);
  return 0;
}

int sim_yaml_u32(uint32_t *out, const char *path, const char *key, unsigned nth, const char *s, uint32_t lo,
                 uint32_t hi, char *err, size_t errlen) {
  char msg[256];
  if (io_cli_u32_parse(out, key, s, lo, hi, msg, sizeof(msg)) != 0) return place(err, errlen, path, key, nth, msg);
  return 0;
}

int sim_yaml_double(double *out, const char *path, const char *key, unsigned nth, const char *s, double lo,
                    double hi, unsigned flags, char *err, size_t errlen) {
  char msg[256];
  if (io_cli_double_parse(out, key, s, lo, hi, flags, msg, sizeof(msg)) != 0)
    return place(err, errlen, path, key, nth, msg);
  return 0;
}

/* libcyaml's messages in the file's terms: numbers are loaded as strings, so its "Expecting
 * STRING" and "STRING length" mean a value of the wrong shape or length. */
static void plain_message(char *msg, size_t cap) {
  static const struct {
    const char *cyaml, *plain;
  } events[] = {{"MAPPING_START", "a mapping"}, {"SEQUENCE_START", "a list"}, {"SCALAR", "a single value"},
                {"ALIAS", "an alias"}};
  static const struct {
    const char *cyaml, *plain;
  } kinds[] = {{"Expecting STRING, got event: ", "expected a single value, got "},
               {"Expecting MAPPING, got event: ", "expected a mapping of keys, got "},
               {"Expecting SEQUENCE, got event: ", "expected a list, got "}};
  char out[256];
  unsigned n;
  for (size_t k = 0; k < sizeof(kinds) / sizeof(kinds[0]); k++) {
    size_t len = strlen(kinds[k].cyaml);
    if (strncmp(msg, kinds[k].cyaml, len) != 0) continue;
    for (size_t e = 0; e < sizeof(events) / sizeof(events[0]); e++)
      if (strcmp(msg + len, events[e].cyaml) == 0) {
        snprintf(out, sizeof(out), "%s%s", kinds[k].plain, events[e].plain);
        snprintf(msg, cap, "%s", out);
        return;
      }
  }
  if (sscanf(msg, "STRING length > %u:", &n) == 1) snprintf(msg, cap, "longer than %u characters", n);
  else if (sscanf(msg, "STRING length < %u:", &n) == 1) snprintf(msg, cap, "shorter than %u characters", n);
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
    plain_message(cap.msg, sizeof(cap.msg));
    /* An unknown key: libcyaml points at its mapping; find the key's own line. */
    if (strncmp(cap.msg, "Unexpected key: ", 16) == 0) {
      unsigned l = key_line(path, cap.msg + 16, line ? line : 1);
      if (l) line = l;
    }
    snprintf(err, errlen, "%s:%u: %s%s%s", path, line ? line : 1, field, field[0] ? ": " : "",
             cap.msg[0] ? cap.msg : cyaml_strerror(e));
    one_line(err);
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


