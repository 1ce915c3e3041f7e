/* efc-dsrc: the codec on the command line. decode prints JER, encode reads it. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dsrc/hex.h"
#include "dsrc/jer.h"
#include "io/cli.h"

#define PROG "efc-dsrc"

static void usage(FILE *out) {
  fprintf(out,
          "usage: efc-dsrc decode [--frame] [--pretty] HEX|-\n"
          "       efc-dsrc encode [--frame] < JSON\n"
          "       efc-dsrc --help | --version\n"
          "\n"
          "decode   print the T-APDU in HEX (unaligned PER, no fragmentation header) as its\n"
          "         JER value; with --frame, HEX is a whole L2 frame (flags included) and the\n"
          "         output holds the L2 fields, the FCS verdict and each PDU's JER value.\n"
          "         HEX '-' decodes every line of stdin (one JSON line each); a vector line\n"
          "         'name | hex | meaning' gives its hex, '#' lines are skipped.\n"
          "encode   read that JSON on stdin and print the encoding as uppercase hex.\n"
          "\n"
          "exit status: 0 success, 1 bad input (one-line error on stderr), 2 bad usage.\n");
}

static char *read_all(FILE *in) {
  size_t cap = 4096, len = 0;
  char *buf = malloc(cap);
  if (!buf) return NULL;
  for (;;) {
    size_t n = fread(buf + len, 1, cap - len - 1, in);
    len += n;
    if (n == 0) break;
    if (len + 1 == cap) {
      char *nb = realloc(buf, cap * 2);
      if (!nb) {
        free(buf);
        return NULL;
      }
      buf = nb;
      cap *= 2;
    }
  }
  buf[len] = '\0';
  return buf;
}

static int print_json(json_t *j, int pretty) {
  char *s = json_dumps(j, pretty ? JSON_INDENT(2) : JSON_COMPACT);
  if (!s) return IO_CLI_EXIT_FAILURE;
  puts(s);
  free(s);
  return 0;
}

/* Decodes one hex text; where names the input in error messages. */
static int decode_one(const char *hex, const char *where, int frame, int pretty) {
  uint8_t buf[4096];
  size_t errpos = 0, bit = 0;
  dsrc_ssize n = dsrc_hex_decode(buf, sizeof(buf), hex, &errpos);
  int rv = 0;

  if (n < 0) {
    if (n == DSRC_ERR_HEX)
      fprintf(stderr, "efc-dsrc: %s: non-hex character '%c' at position %zu\n", where, hex[errpos],
              errpos);
    else
      fprintf(stderr, "efc-dsrc: %s: %s (character %zu)\n", where, dsrc_strerror((int)n), errpos);
    return IO_CLI_EXIT_FAILURE;
  }
  if (n == 0) {
    fprintf(stderr, "efc-dsrc: %s: no octets\n", where);
    return IO_CLI_EXIT_FAILURE;
  }

  if (frame) {
    char msg[256];
    int err;
    json_t *o = dsrc_frame_to_json(buf, (size_t)n, &err, msg, sizeof(msg));
    if (o) {
      print_json(o, pretty);
      json_decref(o);
    }
    if (err != 0) {
      fprintf(stderr, "efc-dsrc: %s: %s\n", where, msg);
      return IO_CLI_EXIT_FAILURE;
    }
    return 0;
  }

  {
    dsrc_tapdu t;
    json_t *j;
    dsrc_ssize used = dsrc_tapdu_decode(&t, buf, (size_t)n, &bit);
    if (used < 0) {
      fprintf(stderr, "efc-dsrc: %s: decode error at octet %zu bit %zu (bit offset %zu): %s\n",
              where, bit / 8, bit % 8, bit, dsrc_strerror((int)used));
      return IO_CLI_EXIT_FAILURE;
    }
    if (used != n) {
      fprintf(stderr, "efc-dsrc: %s: decode error at octet %zd: %s (%zd of %zd octets used)\n",
              where, used, dsrc_strerror(DSRC_ERR_TRAILING), used, n);
      return IO_CLI_EXIT_FAILURE;
    }
    j = dsrc_tapdu_to_jer(&t, NULL);
    rv = print_json(j, pretty);
    json_decref(j);
  }
  return rv;
}

/* '-': every line of stdin is one input; a "name | hex | meaning" vector line gives its hex,
 * '#' lines and blank lines are skipped. The status is the worst of the lines. */
static int cmd_decode(const char *arg, int frame, int pretty) {
  char *text, *line, *next;
  unsigned lineno = 0;
  int worst = 0;
  if (strcmp(arg, "-") != 0) return decode_one(arg, "input", frame, pretty);
  text = read_all(stdin);
  if (!text) {
    fprintf(stderr, "efc-dsrc: stdin: cannot read\n");
    return IO_CLI_EXIT_FAILURE;
  }
  for (line = text; line && *line; line = next) {
    char where[32], *hex = line, *bar;
    next = strchr(line, '\n');
    if (next) *next++ = '\0';
    lineno++;
    if (line[0] == '#' || strspn(line, " \t\r") == strlen(line)) continue;
    if ((bar = strchr(line, '|')) != NULL) {
      hex = bar + 1;
      if ((bar = strchr(hex, '|')) != NULL) *bar = '\0';
    }
    snprintf(where, sizeof(where), "stdin line %u", lineno);
    {
      int rv = decode_one(hex, where, frame, pretty);
      if (rv > worst) worst = rv;
    }
  }
  free(text);
  return worst;
}

static int cmd_encode(int frame) {
  json_error_t jerr;
  json_t *j = json_loadf(stdin, 0, &jerr);
  uint8_t buf[4096];
  char hex[2 * sizeof(buf) + 1];
  char msg[256];
  dsrc_ssize n;

  if (!j) {
    fprintf(stderr, "efc-dsrc: stdin: line %d column %d: %s\n", jerr.line, jerr.column, jerr.text);
    return IO_CLI_EXIT_FAILURE;
  }
  if (frame) {
    n = dsrc_frame_from_json(buf, sizeof(buf), j, msg, sizeof(msg));
    if (n < 0) fprintf(stderr, "efc-dsrc: %s\n", msg);
  } else {
    dsrc_tapdu t;
    int rv = dsrc_tapdu_from_jer(&t, j, msg, sizeof(msg));
    if (rv != 0) {
      fprintf(stderr, "efc-dsrc: %s\n", msg);
      n = rv;
    } else {
      n = dsrc_tapdu_encode(buf, sizeof(buf), &t);
      if (n < 0) fprintf(stderr, "efc-dsrc: encode: %s\n", dsrc_strerror((int)n));
    }
  }
  json_decref(j);
  if (n < 0) return IO_CLI_EXIT_FAILURE;
  dsrc_hex_encode(hex, buf, (size_t)n, 1);
  puts(hex);
  return 0;
}

static int run(int argc, char **argv) {
  static const struct option opts[] = {{"frame", no_argument, NULL, 'f'},
                                       {"pretty", no_argument, NULL, 'p'},
                                       {"help", no_argument, NULL, 'h'},
                                       {NULL, 0, NULL, 0}};
  int frame = 0, pretty = 0, c;
  const char *cmd;
  char err[256];

  if ((c = io_cli_main_opt(argc, argv, PROG, usage)) >= 0) return c;
  if (argc < 2) {
    usage(stderr);
    return IO_CLI_EXIT_USAGE;
  }
  cmd = argv[1];
  optind = 2;
  while ((c = io_cli_getopt(argc, argv, opts, err, sizeof(err))) != -1) {
    switch (c) {
    case 'f':
      frame = 1;
      break;
    case 'p':
      pretty = 1;
      break;
    default:
      return io_cli_getopt_default(c, PROG, err, usage);
    }
  }
  if (strcmp(cmd, "decode") == 0) {
    if (optind != argc - 1) return io_cli_usage(PROG, NULL, "decode needs exactly one HEX argument (or -)");
    return cmd_decode(argv[optind], frame, pretty);
  }
  if (strcmp(cmd, "encode") == 0) {
    if (optind != argc) return io_cli_usage(PROG, NULL, "encode takes no arguments; it reads JSON on stdin");
    return cmd_encode(frame);
  }
  return io_cli_usage(PROG, PROG, "unknown command '%s'", cmd);
}

/* stdout checked last: a result that did not reach its file is a failed run. */
int main(int argc, char **argv) { return io_cli_stdout_close(PROG, run(argc, argv)); }
