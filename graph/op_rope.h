// Rotary position embedding (HF Qwen2 rotate-half convention) on [B, L, heads*D] token rows, in place or
// out of place: token l of each batch entry sits at position offset + l (offset > 0 for KV-cache decoding).
// The angles come from a cos/sin table the caller keeps in an fp32 buffer (vd_rope_table_fill, computed
// in double), typically uploaded once per model for its maximum context. In a fused Qwen2 QKV row
// [q heads | k heads | v heads] the q and k heads are adjacent: one call with heads = Hq + Hkv rotates both.
#ifndef VD_GRAPH_OP_ROPE_H
#define VD_GRAPH_OP_ROPE_H

#include <stdint.h>

#include "graph/ops.h"

typedef struct vd_rope_params {
  uint32_t batch;            // B
  uint32_t seq_len;          // L
  uint32_t heads;            // heads in a token row (query or key/value heads)
  uint32_t head_dim;         // D, even
  uint32_t offset;           // position of token 0
  uint32_t table_positions;  // positions the table holds (offset + seq_len must not exceed it)
  uint32_t x_stride, x_col;  // x: elements between tokens (0: heads*D) and column of head 0
  uint32_t y_stride, y_col;  // y: the same (in place: pass x's values and the same view)
} vd_rope_params;

// Bytes of the fp32 table for `positions` positions: positions * D/2 * (cos, sin).
uint64_t vd_rope_table_bytes(uint32_t positions, uint32_t head_dim);
// Fills out[(p*D/2 + i)*2 + {0,1}] = {cos, sin}(p * theta^(-2i/D)) for p < positions (theta: rope_theta,
// 1,000,000 for Qwen2-0.5B / InternVL2-1B).
void vd_rope_table_fill(double theta, uint32_t head_dim, uint32_t positions, float *out);

vd_status vd_op_rope(const vd_op_env *env, const vd_rope_params *p, vd_view x, vd_view table, vd_view y);
// Bytes read and written (for GB/s).
uint64_t vd_rope_bytes(const vd_rope_params *p, vd_precision precision);
const char *vd_rope_variant(const vd_op_env *env, const vd_rope_params *p);

#endif
