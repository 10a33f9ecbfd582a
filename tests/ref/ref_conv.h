// Double-precision CPU reference for 2-D convolution, NCHW, weights [cout, cin, kh, kw], per-side zero
// padding (plain loops, written for clarity).
#ifndef VD_TESTS_REF_CONV_H
#define VD_TESTS_REF_CONV_H

#include <stdint.h>

typedef struct ref_conv2d_shape {
  uint32_t batch, cin, h, w, cout, kh, kw;
  uint32_t stride_h, stride_w;
  uint32_t pad_top, pad_left, pad_bottom, pad_right;
} ref_conv2d_shape;

uint32_t ref_conv2d_out_h(const ref_conv2d_shape *s);
uint32_t ref_conv2d_out_w(const ref_conv2d_shape *s);
// y [batch, cout, ho, wo] = conv(x, w) (+ bias[co]) (+ res, same layout as y); bias and res may be NULL.
void ref_conv2d(const ref_conv2d_shape *s, const float *x, const float *w, const float *bias, const float *res,
                double *y);

#endif
