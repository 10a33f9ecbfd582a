#include "tests/vdtest_ops.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "graph/op_gemm.h"
#include "runtime/context.h"
#include "runtime/half.h"
#include "runtime/shader_registry.h"
#include "tests/vdtest_golden.h"
#include "tests/vdtest_gpu.h"

static void vdt_die(vd_status st, const char *what) {
  if (!st) return;
  fprintf(stderr, "%s: %s\n", what, vd_status_message(st));
  vd_status_free(st);
  exit(1);
}

vdt_env vdt_env_create(void) {
  vdt_env env = {0};
  env.ctx = vdt_context_create();
  vdt_die(vd_kernels_create(env.ctx, &env.kernels), "kernel cache");
  vdt_die(vd_cmd_create(env.ctx, 64, &env.cmd), "command buffer");
  return env;
}

unsigned vdt_env_destroy(vdt_env *env) {
  vd_cmd_destroy(env->cmd);
  vd_kernels_destroy(env->kernels);
  return vdt_context_finish(env->ctx);
}

vd_op_env vdt_op_env(const vdt_env *env, vd_precision precision) {
  return (vd_op_env){.kernels = env->kernels, .cmd = env->cmd, .precision = precision, .label = NULL};
}

float *vdt_random(vdt_rng *rng, size_t n, double lo, double hi, vd_precision precision) {
  float *v = malloc((n ? n : 1) * sizeof(float));
  for (size_t i = 0; i < n; ++i) {
    v[i] = (float)vdt_uniform(rng, lo, hi);
    if (precision == VD_PRECISION_F16) v[i] = vd_f16_to_f32(vd_f32_to_f16(v[i]));
  }
  return v;
}

static vd_buffer *vdt_upload_bytes(const vdt_env *env, const void *data, size_t bytes) {
  vd_buffer *b = NULL;
  vdt_die(vd_buffer_create(env->ctx, VD_MEMORY_DEVICE, bytes ? bytes : 4, &b), "test buffer");
  if (bytes) vdt_die(vd_buffer_upload(env->ctx, b, 0, data, bytes), "upload");
  return b;
}

vd_buffer *vdt_upload(const vdt_env *env, vd_precision precision, const float *v, size_t n) {
  if (precision == VD_PRECISION_F32) return vdt_upload_bytes(env, v, n * 4);
  uint16_t *h = malloc((n ? n : 1) * 2);
  vd_f32_to_f16_array(v, h, n);
  vd_buffer *b = vdt_upload_bytes(env, h, n * 2);
  free(h);
  return b;
}

vd_buffer *vdt_upload_i32(const vdt_env *env, const int32_t *v, size_t n) { return vdt_upload_bytes(env, v, n * 4); }

vd_buffer *vdt_upload_golden(const vdt_env *env, const vdt_goldens *g, const char *name) {
  return vdt_upload(env, VD_PRECISION_F32, vdt_golden(g, name, NULL, NULL), vdt_golden_count(g, name));
}

vd_buffer *vdt_poisoned(const vdt_env *env, vd_precision precision, size_t n) {
  size_t bytes = n * vd_precision_bytes(precision);
  bytes = (bytes + 3) & ~(size_t)3;
  uint32_t *nan = malloc(bytes ? bytes : 4);
  uint32_t word = precision == VD_PRECISION_F16 ? 0x7e557e55u : 0x7fc0deadu;
  for (size_t i = 0; i < bytes / 4; ++i) nan[i] = word;
  vd_buffer *b = vdt_upload_bytes(env, nan, bytes);
  free(nan);
  return b;
}

float *vdt_download(const vdt_env *env, vd_precision precision, const vd_buffer *b, size_t n) {
  float *v = malloc((n ? n : 1) * sizeof(float));
  size_t bytes = n * vd_precision_bytes(precision);
  void *raw = malloc(bytes ? bytes : 4);
  vdt_die(vd_buffer_download(env->ctx, (vd_buffer *)b, 0, raw, bytes), "download");
  if (precision == VD_PRECISION_F16) vd_f16_to_f32_array(raw, v, n);
  else memcpy(v, raw, bytes);
  free(raw);
  return v;
}

const char *vdt_gemm_variant_name(vd_gemm_variant variant) {
  return variant == VD_GEMM_VARIANT_COOPMAT ? "coopmat" : variant == VD_GEMM_VARIANT_COOPMAT_EMULATED ? "coopmat-emulated"
                                                                                                    : "portable";
}

bool vdt_coopmat_or_skip(const vdt_env *env, vd_precision precision, const char *shader) {
  vd_op_env op = vdt_op_env(env, precision);
  if (vd_gemm_coopmat_available(&op, shader)) return true;
  const vd_policy *pol = &env->ctx->policy;
  const char *why = !vd_shader_find(shader, precision)          ? "not in this build (glslc without KHR coopmat)"
                    : !strstr(shader, "_cmemu") && !(pol->coopmat && pol->coopmat_m) ? "the device has no cooperative matrices"
                    : !pol->fp16_arith                          ? "the device has no fp16 arithmetic"
                                                                : "the device reports no subgroup size";
  vdt_skip("%s (%s) on %s: %s", shader, vd_precision_name(precision), vd_context_device_name(env->ctx), why);
  return false;
}

void vdt_begin(const vdt_env *env) { vdt_die(vd_cmd_begin(env->cmd), "begin recording"); }

void vdt_submit(const vdt_env *env) {
  vdt_die(vd_cmd_end(env->cmd), "end recording");
  vdt_die(vd_cmd_run(env->cmd), "run");
}
