// The feature extractors declare the official checkpoints' layouts, and full-size files in those layouts
// load. Host code only (no GPU): ctest runs it without a Vulkan loader.
//
//   DINO ViT presets v1s8, v1s16, v1b8, v1b16 at 256x256: the weights the graph declares against
//   tests/data/dino/dino-keys-ARCH.tsv (the spec's §1.3 layout of the official .pth: flat, no prefix),
//   names, shapes and counts both ways; ViT-S/8 has the spec's 21,670,272 parameters.
//   ResNet-50, timm and DINO variants at 256x256: the checkpoint keys the BN-folding loader reads against
//   tests/data/resnet/resnet50-keys.tsv (torchvision's resnet50 state dict); the keys left unread are
//   exactly num_batches_tracked, fc.* and, for timm's layer1..3, layer4.*; the level shapes are the
//   spec's (256/512/1024 at 64/32/16; DINO 512/1024/2048 at 32/16/8).
//   A random full-size ViT-S/8 .pth (~87 MB) and ResNet-50 .pth (~102 MB, int64 num_batches_tracked
//   included), written as torch.save lays out a flat state dict, load through the weight store with the
//   graphs' specs; values come back exactly; one conv's BN fold is checked in fp64. The files are removed.
//
// With the argument real_weights (ctest test test_features_layout_real_weights, label needs-real-weights):
// loads the published files named by VLMD_REAL_DINO (ViT, arch VLMD_REAL_DINO_ARCH, default v1s8),
// VLMD_REAL_TIMM_RESNET50 and VLMD_REAL_DINO_RESNET50 through the same loaders; each unset one is skipped.
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "formats/weight_store.h"
#include "graph/graph.h"
#include "models/dino.h"
#include "models/resnet.h"
#include "models/resnet_weights.h"
#include "tests/nets_tiny.h"
#include "tests/torch_ckpt.h"
#include "tests/vdtest.h"

#define FL_DATA(f) VLMD_SOURCE_DIR "/tests/data/" f
#define FL_MAX_KEYS 400

typedef struct fl_key {
  char name[VD_NAME_LEN];  // key
  int rank;                // dimensions
  int64_t shape[8];        // extents
  bool int64;              // torch.int64 (num_batches_tracked)
  bool seen;               // read by the engine
} fl_key;

typedef struct fl_keys {
  fl_key k[FL_MAX_KEYS];  // rows
  int n;                  // used
} fl_keys;

// "(64, 3, 7, 7)", "(64)" or "()".
static bool fl_parse_shape(const char *s, fl_key *k) {
  if (*s++ != '(') return false;
  k->rank = 0;
  while (*s && *s != ')' && k->rank < 8) {
    char *end;
    k->shape[k->rank++] = strtoll(s, &end, 10);
    if (end == s) return false;
    s = end;
    while (*s == ',' || *s == ' ') ++s;
  }
  return *s == ')';
}

static void fl_read(const char *path, fl_keys *out) {
  FILE *f = fopen(path, "r");
  if (!f) {
    fprintf(stderr, "cannot open %s\n", path);
    exit(1);
  }
  char line[512];
  out->n = 0;
  while (fgets(line, sizeof line, f) && out->n < FL_MAX_KEYS) {
    if (line[0] == '#' || strncmp(line, "key\t", 4) == 0) continue;
    fl_key *k = &out->k[out->n];
    char *name = strtok(line, "\t"), *shape = strtok(NULL, "\t"), *dtype = strtok(NULL, "\t\n");
    CHECK_MSG(name && shape && dtype && fl_parse_shape(shape, k), "%s: bad row %d", path, out->n);
    if (!name || !dtype) break;
    snprintf(k->name, sizeof k->name, "%s", name);
    k->int64 = strcmp(dtype, "torch.int64") == 0;
    k->seen = false;
    out->n++;
  }
  fclose(f);
}

static fl_key *fl_find(fl_keys *keys, const char *name) {
  for (int i = 0; i < keys->n; ++i)
    if (strcmp(keys->k[i].name, name) == 0) return &keys->k[i];
  return NULL;
}

// One expected (name, shape): in the list with the same shape, as float32; marks it seen.
static void fl_expect(fl_keys *keys, const char *name, int rank, const int64_t *shape, const char *what) {
  fl_key *k = fl_find(keys, name);
  CHECK_MSG(k, "%s: the engine reads %s, which the official layout lacks", what, name);
  if (!k) return;
  bool same = k->rank == rank && !k->int64;
  for (int i = 0; same && i < rank; ++i) same = k->shape[i] == shape[i];
  CHECK_MSG(same, "%s: %s has another shape or dtype in the official layout", what, name);
  CHECK_MSG(!k->seen, "%s: %s is read twice", what, name);
  k->seen = true;
}

// ---- DINO ------------------------------------------------------------------------------------------

static vd_graph *fl_dino_graph(const char *arch, vd_dino_config *c) {
  vd_graph *g = NULL;
  CHECK_OK(vd_dino_config_preset(arch, c));
  CHECK_OK(vd_graph_create(VD_PRECISION_F32, &g));
  CHECK_OK(vd_dino_build_graph(g, c, 1, 256, 256));
  return g;
}

static void test_dino_layout(const char *arch) {
  char path[256], what[64];
  snprintf(path, sizeof path, FL_DATA("dino/dino-keys-%s.tsv"), arch);
  snprintf(what, sizeof what, "DINO %s", arch);
  fl_keys *keys = calloc(1, sizeof *keys);
  fl_read(path, keys);
  vd_dino_config c;
  vd_graph *g = fl_dino_graph(arch, &c);
  uint64_t params = 0;
  for (uint32_t t = 0; t < vd_graph_tensor_count(g); ++t) {
    const vd_tensor *x = vd_graph_get_tensor(g, t);
    if (x->kind != VD_TENSOR_WEIGHT) continue;
    fl_expect(keys, x->name, (int)x->rank, x->shape, what);
    params += x->bytes / 4;
  }
  for (int i = 0; i < keys->n; ++i) CHECK_MSG(keys->k[i].seen, "%s: %s is never read", what, keys->k[i].name);
  CHECK(keys->n == 4 + 12 * 12 + 2);
  if (strcmp(arch, "v1s8") == 0) CHECK_MSG(params == 21670272ull, "ViT-S/8 declares %llu parameters", (unsigned long long)params);
  vd_tensor_id f = vd_graph_find(g, "features");  // [1, D, 256/p, 256/p]
  const vd_tensor *ft = f == VD_NO_TENSOR ? NULL : vd_graph_get_tensor(g, f);
  CHECK(ft && ft->shape[1] == c.embed_dim && ft->shape[2] == 256 / c.patch_size && ft->shape[3] == 256 / c.patch_size);
  vd_graph_destroy(g);
  free(keys);
}

// ---- ResNet ----------------------------------------------------------------------------------------

static vd_graph *fl_resnet_graph(vd_resnet_variant v, vd_resnet_config *c) {
  vd_graph *g = NULL;
  vd_resnet_config_default(c);
  c->variant = v;
  CHECK_OK(vd_graph_create(VD_PRECISION_F32, &g));
  CHECK_OK(vd_resnet_build_graph(g, c, 1, 256, 256));
  return g;
}

// Keys the loader leaves unread on purpose: the BN step counters, the classifier, and layer4 for timm.
static bool fl_resnet_unread_ok(const fl_key *k, vd_resnet_variant v) {
  size_t n = strlen(k->name);
  if (n > 20 && strcmp(k->name + n - 20, ".num_batches_tracked") == 0) return true;
  if (strncmp(k->name, "fc.", 3) == 0) return true;
  return v == VD_RESNET_TIMM && strncmp(k->name, "layer4.", 7) == 0;
}

static void test_resnet_layout(vd_resnet_variant v) {
  static const uint32_t want[2][3][3] = {{{256, 64, 64}, {512, 32, 32}, {1024, 16, 16}},
                                         {{512, 32, 32}, {1024, 16, 16}, {2048, 8, 8}}};
  char what[64];
  snprintf(what, sizeof what, "ResNet-50 %s", vd_resnet_variant_name(v));
  fl_keys *keys = calloc(1, sizeof *keys);
  fl_read(FL_DATA("resnet/resnet50-keys.tsv"), keys);
  CHECK(keys->n == 320);
  vd_resnet_config c;
  vd_graph *g = fl_resnet_graph(v, &c);
  vd_weight_spec *specs = NULL;
  char *names = NULL;
  size_t n = 0;
  CHECK_OK(vd_resnet_checkpoint_specs(g, &specs, &names, &n));
  for (size_t i = 0; i < n; ++i) fl_expect(keys, specs[i].name, specs[i].rank, specs[i].shape, what);
  for (int i = 0; i < keys->n; ++i)
    CHECK_MSG(keys->k[i].seen || fl_resnet_unread_ok(&keys->k[i], v), "%s: %s is never read", what, keys->k[i].name);
  vd_resnet_level lv[VD_RESNET_LEVELS];
  vd_resnet_levels(&c, 256, 256, lv);
  for (int i = 0; i < VD_RESNET_LEVELS; ++i) {
    char out[16];
    snprintf(out, sizeof out, "features.%d", i);
    vd_tensor_id t = vd_graph_find(g, out);
    const vd_tensor *x = t == VD_NO_TENSOR ? NULL : vd_graph_get_tensor(g, t);
    const uint32_t *w = want[v == VD_RESNET_DINO][i];
    CHECK_MSG(lv[i].c == w[0] && lv[i].h == w[1] && lv[i].w == w[2], "%s level %d: %ux%ux%u", what, i, lv[i].c,
              lv[i].h, lv[i].w);
    CHECK_MSG(x && x->shape[1] == w[0] && x->shape[2] == w[1] && x->shape[3] == w[2], "%s: graph output %s", what, out);
  }
  free(specs), free(names);
  vd_graph_destroy(g);
  free(keys);
}

// ---- random full-size files ------------------------------------------------------------------------

typedef struct fl_ckpt {
  vdt_ckpt_entry e[FL_MAX_KEYS];  // the layout as written
  int n;                          // entries
} fl_ckpt;

static void fl_ckpt_of(const fl_keys *keys, fl_ckpt *c) {
  c->n = keys->n;
  for (int i = 0; i < keys->n; ++i) {
    c->e[i] = (vdt_ckpt_entry){.name = keys->k[i].name, .rank = keys->k[i].rank, .int64 = keys->k[i].int64};
    memcpy(c->e[i].shape, keys->k[i].shape, sizeof c->e[i].shape);
  }
}

// Value i of a key: the counter-based generator, seeded by the name (running_var kept positive).
static float fl_value(const char *name, uint64_t i) {
  float v = vdt_uniform_pm1(vdt_fnv1a(name) ^ 0x564C4D4469666621ull, i);
  size_t n = strlen(name);
  return n > 12 && strcmp(name + n - 12, ".running_var") == 0 ? 1.0f + 0.5f * v : v;
}

static void fl_fill(void *user, size_t i, void *data, uint64_t numel) {
  const fl_ckpt *c = user;
  if (c->e[i].int64) {
    for (uint64_t k = 0; k < numel; ++k) ((int64_t *)data)[k] = 12345;
    return;
  }
  for (uint64_t k = 0; k < numel; ++k) ((float *)data)[k] = fl_value(c->e[i].name, k);
}

// Every loaded tensor: first, middle and last element as generated.
static void fl_check_values(const vd_weight_store *s, const char *what) {
  for (size_t i = 0; i < vd_weight_store_count(s); ++i) {
    const vd_host_tensor *t = vd_weight_store_tensor(s, i);
    uint64_t n = t->bytes / 4, at[3] = {0, n / 2, n - 1};
    for (int k = 0; k < 3; ++k)
      CHECK_MSG(((const float *)t->data)[at[k]] == fl_value(t->name, at[k]), "%s: %s[%llu]", what, t->name,
                (unsigned long long)at[k]);
  }
}

static vd_weight_spec *fl_graph_specs(const vd_graph *g, size_t *out_n) {
  vd_weight_spec *s = calloc(vd_graph_tensor_count(g) + 1, sizeof(*s));
  size_t n = 0;
  for (uint32_t t = 0; t < vd_graph_tensor_count(g); ++t) {
    const vd_tensor *x = vd_graph_get_tensor(g, t);
    if (x->kind != VD_TENSOR_WEIGHT) continue;
    s[n] = (vd_weight_spec){.name = x->name, .rank = (int)x->rank};
    memcpy(s[n++].shape, x->shape, x->rank * sizeof(int64_t));
  }
  *out_n = n;
  return s;
}

static void test_dino_random_file(void) {
  const char *path = VLMD_BINARY_DIR "/test-features-dino-vits8.pth";
  fl_keys *keys = calloc(1, sizeof *keys);
  fl_ckpt *ck = calloc(1, sizeof *ck);
  fl_read(FL_DATA("dino/dino-keys-v1s8.tsv"), keys);
  fl_ckpt_of(keys, ck);
  vdt_write_torch_ckpt(path, ck->e, (size_t)ck->n, fl_fill, ck);
  vd_weight_file *f = NULL;
  CHECK_OK(vd_weight_file_open(path, &f));
  vd_dino_config c;
  vd_graph *g = fl_dino_graph("v1s8", &c);
  size_t n = 0;
  vd_weight_spec *specs = fl_graph_specs(g, &n);
  vd_weight_store *s = NULL;
  if (f) {
    CHECK(vd_weight_file_format(f) == VD_WEIGHT_FORMAT_TORCH_ZIP && vd_weight_file_count(f) == 150);
    CHECK(vd_weight_file_total_bytes(f) == 21670272ull * 4);
    CHECK_OK(vd_weight_store_load(f, "", specs, n, VD_WEIGHT_F32, &s));
  }
  if (s) {
    CHECK(vd_weight_store_count(s) == 150 && strcmp(vd_weight_store_notes(s), "") == 0);
    fl_check_values(s, "ViT-S/8 .pth");
  }
  vd_weight_store_destroy(s);
  free(specs);
  vd_graph_destroy(g);
  vd_weight_file_destroy(f);
  remove(path);
  free(keys), free(ck);
}

// conv1 folded with bn1 through the loader's function against a direct fp64 evaluation.
static void fl_check_fold(const vd_weight_store *s) {
  const vd_host_tensor *w = vd_weight_store_find(s, "conv1.weight"), *v[4];
  static const char *const bn[4] = {"bn1.weight", "bn1.bias", "bn1.running_mean", "bn1.running_var"};
  for (int k = 0; k < 4; ++k) v[k] = vd_weight_store_find(s, bn[k]);
  CHECK(w && v[0] && v[1] && v[2] && v[3]);
  if (!w || !v[0] || !v[1] || !v[2] || !v[3]) return;
  float *fw = malloc(w->bytes), fb[64];
  vd_resnet_fold_bn(64, 3 * 7 * 7, w->data, v[0]->data, v[1]->data, v[2]->data, v[3]->data, 1e-5, fw, fb);
  const float *W = w->data, *G = v[0]->data, *B = v[1]->data, *M = v[2]->data, *V = v[3]->data;
  for (int o = 0; o < 64; o += 21) {
    double a = (double)G[o] / sqrt((double)V[o] + 1e-5);
    CHECK(fb[o] == (float)(B[o] - (double)M[o] * a) && fw[o * 147 + 5] == (float)(W[o * 147 + 5] * a));
  }
  free(fw);
}

static void test_resnet_random_file(void) {
  const char *path = VLMD_BINARY_DIR "/test-features-resnet50.pth";
  fl_keys *keys = calloc(1, sizeof *keys);
  fl_ckpt *ck = calloc(1, sizeof *ck);
  fl_read(FL_DATA("resnet/resnet50-keys.tsv"), keys);
  fl_ckpt_of(keys, ck);
  vdt_write_torch_ckpt(path, ck->e, (size_t)ck->n, fl_fill, ck);
  vd_weight_file *f = NULL;
  CHECK_OK(vd_weight_file_open(path, &f));
  for (int v = 0; f && v < 2; ++v) {
    vd_resnet_config c;
    vd_graph *g = fl_resnet_graph(v ? VD_RESNET_DINO : VD_RESNET_TIMM, &c);
    vd_weight_spec *specs = NULL;
    char *names = NULL;
    size_t n = 0;
    CHECK_OK(vd_resnet_checkpoint_specs(g, &specs, &names, &n));
    vd_weight_store *s = NULL;
    CHECK_OK(vd_weight_store_load(f, "", specs, n, VD_WEIGHT_F32, &s));
    if (s) {
      CHECK(vd_weight_store_count(s) == n);
      fl_check_values(s, "ResNet-50 .pth");
      fl_check_fold(s);
    }
    vd_weight_store_destroy(s);
    free(specs), free(names);
    vd_graph_destroy(g);
  }
  if (f) CHECK(vd_weight_file_count(f) == 320);
  vd_weight_file_destroy(f);
  remove(path);
  free(keys), free(ck);
}

// ---- real files (needs-real-weights) -----------------------------------------------------------------

static void fl_load_real(const char *env, const vd_graph *g, bool resnet) {
  const char *path = getenv(env);
  if (!path) {
    vdt_skip("%s is not set: no published file to load", env);
    return;
  }
  vd_weight_file *f = NULL;
  CHECK_OK(vd_weight_file_open(path, &f));
  vd_weight_spec *specs = NULL;
  char *names = NULL;
  size_t n = 0;
  if (resnet) CHECK_OK(vd_resnet_checkpoint_specs(g, &specs, &names, &n));
  else specs = fl_graph_specs(g, &n);
  vd_weight_store *s = NULL;
  if (f) CHECK_OK(vd_weight_store_load(f, "", specs, n, VD_WEIGHT_F16, &s));
  if (s) printf("%s: %zu tensors loaded; not read: %s\n", path, vd_weight_store_count(s), vd_weight_store_notes(s));
  vd_weight_store_destroy(s);
  free(specs), free(names);
  vd_weight_file_destroy(f);
}

static void test_real_weights(void) {
  vd_dino_config dc;
  const char *arch = getenv("VLMD_REAL_DINO_ARCH");
  vd_graph *g = fl_dino_graph(arch ? arch : "v1s8", &dc);
  fl_load_real("VLMD_REAL_DINO", g, false);
  vd_graph_destroy(g);
  vd_resnet_config rc;
  g = fl_resnet_graph(VD_RESNET_TIMM, &rc);
  fl_load_real("VLMD_REAL_TIMM_RESNET50", g, true);
  vd_graph_destroy(g);
  g = fl_resnet_graph(VD_RESNET_DINO, &rc);
  fl_load_real("VLMD_REAL_DINO_RESNET50", g, true);
  vd_graph_destroy(g);
}

int main(int argc, char **argv) {
  if (argc > 1 && strcmp(argv[1], "real_weights") == 0) {
    test_real_weights();
    return vdt_finish("test_features_layout real_weights");
  }
  static const char *const archs[] = {"v1s8", "v1s16", "v1b8", "v1b16"};
  for (int i = 0; i < 4; ++i) test_dino_layout(archs[i]);
  test_resnet_layout(VD_RESNET_TIMM);
  test_resnet_layout(VD_RESNET_DINO);
  test_dino_random_file();
  test_resnet_random_file();
  return vdt_finish("test_features_layout");
}
