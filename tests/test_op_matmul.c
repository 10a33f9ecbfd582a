// vd_op_matmul against the double-precision CPU reference: transposed-B (linear weights [out, in]) and
// plain [K, N] B, batched with per-batch and broadcast weights, bias and fused residual (also in place),
// row pitches, every portable tile, odd sizes and real-network shapes scaled for lavapipe, fp32 and
// fp16 storage, split-K (forced, automatic, the pure rule), and the cooperative-matrix kernel's emulated twin.
// The device's cooperative-matrix kernel is the separate ctest test test_op_matmul_coopmat (needs-coopmat).
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "graph/op_matmul.h"
#include "runtime/context.h"
#include "tests/ref/ref_matmul.h"
#include "tests/vdtest.h"
#include "tests/vdtest_golden.h"
#include "tests/vdtest_ops.h"

typedef struct mm_case {
  uint32_t batch, m, n, k;
  vd_matmul_b_layout layout;
  bool batched_b;   // B strided per batch (else broadcast)
  bool bias, res;   // fused bias / residual
  bool in_place;    // residual is C itself
  uint32_t pad;     // extra elements per row of A, B and C (row pitches)
  vd_gemm_tile_id tile;
  uint32_t split;   // split_k: 0 automatic, 1 off, N forced
} mm_case;

static vd_matmul_params mm_params(const mm_case *c) {
  vd_matmul_params p = vd_matmul_params_dense(c->batch, c->m, c->n, c->k, c->layout, c->batched_b);
  bool nk = c->layout == VD_MATMUL_B_NK;
  p.lda = c->k + c->pad;
  p.ldb = (nk ? c->k : c->n) + c->pad;
  p.ldc = c->n + c->pad;
  p.stride_a = (uint64_t)c->m * p.lda;
  p.stride_b = c->batched_b ? (uint64_t)(nk ? c->n : c->k) * p.ldb : 0;
  p.stride_c = (uint64_t)c->m * p.ldc;
  p.tile = c->tile;
  p.split_k = c->split;
  return p;
}

// Dense [batch, m, n] view of the device output (which has row pitch ldc).
static void mm_compact(const float *dev, float *out, const vd_matmul_params *p) {
  for (uint32_t b = 0; b < p->batch; ++b)
    for (uint32_t i = 0; i < p->m; ++i)
      for (uint32_t j = 0; j < p->n; ++j)
        out[((uint64_t)b * p->m + i) * p->n + j] = dev[b * p->stride_c + (uint64_t)i * p->ldc + j];
}

// Runs one case on random inputs and checks it against the reference within b; `what` names it.
static void mm_run(const vdt_env *env, vd_precision prec, const mm_case *c, vd_gemm_variant variant, vdt_rng *rng,
                   vdt_bounds b, const char *what) {
  vd_matmul_params p = mm_params(c);
  p.variant = variant;
  bool nk = c->layout == VD_MATMUL_B_NK;
  size_t na = vd_gemm_span(p.batch, p.stride_a, p.m, p.lda, p.k);
  size_t nb = vd_gemm_span(p.batch, p.stride_b, nk ? p.n : p.k, p.ldb, nk ? p.k : p.n);
  size_t nc = vd_gemm_span(p.batch, p.stride_c, p.m, p.ldc, p.n);
  float *a = vdt_random(rng, na, -1, 1, prec), *bm = vdt_random(rng, nb, -1, 1, prec);
  float *bias = vdt_random(rng, c->n, -1, 1, prec), *res = vdt_random(rng, nc, -1, 1, prec);
  vd_buffer *da = vdt_upload(env, prec, a, na), *db = vdt_upload(env, prec, bm, nb);
  vd_buffer *dbias = vdt_upload(env, prec, bias, c->n);
  vd_buffer *dres = vdt_upload(env, prec, res, nc);
  vd_buffer *dc = c->in_place ? vdt_upload(env, prec, res, nc) : vdt_poisoned(env, prec, nc);
  vd_op_env op = vdt_op_env(env, prec);
  uint64_t sbytes = vd_op_matmul_scratch_bytes(&op, &p);  // split-K partials, poisoned too
  vd_buffer *ds = sbytes ? vdt_poisoned(env, VD_PRECISION_F32, sbytes / 4) : NULL;
  vdt_begin(env);
  vd_view vres = c->res ? vd_view_of(c->in_place ? dc : dres) : (vd_view){0};
  vd_view vbias = c->bias ? vd_view_of(dbias) : (vd_view){0};
  vd_view vs = ds ? vd_view_of(ds) : (vd_view){0};
  vd_status st = vd_op_matmul_split(&op, &p, vd_view_of(da), vd_view_of(db), vbias, vres, vs, vd_view_of(dc));
  CHECK_OK(st);
  vdt_submit(env);
  float *dev = vdt_download(env, prec, dc, nc);
  size_t nout = (size_t)p.batch * p.m * p.n;
  float *got = malloc(nout * sizeof(float));
  double *want = malloc(nout * sizeof(double));
  mm_compact(dev, got, &p);
  ref_matmul(a, bm, c->bias ? bias : NULL, c->res ? res : NULL, want, p.batch, p.m, p.n, p.k, nk, p.lda, p.ldb,
             p.ldc, p.stride_a, p.stride_b, p.stride_c);
  vdt_check_close(__FILE__, __LINE__, b, got, want, nout, what);
  free(a), free(bm), free(bias), free(res), free(dev), free(got), free(want);
  vd_context *ctx = env->ctx;
  vd_buffer_destroy(ctx, da), vd_buffer_destroy(ctx, db), vd_buffer_destroy(ctx, dbias);
  vd_buffer_destroy(ctx, dres), vd_buffer_destroy(ctx, dc);
  if (ds) vd_buffer_destroy(ctx, ds);
}

static const mm_case cases[] = {
    // odd sizes
    {1, 1, 1, 1, VD_MATMUL_B_NK, false, false, false, false, 0, 0, 0},
    {1, 3, 7, 5, VD_MATMUL_B_NK, false, true, false, false, 0, 0, 0},
    {2, 33, 7, 33, VD_MATMUL_B_KN, true, false, true, false, 0, 0, 0},
    {1, 1, 1000, 64, VD_MATMUL_B_NK, false, true, false, false, 0, 0, 0},     // one token (decoding)
    {2, 4, 77, 33, VD_MATMUL_B_NK, true, true, true, false, 0, 0, 0},         // matvec, batched, odd K
    {1, 2, 896, 896, VD_MATMUL_B_NK, false, false, true, true, 0, 0, 0},      // Qwen2 decode, in place
    {2, 3, 40, 96, VD_MATMUL_B_NK, false, true, false, false, 1, 0, 0},       // matvec with pitches
    {2, 77, 65, 17, VD_MATMUL_B_NK, true, true, true, false, 3, 0, 0},        // pitches, batched B
    // real-network shapes, scaled for lavapipe
    {1, 256, 320, 320, VD_MATMUL_B_NK, false, true, false, false, 0, 0, 0},   // UNet proj 1024x320x320 / 4
    {1, 128, 1280, 320, VD_MATMUL_B_NK, false, true, false, false, 0, 0, 0},  // GEGLU in 1024x320x2560, scaled
    {2, 77, 96, 768, VD_MATMUL_B_NK, false, true, true, false, 0, 0, 0},      // CLIP MLP 77x768x3072, N scaled
    {1, 1025, 48, 384, VD_MATMUL_B_NK, false, true, false, false, 0, 0, 0},   // DINO 1025x384x1536, N scaled
    {2, 64, 40, 77, VD_MATMUL_B_KN, true, false, false, false, 0, 0, 0},      // P·V: [64x77]·[77x40] per head
    {2, 48, 64, 96, VD_MATMUL_B_NK, false, true, true, true, 0, 0, 0},        // broadcast weights, in-place residual
};

// The bounds of a case: the precision's; with fp16 operands (coopmat) the fp16 max-rel bound at every storage
// precision, and in fp32 storage the mixed-precision element bounds (fp16 rounds the fp32 data inside).
static vdt_bounds mm_bounds(vd_precision prec, bool fp16_operands, const mm_case *c) {
  if (fp16_operands) return prec == VD_PRECISION_F32 ? vdt_mixed_bounds(1e-2) : vdt_op_bounds(prec, 1e-2);
  return vdt_op_bounds(prec, vdt_tol(prec, c->k > 256));
}

static void test_sweep(const vdt_env *env, vd_precision prec, vd_gemm_variant variant, bool fp16_operands) {
  vdt_rng rng = {0x1234567ull + prec};
  for (size_t i = 0; i < sizeof cases / sizeof cases[0]; ++i) {
    const mm_case *c = &cases[i];
    char what[128];
    snprintf(what, sizeof what, "%s %s case %zu (b%u %ux%ux%u %s)", vd_precision_name(prec), vdt_gemm_variant_name(variant), i,
             c->batch, c->m, c->n, c->k, c->layout == VD_MATMUL_B_NK ? "NK" : "KN");
    mm_run(env, prec, c, variant, &rng, mm_bounds(prec, fp16_operands, c), what);
  }
}

// Split-K: forced slice counts that do not divide K, the automatic rule, batched and broadcast B, both
// layouts, bias + residual (also in place), row pitches; every case must really split (and runs unsplit too).
static const mm_case split_cases[] = {
    {2, 33, 45, 333, VD_MATMUL_B_NK, true, true, true, false, 1, 0, 3},     // K 333 in 3, pitches
    {2, 33, 45, 333, VD_MATMUL_B_NK, true, true, true, false, 0, 0, 7},     // in 7
    {1, 20, 70, 700, VD_MATMUL_B_KN, false, true, false, false, 0, 0, 4},   // [K, N] B, 2 N tiles
    {3, 70, 20, 130, VD_MATMUL_B_NK, false, false, true, true, 0, 0, 5},    // broadcast B, in place, 2 M tiles
    {1, 64, 96, 1024, VD_MATMUL_B_NK, false, true, true, false, 0, 0, 0},   // automatic (few rows, long K)
    {2, 17, 9, 96, VD_MATMUL_B_KN, true, true, false, false, 2, 0, 6},      // 6 K-steps in 6
};

static void test_split(const vdt_env *env, vd_precision prec, vd_gemm_variant variant, bool fp16_operands) {
  vdt_rng rng = {0x5b17ull + prec};
  vd_op_env op = vdt_op_env(env, prec);
  for (size_t i = 0; i < sizeof split_cases / sizeof split_cases[0]; ++i)
    for (int off = 0; off < 2; ++off) {
      mm_case c = split_cases[i];
      if (off) c.split = 1;
      vd_matmul_params p = mm_params(&c);
      p.variant = variant;
      uint32_t slices = vd_op_matmul_split_slices(&op, &p);
      CHECK_MSG(off ? slices == 1 : slices > 1, "split case %zu: %u slices", i, slices);
      char what[128];
      snprintf(what, sizeof what, "%s %s split case %zu (%u slices, b%u %ux%ux%u)", vd_precision_name(prec),
               vd_op_matmul_variant(&op, &p), i, slices, c.batch, c.m, c.n, c.k);
      mm_run(env, prec, &c, variant, &rng, mm_bounds(prec, fp16_operands, &c), what);
    }
}

// The split rule and plan are pure and device-independent.
static void test_split_policy(void) {
  CHECK(vd_gemm_split_choose(1280, 64, 11520, 2, 0) == 7);   // conv 3x3 1280 at 8x8, batch 2: 40 tiles
  CHECK(vd_gemm_split_choose(1280, 16, 23040, 2, 0) == 7);   // at 4x4, Cin 2560
  CHECK(vd_gemm_split_choose(320, 1024, 2880, 2, 0) == 2);   // 160 tiles
  CHECK(vd_gemm_split_choose(1024, 1280, 320, 1, 0) == 1);   // 320 tiles: enough
  CHECK(vd_gemm_split_choose(64, 64, 300, 1, 0) == 1);       // K too short for two slices
  CHECK(vd_gemm_split_choose(64, 64, 1 << 20, 1, 0) == VD_GEMM_SPLIT_MAX);
  CHECK(vd_gemm_split_choose(64, 64, 300, 1, 1) == 1 && vd_gemm_split_choose(64, 64, 300, 1, 5) == 5);
  vd_gemm_split_plan a = vd_gemm_split_plan_make(3, 333, 16), b = vd_gemm_split_plan_make(5, 333, 16);
  CHECK(a.slices == 3 && a.kslice == 112 && b.slices == 5 && b.kslice == 80);
  vd_gemm_split_plan c = vd_gemm_split_plan_make(16, 40, 16), d = vd_gemm_split_plan_make(2, 16, 16);
  CHECK(c.slices == 3 && c.kslice == 16 && d.slices == 1 && d.kslice == 16);
  CHECK(vd_gemm_split_plan_make(1, 100, 16).slices == 1 && vd_gemm_split_plan_make(1, 100, 16).kslice == 100);
  CHECK(vd_gemm_split_scratch_bytes(1, 64, 64, 2) == 0 && vd_gemm_split_scratch_bytes(3, 5, 7, 2) == 3 * 2 * 35 * 4);
  vd_matmul_params p = vd_matmul_params_dense(1, 154, 768, 3072, VD_MATMUL_B_NK, false);  // 3 x 12 tiles
  CHECK(vd_op_matmul_scratch_bytes(NULL, &p) == 8ull * 154 * 768 * 4);
  p = vd_matmul_params_dense(1, 2, 896, 4096, VD_MATMUL_B_NK, false);  // matrix-vector: never split
  p.split_k = 4;
  CHECK(vd_op_matmul_scratch_bytes(NULL, &p) == 0);
}

// Every portable tile on one ragged shape, both layouts.
static void test_tiles(const vdt_env *env, vd_precision prec) {
  vdt_rng rng = {0xabcdefull + prec};
  for (int t = VD_GEMM_TILE_AUTO + 1; t < VD_GEMM_TILE_COUNT; ++t)
    for (int l = 0; l < 2; ++l) {
      mm_case c = {2, 70, 131, 37, (vd_matmul_b_layout)l, true, true, true, false, 1, (vd_gemm_tile_id)t, 0};
      char what[96];
      snprintf(what, sizeof what, "%s tile %s layout %d", vd_precision_name(prec),
               vd_gemm_tile_get((vd_gemm_tile_id)t)->name, l);
      mm_run(env, prec, &c, VD_GEMM_VARIANT_PORTABLE, &rng, vdt_op_bounds(prec, vdt_tol(prec, 0)), what);
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

// F.linear from the PyTorch golden file: weights [out, in] with bias.
static void test_golden(const vdt_env *env, vd_precision prec) {
  vdt_goldens *g = vdt_goldens_load(golden_path());
  int rank;
  int64_t sa[8], sw[8], sy[8];
  const float *a = vdt_golden(g, "linear_a", &rank, sa), *w = vdt_golden(g, "linear_w", &rank, sw);
  const float *bias = vdt_golden(g, "linear_b", &rank, sy), *y = vdt_golden(g, "linear_y", &rank, sy);
  vd_matmul_params p =
      vd_matmul_params_dense(1, (uint32_t)sa[0], (uint32_t)sw[0], (uint32_t)sa[1], VD_MATMUL_B_NK, false);
  vd_buffer *da = vdt_upload(env, prec, a, (size_t)p.m * p.k), *dw = vdt_upload(env, prec, w, (size_t)p.n * p.k);
  vd_buffer *db = vdt_upload(env, prec, bias, p.n), *dy = vdt_poisoned(env, prec, (size_t)p.m * p.n);
  vd_op_env op = vdt_op_env(env, prec);
  vdt_begin(env);
  CHECK_OK(vd_op_matmul(&op, &p, vd_view_of(da), vd_view_of(dw), vd_view_of(db), (vd_view){0}, vd_view_of(dy)));
  vdt_submit(env);
  float *got = vdt_download(env, prec, dy, (size_t)p.m * p.n);
  double want[64];
  CHECK(p.m * p.n <= 64 && (int64_t)p.m == sy[0] && (int64_t)p.n == sy[1]);
  for (uint32_t i = 0; i < p.m * p.n && i < 64; ++i) want[i] = y[i];
  // fp16 stores the golden's fp32 data rounded: the mixed-precision element bounds
  vdt_bounds bounds = prec == VD_PRECISION_F16 ? vdt_mixed_bounds(vdt_tol(prec, 0)) : vdt_op_bounds(prec, vdt_tol(prec, 0));
  CHECK_CLOSE(bounds, got, want, p.m * p.n, "golden linear (%s)", vd_precision_name(prec));
  free(got);
  vd_buffer_destroy(env->ctx, da), vd_buffer_destroy(env->ctx, dw), vd_buffer_destroy(env->ctx, db);
  vd_buffer_destroy(env->ctx, dy);
  vdt_goldens_free(g);
}

static void test_errors(const vdt_env *env) {
  vd_op_env op = vdt_op_env(env, VD_PRECISION_F32);
  vd_buffer *small = vdt_poisoned(env, VD_PRECISION_F32, 16);
  vd_matmul_params p = vd_matmul_params_dense(1, 4, 4, 4, VD_MATMUL_B_NK, false);
  vd_view v = vd_view_of(small), none = {0};
  vdt_begin(env);
  CHECK_ERR(vd_op_matmul(&op, &p, none, v, none, none, v), VD_ERR_INVALID_ARGUMENT);  // missing A
  p.k = 5;
  CHECK_ERR(vd_op_matmul(&op, &p, v, v, none, none, v), VD_ERR_INVALID_ARGUMENT);  // A too small
  p.k = 0;
  CHECK_ERR(vd_op_matmul(&op, &p, v, v, none, none, v), VD_ERR_INVALID_ARGUMENT);  // empty
  p = vd_matmul_params_dense(2, 4, 4, 1, VD_MATMUL_B_NK, false);
  p.stride_c = 1;
  CHECK_ERR(vd_op_matmul(&op, &p, v, v, none, none, v), VD_ERR_INVALID_ARGUMENT);  // overlapping batches
  p = vd_matmul_params_dense(1, 4, 4, 4, VD_MATMUL_B_KN, false);  // not the matrix-vector kernel
  p.split_k = 2;
  CHECK_ERR(vd_op_matmul(&op, &p, v, v, none, none, v), VD_ERR_INVALID_ARGUMENT);  // forced split, no scratch
  vdt_submit(env);
  vd_buffer_destroy(env->ctx, small);
}

// The tile policy is pure: lavapipe-like and H200-like snapshots.
static void test_tile_policy(void) {
  vd_policy cpu = {.shared_memory_bytes = 32768, .subgroup_size = 8};
  vd_policy gpu = {.shared_memory_bytes = 49152, .subgroup_size = 32};
  CHECK(vd_gemm_tile_choose(&cpu, 1024, 1280, 320, 1) == VD_GEMM_TILE_64X64_R8);
  CHECK(vd_gemm_tile_choose(&gpu, 1024, 1280, 320, 1) == VD_GEMM_TILE_64X64);
  CHECK(vd_gemm_tile_choose(&gpu, 2048, 1280, 320, 2) == VD_GEMM_TILE_64X64);  // 128x128: slower on the H200
  CHECK(vd_gemm_tile_choose(&gpu, 77, 768, 768, 1) == VD_GEMM_TILE_64X64);
  CHECK(vd_gemm_tile_choose(&gpu, 1, 4096, 4096, 1) == VD_GEMM_TILE_16X128);
  CHECK(vd_gemm_tile_choose(&gpu, 16, 4096, 4096, 1) == VD_GEMM_TILE_16X128);
  CHECK(vd_gemm_tile_choose(&gpu, 17, 4096, 4096, 1) == VD_GEMM_TILE_64X64);
  for (int t = VD_GEMM_TILE_AUTO + 1; t < VD_GEMM_TILE_COUNT; ++t) {
    const vd_gemm_tile *g = vd_gemm_tile_get((vd_gemm_tile_id)t);
    uint32_t wg = (g->bm / g->tm) * (g->bn / g->tn);
    CHECK(wg <= 256 && wg % g->bn == 0 && g->bm % g->tm == 0 && g->bn % g->tn == 0);
    CHECK(g->bk * (g->bm + g->bn + 2) * 4u <= cpu.shared_memory_bytes);
  }
  vd_matmul_params p = vd_matmul_params_dense(2, 1024, 1280, 320, VD_MATMUL_B_NK, false);
  CHECK(vd_op_matmul_flops(&p) == 2ull * 2 * 1024 * 1280 * 320);
  // Coopmat layouts on an H200-like policy (16x16x16, subgroup 32, 48 KiB): the 128x128 tile for big
  // problems, 64x64 otherwise, and never one over the shared-memory or invocation limits.
  vd_policy h200 = {.shared_memory_bytes = 49152, .subgroup_size = 32, .max_workgroup_invocations = 1024,
                    .coopmat = true, .coopmat_m = 16, .coopmat_n = 16, .coopmat_k = 16};
  vd_gemm_coopmat_tile big = vd_gemm_coopmat_tile_choose(&h200, 4096, 4096, 1);
  CHECK(big.bm == 128 && big.bn == 128 && big.invocations == 512);
  vd_gemm_coopmat_tile small = vd_gemm_coopmat_tile_choose(&h200, 77, 768, 1);
  CHECK(small.bm == 64 && small.bn == 64 && small.invocations == 128);
  h200.shared_memory_bytes = 32768;
  CHECK(vd_gemm_coopmat_tile_choose(&h200, 4096, 4096, 1).bm == 64);
}

// The cooperative-matrix kernel: the device's (hardware, test_op_matmul_coopmat: an H200, never lavapipe)
// or its emulated twin (same tiling, matrix operations in shared memory; runs everywhere the shader is
// built). fp16 operands, so the fp16 bounds apply to both storage precisions.
static void test_coopmat(const vdt_env *env, bool hardware) {
  for (int pi = 0; pi < 2; ++pi) {
    vd_precision prec = pi ? VD_PRECISION_F16 : VD_PRECISION_F32;
    vd_op_env op = vdt_op_env(env, prec);
    vd_gemm_variant v = hardware ? VD_GEMM_VARIANT_COOPMAT : VD_GEMM_VARIANT_COOPMAT_EMULATED;
    const char *shader = vd_gemm_coopmat_shader("matmul", !hardware);
    if (!vdt_coopmat_or_skip(env, prec, shader)) continue;
    vd_matmul_params p = vd_matmul_params_dense(1, 1024, 1280, 320, VD_MATMUL_B_NK, false);
    p.variant = v;
    printf("coopmat matmul %s (%s): %s\n", shader, vd_precision_name(prec), vd_op_matmul_variant(&op, &p));
    test_sweep(env, prec, v, true);
    test_split(env, prec, v, true);
  }
}

// The portable kernels, the emulated coopmat twin, goldens, policies and errors; `coopmat` as the argument:
// only the device's cooperative-matrix kernel (the ctest test test_op_matmul_coopmat, label needs-coopmat).
int main(int argc, char **argv) {
  vdt_env env = vdt_env_create();
  if (argc > 1 && strcmp(argv[1], "coopmat") == 0) {
    test_coopmat(&env, true);
    CHECK(vdt_env_destroy(&env) == 0);
    return vdt_finish("test_op_matmul coopmat");
  }
  test_tile_policy();
  test_split_policy();
  for (int pi = 0; pi < 2; ++pi) {
    vd_precision prec = pi ? VD_PRECISION_F16 : VD_PRECISION_F32;
    test_sweep(&env, prec, VD_GEMM_VARIANT_PORTABLE, false);
    test_split(&env, prec, VD_GEMM_VARIANT_PORTABLE, false);
    test_tiles(&env, prec);
    test_golden(&env, prec);
  }
  {
    vd_op_env op = vdt_op_env(&env, VD_PRECISION_F32);
    vd_matmul_params p = vd_matmul_params_dense(1, 1024, 1280, 320, VD_MATMUL_B_NK, false);
    printf("matmul 1024x1280x320 fp32 variant: %s\n", vd_op_matmul_variant(&op, &p));
  }
  test_coopmat(&env, false);
  test_errors(&env);
  CHECK(vdt_env_destroy(&env) == 0);
  return vdt_finish("test_op_matmul");
}
