// Group norm (with and without fused SiLU), layer norm, RMS norm and instance norm against the
// double-precision CPU reference: shapes from the networks (scaled down for lavapipe) and odd sizes,
// one-pass rows and rows spanning many workgroups (the VAE decoder's 262,144-element groups), inputs
// with a large mean (variance cancellation), both precisions, subgroup and shared-memory reductions.
#include <stdlib.h>

#include "graph/op_norm.h"
#include "runtime/context.h"
#include "tests/ref/ref_norm.h"
#include "tests/vdtest_golden.h"
#include "tests/vdtest_ops.h"

#define GOLDENS VLMD_SOURCE_DIR "/tests/data/goldens/norm_attn.safetensors"

// Compares a downloaded fp32 result with a golden tensor (PyTorch fp32: max rel bound 1e-4).
static void golden_compare(const vdt_goldens *g, const char *name, const float *got, size_t n) {
  CHECK_GOLDEN(vdt_op_bounds(VD_PRECISION_F32, 1e-4), g, name, got, n, NULL);
}


typedef struct norm_case {
  uint32_t n, c, h, w, groups;  // group/instance norm: NCHW + groups; layer/rms: rows = n, cols = c
  float eps;
  int silu;
  double lo, hi;  // input range
} norm_case;

// Buffers of one run: inputs, poisoned output and scratch.
typedef struct norm_bufs {
  vd_buffer *x, *gamma, *beta, *y, *scratch;
} norm_bufs;

static norm_bufs norm_bufs_create(const vdt_env *env, vd_precision prec, const float *x, size_t n, const float *g,
                                  const float *b, size_t params, uint64_t scratch_bytes) {
  norm_bufs nb = {0};
  nb.x = vdt_upload(env, prec, x, n);
  if (g) nb.gamma = vdt_upload(env, prec, g, params);
  if (b) nb.beta = vdt_upload(env, prec, b, params);
  nb.y = vdt_poisoned(env, prec, n);
  if (scratch_bytes) nb.scratch = vdt_poisoned(env, VD_PRECISION_F32, scratch_bytes / 4);
  return nb;
}

static void norm_bufs_destroy(const vdt_env *env, norm_bufs *nb) {
  vd_buffer *all[5] = {nb->x, nb->gamma, nb->beta, nb->y, nb->scratch};
  for (int i = 0; i < 5; ++i)
    if (all[i]) vd_buffer_destroy(env->ctx, all[i]);
}

// Downloads y, compares with want, reports.
static void norm_compare(const vdt_env *env, vd_precision prec, const norm_bufs *nb, const double *want, size_t n,
                         int long_red, const char *what, const norm_case *k) {
  float *got = vdt_download(env, prec, nb->y, n);
  CHECK_CLOSE(vdt_op_bounds(prec, vdt_tol(prec, long_red)), got, want, n, "%s %s n=%u c=%u h=%u w=%u g=%u", what,
              vd_precision_name(prec), k->n, k->c, k->h, k->w, k->groups);
  free(got);
}

static vd_view opt_view(const vd_buffer *b) { return (vd_view){b, 0}; }

static void test_group_norm(const vdt_env *env, vd_precision prec, vdt_rng *rng) {
  static const norm_case cases[] = {
      {1, 32, 8, 8, 32, 1e-6f, 0, -2, 2},      {2, 64, 16, 16, 32, 1e-5f, 1, -2, 2},
      {2, 320, 8, 8, 32, 1e-5f, 1, -1, 3},     {1, 6, 7, 7, 3, 1e-5f, 1, -2, 2},
      {2, 96, 33, 33, 32, 1e-6f, 0, -2, 2},    {1, 1, 1, 1, 1, 1e-5f, 0, -2, 2},
      {1, 128, 64, 64, 32, 1e-6f, 1, 2, 4},    {1, 8, 256, 256, 2, 1e-6f, 0, 2, 4},  // 262,144 per group
      {1, 4, 1025, 3, 1, 1e-5f, 0, 5, 6},
  };
  for (size_t i = 0; i < sizeof(cases) / sizeof(*cases); ++i) {
    const norm_case *k = &cases[i];
    size_t hw = (size_t)k->h * k->w, n = k->n * k->c * hw;
    vd_group_norm_params p = {k->n, k->c, k->h, k->w, k->groups, k->eps, k->silu != 0};
    float *x = vdt_random(rng, n, k->lo, k->hi, prec), *g = vdt_random(rng, k->c, 0.5, 1.5, prec);
    float *b = vdt_random(rng, k->c, -0.5, 0.5, prec);
    double *want = malloc(n * sizeof(double));
    ref_group_norm(x, g, b, k->n, k->c, hw, k->groups, k->eps, k->silu, want);
    norm_bufs nb = norm_bufs_create(env, prec, x, n, g, b, k->c, vd_group_norm_scratch_bytes(&p));
    vd_op_env oe = vdt_op_env(env, prec);
    vdt_begin(env);
    CHECK_OK(vd_op_group_norm(&oe, &p, opt_view(nb.x), opt_view(nb.gamma), opt_view(nb.beta), opt_view(nb.y),
                              opt_view(nb.scratch)));
    vdt_submit(env);
    norm_compare(env, prec, &nb, want, n, (k->c / k->groups) * hw > VD_NORM_CHUNK, "group_norm", k);
    norm_bufs_destroy(env, &nb);
    free(x), free(g), free(b), free(want);
  }
}

static void test_group_norm_rejects(const vdt_env *env) {
  vd_group_norm_params p = {1, 30, 4, 4, 32, 1e-5f, false};
  vd_buffer *b = vdt_poisoned(env, VD_PRECISION_F32, 30 * 16);
  vd_op_env oe = vdt_op_env(env, VD_PRECISION_F32);
  vdt_begin(env);
  vd_view v = {b, 0};
  CHECK_ERR(vd_op_group_norm(&oe, &p, v, v, v, v, (vd_view){0}), VD_ERR_INVALID_ARGUMENT);
  p.groups = 0;
  CHECK_ERR(vd_op_group_norm(&oe, &p, v, v, v, v, (vd_view){0}), VD_ERR_INVALID_ARGUMENT);
  p = (vd_group_norm_params){1, 128, 64, 64, 32, 1e-5f, false};  // needs scratch, none given
  CHECK_ERR(vd_op_group_norm(&oe, &p, v, v, v, v, (vd_view){0}), VD_ERR_INVALID_ARGUMENT);
  vdt_submit(env);
  vd_buffer_destroy(env->ctx, b);
}

typedef enum row_kind { ROW_LAYER, ROW_LAYER_NO_BETA, ROW_RMS, ROW_INSTANCE } row_kind;

static void test_rows(const vdt_env *env, vd_precision prec, vdt_rng *rng, row_kind kind, const norm_case *cases,
                      size_t count) {
  static const char *names[] = {"layer_norm", "layer_norm(no beta)", "rms_norm", "instance_norm"};
  for (size_t i = 0; i < count; ++i) {
    const norm_case *k = &cases[i];
    size_t rows = kind == ROW_INSTANCE ? (size_t)k->n * k->c : k->n;
    size_t cols = kind == ROW_INSTANCE ? (size_t)k->h * k->w : k->c, n = rows * cols;
    float *x = vdt_random(rng, n, k->lo, k->hi, prec);
    float *g = kind == ROW_INSTANCE ? NULL : vdt_random(rng, cols, 0.5, 1.5, prec);
    float *b = kind == ROW_LAYER ? vdt_random(rng, cols, -0.5, 0.5, prec) : NULL;
    double *want = malloc(n * sizeof(double));
    if (kind == ROW_RMS) ref_rms_norm(x, g, rows, cols, k->eps, want);
    else ref_layer_norm(x, g, b, rows, cols, k->eps, want);
    vd_layer_norm_params lp = {(uint32_t)rows, (uint32_t)cols, k->eps};
    vd_rms_norm_params rp = {(uint32_t)rows, (uint32_t)cols, k->eps};
    vd_instance_norm_params ip = {k->n, k->c, k->h, k->w, k->eps};
    uint64_t sb = kind == ROW_RMS        ? vd_rms_norm_scratch_bytes(&rp)
                  : kind == ROW_INSTANCE ? vd_instance_norm_scratch_bytes(&ip)
                                         : vd_layer_norm_scratch_bytes(&lp);
    norm_bufs nb = norm_bufs_create(env, prec, x, n, g, b, cols, sb);
    vd_op_env oe = vdt_op_env(env, prec);
    vd_view vx = opt_view(nb.x), vg = opt_view(nb.gamma), vb = opt_view(nb.beta), vy = opt_view(nb.y);
    vd_view vs = opt_view(nb.scratch);
    vdt_begin(env);
    if (kind == ROW_RMS) CHECK_OK(vd_op_rms_norm(&oe, &rp, vx, vg, vy, vs));
    else if (kind == ROW_INSTANCE) CHECK_OK(vd_op_instance_norm(&oe, &ip, vx, vy, vs));
    else CHECK_OK(vd_op_layer_norm(&oe, &lp, vx, vg, vb, vy, vs));
    vdt_submit(env);
    norm_compare(env, prec, &nb, want, n, cols > VD_NORM_CHUNK, names[kind], k);
    norm_bufs_destroy(env, &nb);
    free(x), free(g), free(b), free(want);
  }
}

static void test_all(const vdt_env *env, vd_precision prec) {
  vdt_rng rng = {0xabcdefull + prec};
  static const norm_case layer[] = {
      {77, 768, 0, 0, 0, 1e-5f, 0, -2, 2},  {7, 320, 0, 0, 0, 1e-5f, 0, -2, 2},  {3, 1025, 0, 0, 0, 1e-6f, 0, 1, 3},
      {1, 1, 0, 0, 0, 1e-5f, 0, -2, 2},     {33, 384, 0, 0, 0, 1e-6f, 0, -2, 2}, {5, 4096, 0, 0, 0, 1e-5f, 0, -2, 2},
      {2, 10000, 0, 0, 0, 1e-5f, 0, 3, 4},  {1, 3, 0, 0, 0, 1e-6f, 0, -2, 2},
  };
  static const norm_case rms[] = {
      {7, 896, 0, 0, 0, 1e-6f, 0, -2, 2}, {1, 1, 0, 0, 0, 1e-6f, 0, -2, 2},
      {3, 5000, 0, 0, 0, 1e-6f, 0, -2, 2}, {33, 64, 0, 0, 0, 1e-6f, 0, -2, 2},
  };
  static const norm_case inst[] = {
      {2, 4, 32, 32, 0, 1e-5f, 0, -2, 2}, {1, 3, 7, 7, 0, 1e-5f, 0, -2, 2}, {1, 2, 80, 80, 0, 1e-5f, 0, 1, 2},
  };
  test_group_norm(env, prec, &rng);
  test_rows(env, prec, &rng, ROW_LAYER, layer, sizeof(layer) / sizeof(*layer));
  test_rows(env, prec, &rng, ROW_LAYER_NO_BETA, layer, 3);
  test_rows(env, prec, &rng, ROW_RMS, rms, sizeof(rms) / sizeof(*rms));
  test_rows(env, prec, &rng, ROW_INSTANCE, inst, sizeof(inst) / sizeof(*inst));
}

static void test_goldens(const vdt_env *env) {
  vdt_goldens *g = vdt_goldens_load(GOLDENS);
  vd_op_env oe = vdt_op_env(env, VD_PRECISION_F32);
  vd_buffer *gx = vdt_upload_golden(env, g, "gn_x"), *gw = vdt_upload_golden(env, g, "gn_w"), *gb = vdt_upload_golden(env, g, "gn_b");
  vd_buffer *lx = vdt_upload_golden(env, g, "ln_x"), *lw = vdt_upload_golden(env, g, "ln_w"), *lb = vdt_upload_golden(env, g, "ln_b");
  vd_buffer *rx = vdt_upload_golden(env, g, "rms_x"), *rw = vdt_upload_golden(env, g, "rms_w"), *ix = vdt_upload_golden(env, g, "in_x");
  size_t ngn = vdt_golden_count(g, "gn_x"), nln = vdt_golden_count(g, "ln_x"), nrms = vdt_golden_count(g, "rms_x");
  size_t nin = vdt_golden_count(g, "in_x");
  vd_buffer *y[5] = {vdt_poisoned(env, VD_PRECISION_F32, ngn), vdt_poisoned(env, VD_PRECISION_F32, ngn),
                     vdt_poisoned(env, VD_PRECISION_F32, nln), vdt_poisoned(env, VD_PRECISION_F32, nrms),
                     vdt_poisoned(env, VD_PRECISION_F32, nin)};
  vd_group_norm_params gp = {2, 64, 3, 3, 32, 1e-6f, false}, gps = {2, 64, 3, 3, 32, 1e-5f, true};
  vd_layer_norm_params lp = {21, 48, 1e-5f};
  vd_rms_norm_params rp = {5, 64, 1e-6f};
  vd_instance_norm_params ip = {1, 3, 6, 6, 1e-5f};
  vd_view none = {0};
  vdt_begin(env);
  CHECK_OK(vd_op_group_norm(&oe, &gp, vd_view_of(gx), vd_view_of(gw), vd_view_of(gb), vd_view_of(y[0]), none));
  CHECK_OK(vd_op_group_norm(&oe, &gps, vd_view_of(gx), vd_view_of(gw), vd_view_of(gb), vd_view_of(y[1]), none));
  CHECK_OK(vd_op_layer_norm(&oe, &lp, vd_view_of(lx), vd_view_of(lw), vd_view_of(lb), vd_view_of(y[2]), none));
  CHECK_OK(vd_op_rms_norm(&oe, &rp, vd_view_of(rx), vd_view_of(rw), vd_view_of(y[3]), none));
  CHECK_OK(vd_op_instance_norm(&oe, &ip, vd_view_of(ix), vd_view_of(y[4]), none));
  vdt_submit(env);
  const char *names[5] = {"gn_y", "gn_silu_y", "ln_y", "rms_y", "in_y"};
  size_t counts[5] = {ngn, ngn, nln, nrms, nin};
  for (int i = 0; i < 5; ++i) {
    float *got = vdt_download(env, VD_PRECISION_F32, y[i], counts[i]);
    golden_compare(g, names[i], got, counts[i]);
    free(got);
    vd_buffer_destroy(env->ctx, y[i]);
  }
  vd_buffer *in[9] = {gx, gw, gb, lx, lw, lb, rx, rw, ix};
  for (int i = 0; i < 9; ++i) vd_buffer_destroy(env->ctx, in[i]);
  vdt_goldens_free(g);
}

static void run_env(const char *label) {
  vdt_env env = vdt_env_create();
  printf("%s: %s, subgroup reductions %s\n", label, vd_context_device_name(env.ctx),
         env.ctx->policy.subgroup_arith ? "on" : "off");
  test_group_norm_rejects(&env);
  test_goldens(&env);
  for (int p = 0; p < 2; ++p) {
    if (!vdt_has_precision(env.ctx, (vd_precision)p, "norm sweep")) continue;
    test_all(&env, (vd_precision)p);
  }
  CHECK(vdt_env_destroy(&env) == 0);
}

int main(void) {
  run_env("default policy");
  setenv("VLMD_DISABLE_SUBGROUP", "1", 1);  // the shared-memory fallback
  run_env("VLMD_DISABLE_SUBGROUP=1");
  return vdt_finish("test_op_norm");
}
