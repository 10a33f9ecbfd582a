#include "tests/ref/ref_layout.h"

#include <math.h>

void ref_concat(uint32_t count, const float *const *inputs, const uint32_t *sizes, uint32_t outer, uint32_t inner,
                double *y) {
  size_t k = 0;
  for (uint32_t o = 0; o < outer; ++o)
    for (uint32_t i = 0; i < count; ++i)
      for (size_t e = 0; e < (size_t)sizes[i] * inner; ++e) y[k++] = inputs[i][(size_t)o * sizes[i] * inner + e];
}

void ref_permute(const uint32_t shape[4], const uint32_t perm[4], const float *x, double *y) {
  uint32_t out[4];
  size_t stride[4], s = 1;
  for (int d = 3; d >= 0; --d) stride[d] = s, s *= shape[d];
  for (int k = 0; k < 4; ++k) out[k] = shape[perm[k]];
  size_t i = 0;
  for (uint32_t a = 0; a < out[0]; ++a)
    for (uint32_t b = 0; b < out[1]; ++b)
      for (uint32_t c = 0; c < out[2]; ++c)
        for (uint32_t d = 0; d < out[3]; ++d)
          y[i++] = x[a * stride[perm[0]] + b * stride[perm[1]] + c * stride[perm[2]] + d * stride[perm[3]]];
}

void ref_upsample_nearest2x(uint32_t planes, uint32_t h, uint32_t w, const float *x, double *y) {
  size_t i = 0;
  for (uint32_t p = 0; p < planes; ++p)
    for (uint32_t oy = 0; oy < 2 * h; ++oy)
      for (uint32_t ox = 0; ox < 2 * w; ++ox) y[i++] = x[((size_t)p * h + oy / 2) * w + ox / 2];
}

// PyTorch's area_pixel_compute_source_index.
static double source_index(double step, uint32_t dst, int align, int cubic) {
  if (align) return step * dst;
  double s = step * (dst + 0.5) - 0.5;
  return (!cubic && s < 0) ? 0 : s;
}

static double cubic_w(double t, int tap) {  // Keys kernel, A = -0.75; tap 0..3 at offsets -1..2
  const double a = -0.75;
  double d = fabs(t - (tap - 1));
  if (d <= 1) return ((a + 2) * d - (a + 3)) * d * d + 1;
  return ((a * d - 5 * a) * d + 8 * a) * d - 4 * a;
}

static double at(const float *plane, uint32_t ih, uint32_t iw, long yy, long xx) {
  yy = yy < 0 ? 0 : (yy >= (long)ih ? (long)ih - 1 : yy);
  xx = xx < 0 ? 0 : (xx >= (long)iw ? (long)iw - 1 : xx);
  return plane[(size_t)yy * iw + (size_t)xx];
}

static double bilinear_at(const float *pl, uint32_t ih, uint32_t iw, uint32_t oh, uint32_t ow, double sh, double sw,
                          int align, uint32_t oy, uint32_t ox) {
  double sy = ih == oh ? oy : source_index(sh, oy, align, 0), sx = iw == ow ? ox : source_index(sw, ox, align, 0);
  long y0 = (long)sy, x0 = (long)sx;
  if (y0 > (long)ih - 1) y0 = ih - 1;
  if (x0 > (long)iw - 1) x0 = iw - 1;
  long y1 = y0 + (y0 < (long)ih - 1), x1 = x0 + (x0 < (long)iw - 1);
  double ly = fmin(fmax(sy - y0, 0), 1), lx = fmin(fmax(sx - x0, 0), 1);
  return (1 - ly) * ((1 - lx) * at(pl, ih, iw, y0, x0) + lx * at(pl, ih, iw, y0, x1)) +
         ly * ((1 - lx) * at(pl, ih, iw, y1, x0) + lx * at(pl, ih, iw, y1, x1));
}

static double bicubic_at(const float *pl, uint32_t ih, uint32_t iw, double sh, double sw, int align, uint32_t oy,
                         uint32_t ox) {
  double sy = source_index(sh, oy, align, 1), sx = source_index(sw, ox, align, 1);
  double fy = floor(sy), fx = floor(sx), acc = 0;
  for (int j = 0; j < 4; ++j)
    for (int k = 0; k < 4; ++k)
      acc += cubic_w(sy - fy, j) * cubic_w(sx - fx, k) * at(pl, ih, iw, (long)fy - 1 + j, (long)fx - 1 + k);
  return acc;
}

void ref_resize(int cubic, int align_corners, uint32_t planes, uint32_t ih, uint32_t iw, uint32_t oh, uint32_t ow,
                double step_h, double step_w, const float *x, double *y) {
  size_t i = 0;
  int same = ih == oh && iw == ow;
  for (uint32_t p = 0; p < planes; ++p) {
    const float *pl = x + (size_t)p * ih * iw;
    for (uint32_t oy = 0; oy < oh; ++oy)
      for (uint32_t ox = 0; ox < ow; ++ox) {
        if (cubic && same) y[i++] = pl[(size_t)oy * iw + ox];
        else if (cubic) y[i++] = bicubic_at(pl, ih, iw, step_h, step_w, align_corners, oy, ox);
        else y[i++] = bilinear_at(pl, ih, iw, oh, ow, step_h, step_w, align_corners, oy, ox);
      }
  }
}

void ref_avgpool(uint32_t planes, uint32_t h, uint32_t w, uint32_t k, const float *x, double *y) {
  size_t i = 0;
  for (uint32_t p = 0; p < planes; ++p)
    for (uint32_t oy = 0; oy + k <= h; ++oy)
      for (uint32_t ox = 0; ox + k <= w; ++ox) {
        double s = 0;
        for (uint32_t a = 0; a < k; ++a)
          for (uint32_t b = 0; b < k; ++b) s += x[((size_t)p * h + oy + a) * w + ox + b];
        y[i++] = s / (k * k);
      }
}

void ref_pixel_shuffle(int mode, uint32_t n, uint32_t h, uint32_t w, uint32_t c, uint32_t r, const float *x,
                       double *y) {
  uint32_t sh = h / r, sw = w / r, sc = c * r * r;
  for (uint32_t b = 0; b < n; ++b)
    for (uint32_t yy = 0; yy < h; ++yy)
      for (uint32_t xx = 0; xx < w; ++xx)
        for (uint32_t ch = 0; ch < c; ++ch) {
          uint32_t i = yy / r, j = xx / r, dy = yy % r, dx = xx % r;
          size_t large, small;
          if (mode < 2) {  // channel-last, InternVL: output token (i, j) = [X(ri, rj) | X(ri, rj+1) | ...]
            large = (((size_t)b * h + yy) * w + xx) * c + ch;
            small = (((size_t)b * sh + i) * sw + j) * sc + (size_t)(dy * r + dx) * c + ch;
          } else {  // torch PixelUnshuffle
            large = (((size_t)b * c + ch) * h + yy) * w + xx;
            small = (((size_t)b * sc + (size_t)ch * r * r + dy * r + dx) * sh + i) * sw + j;
          }
          if (mode == 0 || mode == 2) y[small] = x[large];
          else y[large] = x[small];
        }
}

void ref_maxpool(uint32_t planes, uint32_t h, uint32_t w, uint32_t k, uint32_t stride, uint32_t pad, const float *x,
                 double *y) {
  uint32_t oh = (h + 2 * pad - k) / stride + 1, ow = (w + 2 * pad - k) / stride + 1;
  size_t i = 0;
  for (uint32_t p = 0; p < planes; ++p)
    for (uint32_t oy = 0; oy < oh; ++oy)
      for (uint32_t ox = 0; ox < ow; ++ox) {
        double m = -INFINITY;
        for (uint32_t a = 0; a < k; ++a)
          for (uint32_t b = 0; b < k; ++b) {
            long yy = (long)(oy * stride + a) - (long)pad, xx = (long)(ox * stride + b) - (long)pad;
            if (yy < 0 || xx < 0 || yy >= (long)h || xx >= (long)w) continue;
            double v = x[((size_t)p * h + (size_t)yy) * w + (size_t)xx];
            if (v > m || isnan(v)) m = v;
          }
        y[i++] = m;
      }
}
