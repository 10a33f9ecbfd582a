// The networks against the PyTorch reference (tests/data/nets, tools/reference/vlmdiff_ref.py) on the tiny
// model of the published structure: VAE encode/decode, eps (UNet + guidance network, both control modes),
// CLIP text, and the whole reconstruct path with injected noise (caption, empty caption, posterior mean),
// in fp32 and fp16. Bounds: vdt_net_bounds (max-abs error over max-abs reference <= 1e-4 in fp32, 2e-2 in
// fp16, and the element and NMSE bounds of tests/vdtest_close.h).
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "models/ldm.h"
#include "runtime/context.h"
#include "tests/nets_tiny.h"
#include "tests/vdtest.h"
#include "tests/vdtest_golden.h"
#include "tests/vdtest_gpu.h"

#define GOLDEN(f) VLMD_SOURCE_DIR "/tests/data/nets/" f

// got against golden tensor `name` of g, within the network bounds (tests/vdtest_close.h).
static void expect_close(const char *what, vd_precision p, const float *got, const vdt_goldens *g, const char *name,
                         size_t n) {
  vdt_bounds b = vdt_net_bounds(p);
  char label[96];
  snprintf(label, sizeof label, "%s (%s)", what, vd_precision_name(p));
  if (vdt_golden_count(g, name) == n) {
    vdt_diff d = vdt_diff_of_f(got, vdt_golden(g, name, NULL, NULL), n, b);
    vdt_diff_print(label, &d, b);
  }
  CHECK_GOLDEN(b, g, name, got, n, label);
}

static uint32_t dim(const vdt_goldens *g, const char *name, int i) {
  int rank = 0;
  int64_t s[8];
  vdt_golden(g, name, &rank, s);
  return (uint32_t)s[i];
}

static void test_vae(vd_ldm *m, vd_precision p) {
  vdt_goldens *g = vdt_goldens_load(GOLDEN("vae_encode.safetensors"));
  uint32_t n = dim(g, "image", 0), h = dim(g, "image", 2), w = dim(g, "image", 3);
  size_t nz = vdt_golden_count(g, "mean");
  float *mean = malloc(nz * 4), *logvar = malloc(nz * 4);
  CHECK_OK(vd_ldm_vae_encode(m, n, h, w, vdt_golden(g, "image", NULL, NULL), mean, logvar));
  expect_close("vae-encode mean", p, mean, g, "mean", nz);
  expect_close("vae-encode logvar", p, logvar, g, "logvar", nz);
  free(mean), free(logvar);
  vdt_goldens_free(g);
  g = vdt_goldens_load(GOLDEN("vae_decode.safetensors"));
  size_t ni = vdt_golden_count(g, "image");
  float *img = malloc(ni * 4);
  CHECK_OK(vd_ldm_vae_decode(m, dim(g, "z", 0), dim(g, "z", 2), dim(g, "z", 3), vdt_golden(g, "z", NULL, NULL), img));
  expect_close("vae-decode image", p, img, g, "image", ni);
  free(img);
  vdt_goldens_free(g);
}

static void test_eps(vd_ldm *m, vd_precision p, const char *file) {
  vdt_goldens *g = vdt_goldens_load(file);
  size_t ne = vdt_golden_count(g, "eps");
  float *eps = malloc(ne * 4);
  CHECK_OK(vd_ldm_eps(m, dim(g, "x", 0), dim(g, "x", 2), dim(g, "x", 3), vdt_golden(g, "x", NULL, NULL),
                      vdt_golden(g, "t", NULL, NULL), vdt_golden(g, "context", NULL, NULL), dim(g, "context", 1),
                      vdt_golden(g, "hint", NULL, NULL), eps));
  expect_close(strstr(file, "full") ? "eps (full control)" : "eps (only_mid_control)", p, eps, g, "eps", ne);
  free(eps);
  vdt_goldens_free(g);
}

static void test_clip(vd_ldm *m, vd_precision p) {
  vdt_goldens *g = vdt_goldens_load(GOLDEN("clip_text.safetensors"));
  size_t nc = vdt_golden_count(g, "context");
  float *ctx = malloc(nc * 4);
  const int32_t *tokens = (const int32_t *)vdt_golden(g, "tokens", NULL, NULL);
  CHECK_OK(vd_ldm_clip_text(m, dim(g, "tokens", 0), dim(g, "tokens", 1), tokens, ctx));
  expect_close("clip-text context", p, ctx, g, "context", nc);
  int32_t bad[77];
  memcpy(bad, tokens, sizeof(bad));
  bad[5] = 1000;  // outside the tiny vocabulary
  CHECK_ERR(vd_ldm_clip_text(m, 1, 77, bad, ctx), VD_ERR_INVALID_ARGUMENT);
  free(ctx);
  vdt_goldens_free(g);
}

static void test_reconstruct(vd_ldm *m, vd_precision p, const char *file, bool posterior_noise) {
  vdt_goldens *g = vdt_goldens_load(file);
  size_t nl = vdt_golden_count(g, "latent"), ns = vdt_golden_count(g, "samples");
  float *latent = malloc(nl * 4), *samples = malloc(ns * 4);
  vd_reconstruct_io io = {.h = dim(g, "image", 2), .w = dim(g, "image", 3), .image = vdt_golden(g, "image", NULL, NULL),
                          .noise = vdt_golden(g, "noise", NULL, NULL),
                          .posterior_noise = posterior_noise ? vdt_golden(g, "posterior_noise", NULL, NULL) : NULL,
                          .context = vdt_golden(g, "context", NULL, NULL),
                          .uncond_context = vdt_golden(g, "uncond_context", NULL, NULL),
                          .ctx_len = dim(g, "context", 1), .latent = latent, .samples = samples};
  CHECK_OK(vd_ldm_reconstruct(m, &io));
  const char *name = strrchr(file, '/') + 1;
  char what[96];
  snprintf(what, sizeof(what), "%.40s latent", name);
  expect_close(what, p, latent, g, "latent", nl);
  snprintf(what, sizeof(what), "%.40s samples", name);
  expect_close(what, p, samples, g, "samples", ns);
  free(latent), free(samples);
  vdt_goldens_free(g);
}

static void run(vd_context *ctx, const vd_ldm_config *cfg, const vd_clip_text_config *clip, const vd_weight_file *wf,
                vd_precision p) {
  vd_ldm *m = NULL;
  vd_ldm_options o = {.precision = p};
  CHECK_OK(vd_ldm_create(ctx, cfg, clip, wf, &o, &m));
  if (!m) return;
  test_vae(m, p);
  test_eps(m, p, GOLDEN("eps.safetensors"));
  test_clip(m, p);
  test_reconstruct(m, p, GOLDEN("reconstruct.safetensors"), true);
  test_reconstruct(m, p, GOLDEN("reconstruct_uncond.safetensors"), true);
  test_reconstruct(m, p, GOLDEN("reconstruct_uncond_mean.safetensors"), false);
  vd_ldm_destroy(m);
  vd_ldm_options full_ctl = {.precision = p, .full_control = true};
  CHECK_OK(vd_ldm_create(ctx, cfg, clip, wf, &full_ctl, &m));
  if (m) test_eps(m, p, GOLDEN("eps_full_control.safetensors"));
  vd_ldm_destroy(m);
}

int main(void) {
  vd_ldm_config cfg;
  vd_clip_text_config clip;
  vdt_tiny_configs(&cfg, &clip);
  const char *path = vdt_tiny_weights(&cfg, &clip, NULL);
  vd_weight_file *wf = NULL;
  CHECK_OK(vd_weight_file_open(path, &wf));
  if (!wf) return vdt_finish("test_nets");
  vd_context *ctx = vdt_context_create();
  run(ctx, &cfg, &clip, wf, VD_PRECISION_F32);
  if (vdt_has_precision(ctx, VD_PRECISION_F16, "networks")) run(ctx, &cfg, &clip, wf, VD_PRECISION_F16);
  CHECK(vdt_context_finish(ctx) == 0);
  vd_weight_file_destroy(wf);
  return vdt_finish("test_nets");
}
