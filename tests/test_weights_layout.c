// The networks declare exactly the published checkpoint's layout: the weight tensors that the full-size
// graph builders (published default configs) of the VAE, the UNet + semantic-guided network (every skip
// controlled, as the YAML says, so every zero conv is declared) and the CLIP text encoder declare under
// each checkpoint prefix, against the checkpoint's key list (tests/data/weights/vlmdiff-state-dict-keys.tsv,
// a copy of spec/vlmdiff-state-dict-keys.tsv: key, shape, dtype): same names, shapes and dtypes, every
// difference reported. Graph building is host code: ctest runs this test without a Vulkan loader.
//
// With the argument real_ckpt (ctest test test_weights_layout_real_ckpt, label needs-real-weights): loads
// each network of the checkpoint VLMD_REAL_CKPT (e.g. from tools/reference/make_random_ckpt.py) through
// the weight store in f16 with the layout the graphs declare, and reports the time; skipped when unset.
#include <time.h>

#include "formats/config.h"
#include "formats/weight_store.h"
#include "graph/graph.h"
#include "models/clip_text_encoder.h"
#include "models/unet.h"
#include "models/vae.h"
#include "tests/vdtest.h"

#define KEYS_TSV VLMD_SOURCE_DIR "/tests/data/weights/vlmdiff-state-dict-keys.tsv"
#define MAX_KEYS 2000  // the published checkpoint has 1,493

// One row of the key list.
typedef struct lay_key {
  char name[VD_NAME_LEN];  // full key
  uint32_t rank;           // dimensions
  int64_t shape[8];        // extents
  char dtype[24];          // "torch.float32", "torch.int64"
  bool seen;               // matched by a graph weight
} lay_key;

// The three graphs; the denoiser's holds two networks (UNet and semantic-guided network).
typedef enum lay_net { LAY_VAE, LAY_EPS, LAY_CLIP, LAY_NET_COUNT } lay_net;

// Each checkpoint prefix and the graph that declares its weights.
static const struct {
  const char *prefix;  // key prefix in the checkpoint
  lay_net net;         // graph
} prefixes[] = {
    {"first_stage_model.", LAY_VAE},
    {"model.diffusion_model.", LAY_EPS},
    {"control_model.", LAY_EPS},
    {"cond_stage_model.transformer.text_model.", LAY_CLIP},
};
#define N_PREFIXES (sizeof prefixes / sizeof prefixes[0])

// Keys the engine deliberately does not read: their values are fixed by the spec, so the graphs compute
// them instead. Each must still be in the key list (checked), so the exception cannot outlive the key.
static const char *const not_read[] = {
    "cond_stage_model.transformer.text_model.embeddings.position_ids",  // 0..76 (spec: equals arange)
};

// Parses "(1280, 320)" into rank and shape; false when it is not a shape.
static bool parse_shape(const char *s, lay_key *k) {
  if (*s++ != '(') return false;
  k->rank = 0;
  while (*s && *s != ')' && k->rank < 8) {
    char *end;
    long long v = strtoll(s, &end, 10);
    if (end == s) return false;
    k->shape[k->rank++] = v;
    s = end + (*end == ',');
    while (*s == ' ') ++s;
  }
  return *s == ')';
}

// Reads the key list: name TAB shape TAB dtype TAB ...; returns the row count (exits on a malformed file).
static size_t read_keys(lay_key *keys, size_t cap) {
  FILE *f = fopen(KEYS_TSV, "r");
  if (!f) {
    fprintf(stderr, "cannot open %s\n", KEYS_TSV);
    exit(1);
  }
  char line[1024];
  size_t n = 0;
  for (int row = 0; fgets(line, sizeof line, f); ++row) {
    char *name = strtok(line, "\t"), *shape = strtok(NULL, "\t"), *dtype = strtok(NULL, "\t\n");
    if (row == 0) continue;  // header
    bool ok = name && shape && dtype && n < cap && strlen(name) < VD_NAME_LEN && parse_shape(shape, &keys[n]);
    CHECK_MSG(ok, "%s line %d is not `key TAB (shape) TAB dtype`", KEYS_TSV, row + 1);
    if (!ok) continue;
    snprintf(keys[n].name, sizeof keys[n].name, "%s", name);
    snprintf(keys[n].dtype, sizeof keys[n].dtype, "%s", dtype);
    keys[n++].seen = false;
  }
  fclose(f);
  return n;
}

// The full-size graph of a network at the published config (weights do not depend on the input sizes).
static vd_graph *build_net(lay_net net) {
  vd_ldm_config c;
  vd_clip_text_config clip;
  vd_ldm_config_default(&c);
  vd_clip_text_config_default(&clip);
  vd_graph *g = NULL;
  CHECK_OK(vd_graph_create(VD_PRECISION_F32, &g));
  vd_tensor_id a = VD_NO_TENSOR, b = VD_NO_TENSOR;
  if (net == LAY_VAE) {
    int64_t img[4] = {1, c.vae.in_channels, 256, 256}, z[4] = {1, c.vae.embed_dim, 32, 32};
    vd_graph_scope_push(g, "first_stage_model");
    CHECK_OK(vd_vae_encoder_build(g, &c.vae, vd_graph_input(g, "image", VD_DTYPE_F32, 4, img), &a, &b));
    CHECK_OK(vd_vae_decoder_build(g, &c.vae, c.diffusion.scale_factor, vd_graph_input(g, "z", VD_DTYPE_F32, 4, z), &a));
  } else if (net == LAY_EPS) {
    int64_t xs[4] = {1, c.unet.in_channels, 32, 32}, ts[1] = {1}, cs[3] = {1, 77, c.unet.context_dim},
            hs[4] = {1, c.control.hint_channels, 256, 256};
    vd_eps_inputs in = {vd_graph_input(g, "x", VD_DTYPE_F32, 4, xs), vd_graph_input(g, "t", VD_DTYPE_F32, 1, ts),
                        vd_graph_input(g, "context", VD_DTYPE_F32, 3, cs), vd_graph_input(g, "hint", VD_DTYPE_F32, 4, hs)};
    CHECK_OK(vd_eps_build(g, &c.unet, &c.control, false, &in, &a));
  } else {
    int64_t s[2] = {1, clip.max_position_embeddings};
    vd_graph_scope_push(g, "cond_stage_model.transformer.text_model");
    CHECK_OK(vd_clip_text_build(g, &clip, vd_graph_input(g, "tokens", VD_DTYPE_I32, 2, s), &a));
  }
  return g;
}

static bool key_not_read(const char *name) {
  for (size_t i = 0; i < sizeof not_read / sizeof not_read[0]; ++i)
    if (strcmp(not_read[i], name) == 0) return true;
  return false;
}

static lay_key *find_key(lay_key *keys, size_t n, const char *name) {
  for (size_t i = 0; i < n; ++i)
    if (strcmp(keys[i].name, name) == 0) return &keys[i];
  return NULL;
}

static void format_shape(const int64_t *shape, uint32_t rank, char *out, size_t cap) {
  size_t at = (size_t)snprintf(out, cap, "(");
  for (uint32_t i = 0; i < rank && at < cap; ++i)
    at += (size_t)snprintf(out + at, cap - at, "%s%lld", i ? ", " : "", (long long)shape[i]);
  if (at < cap) snprintf(out + at, cap - at, rank == 1 ? ",)" : ")");
}

// One graph weight against its row: present, same shape, float32 (the graph is built in fp32).
static void check_weight(const vd_tensor *t, lay_key *keys, size_t n) {
  lay_key *k = find_key(keys, n, t->name);
  char got[96], want[96];
  format_shape(t->shape, t->rank, got, sizeof got);
  CHECK_MSG(k != NULL, "the graph declares %s %s, which the checkpoint does not have", t->name, got);
  if (!k) return;
  k->seen = true;
  format_shape(k->shape, k->rank, want, sizeof want);
  CHECK_MSG(k->rank == t->rank && memcmp(k->shape, t->shape, t->rank * sizeof(int64_t)) == 0,
            "%s: the graph declares %s, the checkpoint has %s", t->name, got, want);
  CHECK_MSG(t->dtype == VD_DTYPE_F32 && strcmp(k->dtype, "torch.float32") == 0, "%s: graph dtype %d, checkpoint %s",
            t->name, (int)t->dtype, k->dtype);
}

static bool starts_with(const char *s, const char *prefix) { return strncmp(s, prefix, strlen(prefix)) == 0; }

// Every weight of g under the prefix is a key; every key under it is a weight of g.
static void check_prefix(const vd_graph *g, const char *prefix, lay_key *keys, size_t n) {
  size_t declared = 0, listed = 0;
  for (uint32_t i = 0; i < vd_graph_tensor_count(g); ++i) {
    const vd_tensor *t = vd_graph_get_tensor(g, i);
    if (t->kind != VD_TENSOR_WEIGHT || !starts_with(t->name, prefix)) continue;
    ++declared;
    check_weight(t, keys, n);
  }
  for (size_t i = 0; i < n; ++i) {
    if (!starts_with(keys[i].name, prefix)) continue;
    ++listed;
    if (key_not_read(keys[i].name)) {
      CHECK_MSG(!keys[i].seen, "%s is listed as not read, but the graph declares it", keys[i].name);
      continue;
    }
    CHECK_MSG(keys[i].seen, "the checkpoint has %s, which the graph does not declare", keys[i].name);
  }
  printf("%-42s %4zu graph weights, %4zu checkpoint keys\n", prefix, declared, listed);
  CHECK_MSG(declared > 0 && listed > 0, "%s: nothing compared", prefix);
}

// Every weight of the graph lies under one of its prefixes.
static void check_no_stray(const vd_graph *g, lay_net net) {
  for (uint32_t i = 0; i < vd_graph_tensor_count(g); ++i) {
    const vd_tensor *t = vd_graph_get_tensor(g, i);
    bool under = false;
    for (size_t p = 0; p < N_PREFIXES; ++p) under |= prefixes[p].net == net && starts_with(t->name, prefixes[p].prefix);
    CHECK_MSG(t->kind != VD_TENSOR_WEIGHT || under, "the graph declares %s, outside its checkpoint prefixes", t->name);
  }
}

static void test_layout(void) {
  lay_key *keys = calloc(MAX_KEYS, sizeof(*keys));
  size_t n = read_keys(keys, MAX_KEYS);
  CHECK_MSG(n == 1493, "%zu keys in the list, the published checkpoint has 1493", n);
  for (size_t i = 0; i < sizeof not_read / sizeof not_read[0]; ++i)
    CHECK_MSG(find_key(keys, n, not_read[i]) != NULL, "%s is listed as not read but is not a key", not_read[i]);
  for (int net = 0; net < LAY_NET_COUNT; ++net) {
    vd_graph *g = build_net((lay_net)net);
    if (!g) continue;
    check_no_stray(g, (lay_net)net);
    for (size_t p = 0; p < N_PREFIXES; ++p)
      if (prefixes[p].net == (lay_net)net) check_prefix(g, prefixes[p].prefix, keys, n);
    vd_graph_destroy(g);
  }
  free(keys);
}

// The store specs of g's weights under prefix (names without it), as the engine derives them
// (models/weights_gpu.c). Returns the count; *out is malloc'd and points into g.
static size_t graph_specs(const vd_graph *g, const char *prefix, vd_weight_spec **out) {
  size_t n = 0, plen = strlen(prefix);
  *out = calloc(vd_graph_tensor_count(g) + 1, sizeof(**out));
  for (uint32_t i = 0; i < vd_graph_tensor_count(g); ++i) {
    const vd_tensor *t = vd_graph_get_tensor(g, i);
    if (t->kind != VD_TENSOR_WEIGHT || !starts_with(t->name, prefix)) continue;
    (*out)[n] = (vd_weight_spec){.name = t->name + plen, .rank = (int)t->rank};
    memcpy((*out)[n++].shape, t->shape, t->rank * sizeof(int64_t));
  }
  return n;
}

static double seconds_since(const struct timespec *t0) {
  struct timespec t1;
  clock_gettime(CLOCK_MONOTONIC, &t1);
  return (double)(t1.tv_sec - t0->tv_sec) + 1e-9 * (double)(t1.tv_nsec - t0->tv_nsec);
}

// Loads each network of a real checkpoint in f16 through the store, with the graphs' layout; reports time.
static void test_real_checkpoint(const char *path) {
  vd_weight_file *f = NULL;
  CHECK_OK(vd_weight_file_open(path, &f));
  for (size_t p = 0; f && p < N_PREFIXES; ++p) {
    vd_graph *g = build_net(prefixes[p].net);
    vd_weight_spec *specs = NULL;
    size_t n = g ? graph_specs(g, prefixes[p].prefix, &specs) : 0;
    struct timespec t0;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    vd_weight_store *s = NULL;
    CHECK_OK(vd_weight_store_load(f, prefixes[p].prefix, specs, n, VD_WEIGHT_F16, &s));
    if (s)
      printf("real checkpoint: %-42s %4zu tensors, %7.1f MB f16, %.2f s\n", prefixes[p].prefix,
             vd_weight_store_count(s), (double)vd_weight_store_bytes(s) / 1e6, seconds_since(&t0));
    vd_weight_store_destroy(s);
    free(specs);
    vd_graph_destroy(g);
  }
  vd_weight_file_destroy(f);
}

int main(int argc, char **argv) {
  if (argc > 1 && strcmp(argv[1], "real_ckpt") == 0) {
    const char *path = getenv("VLMD_REAL_CKPT");
    if (path) test_real_checkpoint(path);
    else vdt_skip("VLMD_REAL_CKPT is not set: no full-size checkpoint to load");
    return vdt_finish("test_weights_layout real_ckpt");
  }
  test_layout();
  return vdt_finish("test_weights_layout");
}
