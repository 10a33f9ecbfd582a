#include "graph/graph.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define VD_MAX_SCOPE_DEPTH 16

struct vd_graph {
  vd_precision precision;   // storage precision of activations and weights
  vd_status error;          // first build error (sticky)
  vd_tensor *tensors;       // all tensors, indexed by vd_tensor_id
  uint32_t tensor_count, tensor_cap;
  vd_node *nodes;           // nodes in the order added (a topological order by construction)
  uint32_t node_count, node_cap;
  char scope[VD_NAME_LEN];  // current dotted scope
  size_t scope_len[VD_MAX_SCOPE_DEPTH];  // scope length before each push
  uint32_t scope_depth;
};

vd_status vd_graph_create(vd_precision precision, vd_graph **out_graph) {
  *out_graph = calloc(1, sizeof(vd_graph));
  if (!*out_graph) return vd_status_make(VD_ERR_OUT_OF_MEMORY, "graph");
  (*out_graph)->precision = precision;
  return NULL;
}

void vd_graph_destroy(vd_graph *g) {
  if (!g) return;
  for (uint32_t i = 0; i < g->tensor_count; ++i) free((void *)g->tensors[i].data);
  vd_status_free(g->error);
  free(g->tensors);
  free(g->nodes);
  free(g);
}

vd_status vd_graph_status(const vd_graph *g) { return g->error; }
vd_precision vd_graph_precision(const vd_graph *g) { return g->precision; }

vd_status vd_graph_error(const vd_graph *g) {
  return g->error ? vd_status_make(vd_status_code_of(g->error), "%s", vd_status_message(g->error)) : NULL;
}
vd_dtype vd_graph_float_dtype(const vd_graph *g) {
  return g->precision == VD_PRECISION_F16 ? VD_DTYPE_F16 : VD_DTYPE_F32;
}

vd_tensor_id vd_graph_fail(vd_graph *g, vd_status st) {
  if (!g->error) g->error = st;
  else vd_status_free(st);
  return VD_NO_TENSOR;
}

void vd_graph_scope_push(vd_graph *g, const char *fmt, ...) {
  if (g->scope_depth == VD_MAX_SCOPE_DEPTH) {
    vd_graph_fail(g, vd_status_make(VD_ERR_INTERNAL, "graph scopes nested deeper than %d", VD_MAX_SCOPE_DEPTH));
    return;
  }
  size_t len = strlen(g->scope);
  g->scope_len[g->scope_depth++] = len;
  char part[VD_NAME_LEN];
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(part, sizeof(part), fmt, ap);
  va_end(ap);
  snprintf(g->scope + len, sizeof(g->scope) - len, "%s%s", len ? "." : "", part);
}

void vd_graph_scope_pop(vd_graph *g) {
  if (g->scope_depth) g->scope[g->scope_len[--g->scope_depth]] = '\0';
}

void vd_graph_scoped_name(const vd_graph *g, const char *local, char out[VD_NAME_LEN]) {
  if (g->scope[0] && local[0]) snprintf(out, VD_NAME_LEN, "%.80s.%.46s", g->scope, local);
  else snprintf(out, VD_NAME_LEN, "%s", g->scope[0] ? g->scope : local);
}

uint64_t vd_dtype_size(vd_dtype dtype) {
  return dtype == VD_DTYPE_F16 ? 2 : dtype == VD_DTYPE_F64 || dtype == VD_DTYPE_DF64 ? 8 : 4;
}
void vd_df64_from_double(double x, float out_pair[2]) {
  out_pair[0] = (float)x;
  out_pair[1] = (float)(x - (double)out_pair[0]);
}

double vd_df64_to_double(const float pair[2]) { return (double)pair[0] + (double)pair[1]; }

const char *vd_dtype_name(vd_dtype dtype) {
  static const char *names[] = {"f32", "f16", "i32", "f64", "df64"};
  return dtype <= VD_DTYPE_DF64 ? names[dtype] : "?";
}

const char *vd_shape_format(uint32_t rank, const int64_t *shape, char *buf, size_t cap) {
  size_t n = (size_t)snprintf(buf, cap, "[");
  for (uint32_t i = 0; i < rank && n < cap; ++i)
    n += (size_t)snprintf(buf + n, cap - n, "%s%lld", i ? ", " : "", (long long)shape[i]);
  if (n < cap) snprintf(buf + n, cap - n, "]");
  return buf;
}

static vd_tensor_id vd_add_tensor(vd_graph *g, const char *full, vd_tensor_kind kind, vd_dtype dtype, uint32_t rank,
                                  const int64_t *shape) {
  if (g->error) return VD_NO_TENSOR;
  if (rank > VD_MAX_RANK)
    return vd_graph_fail(g, vd_status_make(VD_ERR_INVALID_ARGUMENT, "tensor %s: rank %u > %d", full, rank, VD_MAX_RANK));
  uint64_t count = 1;
  for (uint32_t i = 0; i < rank; ++i) {
    if (shape[i] <= 0 || (uint64_t)shape[i] > (1ull << 40) / count)
      return vd_graph_fail(g, vd_status_make(VD_ERR_INVALID_ARGUMENT, "tensor %s: bad extent %lld in dim %u", full,
                                             (long long)shape[i], i));
    count *= (uint64_t)shape[i];
  }
  if (g->tensor_count == g->tensor_cap) {
    uint32_t cap = g->tensor_cap ? 2 * g->tensor_cap : 256;
    vd_tensor *t = realloc(g->tensors, cap * sizeof(*t));
    if (!t) return vd_graph_fail(g, vd_status_make(VD_ERR_OUT_OF_MEMORY, "graph tensors"));
    g->tensors = t;
    g->tensor_cap = cap;
  }
  vd_tensor *t = &g->tensors[g->tensor_count];
  memset(t, 0, sizeof(*t));
  snprintf(t->name, sizeof(t->name), "%s", full);
  t->kind = kind;
  t->dtype = dtype;
  t->rank = rank;
  memcpy(t->shape, shape, rank * sizeof(int64_t));
  t->bytes = count * vd_dtype_size(dtype);
  t->producer = VD_NO_TENSOR;
  return g->tensor_count++;
}

vd_tensor_id vd_graph_input(vd_graph *g, const char *name, vd_dtype dtype, uint32_t rank, const int64_t *shape) {
  if (vd_graph_find(g, name) != VD_NO_TENSOR)
    return vd_graph_fail(g, vd_status_make(VD_ERR_INVALID_ARGUMENT, "input %s declared twice", name));
  return vd_add_tensor(g, name, VD_TENSOR_INPUT, dtype, rank, shape);
}

vd_tensor_id vd_graph_weight(vd_graph *g, const char *name, uint32_t rank, const int64_t *shape) {
  vd_tensor_id t = vd_graph_find(g, name);
  if (t != VD_NO_TENSOR) {  // the same weight used twice: one tensor, shapes must agree
    const vd_tensor *w = &g->tensors[t];
    vd_status st = w->kind == VD_TENSOR_WEIGHT ? vd_graph_expect_shape(g, t, rank, shape, name, "weight")
                                               : vd_status_make(VD_ERR_INVALID_ARGUMENT, "%s is not a weight", name);
    return st ? vd_graph_fail(g, st) : t;
  }
  return vd_add_tensor(g, name, VD_TENSOR_WEIGHT, vd_graph_float_dtype(g), rank, shape);
}

vd_tensor_id vd_graph_constant(vd_graph *g, const char *name, vd_dtype dtype, uint32_t rank, const int64_t *shape,
                               const void *data) {
  vd_tensor_id t = vd_graph_find(g, name);
  if (t != VD_NO_TENSOR) {  // the same constant requested twice (e.g. one table for every block)
    const vd_tensor *c = &g->tensors[t];
    if (c->kind == VD_TENSOR_CONSTANT && c->rank == rank && !memcmp(c->shape, shape, rank * sizeof(int64_t)) &&
        !memcmp(c->data, data, c->bytes))
      return t;
    return vd_graph_fail(g, vd_status_make(VD_ERR_INVALID_ARGUMENT, "constant %s defined twice differently", name));
  }
  t = vd_add_tensor(g, name, VD_TENSOR_CONSTANT, dtype, rank, shape);
  if (t == VD_NO_TENSOR) return t;
  void *copy = malloc(g->tensors[t].bytes);
  if (!copy) return vd_graph_fail(g, vd_status_make(VD_ERR_OUT_OF_MEMORY, "constant %s", name));
  memcpy(copy, data, g->tensors[t].bytes);
  g->tensors[t].data = copy;
  return t;
}

vd_tensor_id vd_graph_tensor(vd_graph *g, const char *local, vd_dtype dtype, uint32_t rank, const int64_t *shape) {
  char full[VD_NAME_LEN];
  vd_graph_scoped_name(g, local, full);
  return vd_add_tensor(g, full, VD_TENSOR_INTERMEDIATE, dtype, rank, shape);
}

void vd_graph_output(vd_graph *g, vd_tensor_id t, const char *name) {
  if (g->error || t == VD_NO_TENSOR) return;
  vd_tensor *x = &g->tensors[t];
  if (x->kind != VD_TENSOR_INTERMEDIATE || vd_graph_find(g, name) != VD_NO_TENSOR) {
    vd_graph_fail(g, vd_status_make(VD_ERR_INVALID_ARGUMENT, "output %s: %s", name,
                                    x->kind != VD_TENSOR_INTERMEDIATE ? "only produced tensors can be outputs"
                                                                      : "name already used"));
    return;
  }
  x->kind = VD_TENSOR_OUTPUT;
  x->keep = true;
  snprintf(x->name, sizeof(x->name), "%s", name);
}

vd_status vd_graph_node(vd_graph *g, const char *local, const char *op, vd_node_record_fn record, const void *params,
                        size_t params_size, const vd_tensor_id *in, uint32_t n_in, const vd_tensor_id *out,
                        uint32_t n_out, uint64_t flops) {
  if (g->error) return g->error;
  char full[VD_NAME_LEN];
  vd_graph_scoped_name(g, local, full);
  if (n_in > VD_NODE_MAX_IN || n_out > VD_NODE_MAX_OUT || n_out == 0 || params_size > VD_NODE_PARAM_BYTES)
    return vd_graph_fail(g, vd_status_make(VD_ERR_INTERNAL, "node %s: bad arity or params", full)), g->error;
  for (uint32_t i = 0; i < n_in; ++i)
    if (in[i] != VD_NO_TENSOR && in[i] >= g->tensor_count)
      return vd_graph_fail(g, vd_status_make(VD_ERR_INTERNAL, "node %s: input %u does not exist", full, i)), g->error;
  for (uint32_t i = 0; i < n_out; ++i)
    if (out[i] >= g->tensor_count || g->tensors[out[i]].kind != VD_TENSOR_INTERMEDIATE ||
        g->tensors[out[i]].producer != VD_NO_TENSOR)
      return vd_graph_fail(g, vd_status_make(VD_ERR_INTERNAL, "node %s: output %u is not a fresh tensor", full, i)),
             g->error;
  if (g->node_count == g->node_cap) {
    uint32_t cap = g->node_cap ? 2 * g->node_cap : 256;
    vd_node *n = realloc(g->nodes, cap * sizeof(*n));
    if (!n) return vd_graph_fail(g, vd_status_make(VD_ERR_OUT_OF_MEMORY, "graph nodes")), g->error;
    g->nodes = n;
    g->node_cap = cap;
  }
  vd_node *n = &g->nodes[g->node_count];
  memset(n, 0, sizeof(*n));
  snprintf(n->name, sizeof(n->name), "%s", full);
  n->op = op;
  n->record = record;
  n->n_in = n_in;
  n->n_out = n_out;
  memcpy(n->in, in, n_in * sizeof(vd_tensor_id));
  memcpy(n->out, out, n_out * sizeof(vd_tensor_id));
  if (params_size) memcpy(n->params, params, params_size);
  n->flops = flops;
  for (uint32_t i = 0; i < n_out; ++i) g->tensors[out[i]].producer = g->node_count;
  g->node_count++;
  return NULL;
}

uint32_t vd_graph_tensor_count(const vd_graph *g) { return g->tensor_count; }
const vd_tensor *vd_graph_get_tensor(const vd_graph *g, vd_tensor_id t) {
  return t < g->tensor_count ? &g->tensors[t] : NULL;
}
uint32_t vd_graph_node_count(const vd_graph *g) { return g->node_count; }
const vd_node *vd_graph_get_node(const vd_graph *g, uint32_t i) { return i < g->node_count ? &g->nodes[i] : NULL; }

vd_tensor_id vd_graph_find(const vd_graph *g, const char *name) {
  for (uint32_t i = 0; i < g->tensor_count; ++i)
    if (g->tensors[i].kind != VD_TENSOR_INTERMEDIATE && strcmp(g->tensors[i].name, name) == 0) return i;
  return VD_NO_TENSOR;
}

vd_status vd_graph_expect_shape(const vd_graph *g, vd_tensor_id t, uint32_t rank, const int64_t *want,
                                const char *node, const char *what) {
  if (t == VD_NO_TENSOR || t >= g->tensor_count)
    return vd_status_make(VD_ERR_INVALID_ARGUMENT, "%s: %s is missing", node, what);
  const vd_tensor *x = &g->tensors[t];
  bool same = x->rank == rank;
  for (uint32_t i = 0; same && i < rank; ++i) same = want[i] < 0 || x->shape[i] == want[i];
  if (same) return NULL;
  char a[96], b[96];
  return vd_status_make(VD_ERR_INVALID_ARGUMENT, "%s: %s %s has shape %s, expected %s", node, what, x->name,
                        vd_shape_format(x->rank, x->shape, a, sizeof(a)), vd_shape_format(rank, want, b, sizeof(b)));
}
