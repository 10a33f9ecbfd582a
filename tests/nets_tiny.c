#include "tests/nets_tiny.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "formats/config_json.h"
#include "formats/config_yaml.h"
#include "formats/safetensors_writer.h"
#include "graph/graph.h"
#include "models/clip_text_encoder.h"
#include "models/unet.h"
#include "models/vae.h"

static void vdt_die(vd_status st, const char *what) {
  if (!st) return;
  fprintf(stderr, "%s: %s\n", what, vd_status_message(st));
  exit(1);
}

void vdt_tiny_configs(vd_ldm_config *ldm, vd_clip_text_config *clip) {
  vd_ldm_config_default(ldm);
  vd_clip_text_config_default(clip);
  vdt_die(vd_ldm_config_read_yaml(VLMD_SOURCE_DIR "/tests/data/nets/tiny.yaml", ldm, NULL), "tiny.yaml");
  vdt_die(vd_clip_text_config_read_json(VLMD_SOURCE_DIR "/tests/data/nets/tiny_clip_config.json", clip, NULL),
          "tiny_clip_config.json");
}

uint64_t vdt_fnv1a(const char *s) {
  uint64_t h = 0xCBF29CE484222325ull;
  for (; *s; ++s) h = (h ^ (unsigned char)*s) * 0x100000001B3ull;
  return h;
}

// v_i in [-1, 1): the generator of make_net_goldens.py (splitmix64 from FNV-1a(name) ^ SEED).
float vdt_uniform_pm1(uint64_t seed, uint64_t i) {
  uint64_t z = seed + (i + 1) * 0x9E3779B97F4A7C15ull;
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
  z ^= z >> 31;
  int64_t k = (int64_t)(z >> 40);
  return (float)(2 * k - (1 << 24)) * (float)(1.0 / 16777216.0);
}

static bool vdt_ends(const char *s, const char *suffix) {
  size_t a = strlen(s), b = strlen(suffix);
  return a >= b && strcmp(s + a - b, suffix) == 0;
}

// The value rules of weight_values() in make_net_goldens.py (and dino_ref.py, whose cls_token and
// pos_embed follow the embedding-table rule).
void vdt_weight_values(const vd_tensor *t, const vd_graph *const *graphs, int ng, float *out) {
  uint64_t n = t->bytes / 4, seed = vdt_fnv1a(t->name) ^ 0x564C4D4469666621ull;
  float scale = 0.2f, offset = 0.0f;
  if (vdt_ends(t->name, "embedding.weight") || strcmp(t->name, "cls_token") == 0 ||
      strcmp(t->name, "pos_embed") == 0) {
    scale = (float)sqrt(3.0);
  } else if (t->rank >= 2) {
    int64_t fan_in = 1;
    for (uint32_t i = 1; i < t->rank; ++i) fan_in *= t->shape[i];
    scale = (float)sqrt(3.0 / (double)fan_in);
  } else if (vdt_ends(t->name, ".weight")) {
    scale = 0.25f, offset = 1.0f;
  } else {  // a bias: 0.25 if its partner weight is 1-D (a norm's beta)
    char partner[VD_NAME_LEN];
    snprintf(partner, sizeof(partner), "%.*s.weight", (int)(strlen(t->name) - 5), t->name);
    for (int k = 0; k < ng; ++k) {
      vd_tensor_id p = vd_graph_find(graphs[k], partner);
      if (p != VD_NO_TENSOR && vd_graph_get_tensor(graphs[k], p)->rank == 1) scale = 0.25f;
    }
  }
  for (uint64_t i = 0; i < n; ++i) {
    float v = vdt_uniform_pm1(seed, i);
    out[i] = offset != 0.0f ? offset + v * scale : v * scale;
  }
}

static vd_graph *vdt_graph(int which, const vd_ldm_config *c, const vd_clip_text_config *clip) {
  vd_graph *g = NULL;
  vdt_die(vd_graph_create(VD_PRECISION_F32, &g), "graph");
  vd_tensor_id a = VD_NO_TENSOR, b = VD_NO_TENSOR;
  vd_status st = NULL;
  if (which == 0) {
    int64_t s[4] = {1, c->vae.in_channels, 128, 128};
    vd_graph_scope_push(g, "first_stage_model");
    st = vd_vae_encoder_build(g, &c->vae, vd_graph_input(g, "image", VD_DTYPE_F32, 4, s), &a, &b);
    if (!st) {
      int64_t zs[4] = {1, c->vae.embed_dim, 16, 16};
      st = vd_vae_decoder_build(g, &c->vae, c->diffusion.scale_factor, vd_graph_input(g, "z", VD_DTYPE_F32, 4, zs), &a);
    }
  } else if (which == 1) {
    int64_t xs[4] = {1, c->unet.in_channels, 16, 16}, ts[1] = {1}, cs[3] = {1, 77, c->unet.context_dim};
    int64_t hs[4] = {1, c->control.hint_channels, 128, 128};
    vd_eps_inputs in = {vd_graph_input(g, "x", VD_DTYPE_F32, 4, xs), vd_graph_input(g, "t", VD_DTYPE_F32, 1, ts),
                        vd_graph_input(g, "context", VD_DTYPE_F32, 3, cs), vd_graph_input(g, "hint", VD_DTYPE_F32, 4, hs)};
    st = vd_eps_build(g, &c->unet, &c->control, true, &in, &a);
  } else {
    int64_t s[2] = {1, 77};
    vd_graph_scope_push(g, "cond_stage_model.transformer.text_model");
    st = vd_clip_text_build(g, clip, vd_graph_input(g, "tokens", VD_DTYPE_I32, 2, s), &a);
  }
  vdt_die(st, "building a tiny network");
  return g;
}

void vdt_write_generated_weights(const vd_graph *const *graphs, int ng, const char *path) {
  size_t cap = 1, n = 0;
  for (int k = 0; k < ng; ++k) cap += vd_graph_tensor_count(graphs[k]);
  vd_safetensors_entry *entries = calloc(cap, sizeof(*entries));
  const vd_tensor **tensors = calloc(cap, sizeof(*tensors));
  if (!entries || !tensors) vdt_die(vd_status_make(VD_ERR_OUT_OF_MEMORY, "weight list"), path);
  for (int k = 0; k < ng; ++k)
    for (uint32_t t = 0; t < vd_graph_tensor_count(graphs[k]); ++t) {
      const vd_tensor *x = vd_graph_get_tensor(graphs[k], t);
      if (x->kind != VD_TENSOR_WEIGHT) continue;
      entries[n] = (vd_safetensors_entry){.name = x->name, .dtype = VD_WEIGHT_F32, .rank = (int)x->rank};
      memcpy(entries[n].shape, x->shape, x->rank * sizeof(int64_t));
      tensors[n++] = x;
    }
  vd_safetensors_writer *w = NULL;
  vdt_die(vd_safetensors_writer_create(path, entries, n, &w), path);
  for (size_t i = 0; i < n; ++i) {
    float *data = malloc(tensors[i]->bytes);
    vdt_weight_values(tensors[i], graphs, ng, data);
    vdt_die(vd_safetensors_writer_write(w, data, tensors[i]->bytes), path);
    free(data);
  }
  vdt_die(vd_safetensors_writer_finish(w), path);
  free(entries);
  free(tensors);
}

const char *vdt_tiny_weights(const vd_ldm_config *c, const vd_clip_text_config *clip, const char *path) {
  static bool done = false;
  if (!path && done) return VLMD_BINARY_DIR "/tiny_weights.safetensors";
  if (!path) path = VLMD_BINARY_DIR "/tiny_weights.safetensors", done = true;
  vd_graph *graphs[3] = {vdt_graph(0, c, clip), vdt_graph(1, c, clip), vdt_graph(2, c, clip)};
  vdt_write_generated_weights((const vd_graph *const *)graphs, 3, path);
  for (int k = 0; k < 3; ++k) vd_graph_destroy(graphs[k]);
  return path;
}
