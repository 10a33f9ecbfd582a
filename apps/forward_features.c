#include "apps/forward_features.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "apps/cli.h"
#include "apps/tensor_file.h"
#include "formats/config_json.h"
#include "models/dino_runner.h"
#include "models/resnet.h"
#include "models/resnet_runner.h"

// Output names: the image's features, then the reconstruction's ("samples", as reconstruct names it).
static const char *const vd_dino_out[2] = {"features", "samples_features"};
static const char *const vd_resnet_out[2][VD_RESNET_LEVELS] = {
    {"features.0", "features.1", "features.2"}, {"samples_features.0", "samples_features.1", "samples_features.2"}};

bool vd_forward_is_feature_net(const char *net) {
  return net && (strcmp(net, "dino") == 0 || strcmp(net, "resnet50") == 0);
}

void vd_forward_features_help(void) {
  printf(
      "  dino         image [N,3,H,W] (H, W multiples of the patch) -> features [N,D,H/p,W/p]: the last block's\n"
      "               final-LayerNorm tokens, CLS dropped (256x256, ViT-S/8: [N,384,32,32])\n"
      "  resnet50     image [N,3,H,W] -> features.0, features.1, features.2 [N,C,h,w]: timm layer1..3 (256,\n"
      "               512, 1024 channels at H/4, H/8, H/16) or, --resnet-variant dino, layer2..4 (512, 1024,\n"
      "               2048 at H/8, H/16, H/32)\n"
      "  For dino and resnet50 an optional samples [N,3,H,W] (the reconstruction) runs with image as one\n"
      "  batch of 2N and adds samples_features (resnet50: samples_features.0..2). --config is optional there:\n"
      "  dino takes the DINO JSON or --dino-arch v1s8|v1s16|v1b8|v1b16 (default v1s8), resnet50 a ResNet JSON\n"
      "  (default: ResNet-50); --weights is the .pth (dino_deitsmall8_pretrain.pth, timm's resnet50 or\n"
      "  dino_resnet50_pretrain.pth) or a safetensors file with the same keys.\n");
}

typedef struct vd_feat_args {
  const char *net, *config, *weights, *inputs, *out, *precision, *device, *arch, *variant;
} vd_feat_args;

static int vd_feat_parse(int argc, char **argv, vd_feat_args *a) {
  struct { const char *name; const char **dst; } opts[] = {
      {"--net", &a->net}, {"--config", &a->config}, {"--weights", &a->weights}, {"--inputs", &a->inputs},
      {"--out", &a->out}, {"--precision", &a->precision}, {"--device", &a->device}, {"--dino-arch", &a->arch},
      {"--resnet-variant", &a->variant}};
  for (int i = 1; i < argc; ++i) {
    bool matched = false, missing = false;
    for (size_t k = 0; k < sizeof(opts) / sizeof(opts[0]) && !matched; ++k)
      matched = vd_cli_value(argc, argv, &i, opts[k].name, opts[k].dst, &missing);
    if (!matched) return vd_cli_usage_error("forward", "unknown option %s for --net %s", argv[i], a->net ? a->net : "?");
    if (missing) return vd_cli_usage_error("forward", "%s needs a value", argv[i]);
  }
  bool dino = strcmp(a->net, "dino") == 0;
  if (!a->weights || !a->inputs || !a->out) return vd_cli_usage_error("forward", "--weights, --inputs and --out are required");
  if (a->precision && strcmp(a->precision, "fp32") && strcmp(a->precision, "fp16"))
    return vd_cli_usage_error("forward", "--precision takes fp32 or fp16");
  if (a->arch && !dino) return vd_cli_usage_error("forward", "--dino-arch is for --net dino");
  if (a->variant && dino) return vd_cli_usage_error("forward", "--resnet-variant is for --net resnet50");
  if (a->arch && a->config)
    return vd_cli_usage_error("forward", "give --dino-arch or --config, not both (the JSON's \"arch\" names a preset)");
  vd_dino_config preset;
  vd_status bad = a->arch ? vd_dino_config_preset(a->arch, &preset) : NULL;
  if (bad) {
    vd_status_free(bad);
    return vd_cli_usage_error("forward", "--dino-arch takes %s", vd_dino_arch_names());
  }
  vd_resnet_variant v;
  if (a->variant && !vd_resnet_variant_parse(a->variant, &v))
    return vd_cli_usage_error("forward", "--resnet-variant takes timm or dino");
  return 0;
}

typedef struct vd_feat {
  vd_feat_args a;
  vd_context *ctx;
  vd_weight_file *weights;
  vd_safetensors *inputs;
  vd_precision precision;
  vd_host_array image, samples;  // samples: the reconstruction (optional)
  bool has_samples;
  vd_outputs out;
  float *buffers[VD_OUT_MAX];  // output data owned here
} vd_feat;

static float *vd_feat_buffer(vd_feat *f, uint64_t count) {
  for (int i = 0; i < VD_OUT_MAX; ++i)
    if (!f->buffers[i]) return f->buffers[i] = calloc(count + 1, sizeof(float));
  return NULL;
}

// image [N, 3, H, W] and, when present, samples of the same shape.
static vd_status vd_feat_read_inputs(vd_feat *f) {
  bool found = false;
  int64_t want[4] = {-1, 3, -1, -1};
  VD_RETURN_IF_ERROR(vd_input_f32(f->inputs, "image", false, &f->image, &found));
  VD_RETURN_IF_ERROR(vd_input_expect("image", &f->image, 4, want));
  VD_RETURN_IF_ERROR(vd_input_f32(f->inputs, "samples", true, &f->samples, &f->has_samples));
  if (f->has_samples) VD_RETURN_IF_ERROR(vd_input_expect("samples", &f->samples, 4, f->image.shape));
  return NULL;
}

static vd_status vd_feat_setup(vd_feat *f) {
  VD_RETURN_IF_ERROR(vd_weight_file_open(f->a.weights, &f->weights));
  VD_RETURN_IF_ERROR(vd_safetensors_open(f->a.inputs, &f->inputs));
  VD_RETURN_IF_ERROR(vd_feat_read_inputs(f));
  vd_context_options co = {.device = f->a.device};
  VD_RETURN_IF_ERROR(vd_context_create(&co, &f->ctx));
  f->precision = f->a.precision ? (strcmp(f->a.precision, "fp16") == 0 ? VD_PRECISION_F16 : VD_PRECISION_F32)
                                : vd_context_default_precision(f->ctx);
  return NULL;
}

static vd_status vd_feat_dino_config(const vd_feat_args *a, vd_dino_config *c) {
  if (a->config) return vd_dino_config_read_json(a->config, c, NULL);
  return vd_dino_config_preset(a->arch ? a->arch : "v1s8", c);
}

static vd_status vd_feat_run_dino(vd_feat *f) {
  vd_dino_config c;
  VD_RETURN_IF_ERROR(vd_feat_dino_config(&f->a, &c));
  uint32_t n = (uint32_t)f->image.shape[0], h = (uint32_t)f->image.shape[2], w = (uint32_t)f->image.shape[3];
  uint32_t p = (uint32_t)c.patch_size;
  if (h % p || w % p)
    return vd_status_make(VD_ERR_INVALID_ARGUMENT, "input image: height and width must be multiples of the patch "
                          "size %u, are %ux%u", p, h, w);
  int64_t os[4] = {n, c.embed_dim, h / p, w / p};
  uint64_t count = (uint64_t)n * c.embed_dim * (h / p) * (w / p);
  float *a = vd_feat_buffer(f, count), *r = f->has_samples ? vd_feat_buffer(f, count) : NULL;
  if (!a || (f->has_samples && !r)) return vd_status_make(VD_ERR_OUT_OF_MEMORY, "dino outputs");
  vd_dino *m = NULL;
  vd_dino_options o = {.precision = f->precision};
  vd_status st = vd_dino_create(f->ctx, &c, f->weights, &o, &m);
  if (!st) st = f->has_samples ? vd_dino_features_pair(m, n, h, w, f->image.f, f->samples.f, a, r)
                               : vd_dino_features(m, n, h, w, f->image.f, a);
  vd_dino_destroy(m);
  vd_outputs_add(&f->out, vd_dino_out[0], 4, os, a);
  if (f->has_samples) vd_outputs_add(&f->out, vd_dino_out[1], 4, os, r);
  return st;
}

static vd_status vd_feat_resnet_config(const vd_feat_args *a, vd_resnet_config *c) {
  vd_resnet_config_default(c);
  if (a->variant) vd_resnet_variant_parse(a->variant, &c->variant);
  return a->config ? vd_resnet_config_read_json(a->config, c, NULL) : NULL;
}

static vd_status vd_feat_run_resnet(vd_feat *f) {
  vd_resnet_config c;
  VD_RETURN_IF_ERROR(vd_feat_resnet_config(&f->a, &c));
  uint32_t n = (uint32_t)f->image.shape[0], h = (uint32_t)f->image.shape[2], w = (uint32_t)f->image.shape[3];
  vd_resnet_level lv[VD_RESNET_LEVELS];
  vd_resnet_levels(&c, h, w, lv);
  float *out[2][VD_RESNET_LEVELS] = {{0}};
  int64_t shapes[VD_RESNET_LEVELS][4];
  for (int i = 0; i < VD_RESNET_LEVELS; ++i) {
    int64_t s[4] = {n, lv[i].c, lv[i].h, lv[i].w};
    memcpy(shapes[i], s, sizeof s);
    for (int k = 0; k < 1 + f->has_samples; ++k)
      if (!(out[k][i] = vd_feat_buffer(f, (uint64_t)n * lv[i].c * lv[i].h * lv[i].w)))
        return vd_status_make(VD_ERR_OUT_OF_MEMORY, "resnet outputs");
  }
  vd_resnet *m = NULL;
  vd_resnet_options o = {.precision = f->precision};
  vd_status st = vd_resnet_create(f->ctx, &c, f->weights, &o, &m);
  if (!st) st = f->has_samples ? vd_resnet_features_pair(m, n, h, w, f->image.f, f->samples.f, out[0], out[1])
                               : vd_resnet_features(m, n, h, w, f->image.f, out[0]);
  vd_resnet_destroy(m);
  for (int k = 0; k < 1 + f->has_samples; ++k)
    for (int i = 0; i < VD_RESNET_LEVELS; ++i) vd_outputs_add(&f->out, vd_resnet_out[k][i], 4, shapes[i], out[k][i]);
  return st;
}

int vd_forward_features(int argc, char **argv) {
  vd_feat f;
  memset(&f, 0, sizeof(f));
  for (int i = 1; i < argc && !f.a.net; ++i) {
    bool missing = false;
    vd_cli_value(argc, argv, &i, "--net", &f.a.net, &missing);
  }
  if (!vd_forward_is_feature_net(f.a.net)) return vd_cli_usage_error("forward", "--net takes dino or resnet50 here");
  int rc = vd_feat_parse(argc, argv, &f.a);
  if (rc) return rc;
  vd_status st = vd_feat_setup(&f);
  if (!st) st = strcmp(f.a.net, "dino") == 0 ? vd_feat_run_dino(&f) : vd_feat_run_resnet(&f);
  if (!st) st = vd_outputs_write(&f.out, f.a.out);
  for (int i = 0; i < VD_OUT_MAX; ++i) free(f.buffers[i]);
  vd_host_array_free(&f.image);
  vd_host_array_free(&f.samples);
  vd_context_destroy(f.ctx);
  vd_safetensors_destroy(f.inputs);
  vd_weight_file_destroy(f.weights);
  return st ? vd_cli_fail_one_line("forward", st, 3) : 0;
}
