// vlmdiff forward: one network (or the whole reconstruction) on tensors from a safetensors file, the
// contract tests and other tools rely on. See vd_forward_help for the tensors of each --net.
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "apps/cli.h"
#include "apps/forward_features.h"
#include "apps/forward_anomaly_map.h"
#include "apps/tensor_file.h"
#include "apps/verbs.h"
#include "formats/config_json.h"
#include "formats/config_yaml.h"
#include "models/ldm.h"
#include "text/clip_tokenizer.h"

static void vd_forward_help(void) {
  printf(
      "usage: vlmdiff forward --net NET [--config FILE] --weights FILE (--inputs IN.safetensors | --text T)\n"
      "                       --out OUT.safetensors [--precision fp32|fp16] [--device N|NAME] [options]\n\n"
      "Runs one network on named tensors (NCHW, f32 unless said; extra tensors in the inputs are ignored).\n"
      "Channels come from --config: I = ddconfig.in_channels (3; also the hint), Z = embed_dim (4, the\n"
      "latent), O = out_ch (3, the decoded image).\n"
      "  vae-encode   image [N,I,H,W]                      -> mean, logvar [N,Z,H/8,W/8]\n"
      "  vae-decode   z [N,Z,h,w] (the scaled latent)       -> image [N,O,8h,8w]\n"
      "  eps          x [N,Z,h,w], t [N] (integer-valued, any int or float dtype), context [N,L,C],\n"
      "               hint [N,I,8h,8w]                     -> eps [N,Z,h,w] (UNet + guidance network)\n"
      "  clip-text    tokens [N,L] (int), or --text \"...\" with --tokenizer -> context [N,L,hidden]\n"
      "  reconstruct  image [N,I,H,W]; optional noise, posterior_noise [N,Z,H/8,W/8], context and\n"
      "               uncond_context [1 or N,L,C] (default: the empty caption) -> latent [N,Z,H/8,W/8],\n"
      "               samples [N,O,H,W]\n"
      "  anomaly-map  features_a, features_b [N,C,h,w], or features_a.0, features_b.0, features_a.1, ... (one\n"
      "               pair per level), image_size [1] (H = W) or [2] (int) -> map [N,H,W] (f32, the smoothed\n"
      "               map), score [N] (f64; NaN below 57x57). No --config or --weights; fp32 by default\n");
  vd_forward_features_help();
  printf(
      "\n"
      "--config (required but for dino / resnet50 / anomaly-map) is the ldm YAML (for clip-text: the text encoder's\n"
      "config.json); --weights a .ckpt, .pth or .safetensors with the combined checkpoint's key names.\n"
      "dino / resnet50 options: --dino-arch A (the published ViTs: v1s8, v1s16, v1b8, v1b16), --resnet-variant\n"
      "timm|dino (which levels; default timm), and --precision / --device.\n\n"
      "options:\n"
      "  --precision P       fp32 (parity) or fp16 storage (default: the device's)\n"
      "  --full-control      only_mid_control = false (the YAML's value); default true, as test.py runs it\n"
      "  --posterior M       reconstruct: mean or sample (default sample) when posterior_noise is absent\n"
      "  --seed N            reconstruct: seed of absent noise draws (default 0)\n"
      "  --steps N           DDIM steps (default 10); --guidance S: guidance scale (default 9)\n"
      "  --both-branches     evaluate both guidance branches even when context == uncond_context; by default\n"
      "                      one branch is evaluated then, which is mathematically the same result\n"
      "  --clip-config FILE  reconstruct: the text encoder's config.json, to compute absent contexts\n"
      "  --tokenizer PATH    CLIP tokenizer files (vocab.json + merges.txt, tokenizer.json or\n"
      "                      bpe_simple_vocab_16e6.txt.gz); without it the empty caption is [V-2, V-1 x 76]\n"
      "  --caption TEXT      reconstruct: the conditional caption (needs --tokenizer)\n");
}

typedef struct vd_forward_args {
  const char *net, *config, *weights, *inputs, *out, *precision, *device, *text, *tokenizer;
  const char *clip_config, *posterior, *caption, *seed, *steps, *guidance;
  bool full_control, both_branches;
} vd_forward_args;

static int vd_forward_parse(int argc, char **argv, vd_forward_args *a) {
  struct { const char *name; const char **dst; } opts[] = {
      {"--net", &a->net}, {"--config", &a->config}, {"--weights", &a->weights}, {"--inputs", &a->inputs},
      {"--out", &a->out}, {"--precision", &a->precision}, {"--device", &a->device}, {"--text", &a->text},
      {"--tokenizer", &a->tokenizer}, {"--clip-config", &a->clip_config}, {"--posterior", &a->posterior},
      {"--caption", &a->caption}, {"--seed", &a->seed}, {"--steps", &a->steps}, {"--guidance", &a->guidance}};
  for (int i = 1; i < argc; ++i) {
    if (vd_cli_is_help(argv[i])) return vd_forward_help(), -1;
    if (strcmp(argv[i], "--full-control") == 0) { a->full_control = true; continue; }
    if (strcmp(argv[i], "--both-branches") == 0) { a->both_branches = true; continue; }
    bool matched = false, missing = false;
    for (size_t k = 0; k < sizeof(opts) / sizeof(opts[0]) && !matched; ++k)
      matched = vd_cli_value(argc, argv, &i, opts[k].name, opts[k].dst, &missing);
    if (!matched) return vd_cli_usage_error("forward", "unknown option %s", argv[i]);
    if (missing) return vd_cli_usage_error("forward", "%s needs a value", argv[i]);
  }
  static const char *nets[] = {"vae-encode", "vae-decode", "eps", "clip-text", "reconstruct", "anomaly-map"};  // dino, resnet50: forward_features.c
  bool known = false;
  for (size_t k = 0; a->net && k < 6; ++k) known |= strcmp(a->net, nets[k]) == 0;
  if (!a->net || !known)
    return vd_cli_usage_error("forward", "--net takes vae-encode, vae-decode, eps, clip-text, reconstruct, dino, resnet50 "
                                         "or anomaly-map");
  bool amap = strcmp(a->net, "anomaly-map") == 0;  // no network: no config, no weights
  if (amap && (!a->inputs || !a->out)) return vd_cli_usage_error("forward", "--inputs and --out are required");
  if (!amap && (!a->config || !a->weights || !a->out))
    return vd_cli_usage_error("forward", "--config, --weights and --out are required");
  if (!a->inputs && !(a->text && strcmp(a->net, "clip-text") == 0))
    return vd_cli_usage_error("forward", "--inputs is required (or --text for clip-text)");
  if (a->precision && strcmp(a->precision, "fp32") && strcmp(a->precision, "fp16"))
    return vd_cli_usage_error("forward", "--precision takes fp32 or fp16");
  if (a->posterior && strcmp(a->posterior, "mean") && strcmp(a->posterior, "sample"))
    return vd_cli_usage_error("forward", "--posterior takes mean or sample");
  if ((a->text || a->caption) && !a->tokenizer) return vd_cli_usage_error("forward", "--text/--caption need --tokenizer");
  return 0;
}

// ---- shared state of one forward call -------------------------------------------------------------------

typedef struct vd_forward {
  vd_forward_args a;
  vd_context *ctx;
  vd_weight_file *weights;
  vd_safetensors *inputs;
  vd_ldm *ldm;
  vd_clip_tokenizer *tokenizer;  // loaded once when --tokenizer is given
  vd_ldm_config cfg;
  vd_clip_text_config clip;
  bool has_clip;
  vd_outputs out;
  float *buffers[VD_OUT_MAX];  // output data owned here
} vd_forward;

static float *vd_out_buffer(vd_forward *f, uint64_t count) {
  float *b = calloc(count + 1, sizeof(float));
  for (int i = 0; b && i < VD_OUT_MAX; ++i)
    if (!f->buffers[i]) {
      f->buffers[i] = b;
      return b;
    }
  free(b);
  return NULL;
}

static uint64_t vd_count4(const int64_t *s) { return (uint64_t)s[0] * (uint64_t)s[1] * (uint64_t)s[2] * (uint64_t)s[3]; }

static vd_status vd_run_vae_encode(vd_forward *f) {
  vd_host_array img;
  bool found;
  VD_RETURN_IF_ERROR(vd_input_f32(f->inputs, "image", false, &img, &found));
  int64_t want[4] = {-1, f->cfg.vae.in_channels, -1, -1};
  vd_status st = vd_input_expect("image", &img, 4, want);
  if (!st && (img.shape[2] % 8 || img.shape[3] % 8))
    st = vd_status_make(VD_ERR_INVALID_ARGUMENT, "input image: height and width must be multiples of 8");
  int64_t os[4] = {img.shape[0], f->cfg.vae.embed_dim, img.shape[2] / 8, img.shape[3] / 8};
  float *mean = vd_out_buffer(f, vd_count4(os)), *logvar = vd_out_buffer(f, vd_count4(os));
  if (!st && (!mean || !logvar)) st = vd_status_make(VD_ERR_OUT_OF_MEMORY, "outputs");
  if (!st)
    st = vd_ldm_vae_encode(f->ldm, (uint32_t)img.shape[0], (uint32_t)img.shape[2], (uint32_t)img.shape[3], img.f,
                           mean, logvar);
  vd_outputs_add(&f->out, "mean", 4, os, mean);
  vd_outputs_add(&f->out, "logvar", 4, os, logvar);
  vd_host_array_free(&img);
  return st;
}

static vd_status vd_run_vae_decode(vd_forward *f) {
  vd_host_array z;
  bool found;
  VD_RETURN_IF_ERROR(vd_input_f32(f->inputs, "z", false, &z, &found));
  int64_t want[4] = {-1, f->cfg.vae.embed_dim, -1, -1};
  vd_status st = vd_input_expect("z", &z, 4, want);
  int64_t os[4] = {z.shape[0], f->cfg.vae.out_ch, z.shape[2] * 8, z.shape[3] * 8};
  float *img = st ? NULL : vd_out_buffer(f, vd_count4(os));
  if (!st && !img) st = vd_status_make(VD_ERR_OUT_OF_MEMORY, "outputs");
  if (!st) st = vd_ldm_vae_decode(f->ldm, (uint32_t)z.shape[0], (uint32_t)z.shape[2], (uint32_t)z.shape[3], z.f, img);
  vd_outputs_add(&f->out, "image", 4, os, img);
  vd_host_array_free(&z);
  return st;
}

static vd_status vd_check_timesteps(const vd_host_array *t, int steps) {
  for (uint64_t i = 0; i < t->count; ++i)
    if (t->f[i] != floorf(t->f[i]) || t->f[i] < 0 || t->f[i] >= (float)steps)
      return vd_status_make(VD_ERR_INVALID_ARGUMENT, "input t: element %llu = %g is not an integer timestep in 0..%d",
                            (unsigned long long)i, (double)t->f[i], steps - 1);
  return NULL;
}

static vd_status vd_run_eps(vd_forward *f) {
  vd_host_array x = {0}, t = {0}, c = {0}, h = {0};
  bool found;
  vd_status st = vd_input_f32(f->inputs, "x", false, &x, &found);
  if (!st) st = vd_input_f32(f->inputs, "t", false, &t, &found);
  if (!st) st = vd_input_f32(f->inputs, "context", false, &c, &found);
  if (!st) st = vd_input_f32(f->inputs, "hint", false, &h, &found);
  int64_t n = x.shape[0], lh = x.shape[2], lw = x.shape[3];
  int64_t wx[4] = {-1, f->cfg.unet.in_channels, -1, -1}, wt[1] = {n}, wc[3] = {n, -1, f->cfg.unet.context_dim};
  int64_t wh[4] = {n, f->cfg.control.hint_channels, 8 * lh, 8 * lw};
  if (!st) st = vd_input_expect("x", &x, 4, wx);
  if (!st) st = vd_input_expect("t", &t, 1, wt);
  if (!st) st = vd_input_expect("context", &c, 3, wc);
  if (!st) st = vd_input_expect("hint", &h, 4, wh);
  if (!st) st = vd_check_timesteps(&t, f->cfg.diffusion.timesteps);
  int64_t os[4] = {n, f->cfg.unet.out_channels, lh, lw};
  float *eps = st ? NULL : vd_out_buffer(f, vd_count4(os));
  if (!st && !eps) st = vd_status_make(VD_ERR_OUT_OF_MEMORY, "outputs");
  if (!st)
    st = vd_ldm_eps(f->ldm, (uint32_t)n, (uint32_t)lh, (uint32_t)lw, x.f, t.f, c.f, (uint32_t)c.shape[1], h.f, eps);
  vd_outputs_add(&f->out, "eps", 4, os, eps);
  vd_host_array_free(&x), vd_host_array_free(&t), vd_host_array_free(&c), vd_host_array_free(&h);
  return st;
}

// Tokens for --text / --caption / the empty caption (without a tokenizer: [V-2, (V-1) x 76]).
static vd_status vd_tokens_for(const vd_forward *f, const char *text, int32_t ids[77]) {
  if (f->tokenizer) {
    int len = 0;
    return vd_clip_tokenize(f->tokenizer, text ? text : "", ids, &len);
  }
  if (text && text[0]) return vd_status_make(VD_ERR_INVALID_ARGUMENT, "a caption needs --tokenizer");
  ids[0] = f->clip.vocab_size - 2;
  for (int i = 1; i < 77; ++i) ids[i] = f->clip.vocab_size - 1;
  return NULL;
}

static vd_status vd_run_clip(vd_forward *f) {
  vd_host_array tok = {0};
  vd_status st = NULL;
  if (f->a.text) {
    tok.rank = 2, tok.shape[0] = 1, tok.shape[1] = 77, tok.count = 77;
    tok.i = malloc(77 * sizeof(int32_t));
    st = tok.i ? vd_tokens_for(f, f->a.text, tok.i) : vd_status_make(VD_ERR_OUT_OF_MEMORY, "tokens");
  } else {
    st = vd_input_i32(f->inputs, "tokens", &tok);
    int64_t want[2] = {-1, -1};
    if (!st) st = vd_input_expect("tokens", &tok, 2, want);
  }
  int64_t os[3] = {tok.shape[0], tok.shape[1], f->clip.hidden_size};
  float *ctx = st ? NULL : vd_out_buffer(f, (uint64_t)os[0] * os[1] * os[2]);
  if (!st && !ctx) st = vd_status_make(VD_ERR_OUT_OF_MEMORY, "outputs");
  if (!st) st = vd_ldm_clip_text(f->ldm, (uint32_t)tok.shape[0], (uint32_t)tok.shape[1], tok.i, ctx);
  vd_outputs_add(&f->out, "context", 3, os, ctx);
  vd_host_array_free(&tok);
  return st;
}

// ---- reconstruct ----------------------------------------------------------------------------------------

// Standard normal draws from a seeded generator (splitmix64 + Box-Muller), one stream per (seed, stream).
static void vd_gaussian(uint64_t seed, uint64_t stream, float *out, uint64_t n) {
  uint64_t s = seed * 0x9E3779B97F4A7C15ull + stream * 0xD1B54A32D192ED03ull + 1;
  for (uint64_t i = 0; i < n; i += 2) {
    double u[2];
    for (int k = 0; k < 2; ++k) {
      uint64_t z = (s += 0x9E3779B97F4A7C15ull);
      z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
      z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
      z ^= z >> 31;
      u[k] = ((double)(z >> 11) + 0.5) / 9007199254740992.0;
    }
    double r = sqrt(-2.0 * log(u[0])), a = 2.0 * 3.14159265358979323846 * u[1];
    out[i] = (float)(r * cos(a));
    if (i + 1 < n) out[i + 1] = (float)(r * sin(a));
  }
}

// A context input of [1 or n, L, C], or CLIP of the caption (cond) / the empty caption.
static vd_status vd_context_input(vd_forward *f, const char *name, const char *caption, uint32_t n,
                                  vd_host_array *out) {
  bool found = false;
  VD_RETURN_IF_ERROR(vd_input_f32(f->inputs, name, true, out, &found));
  if (found) {
    int64_t want[3] = {-1, -1, f->cfg.unet.context_dim};
    VD_RETURN_IF_ERROR(vd_input_expect(name, out, 3, want));
    if (out->shape[0] != 1 && out->shape[0] != n)
      return vd_status_make(VD_ERR_INVALID_ARGUMENT, "input %s: batch %lld, expected 1 or %u", name,
                            (long long)out->shape[0], n);
    return NULL;
  }
  if (!f->has_clip)
    return vd_status_make(VD_ERR_INVALID_ARGUMENT, "input %s is absent: give it, or --clip-config (and the text "
                                                   "encoder's weights in --weights) to compute it", name);
  int32_t ids[77];
  VD_RETURN_IF_ERROR(vd_tokens_for(f, caption, ids));
  *out = (vd_host_array){.rank = 3, .shape = {1, 77, f->clip.hidden_size}, .count = 77ull * f->clip.hidden_size};
  out->f = malloc(out->count * sizeof(float));
  if (!out->f) return vd_status_make(VD_ERR_OUT_OF_MEMORY, "context");
  return vd_ldm_clip_text(f->ldm, 1, 77, ids, out->f);
}

static vd_status vd_run_reconstruct(vd_forward *f) {
  vd_host_array img = {0}, noise = {0}, pnoise = {0}, ctx = {0}, unc = {0};
  bool has_noise = false, has_pnoise = false, found;
  vd_status st = vd_input_f32(f->inputs, "image", false, &img, &found);
  int64_t wi[4] = {-1, f->cfg.vae.in_channels, -1, -1};
  if (!st) st = vd_input_expect("image", &img, 4, wi);
  if (!st && (img.shape[2] % 64 || img.shape[3] % 64))
    st = vd_status_make(VD_ERR_INVALID_ARGUMENT, "input image: height and width must be multiples of 64");
  uint32_t n = (uint32_t)img.shape[0], h = (uint32_t)img.shape[2], w = (uint32_t)img.shape[3];
  int64_t zs[4] = {n, f->cfg.unet.in_channels, h / 8, w / 8};
  uint64_t nz = (uint64_t)zs[1] * zs[2] * zs[3];
  uint64_t ni = (uint64_t)f->cfg.vae.in_channels * h * w, no = (uint64_t)f->cfg.vae.out_ch * h * w;  // per item
  if (!st) st = vd_input_f32(f->inputs, "noise", true, &noise, &has_noise);
  if (!st && has_noise) st = vd_input_expect("noise", &noise, 4, zs);
  if (!st) st = vd_input_f32(f->inputs, "posterior_noise", true, &pnoise, &has_pnoise);
  if (!st && has_pnoise) st = vd_input_expect("posterior_noise", &pnoise, 4, zs);
  if (!st) st = vd_context_input(f, "context", f->a.caption, n, &ctx);
  if (!st) st = vd_context_input(f, "uncond_context", "", n, &unc);
  if (!st && ctx.shape[1] != unc.shape[1])
    st = vd_status_make(VD_ERR_INVALID_ARGUMENT, "context and uncond_context differ in length");
  float *latent = st ? NULL : vd_out_buffer(f, n * nz), *samples = st ? NULL : vd_out_buffer(f, n * no);
  float *draw = malloc(2 * nz * sizeof(float) + 8);
  if (!st && (!latent || !samples || !draw)) st = vd_status_make(VD_ERR_OUT_OF_MEMORY, "reconstruct");
  uint64_t seed = f->a.seed ? strtoull(f->a.seed, NULL, 10) : 0;
  bool sample = !f->a.posterior || strcmp(f->a.posterior, "sample") == 0, progress = false;
  for (uint32_t i = 0; !st && i < n; ++i) {
    if (!has_noise) vd_gaussian(seed, 2ull * i, draw, nz);
    if (!has_pnoise && sample) vd_gaussian(seed, 2ull * i + 1, draw + nz, nz);
    uint64_t cstride = (uint64_t)ctx.shape[1] * ctx.shape[2];
    vd_reconstruct_io io = {
        .h = h, .w = w, .image = img.f + i * ni, .noise = has_noise ? noise.f + i * nz : draw,
        .posterior_noise = has_pnoise ? pnoise.f + i * nz : (sample ? draw + nz : NULL),
        .context = ctx.f + (ctx.shape[0] == 1 ? 0 : i * cstride),
        .uncond_context = unc.f + (unc.shape[0] == 1 ? 0 : i * cstride), .ctx_len = (uint32_t)ctx.shape[1],
        .latent = latent + i * nz, .samples = samples + i * no};
    st = vd_ldm_reconstruct(f->ldm, &io);
    if (n > 1) {
      fprintf(stderr, "\rvlmdiff forward: reconstructed %u/%u", i + 1, n);
      progress = true;
    }
  }
  if (progress) fputc('\n', stderr);  // ends the progress line (none when an input was refused first)
  int64_t ss[4] = {n, f->cfg.vae.out_ch, h, w};
  vd_outputs_add(&f->out, "latent", 4, zs, latent);
  vd_outputs_add(&f->out, "samples", 4, ss, samples);
  free(draw);
  vd_host_array_free(&img), vd_host_array_free(&noise), vd_host_array_free(&pnoise);
  vd_host_array_free(&ctx), vd_host_array_free(&unc);
  return st;
}

// ---- setup ----------------------------------------------------------------------------------------------

static vd_status vd_forward_setup(vd_forward *f) {
  const vd_forward_args *a = &f->a;
  bool clip_net = strcmp(a->net, "clip-text") == 0;
  vd_ldm_config_default(&f->cfg);
  vd_clip_text_config_default(&f->clip);
  if (clip_net) {
    VD_RETURN_IF_ERROR(vd_clip_text_config_read_json(a->config, &f->clip, NULL));
    f->has_clip = true;
  } else {
    VD_RETURN_IF_ERROR(vd_ldm_config_read_yaml(a->config, &f->cfg, NULL));
    if (a->clip_config) {
      VD_RETURN_IF_ERROR(vd_clip_text_config_read_json(a->clip_config, &f->clip, NULL));
      f->has_clip = true;
    }
  }
  if (a->tokenizer) VD_RETURN_IF_ERROR(vd_clip_tokenizer_load(a->tokenizer, &f->tokenizer));
  VD_RETURN_IF_ERROR(vd_weight_file_open(a->weights, &f->weights));
  if (a->inputs) VD_RETURN_IF_ERROR(vd_safetensors_open(a->inputs, &f->inputs));
  vd_context_options co = {.device = a->device};
  VD_RETURN_IF_ERROR(vd_context_create(&co, &f->ctx));
  vd_ldm_options lo = {.full_control = a->full_control, .both_branches = a->both_branches,
                       .ddim_steps = a->steps ? atoi(a->steps) : 0,
                       .guidance_scale = a->guidance ? (float)atof(a->guidance) : 0.0f};
  lo.precision = a->precision ? (strcmp(a->precision, "fp16") == 0 ? VD_PRECISION_F16 : VD_PRECISION_F32)
                              : vd_context_default_precision(f->ctx);
  return vd_ldm_create(f->ctx, &f->cfg, f->has_clip ? &f->clip : NULL, f->weights, &lo, &f->ldm);
}

// The --net value, looked up before parsing: dino and resnet50 have their own options (forward_features.c).
// NULL with --help anywhere (the common help answers).
static const char *vd_forward_net(int argc, char **argv) {
  const char *net = NULL;
  for (int i = 1; i < argc; ++i)
    if (vd_cli_is_help(argv[i])) return NULL;
  for (int i = 1; i < argc && !net; ++i) {
    bool missing = false;
    vd_cli_value(argc, argv, &i, "--net", &net, &missing);
  }
  return net;
}

int vd_verb_forward(int argc, char **argv) {
  if (vd_forward_is_feature_net(vd_forward_net(argc, argv))) return vd_forward_features(argc, argv);
  vd_forward f;
  memset(&f, 0, sizeof(f));
  int rc = vd_forward_parse(argc, argv, &f.a);
  if (rc) return rc < 0 ? 0 : rc;
  if (strcmp(f.a.net, "anomaly-map") == 0) return vd_forward_anomaly_map(f.a.inputs, f.a.out, f.a.precision, f.a.device);
  vd_status st = vd_forward_setup(&f);
  if (!st) {
    const char *n = f.a.net;
    st = strcmp(n, "vae-encode") == 0   ? vd_run_vae_encode(&f)
         : strcmp(n, "vae-decode") == 0 ? vd_run_vae_decode(&f)
         : strcmp(n, "eps") == 0        ? vd_run_eps(&f)
         : strcmp(n, "clip-text") == 0  ? vd_run_clip(&f)
                                        : vd_run_reconstruct(&f);
  }
  if (!st) st = vd_outputs_write(&f.out, f.a.out);
  for (int i = 0; i < VD_OUT_MAX; ++i) free(f.buffers[i]);
  vd_ldm_destroy(f.ldm);
  vd_clip_tokenizer_destroy(f.tokenizer);
  vd_context_destroy(f.ctx);
  vd_safetensors_destroy(f.inputs);
  vd_weight_file_destroy(f.weights);
  return st ? vd_cli_fail("forward", st) : 0;
}
