// Fused attention against the double-precision CPU reference: self- and cross-attention at the
// networks' head dims (40, 64, 80, 160) and others (1, 3, 256), odd lengths, causal masks with KV-cache
// offsets (prefill, chunked prefill, decode), grouped-query attention (Qwen2: 14 query heads, 2 KV
// heads), Q/K/V read out of one fused QKV tensor, both precisions, and invalid shapes.
#include <stdlib.h>

#include "graph/op_attention.h"
#include "runtime/context.h"
#include "tests/ref/ref_attention.h"
#include "tests/vdtest_golden.h"
#include "tests/vdtest_ops.h"

#define GOLDENS VLMD_SOURCE_DIR "/tests/data/goldens/norm_attn.safetensors"

// Compares a downloaded fp32 result with a golden tensor (PyTorch fp32: max rel bound 1e-4).
static void golden_compare(const vdt_goldens *g, const char *name, const float *got, size_t n) {
  CHECK_GOLDEN(vdt_op_bounds(VD_PRECISION_F32, 1e-4), g, name, got, n, NULL);
}


typedef struct att_case {
  uint32_t b, lq, lk, h, kvh, d;
  int causal;
  uint32_t offset;
  int fused;  // Q, K, V as slices of one [B, L, 3*H*D] tensor (needs lq == lk, kvh == h)
} att_case;

static void run_case(const vdt_env *env, vd_precision prec, vdt_rng *rng, const att_case *c) {
  vd_attention_params p = {.batch = c->b, .q_len = c->lq, .kv_len = c->lk, .heads = c->h, .kv_heads = c->kvh,
                           .head_dim = c->d, .causal = c->causal != 0, .offset = c->offset};
  size_t qw = (size_t)c->h * c->d, kw = (size_t)c->kvh * c->d;
  size_t nq = (size_t)c->b * c->lq * qw, nk = (size_t)c->b * c->lk * kw;
  ref_attention_shape s = {c->b, c->lq, c->lk, c->h, c->kvh, c->d, qw, kw, kw, 0, 0, 0,
                           1.0 / sqrt((double)c->d), c->causal != 0, c->offset};
  float *q = NULL, *k = NULL, *v = NULL, *qkv = NULL;
  vd_buffer *bq, *bk, *bv, *bqkv = NULL;
  if (c->fused) {
    size_t n = (size_t)c->b * c->lq * 3 * qw;
    qkv = vdt_random(rng, n, -1.5, 1.5, prec);
    q = k = v = qkv;
    s.qs = s.ks = s.vs = 3 * qw, s.kc = qw, s.vc = 2 * qw;
    p.q_stride = p.k_stride = p.v_stride = (uint32_t)(3 * qw);
    p.k_col = (uint32_t)qw, p.v_col = (uint32_t)(2 * qw);
    bq = bk = bv = bqkv = vdt_upload(env, prec, qkv, n);
  } else {
    q = vdt_random(rng, nq, -1.5, 1.5, prec), k = vdt_random(rng, nk, -1.5, 1.5, prec);
    v = vdt_random(rng, nk, -1, 1, prec);
    bq = vdt_upload(env, prec, q, nq), bk = vdt_upload(env, prec, k, nk), bv = vdt_upload(env, prec, v, nk);
  }
  double *want = malloc(nq * sizeof(double));
  ref_attention(&s, q, k, v, want);
  vd_buffer *bo = vdt_poisoned(env, prec, nq);
  vd_op_env oe = vdt_op_env(env, prec);
  vdt_begin(env);
  CHECK_OK(vd_op_attention(&oe, &p, (vd_view){bq, 0}, (vd_view){bk, 0}, (vd_view){bv, 0}, (vd_view){bo, 0}));
  vdt_submit(env);
  float *got = vdt_download(env, prec, bo, nq);
  CHECK_CLOSE(vdt_op_bounds(prec, vdt_tol(prec, c->lk > 256)), got, want, nq,
              "attention %s B=%u Lq=%u Lk=%u H=%u KVH=%u D=%u causal=%d offset=%u fused=%d [%s]",
              vd_precision_name(prec), c->b, c->lq, c->lk, c->h, c->kvh, c->d, c->causal, c->offset, c->fused,
              vd_attention_variant(&oe, &p));
  free(got), free(want);
  if (c->fused) {
    free(qkv);
    vd_buffer_destroy(env->ctx, bqkv);
  } else {
    free(q), free(k), free(v);
    vd_buffer_destroy(env->ctx, bq), vd_buffer_destroy(env->ctx, bk), vd_buffer_destroy(env->ctx, bv);
  }
  vd_buffer_destroy(env->ctx, bo);
}

static void test_rejects(const vdt_env *env) {
  vd_buffer *b = vdt_poisoned(env, VD_PRECISION_F32, 4096);
  vd_view w = {b, 0};
  vd_op_env oe = vdt_op_env(env, VD_PRECISION_F32);
  vdt_begin(env);
  vd_attention_params p = {.batch = 1, .q_len = 4, .kv_len = 4, .heads = 14, .kv_heads = 3, .head_dim = 16};
  CHECK_ERR(vd_op_attention(&oe, &p, w, w, w, w), VD_ERR_INVALID_ARGUMENT);  // 14 heads, 3 KV heads
  p.kv_heads = 2, p.q_len = 0;
  CHECK_ERR(vd_op_attention(&oe, &p, w, w, w, w), VD_ERR_INVALID_ARGUMENT);
  p.q_len = 4, p.q_stride = 100;  // 14*16 columns do not fit a 100-element row
  CHECK_ERR(vd_op_attention(&oe, &p, w, w, w, w), VD_ERR_INVALID_ARGUMENT);
  p.q_stride = 0, p.head_dim = 1024;
  CHECK_ERR(vd_op_attention(&oe, &p, w, w, w, w), VD_ERR_LIMIT);
  vdt_submit(env);
  vd_buffer_destroy(env->ctx, b);
}

// One golden attention case: tensors <prefix>_q/_k/_v/_y.
static void golden_attention(const vdt_env *env, const vdt_goldens *g, const char *prefix,
                             const vd_attention_params *p) {
  char name[4][32];
  const char *suffix = "qkvy";
  for (int i = 0; i < 4; ++i) snprintf(name[i], sizeof name[i], "%s_%c", prefix, suffix[i]);
  vd_buffer *q = vdt_upload_golden(env, g, name[0]), *k = vdt_upload_golden(env, g, name[1]), *v = vdt_upload_golden(env, g, name[2]);
  size_t n = vdt_golden_count(g, name[0]);
  vd_buffer *y = vdt_poisoned(env, VD_PRECISION_F32, n);
  vd_op_env oe = vdt_op_env(env, VD_PRECISION_F32);
  vdt_begin(env);
  CHECK_OK(vd_op_attention(&oe, p, vd_view_of(q), vd_view_of(k), vd_view_of(v), vd_view_of(y)));
  vdt_submit(env);
  float *got = vdt_download(env, VD_PRECISION_F32, y, n);
  golden_compare(g, name[3], got, n);
  free(got);
  vd_buffer_destroy(env->ctx, q), vd_buffer_destroy(env->ctx, k), vd_buffer_destroy(env->ctx, v);
  vd_buffer_destroy(env->ctx, y);
}

static void test_goldens(const vdt_env *env) {
  vdt_goldens *g = vdt_goldens_load(GOLDENS);
  vd_attention_params self = {.batch = 2, .q_len = 9, .kv_len = 9, .heads = 2, .head_dim = 16, .causal = true};
  vd_attention_params cross = {.batch = 1, .q_len = 5, .kv_len = 7, .heads = 2, .head_dim = 40};
  vd_attention_params gqa = {.batch = 1, .q_len = 3, .kv_len = 10, .heads = 4, .kv_heads = 2, .head_dim = 8,
                             .causal = true, .offset = 7};
  golden_attention(env, g, "att_self", &self);
  golden_attention(env, g, "att_cross", &cross);
  golden_attention(env, g, "att_gqa", &gqa);
  vdt_goldens_free(g);
}

int main(void) {
  static const att_case cases[] = {
      {2, 64, 64, 8, 8, 40, 0, 0, 0},     // UNet self-attention (scaled down from 1024 x 1024)
      {2, 96, 77, 8, 8, 40, 0, 0, 0},     // UNet cross-attention with the 77-token context
      {1, 77, 77, 12, 12, 64, 1, 0, 0},   // CLIP text: causal
      {1, 33, 33, 2, 2, 80, 0, 0, 0},     // UNet level 2 head dim
      {2, 7, 77, 2, 2, 160, 0, 0, 0},     // UNet level 3 head dim, cross
      {1, 3, 7, 1, 1, 256, 0, 0, 0},      // large head dim
      {1, 1, 1, 1, 1, 1, 0, 0, 0},        // smallest
      {3, 5, 3, 3, 3, 3, 0, 0, 0},        // odd everything
      {1, 300, 300, 2, 2, 64, 0, 0, 0},   // several query tiles and key blocks
      {1, 7, 7, 14, 2, 64, 1, 0, 0},      // Qwen2 GQA prefill
      {1, 5, 21, 14, 2, 64, 1, 16, 0},    // Qwen2 chunked prefill on a KV cache
      {1, 1, 40, 14, 2, 64, 1, 39, 0},    // Qwen2 decode step
      {2, 1, 33, 4, 1, 64, 0, 0, 0},      // multi-query, non-causal
      {2, 65, 65, 6, 6, 64, 0, 0, 1},     // DINO-like fused QKV (scaled down from 1025 tokens)
      {1, 33, 33, 2, 2, 40, 1, 0, 1},     // fused QKV, causal
  };
  vdt_env env = vdt_env_create();
  printf("device: %s, shared memory %u bytes\n", vd_context_device_name(env.ctx), env.ctx->policy.shared_memory_bytes);
  test_rejects(&env);
  test_goldens(&env);
  for (int pr = 0; pr < 2; ++pr) {
    vd_precision prec = (vd_precision)pr;
    if (!vdt_has_precision(env.ctx, prec, "attention sweep")) continue;
    vdt_rng rng = {0xa77e5ull + pr};
    for (size_t i = 0; i < sizeof(cases) / sizeof(*cases); ++i) run_case(&env, prec, &rng, &cases[i]);
  }
  CHECK(vdt_env_destroy(&env) == 0);
  return vdt_finish("test_op_attention");
}
