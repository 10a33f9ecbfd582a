// GPU test helpers: a context on the test device with validation on, and a final check that the
// validation layer stayed silent.
#ifndef VD_TESTS_VDTEST_GPU_H
#define VD_TESTS_VDTEST_GPU_H

#include "vlmdiff.h"

// Creates a context with validation and synchronization validation (VLMD_TEST_VALIDATION=1, set by
// ctest) and no pipeline-cache writes outside the build tree. Exits the test on failure.
vd_context *vdt_context_create(void);
// Records a failed check for every validation message the context saw, then destroys it.
void vdt_context_finish(vd_context *ctx);

#endif
