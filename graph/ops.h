// Conventions shared by every op's host-side dispatch function (graph/op_*.h):
//  - An op records dispatches into env->cmd; it inserts barriers only between its own internal passes.
//    Ordering against other ops (a barrier where a later dispatch reads what an earlier one wrote) is
//    the caller's job: the graph planner's, or a test's.
//  - Tensors are vd_views (buffer + byte offset). Activations and weights are stored in env->precision
//    (fp32 or fp16) unless an op's header says otherwise (token ids are int32, partial sums fp32);
//    arithmetic and every reduction accumulate in fp32.
//  - Layouts are row-major and contiguous: NCHW for images, [N, L, C] for token sequences, linear
//    weights [out, in] as PyTorch stores them.
//  - Shapes go in a per-op params struct; ops validate them and name the op in every error.
#ifndef VD_GRAPH_OPS_H
#define VD_GRAPH_OPS_H

#include <stdint.h>

#include "graph/kernels.h"

typedef struct vd_view {
  const vd_buffer *buffer;  // where the tensor lives (NULL: absent, e.g. no bias)
  uint64_t offset;          // byte offset, a multiple of minStorageBufferOffsetAlignment
} vd_view;

typedef struct vd_op_env {
  vd_kernels *kernels;     // pipeline cache
  vd_cmd *cmd;             // the recording dispatches go into
  vd_precision precision;  // storage precision of the op's tensors
  const char *label;       // timing label for the dispatches (NULL: untimed)
} vd_op_env;

static inline vd_view vd_view_of(const vd_buffer *b) { return (vd_view){b, 0}; }
static inline uint32_t vd_precision_bytes(vd_precision p) { return p == VD_PRECISION_F16 ? 2u : 4u; }

#endif
