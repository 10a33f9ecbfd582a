// models/ — one graph builder and one runner per network (VAE, UNet + semantic-guided network, CLIP text,
// DINO ViT), the weights' upload to the device, the cache of recorded networks and the DDIM sampler. Uses
// formats/, text/ and graph/. This header is its entry point: the latent diffusion model ready to run.
//
// The latent diffusion model of VLMDiff, ready to run: VAE, UNet + guidance network, CLIP text encoder
// and the DDIM sampler on one device with one set of weights. Each entry point builds (and caches) the
// graph for its shapes, records it once and replays it; host data is float32 NCHW (tokens int32).
#ifndef VD_MODELS_LDM_H
#define VD_MODELS_LDM_H

#include <stdbool.h>

#include "formats/config.h"
#include "formats/weight_file.h"
#include "graph/exec.h"
#include "models/ddim.h"

typedef struct vd_ldm_options {
  vd_precision precision;    // storage precision of every network
  bool full_control;         // only_mid_control = false (the YAML value); default false = the test setting
  bool both_branches;        // evaluate both guidance branches even when the contexts are identical
  float guidance_scale;      // 0: the schedule default (9)
  int ddim_steps;            // 0: the default (10)
  uint64_t random_seed;      // random weights (no weight file): their seed
} vd_ldm_options;

typedef struct vd_ldm vd_ldm;

// weights: a combined checkpoint (safetensors or .ckpt) with the reference's key names, or NULL for
// random weights (speed runs). clip: NULL when no text encoder is needed. config is checked with
// vd_ldm_config_validate (the channel counts must agree).
vd_status vd_ldm_create(vd_context *ctx, const vd_ldm_config *config, const vd_clip_text_config *clip,
                        const vd_weight_file *weights, const vd_ldm_options *options, vd_ldm **out_ldm);
void vd_ldm_destroy(vd_ldm *ldm);

// image [n, 3, h, w] -> mean, logvar [n, 4, h/8, w/8] (logvar clamped to [-30, 20] as the posterior does;
// a NaN in either is an error naming it). Channels: vae.in_channels and vae.embed_dim.
vd_status vd_ldm_vae_encode(vd_ldm *ldm, uint32_t n, uint32_t h, uint32_t w, const float *image, float *mean,
                            float *logvar);
// z [n, 4, h, w] (the scaled latent) -> image [n, 3, 8h, 8w].
vd_status vd_ldm_vae_decode(vd_ldm *ldm, uint32_t n, uint32_t h, uint32_t w, const float *z, float *image);
// eps for x [n, 4, h, w], t [n], context [n, ctx_len, context_dim], hint [n, 3, 8h, 8w].
vd_status vd_ldm_eps(vd_ldm *ldm, uint32_t n, uint32_t h, uint32_t w, const float *x, const float *t,
                     const float *context, uint32_t ctx_len, const float *hint, float *eps);
// tokens [n, len] -> context [n, len, hidden].
vd_status vd_ldm_clip_text(vd_ldm *ldm, uint32_t n, uint32_t len, const int32_t *tokens, float *context);

typedef struct vd_reconstruct_io {
  uint32_t h, w;                 // image size (multiple of 8)
  const float *image;            // [1, 3, h, w], normalised as the reference feeds it; also the hint
  const float *noise;            // [1, 4, h/8, w/8]: the q_sample noise at t = 999
  const float *posterior_noise;  // [1, 4, h/8, w/8], or NULL for the posterior mean
  const float *context;          // [1, ctx_len, context_dim]: the caption's context
  const float *uncond_context;   // the empty caption's context
  uint32_t ctx_len;              // context length (77)
  float *latent;                 // out [1, 4, h/8, w/8]: the final DDIM latent
  float *samples;                // out [1, 3, h, w]: its decoding
  void (*progress)(void *user, int step, int steps);  // optional, after every DDIM step
  void *progress_user;
} vd_reconstruct_io;

// Encode, noise to t = 999, DDIM with classifier-free guidance, decode (spec vlmdiff-pipeline §1.4-§1.6).
// When the two contexts are identical (the empty-caption protocol) one branch is evaluated: the result is
// mathematically the same (e_u + s (e_c - e_u) = e_u); options.both_branches forces both.
vd_status vd_ldm_reconstruct(vd_ldm *ldm, const vd_reconstruct_io *io);

// Per-stage GPU timing of the last calls (ms of wall time around submit + wait), for bench.
typedef struct vd_ldm_timing {
  double vae_encode_ms, eps_ms, sampler_ms, vae_decode_ms;
} vd_ldm_timing;
vd_ldm_timing vd_ldm_last_timing(const vd_ldm *ldm);
// Plan-only memory report of the networks at an image size (no weights needed).
vd_status vd_ldm_plan_report(vd_context *ctx, const vd_ldm_config *config, vd_precision precision, uint32_t h,
                             uint32_t w, uint32_t eps_batch, FILE *out);

#endif
