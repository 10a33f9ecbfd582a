// Hyper-parameters of each network as plain structs, with defaults equal to the published VLMDiff
// models (spec §2.2-2.6, §3): SD1.5 UNet and its semantic-guided copy, the KL autoencoder, CLIP ViT-L/14
// text, DINO ViT-S/8 (and the other DINO ViTs the reference selects by name), ResNet-50. Filled from the
// reference's ldm YAML (config_yaml.h) or JSON (config_json.h).
#ifndef VD_FORMATS_CONFIG_H
#define VD_FORMATS_CONFIG_H

#include <stdbool.h>

#include "runtime/status.h"

#define VD_CONFIG_MAX_LEVELS 8  // entries of channel_mult / ch_mult / attention_resolutions

typedef struct vd_int_list {
  int v[VD_CONFIG_MAX_LEVELS];  // values
  int count;                    // used
} vd_int_list;

typedef struct vd_vae_config {
  int embed_dim;                 // latent channels after quant_conv (4)
  bool double_z;                 // encoder emits mean and logvar (true)
  int z_channels;                // encoder output channels per half (4)
  int resolution;                // training image size (256)
  int in_channels;               // image channels (3)
  int out_ch;                    // decoder output channels (3)
  int ch;                        // base width (128)
  vd_int_list ch_mult;           // width multipliers per level ([1,2,4,4])
  int num_res_blocks;            // ResnetBlocks per level (2)
  vd_int_list attn_resolutions;  // resolutions with attention ([])
  float dropout;                 // 0
} vd_vae_config;

typedef struct vd_unet_config {
  int image_size;                      // latent size the reference declares (unused by the math)
  int in_channels;                     // latent channels (4)
  int out_channels;                    // UNet output channels (4); 0 for the guidance network
  int hint_channels;                   // guidance network hint channels (3); 0 for the UNet
  int model_channels;                  // base width (320)
  vd_int_list attention_resolutions;   // down-sampling factors with attention ([4,2,1])
  int num_res_blocks;                  // ResBlocks per level (2)
  vd_int_list channel_mult;            // width multipliers ([1,2,4,4])
  int num_heads;                       // attention heads (8), or -1 with num_head_channels
  int num_head_channels;               // channels per head (-1: use num_heads)
  int transformer_depth;               // BasicTransformerBlocks per SpatialTransformer (1)
  int context_dim;                     // cross-attention context width (768)
  bool use_spatial_transformer;        // true
  bool use_linear_in_transformer;      // false: proj_in/out are 1x1 convs
  bool use_checkpoint;                 // memory-only flag in the reference (true)
  bool legacy;                         // false
  float dropout;                       // 0
} vd_unet_config;

typedef struct vd_diffusion_config {
  float linear_start;     // first beta (0.00085)
  float linear_end;       // last beta (0.012)
  int timesteps;          // training steps (1000)
  float scale_factor;     // latent scale (0.18215)
  int image_size;         // latent size (32 for 256x256 images)
  int channels;           // latent channels (4)
  bool only_mid_control;  // as written in the YAML (false); test.py overrides it to true
  bool use_ema;           // false
} vd_diffusion_config;

typedef struct vd_ldm_config {
  vd_diffusion_config diffusion;  // model.params
  vd_unet_config unet;            // model.params.unet_config.params
  vd_unet_config control;         // model.params.control_stage_config.params
  vd_vae_config vae;              // model.params.first_stage_config.params(.ddconfig)
} vd_ldm_config;

typedef struct vd_clip_text_config {
  int vocab_size;               // 49408
  int hidden_size;              // 768
  int intermediate_size;        // 3072
  int num_hidden_layers;        // 12
  int num_attention_heads;      // 12
  int max_position_embeddings;  // 77
  char hidden_act[32];          // "quick_gelu"
  float layer_norm_eps;         // 1e-5
  int bos_token_id;             // 49406 in the tokenizer (config.json of SD1.5 says 0)
  int eos_token_id;             // 49407 in the tokenizer (config.json of SD1.5 says 2)
  int pad_token_id;             // 1 in config.json; the tokenizer pads with 49407
} vd_clip_text_config;

typedef struct vd_dino_config {
  int patch_size;        // 8
  int embed_dim;         // 384
  int depth;             // 12
  int num_heads;         // 6
  float mlp_ratio;       // 4
  float layer_norm_eps;  // 1e-6
  int img_size;          // 224: the grid pos_embed was trained for
} vd_dino_config;

// Which feature levels a ResNet returns: the two ResNet-50 paths of VLMDiff's test.py.
typedef enum vd_resnet_variant {
  VD_RESNET_TIMM = 0,  // timm resnet50 features_only, levels [1:4]: layer1, layer2, layer3 (the non-DINO default)
  VD_RESNET_DINO = 1,  // DINO's ResNet-50 (--dino_version v1r50), layer1..4 returned, [1:4]: layer2, layer3, layer4
} vd_resnet_variant;

#define VD_RESNET_STAGES 4  // layer1..layer4
#define VD_RESNET_LEVELS 3  // feature maps returned

typedef struct vd_resnet_config {
  int stem_width;             // conv1 output channels (64)
  vd_int_list layers;         // bottleneck blocks per stage, exactly 4 entries ([3, 4, 6, 3])
  int base_width;             // layer1's bottleneck width, doubled per stage (64)
  int expansion;              // a block's output channels per bottleneck channel (4)
  double bn_eps;              // BatchNorm eps (1e-5, a Python float), folded into the convs at load
  vd_resnet_variant variant;  // which stages are returned (timm: layer1-3, dino: layer2-4)
} vd_resnet_config;

void vd_ldm_config_default(vd_ldm_config *config);
void vd_clip_text_config_default(vd_clip_text_config *config);
void vd_dino_config_default(vd_dino_config *config);
// The published ViTs VLMDiff's test.py selects with --dino_version (DINO hubconf.py): "v1s8" (ViT-S/8,
// the default), "v1s16", "v1b8", "v1b16" (ViT-B: embed 768, 12 heads). Unknown names are an error
// listing the known ones.
vd_status vd_dino_config_preset(const char *arch, vd_dino_config *out_config);
// "v1s8, v1s16, v1b8, v1b16".
const char *vd_dino_arch_names(void);
// torchvision / timm resnet50 (bottleneck [3, 4, 6, 3], widths 64..512, expansion 4, eps 1e-5), timm levels.
void vd_resnet_config_default(vd_resnet_config *config);
// "timm" or "dino" -> the variant; false for anything else.
bool vd_resnet_variant_parse(const char *name, vd_resnet_variant *out_variant);
const char *vd_resnet_variant_name(vd_resnet_variant variant);

// Range checks a network builder relies on (positive sizes, level counts, heads dividing widths), and for
// the ldm the channel counts the networks pass between each other (hint = image, latent = UNet input,
// eps = latent shape). label names the file in errors.
vd_status vd_ldm_config_validate(const vd_ldm_config *config, const char *label);
vd_status vd_clip_text_config_validate(const vd_clip_text_config *config, const char *label);
vd_status vd_dino_config_validate(const vd_dino_config *config, const char *label);
vd_status vd_resnet_config_validate(const vd_resnet_config *config, const char *label);

#endif
