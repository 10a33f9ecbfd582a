// The op benchmark cases: each op at the shapes the VLMDiff networks use at 256x256 (UNet + guidance
// network at batch 2 for classifier-free guidance, VAE at batch 1, DINO ViT-S/8 on 32x32 patches).
#include <stdio.h>
#include <string.h>

#include "apps/bench.h"
#include "graph/op_attention.h"
#include "graph/op_conv.h"
#include "graph/op_eltwise.h"
#include "graph/op_layout.h"
#include "graph/op_matmul.h"
#include "graph/op_misc.h"
#include "graph/op_norm.h"
#include "graph/op_rope.h"
#include "graph/op_softmax.h"

// One case: up to 8 tensors and the op's parameters; record functions read what they need.
typedef struct vd_case {
  vd_view v[8];
  union {
    vd_group_norm_params gn;
    vd_layer_norm_params ln;
    vd_softmax_params sm;
    vd_attention_params at;
    vd_gate_params gate;
    vd_binary_params bin;
    vd_concat_params cat;
    vd_resize_params rs;
    vd_avgpool_params pool;
    vd_cosine_params cos;
    vd_blur_params blur;
    vd_timestep_params ts;
    vd_conv2d_params conv;
    vd_matmul_params mm;
    vd_rms_norm_params rms;
    vd_instance_norm_params in;
    vd_rope_params rope;
    vd_permute_params perm;
    vd_pixel_shuffle_params ps;
    vd_reduce_params red;
  } p;
  uint64_t n;  // element count for the simple ones
  uint32_t dims[4];
} vd_case;

static vd_status vd_in(vd_bench *b, vd_case *c, int slot, uint64_t n) {
  return vd_bench_random(b, n, -1.0f, 1.0f, false, &c->v[slot]);
}
static vd_status vd_out(vd_bench *b, vd_case *c, int slot, uint64_t n) {
  return vd_bench_output(b, n * vd_precision_bytes(b->precision), &c->v[slot]);
}
static vd_status vd_scratch(vd_bench *b, vd_case *c, int slot, uint64_t bytes) {
  if (!bytes) return (c->v[slot] = (vd_view){0}), NULL;
  return vd_bench_output(b, bytes, &c->v[slot]);
}

// ---- record functions ------------------------------------------------------------------------------

static vd_status rec_group_norm(const vd_op_env *e, void *u) {
  vd_case *c = u;
  return vd_op_group_norm(e, &c->p.gn, c->v[0], c->v[1], c->v[2], c->v[3], c->v[4]);
}
static vd_status rec_layer_norm(const vd_op_env *e, void *u) {
  vd_case *c = u;
  return vd_op_layer_norm(e, &c->p.ln, c->v[0], c->v[1], c->v[2], c->v[3], c->v[4]);
}
static vd_status rec_softmax(const vd_op_env *e, void *u) {
  vd_case *c = u;
  return vd_op_softmax(e, &c->p.sm, c->v[0], c->v[1], c->v[2]);
}
static vd_status rec_attention(const vd_op_env *e, void *u) {
  vd_case *c = u;
  return vd_op_attention(e, &c->p.at, c->v[0], c->v[1], c->v[2], c->v[3]);
}
static vd_status rec_silu(const vd_op_env *e, void *u) {
  vd_case *c = u;
  return vd_op_activation(e, VD_ACT_SILU, c->n, c->v[0], c->v[1]);
}
static vd_status rec_geglu(const vd_op_env *e, void *u) {
  vd_case *c = u;
  return vd_op_gate_fused(e, &c->p.gate, c->v[0], c->v[1]);
}
static vd_status rec_binary(const vd_op_env *e, void *u) {
  vd_case *c = u;
  return vd_op_binary(e, &c->p.bin, c->v[0], c->v[1], c->v[2]);
}
static vd_status rec_scale_add(const vd_op_env *e, void *u) {
  vd_case *c = u;
  return vd_op_scale_add(e, c->n, 1.5f, c->v[0], -0.5f, c->v[1], c->v[2]);
}
static vd_status rec_concat(const vd_op_env *e, void *u) {
  vd_case *c = u;
  return vd_op_concat(e, &c->p.cat, c->v, c->v[2]);
}
static vd_status rec_upsample(const vd_op_env *e, void *u) {
  vd_case *c = u;
  return vd_op_upsample_nearest2x(e, c->dims[0], c->dims[1], c->dims[2], c->dims[3], c->v[0], c->v[1]);
}
static vd_status rec_resize(const vd_op_env *e, void *u) {
  vd_case *c = u;
  return vd_op_resize(e, &c->p.rs, c->v[0], c->v[1]);
}
static vd_status rec_avgpool(const vd_op_env *e, void *u) {
  vd_case *c = u;
  return vd_op_avgpool(e, &c->p.pool, c->v[0], c->v[1]);
}
static vd_status rec_cosine(const vd_op_env *e, void *u) {
  vd_case *c = u;
  return vd_op_cosine_similarity(e, &c->p.cos, c->v[0], c->v[1], c->v[2]);
}
static vd_status rec_blur(const vd_op_env *e, void *u) {
  vd_case *c = u;
  return vd_op_gaussian_blur(e, &c->p.blur, c->v[0], c->v[1], c->v[2]);
}
static vd_status rec_timestep(const vd_op_env *e, void *u) {
  vd_case *c = u;
  return vd_op_timestep_embedding(e, &c->p.ts, c->v[0], c->v[1], c->v[2]);
}

static vd_status rec_conv(const vd_op_env *e, void *u) {
  vd_case *c = u;
  return vd_op_conv2d_split(e, &c->p.conv, c->v[0], c->v[1], c->v[2], (vd_view){0}, c->v[4], c->v[3]);
}
static vd_status rec_matmul(const vd_op_env *e, void *u) {
  vd_case *c = u;
  return vd_op_matmul_split(e, &c->p.mm, c->v[0], c->v[1], c->v[2], (vd_view){0}, c->v[4], c->v[3]);
}

// The variant column of a GEMM: the kernel, and the split-K slices when it splits.
static const char *vd_gemm_variant_label(char *buf, size_t size, const char *kernel, uint32_t slices) {
  if (slices <= 1) return kernel;
  snprintf(buf, size, "%s, split-K %u", kernel, slices);
  return buf;
}

static vd_status rec_rms(const vd_op_env *e, void *u) {
  vd_case *c = u;
  return vd_op_rms_norm(e, &c->p.rms, c->v[0], c->v[1], c->v[2], c->v[3]);
}
static vd_status rec_instance(const vd_op_env *e, void *u) {
  vd_case *c = u;
  return vd_op_instance_norm(e, &c->p.in, c->v[0], c->v[1], c->v[2]);
}
static vd_status rec_rope(const vd_op_env *e, void *u) {
  vd_case *c = u;
  return vd_op_rope(e, &c->p.rope, c->v[0], c->v[1], c->v[2]);
}
static vd_status rec_act_kind(const vd_op_env *e, void *u) {
  vd_case *c = u;
  return vd_op_activation(e, (vd_activation)c->dims[0], c->n, c->v[0], c->v[1]);
}
static vd_status rec_swiglu(const vd_op_env *e, void *u) {
  vd_case *c = u;
  return vd_op_gate(e, &c->p.gate, c->v[0], c->v[1], c->v[2]);
}
static vd_status rec_permute(const vd_op_env *e, void *u) {
  vd_case *c = u;
  return vd_op_permute(e, &c->p.perm, c->v[0], c->v[1]);
}
static vd_status rec_pixel_shuffle(const vd_op_env *e, void *u) {
  vd_case *c = u;
  return vd_op_pixel_shuffle(e, &c->p.ps, c->v[0], c->v[1]);
}
// The table in two halves: a 49408x768 fp32 table exceeds one binding on some devices (lavapipe).
static vd_status rec_embedding(const vd_op_env *e, void *u) {
  vd_case *c = u;
  vd_embedding_part parts[2] = {{c->v[1], c->dims[1] / 2}, {c->v[3], c->dims[1] - c->dims[1] / 2}};
  return vd_op_embedding_parts(e, c->dims[0], c->dims[2], c->v[0], parts, 2, c->v[2], 0);
}
static vd_status rec_argmax(const vd_op_env *e, void *u) {
  vd_case *c = u;
  return vd_op_argmax(e, c->dims[0], c->dims[1], c->v[0], c->v[1]);
}
static vd_status rec_reduce(const vd_op_env *e, void *u) {
  vd_case *c = u;
  return vd_op_reduce(e, &c->p.red, c->v[0], c->v[1], c->v[2]);
}

// ---- cases -------------------------------------------------------------------------------------------

typedef vd_status (*vd_case_fn)(vd_bench *b);

static vd_status vd_run(vd_bench *b, vd_case *c, const char *name, const char *shape, const char *variant,
                        double flops, double bytes, vd_bench_record_fn fn) {
  vd_status st = vd_bench_measure(b, name, shape, variant, flops, bytes, fn, c);
  vd_bench_end_case(b);
  return st ? vd_status_annotate(st, "bench %s %s", name, shape) : NULL;
}

static vd_status bench_group_norm(vd_bench *b, uint32_t n, uint32_t ch, uint32_t hw, const char *shape) {
  vd_case c = {.p.gn = {n, ch, hw, hw, 32, 1e-5f, true}};
  VD_RETURN_IF_ERROR(vd_in(b, &c, 0, (uint64_t)n * ch * hw * hw));
  VD_RETURN_IF_ERROR(vd_in(b, &c, 1, ch));
  VD_RETURN_IF_ERROR(vd_in(b, &c, 2, ch));
  VD_RETURN_IF_ERROR(vd_out(b, &c, 3, (uint64_t)n * ch * hw * hw));
  VD_RETURN_IF_ERROR(vd_scratch(b, &c, 4, vd_group_norm_scratch_bytes(&c.p.gn)));
  vd_op_env env = {.kernels = b->kernels, .precision = b->precision};
  return vd_run(b, &c, "group_norm+silu", shape, vd_norm_variant(&env, (uint64_t)ch / 32 * hw * hw), 0,
                (double)vd_group_norm_bytes(&c.p.gn, b->precision), rec_group_norm);
}

static vd_status bench_conv_case(vd_bench *b, const char *shape, vd_conv2d_params p) {
  vd_case c = {.p.conv = p};
  uint32_t ho = vd_conv2d_out_h(&p), wo = vd_conv2d_out_w(&p);
  VD_RETURN_IF_ERROR(vd_in(b, &c, 0, (uint64_t)p.batch * p.cin * p.h * p.w));
  VD_RETURN_IF_ERROR(vd_in(b, &c, 1, (uint64_t)p.cout * p.cin * p.kh * p.kw));
  VD_RETURN_IF_ERROR(vd_in(b, &c, 2, p.cout));
  VD_RETURN_IF_ERROR(vd_out(b, &c, 3, (uint64_t)p.batch * p.cout * ho * wo));
  vd_op_env env = {.kernels = b->kernels, .precision = b->precision};
  VD_RETURN_IF_ERROR(vd_scratch(b, &c, 4, vd_op_conv2d_scratch_bytes(&env, &c.p.conv)));
  char variant[96];
  const char *name = vd_gemm_variant_label(variant, sizeof variant, vd_op_conv2d_variant(&env, &c.p.conv),
                                           vd_op_conv2d_split_slices(&env, &c.p.conv));
  return vd_run(b, &c, "conv2d", shape, name, (double)vd_op_conv2d_flops(&c.p.conv), 0, rec_conv);
}

static vd_status bench_conv(vd_bench *b) {
  if (!vd_bench_selected(b, "conv2d")) return NULL;
  VD_RETURN_IF_ERROR(bench_conv_case(b, "2x320x32x32 3x3 ->320", vd_conv2d_params_make(2, 320, 32, 32, 320, 3, 1, 1)));
  VD_RETURN_IF_ERROR(bench_conv_case(b, "2x1280x8x8 3x3 ->1280", vd_conv2d_params_make(2, 1280, 8, 8, 1280, 3, 1, 1)));
  VD_RETURN_IF_ERROR(bench_conv_case(b, "2x2560x4x4 3x3 ->1280 (decoder)",
                                     vd_conv2d_params_make(2, 2560, 4, 4, 1280, 3, 1, 1)));
  VD_RETURN_IF_ERROR(bench_conv_case(b, "1x128x256x256 3x3 ->128 (VAE)",
                                     vd_conv2d_params_make(1, 128, 256, 256, 128, 3, 1, 1)));
  VD_RETURN_IF_ERROR(bench_conv_case(b, "2x16x256x256 3x3 ->16 (hint)", vd_conv2d_params_make(2, 16, 256, 256, 16, 3, 1, 1)));
  return bench_conv_case(b, "1x3x256x256 8x8/8 ->384 (DINO)", vd_conv2d_params_make(1, 3, 256, 256, 384, 8, 8, 0));
}

static vd_status bench_matmul_case(vd_bench *b, const char *shape, uint32_t m, uint32_t n, uint32_t k) {
  vd_case c = {.p.mm = vd_matmul_params_dense(1, m, n, k, VD_MATMUL_B_NK, false)};
  VD_RETURN_IF_ERROR(vd_in(b, &c, 0, (uint64_t)m * k));
  VD_RETURN_IF_ERROR(vd_in(b, &c, 1, (uint64_t)n * k));
  VD_RETURN_IF_ERROR(vd_in(b, &c, 2, n));
  VD_RETURN_IF_ERROR(vd_out(b, &c, 3, (uint64_t)m * n));
  vd_op_env env = {.kernels = b->kernels, .precision = b->precision};
  VD_RETURN_IF_ERROR(vd_scratch(b, &c, 4, vd_op_matmul_scratch_bytes(&env, &c.p.mm)));
  char variant[96];
  const char *name = vd_gemm_variant_label(variant, sizeof variant, vd_op_matmul_variant(&env, &c.p.mm),
                                           vd_op_matmul_split_slices(&env, &c.p.mm));
  return vd_run(b, &c, "linear", shape, name, (double)vd_op_matmul_flops(&c.p.mm), 0, rec_matmul);
}

static vd_status bench_matmul(vd_bench *b) {
  if (!vd_bench_selected(b, "linear")) return NULL;
  VD_RETURN_IF_ERROR(bench_matmul_case(b, "2048x320 . 2560x320^T (GEGLU)", 2048, 2560, 320));
  VD_RETURN_IF_ERROR(bench_matmul_case(b, "1024x320 . 1280x320^T", 1024, 1280, 320));
  VD_RETURN_IF_ERROR(bench_matmul_case(b, "512x640 . 640x640^T", 512, 640, 640));
  VD_RETURN_IF_ERROR(bench_matmul_case(b, "154x768 . 3072x768^T (CLIP)", 154, 3072, 768));
  VD_RETURN_IF_ERROR(bench_matmul_case(b, "154x768 . 1280x768^T (cross K/V)", 154, 1280, 768));
  return bench_matmul_case(b, "1025x384 . 1536x384^T (DINO)", 1025, 1536, 384);
}

static vd_status bench_norms(vd_bench *b) {
  if (vd_bench_selected(b, "group_norm")) {
    VD_RETURN_IF_ERROR(bench_group_norm(b, 2, 320, 32, "2x320x32x32"));
    VD_RETURN_IF_ERROR(bench_group_norm(b, 1, 128, 256, "1x128x256x256 (VAE)"));
  }
  if (vd_bench_selected(b, "layer_norm")) {
    vd_case c = {.p.ln = {2048, 320, 1e-5f}};
    VD_RETURN_IF_ERROR(vd_in(b, &c, 0, 2048 * 320));
    VD_RETURN_IF_ERROR(vd_in(b, &c, 1, 320));
    VD_RETURN_IF_ERROR(vd_in(b, &c, 2, 320));
    VD_RETURN_IF_ERROR(vd_out(b, &c, 3, 2048 * 320));
    VD_RETURN_IF_ERROR(vd_scratch(b, &c, 4, vd_layer_norm_scratch_bytes(&c.p.ln)));
    vd_op_env env = {.kernels = b->kernels, .precision = b->precision};
    VD_RETURN_IF_ERROR(vd_run(b, &c, "layer_norm", "2048x320", vd_norm_variant(&env, 320), 0,
                              (double)vd_layer_norm_bytes(&c.p.ln, b->precision), rec_layer_norm));
  }
  if (vd_bench_selected(b, "softmax")) {
    vd_case c = {.p.sm = {16, 151936}};
    VD_RETURN_IF_ERROR(vd_in(b, &c, 0, 16ull * 151936));
    VD_RETURN_IF_ERROR(vd_out(b, &c, 1, 16ull * 151936));
    VD_RETURN_IF_ERROR(vd_scratch(b, &c, 2, vd_softmax_scratch_bytes(&c.p.sm)));
    vd_op_env env = {.kernels = b->kernels, .precision = b->precision};
    VD_RETURN_IF_ERROR(vd_run(b, &c, "softmax", "16x151936 (vocab)", vd_softmax_variant(&env, &c.p.sm), 0,
                              (double)vd_softmax_bytes(&c.p.sm, b->precision), rec_softmax));
  }
  return NULL;
}

static vd_status bench_attention_case(vd_bench *b, const char *shape, uint32_t batch, uint32_t lq, uint32_t lk,
                                      uint32_t heads, uint32_t d) {
  vd_case c = {.p.at = {.batch = batch, .q_len = lq, .kv_len = lk, .heads = heads, .head_dim = d}};
  uint64_t hd = (uint64_t)heads * d;
  VD_RETURN_IF_ERROR(vd_in(b, &c, 0, batch * lq * hd));
  VD_RETURN_IF_ERROR(vd_in(b, &c, 1, batch * lk * hd));
  VD_RETURN_IF_ERROR(vd_in(b, &c, 2, batch * lk * hd));
  VD_RETURN_IF_ERROR(vd_out(b, &c, 3, batch * lq * hd));
  vd_op_env env = {.kernels = b->kernels, .precision = b->precision};
  return vd_run(b, &c, "attention", shape, vd_attention_variant(&env, &c.p.at), (double)vd_attention_flops(&c.p.at),
                0, rec_attention);
}

static vd_status bench_attention(vd_bench *b) {
  if (!vd_bench_selected(b, "attention")) return NULL;
  VD_RETURN_IF_ERROR(bench_attention_case(b, "2x1024x1024 8h x40 (self)", 2, 1024, 1024, 8, 40));
  VD_RETURN_IF_ERROR(bench_attention_case(b, "2x1024x77 8h x40 (cross)", 2, 1024, 77, 8, 40));
  VD_RETURN_IF_ERROR(bench_attention_case(b, "2x256x256 8h x80 (16x16)", 2, 256, 256, 8, 80));
  return bench_attention_case(b, "1x1025x1025 6h x64 (DINO)", 1, 1025, 1025, 6, 64);
}

static vd_status bench_eltwise(vd_bench *b) {
  double es = vd_precision_bytes(b->precision);
  if (vd_bench_selected(b, "silu")) {
    vd_case c = {.n = 128ull * 256 * 256};
    VD_RETURN_IF_ERROR(vd_in(b, &c, 0, c.n));
    VD_RETURN_IF_ERROR(vd_out(b, &c, 1, c.n));
    VD_RETURN_IF_ERROR(vd_run(b, &c, "silu", "1x128x256x256", "act", 0, 2.0 * es * c.n, rec_silu));
  }
  if (vd_bench_selected(b, "geglu")) {
    vd_case c = {.p.gate = {VD_GATE_GEGLU, 2048, 1280, false}};
    VD_RETURN_IF_ERROR(vd_in(b, &c, 0, 2048ull * 2560));
    VD_RETURN_IF_ERROR(vd_out(b, &c, 1, 2048ull * 1280));
    VD_RETURN_IF_ERROR(vd_run(b, &c, "geglu", "2048x2560 -> 2048x1280", "gate", 0,
                              (double)vd_op_gate_bytes(b->precision, &c.p.gate), rec_geglu));
  }
  if (vd_bench_selected(b, "add_bcast")) {
    vd_case c = {.p.bin = {VD_BINARY_ADD, 4, 4, {2, 320, 32, 32}, {2, 320, 1, 1}}};
    VD_RETURN_IF_ERROR(vd_in(b, &c, 0, 2 * 320 * 1024));
    VD_RETURN_IF_ERROR(vd_in(b, &c, 1, 2 * 320));
    VD_RETURN_IF_ERROR(vd_out(b, &c, 2, 2 * 320 * 1024));
    VD_RETURN_IF_ERROR(vd_run(b, &c, "add_bcast", "2x320x32x32 + 2x320x1x1", "binary", 0,
                              (double)vd_op_binary_bytes(b->precision, &c.p.bin), rec_binary));
  }
  if (vd_bench_selected(b, "scale_add")) {
    vd_case c = {.n = 2 * 4 * 32 * 32};
    VD_RETURN_IF_ERROR(vd_in(b, &c, 0, c.n));
    VD_RETURN_IF_ERROR(vd_in(b, &c, 1, c.n));
    VD_RETURN_IF_ERROR(vd_out(b, &c, 2, c.n));
    VD_RETURN_IF_ERROR(vd_run(b, &c, "scale_add", "2x4x32x32 (DDIM)", "eltwise", 0,
                              (double)vd_op_scale_add_bytes(b->precision, c.n), rec_scale_add));
  }
  return NULL;
}

static vd_status bench_layout(vd_bench *b) {
  if (vd_bench_selected(b, "concat")) {
    vd_case c = {.p.cat = {.count = 2, .outer = 2, .inner = 32 * 32, .sizes = {640, 640}}};
    VD_RETURN_IF_ERROR(vd_in(b, &c, 0, 2 * 640 * 1024));
    VD_RETURN_IF_ERROR(vd_in(b, &c, 1, 2 * 640 * 1024));
    VD_RETURN_IF_ERROR(vd_out(b, &c, 2, 2 * 1280 * 1024));
    VD_RETURN_IF_ERROR(vd_run(b, &c, "concat", "2x(640+640)x32x32 (skip)", "concat", 0,
                              (double)vd_op_concat_bytes(b->precision, &c.p.cat), rec_concat));
  }
  if (vd_bench_selected(b, "upsample")) {
    vd_case c = {.dims = {2, 1280, 8, 8}};
    VD_RETURN_IF_ERROR(vd_in(b, &c, 0, 2 * 1280 * 64));
    VD_RETURN_IF_ERROR(vd_out(b, &c, 1, 2 * 1280 * 256));
    VD_RETURN_IF_ERROR(vd_run(b, &c, "upsample_nearest2x", "2x1280x8x8 -> 16x16", "upsample", 0,
                              (double)vd_op_upsample_nearest2x_bytes(b->precision, 2, 1280, 8, 8),
                              rec_upsample));
  }
  if (vd_bench_selected(b, "resize")) {
    vd_case c = {.p.rs = {.mode = VD_RESIZE_BILINEAR, .align_corners = true, .n = 1, .c = 1, .in_h = 32, .in_w = 32,
                          .out_h = 256, .out_w = 256}};
    VD_RETURN_IF_ERROR(vd_in(b, &c, 0, 32 * 32));
    VD_RETURN_IF_ERROR(vd_out(b, &c, 1, 256 * 256));
    VD_RETURN_IF_ERROR(vd_run(b, &c, "resize", "1x1x32x32 -> 256x256 (map)", vd_op_resize_variant(&c.p.rs), 0,
                              (double)vd_op_resize_bytes(b->precision, &c.p.rs), rec_resize));
  }
  if (vd_bench_selected(b, "avgpool")) {
    vd_case c = {.p.pool = {1, 1, 256, 256, 8}};
    VD_RETURN_IF_ERROR(vd_in(b, &c, 0, 256 * 256));
    VD_RETURN_IF_ERROR(vd_out(b, &c, 1, 249 * 249));
    VD_RETURN_IF_ERROR(vd_run(b, &c, "avgpool", "1x1x256x256 k8", "avgpool", 0,
                              (double)vd_op_avgpool_bytes(b->precision, &c.p.pool), rec_avgpool));
  }
  return NULL;
}

static vd_status bench_misc(vd_bench *b) {
  if (vd_bench_selected(b, "cosine")) {
    vd_case c = {.p.cos = {.n = 1, .c = 384, .p = 32 * 32, .eps = 1e-8f, .one_minus = true}};
    VD_RETURN_IF_ERROR(vd_in(b, &c, 0, 384 * 1024));
    VD_RETURN_IF_ERROR(vd_in(b, &c, 1, 384 * 1024));
    VD_RETURN_IF_ERROR(vd_out(b, &c, 2, 1024));
    VD_RETURN_IF_ERROR(vd_run(b, &c, "cosine_similarity", "1x384x32x32 (DINO)", "cosine", 0,
                              (double)vd_op_cosine_similarity_bytes(b->precision, &c.p.cos), rec_cosine));
  }
  if (vd_bench_selected(b, "blur")) {
    vd_case c = {.p.blur = {1, 256, 256, 5.0f, 4.0f}};
    VD_RETURN_IF_ERROR(vd_in(b, &c, 0, 256 * 256));
    VD_RETURN_IF_ERROR(vd_scratch(b, &c, 1, vd_op_gaussian_blur_scratch_bytes(&c.p.blur)));
    VD_RETURN_IF_ERROR(vd_out(b, &c, 2, 256 * 256));
    VD_RETURN_IF_ERROR(vd_run(b, &c, "gaussian_blur", "1x1x256x256 sigma 5", "blur", 0,
                              (double)vd_op_gaussian_blur_bytes(b->precision, &c.p.blur), rec_blur));
  }
  if (vd_bench_selected(b, "timestep")) {
    vd_case c = {.p.ts = {2, 320, false}};
    VD_RETURN_IF_ERROR(vd_bench_random(b, 2, 0, 999, true, &c.v[0]));
    VD_RETURN_IF_ERROR(vd_bench_random(b, 160, 0, 1, true, &c.v[1]));
    VD_RETURN_IF_ERROR(vd_out(b, &c, 2, 2 * 320));
    VD_RETURN_IF_ERROR(vd_run(b, &c, "timestep_embedding", "2 -> 2x320", "timestep", 0,
                              2.0 * 320 * vd_precision_bytes(b->precision), rec_timestep));
  }
  return NULL;
}

// The ops the captioner (InternViT + Qwen2) and DINO use, at their shapes.
static vd_status bench_more(vd_bench *b) {
  double es = vd_precision_bytes(b->precision);
  vd_op_env env = {.kernels = b->kernels, .precision = b->precision};
  if (vd_bench_selected(b, "rms_norm")) {
    vd_case c = {.p.rms = {1024, 896, 1e-6f}};
    VD_RETURN_IF_ERROR(vd_in(b, &c, 0, 1024 * 896));
    VD_RETURN_IF_ERROR(vd_in(b, &c, 1, 896));
    VD_RETURN_IF_ERROR(vd_out(b, &c, 2, 1024 * 896));
    VD_RETURN_IF_ERROR(vd_scratch(b, &c, 3, vd_rms_norm_scratch_bytes(&c.p.rms)));
    VD_RETURN_IF_ERROR(vd_run(b, &c, "rms_norm", "1024x896 (Qwen2)", vd_norm_variant(&env, 896), 0,
                              (double)vd_rms_norm_bytes(&c.p.rms, b->precision), rec_rms));
  }
  if (vd_bench_selected(b, "instance_norm")) {
    vd_case c = {.p.in = {2, 1280, 4, 4, 1e-5f}};
    VD_RETURN_IF_ERROR(vd_in(b, &c, 0, 2 * 1280 * 16));
    VD_RETURN_IF_ERROR(vd_out(b, &c, 1, 2 * 1280 * 16));
    VD_RETURN_IF_ERROR(vd_scratch(b, &c, 2, vd_instance_norm_scratch_bytes(&c.p.in)));
    VD_RETURN_IF_ERROR(vd_run(b, &c, "instance_norm", "2x1280x4x4 (SFF)", vd_norm_variant(&env, 16), 0,
                              (double)vd_instance_norm_bytes(&c.p.in, b->precision), rec_instance));
  }
  if (vd_bench_selected(b, "rope")) {
    vd_case c = {.p.rope = {.batch = 1, .seq_len = 1024, .heads = 16, .head_dim = 64, .table_positions = 1024}};
    VD_RETURN_IF_ERROR(vd_in(b, &c, 0, 1024 * 16 * 64));
    VD_RETURN_IF_ERROR(vd_bench_random(b, vd_rope_table_bytes(1024, 64) / 4, -1, 1, true, &c.v[1]));
    VD_RETURN_IF_ERROR(vd_out(b, &c, 2, 1024 * 16 * 64));
    VD_RETURN_IF_ERROR(vd_run(b, &c, "rope", "1024 tokens x 16 heads x 64", vd_rope_variant(&env, &c.p.rope), 0,
                              (double)vd_rope_bytes(&c.p.rope, b->precision), rec_rope));
  }
  static const struct { vd_activation kind; const char *name; } acts[] = {
      {VD_ACT_GELU_ERF, "gelu"}, {VD_ACT_GELU_TANH, "gelu_tanh"}, {VD_ACT_QUICK_GELU, "quick_gelu"}};
  for (int k = 0; k < 3; ++k) {
    if (!vd_bench_selected(b, acts[k].name)) continue;
    vd_case c = {.n = 1025ull * 1536, .dims = {acts[k].kind}};
    VD_RETURN_IF_ERROR(vd_in(b, &c, 0, c.n));
    VD_RETURN_IF_ERROR(vd_out(b, &c, 1, c.n));
    VD_RETURN_IF_ERROR(vd_run(b, &c, acts[k].name, "1025x1536 (DINO MLP)", "act", 0, 2.0 * es * c.n, rec_act_kind));
  }
  if (vd_bench_selected(b, "swiglu")) {
    vd_case c = {.p.gate = {VD_GATE_SWIGLU, 1024, 4864, false}};
    VD_RETURN_IF_ERROR(vd_in(b, &c, 0, 1024ull * 4864));
    VD_RETURN_IF_ERROR(vd_in(b, &c, 1, 1024ull * 4864));
    VD_RETURN_IF_ERROR(vd_out(b, &c, 2, 1024ull * 4864));
    VD_RETURN_IF_ERROR(vd_run(b, &c, "swiglu", "1024x4864 (Qwen2 MLP)", "gate", 0,
                              (double)vd_op_gate_bytes(b->precision, &c.p.gate), rec_swiglu));
  }
  if (vd_bench_selected(b, "mul_bcast")) {
    vd_case c = {.p.bin = {VD_BINARY_MUL, 3, 1, {2, 1024, 320}, {320}}};
    VD_RETURN_IF_ERROR(vd_in(b, &c, 0, 2 * 1024 * 320));
    VD_RETURN_IF_ERROR(vd_in(b, &c, 1, 320));
    VD_RETURN_IF_ERROR(vd_out(b, &c, 2, 2 * 1024 * 320));
    VD_RETURN_IF_ERROR(vd_run(b, &c, "mul_bcast", "2x1024x320 * 320", "binary", 0,
                              (double)vd_op_binary_bytes(b->precision, &c.p.bin), rec_binary));
  }
  if (vd_bench_selected(b, "permute")) {
    vd_case c = {.p.perm = {{2, 320, 32, 32}, {0, 2, 3, 1}}};
    VD_RETURN_IF_ERROR(vd_in(b, &c, 0, 2 * 320 * 1024));
    VD_RETURN_IF_ERROR(vd_out(b, &c, 1, 2 * 320 * 1024));
    VD_RETURN_IF_ERROR(vd_run(b, &c, "permute", "2x320x32x32 -> NHWC", vd_op_permute_variant(&c.p.perm), 0,
                              (double)vd_op_permute_bytes(b->precision, &c.p.perm), rec_permute));
  }
  if (vd_bench_selected(b, "pixel_shuffle")) {
    vd_case c = {.p.ps = {VD_PS_UNSHUFFLE_INTERNVL, 1, 32, 32, 1024, 2}};
    VD_RETURN_IF_ERROR(vd_in(b, &c, 0, 32 * 32 * 1024));
    VD_RETURN_IF_ERROR(vd_out(b, &c, 1, 32 * 32 * 1024));
    VD_RETURN_IF_ERROR(vd_run(b, &c, "pixel_shuffle", "32x32x1024 -> 16x16x4096 (InternVL)", "pixel_shuffle", 0,
                              (double)vd_op_pixel_shuffle_bytes(b->precision, &c.p.ps), rec_pixel_shuffle));
  }
  if (vd_bench_selected(b, "embedding")) {
    vd_case c = {.dims = {154, 49408, 768}};
    int32_t ids[154];
    for (int i = 0; i < 154; ++i) ids[i] = (i * 7919) % 49408;
    VD_RETURN_IF_ERROR(vd_bench_output(b, sizeof(ids), &c.v[0]));
    VD_RETURN_IF_ERROR(vd_buffer_upload(b->ctx, (vd_buffer *)c.v[0].buffer, 0, ids, sizeof(ids)));
    VD_RETURN_IF_ERROR(vd_in(b, &c, 1, 24704ull * 768));
    VD_RETURN_IF_ERROR(vd_in(b, &c, 3, 24704ull * 768));
    VD_RETURN_IF_ERROR(vd_out(b, &c, 2, 154 * 768));
    VD_RETURN_IF_ERROR(vd_run(b, &c, "embedding", "154 ids of 49408x768 (CLIP)", "embedding (2 parts)", 0,
                              (double)vd_op_embedding_bytes(b->precision, 154, 768), rec_embedding));
  }
  if (vd_bench_selected(b, "argmax")) {
    vd_case c = {.dims = {1, 151936}};
    VD_RETURN_IF_ERROR(vd_in(b, &c, 0, 151936));
    VD_RETURN_IF_ERROR(vd_bench_output(b, 4, &c.v[1]));
    VD_RETURN_IF_ERROR(vd_run(b, &c, "argmax", "1x151936 (vocab)", "argmax", 0,
                              (double)vd_op_argmax_bytes(b->precision, 1, 151936), rec_argmax));
  }
  if (vd_bench_selected(b, "reduce_max")) {
    vd_case c = {.p.red = {VD_REDUCE_MAX, 1, 249 * 249, true}};
    VD_RETURN_IF_ERROR(vd_in(b, &c, 0, 249 * 249));
    VD_RETURN_IF_ERROR(vd_scratch(b, &c, 1, vd_op_reduce_scratch_bytes(&c.p.red)));
    VD_RETURN_IF_ERROR(vd_bench_output(b, 4, &c.v[2]));
    VD_RETURN_IF_ERROR(vd_run(b, &c, "reduce_max", "249x249 (image score)", vd_op_reduce_variant(&c.p.red), 0,
                              (double)vd_op_reduce_bytes(b->precision, &c.p.red), rec_reduce));
  }
  if (vd_bench_selected(b, "matmul_kn")) {
    vd_case c = {.p.mm = vd_matmul_params_dense(8, 1024, 64, 1024, VD_MATMUL_B_KN, true)};
    VD_RETURN_IF_ERROR(vd_in(b, &c, 0, 8ull * 1024 * 1024));
    VD_RETURN_IF_ERROR(vd_in(b, &c, 1, 8ull * 1024 * 64));
    c.v[2] = (vd_view){0};
    VD_RETURN_IF_ERROR(vd_out(b, &c, 3, 8ull * 1024 * 64));
    VD_RETURN_IF_ERROR(vd_run(b, &c, "matmul_kn", "8x(1024x1024 . 1024x64) (P.V)", vd_op_matmul_variant(&env, &c.p.mm),
                              (double)vd_op_matmul_flops(&c.p.mm), 0, rec_matmul));
  }
  return NULL;
}

vd_status vd_bench_ops(vd_bench *b) {
  static const vd_case_fn cases[] = {bench_conv, bench_matmul, bench_norms, bench_attention, bench_eltwise, bench_layout, bench_misc, bench_more};
  for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); ++i) VD_RETURN_IF_ERROR(cases[i](b));
  return NULL;
}
