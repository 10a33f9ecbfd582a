// Layout ops: concat, permute / transpose, nearest 2x up-sampling, bilinear and bicubic resize with
// PyTorch semantics, k x k average pooling (stride 1), max pooling (F.max_pool2d), pixel shuffle / unshuffle (InternVL and torch).
// Tensors in env->precision; pure data movement is exact in both precisions.
#ifndef VD_GRAPH_OP_LAYOUT_H
#define VD_GRAPH_OP_LAYOUT_H

#include <stdbool.h>
#include <stdint.h>

#include "graph/ops.h"

#define VD_CONCAT_MAX_INPUTS 16

// Concat along one dimension of contiguous tensors: every input is [outer, sizes[i], inner] and the
// output [outer, sum(sizes), inner]. UNet skip concat (NCHW channels): outer = N, inner = H*W.
typedef struct vd_concat_params {
  uint32_t count;                        // inputs, 1..VD_CONCAT_MAX_INPUTS
  uint32_t outer;                        // product of the dims before the concat dim
  uint32_t inner;                        // product of the dims after it
  uint32_t sizes[VD_CONCAT_MAX_INPUTS];  // each input's extent along the concat dim
} vd_concat_params;

// One dispatch per input (they write disjoint slots, no barrier between them).
vd_status vd_op_concat(const vd_op_env *env, const vd_concat_params *p, const vd_view *inputs, vd_view y);
uint64_t vd_op_concat_bytes(vd_precision precision, const vd_concat_params *p);

// Slice along one dimension of x viewed as [outer, dim, inner]: y = x[:, start:start+len, :] as
// [outer, len, inner] (e.g. the VAE moments' mean and logvar halves of the channels).
typedef struct vd_slice_params {
  uint32_t outer;  // product of the dims before the sliced one
  uint32_t dim;    // extent of the sliced dim in x
  uint32_t start;  // first index kept
  uint32_t len;    // indices kept
  uint32_t inner;  // product of the dims after it
} vd_slice_params;

vd_status vd_op_slice(const vd_op_env *env, const vd_slice_params *p, vd_view x, vd_view y);

// y = x.permute(perm) for a 4-D x of dims `shape` (pad lower ranks with leading 1s): output dim k is
// input dim perm[k]. Batched 2-D transposes (e.g. NCHW <-> NHWC) use a shared-memory tiled kernel.
typedef struct vd_permute_params {
  uint32_t shape[4];
  uint32_t perm[4];
} vd_permute_params;

vd_status vd_op_permute(const vd_op_env *env, const vd_permute_params *p, vd_view x, vd_view y);
// "permute_tiled" or "permute" (which kernel vd_op_permute records for p; the tiled one falls back to the
// general kernel when its grid would exceed the device's workgroup-count limits).
const char *vd_op_permute_variant(const vd_permute_params *p);
uint64_t vd_op_permute_bytes(vd_precision precision, const vd_permute_params *p);
// Conveniences: [N, C, HW] -> [N, HW, C] and back.
vd_status vd_op_nchw_to_nhwc(const vd_op_env *env, uint32_t n, uint32_t c, uint32_t hw, vd_view x, vd_view y);
vd_status vd_op_nhwc_to_nchw(const vd_op_env *env, uint32_t n, uint32_t c, uint32_t hw, vd_view x, vd_view y);

// [N, C, H, W] -> [N, C, 2H, 2W], nearest neighbour.
vd_status vd_op_upsample_nearest2x(const vd_op_env *env, uint32_t n, uint32_t c, uint32_t h, uint32_t w, vd_view x,
                                   vd_view y);
uint64_t vd_op_upsample_nearest2x_bytes(vd_precision precision, uint32_t n, uint32_t c, uint32_t h, uint32_t w);

typedef enum vd_resize_mode { VD_RESIZE_BILINEAR = 0, VD_RESIZE_BICUBIC = 1 } vd_resize_mode;

// F.interpolate(x, size=(out_h, out_w) or scale_factor, mode, align_corners) on [N, C, H, W].
typedef struct vd_resize_params {
  vd_resize_mode mode;
  bool align_corners;
  uint32_t n, c, in_h, in_w, out_h, out_w;
  // 0: the size form (source step in/out). Otherwise the scale_factor given to F.interpolate, whose
  // reciprocal PyTorch uses as the source step (DINO's pos-embedding: 32.1/28). Ignored with align_corners.
  double scale_factor_h, scale_factor_w;
} vd_resize_params;

vd_status vd_op_resize(const vd_op_env *env, const vd_resize_params *p, vd_view x, vd_view y);
// Bilinear shorthand (size form).
vd_status vd_op_resize_bilinear(const vd_op_env *env, uint32_t n, uint32_t c, uint32_t in_h, uint32_t in_w,
                                uint32_t out_h, uint32_t out_w, bool align_corners, vd_view x, vd_view y);
// The source step PyTorch uses along one axis (float, as PyTorch computes it).
float vd_resize_source_step(uint32_t in, uint32_t out, bool align_corners, double scale_factor);
const char *vd_op_resize_variant(const vd_resize_params *p);  // "resize_bilinear" / "resize_bicubic"
uint64_t vd_op_resize_bytes(vd_precision precision, const vd_resize_params *p);

// k x k average pooling, stride 1, no padding: [N, C, H, W] -> [N, C, H-k+1, W-k+1].
typedef struct vd_avgpool_params {
  uint32_t n, c, h, w, k;
} vd_avgpool_params;

vd_status vd_op_avgpool(const vd_op_env *env, const vd_avgpool_params *p, vd_view x, vd_view y);
uint64_t vd_op_avgpool_bytes(vd_precision precision, const vd_avgpool_params *p);

// F.max_pool2d(x, k, stride, padding) (dilation 1, ceil_mode False): [N, C, H, W] ->
// [N, C, (H + 2 pad - k) / stride + 1, likewise W]. Padding never wins (PyTorch pads with -inf); a NaN
// in a window propagates, as PyTorch's kernel does. ResNet's stem: k 3, stride 2, pad 1. Exact in both
// precisions (no arithmetic).
typedef struct vd_maxpool_params {
  uint32_t n, c, h, w;  // input
  uint32_t k;           // window side (>= 1)
  uint32_t stride;      // >= 1
  uint32_t pad;         // per side, at most k / 2 (PyTorch's rule)
} vd_maxpool_params;

uint32_t vd_maxpool_out_h(const vd_maxpool_params *p);
uint32_t vd_maxpool_out_w(const vd_maxpool_params *p);
vd_status vd_op_maxpool(const vd_op_env *env, const vd_maxpool_params *p, vd_view x, vd_view y);
uint64_t vd_op_maxpool_bytes(vd_precision precision, const vd_maxpool_params *p);

typedef enum vd_pixel_shuffle_mode {
  VD_PS_UNSHUFFLE_INTERNVL = 0,  // [N, H, W, C] -> [N, H/r, W/r, r*r*C], block order (dy*r + dx) (InternVL v2)
  VD_PS_SHUFFLE_INTERNVL = 1,    // the inverse
  VD_PS_UNSHUFFLE_NCHW = 2,      // torch.nn.PixelUnshuffle: [N, C, H, W] -> [N, C*r*r, H/r, W/r]
  VD_PS_SHUFFLE_NCHW = 3,        // torch.nn.PixelShuffle: the inverse
} vd_pixel_shuffle_mode;

// h, w, c describe the large (full-resolution) tensor; h and w must be multiples of r.
typedef struct vd_pixel_shuffle_params {
  vd_pixel_shuffle_mode mode;
  uint32_t n, h, w, c, r;
} vd_pixel_shuffle_params;

vd_status vd_op_pixel_shuffle(const vd_op_env *env, const vd_pixel_shuffle_params *p, vd_view x, vd_view y);
uint64_t vd_op_pixel_shuffle_bytes(vd_precision precision, const vd_pixel_shuffle_params *p);

#endif
