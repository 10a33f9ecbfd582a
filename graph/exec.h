// The executor: plans a graph, allocates its arena, records its command buffer once, and replays it.
// Inputs that change per run are written into their bound device buffers before each submit (push
// constants are frozen at record time); nothing is re-recorded.
#ifndef VD_GRAPH_EXEC_H
#define VD_GRAPH_EXEC_H

#include <stdbool.h>
#include <stdio.h>

#include "graph/graph.h"
#include "graph/plan.h"

// Supplies the memory of weights (and optionally inputs) by tensor: return NULL with *out_view set, or
// a VD_ERR_NOT_FOUND status to let the executor allocate an input itself (weights must resolve).
typedef vd_status (*vd_resolve_fn)(void *user, const vd_tensor *tensor, vd_view *out_view);

typedef struct vd_exec_options {
  bool profile;              // time every dispatch; VLMD_PROFILE=1 also turns it on
  const char *dump_pattern;  // keep the outputs of nodes whose names match (fnmatch); NULL: VLMD_DUMP
  bool plan_only;            // plan and report, allocate and record nothing
} vd_exec_options;

typedef struct vd_exec vd_exec;

vd_status vd_exec_create(vd_context *ctx, vd_kernels *kernels, vd_graph *graph, vd_resolve_fn resolve,
                         void *resolve_user, const vd_exec_options *options, vd_exec **out_exec);
void vd_exec_destroy(vd_exec *exec);

const vd_plan *vd_exec_plan(const vd_exec *exec);
// Host -> an input tensor's buffer (bytes must equal the tensor's size).
vd_status vd_exec_write(vd_exec *exec, const char *input, const void *data, uint64_t bytes);
// The same from / to float32 host data, converted to the tensor's dtype (f32 or f16).
vd_status vd_exec_write_f32(vd_exec *exec, const char *input, const float *data, uint64_t count);
vd_status vd_exec_read_f32(vd_exec *exec, const char *name, float *data, uint64_t count);
// The same for wide tensors (F64, or DF64 pairs converted from / to double).
vd_status vd_exec_write_f64(vd_exec *exec, const char *input, const double *data, uint64_t count);
vd_status vd_exec_read_f64(vd_exec *exec, const char *name, double *data, uint64_t count);
// Submits the recorded command buffer and waits. With profiling, prints the node table to stderr.
vd_status vd_exec_run(vd_exec *exec);
vd_status vd_exec_submit(vd_exec *exec);  // without waiting
vd_status vd_exec_wait(vd_exec *exec);
// An output (or kept/dumped tensor, or input) -> host.
vd_status vd_exec_read(vd_exec *exec, const char *name, void *data, uint64_t bytes);
// Where a tensor lives, to bind it as another graph's input.
vd_status vd_exec_view(const vd_exec *exec, const char *name, vd_view *out_view);
// The profile of the last run: nodes by GPU time with the total. Returns the total in ms.
double vd_exec_print_profile(vd_exec *exec, FILE *out);
// Calls fn for every tensor kept for dumping (VLMD_DUMP), with its host copy, after a run.
typedef vd_status (*vd_dump_fn)(void *user, const vd_tensor *tensor, const void *data);
vd_status vd_exec_for_each_dumped(vd_exec *exec, vd_dump_fn fn, void *user);
// One line: nodes, barriers, arena bytes, the sum of intermediates it replaces, weights, inputs.
void vd_exec_print_plan(const vd_exec *exec, const char *title, FILE *out);

#endif
