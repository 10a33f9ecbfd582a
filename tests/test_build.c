// Graph builders whose lowering is not exercised by the tiny-model goldens: the unfused single-head
// attention used for heads wider than the fused kernel's tiles (the VAE mid block at full size, D = 512),
// checked against the double-precision reference in both precisions; and shape errors that name the node.
#include <math.h>

#include "graph/build.h"
#include "graph/exec.h"
#include "tests/ref/ref_attention.h"
#include "tests/vdtest_ops.h"

static void test_wide_attention(const vdt_env *env, vd_precision prec, uint32_t n, uint32_t lq, uint32_t lk,
                                uint32_t d) {
  vd_graph *g = NULL;
  CHECK_OK(vd_graph_create(prec, &g));
  vd_dtype dt = vd_graph_float_dtype(g);
  int64_t qs[3] = {n, lq, d}, ks[3] = {n, lk, d};
  vd_tensor_id q = vd_graph_input(g, "q", dt, 3, qs), k = vd_graph_input(g, "k", dt, 3, ks),
               v = vd_graph_input(g, "v", dt, 3, ks);
  vd_graph_output(g, vd_b_attention(g, "attn", q, k, v, 1, false), "out");
  CHECK_OK(vd_graph_error(g));
  vdt_rng rng = {1234 + d};
  float *hq = vdt_random(&rng, (size_t)n * lq * d, -1, 1, prec), *hk = vdt_random(&rng, (size_t)n * lk * d, -1, 1, prec),
        *hv = vdt_random(&rng, (size_t)n * lk * d, -1, 1, prec), *got = malloc((size_t)n * lq * d * 4);
  double *want = malloc((size_t)n * lq * d * sizeof(double));
  ref_attention_shape rs = {.batch = n, .lq = lq, .lk = lk, .heads = 1, .kv_heads = 1, .d = d, .qs = d, .ks = d,
                            .vs = d, .scale = 1.0 / sqrt((double)d)};
  ref_attention(&rs, hq, hk, hv, want);
  vd_exec *e = NULL;
  CHECK_OK(vd_exec_create(env->ctx, env->kernels, g, NULL, NULL, NULL, &e));
  if (e) {
    CHECK_OK(vd_exec_write_f32(e, "q", hq, (uint64_t)n * lq * d));
    CHECK_OK(vd_exec_write_f32(e, "k", hk, (uint64_t)n * lk * d));
    CHECK_OK(vd_exec_write_f32(e, "v", hv, (uint64_t)n * lk * d));
    CHECK_OK(vd_exec_run(e));
    CHECK_OK(vd_exec_read_f32(e, "out", got, (uint64_t)n * lq * d));
    // fp16: the graph stores the scores and probabilities in fp16 (mixed-precision element bounds)
    vdt_bounds b = prec == VD_PRECISION_F16 ? vdt_mixed_bounds(vdt_tol(prec, 1)) : vdt_op_bounds(prec, vdt_tol(prec, 1));
    CHECK_CLOSE(b, got, want, (size_t)n * lq * d, "wide attention %ux%ux%u d=%u %s", n, lq, lk, d, vd_precision_name(prec));
  }
  vd_exec_destroy(e);
  vd_graph_destroy(g);
  free(hq), free(hk), free(hv), free(got), free(want);
}

static void test_shape_errors(void) {
  vd_graph *g = NULL;
  CHECK_OK(vd_graph_create(VD_PRECISION_F32, &g));
  int64_t s[4] = {1, 30, 8, 8};
  vd_graph_scope_push(g, "net");
  vd_tensor_id x = vd_graph_input(g, "x", VD_DTYPE_F32, 4, s);
  CHECK(vd_b_group_norm(g, "norm", x, 32, 1e-6f, false) == VD_NO_TENSOR);  // 30 channels, 32 groups
  vd_status st = vd_graph_error(g);
  CHECK(st && strstr(vd_status_message(st), "net.norm") != NULL);
  vd_status_free(st);
  vd_graph_destroy(g);
}

int main(void) {
  vdt_env env = vdt_env_create();
  for (int p = 0; p < 2; ++p) {
    vd_precision prec = (vd_precision)p;
    if (!vdt_has_precision(env.ctx, prec, "wide attention")) continue;
    test_wide_attention(&env, prec, 1, 64, 64, 512);
    test_wide_attention(&env, prec, 2, 33, 7, 320);
  }
  test_shape_errors();
  CHECK(vdt_env_destroy(&env) == 0);
  return vdt_finish("test_build");
}
