// Fused multi-head scaled-dot-product attention, out = softmax(Q*K^T * scale + mask) * V per head, with an
// online (flash-style) softmax in fp32 that never stores the Lq x Lk score matrix.
//  - Q [B, Lq, q_stride], K and V [B, Lk, k_stride / v_stride], out [B, Lq, o_stride], in env->precision;
//    head h occupies columns col + h*D .. col + h*D + D - 1 of each token row. Defaults (stride 0) are the
//    dense layouts the linear projections produce: heads*D for Q/out, kv_heads*D for K/V. Q, K and V can be
//    read out of one fused QKV tensor [B, L, 3*H*D] by passing the same view with stride 3*H*D and columns
//    0, H*D, 2*H*D.
//  - Grouped-query attention: query head h uses key/value head h / (heads / kv_heads).
//  - causal: query i sits at absolute position offset + i and sees keys 0 .. offset + i (the first
//    `offset` keys come from a KV cache; decode steps have q_len = 1).
#ifndef VD_GRAPH_OP_ATTENTION_H
#define VD_GRAPH_OP_ATTENTION_H

#include <stdbool.h>
#include <stdint.h>

#include "graph/ops.h"

#define VD_ATTENTION_MAX_HEAD_DIM 512u

typedef struct vd_attention_params {
  uint32_t batch;     // B
  uint32_t q_len;     // Lq
  uint32_t kv_len;    // Lk
  uint32_t heads;     // query heads H
  uint32_t kv_heads;  // key/value heads (0: heads); divides heads
  uint32_t head_dim;  // D
  float scale;        // score scale (0: 1/sqrt(D))
  bool causal;        // causal mask
  uint32_t offset;    // causal: absolute position of query 0
  uint32_t q_stride, k_stride, v_stride, o_stride;  // elements between tokens (0: dense)
  uint32_t q_col, k_col, v_col, o_col;              // column of head 0 inside a token row
} vd_attention_params;

vd_status vd_op_attention(const vd_op_env *env, const vd_attention_params *p, vd_view q, vd_view k, vd_view v,
                          vd_view out);
// Multiply-adds x 2 of Q*K^T and P*V over the visible (query, key) pairs.
uint64_t vd_attention_flops(const vd_attention_params *p);
// The kernel variant recorded on this context, e.g. "attention D=40 BQ=32 BK=32".
const char *vd_attention_variant(const vd_op_env *env, const vd_attention_params *p);

#endif
