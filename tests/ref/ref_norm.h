// Double-precision CPU references for the normalisations and softmax (plain loops, written for clarity).
#ifndef VD_TESTS_REF_NORM_H
#define VD_TESTS_REF_NORM_H

#include <stdbool.h>
#include <stddef.h>

// NCHW x [n, c, hw] -> y; gamma, beta [c]; optional SiLU after the affine.
void ref_group_norm(const float *x, const float *gamma, const float *beta, size_t n, size_t c, size_t hw,
                    size_t groups, double eps, bool silu, double *y);
// [rows, cols]; gamma may be NULL (no scale), beta may be NULL (no shift).
void ref_layer_norm(const float *x, const float *gamma, const float *beta, size_t rows, size_t cols, double eps,
                    double *y);
void ref_rms_norm(const float *x, const float *gamma, size_t rows, size_t cols, double eps, double *y);
void ref_softmax(const float *x, size_t rows, size_t cols, double *y);

#endif
