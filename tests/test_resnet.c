// ResNet-50 feature extraction (the timm and DINO v1r50 paths) against the PyTorch reference
// (tools/reference/resnet_ref.py, goldens in tests/data/resnet) on a tiny config of the same structure
// (stem 8, blocks [2, 2, 1, 1], widths 4..32, expansion 4: a stride-1 downsample in layer1, stride-2 ones
// after, identity blocks), batch 2 at 64x64 and an odd 50x38 image. Weights are regenerated natively with
// the README's rules under the torchvision / timm key names and written as a torch zip checkpoint (BN
// tensors, num_batches_tracked and fc.* included, as the real files have them), so the BatchNorm fold of
// the loader is checked against PyTorch's unfolded eval-mode BN. Also: the pair entry (input and
// reconstruction in one batch of 2), the fold itself in fp64, the conv -> BN name rule, a missing key and
// a wrong shape reported by name. Bounds: vdt_net_bounds (1e-4 fp32, 2e-2 fp16, tests/vdtest_close.h).
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "formats/config_json.h"
#include "models/resnet.h"
#include "models/resnet_runner.h"
#include "models/resnet_weights.h"
#include "runtime/context.h"
#include "tests/resnet_ckpt.h"
#include "tests/vdtest.h"
#include "tests/vdtest_golden.h"
#include "tests/vdtest_gpu.h"
#include "tests/weights_util.h"

#define RESNET_DATA(f) VLMD_SOURCE_DIR "/tests/data/resnet/" f
#define RESNET_WEIGHTS VLMD_BINARY_DIR "/resnet_tiny.pth"

typedef struct rn_out {
  float *v[VD_RESNET_LEVELS];  // one buffer per level
  size_t n[VD_RESNET_LEVELS];  // elements per level
} rn_out;

static rn_out rn_alloc(const vd_resnet_config *c, uint32_t n, uint32_t h, uint32_t w) {
  vd_resnet_level lv[VD_RESNET_LEVELS];
  vd_resnet_levels(c, h, w, lv);
  rn_out o;
  for (int i = 0; i < VD_RESNET_LEVELS; ++i) {
    o.n[i] = (size_t)n * lv[i].c * lv[i].h * lv[i].w;
    o.v[i] = calloc(o.n[i] + 1, sizeof(float));
  }
  return o;
}

static void rn_free(rn_out *o) {
  for (int i = 0; i < VD_RESNET_LEVELS; ++i) free(o->v[i]);
}

// Level i of the variant is golden "layer<stage>"; offset/count select batch elements of the golden.
static void rn_check(const vd_resnet_config *c, vd_precision p, const vdt_goldens *g, const rn_out *o, uint32_t h,
                     uint32_t w, size_t item, const char *what) {
  vd_resnet_level lv[VD_RESNET_LEVELS];
  vd_resnet_levels(c, h, w, lv);
  vdt_bounds b = vdt_net_bounds(p);
  for (int i = 0; i < VD_RESNET_LEVELS; ++i) {
    char name[16], label[160];
    snprintf(name, sizeof name, "layer%u", lv[i].stage);
    snprintf(label, sizeof label, "%s %s %s %ux%u item %zu %s", vd_resnet_variant_name(c->variant), what, name, h, w,
             item, vd_precision_name(p));
    const float *want = vdt_golden(g, name, NULL, NULL) + item * o->n[i];
    vdt_diff d = vdt_diff_of_f(o->v[i], want, o->n[i], b);
    vdt_diff_print(label, &d, b);
    vdt_check_close_f(__FILE__, __LINE__, b, o->v[i], want, o->n[i], label);
  }
}

static void test_golden(vd_resnet *m, const vd_resnet_config *c, vd_precision p, const char *file) {
  vdt_goldens *g = vdt_goldens_load(file);
  int rank = 0;
  int64_t s[8];
  const float *image = vdt_golden(g, "image", &rank, s);
  uint32_t n = (uint32_t)s[0], h = (uint32_t)s[2], w = (uint32_t)s[3];
  rn_out o = rn_alloc(c, n, h, w);
  CHECK_OK(vd_resnet_features(m, n, h, w, image, o.v));
  vd_resnet_level lv[VD_RESNET_LEVELS];
  vd_resnet_levels(c, h, w, lv);
  for (int i = 0; i < VD_RESNET_LEVELS; ++i) {  // the level shapes are the golden's
    char name[16];
    snprintf(name, sizeof name, "layer%u", lv[i].stage);
    int gr = 0;
    int64_t gs[8];
    vdt_golden(g, name, &gr, gs);
    CHECK(gr == 4 && gs[0] == n && gs[1] == lv[i].c && gs[2] == lv[i].h && gs[3] == lv[i].w);
  }
  // One item at a time against the golden's batch elements.
  for (uint32_t k = 0; k < n; ++k) {
    rn_out one = {{0}, {0}};
    for (int i = 0; i < VD_RESNET_LEVELS; ++i) one.v[i] = o.v[i] + k * (o.n[i] / n), one.n[i] = o.n[i] / n;
    rn_check(c, p, g, &one, h, w, k, "batch");
  }
  rn_free(&o);
  vdt_goldens_free(g);
}

// The pair entry: golden item 0 as the input, item 1 as the reconstruction, in one batch of 2.
static void test_pair(vd_resnet *m, const vd_resnet_config *c, vd_precision p) {
  vdt_goldens *g = vdt_goldens_load(RESNET_DATA("resnet_64.safetensors"));
  const float *image = vdt_golden(g, "image", NULL, NULL);
  rn_out a = rn_alloc(c, 1, 64, 64), r = rn_alloc(c, 1, 64, 64);
  CHECK_OK(vd_resnet_features_pair(m, 1, 64, 64, image, image + 3 * 64 * 64, a.v, r.v));
  rn_check(c, p, g, &a, 64, 64, 0, "pair input");
  rn_check(c, p, g, &r, 64, 64, 1, "pair recon");
  rn_free(&a), rn_free(&r);
  vdt_goldens_free(g);
}

static void run(vd_context *ctx, const vd_resnet_config *c, const vd_weight_file *wf, vd_precision p) {
  vd_resnet *m = NULL;
  vd_resnet_options o = {.precision = p};
  CHECK_OK(vd_resnet_create(ctx, c, wf, &o, &m));
  if (!m) return;
  test_golden(m, c, p, RESNET_DATA("resnet_64.safetensors"));
  test_golden(m, c, p, RESNET_DATA("resnet_50x38.safetensors"));
  test_pair(m, c, p);
  test_golden(m, c, p, RESNET_DATA("resnet_64.safetensors"));  // the cached graph again
  CHECK_ERR(vd_resnet_features(m, 0, 64, 64, NULL, NULL), VD_ERR_INVALID_ARGUMENT);
  vd_resnet_destroy(m);
}

// The fold in fp64 against a direct evaluation, and the conv -> BN names.
static void test_fold(void) {
  float w[6] = {0.5f, -1.25f, 2.0f, 0.1f, -0.3f, 0.7f}, gamma[2] = {1.5f, 0.75f}, beta[2] = {0.2f, -0.1f};
  float mean[2] = {0.3f, -0.4f}, var[2] = {0.8f, 2.5f}, fw[6], fb[2];
  vd_resnet_fold_bn(2, 3, w, gamma, beta, mean, var, 1e-5, fw, fb);
  for (int o = 0; o < 2; ++o) {
    double a = (double)gamma[o] / sqrt((double)var[o] + 1e-5);
    CHECK(fb[o] == (float)((double)beta[o] - (double)mean[o] * a));
    for (int k = 0; k < 3; ++k) CHECK(fw[o * 3 + k] == (float)((double)w[o * 3 + k] * a));
  }
  static const char *const pairs[][2] = {{"conv1", "bn1"}, {"layer1.0.conv2", "layer1.0.bn2"},
                                         {"layer3.5.conv3", "layer3.5.bn3"},
                                         {"layer2.0.downsample.0", "layer2.0.downsample.1"}};
  char bn[VD_NAME_LEN];
  for (size_t i = 0; i < sizeof pairs / sizeof *pairs; ++i)
    CHECK(vd_resnet_bn_name(pairs[i][0], bn, sizeof bn) && strcmp(bn, pairs[i][1]) == 0);
  CHECK(!vd_resnet_bn_name("fc", bn, sizeof bn));
}

// A checkpoint without one BN tensor, and one with a wrong shape: errors naming the key.
static void test_bad_files(vd_context *ctx, const vd_resnet_config *c) {
  vdt_resnet_ckpt k = vdt_resnet_ckpt_layout(c, 10, "layer2.0.bn2.running_var");
  const char *path = VLMD_BINARY_DIR "/resnet_tiny_missing.pth";
  vdt_resnet_ckpt_write(&k, path);
  vd_weight_file *wf = NULL;
  CHECK_OK(vd_weight_file_open(path, &wf));
  vd_resnet *m = NULL;
  vd_resnet_options o = {.precision = VD_PRECISION_F32};
  CHECK_OK(vd_resnet_create(ctx, c, wf, &o, &m));
  float img[3 * 32 * 32] = {0};
  rn_out out = rn_alloc(c, 1, 32, 32);
  if (m) CHECK_ERR_MSG(vd_resnet_features(m, 1, 32, 32, img, out.v), "layer2.0.bn2.running_var");
  vd_resnet_destroy(m);
  vd_weight_file_destroy(wf);
  vdt_resnet_ckpt_free(&k);
  k = vdt_resnet_ckpt_layout(c, 10, NULL);
  for (size_t i = 0; i < k.count; ++i)
    if (strcmp(k.entries[i].name, "layer1.1.conv2.weight") == 0) k.entries[i].shape[1] += 1;
  path = VLMD_BINARY_DIR "/resnet_tiny_shape.pth";
  vdt_resnet_ckpt_write(&k, path);
  CHECK_OK(vd_weight_file_open(path, &wf));
  m = NULL;
  CHECK_OK(vd_resnet_create(ctx, c, wf, &o, &m));
  if (m) CHECK_ERR_MSG(vd_resnet_features(m, 1, 32, 32, img, out.v), "layer1.1.conv2.weight");
  vd_resnet_destroy(m);
  vd_weight_file_destroy(wf);
  vdt_resnet_ckpt_free(&k);
  rn_free(&out);
  remove(VLMD_BINARY_DIR "/resnet_tiny_missing.pth");
  remove(VLMD_BINARY_DIR "/resnet_tiny_shape.pth");
}

int main(void) {
  vd_resnet_config c = {.variant = VD_RESNET_TIMM};
  CHECK_OK(vd_resnet_config_read_json(RESNET_DATA("config.json"), &c, NULL));
  CHECK(c.stem_width == 8 && c.base_width == 4 && c.layers.count == 4 && c.layers.v[0] == 2 && c.bn_eps == 1e-5);
  test_fold();
  vdt_resnet_ckpt k = vdt_resnet_ckpt_layout(&c, 10, NULL);
  vdt_resnet_ckpt_write(&k, RESNET_WEIGHTS);
  vdt_resnet_ckpt_free(&k);
  vd_weight_file *wf = NULL;
  CHECK_OK(vd_weight_file_open(RESNET_WEIGHTS, &wf));
  if (!wf) return vdt_finish("test_resnet");
  vd_context *ctx = vdt_context_create();
  for (int v = 0; v < 2; ++v) {
    c.variant = v ? VD_RESNET_DINO : VD_RESNET_TIMM;
    run(ctx, &c, wf, VD_PRECISION_F32);
    if (vdt_has_precision(ctx, VD_PRECISION_F16, "ResNet features")) run(ctx, &c, wf, VD_PRECISION_F16);
  }
  test_bad_files(ctx, &c);
  vd_resnet_config real;
  vd_resnet_config_default(&real);
  CHECK_OK(vd_resnet_plan_report(ctx, &real, VD_PRECISION_F32, 256, 256, 2, stdout));  // plan only
  real.variant = VD_RESNET_DINO;
  CHECK_OK(vd_resnet_plan_report(ctx, &real, VD_PRECISION_F16, 256, 256, 2, stdout));
  CHECK(vdt_context_finish(ctx) == 0);
  vd_weight_file_destroy(wf);
  return vdt_finish("test_resnet");
}
