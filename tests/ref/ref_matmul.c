#include "tests/ref/ref_matmul.h"

void ref_matmul(const float *a, const float *b, const float *bias, const float *res, double *out, uint32_t batch,
                uint32_t m, uint32_t n, uint32_t k, bool b_nk, uint32_t lda, uint32_t ldb, uint32_t ldc,
                uint64_t stride_a, uint64_t stride_b, uint64_t stride_c) {
  for (uint32_t bi = 0; bi < batch; ++bi)
    for (uint32_t i = 0; i < m; ++i)
      for (uint32_t j = 0; j < n; ++j) {
        double s = 0.0;
        for (uint32_t kk = 0; kk < k; ++kk) {
          double av = a[bi * stride_a + (uint64_t)i * lda + kk];
          double bv = b_nk ? b[bi * stride_b + (uint64_t)j * ldb + kk] : b[bi * stride_b + (uint64_t)kk * ldb + j];
          s += av * bv;
        }
        if (bias) s += bias[j];
        if (res) s += res[bi * stride_c + (uint64_t)i * ldc + j];
        out[((uint64_t)bi * m + i) * n + j] = s;
      }
}
