// Reads the golden files written by tools/reference/goldens_io.py (safetensors, F32 tensors only).
// Test-only and deliberately small; the engine's hardened reader lives in models/.
#ifndef VD_TESTS_VDTEST_GOLDEN_H
#define VD_TESTS_VDTEST_GOLDEN_H

#include <stddef.h>
#include <stdint.h>

#include "tests/vdtest_close.h"

typedef struct vdt_goldens vdt_goldens;

// Loads a whole golden file; exits the test with a message if it is missing or malformed.
vdt_goldens *vdt_goldens_load(const char *path);
void vdt_goldens_free(vdt_goldens *g);
// The tensor's values and shape (rank written to *out_rank, dims to out_shape[0..7]); exits if absent.
const float *vdt_golden(const vdt_goldens *g, const char *name, int *out_rank, int64_t out_shape[8]);
// Number of elements of a tensor.
size_t vdt_golden_count(const vdt_goldens *g, const char *name);
// Checks got (n elements) against tensor `name` within bounds b (tests/vdtest_close.h); a count mismatch
// fails. `what` names the comparison (NULL: the tensor's name). Returns whether it held.
bool vdt_golden_check(const char *file, int line, const vdt_goldens *g, const char *name, const float *got, size_t n,
                      vdt_bounds b, const char *what);
#define CHECK_GOLDEN(bounds, g, name, got, n, what) \
  vdt_golden_check(__FILE__, __LINE__, (g), (name), (got), (n), (bounds), (what))

#endif
