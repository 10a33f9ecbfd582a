// PyTorch / SciPy cross-check of the element, layout and misc ops whose semantics are easy to get
// subtly wrong, from tests/data/goldens/eltwise.safetensors (tools/reference/goldens_eltwise.py):
// GELU variants, GEGLU halves, bilinear align_corners true/false, bicubic (DINO scale-factor form and
// size form), gaussian_filter, cosine similarity (incl. the eps clamp), the ldm timestep embedding,
// InternVL's pixel shuffle, chained avg_pool2d + max, argmax ties. fp32 storage, max rel bound 1e-5 and
// the fp32 op element and NMSE bounds (tests/vdtest_close.h).
#include <math.h>
#include <stdint.h>

#include "graph/op_eltwise.h"
#include "graph/op_layout.h"
#include "graph/op_misc.h"
#include "tests/vdtest.h"
#include "tests/vdtest_golden.h"
#include "tests/vdtest_ops.h"

#define F32 VD_PRECISION_F32

static vdt_goldens *gold;
static vdt_env env;
static vd_op_env oe;

static const float *G(const char *name, size_t *n) {
  int rank;
  int64_t shape[8];
  const float *v = vdt_golden(gold, name, &rank, shape);
  if (n) *n = vdt_golden_count(gold, name);
  return v;
}

static vd_buffer *upload(const char *name, size_t *n) {
  size_t count;
  const float *v = G(name, &count);
  if (n) *n = count;
  return vdt_upload(&env, F32, v, count);
}

// Downloads y and compares it with the golden tensor `want`.
static void compare(const vd_buffer *y, const char *want_name, double tol) {
  size_t n;
  const float *w = G(want_name, &n);
  double *want = malloc(n * sizeof(double));
  for (size_t i = 0; i < n; ++i) want[i] = w[i];
  float *got = vdt_download(&env, F32, y, n);
  vdt_bounds b = vdt_op_bounds(F32, tol);
  vdt_diff d = vdt_diff_of(got, want, n, b);
  vdt_diff_print(want_name, &d, b);
  CHECK_CLOSE(b, got, want, n, "%s", want_name);
  free(got), free(want);
}

static void test_activations(void) {
  // ReLU has no PyTorch golden here (exact; tests/test_op_eltwise.c checks it against the CPU reference).
  static const char *names[] = {"act.silu", "act.gelu_erf", "act.gelu_tanh", "act.quick_gelu"};
  for (int k = 0; k < (int)(sizeof names / sizeof *names); ++k) {
    size_t n;
    vd_buffer *x = upload("act.x", &n), *y = vdt_poisoned(&env, F32, n);
    vdt_begin(&env);
    CHECK_OK(vd_op_activation(&oe, (vd_activation)k, n, vd_view_of(x), vd_view_of(y)));
    vdt_submit(&env);
    compare(y, names[k], 1e-5);
    vd_buffer_destroy(env.ctx, x), vd_buffer_destroy(env.ctx, y);
  }
  vd_buffer *x = upload("geglu.x", NULL), *y = vdt_poisoned(&env, F32, 15);
  vd_gate_params p = {VD_GATE_GEGLU, 3, 5, false};
  vdt_begin(&env);
  CHECK_OK(vd_op_gate_fused(&oe, &p, vd_view_of(x), vd_view_of(y)));
  vdt_submit(&env);
  compare(y, "geglu.y", 1e-5);
  vd_buffer_destroy(env.ctx, x), vd_buffer_destroy(env.ctx, y);
}

static void run_resize(const char *in, const char *out, const vd_resize_params *p) {
  size_t n = (size_t)p->n * p->c * p->out_h * p->out_w;
  vd_buffer *x = upload(in, NULL), *y = vdt_poisoned(&env, F32, n);
  vdt_begin(&env);
  CHECK_OK(vd_op_resize(&oe, p, vd_view_of(x), vd_view_of(y)));
  vdt_submit(&env);
  compare(y, out, 1e-5);
  vd_buffer_destroy(env.ctx, x), vd_buffer_destroy(env.ctx, y);
}

static void test_resize(void) {
  for (int ac = 0; ac < 2; ++ac) {
    vd_resize_params up = {VD_RESIZE_BILINEAR, ac, 1, 1, 8, 8, 29, 29, 0, 0};
    vd_resize_params down = {VD_RESIZE_BILINEAR, ac, 1, 1, 8, 8, 5, 3, 0, 0};
    run_resize("bilinear.x", ac ? "bilinear.up_ac1" : "bilinear.up_ac0", &up);
    run_resize("bilinear.x", ac ? "bilinear.down_ac1" : "bilinear.down_ac0", &down);
  }
  vd_resize_params dino = {VD_RESIZE_BICUBIC, false, 1, 2, 28, 28, 32, 32, 32.1 / 28, 32.1 / 28};
  run_resize("bicubic.pos", "bicubic.dino", &dino);
  vd_resize_params size = {VD_RESIZE_BICUBIC, false, 1, 2, 7, 9, 13, 5, 0, 0};
  run_resize("bicubic.x", "bicubic.size", &size);
}

static void run_blur(const char *in, const char *out, uint32_t h, uint32_t w, float sigma) {
  vd_blur_params p = {1, h, w, sigma, 4.0f};
  vd_buffer *x = upload(in, NULL), *y = vdt_poisoned(&env, F32, (size_t)h * w);
  vd_buffer *s = vdt_poisoned(&env, F32, vd_op_gaussian_blur_scratch_bytes(&p) / 4);
  vdt_begin(&env);
  CHECK_OK(vd_op_gaussian_blur(&oe, &p, vd_view_of(x), vd_view_of(s), vd_view_of(y)));
  vdt_submit(&env);
  compare(y, out, 1e-5);
  vd_buffer_destroy(env.ctx, x), vd_buffer_destroy(env.ctx, y), vd_buffer_destroy(env.ctx, s);
}

static void test_cosine(void) {
  vd_cosine_params p = {1, 16, 30, 1e-8f, false, false};
  vd_buffer *a = upload("cos.a", NULL), *b = upload("cos.b", NULL), *y = vdt_poisoned(&env, F32, 30);
  vdt_begin(&env);
  CHECK_OK(vd_op_cosine_similarity(&oe, &p, vd_view_of(a), vd_view_of(b), vd_view_of(y)));
  vdt_submit(&env);
  compare(y, "cos.y", 1e-5);
  // tiny vectors: b is cos.b[:, :3, :2, :2]
  const float *fb = G("cos.b", NULL);
  float bs[12];
  for (int c = 0; c < 3; ++c)
    for (int i = 0; i < 2; ++i)
      for (int j = 0; j < 2; ++j) bs[(c * 2 + i) * 2 + j] = fb[(c * 6 + i) * 5 + j];
  vd_buffer *ta = upload("cos.tiny_a", NULL), *tb = vdt_upload(&env, F32, bs, 12), *ty = vdt_poisoned(&env, F32, 4);
  vd_cosine_params q = {1, 3, 4, 1e-8f, false, false};
  vdt_begin(&env);
  CHECK_OK(vd_op_cosine_similarity(&oe, &q, vd_view_of(ta), vd_view_of(tb), vd_view_of(ty)));
  vdt_submit(&env);
  compare(ty, "cos.tiny_y", 1e-5);
  vd_buffer *bufs[6] = {a, b, y, ta, tb, ty};
  for (int i = 0; i < 6; ++i) vd_buffer_destroy(env.ctx, bufs[i]);
}

// The kernel gets PyTorch's own freqs table (the argument t*f is then bit-identical); the host table of
// vd_timestep_freqs (correctly rounded expf) is checked against it to 1 ulp separately.
static void test_timestep(void) {
  float freqs[160];
  vd_timestep_freqs(320, 10000.0, freqs);
  const float *tf = G("temb.freqs", NULL);
  int ulps = 0;
  for (int i = 0; i < 160; ++i) {
    int32_t a, b;
    memcpy(&a, &freqs[i], 4), memcpy(&b, &tf[i], 4);
    ulps = abs(a - b) > ulps ? abs(a - b) : ulps;
  }
  CHECK_MSG(ulps <= 1, "timestep freqs: %d ulp from PyTorch's", ulps);
  printf("%-22s max %d ulp from PyTorch's\n", "temb.freqs", ulps);
  vd_buffer *t = upload("temb.t", NULL), *f = upload("temb.freqs", NULL), *y = vdt_poisoned(&env, F32, 4 * 320);
  vd_timestep_params p = {4, 320, false};
  vdt_begin(&env);
  CHECK_OK(vd_op_timestep_embedding(&oe, &p, vd_view_of(t), vd_view_of(f), vd_view_of(y)));
  vdt_submit(&env);
  compare(y, "temb.y", 1e-5);
  vd_buffer_destroy(env.ctx, t), vd_buffer_destroy(env.ctx, f), vd_buffer_destroy(env.ctx, y);
}

static void test_pixel_shuffle_pool_argmax(void) {
  vd_pixel_shuffle_params ps = {VD_PS_UNSHUFFLE_INTERNVL, 1, 8, 8, 6, 2};
  vd_buffer *x = upload("pixel_shuffle.x", NULL), *y = vdt_poisoned(&env, F32, 384);
  vdt_begin(&env);
  CHECK_OK(vd_op_pixel_shuffle(&oe, &ps, vd_view_of(x), vd_view_of(y)));
  vdt_submit(&env);
  compare(y, "pixel_shuffle.y", 0);
  vd_buffer_destroy(env.ctx, x), vd_buffer_destroy(env.ctx, y);

  vd_buffer *a = upload("avgpool.x", NULL), *b = vdt_poisoned(&env, F32, 13 * 13), *c = vdt_poisoned(&env, F32, 36);
  vd_buffer *m = vdt_poisoned(&env, F32, 1);
  vd_avgpool_params p1 = {1, 1, 20, 20, 8}, p2 = {1, 1, 13, 13, 8};
  vd_reduce_params r = {VD_REDUCE_MAX, 6, 6, true};
  vdt_begin(&env);
  CHECK_OK(vd_op_avgpool(&oe, &p1, vd_view_of(a), vd_view_of(b)));
  vd_cmd_barrier(env.cmd);
  CHECK_OK(vd_op_avgpool(&oe, &p2, vd_view_of(b), vd_view_of(c)));
  vd_cmd_barrier(env.cmd);
  CHECK_OK(vd_op_reduce(&oe, &r, vd_view_of(c), (vd_view){0}, vd_view_of(m)));
  vdt_submit(&env);
  compare(c, "avgpool.y", 1e-5);
  compare(m, "avgpool.max", 1e-5);
  vd_buffer_destroy(env.ctx, a), vd_buffer_destroy(env.ctx, b), vd_buffer_destroy(env.ctx, c);
  vd_buffer_destroy(env.ctx, m);

  vd_buffer *ax = upload("argmax.x", NULL);
  int32_t init[2] = {-1, -1}, got[2];
  vd_buffer *ids = vdt_upload_i32(&env, init, 2);
  vdt_begin(&env);
  CHECK_OK(vd_op_argmax(&oe, 2, 6, vd_view_of(ax), vd_view_of(ids)));
  vdt_submit(&env);
  CHECK_OK(vd_buffer_download(env.ctx, ids, 0, got, 8));
  const float *want = G("argmax.y", NULL);
  CHECK_MSG(got[0] == (int)want[0] && got[1] == (int)want[1], "argmax ties: got %d %d want %g %g", got[0], got[1],
            want[0], want[1]);
  vd_buffer_destroy(env.ctx, ax), vd_buffer_destroy(env.ctx, ids);
}

int main(void) {
  gold = vdt_goldens_load(VLMD_SOURCE_DIR "/tests/data/goldens/eltwise.safetensors");
  env = vdt_env_create();
  oe = vdt_op_env(&env, F32);
  test_activations();
  test_resize();
  run_blur("blur.x", "blur.s5", 20, 31, 5.0f);
  run_blur("blur.x2", "blur.s2", 7, 5, 2.0f);
  test_cosine();
  test_timestep();
  test_pixel_shuffle_pool_argmax();
  vdt_goldens_free(gold);
  CHECK(vdt_env_destroy(&env) == 0);
  return vdt_finish("test_op_goldens_eltwise");
}
