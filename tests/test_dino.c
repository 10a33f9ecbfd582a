// DINO ViT feature extraction against the PyTorch reference (tools/reference/dino_ref.py, goldens in
// tests/data/dino) on a tiny config of the published structure: the trained grid (no interpolation,
// batch 2) and a non-square 10 x 12 grid (bicubic pos_embed resize with DINO's (grid + 0.1) / G scale
// factors), and the pair entry (input and reconstruction as one batch of 2) against the batch-2 golden's
// items. The published presets (--dino_version v1s8 / v1s16 / v1b8 / v1b16) and the JSON "arch" key.
// Weights are regenerated natively by the nets README's counter-based generator. Bounds:
// vdt_net_bounds (max-abs error over max-abs reference <= 1e-4 in fp32, 2e-2 in fp16, and the element and
// NMSE bounds of tests/vdtest_close.h).
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "formats/config_json.h"
#include "models/dino.h"
#include "models/dino_runner.h"
#include "runtime/context.h"
#include "tests/nets_tiny.h"
#include "tests/vdtest.h"
#include "tests/vdtest_golden.h"
#include "tests/vdtest_gpu.h"

#define DINO_DATA(f) VLMD_SOURCE_DIR "/tests/data/dino/" f
#define DINO_WEIGHTS VLMD_BINARY_DIR "/dino_tiny.safetensors"

// Every weight the tiny DINO declares, under the checkpoint's names, as a safetensors file.
static void write_tiny_weights(const vd_dino_config *c, const char *path) {
  vd_graph *g = NULL;
  CHECK_OK(vd_graph_create(VD_PRECISION_F32, &g));
  int64_t s[4] = {1, 3, c->img_size, c->img_size};
  vd_tensor_id f = VD_NO_TENSOR;
  CHECK_OK(vd_dino_build(g, c, vd_graph_input(g, "image", VD_DTYPE_F32, 4, s), &f));
  uint32_t n = 0;
  for (uint32_t t = 0; t < vd_graph_tensor_count(g); ++t) n += vd_graph_get_tensor(g, t)->kind == VD_TENSOR_WEIGHT;
  CHECK(n == 4 + 12 * (uint32_t)c->depth + 2);
  vdt_write_generated_weights((const vd_graph *const *)&g, 1, path);
  vd_graph_destroy(g);
}

static void test_golden(vd_dino *m, vd_precision p, const char *file) {
  vdt_goldens *g = vdt_goldens_load(file);
  int rank = 0;
  int64_t s[8];
  const float *image = vdt_golden(g, "image", &rank, s);
  size_t nf = vdt_golden_count(g, "features");
  float *feats = malloc(nf * 4);
  CHECK_OK(vd_dino_features(m, (uint32_t)s[0], (uint32_t)s[2], (uint32_t)s[3], image, feats));
  vdt_bounds b = vdt_net_bounds(p);
  char label[160];
  snprintf(label, sizeof label, "features %lldx%lld (batch %lld) %s", (long long)s[2], (long long)s[3], (long long)s[0],
           vd_precision_name(p));
  if (vdt_golden_count(g, "features") == nf) {
    vdt_diff d = vdt_diff_of_f(feats, vdt_golden(g, "features", NULL, NULL), nf, b);
    vdt_diff_print(label, &d, b);
  }
  CHECK_GOLDEN(b, g, "features", feats, nf, label);
  free(feats);
  vdt_goldens_free(g);
}

// Golden dino_64's two images as (input, reconstruction): each half equals its golden batch item.
static void test_pair(vd_dino *m, vd_precision p) {
  vdt_goldens *g = vdt_goldens_load(DINO_DATA("dino_64.safetensors"));
  const float *image = vdt_golden(g, "image", NULL, NULL), *want = vdt_golden(g, "features", NULL, NULL);
  size_t half = vdt_golden_count(g, "features") / 2;
  float *a = malloc(half * 4), *r = malloc(half * 4);
  CHECK_OK(vd_dino_features_pair(m, 1, 64, 64, image, image + 3 * 64 * 64, a, r));
  vdt_bounds b = vdt_net_bounds(p);
  char label[96];
  snprintf(label, sizeof label, "pair input 64x64 %s", vd_precision_name(p));
  vdt_check_close_f(__FILE__, __LINE__, b, a, want, half, label);
  snprintf(label, sizeof label, "pair reconstruction 64x64 %s", vd_precision_name(p));
  vdt_check_close_f(__FILE__, __LINE__, b, r, want + half, half, label);
  free(a), free(r);
  vdt_goldens_free(g);
}

static void run(vd_context *ctx, const vd_dino_config *c, const vd_weight_file *wf, vd_precision p) {
  vd_dino *m = NULL;
  vd_dino_options o = {.precision = p};
  CHECK_OK(vd_dino_create(ctx, c, wf, &o, &m));
  if (!m) return;
  test_golden(m, p, DINO_DATA("dino_64.safetensors"));
  test_golden(m, p, DINO_DATA("dino_80x96.safetensors"));
  test_pair(m, p);
  test_golden(m, p, DINO_DATA("dino_64.safetensors"));  // the cached graph again
  float img[3 * 60 * 64] = {0}, out[64];
  CHECK_ERR(vd_dino_features(m, 1, 60, 64, img, out), VD_ERR_INVALID_ARGUMENT);  // not a multiple of 8
  vd_dino_destroy(m);
}

// interpolate_pos_encoding's decision and scale factors (spec §1.5), at the real size too.
static void test_pos_resize(const vd_dino_config *tiny) {
  double sh = 0, sw = 0;
  CHECK(!vd_dino_pos_resize(tiny, 64, 64, &sh, &sw));
  CHECK(vd_dino_pos_resize(tiny, 80, 96, &sh, &sw));
  CHECK(fabs(sh - 10.1 / 8) < 1e-15 && fabs(sw - 12.1 / 8) < 1e-15);
  CHECK(vd_dino_pos_resize(tiny, 128, 32, &sh, &sw));  // 16 x 4 = 64 patches, but not square
  vd_dino_config real;
  vd_dino_config_default(&real);
  CHECK(vd_dino_pos_resize(&real, 256, 256, &sh, &sw));
  CHECK(floor(28 * sh) == 32 && fabs(sh - 32.1 / 28) < 1e-15);
  CHECK(!vd_dino_pos_resize(&real, 224, 224, &sh, &sw));
}

// The presets, and "arch" in the JSON: the preset first, the file's other keys over it.
static void test_presets(void) {
  static const struct { const char *arch; int patch, dim, heads; } want[] = {
      {"v1s8", 8, 384, 6}, {"v1s16", 16, 384, 6}, {"v1b8", 8, 768, 12}, {"v1b16", 16, 768, 12}};
  for (size_t i = 0; i < sizeof want / sizeof *want; ++i) {
    vd_dino_config c;
    CHECK_OK(vd_dino_config_preset(want[i].arch, &c));
    CHECK(c.patch_size == want[i].patch && c.embed_dim == want[i].dim && c.num_heads == want[i].heads);
    CHECK(c.depth == 12 && c.mlp_ratio == 4.0f && c.layer_norm_eps == 1e-6f && c.img_size == 224);
  }
  vd_dino_config c, def;
  vd_dino_config_default(&def);
  CHECK_OK(vd_dino_config_preset("v1s8", &c));
  CHECK(memcmp(&c, &def, sizeof c) == 0);
  CHECK_ERR(vd_dino_config_preset("v2s14", &c), VD_ERR_INVALID_ARGUMENT);
  const char *j = "{\"arch\": \"v1b16\", \"depth\": 2}";
  CHECK_OK(vd_dino_config_parse_json(j, strlen(j), "t.json", &c, NULL));
  CHECK(c.patch_size == 16 && c.embed_dim == 768 && c.num_heads == 12 && c.depth == 2);
  j = "{\"arch\": \"v1x8\"}";
  CHECK_ERR(vd_dino_config_parse_json(j, strlen(j), "t.json", &c, NULL), VD_ERR_FORMAT);
  j = "{\"arch\": 8}";
  CHECK_ERR(vd_dino_config_parse_json(j, strlen(j), "t.json", &c, NULL), VD_ERR_FORMAT);
}

int main(void) {
  test_presets();
  vd_dino_config c;
  CHECK_OK(vd_dino_config_read_json(DINO_DATA("config.json"), &c, NULL));
  CHECK(c.embed_dim == 64 && c.depth == 2 && c.num_heads == 2 && c.img_size == 64 && c.patch_size == 8);
  test_pos_resize(&c);
  write_tiny_weights(&c, DINO_WEIGHTS);
  vd_weight_file *wf = NULL;
  CHECK_OK(vd_weight_file_open(DINO_WEIGHTS, &wf));
  if (!wf) return vdt_finish("test_dino");
  vd_context *ctx = vdt_context_create();
  run(ctx, &c, wf, VD_PRECISION_F32);
  if (vdt_has_precision(ctx, VD_PRECISION_F16, "DINO features")) run(ctx, &c, wf, VD_PRECISION_F16);
  vd_dino_config real;
  vd_dino_config_default(&real);
  CHECK_OK(vd_dino_plan_report(ctx, &real, VD_PRECISION_F32, 256, 256, 2, stdout));  // plan only
  CHECK(vdt_context_finish(ctx) == 0);
  vd_weight_file_destroy(wf);
  return vdt_finish("test_dino");
}
