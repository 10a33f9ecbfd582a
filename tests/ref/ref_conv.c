#include "tests/ref/ref_conv.h"

uint32_t ref_conv2d_out_h(const ref_conv2d_shape *s) {
  return (s->h + s->pad_top + s->pad_bottom - s->kh) / s->stride_h + 1;
}

uint32_t ref_conv2d_out_w(const ref_conv2d_shape *s) {
  return (s->w + s->pad_left + s->pad_right - s->kw) / s->stride_w + 1;
}

// x at (n, c, iy, ix) with zeros outside the image.
static double ref_x(const ref_conv2d_shape *s, const float *x, uint32_t n, uint32_t c, int64_t iy, int64_t ix) {
  if (iy < 0 || ix < 0 || iy >= s->h || ix >= s->w) return 0.0;
  return x[(((uint64_t)n * s->cin + c) * s->h + (uint64_t)iy) * s->w + (uint64_t)ix];
}

void ref_conv2d(const ref_conv2d_shape *s, const float *x, const float *w, const float *bias, const float *res,
                double *y) {
  uint32_t ho = ref_conv2d_out_h(s), wo = ref_conv2d_out_w(s);
  for (uint32_t n = 0; n < s->batch; ++n)
    for (uint32_t co = 0; co < s->cout; ++co)
      for (uint32_t oy = 0; oy < ho; ++oy)
        for (uint32_t ox = 0; ox < wo; ++ox) {
          double acc = bias ? bias[co] : 0.0;
          for (uint32_t ci = 0; ci < s->cin; ++ci)
            for (uint32_t ky = 0; ky < s->kh; ++ky)
              for (uint32_t kx = 0; kx < s->kw; ++kx) {
                int64_t iy = (int64_t)oy * s->stride_h - s->pad_top + ky;
                int64_t ix = (int64_t)ox * s->stride_w - s->pad_left + kx;
                double wv = w[(((uint64_t)co * s->cin + ci) * s->kh + ky) * s->kw + kx];
                acc += wv * ref_x(s, x, n, ci, iy, ix);
              }
          uint64_t idx = (((uint64_t)n * s->cout + co) * ho + oy) * wo + ox;
          if (res) acc += res[idx];
          y[idx] = acc;
        }
}
