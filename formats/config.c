#include "formats/config.h"

#include <string.h>

static void vd_unet_config_default(vd_unet_config *c) {
  *c = (vd_unet_config){.image_size = 32, .in_channels = 4, .out_channels = 4, .hint_channels = 0,
                        .model_channels = 320, .attention_resolutions = {{4, 2, 1}, 3}, .num_res_blocks = 2,
                        .channel_mult = {{1, 2, 4, 4}, 4}, .num_heads = 8, .num_head_channels = -1,
                        .transformer_depth = 1, .context_dim = 768, .use_spatial_transformer = true,
                        .use_linear_in_transformer = false, .use_checkpoint = true, .legacy = false,
                        .dropout = 0.0f};
}

void vd_ldm_config_default(vd_ldm_config *c) {
  c->diffusion = (vd_diffusion_config){.linear_start = 0.00085f, .linear_end = 0.012f, .timesteps = 1000,
                                       .scale_factor = 0.18215f, .image_size = 32, .channels = 4,
                                       .only_mid_control = false, .use_ema = false};
  vd_unet_config_default(&c->unet);
  vd_unet_config_default(&c->control);
  c->control.out_channels = 0;
  c->control.hint_channels = 3;
  c->vae = (vd_vae_config){.embed_dim = 4, .double_z = true, .z_channels = 4, .resolution = 256, .in_channels = 3,
                           .out_ch = 3, .ch = 128, .ch_mult = {{1, 2, 4, 4}, 4}, .num_res_blocks = 2,
                           .attn_resolutions = {{0}, 0}, .dropout = 0.0f};
}

void vd_clip_text_config_default(vd_clip_text_config *c) {
  *c = (vd_clip_text_config){.vocab_size = 49408, .hidden_size = 768, .intermediate_size = 3072,
                             .num_hidden_layers = 12, .num_attention_heads = 12, .max_position_embeddings = 77,
                             .hidden_act = "quick_gelu", .layer_norm_eps = 1e-5f, .bos_token_id = 49406,
                             .eos_token_id = 49407, .pad_token_id = 49407};
}

void vd_dino_config_default(vd_dino_config *c) {
  *c = (vd_dino_config){.patch_size = 8, .embed_dim = 384, .depth = 12, .num_heads = 6, .mlp_ratio = 4.0f,
                        .layer_norm_eps = 1e-6f, .img_size = 224};
}

// DINO hubconf.py: dino_vits8/16 = vit_small (384, 12 blocks, 6 heads), dino_vitb8/16 = vit_base (768, 12
// blocks, 12 heads); all MLP ratio 4, qkv bias, LayerNorm eps 1e-6, pos_embed trained at 224.
static const struct {
  const char *name;  // --dino_version of test.py
  int patch, dim, heads;
} vd_dino_presets[] = {{"v1s8", 8, 384, 6}, {"v1s16", 16, 384, 6}, {"v1b8", 8, 768, 12}, {"v1b16", 16, 768, 12}};

const char *vd_dino_arch_names(void) { return "v1s8, v1s16, v1b8, v1b16"; }

vd_status vd_dino_config_preset(const char *arch, vd_dino_config *out) {
  for (size_t i = 0; i < sizeof vd_dino_presets / sizeof *vd_dino_presets; ++i)
    if (arch && strcmp(arch, vd_dino_presets[i].name) == 0) {
      vd_dino_config_default(out);
      out->patch_size = vd_dino_presets[i].patch;
      out->embed_dim = vd_dino_presets[i].dim;
      out->num_heads = vd_dino_presets[i].heads;
      return NULL;
    }
  return vd_status_make(VD_ERR_INVALID_ARGUMENT, "unknown DINO arch \"%s\" (known: %s)", arch ? arch : "",
                        vd_dino_arch_names());
}

void vd_resnet_config_default(vd_resnet_config *c) {
  *c = (vd_resnet_config){.stem_width = 64, .layers = {{3, 4, 6, 3}, 4}, .base_width = 64, .expansion = 4,
                          .bn_eps = 1e-5, .variant = VD_RESNET_TIMM};
}

bool vd_resnet_variant_parse(const char *name, vd_resnet_variant *out) {
  if (name && strcmp(name, "timm") == 0) return *out = VD_RESNET_TIMM, true;
  if (name && strcmp(name, "dino") == 0) return *out = VD_RESNET_DINO, true;
  return false;
}

const char *vd_resnet_variant_name(vd_resnet_variant v) { return v == VD_RESNET_DINO ? "dino" : "timm"; }

#define VD_CHECK_POSITIVE(label, section, value)                                                          \
  do {                                                                                                    \
    if ((value) <= 0)                                                                                     \
      return vd_status_make(VD_ERR_FORMAT, "%s: %s%s must be positive, is %d", label, section, &(#value)[3], \
                            (int)(value));                                                                \
  } while (0)

static vd_status vd_unet_validate(const vd_unet_config *c, const char *label, const char *section) {
  VD_CHECK_POSITIVE(label, section, c->in_channels);
  VD_CHECK_POSITIVE(label, section, c->model_channels);
  VD_CHECK_POSITIVE(label, section, c->num_res_blocks);
  VD_CHECK_POSITIVE(label, section, c->context_dim);
  VD_CHECK_POSITIVE(label, section, c->transformer_depth);
  if (c->channel_mult.count < 1)
    return vd_status_make(VD_ERR_FORMAT, "%s: %schannel_mult is empty", label, section);
  for (int i = 0; i < c->channel_mult.count; ++i) VD_CHECK_POSITIVE(label, section, c->channel_mult.v[i]);
  if (c->num_heads <= 0 && c->num_head_channels <= 0)
    return vd_status_make(VD_ERR_FORMAT, "%s: %sneeds num_heads or num_head_channels", label, section);
  for (int i = 0; i < c->channel_mult.count; ++i) {
    int width = c->model_channels * c->channel_mult.v[i];
    int per = c->num_head_channels > 0 ? c->num_head_channels : c->num_heads;
    if (width % per)
      return vd_status_make(VD_ERR_FORMAT, "%s: %swidth %d is not divisible by %d heads/head channels", label,
                            section, width, per);
  }
  return NULL;
}

// The networks hand tensors to each other, so their channel counts must agree: the hint is the input image
// itself (spec §1.5.5: hint = the same normalised image), the VAE latent is the input of the UNet and of
// the guidance network, and eps has the latent's shape.
static vd_status vd_ldm_channels_validate(const vd_ldm_config *c, const char *label) {
  if (c->control.hint_channels != c->vae.in_channels)
    return vd_status_make(VD_ERR_FORMAT, "%s: control_stage_config.params.hint_channels (%d) must equal "
                          "first_stage_config.params.ddconfig.in_channels (%d): the hint is the input image",
                          label, c->control.hint_channels, c->vae.in_channels);
  if (c->unet.in_channels != c->vae.embed_dim)
    return vd_status_make(VD_ERR_FORMAT, "%s: unet_config.params.in_channels (%d) must equal "
                          "first_stage_config.params.embed_dim (%d): the UNet runs on the VAE latent",
                          label, c->unet.in_channels, c->vae.embed_dim);
  if (c->control.in_channels != c->unet.in_channels)
    return vd_status_make(VD_ERR_FORMAT, "%s: control_stage_config.params.in_channels (%d) must equal "
                          "unet_config.params.in_channels (%d): both networks run on the latent",
                          label, c->control.in_channels, c->unet.in_channels);
  if (c->unet.out_channels != c->unet.in_channels)
    return vd_status_make(VD_ERR_FORMAT, "%s: unet_config.params.out_channels (%d) must equal "
                          "unet_config.params.in_channels (%d): eps has the latent's shape",
                          label, c->unet.out_channels, c->unet.in_channels);
  return NULL;
}

vd_status vd_ldm_config_validate(const vd_ldm_config *c, const char *label) {
  const vd_diffusion_config *d = &c->diffusion;
  if (!(d->linear_start > 0 && d->linear_end > d->linear_start && d->linear_end < 1))
    return vd_status_make(VD_ERR_FORMAT, "%s: model.params: need 0 < linear_start < linear_end < 1", label);
  VD_CHECK_POSITIVE(label, "model.params.", d->timesteps);
  if (!(d->scale_factor > 0)) return vd_status_make(VD_ERR_FORMAT, "%s: model.params.scale_factor must be positive", label);
  VD_RETURN_IF_ERROR(vd_unet_validate(&c->unet, label, "unet_config.params."));
  VD_CHECK_POSITIVE(label, "unet_config.params.", c->unet.out_channels);
  VD_RETURN_IF_ERROR(vd_unet_validate(&c->control, label, "control_stage_config.params."));
  VD_CHECK_POSITIVE(label, "control_stage_config.params.", c->control.hint_channels);
  const vd_vae_config *v = &c->vae;
  VD_CHECK_POSITIVE(label, "ddconfig.", v->ch);
  VD_CHECK_POSITIVE(label, "ddconfig.", v->z_channels);
  VD_CHECK_POSITIVE(label, "ddconfig.", v->in_channels);
  VD_CHECK_POSITIVE(label, "ddconfig.", v->out_ch);
  VD_CHECK_POSITIVE(label, "ddconfig.", v->num_res_blocks);
  VD_CHECK_POSITIVE(label, "first_stage_config.params.", v->embed_dim);
  if (v->ch_mult.count < 1) return vd_status_make(VD_ERR_FORMAT, "%s: ddconfig.ch_mult is empty", label);
  for (int i = 0; i < v->ch_mult.count; ++i) VD_CHECK_POSITIVE(label, "ddconfig.", v->ch_mult.v[i]);
  return vd_ldm_channels_validate(c, label);
}

vd_status vd_clip_text_config_validate(const vd_clip_text_config *c, const char *label) {
  VD_CHECK_POSITIVE(label, "", c->vocab_size);
  VD_CHECK_POSITIVE(label, "", c->hidden_size);
  VD_CHECK_POSITIVE(label, "", c->intermediate_size);
  VD_CHECK_POSITIVE(label, "", c->num_hidden_layers);
  VD_CHECK_POSITIVE(label, "", c->num_attention_heads);
  VD_CHECK_POSITIVE(label, "", c->max_position_embeddings);
  if (c->hidden_size % c->num_attention_heads)
    return vd_status_make(VD_ERR_FORMAT, "%s: hidden_size %d is not divisible by num_attention_heads %d", label,
                          c->hidden_size, c->num_attention_heads);
  if (strcmp(c->hidden_act, "quick_gelu") != 0 && strcmp(c->hidden_act, "gelu") != 0)
    return vd_status_make(VD_ERR_FORMAT, "%s: hidden_act \"%s\" is not supported (quick_gelu or gelu)", label,
                          c->hidden_act);
  if (!(c->layer_norm_eps > 0)) return vd_status_make(VD_ERR_FORMAT, "%s: layer_norm_eps must be positive", label);
  return NULL;
}

vd_status vd_dino_config_validate(const vd_dino_config *c, const char *label) {
  VD_CHECK_POSITIVE(label, "", c->patch_size);
  VD_CHECK_POSITIVE(label, "", c->embed_dim);
  VD_CHECK_POSITIVE(label, "", c->depth);
  VD_CHECK_POSITIVE(label, "", c->num_heads);
  VD_CHECK_POSITIVE(label, "", c->img_size);
  if (c->embed_dim % c->num_heads)
    return vd_status_make(VD_ERR_FORMAT, "%s: embed_dim %d is not divisible by num_heads %d", label, c->embed_dim,
                          c->num_heads);
  if (!(c->mlp_ratio > 0 && c->layer_norm_eps > 0))
    return vd_status_make(VD_ERR_FORMAT, "%s: mlp_ratio and layer_norm_eps must be positive", label);
  return NULL;
}

vd_status vd_resnet_config_validate(const vd_resnet_config *c, const char *label) {
  VD_CHECK_POSITIVE(label, "", c->stem_width);
  VD_CHECK_POSITIVE(label, "", c->base_width);
  VD_CHECK_POSITIVE(label, "", c->expansion);
  if (c->layers.count != VD_RESNET_STAGES)
    return vd_status_make(VD_ERR_FORMAT, "%s: layers needs %d entries (blocks of layer1..layer4), has %d", label,
                          VD_RESNET_STAGES, c->layers.count);
  for (int i = 0; i < c->layers.count; ++i) VD_CHECK_POSITIVE(label, "", c->layers.v[i]);
  if ((long long)c->base_width * c->expansion << (VD_RESNET_STAGES - 1) > (1 << 20))
    return vd_status_make(VD_ERR_FORMAT, "%s: base_width x expansion is too large", label);
  if (!(c->bn_eps > 0)) return vd_status_make(VD_ERR_FORMAT, "%s: bn_eps must be positive", label);
  if (c->variant != VD_RESNET_TIMM && c->variant != VD_RESNET_DINO)
    return vd_status_make(VD_ERR_FORMAT, "%s: unknown ResNet variant %d", label, (int)c->variant);
  return NULL;
}
