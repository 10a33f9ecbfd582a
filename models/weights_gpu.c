#include "models/weights_gpu.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "formats/weight_store.h"
#include "runtime/half.h"

#define VD_WEIGHT_ALIGN 256u

typedef struct vd_gpu_weight {
  char *name;     // full key, e.g. "model.diffusion_model.out.2.weight"
  vd_view view;   // where it lives
  uint64_t bytes; // its size
} vd_gpu_weight;

struct vd_weights_gpu {
  vd_context *ctx;
  vd_precision precision;
  vd_gpu_weight *items;    // loaded tensors
  uint32_t count, cap;
  vd_buffer **buffers;     // packed storage
  uint32_t buffer_count, buffer_cap;
  uint64_t bytes;          // total uploaded
};

vd_status vd_weights_gpu_create(vd_context *ctx, vd_precision precision, vd_weights_gpu **out_weights) {
  *out_weights = calloc(1, sizeof(vd_weights_gpu));
  if (!*out_weights) return vd_status_make(VD_ERR_OUT_OF_MEMORY, "weights");
  (*out_weights)->ctx = ctx;
  (*out_weights)->precision = precision;
  return NULL;
}

void vd_weights_gpu_destroy(vd_weights_gpu *w) {
  if (!w) return;
  for (uint32_t i = 0; i < w->count; ++i) free(w->items[i].name);
  for (uint32_t i = 0; i < w->buffer_count; ++i) vd_buffer_destroy(w->ctx, w->buffers[i]);
  free(w->items);
  free(w->buffers);
  free(w);
}

static const vd_gpu_weight *vd_find(const vd_weights_gpu *w, const char *name) {
  for (uint32_t i = 0; i < w->count; ++i)
    if (strcmp(w->items[i].name, name) == 0) return &w->items[i];
  return NULL;
}

vd_status vd_weights_gpu_resolve(void *user, const vd_tensor *t, vd_view *out_view) {
  const vd_weights_gpu *w = user;
  if (t->kind != VD_TENSOR_WEIGHT) return vd_status_make(VD_ERR_NOT_FOUND, "%s is not a weight", t->name);
  const vd_gpu_weight *g = vd_find(w, t->name);
  if (!g) return vd_status_make(VD_ERR_NOT_FOUND, "weight %s was not loaded", t->name);
  if (g->bytes != t->bytes)
    return vd_status_make(VD_ERR_INVALID_ARGUMENT, "weight %s: %llu bytes loaded, the graph needs %llu", t->name,
                          (unsigned long long)g->bytes, (unsigned long long)t->bytes);
  *out_view = g->view;
  return NULL;
}

uint64_t vd_weights_gpu_bytes(const vd_weights_gpu *w) { return w->bytes; }
uint32_t vd_weights_gpu_count(const vd_weights_gpu *w) { return w->count; }

// The graph's weights under prefix that are not loaded yet.
static vd_status vd_pending(const vd_weights_gpu *w, const vd_graph *g, const char *prefix, uint32_t **out_ids,
                            uint32_t *out_n) {
  uint32_t n = 0, total = vd_graph_tensor_count(g);
  uint32_t *ids = malloc((total + 1) * sizeof(uint32_t));
  if (!ids) return vd_status_make(VD_ERR_OUT_OF_MEMORY, "weight list");
  size_t plen = strlen(prefix);
  for (uint32_t t = 0; t < total; ++t) {
    const vd_tensor *x = vd_graph_get_tensor(g, t);
    if (x->kind == VD_TENSOR_WEIGHT && strncmp(x->name, prefix, plen) == 0 && !vd_find(w, x->name)) ids[n++] = t;
  }
  *out_ids = ids;
  *out_n = n;
  return NULL;
}

// Packs the given tensors into one or more fresh device buffers; data(i) gives tensor i's host bytes.
typedef vd_status (*vd_data_fn)(void *user, uint32_t i, const void **out_data, void **out_owned);

static vd_status vd_add_item(vd_weights_gpu *w, const char *name, vd_view view, uint64_t bytes) {
  if (w->count == w->cap) {
    uint32_t cap = w->cap ? 2 * w->cap : 256;
    vd_gpu_weight *items = realloc(w->items, cap * sizeof(*items));
    if (!items) return vd_status_make(VD_ERR_OUT_OF_MEMORY, "weight list");
    w->items = items;
    w->cap = cap;
  }
  w->items[w->count] = (vd_gpu_weight){strdup(name), view, bytes};
  if (!w->items[w->count].name) return vd_status_make(VD_ERR_OUT_OF_MEMORY, "weight list");
  w->count++;
  return NULL;
}

static vd_status vd_add_buffer(vd_weights_gpu *w, uint64_t bytes, vd_buffer **out) {
  if (w->buffer_count == w->buffer_cap) {
    uint32_t cap = w->buffer_cap ? 2 * w->buffer_cap : 16;
    vd_buffer **b = realloc(w->buffers, cap * sizeof(*b));
    if (!b) return vd_status_make(VD_ERR_OUT_OF_MEMORY, "weight buffers");
    w->buffers = b;
    w->buffer_cap = cap;
  }
  VD_RETURN_IF_ERROR(vd_buffer_create(w->ctx, VD_MEMORY_DEVICE, bytes, out));
  w->buffers[w->buffer_count++] = *out;
  return NULL;
}

static vd_status vd_pack_upload(vd_weights_gpu *w, const vd_graph *g, const uint32_t *ids, uint32_t n, vd_data_fn data,
                                void *user) {
  uint64_t max = w->ctx->policy.max_buffer_range < w->ctx->policy.max_allocation ? w->ctx->policy.max_buffer_range
                                                                                 : w->ctx->policy.max_allocation;
  if (max > (1ull << 30)) max = 1ull << 30;  // 1 GiB buffers: large enough, easy on allocators
  uint32_t i = 0;
  while (i < n) {
    // Greedily take tensors in order while they fit into one buffer.
    uint64_t size = 0;
    uint32_t j = i;
    for (; j < n; ++j) {
      uint64_t b = vd_graph_get_tensor(g, ids[j])->bytes, next = ((size + VD_WEIGHT_ALIGN - 1) & ~(uint64_t)(VD_WEIGHT_ALIGN - 1)) + b;
      if (b > max) return vd_status_make(VD_ERR_LIMIT, "weight %s has %llu bytes, more than one buffer may hold",
                                         vd_graph_get_tensor(g, ids[j])->name, (unsigned long long)b);
      if (next > max) break;
      size = next;
    }
    vd_buffer *buf = NULL;
    VD_RETURN_IF_ERROR(vd_add_buffer(w, size, &buf));
    uint64_t off = 0;
    for (uint32_t k = i; k < j; ++k) {
      const vd_tensor *x = vd_graph_get_tensor(g, ids[k]);
      off = (off + VD_WEIGHT_ALIGN - 1) & ~(uint64_t)(VD_WEIGHT_ALIGN - 1);
      const void *bytes = NULL;
      void *owned = NULL;
      vd_status st = data(user, k, &bytes, &owned);
      if (!st) st = vd_buffer_upload(w->ctx, buf, off, bytes, x->bytes);
      free(owned);
      if (!st) st = vd_add_item(w, x->name, (vd_view){buf, off}, x->bytes);
      VD_RETURN_IF_ERROR(st);
      w->bytes += x->bytes;
      off += x->bytes;
    }
    i = j;
  }
  return NULL;
}

typedef struct vd_store_source {
  const vd_weight_store *store;
  const vd_graph *g;
  const uint32_t *ids;
  size_t prefix_len;
} vd_store_source;

static vd_status vd_store_data(void *user, uint32_t i, const void **out_data, void **out_owned) {
  vd_store_source *s = user;
  const char *name = vd_graph_get_tensor(s->g, s->ids[i])->name + s->prefix_len;
  const vd_host_tensor *h = vd_weight_store_find(s->store, name);
  if (!h) return vd_status_make(VD_ERR_INTERNAL, "weight %s vanished from the store", name);
  *out_data = h->data;
  *out_owned = NULL;
  return NULL;
}

vd_status vd_weights_gpu_load(vd_weights_gpu *w, const vd_graph *g, const vd_weight_file *file, const char *prefix) {
  uint32_t *ids = NULL, n = 0;
  VD_RETURN_IF_ERROR(vd_pending(w, g, prefix, &ids, &n));
  vd_weight_spec *specs = calloc(n + 1, sizeof(*specs));
  if (!specs) {
    free(ids);
    return vd_status_make(VD_ERR_OUT_OF_MEMORY, "weight list");
  }
  size_t plen = strlen(prefix);
  for (uint32_t i = 0; i < n; ++i) {
    const vd_tensor *x = vd_graph_get_tensor(g, ids[i]);
    specs[i].name = x->name + plen;
    specs[i].rank = (int)x->rank;
    memcpy(specs[i].shape, x->shape, x->rank * sizeof(int64_t));
  }
  vd_weight_store *store = NULL;
  vd_weight_dtype dt = w->precision == VD_PRECISION_F16 ? VD_WEIGHT_F16 : VD_WEIGHT_F32;
  vd_status st = n ? vd_weight_store_load(file, prefix, specs, n, dt, &store) : NULL;
  if (!st && n) {
    vd_store_source src = {store, g, ids, plen};
    st = vd_pack_upload(w, g, ids, n, vd_store_data, &src);
  }
  vd_weight_store_destroy(store);
  free(specs);
  free(ids);
  return st;
}

typedef struct vd_fill_source {
  const vd_graph *g;
  const uint32_t *ids;
  vd_weights_fill_fn fill;
  void *user;
  vd_precision precision;
} vd_fill_source;

static vd_status vd_fill_data(void *user, uint32_t i, const void **out_data, void **out_owned) {
  vd_fill_source *s = user;
  const vd_tensor *x = vd_graph_get_tensor(s->g, s->ids[i]);
  uint64_t n = x->bytes / vd_dtype_size(x->dtype);
  float *f = malloc(n * sizeof(float) + 4);
  if (!f) return vd_status_make(VD_ERR_OUT_OF_MEMORY, "weight %s", x->name);
  vd_status st = s->fill(s->user, x, f);
  if (!st && s->precision == VD_PRECISION_F16) {
    uint16_t *h = (uint16_t *)(void *)f;  // in place: element k is read before it is overwritten
    for (uint64_t k = 0; k < n && !st; ++k) {
      if (!(fabsf(f[k]) <= 65504.0f))
        st = vd_status_make(VD_ERR_LIMIT, "weight %s: element %llu = %g does not fit fp16", x->name,
                            (unsigned long long)k, (double)f[k]);
      else h[k] = vd_f32_to_f16(f[k]);
    }
  }
  if (st) {
    free(f);
    return st;
  }
  *out_data = f;
  *out_owned = f;
  return NULL;
}

vd_status vd_weights_gpu_fill(vd_weights_gpu *w, const vd_graph *g, vd_weights_fill_fn fill, void *user) {
  uint32_t *ids = NULL, n = 0;
  VD_RETURN_IF_ERROR(vd_pending(w, g, "", &ids, &n));
  vd_fill_source src = {g, ids, fill, user, w->precision};
  vd_status st = vd_pack_upload(w, g, ids, n, vd_fill_data, &src);
  free(ids);
  return st;
}

typedef struct vd_random_source {
  const vd_graph *g;
  const uint32_t *ids;
  uint64_t seed;
  float scale;
  vd_precision precision;
} vd_random_source;

static vd_status vd_random_data(void *user, uint32_t i, const void **out_data, void **out_owned) {
  vd_random_source *s = user;
  const vd_tensor *x = vd_graph_get_tensor(s->g, s->ids[i]);
  uint64_t n = x->bytes / vd_dtype_size(x->dtype);
  void *buf = malloc(x->bytes);
  if (!buf) return vd_status_make(VD_ERR_OUT_OF_MEMORY, "random weight %s", x->name);
  uint64_t st = s->seed ^ (0x9e3779b97f4a7c15ull * (i + 1));
  for (uint64_t k = 0; k < n; ++k) {
    st ^= st >> 12, st ^= st << 25, st ^= st >> 27;
    float v = s->scale * (float)((double)((st * 2685821657736338717ull) >> 11) * (2.0 / 9007199254740992.0) - 1.0);
    if (s->precision == VD_PRECISION_F16) ((uint16_t *)buf)[k] = vd_f32_to_f16(v);
    else ((float *)buf)[k] = v;
  }
  *out_data = buf;
  *out_owned = buf;
  return NULL;
}

vd_status vd_weights_gpu_random(vd_weights_gpu *w, const vd_graph *g, uint64_t seed, float scale) {
  uint32_t *ids = NULL, n = 0;
  VD_RETURN_IF_ERROR(vd_pending(w, g, "", &ids, &n));
  vd_random_source src = {g, ids, seed, scale, w->precision};
  vd_status st = vd_pack_upload(w, g, ids, n, vd_random_data, &src);
  free(ids);
  return st;
}
