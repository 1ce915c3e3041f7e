/* Progress lines: a terminal bar or JSON lines (sim/progress.h). */
#include <math.h>
#include <string.h>
#include <time.h>

#include "sim/progress.h"

/* Seconds between two bar redraws and between two JSON lines. The bar is for the eye; a
 * JSON line a second is plenty for a scheduler and keeps a log small. The slack absorbs
 * the rounding of differences of made-up times such as 0.3 - 0.2. */
#define PROGRESS_BAR_EVERY 0.1
#define PROGRESS_JSON_EVERY 1.0
#define PROGRESS_SLACK 1e-9

/* The bar's own width when the line has room: wider says nothing more. */
#define PROGRESS_BAR_MAX 30
/* Below this many columns the bar's name is shortened rather than the bar. */
#define PROGRESS_BAR_MIN 10
/* The longest name shown in front of the bar. */
#define PROGRESS_WHAT_MAX 24
/* Room for any double printed with "%.3f": 309 digits, a sign, a point and 3 decimals. */
#define PROGRESS_NUM 320

int sim_progress_mode_parse(const char *s, sim_progress_mode *mode) {
  if (!s) return -1;
  if (strcmp(s, "bar") == 0) *mode = SIM_PROGRESS_BAR;
  else if (strcmp(s, "json") == 0) *mode = SIM_PROGRESS_JSON;
  else if (strcmp(s, "off") == 0) *mode = SIM_PROGRESS_OFF;
  else return -1;
  return 0;
}

double sim_progress_now(void) {
  struct timespec ts;
  if (clock_gettime(CLOCK_MONOTONIC, &ts) != 0) return 0;
  return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

void sim_progress_start(sim_progress *p, sim_progress_mode mode, FILE *out, const char *what, double now) {
  size_t n = what ? strlen(what) : 0;
  memset(p, 0, sizeof(*p));
  p->mode = out ? mode : SIM_PROGRESS_OFF;
  p->out = out;
  p->t0 = now;
  if (n >= sizeof(p->what)) {
    n = sizeof(p->what) - 1;
    /* Not in the middle of a UTF-8 character: the JSON line must stay valid UTF-8. */
    while (n > 0 && ((unsigned char)what[n] & 0xC0) == 0x80) n--;
  }
  if (n) memcpy(p->what, what, n);
  p->what[n] = '\0';
}

/* ---- The figures ---- */

static double progress_elapsed(const sim_progress *p, double now) {
  double e = now - p->t0;
  return e > 0 ? e : 0;
}

/* done per second; -1 when no time has passed. */
static double progress_rate(const sim_progress *p, double elapsed) {
  return elapsed > 0 ? (double)p->done / elapsed : -1;
}

/* Seconds left; -1 when unknown. */
static double progress_eta(const sim_progress *p, double rate) {
  if (p->total == 0) return -1;
  if (p->done >= p->total) return 0;
  if (!(rate > 0)) return -1;
  return (double)(p->total - p->done) / rate;
}

static void progress_flush(sim_progress *p, int printed) {
  if (printed < 0 || fflush(p->out) != 0 || ferror(p->out)) p->write_error = true;
}

/* ---- JSON lines ---- */

/* s as the inside of a JSON string: quotes, backslashes and control characters escaped;
 * other bytes (UTF-8) as they are. buf holds at least 6 * strlen(s) + 1 bytes. */
static void progress_json_escape(char *buf, const char *s) {
  static const char hex[] = "0123456789abcdef";
  for (; *s; s++) {
    unsigned char c = (unsigned char)*s;
    if (c == '"' || c == '\\') {
      *buf++ = '\\';
      *buf++ = (char)c;
    } else if (c < 0x20) {
      memcpy(buf, "\\u00", 4);
      buf[4] = hex[c >> 4];
      buf[5] = hex[c & 15];
      buf += 6;
    } else {
      *buf++ = (char)c;
    }
  }
  *buf = '\0';
}

/* A number with three decimals, or null. Even DBL_MAX fits in PROGRESS_NUM bytes. */
static void progress_json_num(char *buf, size_t len, double v) {
  if (v >= 0 && isfinite(v)) snprintf(buf, len, "%.3f", v);
  else snprintf(buf, len, "null");
}

static void progress_json_line(sim_progress *p, double now, bool end) {
  char what[6 * sizeof(p->what)], total[24], elapsed[PROGRESS_NUM], rate[PROGRESS_NUM], eta[PROGRESS_NUM + 16] = "";
  double e = progress_elapsed(p, now), r = progress_rate(p, e);
  int rv;
  progress_json_escape(what, p->what);
  if (p->total) snprintf(total, sizeof(total), "%llu", (unsigned long long)p->total);
  else snprintf(total, sizeof(total), "null");
  progress_json_num(elapsed, sizeof(elapsed), e);
  progress_json_num(rate, sizeof(rate), r);
  if (!end) {
    char v[PROGRESS_NUM];
    progress_json_num(v, sizeof(v), progress_eta(p, r));
    snprintf(eta, sizeof(eta), ",\"eta_s\":%s", v);
  }
  rv = fprintf(p->out, "{\"event\":\"%s\",\"what\":\"%s\",\"done\":%llu,\"total\":%s,\"round\":%u,\"elapsed_s\":%s,"
               "\"rate\":%s%s}\n",
               end ? "end" : "progress", what, (unsigned long long)p->done, total, p->round, elapsed, rate, eta);
  progress_flush(p, rv);
}

/* ---- The bar ---- */

/* v in at most 6 characters: 999, 1.2k, 12.3M, 18.4E; rates under 10 with a decimal. */
static void progress_compact(char *buf, size_t len, double v, bool count) {
  static const char unit[] = "kMGTPE";
  unsigned i = 0;
  if (v < 999.5) {
    if (count || v >= 9.95) snprintf(buf, len, "%.0f", v);
    else snprintf(buf, len, "%.1f", v);
    return;
  }
  v /= 1000;
  while (v >= 999.95 && i < sizeof(unit) - 2) {
    v /= 1000;
    i++;
  }
  if (v >= 999.95) snprintf(buf, len, ">999E");
  else snprintf(buf, len, "%.1f%c", v, unit[i]);
}

/* m:ss, or h:mm:ss from an hour on. */
static void progress_hms(char *buf, size_t len, double s) {
  unsigned long long t;
  if (s >= 1000.0 * 3600) {
    snprintf(buf, len, ">999h");
    return;
  }
  t = (unsigned long long)(s + 0.5);
  if (t >= 3600) snprintf(buf, len, "%llu:%02llu:%02llu", t / 3600, t / 60 % 60, t % 60);
  else snprintf(buf, len, "%llu:%02llu", t / 60, t % 60);
}

/* The line without \r: name, bar (total known), percent, done/total, rate, ETA or elapsed
 * time, round; at most SIM_PROGRESS_COLUMNS bytes. */
static size_t progress_bar_text(const sim_progress *p, double now, bool end, char *line, size_t linelen) {
  char tail[160], a[16], b[16], r[16], t[24], name[sizeof(p->what)];
  double e = progress_elapsed(p, now), rate = progress_rate(p, e);
  size_t tn = 0, wn, n;
  int bar_w = 0;

  /* The name goes to a terminal: no control character may move the cursor. */
  for (wn = 0; p->what[wn]; wn++) name[wn] = (unsigned char)p->what[wn] < 0x20 ? '?' : p->what[wn];
  name[wn] = '\0';
  if (wn > PROGRESS_WHAT_MAX) wn = PROGRESS_WHAT_MAX;

  if (p->total) {
    double pct = p->done >= p->total ? 100 : floor(1000.0 * (double)p->done / (double)p->total) / 10;
    tn += (size_t)snprintf(tail + tn, sizeof(tail) - tn, " %5.1f%%", pct);
  }
  progress_compact(a, sizeof(a), (double)p->done, true);
  if (p->total) progress_compact(b, sizeof(b), (double)p->total, true);
  else snprintf(b, sizeof(b), "?");
  if (rate >= 0) progress_compact(r, sizeof(r), rate, false);
  else snprintf(r, sizeof(r), "?");
  if (end) {
    progress_hms(t, sizeof(t), e);
    tn += (size_t)snprintf(tail + tn, sizeof(tail) - tn, " %s/%s %s/s in %s", a, b, r, t);
  } else {
    double eta = progress_eta(p, rate);
    if (eta >= 0) progress_hms(t, sizeof(t), eta);
    else snprintf(t, sizeof(t), "?");
    tn += (size_t)snprintf(tail + tn, sizeof(tail) - tn, " %s/%s %s/s ETA %s", a, b, r, t);
  }
  if (p->round) tn += (size_t)snprintf(tail + tn, sizeof(tail) - tn, " round %u", p->round);

  if (p->total) {
    /* "name [bar]": the bar takes what is left, the name gives way first. */
    bar_w = SIM_PROGRESS_COLUMNS - (int)wn - 3 - (int)tn;
    if (bar_w < PROGRESS_BAR_MIN) {
      int room = SIM_PROGRESS_COLUMNS - 3 - (int)tn - PROGRESS_BAR_MIN;
      if (room < 0) wn = 0;
      else if (wn > (size_t)room) wn = (size_t)room;
      bar_w = SIM_PROGRESS_COLUMNS - (int)wn - 3 - (int)tn;
    }
    if (bar_w > PROGRESS_BAR_MAX) bar_w = PROGRESS_BAR_MAX;
  } else if (wn + tn > SIM_PROGRESS_COLUMNS) {
    wn = tn < SIM_PROGRESS_COLUMNS ? SIM_PROGRESS_COLUMNS - tn : 0;
  }
  while (wn > 0 && ((unsigned char)name[wn] & 0xC0) == 0x80) wn--;
  while (wn > 0 && name[wn - 1] == ' ') wn--;
  name[wn] = '\0';
  n = (size_t)snprintf(line, linelen, "%s", name);
  if (bar_w > 0 && n + (size_t)bar_w + 3 < linelen) {
    int fill = p->done >= p->total ? bar_w : (int)((double)p->done / (double)p->total * bar_w);
    if (n) line[n++] = ' ';
    line[n++] = '[';
    for (int i = 0; i < bar_w; i++) line[n++] = i < fill ? '#' : '.';
    line[n++] = ']';
    line[n] = '\0';
  }
  /* No name and no bar: the line starts with the figures, not a space. */
  n += (size_t)snprintf(line + n, linelen - n, "%s", tail + (n == 0 && tn > 0));
  /* Whatever the figures, never wrap the terminal's line. */
  if (n > SIM_PROGRESS_COLUMNS) n = SIM_PROGRESS_COLUMNS;
  line[n] = '\0';
  return n;
}

static void progress_bar_line(sim_progress *p, double now, bool end) {
  char line[256];
  size_t n = progress_bar_text(p, now, end, line, sizeof(line));
  /* Blank what is left of a longer line before. */
  int pad = p->last_width > n ? (int)(p->last_width - n) : 0;
  int rv = fprintf(p->out, "\r%s%*s%s", line, pad, "", end ? "\n" : "");
  p->last_width = end ? 0 : n;
  progress_flush(p, rv);
}

/* ---- The calls ---- */

void sim_progress_update(sim_progress *p, uint64_t done, uint64_t total, unsigned round, double now) {
  double every;
  if (p->mode == SIM_PROGRESS_OFF) return;
  p->done = done;
  p->total = total;
  p->round = round;
  every = p->mode == SIM_PROGRESS_JSON ? PROGRESS_JSON_EVERY : PROGRESS_BAR_EVERY;
  if (p->printed && now - p->last_print < every - PROGRESS_SLACK) return;
  p->printed = true;
  p->last_print = now;
  if (p->mode == SIM_PROGRESS_JSON) progress_json_line(p, now, false);
  else progress_bar_line(p, now, false);
}

int sim_progress_end(sim_progress *p, double now) {
  if (p->mode == SIM_PROGRESS_OFF) return 0;
  if (p->mode == SIM_PROGRESS_JSON) progress_json_line(p, now, true);
  else progress_bar_line(p, now, true);
  return p->write_error ? -1 : 0;
}
