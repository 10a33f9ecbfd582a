#include "models/resnet_weights.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *const vd_bn_parts[VD_RESNET_BN_TENSORS] = {"weight", "bias", "running_mean", "running_var"};

static bool vd_ends_with(const char *s, const char *suffix) {
  size_t a = strlen(s), b = strlen(suffix);
  return a >= b && strcmp(s + a - b, suffix) == 0;
}

bool vd_resnet_bn_name(const char *conv, char *out, size_t cap) {
  size_t n = strlen(conv);
  if (vd_ends_with(conv, "downsample.0"))
    return snprintf(out, cap, "%.*s1", (int)(n - 1), conv) < (int)cap;
  const char *last = strrchr(conv, '.');
  last = last ? last + 1 : conv;
  if (strncmp(last, "conv", 4) != 0 || !last[4]) return false;
  return snprintf(out, cap, "%.*sbn%s", (int)(last - conv), conv, last + 4) < (int)cap;
}

// The conv module of a declared weight "M.weight" of rank 4 (into out); false for other tensors.
static bool vd_conv_module(const vd_tensor *t, char *out, size_t cap) {
  if (t->kind != VD_TENSOR_WEIGHT || t->rank != 4 || !vd_ends_with(t->name, ".weight")) return false;
  return snprintf(out, cap, "%.*s", (int)(strlen(t->name) - 7), t->name) < (int)cap;
}

vd_status vd_resnet_checkpoint_specs(const vd_graph *g, vd_weight_spec **out_specs, char **out_names,
                                     size_t *out_count) {
  uint32_t nt = vd_graph_tensor_count(g), convs = 0;
  for (uint32_t t = 0; t < nt; ++t) {
    char m[VD_NAME_LEN];
    convs += vd_conv_module(vd_graph_get_tensor(g, t), m, sizeof m);
  }
  size_t cap = (size_t)convs * (1 + VD_RESNET_BN_TENSORS);
  vd_weight_spec *specs = calloc(cap + 1, sizeof(*specs));
  char *names = calloc(cap + 1, VD_NAME_LEN);
  if (!specs || !names) {
    free(specs), free(names);
    return vd_status_make(VD_ERR_OUT_OF_MEMORY, "resnet weight list");
  }
  size_t n = 0;
  for (uint32_t t = 0; t < nt; ++t) {
    const vd_tensor *x = vd_graph_get_tensor(g, t);
    char m[VD_NAME_LEN], bn[VD_NAME_LEN];
    if (!vd_conv_module(x, m, sizeof m)) continue;
    if (!vd_resnet_bn_name(m, bn, sizeof bn)) {
      free(specs), free(names);
      return vd_status_make(VD_ERR_INTERNAL, "resnet: %s is not a conv the BN fold knows", x->name);
    }
    for (int k = 0; k <= VD_RESNET_BN_TENSORS; ++k, ++n) {
      char *name = names + n * VD_NAME_LEN;
      if (k == 0) snprintf(name, VD_NAME_LEN, "%s", x->name);
      else snprintf(name, VD_NAME_LEN, "%.100s.%s", bn, vd_bn_parts[k - 1]);
      specs[n] = (vd_weight_spec){.name = name, .rank = k == 0 ? 4 : 1, .shape = {x->shape[0]}};
      if (k == 0) memcpy(specs[n].shape, x->shape, 4 * sizeof(int64_t));
    }
  }
  *out_specs = specs, *out_names = names, *out_count = n;
  return NULL;
}

void vd_resnet_fold_bn(uint32_t co, uint64_t per, const float *weight, const float *gamma, const float *beta,
                       const float *mean, const float *var, double eps, float *out_weight, float *out_bias) {
  for (uint32_t o = 0; o < co; ++o) {
    double a = (double)gamma[o] / sqrt((double)var[o] + eps);
    if (out_weight)
      for (uint64_t k = 0; k < per; ++k) out_weight[o * per + k] = (float)((double)weight[o * per + k] * a);
    if (out_bias) out_bias[o] = (float)((double)beta[o] - (double)mean[o] * a);
  }
}

typedef struct vd_fold_source {
  const vd_weight_store *store;  // the checkpoint tensors (float32)
  double eps;                    // BN eps
} vd_fold_source;

static const float *vd_fold_find(const vd_fold_source *s, const char *name) {
  const vd_host_tensor *h = vd_weight_store_find(s->store, name);
  return h ? h->data : NULL;
}

// Fills "M.weight" or "M.bias" (the folded conv M) from the checkpoint's M.weight and its BN.
static vd_status vd_fold_fill(void *user, const vd_tensor *t, float *out) {
  const vd_fold_source *s = user;
  bool is_bias = vd_ends_with(t->name, ".bias");
  char m[VD_NAME_LEN], bn[VD_NAME_LEN], key[VD_NAME_LEN];
  snprintf(m, sizeof m, "%.*s", (int)(strlen(t->name) - (is_bias ? 5 : 7)), t->name);
  if (!vd_resnet_bn_name(m, bn, sizeof bn))
    return vd_status_make(VD_ERR_INTERNAL, "resnet: no BN for weight %s", t->name);
  const float *v[VD_RESNET_BN_TENSORS];
  for (int k = 0; k < VD_RESNET_BN_TENSORS; ++k) {
    snprintf(key, sizeof key, "%.100s.%s", bn, vd_bn_parts[k]);
    if (!(v[k] = vd_fold_find(s, key))) return vd_status_make(VD_ERR_INTERNAL, "resnet: %s not loaded", key);
  }
  snprintf(key, sizeof key, "%.110s.weight", m);
  const vd_host_tensor *w = vd_weight_store_find(s->store, key);
  if (!w) return vd_status_make(VD_ERR_INTERNAL, "resnet: %s not loaded", key);
  uint32_t co = (uint32_t)w->shape[0];
  uint64_t per = (uint64_t)w->shape[1] * (uint64_t)w->shape[2] * (uint64_t)w->shape[3];
  vd_resnet_fold_bn(co, per, w->data, v[0], v[1], v[2], v[3], s->eps, is_bias ? NULL : out, is_bias ? out : NULL);
  return NULL;
}

vd_status vd_resnet_weights_load(vd_weights_gpu *w, const vd_graph *g, const vd_weight_file *file, double bn_eps) {
  vd_weight_spec *specs = NULL;
  char *names = NULL;
  size_t n = 0;
  VD_RETURN_IF_ERROR(vd_resnet_checkpoint_specs(g, &specs, &names, &n));
  vd_weight_store *store = NULL;
  vd_status st = vd_weight_store_load(file, "", specs, n, VD_WEIGHT_F32, &store);
  if (!st) {
    vd_fold_source src = {store, bn_eps};
    st = vd_weights_gpu_fill(w, g, vd_fold_fill, &src);
  }
  vd_weight_store_destroy(store);
  free(specs);
  free(names);
  return st;
}
