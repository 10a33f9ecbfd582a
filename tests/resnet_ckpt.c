#include "tests/resnet_ckpt.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "graph/graph.h"
#include "models/resnet.h"
#include "models/resnet_weights.h"
#include "tests/nets_tiny.h"

static void vdt_rc_die(vd_status st, const char *what) {
  if (!st) return;
  fprintf(stderr, "%s: %s\n", what, vd_status_message(st));
  exit(1);
}

static bool vdt_rc_ends(const char *s, const char *suffix) {
  size_t a = strlen(s), b = strlen(suffix);
  return a >= b && strcmp(s + a - b, suffix) == 0;
}

// Appends one entry named `name` (copied into the name storage).
static void vdt_rc_add(vdt_resnet_ckpt *k, size_t cap, const char *skip, const char *name, int rank,
                       const int64_t *shape, bool int64) {
  if (skip && strcmp(skip, name) == 0) return;
  if (k->count >= cap) vdt_rc_die(vd_status_make(VD_ERR_INTERNAL, "layout overflow"), "resnet layout");
  char *dst = k->names + k->count * VD_NAME_LEN;
  snprintf(dst, VD_NAME_LEN, "%s", name);
  vdt_ckpt_entry *e = &k->entries[k->count++];
  *e = (vdt_ckpt_entry){.name = dst, .rank = rank, .int64 = int64};
  if (rank) memcpy(e->shape, shape, (size_t)rank * sizeof(int64_t));
}

vdt_resnet_ckpt vdt_resnet_ckpt_layout(const vd_resnet_config *c, int classes, const char *skip) {
  vd_resnet_config all = *c;
  all.variant = VD_RESNET_DINO;  // builds layer1..layer4: every conv the checkpoint has
  vd_graph *g = NULL;
  vdt_rc_die(vd_graph_create(VD_PRECISION_F32, &g), "graph");
  vdt_rc_die(vd_resnet_build_graph(g, &all, 1, 64, 64), "resnet graph");
  vd_weight_spec *specs = NULL;
  char *spec_names = NULL;
  size_t n = 0;
  vdt_rc_die(vd_resnet_checkpoint_specs(g, &specs, &spec_names, &n), "resnet specs");
  size_t cap = n + n / 4 + 4;
  vdt_resnet_ckpt k = {calloc(cap, sizeof(vdt_ckpt_entry)), calloc(cap, VD_NAME_LEN), 0};
  int64_t last_c = 0;
  for (size_t i = 0; i < n; ++i) {
    vdt_rc_add(&k, cap, skip, specs[i].name, specs[i].rank, specs[i].shape, false);
    if (specs[i].rank == 4) last_c = specs[i].shape[0];
    if (vdt_rc_ends(specs[i].name, ".running_var")) {  // torch's BN order ends with num_batches_tracked
      char nbt[VD_NAME_LEN];
      snprintf(nbt, sizeof nbt, "%.*snum_batches_tracked", (int)(strlen(specs[i].name) - 11), specs[i].name);
      vdt_rc_add(&k, cap, skip, nbt, 0, NULL, true);
    }
  }
  int64_t fcw[2] = {classes, last_c}, fcb[1] = {classes};
  vdt_rc_add(&k, cap, skip, "fc.weight", 2, fcw, false);
  vdt_rc_add(&k, cap, skip, "fc.bias", 1, fcb, false);
  free(specs), free(spec_names);
  vd_graph_destroy(g);
  return k;
}

void vdt_resnet_ckpt_free(vdt_resnet_ckpt *k) {
  free(k->entries), free(k->names);
  memset(k, 0, sizeof(*k));
}

void vdt_resnet_ckpt_values(const vdt_ckpt_entry *e, void *data, uint64_t numel) {
  if (e->int64) return;  // num_batches_tracked: 0 (calloc'd), never read
  float *out = data, scale = 0.25f, offset = 0.0f;
  uint64_t seed = vdt_fnv1a(e->name) ^ 0x564C4D4469666621ull;
  if (e->rank >= 2) {
    uint64_t fan_in = numel / (uint64_t)e->shape[0];
    scale = (float)sqrt(3.0 / (double)fan_in);
  } else if (vdt_rc_ends(e->name, "running_var")) {
    scale = 0.5f, offset = 1.0f;
  } else if (vdt_rc_ends(e->name, "running_mean") || strcmp(e->name, "fc.bias") == 0) {
    scale = 0.2f;
  } else if (vdt_rc_ends(e->name, ".weight")) {
    scale = 0.25f, offset = 1.0f;
  }
  for (uint64_t i = 0; i < numel; ++i) {
    float v = vdt_uniform_pm1(seed, i);
    out[i] = offset != 0.0f ? offset + v * scale : v * scale;
  }
}

static void vdt_rc_fill(void *user, size_t i, void *data, uint64_t numel) {
  const vdt_resnet_ckpt *k = user;
  vdt_resnet_ckpt_values(&k->entries[i], data, numel);
}

void vdt_resnet_ckpt_write(const vdt_resnet_ckpt *k, const char *path) {
  vdt_write_torch_ckpt(path, k->entries, k->count, vdt_rc_fill, (void *)k);
}
