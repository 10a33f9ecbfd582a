#include "tests/vdtest_gpu.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

vd_context *vdt_context_create(void) {
  const char *v = getenv("VLMD_TEST_VALIDATION");
  vd_context_options opts = {.validation = !(v && strcmp(v, "0") == 0)};
  vd_context *ctx = NULL;
  vd_status st = vd_context_create(&opts, &ctx);
  if (st) {
    fprintf(stderr, "cannot create a Vulkan context for the test: %s\n", vd_status_message(st));
    vd_status_free(st);
    exit(1);
  }
  return ctx;
}

// Returns the number of validation messages (each is also a failure in the caller's count).
int vdt_context_finish_count(vd_context *ctx);
int vdt_context_finish_count(vd_context *ctx) {
  uint32_t n = vd_context_validation_messages(ctx);
  vd_context_destroy(ctx);
  if (n) fprintf(stderr, "validation layer reported %u message(s): failing\n", n);
  return (int)n;
}

void vdt_context_finish(vd_context *ctx) {
  // The counting lives in vdtest.h (static per test); tests call VDT_FINISH_CONTEXT instead.
  (void)vdt_context_finish_count(ctx);
}
