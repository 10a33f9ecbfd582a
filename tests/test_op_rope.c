// Rotary position embedding against the double-precision CPU reference: Qwen2's query and key heads
// (theta 1e6, D 64), other head dims and thetas, positions with KV-cache offsets up to 30,000, out of place
// and in place on a fused QKV tensor (only the q and k slices change), both precisions, invalid shapes.
#include <stdlib.h>

#include "graph/op_rope.h"
#include "runtime/context.h"
#include "tests/ref/ref_attention.h"
#include "tests/vdtest_golden.h"
#include "tests/vdtest_ops.h"

#define GOLDENS VLMD_SOURCE_DIR "/tests/data/goldens/norm_attn.safetensors"

// Compares a downloaded fp32 result with a golden tensor (PyTorch fp32: max rel bound 1e-4).
static void golden_compare(const vdt_goldens *g, const char *name, const float *got, size_t n) {
  CHECK_GOLDEN(vdt_op_bounds(VD_PRECISION_F32, 1e-4), g, name, got, n, NULL);
}


typedef struct rope_case {
  uint32_t b, l, h, d, offset;
  double theta;
} rope_case;

static vd_buffer *rope_table(const vdt_env *env, double theta, uint32_t d, uint32_t positions) {
  float *t = malloc(vd_rope_table_bytes(positions, d));
  vd_rope_table_fill(theta, d, positions, t);
  vd_buffer *b = vdt_upload(env, VD_PRECISION_F32, t, vd_rope_table_bytes(positions, d) / 4);
  free(t);
  return b;
}

static void out_of_place(const vdt_env *env, vd_precision prec, vdt_rng *rng, const rope_case *c) {
  size_t n = (size_t)c->b * c->l * c->h * c->d;
  float *x = vdt_random(rng, n, -2, 2, prec);
  double *want = malloc(n * sizeof(double));
  ref_rope(x, c->b, c->l, c->h, c->d, (size_t)c->h * c->d, 0, c->offset, c->theta, want);
  uint32_t positions = c->offset + c->l + 5;
  vd_buffer *bx = vdt_upload(env, prec, x, n), *by = vdt_poisoned(env, prec, n);
  vd_buffer *bt = rope_table(env, c->theta, c->d, positions);
  vd_rope_params p = {.batch = c->b, .seq_len = c->l, .heads = c->h, .head_dim = c->d, .offset = c->offset,
                      .table_positions = positions};
  vd_op_env oe = vdt_op_env(env, prec);
  vdt_begin(env);
  CHECK_OK(vd_op_rope(&oe, &p, (vd_view){bx, 0}, (vd_view){bt, 0}, (vd_view){by, 0}));
  vdt_submit(env);
  float *got = vdt_download(env, prec, by, n);
  CHECK_CLOSE(vdt_op_bounds(prec, vdt_tol(prec, 0)), got, want, n, "rope %s B=%u L=%u H=%u D=%u offset=%u theta=%g",
              vd_precision_name(prec), c->b, c->l, c->h, c->d, c->offset, c->theta);
  free(x), free(want), free(got);
  vd_buffer_destroy(env->ctx, bx), vd_buffer_destroy(env->ctx, by), vd_buffer_destroy(env->ctx, bt);
}

// Qwen2 layout: one [B, L, (14 + 2 + 2) * 64] tensor; RoPE in place on q (14 heads) and k (2 heads), which
// are adjacent columns, so one call with 16 heads covers both.
static void in_place_fused(const vdt_env *env, vd_precision prec, vdt_rng *rng) {
  const uint32_t b = 2, l = 9, hq = 14, hk = 2, d = 64, offset = 100, row = (hq + 2 * hk) * d;
  size_t n = (size_t)b * l * row;
  float *x = vdt_random(rng, n, -2, 2, prec);
  double *want = malloc(n * sizeof(double)), *part = malloc(n * sizeof(double));
  for (size_t i = 0; i < n; ++i) want[i] = x[i];
  ref_rope(x, b, l, hq, d, row, 0, offset, 1e6, part);
  for (size_t t = 0; t < (size_t)b * l; ++t)
    for (size_t e = 0; e < hq * d; ++e) want[t * row + e] = part[t * hq * d + e];
  ref_rope(x, b, l, hk, d, row, hq * d, offset, 1e6, part);
  for (size_t t = 0; t < (size_t)b * l; ++t)
    for (size_t e = 0; e < hk * d; ++e) want[t * row + hq * d + e] = part[t * hk * d + e];
  uint32_t positions = 128;
  vd_buffer *bx = vdt_upload(env, prec, x, n), *bt = rope_table(env, 1e6, d, positions);
  vd_rope_params pq = {.batch = b, .seq_len = l, .heads = hq, .head_dim = d, .offset = offset,
                       .table_positions = positions, .x_stride = row, .y_stride = row};
  pq.heads = hq + hk;
  vd_op_env oe = vdt_op_env(env, prec);
  vdt_begin(env);
  CHECK_OK(vd_op_rope(&oe, &pq, (vd_view){bx, 0}, (vd_view){bt, 0}, (vd_view){bx, 0}));
  vdt_submit(env);
  float *got = vdt_download(env, prec, bx, n);
  CHECK_CLOSE(vdt_op_bounds(prec, vdt_tol(prec, 0)), got, want, n, "rope in place on fused QKV %s",
              vd_precision_name(prec));
  free(x), free(want), free(part), free(got);
  vd_buffer_destroy(env->ctx, bx), vd_buffer_destroy(env->ctx, bt);
}

static void test_rejects(const vdt_env *env) {
  vd_buffer *b = vdt_poisoned(env, VD_PRECISION_F32, 4096);
  vd_view w = {b, 0};
  vd_op_env oe = vdt_op_env(env, VD_PRECISION_F32);
  vdt_begin(env);
  vd_rope_params p = {.batch = 1, .seq_len = 4, .heads = 2, .head_dim = 7, .table_positions = 8};
  CHECK_ERR(vd_op_rope(&oe, &p, w, w, w), VD_ERR_INVALID_ARGUMENT);  // odd head dim
  p.head_dim = 8, p.offset = 5;
  CHECK_ERR(vd_op_rope(&oe, &p, w, w, w), VD_ERR_INVALID_ARGUMENT);  // positions beyond the table
  vdt_submit(env);
  vd_buffer_destroy(env->ctx, b);
}

static void test_goldens(const vdt_env *env) {
  vdt_goldens *g = vdt_goldens_load(GOLDENS);
  size_t n = vdt_golden_count(g, "rope_x");
  vd_buffer *x = vdt_upload_golden(env, g, "rope_x"), *y = vdt_poisoned(env, VD_PRECISION_F32, n);
  vd_buffer *t = rope_table(env, 1e6, 64, 16);
  vd_rope_params p = {.batch = 1, .seq_len = 4, .heads = 2, .head_dim = 64, .offset = 5, .table_positions = 16};
  vd_op_env oe = vdt_op_env(env, VD_PRECISION_F32);
  vdt_begin(env);
  CHECK_OK(vd_op_rope(&oe, &p, vd_view_of(x), vd_view_of(t), vd_view_of(y)));
  vdt_submit(env);
  float *got = vdt_download(env, VD_PRECISION_F32, y, n);
  golden_compare(g, "rope_y", got, n);
  free(got);
  vd_buffer_destroy(env->ctx, x), vd_buffer_destroy(env->ctx, y), vd_buffer_destroy(env->ctx, t);
  vdt_goldens_free(g);
}

int main(void) {
  static const rope_case cases[] = {
      {1, 7, 14, 64, 0, 1e6},     {1, 7, 2, 64, 0, 1e6},  {1, 1, 14, 64, 300, 1e6}, {2, 33, 3, 128, 5, 1e4},
      {1, 3, 1, 2, 30000, 1e6},   {3, 1, 1, 80, 7, 1e4},  {1, 77, 2, 64, 30000, 1e6},
  };
  vdt_env env = vdt_env_create();
  test_rejects(&env);
  test_goldens(&env);
  for (int pr = 0; pr < 2; ++pr) {
    vd_precision prec = (vd_precision)pr;
    if (!vdt_has_precision(env.ctx, prec, "rope sweep")) continue;
    vdt_rng rng = {0x40e3ull + pr};
    for (size_t i = 0; i < sizeof(cases) / sizeof(*cases); ++i) out_of_place(&env, prec, &rng, &cases[i]);
    in_place_fused(&env, prec, &rng);
  }
  CHECK(vdt_env_destroy(&env) == 0);
  return vdt_finish("test_op_rope");
}
