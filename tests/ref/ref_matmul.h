// Double-precision CPU reference for batched matmul (plain loops, written for clarity).
#ifndef VD_TESTS_REF_MATMUL_H
#define VD_TESTS_REF_MATMUL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

// out[b][i][j] = sum_k A[b][i][k] · B[b](k, j) (+ bias[j]) (+ res[b][i][j]), out dense [batch, m, n].
// A[b][i][k] = a[b·stride_a + i·lda + k]; B(k, j) = b[b·stride_b + j·ldb + k] when b_nk (B stored
// [n, k]) else b[b·stride_b + k·ldb + j]. res (may be NULL) is read at b·stride_c + i·ldc + j, as the
// output's layout on the device; bias may be NULL.
void ref_matmul(const float *a, const float *b, const float *bias, const float *res, double *out, uint32_t batch,
                uint32_t m, uint32_t n, uint32_t k, bool b_nk, uint32_t lda, uint32_t ldb, uint32_t ldc,
                uint64_t stride_a, uint64_t stride_b, uint64_t stride_c);

#endif
