#include "graph/plan.h"

#include <stdlib.h>
#include <string.h>

#define VD_PLAN_MAX_SLABS 4096

static bool vd_in_arena(const vd_tensor *t) {
  return t->kind == VD_TENSOR_INTERMEDIATE || t->kind == VD_TENSOR_OUTPUT;
}

// Lifetimes: from the producing node to the last reader (or the end for kept tensors).
static void vd_plan_lifetimes(const vd_graph *g, const bool *keep_extra, vd_plan *p) {
  uint32_t nodes = vd_graph_node_count(g);
  for (uint32_t t = 0; t < p->tensor_count; ++t) {
    const vd_tensor *x = vd_graph_get_tensor(g, t);
    p->first_use[t] = x->producer == VD_NO_TENSOR ? 0 : x->producer;
    bool keep = x->keep || (keep_extra && keep_extra[t]);
    p->last_use[t] = keep || !vd_in_arena(x) ? nodes : p->first_use[t];
  }
  for (uint32_t i = 0; i < nodes; ++i) {
    const vd_node *n = vd_graph_get_node(g, i);
    for (uint32_t k = 0; k < n->n_in; ++k)
      if (n->in[k] != VD_NO_TENSOR && p->last_use[n->in[k]] < i) p->last_use[n->in[k]] = i;
  }
}

static bool vd_live_together(const vd_plan *p, uint32_t a, uint32_t b) {
  return p->first_use[a] <= p->last_use[b] && p->first_use[b] <= p->last_use[a];
}

typedef struct vd_placed {
  uint32_t tensor;  // id
  uint64_t begin;   // offset
  uint64_t end;     // offset + size
} vd_placed;

static int vd_cmp_size_desc(const void *a, const void *b, void *bytes) {
  uint64_t sa = ((const uint64_t *)bytes)[*(const uint32_t *)a], sb = ((const uint64_t *)bytes)[*(const uint32_t *)b];
  if (sa != sb) return sa > sb ? -1 : 1;
  return *(const uint32_t *)a < *(const uint32_t *)b ? -1 : 1;
}

// A stable merge sort of tensor ids by size, largest first (qsort has no context argument in C11).
static void vd_sort_indices(uint32_t *idx, uint32_t n, uint64_t *bytes, uint32_t *tmp) {
  if (n < 2) return;
  uint32_t h = n / 2;
  vd_sort_indices(idx, h, bytes, tmp);
  vd_sort_indices(idx + h, n - h, bytes, tmp);
  uint32_t i = 0, j = h, k = 0;
  while (i < h && j < n) tmp[k++] = vd_cmp_size_desc(&idx[i], &idx[j], bytes) <= 0 ? idx[i++] : idx[j++];
  while (i < h) tmp[k++] = idx[i++];
  while (j < n) tmp[k++] = idx[j++];
  memcpy(idx, tmp, n * sizeof(uint32_t));
}

// Lowest aligned offset in `slab` where [off, off+size) meets no placed tensor that is live at the same
// time. Placed ranges are scanned in offset order (the list is kept sorted by begin).
static uint64_t vd_first_fit(const vd_plan *p, const vd_placed *placed, uint32_t n_placed, uint32_t t, uint64_t size,
                             uint64_t align) {
  uint64_t off = 0;
  for (uint32_t i = 0; i < n_placed; ++i) {
    if (!vd_live_together(p, placed[i].tensor, t)) continue;
    if (placed[i].begin >= off + size) break;  // fits in the gap before this one
    if (placed[i].end > off) off = (placed[i].end + align - 1) & ~(align - 1);
  }
  return off;
}

static vd_status vd_plan_arena(const vd_graph *g, const vd_plan_limits *lim, vd_plan *p) {
  uint32_t n = p->tensor_count, m = 0;
  uint32_t *order = malloc((n + 1) * sizeof(uint32_t)), *tmp = malloc((n + 1) * sizeof(uint32_t));
  uint64_t *bytes = malloc((n + 1) * sizeof(uint64_t));
  p->slab_bytes = calloc(VD_PLAN_MAX_SLABS, sizeof(uint64_t));
  vd_status st = NULL;
  if (!order || !tmp || !bytes || !p->slab_bytes)
    st = vd_status_make(VD_ERR_OUT_OF_MEMORY, "planning the arena");
  for (uint32_t t = 0; !st && t < n; ++t) {
    const vd_tensor *x = vd_graph_get_tensor(g, t);
    bytes[t] = x->bytes;
    if (vd_in_arena(x)) order[m++] = t;
    if (vd_in_arena(x)) p->intermediate_bytes += x->bytes;
    if (x->kind == VD_TENSOR_WEIGHT) p->weight_bytes += x->bytes;
    if (x->kind == VD_TENSOR_INPUT) p->input_bytes += x->bytes;
    if (vd_in_arena(x) && x->bytes > lim->max_slab)
      st = vd_status_make(VD_ERR_LIMIT, "tensor %s has %llu bytes, more than one buffer may span (%llu): split it",
                          x->name, (unsigned long long)x->bytes, (unsigned long long)lim->max_slab);
  }
  if (!st) vd_sort_indices(order, m, bytes, tmp);
  // Per slab, placed tensors are kept sorted by offset in one array: slabs own contiguous runs.
  uint32_t *slab_len = calloc(VD_PLAN_MAX_SLABS, sizeof(uint32_t));
  vd_placed **runs = calloc(VD_PLAN_MAX_SLABS, sizeof(vd_placed *));
  if (!st && (!slab_len || !runs)) st = vd_status_make(VD_ERR_OUT_OF_MEMORY, "planning the arena");
  for (uint32_t k = 0; !st && k < m; ++k) {
    uint32_t t = order[k];
    uint64_t size = (bytes[t] + lim->alignment - 1) & ~(lim->alignment - 1);
    uint32_t s = 0;
    uint64_t off = 0;
    for (; s < p->slab_count; ++s) {
      off = vd_first_fit(p, runs[s], slab_len[s], t, size, lim->alignment);
      if (off + size <= lim->max_slab) break;
    }
    if (s == p->slab_count) {
      if (s == VD_PLAN_MAX_SLABS) {
        st = vd_status_make(VD_ERR_LIMIT, "the arena needs more than %d buffers", VD_PLAN_MAX_SLABS);
        break;
      }
      runs[s] = malloc((m + 1) * sizeof(vd_placed));
      if (!runs[s]) {
        st = vd_status_make(VD_ERR_OUT_OF_MEMORY, "planning the arena");
        break;
      }
      p->slab_count++;
      off = 0;
    }
    uint32_t pos = 0;  // insert sorted by begin
    while (pos < slab_len[s] && runs[s][pos].begin <= off) ++pos;
    memmove(&runs[s][pos + 1], &runs[s][pos], (slab_len[s] - pos) * sizeof(vd_placed));
    runs[s][pos] = (vd_placed){t, off, off + size};
    slab_len[s]++;
    p->slab[t] = s;
    p->offset[t] = off;
    if (off + size > p->slab_bytes[s]) p->slab_bytes[s] = off + size;
  }
  for (uint32_t s = 0; s < p->slab_count; ++s) p->arena_bytes += p->slab_bytes[s];
  for (uint32_t s = 0; runs && s < VD_PLAN_MAX_SLABS; ++s) free(runs[s]);
  free(runs);
  free(slab_len);
  free(order), free(tmp), free(bytes);
  return st;
}

// Memory a tensor occupies, as a key comparable across tensors: arena tensors by (slab, range),
// inputs/weights by their own id (they never alias anything).
typedef struct vd_region {
  uint32_t space;  // slab index, or VD_PLAN_MAX_SLABS + tensor id for non-arena tensors
  uint64_t begin, end;
  bool write;
} vd_region;

static vd_region vd_region_of(const vd_graph *g, const vd_plan *p, vd_tensor_id t, bool write) {
  const vd_tensor *x = vd_graph_get_tensor(g, t);
  if (!vd_in_arena(x)) return (vd_region){VD_PLAN_MAX_SLABS + t, 0, x->bytes, write};
  return (vd_region){p->slab[t], p->offset[t], p->offset[t] + x->bytes, write};
}

static bool vd_conflict(const vd_region *a, const vd_region *b) {
  return a->space == b->space && a->begin < b->end && b->begin < a->end && (a->write || b->write);
}

static vd_status vd_plan_barriers(const vd_graph *g, vd_plan *p) {
  uint32_t nodes = vd_graph_node_count(g), pending_n = 0, cap = 64;
  vd_region *pending = malloc(cap * sizeof(vd_region));
  if (!pending) return vd_status_make(VD_ERR_OUT_OF_MEMORY, "planning barriers");
  for (uint32_t i = 0; i < nodes; ++i) {
    const vd_node *n = vd_graph_get_node(g, i);
    vd_region acc[VD_NODE_MAX_IN + VD_NODE_MAX_OUT];
    uint32_t na = 0;
    for (uint32_t k = 0; k < n->n_in; ++k)
      if (n->in[k] != VD_NO_TENSOR) acc[na++] = vd_region_of(g, p, n->in[k], false);
    for (uint32_t k = 0; k < n->n_out; ++k) acc[na++] = vd_region_of(g, p, n->out[k], true);
    bool hazard = false;
    for (uint32_t a = 0; a < na && !hazard; ++a)
      for (uint32_t q = 0; q < pending_n && !hazard; ++q) hazard = vd_conflict(&acc[a], &pending[q]);
    if (hazard) {
      p->barrier_before[i] = true;
      p->barrier_count++;
      pending_n = 0;
    }
    if (pending_n + na > cap) {
      cap = 2 * (pending_n + na);
      vd_region *np = realloc(pending, cap * sizeof(vd_region));
      if (!np) {
        free(pending);
        return vd_status_make(VD_ERR_OUT_OF_MEMORY, "planning barriers");
      }
      pending = np;
    }
    memcpy(&pending[pending_n], acc, na * sizeof(vd_region));
    pending_n += na;
  }
  free(pending);
  return NULL;
}

vd_status vd_plan_build(const vd_graph *g, const vd_plan_limits *limits, const bool *keep_extra, vd_plan **out_plan) {
  *out_plan = NULL;
  if (vd_graph_status(g)) return vd_status_make(VD_ERR_INVALID_ARGUMENT, "planning a graph that failed to build: %s",
                                               vd_status_message(vd_graph_status(g)));
  if (!limits->alignment || (limits->alignment & (limits->alignment - 1)) || limits->max_slab < limits->alignment)
    return vd_status_make(VD_ERR_INVALID_ARGUMENT, "bad plan limits");
  vd_plan *p = calloc(1, sizeof(*p));
  if (!p) return vd_status_make(VD_ERR_OUT_OF_MEMORY, "plan");
  uint32_t n = vd_graph_tensor_count(g);
  p->tensor_count = n;
  p->node_count = vd_graph_node_count(g);
  p->slab = malloc((n + 1) * sizeof(uint32_t));
  p->offset = calloc(n + 1, sizeof(uint64_t));
  p->first_use = malloc((n + 1) * sizeof(uint32_t));
  p->last_use = malloc((n + 1) * sizeof(uint32_t));
  p->barrier_before = calloc(p->node_count + 1, sizeof(bool));
  vd_status st = NULL;
  if (!p->slab || !p->offset || !p->first_use || !p->last_use || !p->barrier_before)
    st = vd_status_make(VD_ERR_OUT_OF_MEMORY, "plan");
  if (!st) {
    for (uint32_t t = 0; t < n; ++t) p->slab[t] = UINT32_MAX;
    vd_plan_lifetimes(g, keep_extra, p);
    st = vd_plan_arena(g, limits, p);
  }
  if (!st) st = vd_plan_barriers(g, p);
  if (st) {
    vd_plan_destroy(p);
    return st;
  }
  *out_plan = p;
  return NULL;
}

void vd_plan_destroy(vd_plan *p) {
  if (!p) return;
  free(p->slab), free(p->offset), free(p->first_use), free(p->last_use), free(p->barrier_before);
  free(p->slab_bytes);
  free(p);
}

bool vd_plan_has_overlap(const vd_graph *g, const vd_plan *p) {
  for (uint32_t a = 0; a < p->tensor_count; ++a) {
    const vd_tensor *x = vd_graph_get_tensor(g, a);
    if (!vd_in_arena(x)) continue;
    if (p->offset[a] + x->bytes > p->slab_bytes[p->slab[a]]) return true;
    for (uint32_t b = a + 1; b < p->tensor_count; ++b) {
      const vd_tensor *y = vd_graph_get_tensor(g, b);
      if (!vd_in_arena(y) || p->slab[a] != p->slab[b] || !vd_live_together(p, a, b)) continue;
      if (p->offset[a] < p->offset[b] + y->bytes && p->offset[b] < p->offset[a] + x->bytes) return true;
    }
  }
  return false;
}
