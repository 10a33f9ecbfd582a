// Softmax over the last axis of [rows, cols]: y = exp(x - max) / sum(exp(x - max)), fp32 arithmetic.
// Rows of any length (1 to Qwen2's 151,936-entry vocabulary); rows longer than VD_NORM_CHUNK take two
// passes through a caller-provided fp32 scratch view of vd_softmax_scratch_bytes() bytes.
#ifndef VD_GRAPH_OP_SOFTMAX_H
#define VD_GRAPH_OP_SOFTMAX_H

#include <stdint.h>

#include "graph/ops.h"

typedef struct vd_softmax_params {
  uint32_t rows;  // product of the leading dimensions
  uint32_t cols;  // length of the softmax axis
} vd_softmax_params;

vd_status vd_op_softmax(const vd_op_env *env, const vd_softmax_params *p, vd_view x, vd_view y, vd_view scratch);
uint64_t vd_softmax_scratch_bytes(const vd_softmax_params *p);
// Bytes read and written (for GB/s).
uint64_t vd_softmax_bytes(const vd_softmax_params *p, vd_precision precision);
// The kernel variant the op records, e.g. "norm_rows_sg/1-pass".
const char *vd_softmax_variant(const vd_op_env *env, const vd_softmax_params *p);

#endif
