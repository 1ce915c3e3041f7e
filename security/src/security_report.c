/* The security report: attack files x profiles on worker threads (key search alone, since
 * it measures the machine), the timing model's run for the same profiles, then Markdown,
 * HTML (the plots inlined, so the file stands alone) and the plots. */
#define _DEFAULT_SOURCE /* DT_REG-free readdir use, strdup */
#include <dirent.h>
#include <errno.h>
#include <jansson.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "io/cli.h"
#include "sim/report.h"
#include "sim/runner.h"
#include "security/security.h"

/* ---- attack files ---- */

static int cmp_str(const void *a, const void *b) { return strcmp((const char *)a, (const char *)b); }

static int list_files(const char *dir, sec_result *r, char *err, size_t errlen) {
  DIR *d = opendir(dir);
  struct dirent *e;
  if (!d) {
    snprintf(err, errlen, "%s: cannot open the attack directory (%s)", dir, strerror(errno));
    return -1;
  }
  r->nfiles = 0;
  while ((e = readdir(d))) {
    size_t n = strlen(e->d_name);
    if (n < 6 || strcmp(e->d_name + n - 5, ".yaml") != 0 || e->d_name[0] == '.') continue;
    if (r->nfiles == SEC_FILES_MAX) {
      closedir(d);
      snprintf(err, errlen, "%s: more than %d attack files", dir, SEC_FILES_MAX);
      return -1;
    }
    /* An installed prefix makes the names long: one cut short would name another file. */
    if ((size_t)snprintf(r->files[r->nfiles], sizeof(r->files[0]), "%s/%s", dir, e->d_name) >=
        sizeof(r->files[0])) {
      closedir(d);
      snprintf(err, errlen, "%s/%s: path longer than %zu characters", dir, e->d_name, sizeof(r->files[0]) - 1);
      return -1;
    }
    r->nfiles++;
  }
  closedir(d);
  if (r->nfiles == 0) {
    snprintf(err, errlen, "%s: no attack files (*.yaml)", dir);
    return -1;
  }
  qsort(r->files, r->nfiles, sizeof(r->files[0]), cmp_str);
  for (unsigned i = 0; i < r->nfiles; i++)
    if (sec_params_load(&r->params[i], r->files[i], err, errlen) != 0) return -1;
  return 0;
}

/* ---- running the cells ---- */

typedef struct {
  const sec_options *o;
  sec_result *r;
  pthread_mutex_t mu;
  unsigned next, ncells;
  unsigned cells[SEC_FILES_MAX * EFC_PROFILE_COUNT];
  unsigned done_per_file[SEC_FILES_MAX];
} pool;

static void run_cell(pool *p, unsigned cell) {
  unsigned f = cell / EFC_PROFILE_COUNT, prof = cell % EFC_PROFILE_COUNT;
  char err[200];
  int rv = sec_run(&p->r->params[f], (int)prof, &p->o->iopt, &p->r->out[f][prof], err, sizeof(err));
  pthread_mutex_lock(&p->mu);
  p->r->ran[f][prof] = rv == 0;
  if (rv != 0) snprintf(p->r->errors[f][prof], sizeof(p->r->errors[0][0]), "%s", err);
  if (++p->done_per_file[f] == EFC_PROFILE_COUNT && p->o->progress)
    fprintf(p->o->progress, "  %-4s %s\n", p->r->params[f].threat, p->r->params[f].title);
  pthread_mutex_unlock(&p->mu);
}

static void *worker(void *arg) {
  pool *p = arg;
  for (;;) {
    unsigned k;
    pthread_mutex_lock(&p->mu);
    k = p->next++;
    pthread_mutex_unlock(&p->mu);
    if (k >= p->ncells) return NULL;
    run_cell(p, p->cells[k]);
  }
}

/* Key search measures trial rates on every core: it runs alone, after the rest. */
static bool runs_alone(const sec_params *a) { return strcmp(a->threat, "T12") == 0; }

static void run_attacks(const sec_options *o, sec_result *r) {
  pool p;
  unsigned nthreads = o->threads ? o->threads : 1;
  pthread_t th[64];
  memset(&p, 0, sizeof(p));
  p.o = o;
  p.r = r;
  pthread_mutex_init(&p.mu, NULL);
  for (unsigned f = 0; f < r->nfiles; f++)
    if (!runs_alone(&r->params[f]))
      for (unsigned prof = 0; prof < EFC_PROFILE_COUNT; prof++) p.cells[p.ncells++] = f * EFC_PROFILE_COUNT + prof;
  if (nthreads > 64) nthreads = 64;
  for (unsigned i = 0; i < nthreads; i++) pthread_create(&th[i], NULL, worker, &p);
  for (unsigned i = 0; i < nthreads; i++) pthread_join(th[i], NULL);
  for (unsigned f = 0; f < r->nfiles; f++)
    if (runs_alone(&r->params[f]))
      for (unsigned prof = 0; prof < EFC_PROFILE_COUNT; prof++) run_cell(&p, f * EFC_PROFILE_COUNT + prof);
  pthread_mutex_destroy(&p.mu);
}

/* ---- the timing model ---- */

static int timing_run(const sec_options *o, sec_result *r, sim_scenario *sc, char *err, size_t errlen) {
  sim_run_options ro;
  char dir[600], path[700];
  json_t *root, *a;
  json_error_t je;
  size_t i;
  double lowest = 1e9;
  snprintf(dir, sizeof(dir), "%s/timing", o->out_dir);
  if (sim_scenario_load(sc, o->timing_file, err, errlen) != 0) return -1;
  memset(&ro, 0, sizeof(ro));
  ro.out_dir = dir;
  ro.threads = o->threads ? o->threads : 1;
  ro.plots = o->plots;
  ro.prog = o->prog;
  if (sim_run(sc, &ro, err, errlen) != 0) return -1;
  snprintf(path, sizeof(path), "%s/summary.json", dir);
  if (!(root = json_load_file(path, 0, &je))) {
    snprintf(err, errlen, "%s: %s", path, je.text);
    return -1;
  }
  r->timing_ber = sc->nbers ? sc->bers[0] : 0;
  /* The first BER, the lowest speed: what a transaction costs when the zone is long
   * enough; the critical speed says where it stops being long enough. */
  json_array_foreach(json_object_get(root, "results"), i, a) {
    double s = json_number_value(json_object_get(a, "speed_kmh"));
    if (json_number_value(json_object_get(a, "ber")) == r->timing_ber && s < lowest) lowest = s;
  }
  json_array_foreach(json_object_get(root, "results"), i, a) {
    int prof = efc_profile_parse(json_string_value(json_object_get(a, "profile")));
    const char *mcu = json_string_value(json_object_get(a, "mcu"));
    int m = mcu && strcmp(mcu, "modern") == 0;
    sec_timing *t;
    if (prof < 0 || !mcu || json_number_value(json_object_get(a, "ber")) != r->timing_ber ||
        json_number_value(json_object_get(a, "speed_kmh")) != lowest)
      continue;
    t = &r->timing[prof];
    t->have = true;
    t->completion_p50_ms[m] = json_number_value(json_object_get(json_object_get(a, "completion_ms"), "p50"));
    /* Frames and airtime do not depend on the OBE's processor: the modern one's stand. */
    if (m || t->frames == 0) {
      t->frames = json_number_value(json_object_get(a, "frames"));
      t->airtime_ms = json_number_value(json_object_get(a, "airtime_ms"));
    }
  }
  json_array_foreach(json_object_get(root, "critical"), i, a) {
    const char *g = json_string_value(json_object_get(a, "group"));
    char name[64];
    const char *slash;
    int prof;
    if (!g || json_number_value(json_object_get(a, "ber")) != r->timing_ber || !(slash = strchr(g, '/'))) continue;
    snprintf(name, sizeof(name), "%.*s", (int)(slash - g), g);
    if ((prof = efc_profile_parse(name)) < 0) continue;
    r->timing[prof].critical_kmh[strcmp(slash + 1, "modern") == 0] =
        json_number_value(json_object_get(a, "critical_speed_kmh"));
    r->timing[prof].estimated_kmh[strcmp(slash + 1, "modern") == 0] =
        json_number_value(json_object_get(a, "estimated_from_p999_kmh"));
  }
  json_decref(root);
  return 0;
}

static int run_timing(const sec_options *o, sec_result *r, char *err, size_t errlen) {
  /* A scenario is large: off the stack, and no static one that a second report would share. */
  sim_scenario *sc = calloc(1, sizeof(*sc));
  int rv;
  if (!sc) {
    snprintf(err, errlen, "out of memory");
    return -1;
  }
  rv = timing_run(o, r, sc, err, errlen);
  free(sc);
  return rv;
}

/* ---- writing ---- */

static const char *const detect_colour[SEC_DETECT_COUNT] = {"#f4b6b6", "#b9e4b9", "#cfe8cf", "#fde3a7", "#dddddd"};

static void md_escape(FILE *f, const char *s) {
  for (; *s; s++) {
    if (*s == '|') fputs("\\|", f);
    else fputc(*s, f);
  }
}

static void html_escape(FILE *f, const char *s) {
  for (; *s; s++) {
    if (*s == '<') fputs("&lt;", f);
    else if (*s == '>') fputs("&gt;", f);
    else if (*s == '&') fputs("&amp;", f);
    else if (*s == '"') fputs("&quot;", f);
    else fputc(*s, f);
  }
}

static unsigned count_detect(const sec_result *r, int prof, int d) {
  unsigned n = 0;
  for (unsigned f = 0; f < r->nfiles; f++) n += r->ran[f][prof] && r->out[f][prof].detected == d;
  return n;
}

static const char *const guide[] = {
    "Each row is one threat of the threat list (docs/threat-list.md), mounted for real through the OBE and RSE engines, "
    "the issuer's claim database and status list, and captures; each cell is what that run measured, "
    "never a constant.",
    "**air_lane**: the RSE's own check (MAC2, MAC_TC, access credentials) stopped the passage: it was "
    "photographed or rejected on the spot. **issuer**: the lane let it through; the issuer's check of "
    "MAC1 / MAC_TSP or its analysis of counters and times flagged the claim afterwards (the status "
    "list then stops the next passage). **status list**: only the list caught it, at a later passage. "
    "**not detected**: no defence noticed. **attack fails**: the attack itself did not work.",
    "**gained** is what the attacker obtained in that run; **charges** counts passages charged to "
    "someone who did not pass or at a wrong fee (wrong) and passages nobody can be charged for (lost).",
    "Read across a row to see what a profile adds against one threat; down a column to see a profile's "
    "weak points; then the timing table: what the extra protection costs in frames, airtime and the "
    "highest speed at which transactions still complete.",
};

static int write_md(const sec_options *o, const sec_result *r, char *err, size_t errlen) {
  char path[700], when[64], version[256];
  time_t now = time(NULL);
  file_out *out;
  FILE *f;
  snprintf(path, sizeof(path), "%s/security.md", o->out_dir);
  if (file_out_open(&out, path, 0, err, errlen) != 0) return -1;
  f = file_out_stream(out);
  strftime(when, sizeof(when), "%Y-%m-%d %H:%M UTC", gmtime(&now));
  fprintf(f, "# efcsim security evaluation\n\n");
  fprintf(f, "Generated by `efc-scenario report security` on %s: %u attack files x %d profiles in %.1f s. "
             "Issuer checks: MAC1 / MAC_TSP %s, commitments %s.\n\n",
          when, r->nfiles, EFC_PROFILE_COUNT, r->wall_s, o->iopt.check_mac ? "on" : "**OFF (test only)**",
          o->iopt.check_commit ? "on" : "**OFF (test only)**");
  if (o->prog && io_cli_version_line(version, sizeof(version), o->prog) == 0)
    fprintf(f, "Written by %s.\n\n", version);
  fprintf(f, "## How to read it\n\n");
  for (size_t i = 0; i < sizeof(guide) / sizeof(guide[0]); i++) fprintf(f, "%s\n\n", guide[i]);
  fprintf(f, "## Threats x profiles: where each attack was caught\n\n| # | threat | attacker |");
  for (int p = 0; p < EFC_PROFILE_COUNT; p++) fprintf(f, " %s |", efc_profile_title(p));
  fprintf(f, "\n|---|---|---|");
  for (int p = 0; p < EFC_PROFILE_COUNT; p++) fprintf(f, "---|");
  fprintf(f, "\n");
  for (unsigned i = 0; i < r->nfiles; i++) {
    fprintf(f, "| %s | ", r->params[i].threat);
    md_escape(f, r->params[i].title);
    fprintf(f, " | ");
    md_escape(f, r->params[i].attacker);
    fprintf(f, " |");
    for (int p = 0; p < EFC_PROFILE_COUNT; p++) {
      const sec_outcome *c = &r->out[i][p];
      if (!r->ran[i][p]) {
        fprintf(f, " did not run |");
        continue;
      }
      fprintf(f, " **%s**<br>gained: ", sec_detect_name(c->detected));
      md_escape(f, c->gained);
      if (c->wrong_charges || c->lost_charges)
        fprintf(f, "<br>charges: %u wrong, %u lost of %u", c->wrong_charges, c->lost_charges, c->passages);
      fprintf(f, " |");
    }
    fprintf(f, "\n");
  }
  fprintf(f, "\nThreats per defence that caught them first:\n\n| caught by |");
  for (int p = 0; p < EFC_PROFILE_COUNT; p++) fprintf(f, " %s |", efc_profile_title(p));
  fprintf(f, "\n|---|");
  for (int p = 0; p < EFC_PROFILE_COUNT; p++) fprintf(f, "---|");
  fprintf(f, "\n");
  for (int d = 0; d < SEC_DETECT_COUNT; d++) {
    fprintf(f, "| %s |", sec_detect_name(d));
    for (int p = 0; p < EFC_PROFILE_COUNT; p++) fprintf(f, " %u |", count_detect(r, p, d));
    fprintf(f, "\n");
  }
  fprintf(f, "\n## Timing: what each profile costs on the air\n\n");
  fprintf(f, "From `%s` (BER %g, the lowest speed for frames, airtime and completion; the critical speed is "
             "the highest tested speed up to which every speed demonstrates 99.9 %% completion in the zone at the "
             "file's confidence (docs/statistics.md); the last column "
             "extrapolates: the zone length over the 99.9th percentile completion time).\n\n",
          o->timing_file, r->timing_ber);
  fprintf(f, "| profile | frames | airtime (ms) | completion p50 legacy / modern (ms) | critical speed legacy / modern (km/h) | "
             "speed the zone allows at p99.9, legacy / modern (km/h) |\n|---|---|---|---|---|---|\n");
  for (int p = 0; p < EFC_PROFILE_COUNT; p++) {
    const sec_timing *t = &r->timing[p];
    if (!t->have) {
      fprintf(f, "| %s | - | - | - | not in the timing scenario |\n", efc_profile_title(p));
      continue;
    }
    fprintf(f, "| %s | %.1f | %.2f | %.1f / %.1f | %.0f / %.0f | %.0f / %.0f |\n", efc_profile_title(p), t->frames,
            t->airtime_ms, t->completion_p50_ms[0], t->completion_p50_ms[1], t->critical_kmh[0], t->critical_kmh[1],
            t->estimated_kmh[0], t->estimated_kmh[1]);
  }
  if (o->plots)
    fprintf(f, "\n![defences per profile](security_defences.svg)\n\n![timing per profile](security_timing.svg)\n");
  fprintf(f, "\n## The measurements behind each cell\n\n");
  for (unsigned i = 0; i < r->nfiles; i++) {
    fprintf(f, "### %s %s\n\n`%s` (attacker: %s)\n\n", r->params[i].threat, r->params[i].title, r->files[i],
            r->params[i].attacker);
    for (int p = 0; p < EFC_PROFILE_COUNT; p++) {
      fprintf(f, "- **%s**: ", efc_profile_title(p));
      if (!r->ran[i][p]) {
        fprintf(f, "did not run: ");
        md_escape(f, r->errors[i][p]);
      } else {
        fprintf(f, "%s. ", sec_detect_name(r->out[i][p].detected));
        md_escape(f, r->out[i][p].evidence);
      }
      fprintf(f, "\n");
    }
    fprintf(f, "\n");
  }
  return file_out_commit(out, err, errlen) == 0 ? 0 : -1;
}

static void html_inline_svg(FILE *f, const char *path) {
  FILE *s = fopen(path, "r");
  char buf[4096];
  size_t n;
  bool started = false;
  if (!s) {
    fprintf(f, "<p>(plot not drawn: %s)</p>\n", path);
    return;
  }
  /* The XML prolog and doctype are not allowed inside HTML: start at <svg. */
  while (fgets(buf, sizeof(buf), s)) {
    char *at = started ? buf : strstr(buf, "<svg");
    if (!at) continue;
    started = true;
    n = strlen(at);
    fwrite(at, 1, n, f);
  }
  fclose(s);
}

static int write_html(const sec_options *o, const sec_result *r, char *err, size_t errlen) {
  char path[700], plot[700], version[256] = "";
  file_out *out;
  FILE *f;
  snprintf(path, sizeof(path), "%s/security.html", o->out_dir);
  if (file_out_open(&out, path, 0, err, errlen) != 0) return -1;
  f = file_out_stream(out);
  fprintf(f, "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>efcsim security "
             "evaluation</title>\n<style>body{font-family:sans-serif;max-width:1200px;margin:2em auto;line-height:1.4}"
             "table{border-collapse:collapse}td,th{border:1px solid #999;padding:4px 6px;vertical-align:top;"
             "font-size:90%%}th{background:#eee}.ev{font-size:80%%;color:#333}</style>");
  if (o->prog && io_cli_version_line(version, sizeof(version), o->prog) == 0) {
    fputs("<meta name=\"generator\" content=\"", f);
    html_escape(f, version);
    fputs("\">", f);
  }
  fprintf(f, "</head><body>\n");
  fprintf(f, "<h1>efcsim security evaluation</h1>\n<p>%u attack files x %d profiles in %.1f s. Issuer checks: "
             "MAC1 / MAC_TSP %s, commitments %s.</p>\n",
          r->nfiles, EFC_PROFILE_COUNT, r->wall_s, o->iopt.check_mac ? "on" : "<b>OFF (test only)</b>",
          o->iopt.check_commit ? "on" : "<b>OFF (test only)</b>");
  if (version[0]) {
    fputs("<p>Written by ", f);
    html_escape(f, version);
    fputs(".</p>\n", f);
  }
  fprintf(f, "<h2>How to read it</h2>\n");
  for (size_t i = 0; i < sizeof(guide) / sizeof(guide[0]); i++) {
    /* The guide's **bold** marks become <b>. */
    const char *s = guide[i];
    bool bold = false;
    fprintf(f, "<p>");
    for (; *s; s++) {
      if (s[0] == '*' && s[1] == '*') {
        fputs(bold ? "</b>" : "<b>", f);
        bold = !bold;
        s++;
      } else {
        char c[2] = {*s, 0};
        html_escape(f, c);
      }
    }
    fprintf(f, "</p>\n");
  }
  fprintf(f, "<h2>Threats x profiles</h2>\n<table><tr><th>#</th><th>threat</th><th>attacker</th>");
  for (int p = 0; p < EFC_PROFILE_COUNT; p++) fprintf(f, "<th>%s</th>", efc_profile_title(p));
  fprintf(f, "</tr>\n");
  for (unsigned i = 0; i < r->nfiles; i++) {
    fprintf(f, "<tr><td>%s</td><td>", r->params[i].threat);
    html_escape(f, r->params[i].title);
    fprintf(f, "</td><td>");
    html_escape(f, r->params[i].attacker);
    fprintf(f, "</td>");
    for (int p = 0; p < EFC_PROFILE_COUNT; p++) {
      const sec_outcome *c = &r->out[i][p];
      if (!r->ran[i][p]) {
        fprintf(f, "<td>did not run</td>");
        continue;
      }
      fprintf(f, "<td style=\"background:%s\"><b>%s</b><br>gained: ", detect_colour[c->detected],
              sec_detect_name(c->detected));
      html_escape(f, c->gained);
      if (c->wrong_charges || c->lost_charges)
        fprintf(f, "<br>charges: %u wrong, %u lost of %u", c->wrong_charges, c->lost_charges, c->passages);
      fprintf(f, "<div class=\"ev\">");
      html_escape(f, c->evidence);
      fprintf(f, "</div></td>");
    }
    fprintf(f, "</tr>\n");
  }
  fprintf(f, "</table>\n<h2>Timing per profile</h2>\n<p>From <code>");
  html_escape(f, o->timing_file);
  fprintf(f, "</code> at BER %g.</p>\n<table><tr><th>profile</th><th>frames</th><th>airtime (ms)</th><th>completion p50 "
             "legacy / modern (ms)</th><th>critical speed legacy / modern (km/h)</th><th>speed the zone allows at p99.9 (km/h)</th></tr>\n",
          r->timing_ber);
  for (int p = 0; p < EFC_PROFILE_COUNT; p++) {
    const sec_timing *t = &r->timing[p];
    if (!t->have) continue;
    fprintf(f, "<tr><td>%s</td><td>%.1f</td><td>%.2f</td><td>%.1f / %.1f</td><td>%.0f / %.0f</td><td>%.0f / %.0f</td></tr>\n",
            efc_profile_title(p), t->frames, t->airtime_ms, t->completion_p50_ms[0], t->completion_p50_ms[1],
            t->critical_kmh[0], t->critical_kmh[1], t->estimated_kmh[0], t->estimated_kmh[1]);
  }
  fprintf(f, "</table>\n");
  if (o->plots) {
    snprintf(plot, sizeof(plot), "%s/security_defences.svg", o->out_dir);
    html_inline_svg(f, plot);
    snprintf(plot, sizeof(plot), "%s/security_timing.svg", o->out_dir);
    html_inline_svg(f, plot);
  }
  fprintf(f, "</body></html>\n");
  return file_out_commit(out, err, errlen) == 0 ? 0 : -1;
}

static int write_plots(const sec_options *o, const sec_result *r, char *err, size_t errlen) {
  char path[700], img[2][700];
  const char *imgs[2] = {img[0], img[1]};
  file_out *od, *og;
  FILE *d, *g;
  snprintf(path, sizeof(path), "%s/security.dat", o->out_dir);
  if (file_out_open(&od, path, 0, err, errlen) != 0) return -1;
  d = file_out_stream(od);
  /* profile, then the count per defence, then frames, airtime, p50 legacy and modern, critical legacy and modern */
  for (int p = 0; p < EFC_PROFILE_COUNT; p++) {
    const sec_timing *t = &r->timing[p];
    /* Short names: four groups of bars share half a plot's width. */
    fprintf(d, "\"%s\"", efc_profile_name(p));
    for (int k = 0; k < SEC_DETECT_COUNT; k++) fprintf(d, " %u", count_detect(r, p, k));
    fprintf(d, " %.2f %.3f %.2f %.2f %.0f %.0f\n", t->frames, t->airtime_ms, t->completion_p50_ms[0],
            t->completion_p50_ms[1], t->estimated_kmh[0], t->estimated_kmh[1]);
  }
  if (file_out_commit(od, err, errlen) != 0) return -1;
  snprintf(path, sizeof(path), "%s/security.gp", o->out_dir);
  snprintf(img[0], sizeof(img[0]), "%s/security_defences.svg", o->out_dir);
  snprintf(img[1], sizeof(img[1]), "%s/security_timing.svg", o->out_dir);
  if (file_out_open(&og, path, 0, err, errlen) != 0) return -1;
  g = file_out_stream(og);
  fprintf(g, "if (!exists('tmp')) tmp = ''\n");
  fprintf(g, "set terminal svg size 900,420 dynamic\nset style data histograms\nset style fill solid 0.8 border -1\n"
             "set grid ytics\nset key outside right\n");
  fprintf(g, "set output '%s'.tmp\nset style histogram rowstacked\nset boxwidth 0.6\n"
             "set title 'Where the %u threats were caught, per profile'\nset ylabel 'threats'\n",
          img[0], r->nfiles);
  fprintf(g, "plot '%s/security.dat' using 3:xtic(1) title 'lane' lc rgb '#4caf50', '' using 4 title 'issuer' lc rgb "
             "'#8bc34a', '' using 5 title 'status list' lc rgb '#ffc107', '' using 2 title 'not detected' lc rgb "
             "'#e53935', '' using 6 title 'attack fails' lc rgb '#9e9e9e'\n",
          o->out_dir);
  /* Time on the left, speed on the right: one axis each. */
  fprintf(g, "set terminal svg size 1100,420 dynamic\nset output '%s'.tmp\nset key below\n"
             "set style histogram clustered gap 1\nset boxwidth 0.9\nset yrange [0:*]\n"
             "set multiplot layout 1,2 title 'What each profile costs on the air (timing model)'\n",
          img[1]);
  fprintf(g, "set title 'transaction time (ms)'\nunset ylabel\nplot '%s/security.dat' using 8:xtic(1) title "
             "'airtime', '' using 9 title 'completion p50, legacy OBE', '' using 10 title 'completion p50, modern "
             "OBE'\n",
          o->out_dir);
  fprintf(g, "set title 'speed a zone allows at p99.9 completion (km/h)'\nplot '%s/security.dat' using 11:xtic(1) "
             "title 'legacy OBE', '' using 12 title 'modern OBE'\nunset multiplot\n",
          o->out_dir);
  if (file_out_commit(og, err, errlen) != 0) return -1;
  sim_report_gnuplot(path, imgs, 2);
  return 0;
}

int sec_report_run(const sec_options *o, sec_result *r, char *err, size_t errlen) {
  struct timespec t0, t1;
  memset(r, 0, sizeof(*r));
  clock_gettime(CLOCK_MONOTONIC, &t0);
  if (mkdir(o->out_dir, 0755) != 0 && errno != EEXIST) {
    snprintf(err, errlen, "%s: cannot create the output directory", o->out_dir);
    return -1;
  }
  /* Temporaries of an earlier report that was killed (docs/files.md). */
  if (file_tmp_sweep_dir(o->out_dir, err, errlen) < 0) return -1;
  if (list_files(o->attacks_dir, r, err, errlen) != 0) return -1;
  if (o->progress) fprintf(o->progress, "%u attack files x %d profiles:\n", r->nfiles, EFC_PROFILE_COUNT);
  run_attacks(o, r);
  for (unsigned f = 0; f < r->nfiles; f++)
    for (int p = 0; p < EFC_PROFILE_COUNT; p++)
      if (!r->ran[f][p]) {
        snprintf(err, errlen, "%s", r->errors[f][p]);
        return -1;
      }
  if (o->progress) fprintf(o->progress, "timing model: %s\n", o->timing_file);
  if (run_timing(o, r, err, errlen) != 0) return -1;
  clock_gettime(CLOCK_MONOTONIC, &t1);
  r->wall_s = (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) * 1e-9;
  if (o->plots && write_plots(o, r, err, errlen) != 0) return -1;
  if (write_md(o, r, err, errlen) != 0 || write_html(o, r, err, errlen) != 0) return -1;
  return 0;
}
