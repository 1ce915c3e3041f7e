/* Without OpenSSL's legacy provider module, dsrc_crypto_new must fail with an error that
 * names the missing module, not crash or half-work. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "dsrc/crypto.h"

static void test_legacy_missing(void **state) {
  dsrc_crypto *c = (dsrc_crypto *)1;
  char err[256] = "";
  (void)state;
  /* OpenSSL reads the module directory when a library context loads a provider. */
  assert_int_equal(setenv("OPENSSL_MODULES", "/nonexistent-efcsim-modules", 1), 0);
  assert_int_equal(dsrc_crypto_new(&c, err, sizeof(err)), DSRC_CRYPTO_ERR_LEGACY);
  assert_null(c);
  assert_non_null(strstr(err, "legacy provider"));
  assert_non_null(strstr(err, "legacy.so"));
  assert_non_null(strstr(err, "libssl3"));
  assert_null(strchr(err, '\n'));
  unsetenv("OPENSSL_MODULES");
  assert_int_equal(dsrc_crypto_new(&c, err, sizeof(err)), 0);
  dsrc_crypto_free(c);
}

int main(void) {
  const struct CMUnitTest tests[] = {cmocka_unit_test(test_legacy_missing)};
  return cmocka_run_group_tests(tests, NULL, NULL);
}
