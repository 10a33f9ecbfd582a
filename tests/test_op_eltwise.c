// Activations (SiLU, GELU erf/tanh, quick-GELU, ReLU), GEGLU/SwiGLU gates, broadcasting add/mul and
// scale-and-add (push-constant and device-buffer scalars) against double-precision CPU references,
// in fp32 and fp16 storage, over real-network and odd shapes, outputs poisoned.
#include <math.h>
#include <stdint.h>

#include "graph/op_eltwise.h"
#include "tests/ref/ref_eltwise.h"
#include "tests/vdtest.h"
#include "tests/vdtest_ops.h"

static void check_result(const vdt_env *env, vd_precision prec, const vd_buffer *yb, const double *want, size_t n,
                         const char *what) {
  float *got = vdt_download(env, prec, yb, n);
  CHECK_CLOSE(vdt_op_bounds(prec, vdt_tol(prec, 0)), got, want, n, "%s %s", what, vd_precision_name(prec));
  free(got);
}

static void test_activations(const vdt_env *env, vd_precision prec, vdt_rng *rng) {
  static const uint32_t sizes[] = {1, 7, 33, 1025, 77 * 768, 4 * 320 * 32 * 8 + 3};
  vd_op_env oe = vdt_op_env(env, prec);
  for (size_t s = 0; s < sizeof sizes / sizeof *sizes; ++s)
    for (int k = 0; k < VD_ACT_COUNT; ++k) {
      uint32_t n = sizes[s];
      float *x = vdt_random(rng, n, -9.0, 9.0, prec);
      double *want = malloc(n * sizeof(double));
      ref_activation_array(k, x, want, n);
      vd_buffer *xb = vdt_upload(env, prec, x, n), *yb = vdt_poisoned(env, prec, n);
      vdt_begin(env);
      CHECK_OK(vd_op_activation(&oe, (vd_activation)k, n, vd_view_of(xb), vd_view_of(yb)));
      vdt_submit(env);
      char what[96];
      snprintf(what, sizeof what, "activation %s n=%u", vd_activation_name((vd_activation)k), n);
      check_result(env, prec, yb, want, n, what);
      vd_buffer_destroy(env->ctx, xb), vd_buffer_destroy(env->ctx, yb);
      free(x), free(want);
    }
}

// The erf inside GELU, recovered from y = 0.5 x (1 + erf(x/sqrt2)), against libm's erf over a wide range.
static void test_erf_accuracy(const vdt_env *env) {
  const uint32_t n = 200001;
  float *x = malloc(n * sizeof(float));
  for (uint32_t i = 0; i < n; ++i) x[i] = (float)(-12.0 + 24.0 * i / (n - 1));
  vd_op_env oe = vdt_op_env(env, VD_PRECISION_F32);
  vd_buffer *xb = vdt_upload(env, VD_PRECISION_F32, x, n), *yb = vdt_poisoned(env, VD_PRECISION_F32, n);
  vdt_begin(env);
  CHECK_OK(vd_op_activation(&oe, VD_ACT_GELU_ERF, n, vd_view_of(xb), vd_view_of(yb)));
  vdt_submit(env);
  float *y = vdt_download(env, VD_PRECISION_F32, yb, n);
  double worst = 0, worst_rel = 0, at = 0;
  for (uint32_t i = 0; i < n; ++i) {
    if (fabs(x[i]) < 0.05) continue;  // erf recovered from y loses digits near 0
    double e = 2.0 * y[i] / x[i] - 1.0, ref = erf(x[i] / sqrt(2.0));
    double ae = fabs(e - ref);
    if (!(ae <= worst)) worst = ae, at = x[i];
    double want = 0.5 * x[i] * (1.0 + ref);
    worst_rel = fmax(worst_rel, fabs(y[i] - want) / fmax(fabs(want), 1e-30) * (fabs(want) > 1e-3));
  }
  CHECK_MSG(worst <= 5e-7, "erf via GELU: abs err %g at x=%g", worst, at);
  CHECK_MSG(worst_rel <= 2e-6, "GELU erf: elementwise rel err %g (|y| > 1e-3)", worst_rel);
  printf("erf via GELU over [-12, 12]: max abs err %.3g, GELU elementwise rel err %.3g\n", worst, worst_rel);
  vd_buffer_destroy(env->ctx, xb), vd_buffer_destroy(env->ctx, yb);
  free(x), free(y);
}

static void test_gates(const vdt_env *env, vd_precision prec, vdt_rng *rng) {
  static const uint32_t shapes[][2] = {{1, 1}, {7, 33}, {64, 1280}, {3, 4864}, {77, 1025}, {2048, 1280}};
  vd_op_env oe = vdt_op_env(env, prec);
  for (size_t s = 0; s < sizeof shapes / sizeof *shapes; ++s)
    for (int k = 0; k < VD_GATE_COUNT; ++k)
      for (int mode = 0; mode < 3; ++mode) {  // 0 fused gate second, 1 fused gate first, 2 separate
        uint32_t rows = shapes[s][0], f = shapes[s][1];
        size_t n = (size_t)rows * f;
        vd_gate_params p = {(vd_gate)k, rows, f, mode == 1};
        float *x = vdt_random(rng, 2 * n, -5.0, 5.0, prec);
        double *want = malloc(n * sizeof(double));
        vd_buffer *xb = vdt_upload(env, prec, x, 2 * n), *yb = vdt_poisoned(env, prec, n), *gb = NULL;
        vdt_begin(env);
        if (mode < 2) {
          ref_gate(k, rows, f, x + (mode == 1 ? f : 0), 2 * f, x + (mode == 1 ? 0 : f), 2 * f, want);
          CHECK_OK(vd_op_gate_fused(&oe, &p, vd_view_of(xb), vd_view_of(yb)));
        } else {
          gb = vdt_upload(env, prec, x + n, n);
          ref_gate(k, rows, f, x, f, x + n, f, want);
          CHECK_OK(vd_op_gate(&oe, &p, vd_view_of(xb), vd_view_of(gb), vd_view_of(yb)));
        }
        vdt_submit(env);
        char what[96];
        snprintf(what, sizeof what, "gate %s mode %d %ux%u", vd_gate_name((vd_gate)k), mode, rows, f);
        check_result(env, prec, yb, want, n, what);
        vd_buffer_destroy(env->ctx, xb), vd_buffer_destroy(env->ctx, yb), vd_buffer_destroy(env->ctx, gb);
        free(x), free(want);
      }
}

typedef struct binary_case {
  uint32_t a_rank, a[4], b_rank, b[4];
} binary_case;

static void test_binary(const vdt_env *env, vd_precision prec, vdt_rng *rng) {
  static const binary_case cases[] = {
      {4, {2, 320, 32, 32}, 4, {2, 320, 1, 1}},  // time-embedding add (full size)
      {3, {2, 1024, 320}, 1, {320}},             // bias over tokens
      {4, {1, 7, 33, 3}, 4, {1, 1, 33, 1}},
      {3, {3, 1, 5}, 3, {1, 4, 1}},              // both broadcast
      {1, {1025}, 1, {1025}},
      {1, {1}, 4, {2, 3, 5, 7}},                 // scalar against a tensor
      {2, {77, 768}, 2, {77, 768}},
  };
  vd_op_env oe = vdt_op_env(env, prec);
  for (size_t c = 0; c < sizeof cases / sizeof *cases; ++c)
    for (int op = 0; op < 2; ++op) {
      const binary_case *bc = &cases[c];
      vd_binary_params p = {(vd_binary_op)op, bc->a_rank, bc->b_rank, {0}, {0}};
      for (uint32_t i = 0; i < 4; ++i) p.a_shape[i] = bc->a[i], p.b_shape[i] = bc->b[i];
      uint32_t out[4], a4[4] = {1, 1, 1, 1}, b4[4] = {1, 1, 1, 1};
      uint64_t n = 0;
      CHECK_OK(vd_binary_out_shape(&p, out, &n));
      size_t na = 1, nb = 1;
      for (uint32_t i = 0; i < bc->a_rank; ++i) a4[4 - bc->a_rank + i] = bc->a[i], na *= bc->a[i];
      for (uint32_t i = 0; i < bc->b_rank; ++i) b4[4 - bc->b_rank + i] = bc->b[i], nb *= bc->b[i];
      float *a = vdt_random(rng, na, -2.0, 2.0, prec), *b = vdt_random(rng, nb, -2.0, 2.0, prec);
      double *want = malloc(n * sizeof(double));
      ref_binary(op, a4, a, b4, b, want);
      vd_buffer *ab = vdt_upload(env, prec, a, na), *bb = vdt_upload(env, prec, b, nb), *yb = vdt_poisoned(env, prec, n);
      vdt_begin(env);
      CHECK_OK(vd_op_binary(&oe, &p, vd_view_of(ab), vd_view_of(bb), vd_view_of(yb)));
      vdt_submit(env);
      char what[96];
      snprintf(what, sizeof what, "binary op %d case %zu", op, c);
      check_result(env, prec, yb, want, n, what);
      vd_buffer_destroy(env->ctx, ab), vd_buffer_destroy(env->ctx, bb), vd_buffer_destroy(env->ctx, yb);
      free(a), free(b), free(want);
    }
  vd_binary_params bad = {VD_BINARY_ADD, 2, 2, {3, 4}, {3, 5}};
  uint32_t out[4];
  uint64_t n;
  CHECK_ERR(vd_binary_out_shape(&bad, out, &n), VD_ERR_INVALID_ARGUMENT);
}

static void test_scale_add(const vdt_env *env, vd_precision prec, vdt_rng *rng) {
  static const uint32_t sizes[] = {1, 33, 2 * 4 * 32 * 32, 100003};
  vd_op_env oe = vdt_op_env(env, prec);
  float coef[6] = {0.5f, 2.0f, -8.0f, 9.0f, 1.25f, -0.75f};
  vd_buffer *cb = vdt_upload(env, VD_PRECISION_F32, coef, 6);
  for (size_t s = 0; s < sizeof sizes / sizeof *sizes; ++s) {
    uint32_t n = sizes[s];
    float *a = vdt_random(rng, n, -3.0, 3.0, prec), *b = vdt_random(rng, n, -3.0, 3.0, prec);
    double *want = malloc(n * sizeof(double));
    vd_buffer *ab = vdt_upload(env, prec, a, n), *bb = vdt_upload(env, prec, b, n), *yb = vdt_poisoned(env, prec, n);
    // push-constant scalars: CFG e = e_u + 9 (e_c - e_u)
    vdt_begin(env);
    CHECK_OK(vd_op_scale_add(&oe, n, -8.0f, vd_view_of(ab), 9.0f, vd_view_of(bb), vd_view_of(yb)));
    vdt_submit(env);
    ref_scale_add(n, -8.0, a, 9.0, b, want);
    check_result(env, prec, yb, want, n, "scale_add push");
    // device scalars, recorded once and replayed after the coefficients change
    vd_buffer_destroy(env->ctx, yb);
    yb = vdt_poisoned(env, prec, n);
    vdt_begin(env);
    CHECK_OK(vd_op_scale_add_dev(&oe, n, vd_view_of(cb), 4, vd_view_of(ab), vd_view_of(bb), vd_view_of(yb)));
    vdt_submit(env);
    ref_scale_add(n, 1.25, a, -0.75, b, want);
    check_result(env, prec, yb, want, n, "scale_add dev");
    float newc[2] = {0.3f, -1.7f};
    CHECK_OK(vd_buffer_upload(env->ctx, cb, 16, newc, 8));
    CHECK_OK(vd_cmd_run(env->cmd));  // replay the same recording
    ref_scale_add(n, 0.3f, a, -1.7f, b, want);
    check_result(env, prec, yb, want, n, "scale_add dev replay");
    CHECK_OK(vd_buffer_upload(env->ctx, cb, 16, coef + 4, 8));
    // in place: y aliases a
    vdt_begin(env);
    CHECK_OK(vd_op_scale_add(&oe, n, 0.5f, vd_view_of(ab), 2.0f, vd_view_of(bb), vd_view_of(ab)));
    vdt_submit(env);
    ref_scale_add(n, 0.5, a, 2.0, b, want);
    check_result(env, prec, ab, want, n, "scale_add in place");
    vd_buffer_destroy(env->ctx, ab), vd_buffer_destroy(env->ctx, bb), vd_buffer_destroy(env->ctx, yb);
    free(a), free(b), free(want);
  }
  vd_buffer_destroy(env->ctx, cb);
}

int main(void) {
  vdt_env env = vdt_env_create();
  vdt_rng rng = {0xe17e5eedULL};
  test_erf_accuracy(&env);
  for (int p = 0; p < 2; ++p) {
    vd_precision prec = (vd_precision)p;
    if (!vdt_has_precision(env.ctx, prec, "elementwise ops")) continue;
    test_activations(&env, prec, &rng);
    test_gates(&env, prec, &rng);
    test_binary(&env, prec, &rng);
    test_scale_add(&env, prec, &rng);
  }
  vd_op_env oe = vdt_op_env(&env, VD_PRECISION_F32);
  CHECK_ERR(vd_op_activation(&oe, VD_ACT_SILU, 0, (vd_view){0}, (vd_view){0}), VD_ERR_INVALID_ARGUMENT);
  CHECK(vdt_env_destroy(&env) == 0);
  return vdt_finish("test_op_eltwise");
}
