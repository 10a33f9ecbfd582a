// GPU test helpers: a context on the test device with validation on, and a final check that the
// validation layer stayed silent.
#ifndef VD_TESTS_VDTEST_GPU_H
#define VD_TESTS_VDTEST_GPU_H

#include <stdbool.h>

#include "vlmdiff.h"

// Creates a context with validation and synchronization validation (unless VLMD_TEST_VALIDATION=0).
// Exits the test with a message on failure.
vd_context *vdt_context_create(void);
// Destroys the context and returns how many validation messages it saw (tests CHECK that it is 0).
unsigned vdt_context_finish(vd_context *ctx);
// Whether the device runs `precision` (fp32 always; fp16 needs fp16 storage). If not, records a skip of
// `what` with the reason (vdt_skip), so the test reports skipped instead of passing what it never ran.
bool vdt_has_precision(const vd_context *ctx, vd_precision precision, const char *what);

#endif
