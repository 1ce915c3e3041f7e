/* io_udp_addr_parse and io_udp_peer_parse: a port is decimal and at most 65535 (getaddrinfo
 * alone took "99999" as 34463), and port 0 is for listening only. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "io/udp.h"

static void expect(int peer, const char *text, int rv, const char *shown, const char *msg) {
  io_udp_addr a;
  char err[200] = "", out[300];
  int got = peer ? io_udp_peer_parse(&a, text, err, sizeof(err)) : io_udp_addr_parse(&a, text, err, sizeof(err));
  if (got != rv) fail_msg("'%s': %d, want %d (%s)", text, got, rv, err);
  if (rv == 0) {
    io_udp_addr_format(&a, out, sizeof(out));
    if (strcmp(out, shown) != 0) fail_msg("'%s' reads as '%s', want '%s'", text, out, shown);
  } else if (strcmp(err, msg) != 0) {
    fail_msg("'%s': error '%s', want '%s'", text, err, msg);
  }
}

static void test_ports(void **state) {
  (void)state;
  expect(0, "127.0.0.1:7000", 0, "127.0.0.1:7000", NULL);
  expect(0, "127.0.0.1:65535", 0, "127.0.0.1:65535", NULL);
  expect(0, "127.0.0.1:0", 0, "127.0.0.1:0", NULL);
  expect(0, "[::1]:07000", 0, "[::1]:7000", NULL);
  expect(1, "127.0.0.1:1", 0, "127.0.0.1:1", NULL);
  expect(0, "1.2.3.4:99999", -1, NULL, "'1.2.3.4:99999': the port must be a number from 0 to 65535");
  expect(0, "1.2.3.4:65536", -1, NULL, "'1.2.3.4:65536': the port must be a number from 0 to 65535");
  expect(0, "1.2.3.4:000065535", -1, NULL, "'1.2.3.4:000065535': the port must be a number from 0 to 65535");
  expect(0, "1.2.3.4:-1", -1, NULL, "'1.2.3.4:-1': the port must be a number from 0 to 65535");
  expect(0, "1.2.3.4:0x1b58", -1, NULL, "'1.2.3.4:0x1b58': the port must be a number from 0 to 65535");
  expect(0, "1.2.3.4: 7000", -1, NULL, "'1.2.3.4: 7000': the port must be a number from 0 to 65535");
  expect(0, "1.2.3.4:7000x", -1, NULL, "'1.2.3.4:7000x': the port must be a number from 0 to 65535");
  expect(1, "1.2.3.4:0", -1, NULL, "'1.2.3.4:0': the port must be a number from 1 to 65535");
  expect(1, "1.2.3.4:70000", -1, NULL, "'1.2.3.4:70000': the port must be a number from 1 to 65535");
  expect(0, "1.2.3.4", -1, NULL, "'1.2.3.4': expected ADDR:PORT");
  expect(0, "1.2.3.4:", -1, NULL, "'1.2.3.4:': expected ADDR:PORT");
}

int main(void) {
  const struct CMUnitTest tests[] = {cmocka_unit_test(test_ports)};
  return cmocka_run_group_tests(tests, NULL, NULL);
}
