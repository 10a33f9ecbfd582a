// Graph builders: one function per op, called by the network files. Each takes the module name relative
// to the current scope (vd_graph_scope_push): the node is named "<scope>.<module>", its weights
// "<scope>.<module>.weight" / ".bias" as in the checkpoint, so profiles and dumps speak the checkpoint's
// language. Shapes are checked here; errors name the node and are kept in the graph (vd_graph_status).
#ifndef VD_GRAPH_BUILD_H
#define VD_GRAPH_BUILD_H

#include <stdbool.h>

#include "graph/graph.h"
#include "graph/op_eltwise.h"

// A weight "<scope>.<local>" of the graph's float dtype.
vd_tensor_id vd_b_param(vd_graph *g, const char *local, uint32_t rank, const int64_t *shape);

// conv2d with weight [cout, cin, k, k] and optional bias, stride s, zero padding (top, left, bottom,
// right); residual (optional, VD_NO_TENSOR) is added to the output.
vd_tensor_id vd_b_conv2d_pad(vd_graph *g, const char *module, vd_tensor_id x, uint32_t cout, uint32_t k, uint32_t s,
                             const uint32_t pad[4], bool bias, vd_tensor_id residual);
vd_tensor_id vd_b_conv2d(vd_graph *g, const char *module, vd_tensor_id x, uint32_t cout, uint32_t k, uint32_t s,
                         uint32_t pad, vd_tensor_id residual);
// Linear over the last axis: weight [out, in], optional bias [out]; residual optional.
vd_tensor_id vd_b_linear(vd_graph *g, const char *module, vd_tensor_id x, uint32_t out, bool bias,
                         vd_tensor_id residual);
vd_tensor_id vd_b_group_norm(vd_graph *g, const char *module, vd_tensor_id x, uint32_t groups, float eps, bool silu);
vd_tensor_id vd_b_layer_norm(vd_graph *g, const char *module, vd_tensor_id x, float eps);
vd_tensor_id vd_b_instance_norm(vd_graph *g, const char *name, vd_tensor_id x, float eps);
// Multi-head attention on token tensors q [N, Lq, H*D], k and v [N, Lk, H*D] -> [N, Lq, H*D].
vd_tensor_id vd_b_attention(vd_graph *g, const char *name, vd_tensor_id q, vd_tensor_id k, vd_tensor_id v,
                            uint32_t heads, bool causal);
// Attention reading q, k, v out of one fused [N, L, 3*H*D] tensor (DINO's qkv).
vd_tensor_id vd_b_attention_fused(vd_graph *g, const char *name, vd_tensor_id qkv, uint32_t heads);
vd_tensor_id vd_b_act(vd_graph *g, const char *name, vd_tensor_id x, vd_activation kind);
// GEGLU of [.., 2F]: first half value, second half gate (SD's FeedForward) -> [.., F].
vd_tensor_id vd_b_geglu(vd_graph *g, const char *name, vd_tensor_id x);
// a + b with NumPy broadcasting (rank <= 4).
vd_tensor_id vd_b_add(vd_graph *g, const char *name, vd_tensor_id a, vd_tensor_id b);
// Concatenation along dim 1 (channels of NCHW).
vd_tensor_id vd_b_concat(vd_graph *g, const char *name, vd_tensor_id a, vd_tensor_id b);
// Channels [start, start + len) of an NCHW tensor.
vd_tensor_id vd_b_slice_channels(vd_graph *g, const char *name, vd_tensor_id x, uint32_t start, uint32_t len);
vd_tensor_id vd_b_upsample2x(vd_graph *g, const char *name, vd_tensor_id x);
// [N, C, H, W] -> [N, H*W, C] and back.
vd_tensor_id vd_b_to_tokens(vd_graph *g, const char *name, vd_tensor_id x);
vd_tensor_id vd_b_from_tokens(vd_graph *g, const char *name, vd_tensor_id x, uint32_t h, uint32_t w);
// Sinusoidal embedding (cos first) of t (f32 [N]) -> [N, dim].
vd_tensor_id vd_b_timestep_embedding(vd_graph *g, const char *name, vd_tensor_id t, uint32_t dim);
// y = alpha * a + beta * b.
vd_tensor_id vd_b_scale_add(vd_graph *g, const char *name, float alpha, vd_tensor_id a, float beta, vd_tensor_id b);
// Rows of weight "<scope>.<module>.weight" [vocab, dim] picked by int32 ids [N, L] -> [N, L, dim].
vd_tensor_id vd_b_embedding(vd_graph *g, const char *module, vd_tensor_id ids, uint32_t vocab, uint32_t dim);
// x [N, L, C] + weight "<scope>.<local>" [L, C] (position embeddings), broadcast over N.
vd_tensor_id vd_b_add_param(vd_graph *g, const char *name, vd_tensor_id x, const char *local);
// The same elements under another shape (a copy: the graph has no aliasing views).
vd_tensor_id vd_b_reshape(vd_graph *g, const char *name, vd_tensor_id x, uint32_t rank, const int64_t *shape);
// F.interpolate of NCHW x to [N, C, out_h, out_w], bilinear or bicubic, align_corners as given;
// scale_h / scale_w > 0: the scale_factor form (PyTorch steps by 1/scale), 0: the size form.
vd_tensor_id vd_b_resize(vd_graph *g, const char *name, vd_tensor_id x, uint32_t out_h, uint32_t out_w, bool bicubic,
                         bool align_corners, double scale_h, double scale_w);
// F.max_pool2d(x, k, stride, pad) of NCHW x (floor mode; padding never wins).
vd_tensor_id vd_b_maxpool(vd_graph *g, const char *name, vd_tensor_id x, uint32_t k, uint32_t stride, uint32_t pad);
// x [1, ...] repeated n times along dim 0 -> [n, ...] (e.g. a [1, 1, D] class token for a batch).
vd_tensor_id vd_b_repeat_batch(vd_graph *g, const char *name, vd_tensor_id x, uint32_t n);

#endif
