// The model runner's refusals on the tiny model: a config whose guidance-network hint does not have the
// image's channels (the hint is the image itself), and a NaN reaching the VAE posterior from the image or
// from a weight (its logvar would otherwise be clamped to -30 and the NaN lost).
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "models/ldm.h"
#include "tests/nets_tiny.h"
#include "tests/vdtest.h"
#include "tests/vdtest_gpu.h"
#include "tests/weights_util.h"

#define SIDE 64u  // image side: the smallest reconstruct accepts through the command

// A [1, c, SIDE, SIDE] image of values in [-1, 1), allocated to its exact size so ASan sees any overread.
static float *image(int c) {
  size_t n = (size_t)c * SIDE * SIDE;
  float *p = malloc(n * sizeof(float));
  vdt_rng r = {0x1234567ull};
  for (size_t i = 0; i < n; ++i) p[i] = (float)vdt_uniform(&r, -1, 1);
  return p;
}

// Everything vd_ldm_reconstruct needs besides the image, for a latent of `lc` channels and context C.
typedef struct recon_buffers {
  float *noise, *context, *latent, *samples;  // [1,lc,h/8,w/8], [1,77,C], latent, [1,out,h,w]
} recon_buffers;

static vd_reconstruct_io recon_io(const vd_ldm_config *c, const float *img, recon_buffers *b) {
  size_t nz = (size_t)c->unet.in_channels * (SIDE / 8) * (SIDE / 8), nc = 77u * (size_t)c->unet.context_dim;
  b->noise = calloc(nz, sizeof(float));
  b->context = calloc(nc, sizeof(float));
  b->latent = calloc(nz, sizeof(float));
  b->samples = calloc((size_t)c->vae.out_ch * SIDE * SIDE, sizeof(float));
  return (vd_reconstruct_io){.h = SIDE, .w = SIDE, .image = img, .noise = b->noise, .context = b->context,
                             .uncond_context = b->context, .ctx_len = 77, .latent = b->latent,
                             .samples = b->samples};
}

static void recon_free(recon_buffers *b) { free(b->noise), free(b->context), free(b->latent), free(b->samples); }

// hint_channels 4 with 3-channel images: refused when the model is created, naming both keys.
static void test_hint_channels(vd_context *ctx, const vd_ldm_config *tiny) {
  vd_ldm_config cfg = *tiny;
  cfg.control.hint_channels = cfg.vae.in_channels + 1;
  vd_ldm_options o = {.precision = VD_PRECISION_F32, .ddim_steps = 1};
  vd_ldm *m = NULL;
  vd_status st = vd_ldm_create(ctx, &cfg, NULL, NULL, &o, &m);
  const char *msg = vd_status_message(st);
  CHECK_MSG(st && strstr(msg, "hint_channels (4)") && strstr(msg, "in_channels (3)"),
            "hint_channels 4 with 3-channel images was not refused: %s", msg);
  vd_status_free(st);
  if (m) {  // accepted: the hint copy then reads a fourth channel past the 3-channel image (ASan reports it)
    float *img = image(cfg.vae.in_channels);
    recon_buffers b;
    vd_reconstruct_io io = recon_io(&cfg, img, &b);
    vd_status_free(vd_ldm_reconstruct(m, &io));
    recon_free(&b);
    free(img);
    vd_ldm_destroy(m);
  }
}

// A NaN in the image makes the encoder's logvar NaN: an error naming the stage and the tensor.
static void test_nan_posterior(vd_context *ctx, const vd_ldm_config *cfg, const vd_clip_text_config *clip,
                               const vd_weight_file *wf) {
  vd_ldm_options o = {.precision = VD_PRECISION_F32, .ddim_steps = 1};
  vd_ldm *m = NULL;
  CHECK_OK(vd_ldm_create(ctx, cfg, clip, wf, &o, &m));
  if (!m) return;
  float *img = image(cfg->vae.in_channels);
  size_t nz = (size_t)cfg->vae.embed_dim * (SIDE / 8) * (SIDE / 8);
  float *mean = malloc(nz * sizeof(float)), *logvar = malloc(nz * sizeof(float));
  CHECK_OK(vd_ldm_vae_encode(m, 1, SIDE, SIDE, img, mean, logvar));  // finite input: fine
  img[5 * SIDE + 7] = NAN;
  vd_status st = vd_ldm_vae_encode(m, 1, SIDE, SIDE, img, mean, logvar);
  const char *msg = vd_status_message(st);
  CHECK_MSG(st && strstr(msg, "vae-encode") && strstr(msg, "logvar") && strstr(msg, "NaN"),
            "NaN image through vae-encode: %s", msg);
  vd_status_free(st);
  recon_buffers b;
  vd_reconstruct_io io = recon_io(cfg, img, &b);
  st = vd_ldm_reconstruct(m, &io);
  msg = vd_status_message(st);
  CHECK_MSG(st && strstr(msg, "vae-encode") && strstr(msg, "logvar") && strstr(msg, "NaN"),
            "NaN image through reconstruct: %s", msg);
  vd_status_free(st);
  recon_free(&b);
  free(mean), free(logvar), free(img);
  vd_ldm_destroy(m);
}

// The tiny weights with first_stage_model.quant_conv.bias[embed_dim] = NaN: the first logvar channel is NaN,
// the mean stays finite. Returns the patched file's path.
static const char *nan_logvar_weights(const vd_ldm_config *cfg, const vd_weight_file *wf) {
  const vd_weight_tensor *t = vd_weight_file_find(wf, "first_stage_model.quant_conv.bias");
  CHECK(t && t->dtype == VD_WEIGHT_F32 && t->numel == 2 * (uint64_t)cfg->vae.embed_dim);
  FILE *in = fopen(vd_weight_file_path(wf), "rb");
  CHECK(in != NULL);
  if (!t || !in) return NULL;
  vdt_buf b = {0};
  uint8_t chunk[1 << 16];
  size_t n;
  while ((n = fread(chunk, 1, sizeof(chunk), in)) > 0) vdt_buf_put(&b, chunk, n);
  fclose(in);
  const float nan = NAN;
  memcpy(b.data + t->file_offset + 4u * (size_t)cfg->vae.embed_dim, &nan, sizeof(nan));
  const char *path = vdt_write_temp("nan_logvar.safetensors", b.data, b.size);
  vdt_buf_free(&b);
  return path;
}

// A NaN weight that reaches logvar only (the mean is finite): an error naming logvar, not a silent -30.
static void test_nan_logvar_weight(vd_context *ctx, const vd_ldm_config *cfg, const vd_weight_file *tiny) {
  const char *path = nan_logvar_weights(cfg, tiny);
  vd_weight_file *wf = NULL;
  if (path) CHECK_OK(vd_weight_file_open(path, &wf));
  if (!wf) return;
  vd_ldm_options o = {.precision = VD_PRECISION_F32, .ddim_steps = 1};
  vd_ldm *m = NULL;
  CHECK_OK(vd_ldm_create(ctx, cfg, NULL, wf, &o, &m));
  float *img = image(cfg->vae.in_channels);
  size_t nz = (size_t)cfg->vae.embed_dim * (SIDE / 8) * (SIDE / 8);
  float *mean = malloc(nz * sizeof(float)), *logvar = malloc(nz * sizeof(float));
  vd_status st = m ? vd_ldm_vae_encode(m, 1, SIDE, SIDE, img, mean, logvar) : NULL;
  const char *msg = vd_status_message(st);
  CHECK_MSG(st && strstr(msg, "vae-encode") && strstr(msg, "\"logvar\" is NaN"), "NaN logvar weight: %s", msg);
  if (!st) {
    bool finite_mean = true;
    for (size_t i = 0; i < nz; ++i) finite_mean &= isfinite(mean[i]) != 0;
    printf("  accepted: logvar[0] = %g, mean %s\n", (double)logvar[0], finite_mean ? "finite" : "not finite");
  }
  vd_status_free(st);
  free(mean), free(logvar), free(img);
  vd_ldm_destroy(m);
  vd_weight_file_destroy(wf);
}

int main(void) {
  vd_ldm_config cfg;
  vd_clip_text_config clip;
  vdt_tiny_configs(&cfg, &clip);
  vd_weight_file *wf = NULL;
  CHECK_OK(vd_weight_file_open(vdt_tiny_weights(&cfg, &clip, NULL), &wf));
  if (!wf) return vdt_finish("test_ldm_checks");
  vd_context *ctx = vdt_context_create();
  test_hint_channels(ctx, &cfg);
  test_nan_posterior(ctx, &cfg, &clip, wf);
  test_nan_logvar_weight(ctx, &cfg, wf);
  CHECK(vdt_context_finish(ctx) == 0);
  vd_weight_file_destroy(wf);
  return vdt_finish("test_ldm_checks");
}
