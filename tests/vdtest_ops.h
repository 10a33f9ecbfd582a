// Helpers for op tests: random inputs rounded to the storage precision, uploads, poisoned outputs,
// downloads; results are compared with their references through tests/vdtest_close.h.
#ifndef VD_TESTS_VDTEST_OPS_H
#define VD_TESTS_VDTEST_OPS_H

#include <stddef.h>
#include <stdint.h>

#include "graph/op_gemm.h"
#include "graph/ops.h"
#include "tests/vdtest.h"
#include "tests/vdtest_close.h"
#include "tests/vdtest_gpu.h"

// One test environment: context (validation on), kernel cache, a command buffer with timestamps.
typedef struct vdt_env {
  vd_context *ctx;
  vd_kernels *kernels;
  vd_cmd *cmd;
} vdt_env;

vdt_env vdt_env_create(void);
// Returns the validation message count (CHECK it is 0).
unsigned vdt_env_destroy(vdt_env *env);
vd_op_env vdt_op_env(const vdt_env *env, vd_precision precision);

// n random values in [lo, hi), rounded to what `precision` can store (malloc'd).
float *vdt_random(vdt_rng *rng, size_t n, double lo, double hi, vd_precision precision);
// A device buffer holding v (converted to the storage precision). Exits on failure.
vd_buffer *vdt_upload(const vdt_env *env, vd_precision precision, const float *v, size_t n);
// Same for int32 data.
vd_buffer *vdt_upload_i32(const vdt_env *env, const int32_t *v, size_t n);
// A golden tensor (tests/vdtest_golden.h) uploaded as fp32.
struct vdt_goldens;
vd_buffer *vdt_upload_golden(const vdt_env *env, const struct vdt_goldens *g, const char *name);
// A device buffer of n elements filled with NaN, so unwritten outputs show.
vd_buffer *vdt_poisoned(const vdt_env *env, vd_precision precision, size_t n);
// Downloads n elements as floats (malloc'd).
float *vdt_download(const vdt_env *env, vd_precision precision, const vd_buffer *b, size_t n);
// Whether the cooperative-matrix shader (vd_gemm_coopmat_shader) can run here in `precision`; if not,
// records a skip naming what is missing: the device's cooperative matrices, fp16 arithmetic, subgroups,
// or the shader in this build (a glslc without GL_KHR_cooperative_matrix).
// "portable", "coopmat" or "coopmat-emulated" (names test cases).
const char *vdt_gemm_variant_name(vd_gemm_variant variant);
bool vdt_coopmat_or_skip(const vdt_env *env, vd_precision precision, const char *shader);
// Begin a recording; end it, submit and wait. Exit on failure.
void vdt_begin(const vdt_env *env);
void vdt_submit(const vdt_env *env);

#endif
