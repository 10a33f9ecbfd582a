// 2-D convolution, NCHW, weights [Cout, Cin, KH, KW] as PyTorch stores them, optional bias [Cout] and
// optional fused residual add (y = conv(x) + residual, the ResBlock skip), all in env->precision with
// fp32 accumulation. Any kernel size and stride, per-side zero padding (symmetric, or the VAE
// downsample's (left 0, right 1, top 0, bottom 1)); patch embedding is stride = kernel, no padding.
// Implemented as an implicit GEMM (M = Cout, N = Ho·Wo per image, K = Cin·KH·KW) whose B tile is
// gathered from the input into shared memory per K-step: no im2col buffer. A cooperative-matrix variant
// (fp16 operands, fp32 accumulation) runs for fp16 storage where ctx->policy.coopmat is on; it can be
// forced for fp32 storage, where it is not a parity path (operands rounded to fp16).
// Few output tiles with a long K (8x8 and 4x4 feature maps, Cin up to 2560) split K over more
// workgroups (split-K, graph/op_gemm.h) when the caller passes a scratch buffer (vd_op_conv2d_split).
#ifndef VD_GRAPH_OP_CONV_H
#define VD_GRAPH_OP_CONV_H

#include <stdbool.h>
#include <stdint.h>

#include "graph/op_gemm.h"
#include "graph/ops.h"

typedef struct vd_conv2d_params {
  uint32_t batch;                 // N (>= 1)
  uint32_t cin, h, w;             // input channels and size
  uint32_t cout;                  // output channels
  uint32_t kh, kw;                // kernel size
  uint32_t stride_h, stride_w;    // strides (0 is read as 1)
  uint32_t pad_top, pad_left;     // zero padding before the first row / column
  uint32_t pad_bottom, pad_right; // after the last
  vd_gemm_variant variant;        // kernel choice (AUTO: coopmat for fp16 storage where available)
  vd_gemm_tile_id tile;           // portable tile (AUTO in normal use)
  uint32_t split_k;               // K slices: 0 automatic (vd_gemm_split_choose), 1 off, N forced (tests)
} vd_conv2d_params;

// Symmetric convenience: kernel k, stride s, padding p on every side.
vd_conv2d_params vd_conv2d_params_make(uint32_t batch, uint32_t cin, uint32_t h, uint32_t w, uint32_t cout,
                                       uint32_t k, uint32_t s, uint32_t p);
// Output size: (h + pad_top + pad_bottom - kh) / stride_h + 1, likewise for the width.
uint32_t vd_conv2d_out_h(const vd_conv2d_params *params);
uint32_t vd_conv2d_out_w(const vd_conv2d_params *params);

// Records y = conv2d(x, w) (+ bias) (+ residual). x [N, Cin, H, W], w [Cout, Cin, KH, KW], bias [Cout],
// residual and y [N, Cout, Ho, Wo]. bias / residual may be absent (buffer NULL); residual may be the
// same memory as y (in-place add). Never splits K (vd_op_conv2d_split with no scratch).
vd_status vd_op_conv2d(const vd_op_env *env, const vd_conv2d_params *params, vd_view x, vd_view w, vd_view bias,
                       vd_view residual, vd_view y);
// vd_op_conv2d with split-K (graph/op_gemm.h) where params->split_k and the rule ask for it: scratch
// holds vd_op_conv2d_scratch_bytes fp32 bytes of partial sums (its contents need not be initialised).
// Absent scratch (buffer NULL) falls back to no split, unless params->split_k forces one (an error).
vd_status vd_op_conv2d_split(const vd_op_env *env, const vd_conv2d_params *params, vd_view x, vd_view w,
                             vd_view bias, vd_view residual, vd_view scratch, vd_view y);
// Scratch bytes vd_op_conv2d_split needs (0: it will not split). A pure function of the params: env
// is unused and may be NULL, so the graph builder can plan it without a device. It is an upper bound
// for every device (a device whose K-step is coarser may dispatch fewer slices).
uint64_t vd_op_conv2d_scratch_bytes(const vd_op_env *env, const vd_conv2d_params *params);
// The K slices vd_op_conv2d_split dispatches here given enough scratch (1: no split).
uint32_t vd_op_conv2d_split_slices(const vd_op_env *env, const vd_conv2d_params *params);
// 2·N·Cout·Ho·Wo·Cin·KH·KW.
uint64_t vd_op_conv2d_flops(const vd_conv2d_params *params);
// The kernel vd_op_conv2d would use, e.g. "portable 64x64x16 (4x4)".
const char *vd_op_conv2d_variant(const vd_op_env *env, const vd_conv2d_params *params);
// True when the cooperative-matrix conv2d can run here.
bool vd_op_conv2d_coopmat_available(const vd_op_env *env);

#endif
