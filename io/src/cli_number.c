/* Number options. strtoull alone would take " -1" as 2^64 - 1 and "0x10" as 0 with a
 * trailing "x10"; these accept what the --help texts promise and nothing else. */
#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>

#include "io/cli.h"

/* "expected 1..127", or the open-ended forms when hi is the type's largest value. */
static void range_text(char *out, size_t cap, uint64_t lo, uint64_t hi, uint64_t type_max) {
  if (hi < type_max)
    snprintf(out, cap, "expected %" PRIu64 "..%" PRIu64, lo, hi);
  else if (lo == 0)
    snprintf(out, cap, "expected a non-negative integer");
  else if (lo == 1)
    snprintf(out, cap, "expected a positive integer");
  else
    snprintf(out, cap, "expected an integer from %" PRIu64, lo);
}

static int number_parse(uint64_t *out, const char *opt, const char *s, uint64_t lo, uint64_t hi,
                        uint64_t type_max, char *err, size_t errlen) {
  char range[80], *end;
  unsigned long long v;
  errno = 0;
  if (s[0] >= '0' && s[0] <= '9') {
    v = strtoull(s, &end, 10);
    if (*end == '\0' && errno == 0 && v >= lo && v <= hi) {
      *out = v;
      return 0;
    }
  }
  range_text(range, sizeof(range), lo, hi, type_max);
  snprintf(err, errlen, "%s: %s, got '%s'", opt, range, s);
  return -1;
}

int io_cli_u64_parse(uint64_t *out, const char *opt, const char *s, uint64_t lo, uint64_t hi,
                     char *err, size_t errlen) {
  return number_parse(out, opt, s, lo, hi, UINT64_MAX, err, errlen);
}

int io_cli_u32_parse(uint32_t *out, const char *opt, const char *s, uint32_t lo, uint32_t hi,
                     char *err, size_t errlen) {
  uint64_t v;
  if (number_parse(&v, opt, s, lo, hi, UINT32_MAX, err, errlen) != 0) return -1;
  *out = (uint32_t)v;
  return 0;
}

int io_cli_double_parse(double *out, const char *opt, const char *s, double lo, double hi,
                        unsigned flags, char *err, size_t errlen) {
  char *end;
  double v;
  /* strtod skips leading blanks and reads "nan" and "inf"; neither is a value here. An
   * overflow reads as infinity; an underflow as the nearest value, which is taken. */
  if ((s[0] >= '0' && s[0] <= '9') || s[0] == '.' || s[0] == '-' || s[0] == '+') {
    v = strtod(s, &end);
    if (end != s && *end == '\0' && isfinite(v) &&
        ((flags & IO_CLI_ABOVE_LO) ? v > lo : v >= lo) &&
        ((flags & IO_CLI_BELOW_HI) ? v < hi : v <= hi)) {
      *out = v;
      return 0;
    }
  }
  snprintf(err, errlen, "%s: expected a number in %c%.15g, %.15g%c, got '%s'", opt,
           (flags & IO_CLI_ABOVE_LO) ? '(' : '[', lo, hi, (flags & IO_CLI_BELOW_HI) ? ')' : ']', s);
  return -1;
}
