#include "models/ldm.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "models/clip_text_encoder.h"
#include "models/dump.h"
#include "models/net_cache.h"
#include "models/unet.h"
#include "models/vae.h"
#include "models/weights_gpu.h"

#define VD_PREFIX_VAE "first_stage_model."
#define VD_PREFIX_UNET "model.diffusion_model."
#define VD_PREFIX_SGN "control_model."
#define VD_PREFIX_CLIP "cond_stage_model.transformer.text_model."

typedef enum vd_net_kind { VD_NET_ENCODE, VD_NET_DECODE, VD_NET_EPS, VD_NET_CLIP } vd_net_kind;

struct vd_ldm {
  vd_context *ctx;
  vd_kernels *kernels;
  vd_ldm_config config;
  vd_clip_text_config clip;
  bool has_clip;
  const vd_weight_file *file;  // NULL: random weights
  vd_ldm_options options;
  vd_weights_gpu *weights;
  vd_ddim_schedule *schedule;
  vd_net_cache nets;  // recorded networks by kind and shape
  vd_ldm_timing timing;
};

static double vd_now_ms(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec * 1e-6;
}

vd_status vd_ldm_create(vd_context *ctx, const vd_ldm_config *config, const vd_clip_text_config *clip,
                        const vd_weight_file *weights, const vd_ldm_options *options, vd_ldm **out_ldm) {
  *out_ldm = NULL;
  VD_RETURN_IF_ERROR(vd_ldm_config_validate(config, "model config"));  // the host copies below rely on it
  vd_ldm *m = calloc(1, sizeof(*m));
  if (!m) return vd_status_make(VD_ERR_OUT_OF_MEMORY, "model");
  m->ctx = ctx;
  m->config = *config;
  m->has_clip = clip != NULL;
  if (clip) m->clip = *clip;
  m->file = weights;
  m->options = options ? *options : (vd_ldm_options){0};
  vd_ddim_config dc = vd_ddim_config_default();
  dc.train_steps = config->diffusion.timesteps;
  dc.linear_start = config->diffusion.linear_start;
  dc.linear_end = config->diffusion.linear_end;
  if (m->options.ddim_steps > 0) dc.sample_steps = m->options.ddim_steps;
  if (m->options.guidance_scale > 0) dc.guidance_scale = m->options.guidance_scale;
  vd_status st = vd_kernels_create(ctx, &m->kernels);
  if (!st) st = vd_weights_gpu_create(ctx, m->options.precision, &m->weights);
  if (!st) st = vd_ddim_schedule_create(&dc, &m->schedule);
  m->nets = (vd_net_cache){.ctx = ctx, .kernels = m->kernels, .weights = m->weights, .precision = m->options.precision};
  if (st) {
    vd_ldm_destroy(m);
    return st;
  }
  *out_ldm = m;
  return NULL;
}

void vd_ldm_destroy(vd_ldm *m) {
  if (!m) return;
  vd_net_cache_clear(&m->nets);
  vd_ddim_schedule_destroy(m->schedule);
  vd_weights_gpu_destroy(m->weights);
  vd_kernels_destroy(m->kernels);
  free(m);
}

vd_ldm_timing vd_ldm_last_timing(const vd_ldm *m) { return m->timing; }

// Builds the graph of one network for the given shapes.
static vd_status vd_build_net(const vd_ldm *m, vd_net_kind kind, uint32_t n, uint32_t h, uint32_t w, uint32_t len,
                              vd_graph *g) {
  const vd_ldm_config *c = &m->config;
  vd_dtype fdt = vd_graph_float_dtype(g);
  vd_tensor_id out = VD_NO_TENSOR, out2 = VD_NO_TENSOR;
  vd_status st = NULL;
  if (kind == VD_NET_ENCODE) {
    int64_t s[4] = {n, c->vae.in_channels, h, w};
    vd_tensor_id image = vd_graph_input(g, "image", fdt, 4, s);
    vd_graph_scope_push(g, "first_stage_model");
    st = vd_vae_encoder_build(g, &c->vae, image, &out, &out2);
    vd_graph_scope_pop(g);
    vd_graph_output(g, out, "mean");
    vd_graph_output(g, out2, "logvar");
  } else if (kind == VD_NET_DECODE) {
    int64_t s[4] = {n, c->vae.embed_dim, h, w};
    vd_tensor_id z = vd_graph_input(g, "z", fdt, 4, s);
    vd_graph_scope_push(g, "first_stage_model");
    st = vd_vae_decoder_build(g, &c->vae, c->diffusion.scale_factor, z, &out);
    vd_graph_scope_pop(g);
    vd_graph_output(g, out, "image");
  } else if (kind == VD_NET_EPS) {
    int64_t xs[4] = {n, c->unet.in_channels, h, w}, ts[1] = {n}, cs[3] = {n, len, c->unet.context_dim};
    int64_t hs[4] = {n, c->control.hint_channels, 8 * (int64_t)h, 8 * (int64_t)w};
    vd_eps_inputs in = {vd_graph_input(g, "x", fdt, 4, xs), vd_graph_input(g, "t", VD_DTYPE_F32, 1, ts),
                        vd_graph_input(g, "context", fdt, 3, cs), vd_graph_input(g, "hint", fdt, 4, hs)};
    st = vd_eps_build(g, &c->unet, &c->control, !m->options.full_control, &in, &out);
    vd_graph_output(g, out, "eps");
  } else {
    int64_t s[2] = {n, len};
    vd_tensor_id tokens = vd_graph_input(g, "tokens", VD_DTYPE_I32, 2, s);
    vd_graph_scope_push(g, "cond_stage_model.transformer.text_model");
    st = vd_clip_text_build(g, &m->clip, tokens, &out);
    vd_graph_scope_pop(g);
    vd_graph_output(g, out, "context");
  }
  if (st) return st;
  return vd_graph_error(g);
}

static vd_status vd_build_cb(void *user, const vd_net_key *k, vd_graph *g) {
  return vd_build_net(user, (vd_net_kind)k->kind, k->n, k->h, k->w, k->len, g);
}

static vd_status vd_load_weights(vd_ldm *m, vd_net_kind kind, const vd_graph *g) {
  if (!m->file) return vd_weights_gpu_random(m->weights, g, m->options.random_seed ^ 0x5eed, 0.05f);
  if (kind == VD_NET_ENCODE || kind == VD_NET_DECODE) return vd_weights_gpu_load(m->weights, g, m->file, VD_PREFIX_VAE);
  if (kind == VD_NET_CLIP) return vd_weights_gpu_load(m->weights, g, m->file, VD_PREFIX_CLIP);
  VD_RETURN_IF_ERROR(vd_weights_gpu_load(m->weights, g, m->file, VD_PREFIX_SGN));
  return vd_weights_gpu_load(m->weights, g, m->file, VD_PREFIX_UNET);
}

static vd_status vd_load_cb(void *user, const vd_net_key *k, const vd_graph *g) {
  return vd_load_weights(user, (vd_net_kind)k->kind, g);
}

static vd_status vd_get_net(vd_ldm *m, vd_net_kind kind, uint32_t n, uint32_t h, uint32_t w, uint32_t len,
                            vd_exec **out_exec) {
  if (kind == VD_NET_CLIP && !m->has_clip)
    return vd_status_make(VD_ERR_INVALID_ARGUMENT, "no CLIP text config was given");
  vd_net_key key = {kind, n, h, w, len};
  return vd_net_cache_get(&m->nets, &key, vd_build_cb, vd_load_cb, m, out_exec);
}

static vd_status vd_run_timed(vd_exec *e, double *ms, const char *tag) {
  double t0 = vd_now_ms();
  vd_status st = vd_exec_run(e);
  *ms = vd_now_ms() - t0;
  return st ? st : vd_dump_after_run(e, tag);
}

// A NaN in the encoder's output is an error naming the tensor: the posterior would hide or spread it.
static vd_status vd_check_not_nan(const char *name, const float *v, uint64_t count) {
  for (uint64_t i = 0; i < count; ++i)
    if (isnan(v[i]))
      return vd_status_make(VD_ERR_INVALID_ARGUMENT, "vae-encode: output \"%s\" is NaN at element %llu of %llu (a NaN "
                            "in the image or the first_stage_model weights)", name, (unsigned long long)i,
                            (unsigned long long)count);
  return NULL;
}

vd_status vd_ldm_vae_encode(vd_ldm *m, uint32_t n, uint32_t h, uint32_t w, const float *image, float *mean,
                            float *logvar) {
  if (h % 8 || w % 8) return vd_status_make(VD_ERR_INVALID_ARGUMENT, "vae-encode: image size %ux%u is not a multiple of 8", h, w);
  vd_exec *e = NULL;
  VD_RETURN_IF_ERROR(vd_get_net(m, VD_NET_ENCODE, n, h, w, 0, &e));
  uint64_t ci = (uint64_t)n * m->config.vae.in_channels * h * w;
  uint64_t co = (uint64_t)n * m->config.vae.embed_dim * (h / 8) * (w / 8);
  VD_RETURN_IF_ERROR(vd_exec_write_f32(e, "image", image, ci));
  VD_RETURN_IF_ERROR(vd_run_timed(e, &m->timing.vae_encode_ms, "vae-encode"));
  VD_RETURN_IF_ERROR(vd_exec_read_f32(e, "mean", mean, co));
  VD_RETURN_IF_ERROR(vd_exec_read_f32(e, "logvar", logvar, co));
  VD_RETURN_IF_ERROR(vd_check_not_nan("logvar", logvar, co));  // before the clamp, which would turn it into -30
  VD_RETURN_IF_ERROR(vd_check_not_nan("mean", mean, co));
  for (uint64_t i = 0; i < co; ++i) logvar[i] = fminf(fmaxf(logvar[i], -30.0f), 20.0f);  // DiagonalGaussian clamp
  return NULL;
}

vd_status vd_ldm_vae_decode(vd_ldm *m, uint32_t n, uint32_t h, uint32_t w, const float *z, float *image) {
  vd_exec *e = NULL;
  VD_RETURN_IF_ERROR(vd_get_net(m, VD_NET_DECODE, n, h, w, 0, &e));
  VD_RETURN_IF_ERROR(vd_exec_write_f32(e, "z", z, (uint64_t)n * m->config.vae.embed_dim * h * w));
  VD_RETURN_IF_ERROR(vd_run_timed(e, &m->timing.vae_decode_ms, "vae-decode"));
  return vd_exec_read_f32(e, "image", image, (uint64_t)n * m->config.vae.out_ch * 64 * h * w);
}

// context and hint may be NULL: they keep what the previous call wrote (constant across DDIM steps).
static vd_status vd_ldm_eps_run(vd_ldm *m, uint32_t n, uint32_t h, uint32_t w, const float *x, const float *t,
                                const float *context, uint32_t ctx_len, const float *hint, float *eps) {
  vd_exec *e = NULL;
  VD_RETURN_IF_ERROR(vd_get_net(m, VD_NET_EPS, n, h, w, ctx_len, &e));
  const vd_ldm_config *c = &m->config;
  uint64_t nx = (uint64_t)n * c->unet.in_channels * h * w;
  VD_RETURN_IF_ERROR(vd_exec_write_f32(e, "x", x, nx));
  VD_RETURN_IF_ERROR(vd_exec_write(e, "t", t, (uint64_t)n * 4));
  if (context)
    VD_RETURN_IF_ERROR(vd_exec_write_f32(e, "context", context, (uint64_t)n * ctx_len * c->unet.context_dim));
  if (hint) VD_RETURN_IF_ERROR(vd_exec_write_f32(e, "hint", hint, (uint64_t)n * c->control.hint_channels * 64 * h * w));
  VD_RETURN_IF_ERROR(vd_run_timed(e, &m->timing.eps_ms, "eps"));
  return vd_exec_read_f32(e, "eps", eps, (uint64_t)n * c->unet.out_channels * h * w);
}

vd_status vd_ldm_eps(vd_ldm *m, uint32_t n, uint32_t h, uint32_t w, const float *x, const float *t,
                     const float *context, uint32_t ctx_len, const float *hint, float *eps) {
  if (!context || !hint) return vd_status_make(VD_ERR_INVALID_ARGUMENT, "eps: context and hint are required");
  return vd_ldm_eps_run(m, n, h, w, x, t, context, ctx_len, hint, eps);
}

vd_status vd_ldm_clip_text(vd_ldm *m, uint32_t n, uint32_t len, const int32_t *tokens, float *context) {
  vd_exec *e = NULL;
  VD_RETURN_IF_ERROR(vd_get_net(m, VD_NET_CLIP, n, 0, 0, len, &e));
  for (uint64_t i = 0; i < (uint64_t)n * len; ++i)
    if (tokens[i] < 0 || tokens[i] >= m->clip.vocab_size)
      return vd_status_make(VD_ERR_INVALID_ARGUMENT, "clip-text: token %d at position %llu is outside the vocabulary "
                                                     "of %d", tokens[i], (unsigned long long)i, m->clip.vocab_size);
  VD_RETURN_IF_ERROR(vd_exec_write(e, "tokens", tokens, (uint64_t)n * len * 4));
  double ms;
  VD_RETURN_IF_ERROR(vd_run_timed(e, &ms, "clip-text"));
  return vd_exec_read_f32(e, "context", context, (uint64_t)n * len * m->clip.hidden_size);
}

// ---- the sampler --------------------------------------------------------------------------------------

typedef struct vd_sampler_state {
  vd_ldm *m;
  const vd_reconstruct_io *io;
  uint32_t h, w;          // latent size
  uint32_t batch;         // 1 (one branch) or 2 ([uncond; cond])
  float *x2, *t2, *ctx2, *hint2, *eps2;  // batched inputs and output
  double eps_ms;          // sum over steps
} vd_sampler_state;

static vd_status vd_sampler_eps(void *user, const float *x, int32_t t, int step, float *out, size_t n) {
  vd_sampler_state *s = user;
  for (uint32_t b = 0; b < s->batch; ++b) {
    memcpy(s->x2 + b * n, x, n * sizeof(float));
    s->t2[b] = (float)t;
  }
  const vd_ldm_config *c = &s->m->config;
  bool first = step == 0;  // context and hint stay in the graph's input buffers for the later steps
  VD_RETURN_IF_ERROR(vd_ldm_eps_run(s->m, s->batch, s->h, s->w, s->x2, s->t2, first ? s->ctx2 : NULL, s->io->ctx_len,
                                    first ? s->hint2 : NULL, s->eps2));
  s->eps_ms += s->m->timing.eps_ms;
  if (s->batch == 2) vd_ddim_guidance_combine(s->eps2, s->eps2 + n, s->m->schedule->config.guidance_scale, out, n);
  else memcpy(out, s->eps2, n * sizeof(float));
  (void)c;
  if (s->io->progress) s->io->progress(s->io->progress_user, step + 1, s->m->schedule->step_count);
  return NULL;
}

static vd_status vd_posterior_sample(vd_ldm *m, const vd_reconstruct_io *io, uint64_t nz, float *z) {
  float *mean = malloc(nz * sizeof(float)), *logvar = malloc(nz * sizeof(float));
  vd_status st = mean && logvar ? vd_ldm_vae_encode(m, 1, io->h, io->w, io->image, mean, logvar)
                                : vd_status_make(VD_ERR_OUT_OF_MEMORY, "latent");
  float sf = m->config.diffusion.scale_factor;
  for (uint64_t i = 0; !st && i < nz; ++i) {
    float v = io->posterior_noise ? mean[i] + expf(0.5f * logvar[i]) * io->posterior_noise[i] : mean[i];
    z[i] = v * sf;
  }
  free(mean);
  free(logvar);
  return st;
}

vd_status vd_ldm_reconstruct(vd_ldm *m, const vd_reconstruct_io *io) {
  if (io->h % 8 || io->w % 8) return vd_status_make(VD_ERR_INVALID_ARGUMENT, "reconstruct: image size %ux%u is not a multiple of 8", io->h, io->w);
  const vd_ldm_config *c = &m->config;
  uint32_t lh = io->h / 8, lw = io->w / 8;
  uint64_t nz = (uint64_t)c->unet.in_channels * lh * lw, nctx = (uint64_t)io->ctx_len * c->unet.context_dim;
  uint64_t nhint = (uint64_t)c->control.hint_channels * io->h * io->w;
  bool same = memcmp(io->context, io->uncond_context, nctx * sizeof(float)) == 0;
  vd_sampler_state s = {m, io, lh, lw, (same && !m->options.both_branches) ? 1u : 2u, NULL, NULL, NULL, NULL, NULL, 0};
  s.x2 = malloc(2 * nz * sizeof(float));
  s.t2 = malloc(2 * sizeof(float));
  s.ctx2 = malloc(2 * nctx * sizeof(float));
  s.hint2 = malloc(2 * nhint * sizeof(float));
  s.eps2 = malloc(2 * nz * sizeof(float));
  vd_status st = s.x2 && s.t2 && s.ctx2 && s.hint2 && s.eps2 ? NULL : vd_status_make(VD_ERR_OUT_OF_MEMORY, "sampler");
  if (!st) {
    memcpy(s.ctx2, io->uncond_context, nctx * sizeof(float));  // [uncond; cond] as the reference batches them
    memcpy(s.ctx2 + nctx, io->context, nctx * sizeof(float));
    memcpy(s.hint2, io->image, nhint * sizeof(float));  // the same hint in both branches
    memcpy(s.hint2 + nhint, io->image, nhint * sizeof(float));
    st = vd_posterior_sample(m, io, nz, io->latent);
  }
  int t_start = c->diffusion.timesteps - 1;
  if (!st) st = vd_ddim_q_sample(m->schedule, t_start, io->latent, io->noise, io->latent, nz);
  double t0 = vd_now_ms();
  if (!st) st = vd_ddim_sample_cpu(m->schedule, io->latent, nz, vd_sampler_eps, &s);
  m->timing.sampler_ms = vd_now_ms() - t0;
  m->timing.eps_ms = s.eps_ms / (m->schedule->step_count ? m->schedule->step_count : 1);
  if (!st && io->samples) st = vd_ldm_vae_decode(m, 1, lh, lw, io->latent, io->samples);
  free(s.x2), free(s.t2), free(s.ctx2), free(s.hint2), free(s.eps2);
  return st;
}

vd_status vd_ldm_plan_report(vd_context *ctx, const vd_ldm_config *config, vd_precision precision, uint32_t h,
                             uint32_t w, uint32_t eps_batch, FILE *out) {
  vd_ldm tmp = {.ctx = ctx, .config = *config, .options = {.precision = precision}};
  struct { vd_net_kind kind; uint32_t n, h, w, len; const char *title; } nets[3] = {
      {VD_NET_ENCODE, 1, h, w, 0, "VAE encoder"},
      {VD_NET_EPS, eps_batch, h / 8, w / 8, 77, "UNet + guidance network"},
      {VD_NET_DECODE, 1, h / 8, w / 8, 0, "VAE decoder"}};
  for (int i = 0; i < 3; ++i) {
    vd_graph *g = NULL;
    vd_exec *e = NULL;
    vd_exec_options po = {.plan_only = true};
    vd_status st = vd_graph_create(precision, &g);
    if (!st) st = vd_build_net(&tmp, nets[i].kind, nets[i].n, nets[i].h, nets[i].w, nets[i].len, g);
    if (!st) st = vd_exec_create(ctx, NULL, g, NULL, NULL, &po, &e);
    if (!st) {
      char title[96];
      snprintf(title, sizeof(title), "%s (batch %u, %s)", nets[i].title, nets[i].n, vd_precision_name(precision));
      vd_exec_print_plan(e, title, out);
    }
    vd_exec_destroy(e);
    vd_graph_destroy(g);
    VD_RETURN_IF_ERROR(st);
  }
  return NULL;
}
