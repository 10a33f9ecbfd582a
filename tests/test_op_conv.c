// vd_op_conv2d against the double-precision CPU reference and PyTorch goldens: kernel sizes 1, 3, 5,
// 3x1 and patch embeddings (8x8 / 14x14, stride = kernel), strides 1 and 2, symmetric and the VAE's
// asymmetric (0, 1, 0, 1) padding, bias and fused residual (also in place), odd sizes (Cin 3, Cout 7,
// H = W = 1, 5, 33), batch 1 and 2, every portable tile, real-network shapes scaled for lavapipe, fp32
// and fp16 storage; split-K (forced slice counts, the automatic rule, the pure policy); the cooperative-matrix
// kernel's emulated twin. The device's cooperative-matrix kernel is the separate ctest test
// test_op_conv_coopmat (label needs-coopmat).
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "graph/op_conv.h"
#include "runtime/context.h"
#include "tests/ref/ref_conv.h"
#include "tests/vdtest.h"
#include "tests/vdtest_golden.h"
#include "tests/vdtest_ops.h"

typedef struct cv_case {
  uint32_t n, cin, h, w, cout, kh, kw, sh, sw;
  uint32_t pt, pl, pb, pr;  // padding top, left, bottom, right
  bool bias, res, in_place;
  vd_gemm_tile_id tile;
  vd_gemm_variant variant;  // set by the sweep
  uint32_t split;           // split_k: 0 automatic, 1 off, N forced
} cv_case;

static vd_conv2d_params cv_params(const cv_case *c) {
  return (vd_conv2d_params){.batch = c->n, .cin = c->cin, .h = c->h, .w = c->w, .cout = c->cout, .kh = c->kh,
                            .kw = c->kw, .stride_h = c->sh, .stride_w = c->sw, .pad_top = c->pt,
                            .pad_left = c->pl, .pad_bottom = c->pb, .pad_right = c->pr, .tile = c->tile,
                            .variant = c->variant, .split_k = c->split};
}

static ref_conv2d_shape cv_shape(const cv_case *c) {
  return (ref_conv2d_shape){c->n, c->cin, c->h, c->w, c->cout, c->kh, c->kw, c->sh, c->sw,
                            c->pt, c->pl, c->pb, c->pr};
}

// Runs the op on given inputs (NULL bias/res: absent) and returns the downloaded output (malloc'd).
static float *cv_gpu(const vdt_env *env, vd_precision prec, const vd_conv2d_params *p, const float *x,
                     const float *w, const float *bias, const float *res, bool in_place) {
  size_t nx = (size_t)p->batch * p->cin * p->h * p->w, nw = (size_t)p->cout * p->cin * p->kh * p->kw;
  size_t ny = (size_t)p->batch * p->cout * vd_conv2d_out_h(p) * vd_conv2d_out_w(p);
  vd_buffer *dx = vdt_upload(env, prec, x, nx), *dw = vdt_upload(env, prec, w, nw);
  vd_buffer *db = bias ? vdt_upload(env, prec, bias, p->cout) : NULL;
  vd_buffer *dr = res && !in_place ? vdt_upload(env, prec, res, ny) : NULL;
  vd_buffer *dy = in_place ? vdt_upload(env, prec, res, ny) : vdt_poisoned(env, prec, ny);
  vd_op_env op = vdt_op_env(env, prec);
  uint64_t sbytes = vd_op_conv2d_scratch_bytes(&op, p);  // split-K partials, poisoned too
  vd_buffer *ds = sbytes ? vdt_poisoned(env, VD_PRECISION_F32, sbytes / 4) : NULL;
  vd_view none = {0};
  vd_view vres = in_place ? vd_view_of(dy) : dr ? vd_view_of(dr) : none;
  vdt_begin(env);
  CHECK_OK(vd_op_conv2d_split(&op, p, vd_view_of(dx), vd_view_of(dw), db ? vd_view_of(db) : none, vres,
                              ds ? vd_view_of(ds) : none, vd_view_of(dy)));
  vdt_submit(env);
  float *y = vdt_download(env, prec, dy, ny);
  vd_buffer_destroy(env->ctx, dx), vd_buffer_destroy(env->ctx, dw), vd_buffer_destroy(env->ctx, dy);
  if (ds) vd_buffer_destroy(env->ctx, ds);
  if (db) vd_buffer_destroy(env->ctx, db);
  if (dr) vd_buffer_destroy(env->ctx, dr);
  return y;
}

// Runs one case on random inputs and checks it against the reference within b; `what` names it.
static void cv_run(const vdt_env *env, vd_precision prec, const cv_case *c, vdt_rng *rng, vdt_bounds b,
                   const char *what) {
  vd_conv2d_params p = cv_params(c);
  ref_conv2d_shape s = cv_shape(c);
  size_t nx = (size_t)c->n * c->cin * c->h * c->w, nw = (size_t)c->cout * c->cin * c->kh * c->kw;
  size_t ny = (size_t)c->n * c->cout * vd_conv2d_out_h(&p) * vd_conv2d_out_w(&p);
  float *x = vdt_random(rng, nx, -1, 1, prec), *w = vdt_random(rng, nw, -1, 1, prec);
  float *bias = vdt_random(rng, c->cout, -1, 1, prec), *res = vdt_random(rng, ny, -1, 1, prec);
  float *got = cv_gpu(env, prec, &p, x, w, c->bias ? bias : NULL, c->res ? res : NULL, c->in_place);
  double *want = malloc(ny * sizeof(double));
  ref_conv2d(&s, x, w, c->bias ? bias : NULL, c->res ? res : NULL, want);
  vdt_check_close(__FILE__, __LINE__, b, got, want, ny, what);
  free(x), free(w), free(bias), free(res), free(got), free(want);
}

#define SYM(p) p, p, p, p
static const cv_case cases[] = {
    // odd sizes and kernel shapes
    {1, 3, 5, 5, 7, 3, 3, 1, 1, SYM(1), true, false, false, 0, 0, 0},
    {2, 3, 1, 1, 7, 1, 1, 1, 1, SYM(0), true, false, false, 0, 0, 0},      // H = W = 1, 1x1
    {2, 3, 1, 1, 7, 3, 3, 1, 1, SYM(1), false, true, false, 0, 0, 0},      // H = W = 1, 3x3 padded
    {1, 5, 33, 33, 7, 3, 3, 2, 2, 0, 0, 1, 1, true, false, false, 0, 0, 0},  // VAE downsample padding
    {2, 4, 32, 32, 3, 3, 3, 2, 2, 0, 0, 1, 1, true, true, false, 0, 0, 0},   // even size, batch 2, residual
    {2, 4, 33, 33, 3, 3, 3, 1, 1, SYM(1), true, false, false, 0, 0, 0},    // Cout 3 (VAE conv_out)
    {1, 3, 9, 11, 5, 5, 5, 1, 1, SYM(2), true, false, false, 0, 0, 0},     // 5x5
    {1, 2, 7, 9, 3, 3, 1, 1, 1, 1, 0, 1, 0, false, false, false, 0, 0, 0},  // 3x1
    {1, 6, 9, 9, 4, 3, 3, 2, 2, SYM(1), true, false, false, 0, 0, 0},      // stride 2 symmetric
    // patch embeddings (stride = kernel)
    {1, 3, 32, 32, 48, 8, 8, 8, 8, SYM(0), true, false, false, 0, 0, 0},   // DINO 8x8 3->384, scaled
    {2, 3, 28, 28, 32, 14, 14, 14, 14, SYM(0), true, false, false, 0, 0, 0},  // InternViT 14x14, scaled
    // real-network shapes, scaled for lavapipe
    {1, 64, 16, 16, 64, 3, 3, 1, 1, SYM(1), true, false, false, 0, 0, 0},  // 3x3 64->64
    {1, 320, 8, 8, 320, 3, 3, 1, 1, SYM(1), true, true, false, 0, 0, 0},   // UNet ResBlock conv2 + skip
    {2, 64, 8, 8, 32, 1, 1, 1, 1, SYM(0), true, true, true, 0, 0, 0},      // 1x1 shortcut, in-place residual
    {1, 4, 16, 16, 32, 3, 3, 1, 1, SYM(1), true, false, false, 0, 0, 0},   // conv_in (latent 4 channels)
};

// The bounds of a case: the precision's; with fp16 operands (coopmat) the fp16 max-rel bound at every storage
// precision, and in fp32 storage the mixed-precision element bounds (fp16 rounds the fp32 data inside).
static vdt_bounds cv_bounds(vd_precision prec, bool fp16_operands, const cv_case *c) {
  if (fp16_operands) return prec == VD_PRECISION_F32 ? vdt_mixed_bounds(1e-2) : vdt_op_bounds(prec, 1e-2);
  return vdt_op_bounds(prec, vdt_tol(prec, c->cin * c->kh * c->kw > 256));
}

static void test_sweep(const vdt_env *env, vd_precision prec, vd_gemm_variant variant, bool fp16_operands) {
  vdt_rng rng = {0x5eedull + prec};
  for (size_t i = 0; i < sizeof cases / sizeof cases[0]; ++i) {
    cv_case cc = cases[i];
    cc.variant = variant;
    const cv_case *c = &cc;
    char what[128];
    snprintf(what, sizeof what, "%s %s case %zu (n%u %u->%u %ux%u at %ux%u s%u)", vd_precision_name(prec),
             vdt_gemm_variant_name(variant), i, c->n, c->cin, c->cout, c->kh, c->kw, c->h, c->w, c->sh);
    cv_run(env, prec, c, &rng, cv_bounds(prec, fp16_operands, c), what);
  }
}

// Split-K: forced slice counts that do not divide K (nor its K-steps), the automatic rule, batch > 1,
// bias + residual (also in place), against the same reference; every case must really split.
static const cv_case split_cases[] = {
    {2, 37, 6, 5, 19, 3, 3, 1, 1, SYM(1), true, true, false, 0, 0, 3},    // K 333 in 3
    {2, 37, 6, 5, 19, 3, 3, 1, 1, SYM(1), true, true, false, 0, 0, 7},    // K 333 in 7
    {3, 29, 5, 7, 70, 3, 3, 2, 1, 1, 0, 1, 1, true, false, false, 0, 0, 5},  // batch 3, stride, 2 M tiles
    {2, 64, 4, 4, 33, 3, 3, 1, 1, SYM(1), false, true, true, 0, 0, 4},    // in-place residual, no bias
    {2, 160, 4, 4, 24, 3, 3, 1, 1, SYM(1), true, true, false, 0, 0, 0},   // automatic: 4x4, K 1440
    {1, 96, 3, 3, 20, 1, 1, 1, 1, SYM(0), true, false, false, 0, 0, 6},   // 1x1, K 96 (6 K-steps)
};

static void test_split(const vdt_env *env, vd_precision prec, vd_gemm_variant variant, bool fp16_operands) {
  vdt_rng rng = {0x5b11ull + prec};
  vd_op_env op = vdt_op_env(env, prec);
  for (size_t i = 0; i < sizeof split_cases / sizeof split_cases[0]; ++i)
    for (int off = 0; off < 2; ++off) {
      cv_case c = split_cases[i];
      c.variant = variant;
      if (off) c.split = 1;
      vd_conv2d_params p = cv_params(&c);
      uint32_t slices = vd_op_conv2d_split_slices(&op, &p);
      CHECK_MSG(off ? slices == 1 : slices > 1, "split case %zu: %u slices", i, slices);
      char what[128];
      snprintf(what, sizeof what, "%s %s split case %zu (%u slices, n%u %u->%u %ux%u)", vd_precision_name(prec),
               vd_op_conv2d_variant(&op, &p), i, slices, c.n, c.cin, c.cout, c.kh, c.kw);
      cv_run(env, prec, &c, &rng, cv_bounds(prec, fp16_operands, &c), what);
    }
}

// The cooperative-matrix conv: the device's (hardware, test_op_conv_coopmat: an H200, never lavapipe) or
// its emulated twin (same tiling, matrix operations in shared memory; runs everywhere the shader is
// built). fp16 operands, so the fp16 bounds apply to both storage precisions.
static void test_coopmat(const vdt_env *env, bool hardware) {
  for (int pi = 0; pi < 2; ++pi) {
    vd_precision prec = pi ? VD_PRECISION_F16 : VD_PRECISION_F32;
    vd_op_env op = vdt_op_env(env, prec);
    vd_gemm_variant v = hardware ? VD_GEMM_VARIANT_COOPMAT : VD_GEMM_VARIANT_COOPMAT_EMULATED;
    const char *shader = vd_gemm_coopmat_shader("conv2d", !hardware);
    if (!vdt_coopmat_or_skip(env, prec, shader)) continue;
    vd_conv2d_params big = vd_conv2d_params_make(2, 320, 32, 32, 320, 3, 1, 1);
    big.variant = v;
    printf("coopmat conv2d %s (%s): %s\n", shader, vd_precision_name(prec), vd_op_conv2d_variant(&op, &big));
    test_sweep(env, prec, v, true);
    test_split(env, prec, v, true);
  }
}

// The split rule is pure and device-independent; the scratch size follows from it.
static void test_split_policy(void) {
  vd_conv2d_params p = vd_conv2d_params_make(2, 1280, 8, 8, 1280, 3, 1, 1);  // M 1280, N 64, K 11520: 40 tiles
  CHECK(vd_op_conv2d_scratch_bytes(NULL, &p) == 7ull * 2 * 1280 * 64 * 4);
  p = vd_conv2d_params_make(2, 2560, 4, 4, 1280, 3, 1, 1);  // K 23040 at 4x4
  CHECK(vd_op_conv2d_scratch_bytes(NULL, &p) == 7ull * 2 * 1280 * 16 * 4);
  p = vd_conv2d_params_make(1, 128, 256, 256, 128, 3, 1, 1);  // VAE: 2048 tiles, no split
  CHECK(vd_op_conv2d_scratch_bytes(NULL, &p) == 0);
  p.split_k = 3;  // forced
  CHECK(vd_op_conv2d_scratch_bytes(NULL, &p) == 3ull * 128 * 65536 * 4);
  p = vd_conv2d_params_make(2, 1280, 8, 8, 1280, 3, 1, 1);
  p.split_k = 1;  // off
  CHECK(vd_op_conv2d_scratch_bytes(NULL, &p) == 0);
}

static void test_tiles(const vdt_env *env, vd_precision prec) {
  vdt_rng rng = {0x7111ull + prec};
  for (int t = VD_GEMM_TILE_AUTO + 1; t < VD_GEMM_TILE_COUNT; ++t) {
    cv_case c = {2, 5, 17, 19, 21, 3, 3, 2, 1, 0, 1, 1, 1, true, true, false, (vd_gemm_tile_id)t,
                 VD_GEMM_VARIANT_PORTABLE, 0};
    char what[96];
    snprintf(what, sizeof what, "%s tile %s", vd_precision_name(prec), vd_gemm_tile_get((vd_gemm_tile_id)t)->name);
    cv_run(env, prec, &c, &rng, vdt_op_bounds(prec, vdt_tol(prec, 0)), what);
  }
}

// The golden file: relative to the working directory (ctest runs in tests/) when there, so a build
// copied to another machine (the GPU test box) still finds it; else under the configured source tree.
static const char *golden_path(void) {
  static const char *rel = "data/goldens/conv.safetensors";
  FILE *f = fopen(rel, "rb");
  if (f) fclose(f);
  return f ? rel : VLMD_SOURCE_DIR "/tests/data/goldens/conv.safetensors";
}

// One golden case: x, w, optional bias, expected y from torch.nn.functional.
static void golden_case(const vdt_env *env, vd_precision prec, const vdt_goldens *g, const char *tag,
                        vd_conv2d_params p) {
  char name[64];
  int rank;
  int64_t shape[8];
  snprintf(name, sizeof name, "%s_x", tag);
  const float *x = vdt_golden(g, name, &rank, shape);
  p.batch = (uint32_t)shape[0], p.cin = (uint32_t)shape[1], p.h = (uint32_t)shape[2], p.w = (uint32_t)shape[3];
  snprintf(name, sizeof name, "%s_w", tag);
  const float *w = vdt_golden(g, name, &rank, shape);
  p.cout = (uint32_t)shape[0], p.kh = (uint32_t)shape[2], p.kw = (uint32_t)shape[3];
  snprintf(name, sizeof name, "%s_b", tag);
  const float *b = strcmp(tag, "sym") ? vdt_golden(g, name, &rank, shape) : NULL;
  snprintf(name, sizeof name, "%s_y", tag);
  const float *y = vdt_golden(g, name, &rank, shape);
  size_t ny = vdt_golden_count(g, name);
  CHECK(ny == (size_t)p.batch * p.cout * vd_conv2d_out_h(&p) * vd_conv2d_out_w(&p));
  float *got = cv_gpu(env, prec, &p, x, w, b, NULL, false);
  double *want = malloc(ny * sizeof(double));
  for (size_t i = 0; i < ny; ++i) want[i] = y[i];
  // fp16 stores the golden's fp32 data rounded: the mixed-precision element bounds
  vdt_bounds bounds = prec == VD_PRECISION_F16 ? vdt_mixed_bounds(vdt_tol(prec, 0)) : vdt_op_bounds(prec, vdt_tol(prec, 0));
  CHECK_CLOSE(bounds, got, want, ny, "golden %s (%s)", tag, vd_precision_name(prec));
  free(got), free(want);
}

static void test_goldens(const vdt_env *env, vd_precision prec) {
  vdt_goldens *g = vdt_goldens_load(golden_path());
  vd_conv2d_params down = {.stride_h = 2, .stride_w = 2, .pad_bottom = 1, .pad_right = 1};  // F.pad(x, (0,1,0,1))
  golden_case(env, prec, g, "down", down);
  golden_case(env, prec, g, "patch", (vd_conv2d_params){.stride_h = 8, .stride_w = 8});
  golden_case(env, prec, g, "sym", (vd_conv2d_params){.stride_h = 1, .stride_w = 1, SYM(1)});
  vdt_goldens_free(g);
}

static void test_errors(const vdt_env *env) {
  vd_op_env op = vdt_op_env(env, VD_PRECISION_F32);
  vd_buffer *small = vdt_poisoned(env, VD_PRECISION_F32, 64);
  vd_view v = vd_view_of(small), none = {0};
  vd_conv2d_params p = vd_conv2d_params_make(1, 2, 4, 4, 2, 3, 1, 1);
  vdt_begin(env);
  CHECK_ERR(vd_op_conv2d(&op, &p, v, none, none, none, v), VD_ERR_INVALID_ARGUMENT);  // no weights
  p.cin = 8;
  CHECK_ERR(vd_op_conv2d(&op, &p, v, v, none, none, v), VD_ERR_INVALID_ARGUMENT);  // x too small
  p = vd_conv2d_params_make(1, 1, 2, 2, 1, 5, 1, 0);
  CHECK_ERR(vd_op_conv2d(&op, &p, v, v, none, none, v), VD_ERR_INVALID_ARGUMENT);  // kernel > input
  p = vd_conv2d_params_make(1, 1, 4, 4, 1, 3, 1, 1);  // K 9: x, w and y fit in 64 floats
  p.split_k = 2;
  CHECK_ERR(vd_op_conv2d(&op, &p, v, v, none, none, v), VD_ERR_INVALID_ARGUMENT);  // forced split, no scratch
  p = vd_conv2d_params_make(1, 1, 4, 4, 2, 5, 1, 2);  // K 25: split in 2 needs 2·32 floats
  p.split_k = 2;
  vd_buffer *tiny = vdt_poisoned(env, VD_PRECISION_F32, 8);
  CHECK_ERR(vd_op_conv2d_split(&op, &p, v, v, none, none, vd_view_of(tiny), v), VD_ERR_INVALID_ARGUMENT);
  vdt_submit(env);
  vd_buffer_destroy(env->ctx, small);
  vd_buffer_destroy(env->ctx, tiny);
  // Output size and FLOP count of the VAE downsample at 256x256 (128 channels).
  vd_conv2d_params d = {.batch = 1, .cin = 128, .h = 256, .w = 256, .cout = 128, .kh = 3, .kw = 3,
                        .stride_h = 2, .stride_w = 2, .pad_bottom = 1, .pad_right = 1};
  CHECK(vd_conv2d_out_h(&d) == 128 && vd_conv2d_out_w(&d) == 128);
  CHECK(vd_op_conv2d_flops(&d) == 2ull * 128 * 128 * 128 * 128 * 9);
}

// The portable kernels, the emulated coopmat twin, goldens, policy and errors; `coopmat` as the argument:
// only the device's cooperative-matrix kernel (the ctest test test_op_conv_coopmat, label needs-coopmat).
int main(int argc, char **argv) {
  vdt_env env = vdt_env_create();
  if (argc > 1 && strcmp(argv[1], "coopmat") == 0) {
    test_coopmat(&env, true);
    CHECK(vdt_env_destroy(&env) == 0);
    return vdt_finish("test_op_conv coopmat");
  }
  for (int pi = 0; pi < 2; ++pi) {
    vd_precision prec = pi ? VD_PRECISION_F16 : VD_PRECISION_F32;
    test_sweep(&env, prec, VD_GEMM_VARIANT_PORTABLE, false);
    test_split(&env, prec, VD_GEMM_VARIANT_PORTABLE, false);
    test_tiles(&env, prec);
    test_goldens(&env, prec);
  }
  vd_op_env op = vdt_op_env(&env, VD_PRECISION_F32);
  vd_conv2d_params big = vd_conv2d_params_make(2, 320, 32, 32, 320, 3, 1, 1);
  printf("conv 3x3 320->320 at 32x32 variant: %s\n", vd_op_conv2d_variant(&op, &big));
  test_split_policy();
  test_coopmat(&env, false);
  test_errors(&env);
  CHECK(vdt_env_destroy(&env) == 0);
  return vdt_finish("test_op_conv");
}
