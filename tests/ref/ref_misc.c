#include "tests/ref/ref_misc.h"

#include <math.h>
#include <stdlib.h>

void ref_embedding(uint32_t tokens, uint32_t vocab, uint32_t dim, const int32_t *ids, const float *table, double *y) {
  for (uint32_t t = 0; t < tokens; ++t)
    for (uint32_t j = 0; j < dim; ++j)
      y[(size_t)t * dim + j] =
          (ids[t] >= 0 && (uint32_t)ids[t] < vocab) ? table[(size_t)ids[t] * dim + j] : 0.0;
}

void ref_timestep_embedding(uint32_t n, uint32_t dim, int sin_first, const float *t, const float *freqs, double *y) {
  uint32_t half = dim / 2;
  for (uint32_t s = 0; s < n; ++s)
    for (uint32_t j = 0; j < dim; ++j) {
      double v = 0;
      if (j < 2 * half) {
        int second = j >= half;
        float arg = t[s] * freqs[second ? j - half : j];  // one float32 product, as PyTorch
        int want_sin = sin_first ? !second : second;
        v = want_sin ? sin((double)arg) : cos((double)arg);
      }
      y[(size_t)s * dim + j] = v;
    }
}

void ref_cosine_similarity(uint32_t n, uint32_t c, uint32_t p, int channels_last, double eps, int one_minus,
                           const float *a, const float *b, double *y) {
  for (uint32_t s = 0; s < n; ++s)
    for (uint32_t q = 0; q < p; ++q) {
      double nu = 0, nv = 0, dot = 0;
      for (uint32_t k = 0; k < c; ++k) {
        size_t i = (size_t)s * c * p + (channels_last ? (size_t)q * c + k : (size_t)k * p + q);
        nu += (double)a[i] * a[i];
        nv += (double)b[i] * b[i];
      }
      nu = fmax(sqrt(nu), eps), nv = fmax(sqrt(nv), eps);
      for (uint32_t k = 0; k < c; ++k) {
        size_t i = (size_t)s * c * p + (channels_last ? (size_t)q * c + k : (size_t)k * p + q);
        dot += (a[i] / nu) * (b[i] / nv);
      }
      y[(size_t)s * p + q] = one_minus ? 1.0 - dot : dot;
    }
}

static long reflect(long i, long n) {
  long m = i % (2 * n);
  if (m < 0) m += 2 * n;
  return m < n ? m : 2 * n - 1 - m;
}

// One 1-D correlation along an axis with stride `step` over `len` samples, `count` lines.
static void blur_axis(const double *in, double *out, const double *wts, long radius, long len, size_t step,
                      size_t lines, size_t line_stride_outer, size_t inner) {
  for (size_t o = 0; o < lines; ++o)
    for (size_t in_i = 0; in_i < inner; ++in_i) {
      size_t base = o * line_stride_outer + in_i;
      for (long i = 0; i < len; ++i) {
        double acc = 0;
        for (long k = -radius; k <= radius; ++k) acc += wts[k + radius] * in[base + (size_t)reflect(i + k, len) * step];
        out[base + (size_t)i * step] = acc;
      }
    }
}

void ref_gaussian_blur(uint32_t planes, uint32_t h, uint32_t w, double sigma, double truncate, const float *x,
                       double *y) {
  long radius = (long)(truncate * sigma + 0.5);
  double *wts = malloc((size_t)(2 * radius + 1) * sizeof(double)), sum = 0;
  for (long k = -radius; k <= radius; ++k) sum += wts[k + radius] = exp(-0.5 / (sigma * sigma) * (double)(k * k));
  for (long k = 0; k <= 2 * radius; ++k) wts[k] /= sum;
  size_t n = (size_t)planes * h * w;
  double *in = malloc(n * sizeof(double)), *tmp = malloc(n * sizeof(double));
  for (size_t i = 0; i < n; ++i) in[i] = x[i];
  blur_axis(in, tmp, wts, radius, h, w, planes, (size_t)h * w, w);  // axis 0 (H)
  blur_axis(tmp, y, wts, radius, w, 1, (size_t)planes * h, w, 1);   // axis 1 (W)
  free(wts), free(in), free(tmp);
}

void ref_argmax(uint32_t rows, uint32_t cols, const float *x, int32_t *ids) {
  for (uint32_t r = 0; r < rows; ++r) {
    uint32_t best = 0;
    for (uint32_t j = 1; j < cols; ++j)
      if (x[(size_t)r * cols + j] > x[(size_t)r * cols + best]) best = j;
    ids[r] = (int32_t)best;
  }
}

void ref_reduce_rows(int op, uint32_t rows, uint32_t cols, const float *x, double *y) {
  for (uint32_t r = 0; r < rows; ++r) {
    double acc = op == 0 ? 0 : -INFINITY;
    for (uint32_t j = 0; j < cols; ++j) {
      double v = x[(size_t)r * cols + j];
      acc = op == 0 ? acc + v : fmax(acc, v);
    }
    y[r] = acc;
  }
}
