#include "tests/ref/ref_eltwise.h"

#include <math.h>

static double sigmoid(double x) { return 1.0 / (1.0 + exp(-x)); }

double ref_activation(int kind, double x) {
  switch (kind) {
    case 0: return x * sigmoid(x);
    case 1: return 0.5 * x * (1.0 + erf(x / sqrt(2.0)));
    case 2: return 0.5 * x * (1.0 + tanh(sqrt(2.0 / M_PI) * (x + 0.044715 * x * x * x)));
    case 4: return x > 0 ? x : 0.0;
    default: return x * sigmoid(1.702 * x);
  }
}

void ref_activation_array(int kind, const float *x, double *y, size_t n) {
  for (size_t i = 0; i < n; ++i) y[i] = ref_activation(kind, x[i]);
}

void ref_gate(int kind, size_t rows, size_t f, const float *value, size_t v_stride, const float *gate,
              size_t g_stride, double *y) {
  int act = kind == 1 ? 0 : (kind == 2 ? 2 : 1);
  for (size_t r = 0; r < rows; ++r)
    for (size_t j = 0; j < f; ++j)
      y[r * f + j] = (double)value[r * v_stride + j] * ref_activation(act, gate[r * g_stride + j]);
}

void ref_binary(int op, const uint32_t a_shape[4], const float *a, const uint32_t b_shape[4], const float *b,
                double *y) {
  uint32_t o[4];
  for (int i = 0; i < 4; ++i) o[i] = a_shape[i] > b_shape[i] ? a_shape[i] : b_shape[i];
  size_t k = 0;
  for (uint32_t i0 = 0; i0 < o[0]; ++i0)
    for (uint32_t i1 = 0; i1 < o[1]; ++i1)
      for (uint32_t i2 = 0; i2 < o[2]; ++i2)
        for (uint32_t i3 = 0; i3 < o[3]; ++i3) {
          uint32_t c[4] = {i0, i1, i2, i3};
          size_t ia = 0, ib = 0;
          for (int d = 0; d < 4; ++d) {
            ia = ia * a_shape[d] + (a_shape[d] == 1 ? 0 : c[d]);
            ib = ib * b_shape[d] + (b_shape[d] == 1 ? 0 : c[d]);
          }
          y[k++] = op == 0 ? (double)a[ia] + b[ib] : (double)a[ia] * b[ib];
        }
}

void ref_scale_add(size_t n, double alpha, const float *a, double beta, const float *b, double *y) {
  for (size_t i = 0; i < n; ++i) y[i] = alpha * a[i] + beta * b[i];
}
