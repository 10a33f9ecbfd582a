#include "tests/ref/ref_norm.h"

#include <math.h>

// Normalises len values of x (two-pass mean and biased variance) into y.
static void ref_standardise(const float *x, size_t len, double eps, double *y) {
  double mean = 0, var = 0;
  for (size_t i = 0; i < len; ++i) mean += x[i];
  mean /= (double)len;
  for (size_t i = 0; i < len; ++i) var += (x[i] - mean) * (x[i] - mean);
  var /= (double)len;
  double rstd = 1.0 / sqrt(var + eps);
  for (size_t i = 0; i < len; ++i) y[i] = (x[i] - mean) * rstd;
}

void ref_group_norm(const float *x, const float *gamma, const float *beta, size_t n, size_t c, size_t hw,
                    size_t groups, double eps, bool silu, double *y) {
  size_t cpg = c / groups, len = cpg * hw;
  for (size_t b = 0; b < n; ++b)
    for (size_t g = 0; g < groups; ++g) {
      size_t base = (b * c + g * cpg) * hw;
      ref_standardise(x + base, len, eps, y + base);
      for (size_t i = 0; i < len; ++i) {
        size_t ch = g * cpg + i / hw;
        double v = y[base + i] * gamma[ch] + beta[ch];
        y[base + i] = silu ? v / (1.0 + exp(-v)) : v;
      }
    }
}

void ref_layer_norm(const float *x, const float *gamma, const float *beta, size_t rows, size_t cols, double eps,
                    double *y) {
  for (size_t r = 0; r < rows; ++r) {
    double *yr = y + r * cols;
    ref_standardise(x + r * cols, cols, eps, yr);
    for (size_t i = 0; i < cols; ++i) yr[i] = yr[i] * (gamma ? gamma[i] : 1.0) + (beta ? beta[i] : 0.0);
  }
}

void ref_rms_norm(const float *x, const float *gamma, size_t rows, size_t cols, double eps, double *y) {
  for (size_t r = 0; r < rows; ++r) {
    const float *xr = x + r * cols;
    double ms = 0;
    for (size_t i = 0; i < cols; ++i) ms += (double)xr[i] * xr[i];
    double rstd = 1.0 / sqrt(ms / (double)cols + eps);
    for (size_t i = 0; i < cols; ++i) y[r * cols + i] = xr[i] * rstd * gamma[i];
  }
}

void ref_softmax(const float *x, size_t rows, size_t cols, double *y) {
  for (size_t r = 0; r < rows; ++r) {
    const float *xr = x + r * cols;
    double m = -INFINITY, s = 0;
    for (size_t i = 0; i < cols; ++i) m = fmax(m, xr[i]);
    for (size_t i = 0; i < cols; ++i) s += exp(xr[i] - m);
    for (size_t i = 0; i < cols; ++i) y[r * cols + i] = exp(xr[i] - m) / s;
  }
}
