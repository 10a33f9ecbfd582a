// Misc ops against double-precision CPU references in fp32 and fp16 storage: embedding lookup,
// timestep embedding (t from a device buffer, replayed with new timesteps), cosine similarity (NCHW and
// channel-last, eps clamping), SciPy-style Gaussian blur (incl. radius larger than the image), argmax
// over a Qwen2-sized vocabulary with ties, sum / max reductions per row and over whole tensors.
#include <math.h>
#include <stdint.h>

#include "graph/op_misc.h"
#include "tests/ref/ref_misc.h"
#include "tests/vdtest.h"
#include "tests/vdtest_ops.h"

static void check_out(const vdt_env *env, vd_precision prec, const vd_buffer *yb, const double *want, size_t n,
                      double tol, const char *what) {
  float *got = vdt_download(env, prec, yb, n);
  CHECK_CLOSE(vdt_op_bounds(prec, tol), got, want, n, "%s %s", what, vd_precision_name(prec));
  free(got);
}

static void test_embedding(const vdt_env *env, vd_precision prec, vdt_rng *rng) {
  static const uint32_t cases[][3] = {{77, 1000, 768}, {5, 2000, 896}, {1, 1, 1}, {33, 7, 3}};  // tokens, vocab, dim
  vd_op_env oe = vdt_op_env(env, prec);
  for (size_t c = 0; c < sizeof cases / sizeof *cases; ++c) {
    uint32_t tokens = cases[c][0], vocab = cases[c][1], dim = cases[c][2];
    float *table = vdt_random(rng, (size_t)vocab * dim, -1, 1, prec);
    int32_t *ids = malloc(tokens * sizeof(int32_t));
    for (uint32_t t = 0; t < tokens; ++t) ids[t] = (int32_t)(vdt_uniform(rng, 0, vocab));
    ids[tokens - 1] = (int32_t)vocab - 1;
    if (tokens > 2) ids[1] = (int32_t)vocab;  // out of range -> zero row
    size_t n = (size_t)tokens * dim;
    double *want = malloc(n * sizeof(double));
    ref_embedding(tokens, vocab, dim, ids, table, want);
    vd_buffer *tb = vdt_upload(env, prec, table, (size_t)vocab * dim), *ib = vdt_upload_i32(env, ids, tokens);
    vd_buffer *yb = vdt_poisoned(env, prec, n);
    vdt_begin(env);
    CHECK_OK(vd_op_embedding(&oe, tokens, vocab, dim, vd_view_of(ib), vd_view_of(tb), vd_view_of(yb)));
    vdt_submit(env);
    check_out(env, prec, yb, want, n, 0, "embedding");
    // the chunked path used for tables above the per-binding range, forced with small chunks
    vd_buffer_destroy(env->ctx, yb);
    yb = vdt_poisoned(env, prec, n);
    vdt_begin(env);
    vd_embedding_part part = {vd_view_of(tb), vocab};
    CHECK_OK(vd_op_embedding_parts(&oe, tokens, dim, vd_view_of(ib), &part, 1, vd_view_of(yb), 64));
    vdt_submit(env);
    check_out(env, prec, yb, want, n, 0, "embedding chunked");
    vd_buffer_destroy(env->ctx, tb), vd_buffer_destroy(env->ctx, ib), vd_buffer_destroy(env->ctx, yb);
    free(table), free(ids), free(want);
  }
}

// CLIP's real fp32 token table (49408 x 768, 152 MB) is above lavapipe's 128 MiB per buffer: stored as
// two buffers and looked up with vd_op_embedding_parts.
static void test_embedding_big(const vdt_env *env, vdt_rng *rng) {
  const uint32_t tokens = 77, vocab = 49408, dim = 768, split = 30000;
  size_t tn = (size_t)vocab * dim, n = (size_t)tokens * dim;
  float *table = malloc(tn * sizeof(float));
  for (size_t i = 0; i < tn; ++i) table[i] = (float)(i % 9973) * 1e-3f - 5.0f;
  int32_t ids[77];
  for (uint32_t t = 0; t < tokens; ++t) ids[t] = (int32_t)vdt_uniform(rng, 0, vocab);
  ids[0] = 49406, ids[76] = 49407, ids[1] = split - 1, ids[2] = split, ids[3] = -1;
  double *want = malloc(n * sizeof(double));
  ref_embedding(tokens, vocab, dim, ids, table, want);
  vd_buffer *t0 = vdt_upload(env, VD_PRECISION_F32, table, (size_t)split * dim);
  vd_buffer *t1 = vdt_upload(env, VD_PRECISION_F32, table + (size_t)split * dim, (size_t)(vocab - split) * dim);
  vd_buffer *ib = vdt_upload_i32(env, ids, tokens), *yb = vdt_poisoned(env, VD_PRECISION_F32, n);
  vd_embedding_part parts[2] = {{vd_view_of(t0), split}, {vd_view_of(t1), vocab - split}};
  vd_op_env oe = vdt_op_env(env, VD_PRECISION_F32);
  vdt_begin(env);
  CHECK_OK(vd_op_embedding_parts(&oe, tokens, dim, vd_view_of(ib), parts, 2, vd_view_of(yb), 0));
  vdt_submit(env);
  check_out(env, VD_PRECISION_F32, yb, want, n, 0, "embedding CLIP-size table in two buffers");
  vd_buffer_destroy(env->ctx, t0), vd_buffer_destroy(env->ctx, t1), vd_buffer_destroy(env->ctx, ib);
  vd_buffer_destroy(env->ctx, yb);
  free(table), free(want);
}

static void test_timestep(const vdt_env *env, vd_precision prec) {
  static const struct { uint32_t n, dim; int sin_first; float t[4]; } cases[] = {
      {2, 320, 0, {901, 1}}, {4, 320, 1, {0, 999, 501, 101}}, {3, 7, 0, {5, 0.5f, 777}}, {1, 2, 0, {3}}};
  vd_op_env oe = vdt_op_env(env, prec);
  for (size_t c = 0; c < sizeof cases / sizeof *cases; ++c) {
    uint32_t n = cases[c].n, dim = cases[c].dim;
    float freqs[512];
    vd_timestep_freqs(dim, 10000.0, freqs);
    size_t ny = (size_t)n * dim;
    double *want = malloc(ny * sizeof(double));
    vd_buffer *tb = vdt_upload(env, VD_PRECISION_F32, cases[c].t, n);
    vd_buffer *fb = vdt_upload(env, VD_PRECISION_F32, freqs, dim / 2), *yb = vdt_poisoned(env, prec, ny);
    vd_timestep_params p = {n, dim, cases[c].sin_first};
    vdt_begin(env);
    CHECK_OK(vd_op_timestep_embedding(&oe, &p, vd_view_of(tb), vd_view_of(fb), vd_view_of(yb)));
    vdt_submit(env);
    ref_timestep_embedding(n, dim, p.sin_first, cases[c].t, freqs, want);
    check_out(env, prec, yb, want, ny, vdt_tol(prec, 0), "timestep_embedding");
    // replay the recording with other timesteps
    float t2[4] = {801, 701, 601, 401};
    CHECK_OK(vd_buffer_upload(env->ctx, tb, 0, t2, 4ull * n));
    CHECK_OK(vd_cmd_run(env->cmd));
    ref_timestep_embedding(n, dim, p.sin_first, t2, freqs, want);
    check_out(env, prec, yb, want, ny, vdt_tol(prec, 0), "timestep_embedding replay");
    vd_buffer_destroy(env->ctx, tb), vd_buffer_destroy(env->ctx, fb), vd_buffer_destroy(env->ctx, yb);
    free(want);
  }
  // freq_0 = 1 and the last one as the spec's formula gives it
  float f[160];
  vd_timestep_freqs(320, 10000.0, f);
  CHECK(f[0] == 1.0f && fabs(f[159] - exp(-log(10000.0) * 159 / 160)) < 1e-9);
}

static void test_cosine(const vdt_env *env, vd_precision prec, vdt_rng *rng) {
  static const vd_cosine_params cases[] = {
      {1, 384, 32 * 32, 1e-8f, false, true},  // DINO features, anomaly map 1 - cos
      {1, 384, 32 * 32, 1e-8f, true, true},   // straight from the [N, L, C] tokens
      {2, 3, 7, 1e-8f, false, false},
      {2, 1025, 5, 1e-8f, true, false},
      {1, 1, 1, 1e-8f, false, false},
      {1, 3, 9, 1e-8f, false, false},         // tiny vectors (below): the norm clamp at eps matters
  };
  vd_op_env oe = vdt_op_env(env, prec);
  for (size_t c = 0; c < sizeof cases / sizeof *cases; ++c) {
    const vd_cosine_params *p = &cases[c];
    int tiny = c == 5;
    if (tiny && prec == VD_PRECISION_F16) continue;  // 1e-10 is not representable in fp16
    size_t nin = (size_t)p->n * p->c * p->p, nout = (size_t)p->n * p->p;
    float *a = vdt_random(rng, nin, -2, 2, prec), *b = vdt_random(rng, nin, -2, 2, prec);
    if (tiny)
      for (size_t i = 0; i < nin; ++i) a[i] *= 1e-9f;
    double *want = malloc(nout * sizeof(double));
    ref_cosine_similarity(p->n, p->c, p->p, p->channels_last, p->eps, p->one_minus, a, b, want);
    vd_buffer *ab = vdt_upload(env, prec, a, nin), *bb = vdt_upload(env, prec, b, nin);
    vd_buffer *yb = vdt_poisoned(env, prec, nout);
    vdt_begin(env);
    CHECK_OK(vd_op_cosine_similarity(&oe, p, vd_view_of(ab), vd_view_of(bb), vd_view_of(yb)));
    vdt_submit(env);
    char what[64];
    snprintf(what, sizeof what, "cosine_similarity case %zu", c);
    check_out(env, prec, yb, want, nout, vdt_tol(prec, 0), what);
    vd_buffer_destroy(env->ctx, ab), vd_buffer_destroy(env->ctx, bb), vd_buffer_destroy(env->ctx, yb);
    free(a), free(b), free(want);
  }
}

static void test_blur(const vdt_env *env, vd_precision prec, vdt_rng *rng) {
  static const vd_blur_params cases[] = {
      {1, 256, 256, 5.0f, 4.0f},  // the anomaly map
      {2, 7, 5, 2.0f, 4.0f},      // radius 8 > image: repeated reflection
      {3, 33, 1, 1.5f, 4.0f},
      {1, 1, 9, 0.3f, 4.0f},
      {1, 20, 31, 5.0f, 4.0f},
  };
  vd_op_env oe = vdt_op_env(env, prec);
  for (size_t c = 0; c < sizeof cases / sizeof *cases; ++c) {
    const vd_blur_params *p = &cases[c];
    size_t n = (size_t)p->planes * p->h * p->w;
    float *x = vdt_random(rng, n, 0, 1, prec);
    double *want = malloc(n * sizeof(double));
    ref_gaussian_blur(p->planes, p->h, p->w, p->sigma, p->truncate, x, want);
    vd_buffer *xb = vdt_upload(env, prec, x, n), *yb = vdt_poisoned(env, prec, n);
    vd_buffer *sb = vdt_poisoned(env, VD_PRECISION_F32, vd_op_gaussian_blur_scratch_bytes(p) / 4);
    vdt_begin(env);
    CHECK_OK(vd_op_gaussian_blur(&oe, p, vd_view_of(xb), vd_view_of(sb), vd_view_of(yb)));
    vdt_submit(env);
    char what[64];
    snprintf(what, sizeof what, "gaussian_blur case %zu", c);
    check_out(env, prec, yb, want, n, vdt_tol(prec, 0), what);
    vd_buffer_destroy(env->ctx, xb), vd_buffer_destroy(env->ctx, yb), vd_buffer_destroy(env->ctx, sb);
    free(x), free(want);
  }
  CHECK(vd_blur_radius(&cases[0]) == 20);
}

static void test_argmax(const vdt_env *env, vd_precision prec, vdt_rng *rng) {
  static const uint32_t cases[][2] = {{1, 151936}, {1, 151655}, {3, 1025}, {7, 1}, {2, 49408}, {4, 300}};
  vd_op_env oe = vdt_op_env(env, prec);
  for (size_t c = 0; c < sizeof cases / sizeof *cases; ++c) {
    uint32_t rows = cases[c][0], cols = cases[c][1];
    size_t n = (size_t)rows * cols;
    float *x = vdt_random(rng, n, -10, 10, prec);
    if (cols > 5000) x[5000] = x[100] = 20.0f;                   // a tie: the lower index wins
    if (c == 5) for (size_t i = 0; i < n; ++i) x[i] = (float)(i % 7 == 3);  // many ties per row
    int32_t *want = malloc(rows * sizeof(int32_t));
    ref_argmax(rows, cols, x, want);
    vd_buffer *xb = vdt_upload(env, prec, x, n);
    int32_t *poison = malloc(rows * sizeof(int32_t));
    for (uint32_t r = 0; r < rows; ++r) poison[r] = -7;
    vd_buffer *ib = vdt_upload_i32(env, poison, rows);
    vdt_begin(env);
    CHECK_OK(vd_op_argmax(&oe, rows, cols, vd_view_of(xb), vd_view_of(ib)));
    vdt_submit(env);
    int32_t *got = malloc(rows * sizeof(int32_t));
    CHECK_OK(vd_buffer_download(env->ctx, ib, 0, got, rows * 4ull));
    for (uint32_t r = 0; r < rows; ++r)
      CHECK_MSG(got[r] == want[r], "argmax %s %ux%u row %u: got %d want %d", vd_precision_name(prec), rows, cols, r,
                got[r], want[r]);
    vd_buffer_destroy(env->ctx, xb), vd_buffer_destroy(env->ctx, ib);
    free(x), free(want), free(poison), free(got);
  }
}

static void test_reduce(const vdt_env *env, vd_precision prec, vdt_rng *rng) {
  static const vd_reduce_params cases[] = {
      {VD_REDUCE_MAX, 200, 200, true},   // image score: max of the pooled 200x200 map
      {VD_REDUCE_SUM, 200, 200, true},
      {VD_REDUCE_SUM, 77, 768, false},
      {VD_REDUCE_MAX, 77, 768, false},
      {VD_REDUCE_SUM, 1, 151936, true},
      {VD_REDUCE_MAX, 1, 1, true},
      {VD_REDUCE_SUM, 3, 1, false},
      {VD_REDUCE_MAX, 1033, 1025, true},
  };
  vd_op_env oe = vdt_op_env(env, prec);
  for (size_t c = 0; c < sizeof cases / sizeof *cases; ++c) {
    const vd_reduce_params *p = &cases[c];
    size_t n = (size_t)p->rows * p->cols, ny = p->all ? 1 : p->rows;
    float *x = vdt_random(rng, n, -3, 3, prec);
    double *want = malloc((p->all ? 1 : p->rows) * sizeof(double));
    ref_reduce_rows(p->op, p->all ? 1 : p->rows, p->all ? (uint32_t)n : p->cols, x, want);
    vd_buffer *xb = vdt_upload(env, prec, x, n), *yb = vdt_poisoned(env, VD_PRECISION_F32, ny);
    uint64_t sbytes = vd_op_reduce_scratch_bytes(p);
    vd_buffer *sb = sbytes ? vdt_poisoned(env, VD_PRECISION_F32, sbytes / 4) : NULL;
    vdt_begin(env);
    CHECK_OK(vd_op_reduce(&oe, p, vd_view_of(xb), vd_view_of(sb), vd_view_of(yb)));
    vdt_submit(env);
    char what[64];
    snprintf(what, sizeof what, "reduce case %zu", c);
    float *got = vdt_download(env, VD_PRECISION_F32, yb, ny);
    // sums: error relative to sum |x| (fp32 accumulation), max: exact
    double worst = 0;
    for (size_t r = 0; r < ny; ++r) {
      size_t len = p->all ? n : p->cols;
      double scale = 0;
      for (size_t j = 0; j < len; ++j) scale += fabs(x[r * p->cols * !p->all + j]);
      double e = fabs(got[r] - want[r]) / (p->op == VD_REDUCE_SUM ? scale : 1.0);
      worst = isnan(got[r]) ? INFINITY : fmax(worst, e);
    }
    double tol = p->op == VD_REDUCE_MAX ? 0 : 1e-6;
    CHECK_MSG(worst <= tol, "%s %s: err %g > %g", what, vd_precision_name(prec), worst, tol);
    vd_buffer_destroy(env->ctx, xb), vd_buffer_destroy(env->ctx, yb), vd_buffer_destroy(env->ctx, sb);
    free(x), free(want), free(got);
  }
}

int main(void) {
  vdt_env env = vdt_env_create();
  vdt_rng rng = {0x3157ULL};
  for (int p = 0; p < 2; ++p) {
    vd_precision prec = (vd_precision)p;
    if (!vdt_has_precision(env.ctx, prec, "misc ops")) continue;
    test_embedding(&env, prec, &rng);
    test_timestep(&env, prec);
    test_cosine(&env, prec, &rng);
    test_blur(&env, prec, &rng);
    test_argmax(&env, prec, &rng);
    test_reduce(&env, prec, &rng);
  }
  test_embedding_big(&env, &rng);
  vd_op_env oe = vdt_op_env(&env, VD_PRECISION_F32);
  vd_blur_params big = {1, 8, 8, 300.0f, 4.0f};
  vd_buffer *tmp = vdt_poisoned(&env, VD_PRECISION_F32, 64);
  CHECK_ERR(vd_op_gaussian_blur(&oe, &big, vd_view_of(tmp), vd_view_of(tmp), vd_view_of(tmp)), VD_ERR_LIMIT);
  vd_buffer_destroy(env.ctx, tmp);
  CHECK(vdt_env_destroy(&env) == 0);
  return vdt_finish("test_op_misc");
}
