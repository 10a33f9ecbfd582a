// Softmax over the last axis against the double-precision CPU reference: rows of length 1 to Qwen2's
// 151,936-entry vocabulary (two passes), large logits (max subtraction), both precisions, subgroup and
// shared-memory reductions.
#include <math.h>
#include <stdlib.h>

#include "graph/op_softmax.h"
#include "runtime/context.h"
#include "tests/ref/ref_norm.h"
#include "tests/vdtest_golden.h"
#include "tests/vdtest_ops.h"

#define GOLDENS VLMD_SOURCE_DIR "/tests/data/goldens/norm_attn.safetensors"

// Compares a downloaded fp32 result with a golden tensor (PyTorch fp32: max rel bound 1e-4).
static void golden_compare(const vdt_goldens *g, const char *name, const float *got, size_t n) {
  CHECK_GOLDEN(vdt_softmax_bounds(VD_PRECISION_F32, 1e-4), g, name, got, n, NULL);
}


static void test_softmax(const vdt_env *env, vd_precision prec) {
  static const struct { uint32_t rows, cols; double lo, hi; } cases[] = {
      {1, 1, -2, 2}, {3, 7, -4, 4}, {77, 77, -8, 8}, {8, 1025, -8, 8}, {5, 33, 80, 90},
      {2, 5000, -8, 8}, {1, 151936, -10, 30}, {1024, 3, -4, 4}, {2, 4096, -8, 8}, {1, 4097, -8, 8},
  };
  vdt_rng rng = {0x50f7ull + prec};
  for (size_t i = 0; i < sizeof(cases) / sizeof(*cases); ++i) {
    vd_softmax_params p = {cases[i].rows, cases[i].cols};
    size_t n = (size_t)p.rows * p.cols;
    float *x = vdt_random(&rng, n, cases[i].lo, cases[i].hi, prec);
    if (p.cols == 5000) {  // masked logits: row 0's whole first chunk (4096), a few entries of row 1
      for (size_t j = 0; j < 4096; ++j) x[j] = -INFINITY;
      for (size_t j = 5000; j < 5010; ++j) x[j] = -INFINITY;
    }
    if (p.cols == 77)  // one pass, partly masked row
      for (size_t j = 0; j < 40; ++j) x[j] = -INFINITY;
    double *want = malloc(n * sizeof(double));
    ref_softmax(x, p.rows, p.cols, want);
    vd_buffer *bx = vdt_upload(env, prec, x, n), *by = vdt_poisoned(env, prec, n), *bs = NULL;
    uint64_t sb = vd_softmax_scratch_bytes(&p);
    if (sb) bs = vdt_poisoned(env, VD_PRECISION_F32, sb / 4);
    vd_op_env oe = vdt_op_env(env, prec);
    vdt_begin(env);
    CHECK_OK(vd_op_softmax(&oe, &p, (vd_view){bx, 0}, (vd_view){by, 0}, (vd_view){bs, 0}));
    vdt_submit(env);
    float *got = vdt_download(env, prec, by, n);
    // Max rel relative to the largest probability (long rows accumulate longer sums); element by element
    // down to 1e-12 of it, so the small probabilities of a wide row are checked too.
    CHECK_CLOSE(vdt_softmax_bounds(prec, vdt_tol(prec, p.cols > 4096)), got, want, n, "softmax %s %ux%u (%s)",
                vd_precision_name(prec), p.rows, p.cols, vd_softmax_variant(&oe, &p));
    free(got), free(x), free(want);
    vd_buffer_destroy(env->ctx, bx), vd_buffer_destroy(env->ctx, by);
    if (bs) vd_buffer_destroy(env->ctx, bs);
  }
}

static void test_goldens(const vdt_env *env) {
  vdt_goldens *g = vdt_goldens_load(GOLDENS);
  vd_op_env oe = vdt_op_env(env, VD_PRECISION_F32);
  size_t n = vdt_golden_count(g, "sm_x");
  vd_buffer *x = vdt_upload_golden(env, g, "sm_x"), *y = vdt_poisoned(env, VD_PRECISION_F32, n);
  vd_softmax_params p = {4, 33};
  vdt_begin(env);
  CHECK_OK(vd_op_softmax(&oe, &p, vd_view_of(x), vd_view_of(y), (vd_view){0}));
  vdt_submit(env);
  float *got = vdt_download(env, VD_PRECISION_F32, y, n);
  golden_compare(g, "sm_y", got, n);
  free(got);
  vd_buffer_destroy(env->ctx, x), vd_buffer_destroy(env->ctx, y);
  vdt_goldens_free(g);
}

static void run_env(const char *label) {
  vdt_env env = vdt_env_create();
  test_goldens(&env);
  printf("%s: %s, subgroup reductions %s\n", label, vd_context_device_name(env.ctx),
         env.ctx->policy.subgroup_arith ? "on" : "off");
  for (int p = 0; p < 2; ++p) {
    if (!vdt_has_precision(env.ctx, (vd_precision)p, "softmax sweep")) continue;
    test_softmax(&env, (vd_precision)p);
  }
  CHECK(vdt_env_destroy(&env) == 0);
}

int main(void) {
  run_env("default policy");
  setenv("VLMD_DISABLE_SUBGROUP", "1", 1);
  run_env("VLMD_DISABLE_SUBGROUP=1");
  return vdt_finish("test_op_softmax");
}
