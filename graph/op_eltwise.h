// Activations, gated activations, broadcasting binary ops and scale-and-add (fp32 and fp16 storage,
// fp32 arithmetic). Every op records one dispatch; outputs may alias an input of the same shape
// (each element is read before it is written by the same invocation).
#ifndef VD_GRAPH_OP_ELTWISE_H
#define VD_GRAPH_OP_ELTWISE_H

#include <stdbool.h>
#include <stdint.h>

#include "graph/ops.h"

typedef enum vd_activation {
  VD_ACT_SILU = 0,        // x * sigmoid(x)
  VD_ACT_GELU_ERF = 1,    // 0.5 x (1 + erf(x / sqrt 2)), nn.GELU()
  VD_ACT_GELU_TANH = 2,   // nn.GELU(approximate='tanh')
  VD_ACT_QUICK_GELU = 3,  // x * sigmoid(1.702 x), CLIP
  VD_ACT_RELU = 4,        // max(x, 0), NaN kept (torch.relu); ResNet
  VD_ACT_COUNT
} vd_activation;

const char *vd_activation_name(vd_activation kind);

// y[i] = act(x[i]) for i < n.
vd_status vd_op_activation(const vd_op_env *env, vd_activation kind, uint64_t n, vd_view x, vd_view y);
uint64_t vd_op_activation_bytes(vd_precision precision, uint64_t n);

typedef enum vd_gate {
  VD_GATE_GEGLU = 0,       // value * gelu_erf(gate): SD FeedForward
  VD_GATE_SWIGLU = 1,      // up * silu(gate): Qwen2 MLP
  VD_GATE_GEGLU_TANH = 2,  // value * gelu_tanh(gate)
  VD_GATE_COUNT
} vd_gate;

typedef struct vd_gate_params {
  vd_gate kind;
  uint32_t rows;      // tokens (N * L)
  uint32_t features;  // F, the output row length
  bool gate_first;    // fused input only: the gate is the first half (SD's GEGLU: false, gate second)
} vd_gate_params;

const char *vd_gate_name(vd_gate kind);
// One concatenated input x [rows, 2F] -> y [rows, F]. For SD's GEGLU (gate_first = false) the first
// half is the value and the second half the gate, as ldm's GEGLU chunks its projection.
vd_status vd_op_gate_fused(const vd_op_env *env, const vd_gate_params *p, vd_view x, vd_view y);
// Two inputs value/up [rows, F] and gate [rows, F] -> y [rows, F].
vd_status vd_op_gate(const vd_op_env *env, const vd_gate_params *p, vd_view value, vd_view gate, vd_view y);
uint64_t vd_op_gate_bytes(vd_precision precision, const vd_gate_params *p);

typedef enum vd_binary_op { VD_BINARY_ADD = 0, VD_BINARY_MUL = 1 } vd_binary_op;

// Shapes are outermost first, rank 1..4; NumPy broadcasting aligns them on the right and a dimension
// of 1 stretches, e.g. [N,C,H,W] + [N,C,1,1] (time-embedding add) or [N,L,C] + [C] (bias).
typedef struct vd_binary_params {
  vd_binary_op op;
  uint32_t a_rank, b_rank;
  uint32_t a_shape[4], b_shape[4];
} vd_binary_params;

// The broadcast output shape as 4 dims (leading 1s) and its element count; an error if incompatible.
vd_status vd_binary_out_shape(const vd_binary_params *p, uint32_t out_shape[4], uint64_t *out_count);
vd_status vd_op_binary(const vd_op_env *env, const vd_binary_params *p, vd_view a, vd_view b, vd_view y);
uint64_t vd_op_binary_bytes(vd_precision precision, const vd_binary_params *p);

// y[i] = alpha * a[i] + beta * b[i] for i < n, scalars fixed at record time. CFG: e = e_u + s (e_c - e_u)
// is alpha = 1 - s, beta = s.
vd_status vd_op_scale_add(const vd_op_env *env, uint64_t n, float alpha, vd_view a, float beta, vd_view b,
                          vd_view y);
// The same with alpha = coef[index], beta = coef[index + 1] read at run time from an fp32 device buffer,
// so a recorded graph replays with new scalars (per-step DDIM coefficients).
vd_status vd_op_scale_add_dev(const vd_op_env *env, uint64_t n, vd_view coef, uint32_t index, vd_view a,
                              vd_view b, vd_view y);
uint64_t vd_op_scale_add_bytes(vd_precision precision, uint64_t n);

// Helpers shared by the element, layout and misc ops (graph/op_layout.c, graph/op_misc.c).
// Checks that a view holds `bytes` bytes; names the op and the tensor in the error.
vd_status vd_elem_check_view(const char *op, const char *what, vd_view v, uint64_t bytes);
// A binding for a view of `bytes` bytes (range rounded up to 4 but kept inside the buffer).
vd_binding vd_elem_binding(vd_view v, uint64_t bytes);
// Gets the pipeline (shader, env precision, bindings, push size, spec constants) and records one dispatch.
vd_status vd_elem_dispatch(const vd_op_env *env, const char *shader, vd_precision precision,
                           const vd_binding *b, uint32_t nb, const void *push, uint32_t push_size,
                           const uint32_t *spec, uint32_t spec_count, const uint32_t groups[3]);
// 1-D grid over n invocations in workgroups of wg.
vd_status vd_elem_groups(const vd_op_env *env, uint64_t n, uint32_t wg, uint32_t groups[3]);

#endif
