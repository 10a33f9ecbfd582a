// The anomaly map's ops (spec vlmdiff-pipeline §1.7 items 4–7, §6.2, quirks 19–21), each reproducing the
// reference's arithmetic step by step: 1 - cos in PyTorch's CPU summation order (fp32), the bilinear
// up-sampling of PyTorch's one-channel kernel added into a float64 sum of the levels, SciPy's Gaussian
// filter in float64, PyTorch's float64 average pooling and the max. The float64 ("wide") tensors are IEEE
// doubles where the device has shaderFloat64 (policy.fp64) and double-float pairs elsewhere (VD_WIDE_DF64,
// shaders/common/wide.glsl): 8 bytes per element either way.
#ifndef VD_GRAPH_OP_AMAP_H
#define VD_GRAPH_OP_AMAP_H

#include <stdbool.h>
#include <stdint.h>

#include "graph/ops.h"

typedef enum vd_wide {
  VD_WIDE_F64 = 0,   // IEEE double (needs shaderFloat64)
  VD_WIDE_DF64 = 1,  // double-float: hi + lo of two fp32, 48 significant bits
} vd_wide;

const char *vd_wide_name(vd_wide wide);  // "f64" or "df64"

// y[s, q] = 1 - cos(a[s, :, q], b[s, :, q]) for a, b [N, C, P] in env->precision; y fp32 [N, P].
typedef struct vd_amap_cosine_params {
  uint32_t n, c, p;       // images, channels, pixels per image
  float eps;              // norm clamp, 1e-8
  int32_t rounding_test;  // 0; tests: start division and sqrt this many ulps off (shaders/common/exact_f32.glsl)
} vd_amap_cosine_params;

// How many pixels of an image PyTorch sums with multi_row_sum (the rest with row_sum): whole groups of
// four AVX2 vectors (32 lanes), or of 4 scalars when P < 8. PyTorch's AVX2 kernels (the CPU capability
// Debian's build and PyTorch's default use); an AVX-512 build would group 64 lanes, and P = 1 takes its
// contiguous inner-sum path, neither reproduced (both differ only in float32 rounding).
uint32_t vd_amap_cosine_full_lanes(uint32_t p);
vd_status vd_op_amap_cosine(const vd_op_env *env, const vd_amap_cosine_params *p, vd_view a, vd_view b, vd_view y);

// PyTorch's align_corners=True bilinear coefficients for `out` positions from `in`: four floats per
// position (i0, i1, l0, l1) into out_coef[4 * out].
void vd_amap_bilinear_coef(uint32_t in, uint32_t out, float *out_coef);

// sum = (first ? 0 : prev) + up(level): level fp32 [N, h, w]; coef fp32 [(oh + ow) * 4] (rows, then
// columns, from vd_amap_bilinear_coef); prev and sum wide [N, oh, ow] (prev ignored when first).
typedef struct vd_amap_upsample_params {
  vd_wide wide;            // representation of prev and sum
  uint32_t n, h, w;        // level map
  uint32_t oh, ow;         // image
  bool first;              // the first level: no previous sum
} vd_amap_upsample_params;

vd_status vd_op_amap_upsample(const vd_op_env *env, const vd_amap_upsample_params *p, vd_view level, vd_view coef,
                              vd_view prev, vd_view sum);

// SciPy's Gaussian kernel: radius int(truncate * sigma + 0.5) and the normalised weights, centre first,
// out_weights[k] for k = 0..radius (radius at most 1023), computed as NumPy does (exp(-0.5 / sigma^2 * k^2) with the C library's exp,
// divided by the pairwise sum of all 2r + 1 of them). NumPy's own SIMD exp (AVX-512 builds) differs in
// the last bit for some k; see tests/data/anomaly_map/README.md.
uint32_t vd_amap_gauss_radius(double sigma, double truncate);
void vd_amap_gauss_weights(double sigma, uint32_t radius, double *out_weights);

// scipy.ndimage.gaussian_filter(x, sigma, mode='reflect') of wide planes [planes, h, w]: axis 0 into
// scratch, axis 1 into y (wide) and map (fp32, the same values rounded). coef: radius + 1 wide weights.
typedef struct vd_blur_wide_params {
  vd_wide wide;                   // representation of x, coef, scratch and y
  uint32_t planes, h, w;          // images and their size
  uint32_t radius;                // kernel half-width (vd_amap_gauss_radius)
} vd_blur_wide_params;

vd_status vd_op_blur_wide(const vd_op_env *env, const vd_blur_wide_params *p, vd_view x, vd_view coef,
                          vd_view scratch, vd_view y, vd_view map);

// k x k stride-1 valid average pooling of wide planes [planes, h, w] -> [planes, h-k+1, w-k+1]; k a power
// of two.
typedef struct vd_avgpool_wide_params {
  vd_wide wide;            // representation of x and y
  uint32_t planes, h, w;   // input planes and their size
  uint32_t k;              // window side, a power of two
} vd_avgpool_wide_params;

vd_status vd_op_avgpool_wide(const vd_op_env *env, const vd_avgpool_wide_params *p, vd_view x, vd_view y);

// y[r] = max of the wide row x[r, :] (NaN if any element is NaN), x [rows, cols], y [rows].
typedef struct vd_max_wide_params {
  vd_wide wide;         // representation of x and y
  uint32_t rows, cols;  // rows reduced, elements per row
} vd_max_wide_params;

vd_status vd_op_max_wide(const vd_op_env *env, const vd_max_wide_params *p, vd_view x, vd_view y);

#endif
