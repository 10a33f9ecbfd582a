#include "tests/vdtest_gpu.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "runtime/context.h"
#include "tests/vdtest.h"

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

unsigned vdt_context_finish(vd_context *ctx) {
  unsigned n = vd_context_validation_messages(ctx);
  vd_context_destroy(ctx);
  if (n) fprintf(stderr, "the validation layer reported %u message(s)\n", n);
  return n;
}

bool vdt_has_precision(const vd_context *ctx, vd_precision precision, const char *what) {
  if (precision != VD_PRECISION_F16 || ctx->policy.fp16_storage) return true;
  vdt_skip("%s (fp16): %s has no fp16 storage", what, vd_context_device_name(ctx));
  return false;
}
