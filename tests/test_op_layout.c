// Layout ops against double-precision CPU references in fp32 and fp16 storage: concat, permute (general
// and tiled-transpose paths), nearest 2x, bilinear (align_corners true/false) and bicubic resize
// (including DINO's scale-factor form), average pooling (the image score's chain of eight 8x8 pools), max
// pooling (ResNet's 3x3 / 2 / 1 stem at full size, odd sizes, all-negative inputs so zero padding would show, NaN),
// pixel shuffle / unshuffle in InternVL's and torch's orders. Outputs are poisoned.
#include <math.h>
#include <stdint.h>

#include "graph/op_layout.h"
#include "tests/ref/ref_layout.h"
#include "tests/vdtest.h"
#include "tests/vdtest_ops.h"

static void check_out(const vdt_env *env, vd_precision prec, const vd_buffer *yb, const double *want, size_t n,
                      double tol, const char *what) {
  float *got = vdt_download(env, prec, yb, n);
  CHECK_CLOSE(vdt_op_bounds(prec, tol), got, want, n, "%s %s", what, vd_precision_name(prec));
  free(got);
}

static void test_concat(const vdt_env *env, vd_precision prec, vdt_rng *rng) {
  static const struct { uint32_t count, outer, inner, sizes[4]; } cases[] = {
      {2, 2, 32 * 32, {320, 320}},  // UNet skip concat (full size)
      {2, 1, 8 * 8, {1280, 640}},
      {3, 3, 33, {1, 3, 7}},
      {4, 1, 1, {5, 1, 77, 2}},
  };
  vd_op_env oe = vdt_op_env(env, prec);
  for (size_t t = 0; t < sizeof cases / sizeof *cases; ++t) {
    vd_concat_params p = {cases[t].count, cases[t].outer, cases[t].inner, {0}};
    float *in[4];
    vd_buffer *bufs[4];
    vd_view views[4];
    size_t ny = 0;
    for (uint32_t i = 0; i < p.count; ++i) {
      p.sizes[i] = cases[t].sizes[i];
      size_t n = (size_t)p.outer * p.sizes[i] * p.inner;
      ny += n;
      in[i] = vdt_random(rng, n, -4, 4, prec);
      bufs[i] = vdt_upload(env, prec, in[i], n);
      views[i] = vd_view_of(bufs[i]);
    }
    double *want = malloc(ny * sizeof(double));
    ref_concat(p.count, (const float *const *)in, p.sizes, p.outer, p.inner, want);
    vd_buffer *yb = vdt_poisoned(env, prec, ny);
    vdt_begin(env);
    CHECK_OK(vd_op_concat(&oe, &p, views, vd_view_of(yb)));
    vdt_submit(env);
    check_out(env, prec, yb, want, ny, 0, "concat");
    for (uint32_t i = 0; i < p.count; ++i) vd_buffer_destroy(env->ctx, bufs[i]), free(in[i]);
    vd_buffer_destroy(env->ctx, yb);
    free(want);
  }
}

static void test_slice(const vdt_env *env, vd_precision prec, vdt_rng *rng) {
  static const vd_slice_params cases[] = {
      {1, 8, 0, 4, 32 * 32},  // VAE moments: mean
      {2, 8, 4, 4, 32 * 32},  // logvar, batch 2
      {3, 7, 2, 3, 5},
      {1, 1, 0, 1, 1},
      {4, 33, 32, 1, 7},
  };
  vd_op_env oe = vdt_op_env(env, prec);
  for (size_t t = 0; t < sizeof cases / sizeof *cases; ++t) {
    const vd_slice_params *p = &cases[t];
    size_t nx = (size_t)p->outer * p->dim * p->inner, ny = (size_t)p->outer * p->len * p->inner;
    float *x = vdt_random(rng, nx, -4, 4, prec);
    double *want = malloc(ny * sizeof(double));
    for (size_t o = 0; o < p->outer; ++o)
      for (size_t r = 0; r < (size_t)p->len * p->inner; ++r)
        want[o * p->len * p->inner + r] = x[o * p->dim * p->inner + (size_t)p->start * p->inner + r];
    vd_buffer *xb = vdt_upload(env, prec, x, nx), *yb = vdt_poisoned(env, prec, ny);
    vdt_begin(env);
    CHECK_OK(vd_op_slice(&oe, p, vd_view_of(xb), vd_view_of(yb)));
    vdt_submit(env);
    check_out(env, prec, yb, want, ny, 0, "slice");
    vd_buffer_destroy(env->ctx, xb);
    vd_buffer_destroy(env->ctx, yb);
    free(x);
    free(want);
  }
  vd_slice_params bad = {1, 4, 3, 2, 1};  // [3, 5) outside 4
  CHECK_ERR(vd_op_slice(&oe, &bad, (vd_view){0}, (vd_view){0}), VD_ERR_INVALID_ARGUMENT);
}

static void run_permute(const vdt_env *env, vd_precision prec, vdt_rng *rng, const vd_permute_params *p) {
  size_t n = (size_t)p->shape[0] * p->shape[1] * p->shape[2] * p->shape[3];
  float *x = vdt_random(rng, n, -4, 4, prec);
  double *want = malloc(n * sizeof(double));
  ref_permute(p->shape, p->perm, x, want);
  vd_buffer *xb = vdt_upload(env, prec, x, n), *yb = vdt_poisoned(env, prec, n);
  vd_op_env oe = vdt_op_env(env, prec);
  vdt_begin(env);
  CHECK_OK(vd_op_permute(&oe, p, vd_view_of(xb), vd_view_of(yb)));
  vdt_submit(env);
  char what[128];
  snprintf(what, sizeof what, "permute %ux%ux%ux%u by %u%u%u%u (%s)", p->shape[0], p->shape[1], p->shape[2],
           p->shape[3], p->perm[0], p->perm[1], p->perm[2], p->perm[3], vd_op_permute_variant(p));
  check_out(env, prec, yb, want, n, 0, what);
  vd_buffer_destroy(env->ctx, xb), vd_buffer_destroy(env->ctx, yb);
  free(x), free(want);
}

static void test_permute(const vdt_env *env, vd_precision prec, vdt_rng *rng) {
  // every permutation of a small odd shape
  for (uint32_t a = 0; a < 4; ++a)
    for (uint32_t b = 0; b < 4; ++b)
      for (uint32_t c = 0; c < 4; ++c)
        for (uint32_t d = 0; d < 4; ++d) {
          if (a == b || a == c || a == d || b == c || b == d || c == d) continue;
          vd_permute_params p = {{3, 5, 7, 11}, {a, b, c, d}};
          run_permute(env, prec, rng, &p);
        }
  static const vd_permute_params real[] = {
      {{2, 320, 32, 32}, {0, 2, 3, 1}},  // NCHW -> NHWC (SpatialTransformer tokens, full size)
      {{2, 16, 16, 320}, {0, 3, 1, 2}},  // and back
      {{1, 1, 1025, 384}, {0, 1, 3, 2}},
      {{1, 28, 28, 33}, {0, 3, 1, 2}},   // pos-embedding grid to NCHW
      {{2, 77, 12, 64}, {0, 2, 1, 3}},   // heads split
      {{1, 1, 1, 7}, {3, 2, 1, 0}},
  };
  for (size_t i = 0; i < sizeof real / sizeof *real; ++i) run_permute(env, prec, rng, &real[i]);
  vd_permute_params t = {{1, 1, 1, 1}, {0, 1, 3, 2}};
  CHECK(vd_op_permute_variant(&(vd_permute_params){{2, 320, 16, 16}, {0, 2, 3, 1}})[7] == '_');
  (void)t;
}

static void test_upsample(const vdt_env *env, vd_precision prec, vdt_rng *rng) {
  static const uint32_t shapes[][4] = {{1, 1280, 8, 8}, {2, 640, 4, 4}, {1, 3, 7, 5}, {1, 1, 1, 1}};
  vd_op_env oe = vdt_op_env(env, prec);
  for (size_t s = 0; s < sizeof shapes / sizeof *shapes; ++s) {
    uint32_t n = shapes[s][0], c = shapes[s][1], h = shapes[s][2], w = shapes[s][3];
    size_t nx = (size_t)n * c * h * w;
    float *x = vdt_random(rng, nx, -4, 4, prec);
    double *want = malloc(4 * nx * sizeof(double));
    ref_upsample_nearest2x(n * c, h, w, x, want);
    vd_buffer *xb = vdt_upload(env, prec, x, nx), *yb = vdt_poisoned(env, prec, 4 * nx);
    vdt_begin(env);
    CHECK_OK(vd_op_upsample_nearest2x(&oe, n, c, h, w, vd_view_of(xb), vd_view_of(yb)));
    vdt_submit(env);
    check_out(env, prec, yb, want, 4 * nx, 0, "upsample_nearest2x");
    vd_buffer_destroy(env->ctx, xb), vd_buffer_destroy(env->ctx, yb);
    free(x), free(want);
  }
}

static void test_resize(const vdt_env *env, vd_precision prec, vdt_rng *rng) {
  static const vd_resize_params cases[] = {
      {VD_RESIZE_BILINEAR, true, 1, 1, 32, 32, 256, 256, 0, 0},  // anomaly map
      {VD_RESIZE_BILINEAR, false, 1, 2, 32, 32, 256, 256, 0, 0},
      {VD_RESIZE_BILINEAR, true, 2, 3, 33, 9, 7, 20, 0, 0},
      {VD_RESIZE_BILINEAR, false, 2, 3, 33, 9, 7, 20, 0, 0},
      {VD_RESIZE_BILINEAR, false, 1, 2, 5, 7, 11, 13, 0.5, 3.0},  // scale-factor form
      {VD_RESIZE_BILINEAR, true, 1, 1, 1, 5, 1, 9, 0, 0},
      {VD_RESIZE_BILINEAR, false, 1, 1, 6, 6, 6, 6, 0, 0},
      {VD_RESIZE_BICUBIC, false, 1, 24, 28, 28, 32, 32, 32.1 / 28, 32.1 / 28},  // DINO pos-embedding
      {VD_RESIZE_BICUBIC, false, 1, 5, 28, 28, 32, 32, 0, 0},
      {VD_RESIZE_BICUBIC, false, 2, 3, 13, 7, 7, 13, 0, 0},
      {VD_RESIZE_BICUBIC, true, 2, 3, 13, 7, 7, 13, 0, 0},
      {VD_RESIZE_BICUBIC, false, 1, 4, 32, 32, 32, 32, 0, 0},  // InternViT at 448: identity
  };
  vd_op_env oe = vdt_op_env(env, prec);
  for (size_t t = 0; t < sizeof cases / sizeof *cases; ++t) {
    const vd_resize_params *p = &cases[t];
    uint32_t planes = p->n * p->c;
    size_t nx = (size_t)planes * p->in_h * p->in_w, ny = (size_t)planes * p->out_h * p->out_w;
    float *x = vdt_random(rng, nx, -2, 2, prec);
    double *want = malloc(ny * sizeof(double));
    double sh = vd_resize_source_step(p->in_h, p->out_h, p->align_corners, p->scale_factor_h);
    double sw = vd_resize_source_step(p->in_w, p->out_w, p->align_corners, p->scale_factor_w);
    ref_resize(p->mode == VD_RESIZE_BICUBIC, p->align_corners, planes, p->in_h, p->in_w, p->out_h, p->out_w, sh, sw,
               x, want);
    vd_buffer *xb = vdt_upload(env, prec, x, nx), *yb = vdt_poisoned(env, prec, ny);
    vdt_begin(env);
    CHECK_OK(vd_op_resize(&oe, p, vd_view_of(xb), vd_view_of(yb)));
    vdt_submit(env);
    char what[96];
    snprintf(what, sizeof what, "resize case %zu", t);
    check_out(env, prec, yb, want, ny, vdt_tol(prec, 0), what);
    vd_buffer_destroy(env->ctx, xb), vd_buffer_destroy(env->ctx, yb);
    free(x), free(want);
  }
}

static void test_avgpool(const vdt_env *env, vd_precision prec, vdt_rng *rng) {
  static const vd_avgpool_params cases[] = {{1, 1, 256, 256, 8}, {2, 3, 9, 7, 3}, {1, 2, 5, 5, 1}, {1, 1, 7, 7, 7}};
  vd_op_env oe = vdt_op_env(env, prec);
  for (size_t t = 0; t < sizeof cases / sizeof *cases; ++t) {
    const vd_avgpool_params *p = &cases[t];
    size_t planes = (size_t)p->n * p->c, nx = planes * p->h * p->w;
    size_t ny = planes * (p->h - p->k + 1) * (p->w - p->k + 1);
    float *x = vdt_random(rng, nx, -2, 2, prec);
    double *want = malloc(ny * sizeof(double));
    ref_avgpool(planes, p->h, p->w, p->k, x, want);
    vd_buffer *xb = vdt_upload(env, prec, x, nx), *yb = vdt_poisoned(env, prec, ny);
    vdt_begin(env);
    CHECK_OK(vd_op_avgpool(&oe, p, vd_view_of(xb), vd_view_of(yb)));
    vdt_submit(env);
    check_out(env, prec, yb, want, ny, vdt_tol(prec, 0), "avgpool");
    vd_buffer_destroy(env->ctx, xb), vd_buffer_destroy(env->ctx, yb);
    free(x), free(want);
  }
  // The image score's chain: eight 8x8 pools in succession (here 96 -> 40), one recording.
  uint32_t h = 96;
  float *x = vdt_random(rng, (size_t)h * h, 0, 1, prec);
  double *ref = malloc((size_t)h * h * sizeof(double)), *tmp = malloc((size_t)h * h * sizeof(double));
  float *cur = malloc((size_t)h * h * sizeof(float));
  memcpy(cur, x, (size_t)h * h * sizeof(float));
  vd_buffer *a = vdt_upload(env, prec, x, (size_t)h * h), *b = vdt_poisoned(env, prec, (size_t)h * h);
  vdt_begin(env);
  uint32_t s = h;
  for (int i = 0; i < 8; ++i, s -= 7) {
    vd_avgpool_params p = {1, 1, s, s, 8};
    CHECK_OK(vd_op_avgpool(&oe, &p, vd_view_of(i % 2 ? b : a), vd_view_of(i % 2 ? a : b)));
    vd_cmd_barrier(env->cmd);
    ref_avgpool(1, s, s, 8, cur, tmp);
    for (size_t k = 0; k < (size_t)(s - 7) * (s - 7); ++k) cur[k] = (float)tmp[k], ref[k] = tmp[k];
  }
  vdt_submit(env);
  check_out(env, prec, a, ref, (size_t)s * s, vdt_tol(prec, 0), "avgpool x8 chain");
  vd_buffer_destroy(env->ctx, a), vd_buffer_destroy(env->ctx, b);
  free(x), free(ref), free(tmp), free(cur);
}

static void test_maxpool(const vdt_env *env, vd_precision prec, vdt_rng *rng) {
  static const struct { vd_maxpool_params p; float lo, hi; } cases[] = {
      {{1, 64, 128, 128, 3, 2, 1}, -4, 4},  // ResNet-50 stem at 256x256
      {{2, 3, 25, 19, 3, 2, 1}, -5, -1},    // odd sizes, all negative: a zero pad would win at the borders
      {{1, 2, 7, 6, 2, 2, 1}, -3, 3},
      {{1, 1, 5, 5, 1, 1, 0}, -3, 3},
      {{1, 3, 9, 8, 3, 1, 1}, -2, -0.5f},
      {{1, 2, 6, 7, 5, 3, 2}, -3, 3},
  };
  vd_op_env oe = vdt_op_env(env, prec);
  for (size_t t = 0; t < sizeof cases / sizeof *cases; ++t) {
    const vd_maxpool_params *p = &cases[t].p;
    size_t planes = (size_t)p->n * p->c, nx = planes * p->h * p->w;
    size_t ny = planes * vd_maxpool_out_h(p) * vd_maxpool_out_w(p);
    float *x = vdt_random(rng, nx, cases[t].lo, cases[t].hi, prec);
    double *want = malloc(ny * sizeof(double));
    ref_maxpool((uint32_t)planes, p->h, p->w, p->k, p->stride, p->pad, x, want);
    vd_buffer *xb = vdt_upload(env, prec, x, nx), *yb = vdt_poisoned(env, prec, ny);
    vdt_begin(env);
    CHECK_OK(vd_op_maxpool(&oe, p, vd_view_of(xb), vd_view_of(yb)));
    vdt_submit(env);
    char what[64];
    snprintf(what, sizeof what, "maxpool case %zu", t);
    check_out(env, prec, yb, want, ny, 0, what);
    vd_buffer_destroy(env->ctx, xb), vd_buffer_destroy(env->ctx, yb);
    free(x), free(want);
  }
  // A NaN wins its windows (PyTorch's max_pool2d propagates it); the other outputs are untouched.
  vd_maxpool_params p = {1, 1, 4, 4, 3, 2, 1};
  float x[16];
  for (int i = 0; i < 16; ++i) x[i] = (float)i;
  x[5] = NAN;
  vd_buffer *xb = vdt_upload(env, prec, x, 16), *yb = vdt_poisoned(env, prec, 4);
  vdt_begin(env);
  CHECK_OK(vd_op_maxpool(&oe, &p, vd_view_of(xb), vd_view_of(yb)));
  vdt_submit(env);
  float *y = vdt_download(env, prec, yb, 4);
  CHECK_MSG(isnan(y[0]) && isnan(y[1]) && isnan(y[2]) && isnan(y[3]), "maxpool NaN: %g %g %g %g", y[0], y[1], y[2],
            y[3]);
  free(y);
  vd_buffer_destroy(env->ctx, xb), vd_buffer_destroy(env->ctx, yb);
  vd_maxpool_params bad[] = {{1, 1, 4, 4, 3, 2, 2}, {1, 1, 4, 4, 0, 1, 0}, {1, 1, 4, 4, 3, 0, 1}, {1, 1, 1, 1, 4, 1, 1}};
  for (size_t i = 0; i < sizeof bad / sizeof *bad; ++i)
    CHECK_ERR(vd_op_maxpool(&oe, &bad[i], (vd_view){0}, (vd_view){0}), VD_ERR_INVALID_ARGUMENT);
}

static void test_pixel_shuffle(const vdt_env *env, vd_precision prec, vdt_rng *rng) {
  static const vd_pixel_shuffle_params cases[] = {
      {VD_PS_UNSHUFFLE_INTERNVL, 1, 32, 32, 64, 2},  // InternVL 32x32x1024 -> 16x16x4096, channels scaled
      {VD_PS_SHUFFLE_INTERNVL, 2, 6, 4, 3, 2},
      {VD_PS_UNSHUFFLE_NCHW, 2, 6, 4, 3, 2},
      {VD_PS_SHUFFLE_NCHW, 1, 9, 6, 5, 3},
      {VD_PS_UNSHUFFLE_INTERNVL, 1, 9, 6, 5, 3},
  };
  vd_op_env oe = vdt_op_env(env, prec);
  for (size_t t = 0; t < sizeof cases / sizeof *cases; ++t) {
    const vd_pixel_shuffle_params *p = &cases[t];
    size_t n = (size_t)p->n * p->h * p->w * p->c;
    float *x = vdt_random(rng, n, -4, 4, prec);
    double *want = malloc(n * sizeof(double));
    ref_pixel_shuffle(p->mode, p->n, p->h, p->w, p->c, p->r, x, want);
    vd_buffer *xb = vdt_upload(env, prec, x, n), *yb = vdt_poisoned(env, prec, n);
    vdt_begin(env);
    CHECK_OK(vd_op_pixel_shuffle(&oe, p, vd_view_of(xb), vd_view_of(yb)));
    vdt_submit(env);
    char what[64];
    snprintf(what, sizeof what, "pixel_shuffle case %zu", t);
    check_out(env, prec, yb, want, n, 0, what);
    vd_buffer_destroy(env->ctx, xb), vd_buffer_destroy(env->ctx, yb);
    free(x), free(want);
  }
  // The closed form of spec encoders §3.4 on a tiny grid: token (i, j) = [X(2i,2j) | X(2i,2j+1) | X(2i+1,2j) | X(2i+1,2j+1)].
  float grid[4 * 4];
  for (int k = 0; k < 16; ++k) grid[k] = (float)(k + 1);  // X[r][c] = 4r + c + 1, C = 1
  double out[16];
  ref_pixel_shuffle(VD_PS_UNSHUFFLE_INTERNVL, 1, 4, 4, 1, 2, grid, out);
  CHECK(out[4] == 3 && out[5] == 4 && out[6] == 7 && out[7] == 8);  // token (0, 1)
}

int main(void) {
  vdt_env env = vdt_env_create();
  vdt_rng rng = {0x1a7047ULL};
  for (int p = 0; p < 2; ++p) {
    vd_precision prec = (vd_precision)p;
    if (!vdt_has_precision(env.ctx, prec, "layout ops")) continue;
    test_concat(&env, prec, &rng);
    test_slice(&env, prec, &rng);
    test_permute(&env, prec, &rng);
    test_upsample(&env, prec, &rng);
    test_resize(&env, prec, &rng);
    test_avgpool(&env, prec, &rng);
    test_maxpool(&env, prec, &rng);
    test_pixel_shuffle(&env, prec, &rng);
  }
  vd_op_env oe = vdt_op_env(&env, VD_PRECISION_F32);
  vd_pixel_shuffle_params bad = {VD_PS_UNSHUFFLE_NCHW, 1, 5, 4, 1, 2};
  CHECK_ERR(vd_op_pixel_shuffle(&oe, &bad, (vd_view){0}, (vd_view){0}), VD_ERR_INVALID_ARGUMENT);
  CHECK(vdt_env_destroy(&env) == 0);
  return vdt_finish("test_op_layout");
}
