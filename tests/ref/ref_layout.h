// Double-precision CPU references for the layout ops, written from the PyTorch / InternVL definitions.
#ifndef VD_TESTS_REF_LAYOUT_H
#define VD_TESTS_REF_LAYOUT_H

#include <stddef.h>
#include <stdint.h>

// inputs[i] is [outer, sizes[i], inner]; y is [outer, sum, inner].
void ref_concat(uint32_t count, const float *const *inputs, const uint32_t *sizes, uint32_t outer, uint32_t inner,
                double *y);
// y = x.permute(perm), x of 4-D shape.
void ref_permute(const uint32_t shape[4], const uint32_t perm[4], const float *x, double *y);
void ref_upsample_nearest2x(uint32_t planes, uint32_t h, uint32_t w, const float *x, double *y);
// F.interpolate bilinear (cubic = 0) or bicubic (cubic = 1) with the per-axis source steps given.
void ref_resize(int cubic, int align_corners, uint32_t planes, uint32_t ih, uint32_t iw, uint32_t oh, uint32_t ow,
                double step_h, double step_w, const float *x, double *y);
void ref_avgpool(uint32_t planes, uint32_t h, uint32_t w, uint32_t k, const float *x, double *y);
// F.max_pool2d(x, k, stride, pad): padding never wins, a NaN in the window propagates.
void ref_maxpool(uint32_t planes, uint32_t h, uint32_t w, uint32_t k, uint32_t stride, uint32_t pad, const float *x,
                 double *y);
// mode as vd_pixel_shuffle_mode; h, w, c describe the large tensor.
void ref_pixel_shuffle(int mode, uint32_t n, uint32_t h, uint32_t w, uint32_t c, uint32_t r, const float *x,
                       double *y);

#endif
