#include "graph/exec.h"

#include <fnmatch.h>
#include <stdlib.h>
#include <string.h>

#include "runtime/cmd.h"
#include "runtime/half.h"

struct vd_exec {
  vd_context *ctx;          // device
  vd_kernels *kernels;      // pipelines
  vd_graph *graph;          // borrowed: must outlive the exec
  vd_plan *plan;            // memory and barriers
  vd_buffer **slabs;        // arena buffers, one per plan slab
  vd_buffer **own_inputs;   // per tensor: a buffer the exec allocated for an input or constant (else NULL)
  vd_view *views;           // per tensor: where it lives
  bool *dumped;             // per tensor: kept for VLMD_DUMP
  vd_cmd *cmd;              // the recording
  uint32_t *dispatch_node;  // per timed dispatch: the node it belongs to
  uint32_t dispatch_cap;    // entries of dispatch_node
  bool profile;             // timing on
  bool ran;                 // a run completed (outputs and profile valid)
};

static bool vd_env_on(const char *name) {
  const char *v = getenv(name);
  return v && v[0] && strcmp(v, "0") != 0;
}

static void vd_mark_dumped(vd_exec *e, const char *pattern) {
  for (uint32_t i = 0; pattern && pattern[0] && i < vd_graph_node_count(e->graph); ++i) {
    const vd_node *n = vd_graph_get_node(e->graph, i);
    if (fnmatch(pattern, n->name, 0) != 0) continue;
    e->dumped[n->out[0]] = true;  // the node's result (later outputs are its scratch); kept alive by the planner
  }
}

static vd_status vd_exec_bind(vd_exec *e, vd_resolve_fn resolve, void *user) {
  vd_context *ctx = e->ctx;
  for (uint32_t s = 0; s < e->plan->slab_count; ++s)
    VD_RETURN_IF_ERROR(vd_buffer_create(ctx, VD_MEMORY_DEVICE, e->plan->slab_bytes[s], &e->slabs[s]));
  for (uint32_t t = 0; t < vd_graph_tensor_count(e->graph); ++t) {
    const vd_tensor *x = vd_graph_get_tensor(e->graph, t);
    if (e->plan->slab[t] != UINT32_MAX) {
      e->views[t] = (vd_view){e->slabs[e->plan->slab[t]], e->plan->offset[t]};
      continue;
    }
    if (x->kind == VD_TENSOR_CONSTANT) {
      VD_RETURN_IF_ERROR(vd_buffer_create(ctx, VD_MEMORY_DEVICE, x->bytes, &e->own_inputs[t]));
      e->views[t] = vd_view_of(e->own_inputs[t]);
      VD_RETURN_IF_ERROR(vd_buffer_upload(ctx, e->own_inputs[t], 0, x->data, x->bytes));
      continue;
    }
    vd_status st = resolve ? resolve(user, x, &e->views[t])
                           : vd_status_make(VD_ERR_NOT_FOUND, "no resolver for %s", x->name);
    if (!st) continue;
    if (x->kind == VD_TENSOR_WEIGHT || vd_status_code_of(st) != VD_ERR_NOT_FOUND)
      return vd_status_annotate(st, "binding %s", x->name);
    vd_status_free(st);
    VD_RETURN_IF_ERROR(vd_buffer_create(ctx, VD_MEMORY_DEVICE, x->bytes, &e->own_inputs[t]));
    e->views[t] = vd_view_of(e->own_inputs[t]);
  }
  return NULL;
}

static vd_status vd_exec_record(vd_exec *e) {
  VD_RETURN_IF_ERROR(vd_cmd_begin(e->cmd));
  vd_op_env env = {.kernels = e->kernels, .cmd = e->cmd, .precision = vd_graph_precision(e->graph)};
  for (uint32_t i = 0; i < vd_graph_node_count(e->graph); ++i) {
    const vd_node *n = vd_graph_get_node(e->graph, i);
    vd_view io[VD_NODE_MAX_IN + VD_NODE_MAX_OUT];
    for (uint32_t k = 0; k < n->n_in; ++k) io[k] = n->in[k] == VD_NO_TENSOR ? (vd_view){0} : e->views[n->in[k]];
    for (uint32_t k = 0; k < n->n_out; ++k) io[n->n_in + k] = e->views[n->out[k]];
    if (e->plan->barrier_before[i]) vd_cmd_barrier(e->cmd);
    env.label = e->profile ? n->name : NULL;
    uint32_t before = e->cmd->timed_count;
    vd_status st = n->record(&env, n, io);
    if (st) return vd_status_annotate(st, "recording node %s", n->name);
    for (uint32_t d = before; d < e->cmd->timed_count && d < e->dispatch_cap; ++d) e->dispatch_node[d] = i;
  }
  return vd_cmd_end(e->cmd);
}

static vd_status vd_exec_init(vd_exec *e, vd_resolve_fn resolve, void *user, const vd_exec_options *o) {
  uint32_t nt = vd_graph_tensor_count(e->graph), nn = vd_graph_node_count(e->graph);
  e->dumped = calloc(nt + 1, sizeof(bool));
  if (!e->dumped) return vd_status_make(VD_ERR_OUT_OF_MEMORY, "executor");
  vd_mark_dumped(e, o->dump_pattern ? o->dump_pattern : getenv("VLMD_DUMP"));
  const vd_device_info *info = e->ctx->info;
  uint64_t align = info->min_storage_buffer_offset_alignment > 256 ? info->min_storage_buffer_offset_alignment : 256;
  uint64_t max_slab = e->ctx->policy.max_buffer_range < e->ctx->policy.max_allocation ? e->ctx->policy.max_buffer_range
                                                                                       : e->ctx->policy.max_allocation;
  vd_plan_limits lim = {align, max_slab & ~(align - 1)};
  VD_RETURN_IF_ERROR(vd_plan_build(e->graph, &lim, e->dumped, &e->plan));
  if (o->plan_only) return NULL;
  e->slabs = calloc(e->plan->slab_count + 1, sizeof(vd_buffer *));
  e->own_inputs = calloc(nt + 1, sizeof(vd_buffer *));
  e->views = calloc(nt + 1, sizeof(vd_view));
  e->dispatch_cap = e->profile ? 8 * nn + 8 : 0;
  e->dispatch_node = calloc(e->dispatch_cap + 1, sizeof(uint32_t));
  if (!e->slabs || !e->own_inputs || !e->views || !e->dispatch_node)
    return vd_status_make(VD_ERR_OUT_OF_MEMORY, "executor");
  VD_RETURN_IF_ERROR(vd_exec_bind(e, resolve, user));
  VD_RETURN_IF_ERROR(vd_cmd_create(e->ctx, e->dispatch_cap, &e->cmd));
  return vd_exec_record(e);
}

vd_status vd_exec_create(vd_context *ctx, vd_kernels *kernels, vd_graph *graph, vd_resolve_fn resolve,
                         void *resolve_user, const vd_exec_options *options, vd_exec **out_exec) {
  *out_exec = NULL;
  vd_exec_options o = options ? *options : (vd_exec_options){0};
  vd_exec *e = calloc(1, sizeof(*e));
  if (!e) return vd_status_make(VD_ERR_OUT_OF_MEMORY, "executor");
  e->ctx = ctx;
  e->kernels = kernels;
  e->graph = graph;
  e->profile = o.profile || vd_env_on("VLMD_PROFILE");
  vd_status st = vd_exec_init(e, resolve, resolve_user, &o);
  if (st) {
    vd_exec_destroy(e);
    return st;
  }
  *out_exec = e;
  return NULL;
}

void vd_exec_destroy(vd_exec *e) {
  if (!e) return;
  vd_cmd_destroy(e->cmd);
  uint32_t nt = vd_graph_tensor_count(e->graph);
  for (uint32_t t = 0; e->own_inputs && t < nt; ++t) vd_buffer_destroy(e->ctx, e->own_inputs[t]);
  for (uint32_t s = 0; e->slabs && e->plan && s < e->plan->slab_count; ++s) vd_buffer_destroy(e->ctx, e->slabs[s]);
  vd_plan_destroy(e->plan);
  free(e->slabs), free(e->own_inputs), free(e->views), free(e->dumped), free(e->dispatch_node);
  free(e);
}

const vd_plan *vd_exec_plan(const vd_exec *e) { return e->plan; }

static vd_status vd_exec_lookup(const vd_exec *e, const char *name, vd_tensor_id *out_t) {
  if (!e->views) return vd_status_make(VD_ERR_INVALID_ARGUMENT, "a plan-only executor holds no tensors");
  vd_tensor_id t = vd_graph_find(e->graph, name);
  for (uint32_t i = 0; t == VD_NO_TENSOR && i < vd_graph_tensor_count(e->graph); ++i)
    if (e->dumped[i] && strcmp(vd_graph_get_tensor(e->graph, i)->name, name) == 0) t = i;
  if (t == VD_NO_TENSOR) return vd_status_make(VD_ERR_NOT_FOUND, "the graph has no tensor named %s", name);
  *out_t = t;
  return NULL;
}

vd_status vd_exec_write(vd_exec *e, const char *input, const void *data, uint64_t bytes) {
  vd_tensor_id t;
  VD_RETURN_IF_ERROR(vd_exec_lookup(e, input, &t));
  const vd_tensor *x = vd_graph_get_tensor(e->graph, t);
  if (x->kind != VD_TENSOR_INPUT) return vd_status_make(VD_ERR_INVALID_ARGUMENT, "%s is not an input", input);
  if (bytes != x->bytes)
    return vd_status_make(VD_ERR_INVALID_ARGUMENT, "input %s takes %llu bytes, %llu given", input,
                          (unsigned long long)x->bytes, (unsigned long long)bytes);
  VD_RETURN_IF_ERROR(vd_exec_wait(e));
  return vd_buffer_upload(e->ctx, (vd_buffer *)e->views[t].buffer, e->views[t].offset, data, bytes);
}

static vd_status vd_exec_dtype(vd_exec *e, const char *name, uint64_t count, vd_dtype *out_dtype) {
  vd_tensor_id t;
  VD_RETURN_IF_ERROR(vd_exec_lookup(e, name, &t));
  const vd_tensor *x = vd_graph_get_tensor(e->graph, t);
  if (x->dtype == VD_DTYPE_I32) return vd_status_make(VD_ERR_INVALID_ARGUMENT, "%s holds integers", name);
  if (x->dtype == VD_DTYPE_F64 || x->dtype == VD_DTYPE_DF64)
    return vd_status_make(VD_ERR_INVALID_ARGUMENT, "%s holds 8-byte floats (%s): use the _f64 accessors", name,
                          vd_dtype_name(x->dtype));
  if (count * vd_dtype_size(x->dtype) != x->bytes)
    return vd_status_make(VD_ERR_INVALID_ARGUMENT, "%s has %llu elements, %llu given", name,
                          (unsigned long long)(x->bytes / vd_dtype_size(x->dtype)), (unsigned long long)count);
  *out_dtype = x->dtype;
  return NULL;
}

vd_status vd_exec_write_f32(vd_exec *e, const char *input, const float *data, uint64_t count) {
  vd_dtype dt = VD_DTYPE_F32;
  VD_RETURN_IF_ERROR(vd_exec_dtype(e, input, count, &dt));
  if (dt == VD_DTYPE_F32) return vd_exec_write(e, input, data, count * 4);
  uint16_t *h = malloc(count * 2 + 2);
  if (!h) return vd_status_make(VD_ERR_OUT_OF_MEMORY, "converting %s", input);
  vd_f32_to_f16_array(data, h, count);
  vd_status st = vd_exec_write(e, input, h, count * 2);
  free(h);
  return st;
}

vd_status vd_exec_read_f32(vd_exec *e, const char *name, float *data, uint64_t count) {
  vd_dtype dt = VD_DTYPE_F32;
  VD_RETURN_IF_ERROR(vd_exec_dtype(e, name, count, &dt));
  if (dt == VD_DTYPE_F32) return vd_exec_read(e, name, data, count * 4);
  uint16_t *h = malloc(count * 2 + 2);
  if (!h) return vd_status_make(VD_ERR_OUT_OF_MEMORY, "converting %s", name);
  vd_status st = vd_exec_read(e, name, h, count * 2);
  if (!st) vd_f16_to_f32_array(h, data, count);
  free(h);
  return st;
}

// The element count and dtype of a wide (F64 or DF64) tensor, checked against count.
static vd_status vd_exec_wide(vd_exec *e, const char *name, uint64_t count, vd_dtype *out_dtype) {
  vd_tensor_id t;
  VD_RETURN_IF_ERROR(vd_exec_lookup(e, name, &t));
  const vd_tensor *x = vd_graph_get_tensor(e->graph, t);
  if (x->dtype != VD_DTYPE_F64 && x->dtype != VD_DTYPE_DF64)
    return vd_status_make(VD_ERR_INVALID_ARGUMENT, "%s holds %s, not f64 or df64", name, vd_dtype_name(x->dtype));
  if (count * 8 != x->bytes)
    return vd_status_make(VD_ERR_INVALID_ARGUMENT, "%s has %llu elements, %llu given", name,
                          (unsigned long long)(x->bytes / 8), (unsigned long long)count);
  *out_dtype = x->dtype;
  return NULL;
}

vd_status vd_exec_write_f64(vd_exec *e, const char *input, const double *data, uint64_t count) {
  vd_dtype dt = VD_DTYPE_F64;
  VD_RETURN_IF_ERROR(vd_exec_wide(e, input, count, &dt));
  if (dt == VD_DTYPE_F64) return vd_exec_write(e, input, data, count * 8);
  float *pairs = malloc(count * 8 + 8);
  if (!pairs) return vd_status_make(VD_ERR_OUT_OF_MEMORY, "converting %s", input);
  for (uint64_t i = 0; i < count; ++i) vd_df64_from_double(data[i], pairs + 2 * i);
  vd_status st = vd_exec_write(e, input, pairs, count * 8);
  free(pairs);
  return st;
}

vd_status vd_exec_read_f64(vd_exec *e, const char *name, double *data, uint64_t count) {
  vd_dtype dt = VD_DTYPE_F64;
  VD_RETURN_IF_ERROR(vd_exec_wide(e, name, count, &dt));
  VD_RETURN_IF_ERROR(vd_exec_read(e, name, data, count * 8));
  if (dt == VD_DTYPE_DF64) {  // in place: pair i (8 bytes) becomes double i (8 bytes)
    for (uint64_t i = 0; i < count; ++i) {
      float pair[2];
      memcpy(pair, (const char *)data + 8 * i, 8);
      data[i] = vd_df64_to_double(pair);
    }
  }
  return NULL;
}

vd_status vd_exec_submit(vd_exec *e) {
  if (!e->cmd) return vd_status_make(VD_ERR_INVALID_ARGUMENT, "a plan-only executor cannot run");
  e->ran = false;
  return vd_cmd_submit(e->cmd);
}

vd_status vd_exec_wait(vd_exec *e) {
  if (!e->cmd || !e->cmd->pending) return NULL;
  VD_RETURN_IF_ERROR(vd_cmd_wait(e->cmd));
  e->ran = true;
  return NULL;
}

vd_status vd_exec_run(vd_exec *e) {
  VD_RETURN_IF_ERROR(vd_exec_submit(e));
  VD_RETURN_IF_ERROR(vd_exec_wait(e));
  if (e->profile) vd_exec_print_profile(e, stderr);
  return NULL;
}

vd_status vd_exec_read(vd_exec *e, const char *name, void *data, uint64_t bytes) {
  vd_tensor_id t;
  VD_RETURN_IF_ERROR(vd_exec_lookup(e, name, &t));
  const vd_tensor *x = vd_graph_get_tensor(e->graph, t);
  if (bytes != x->bytes)
    return vd_status_make(VD_ERR_INVALID_ARGUMENT, "%s has %llu bytes, %llu requested", name,
                          (unsigned long long)x->bytes, (unsigned long long)bytes);
  VD_RETURN_IF_ERROR(vd_exec_wait(e));
  return vd_buffer_download(e->ctx, (vd_buffer *)e->views[t].buffer, e->views[t].offset, data, bytes);
}

vd_status vd_exec_view(const vd_exec *e, const char *name, vd_view *out_view) {
  vd_tensor_id t;
  VD_RETURN_IF_ERROR(vd_exec_lookup(e, name, &t));
  *out_view = e->views[t];
  return NULL;
}

typedef struct vd_profile_row {
  uint32_t node;  // node index
  double ms;      // summed over its dispatches
} vd_profile_row;

static int vd_row_cmp(const void *a, const void *b) {
  double x = ((const vd_profile_row *)a)->ms, y = ((const vd_profile_row *)b)->ms;
  return x < y ? 1 : x > y ? -1 : 0;
}

double vd_exec_print_profile(vd_exec *e, FILE *out) {
  if (!e->cmd || !e->profile) return 0;
  uint32_t nn = vd_graph_node_count(e->graph), n = 0;
  vd_dispatch_timing *t = malloc((e->dispatch_cap + 1) * sizeof(*t));
  vd_profile_row *rows = calloc(nn + 1, sizeof(*rows));
  vd_status st = t && rows ? vd_cmd_timings(e->cmd, t, e->dispatch_cap, &n)
                           : vd_status_make(VD_ERR_OUT_OF_MEMORY, "profile");
  double total = 0;
  if (!st) {
    for (uint32_t i = 0; i < nn; ++i) rows[i].node = i;
    for (uint32_t d = 0; d < n; ++d) rows[e->dispatch_node[d]].ms += t[d].ms, total += t[d].ms;
    qsort(rows, nn, sizeof(*rows), vd_row_cmp);
    fprintf(out, "%10s %6s %9s  %-14s %s\n", "GPU ms", "%", "GFLOP/s", "op", "node");
    for (uint32_t i = 0; i < nn; ++i) {
      const vd_node *node = vd_graph_get_node(e->graph, rows[i].node);
      double gflops = rows[i].ms > 0 && node->flops ? (double)node->flops / (rows[i].ms * 1e6) : 0;
      fprintf(out, "%10.3f %6.2f %9.1f  %-14s %s\n", rows[i].ms, total > 0 ? 100 * rows[i].ms / total : 0, gflops,
              node->op, node->name);
    }
    fprintf(out, "%10.3f %6.2f %9s  %-14s %u nodes, %u timed dispatches\n", total, 100.0, "", "total", nn, n);
  } else {
    fprintf(out, "profile unavailable: %s\n", vd_status_message(st));
    vd_status_free(st);
  }
  free(t);
  free(rows);
  return total;
}

vd_status vd_exec_for_each_dumped(vd_exec *e, vd_dump_fn fn, void *user) {
  for (uint32_t t = 0; e->views && t < vd_graph_tensor_count(e->graph); ++t) {
    if (!e->dumped[t]) continue;
    const vd_tensor *x = vd_graph_get_tensor(e->graph, t);
    void *data = malloc(x->bytes);
    if (!data) return vd_status_make(VD_ERR_OUT_OF_MEMORY, "dumping %s", x->name);
    vd_status st = vd_exec_read(e, x->name, data, x->bytes);
    if (!st) st = fn(user, x, data);
    free(data);
    VD_RETURN_IF_ERROR(st);
  }
  return NULL;
}

void vd_exec_print_plan(const vd_exec *e, const char *title, FILE *out) {
  const vd_plan *p = e->plan;
  double mib = 1024.0 * 1024.0;
  fprintf(out, "%s: %u nodes, %u barriers, arena %.1f MiB in %u buffer(s) (all intermediates: %.1f MiB, %.1f%%), "
               "weights %.1f MiB, inputs %.2f MiB\n",
          title, p->node_count, p->barrier_count, (double)p->arena_bytes / mib, p->slab_count,
          (double)p->intermediate_bytes / mib,
          p->intermediate_bytes ? 100.0 * (double)p->arena_bytes / (double)p->intermediate_bytes : 0.0,
          (double)p->weight_bytes / mib, (double)p->input_bytes / mib);
}
