// Double-precision CPU references for the misc ops.
#ifndef VD_TESTS_REF_MISC_H
#define VD_TESTS_REF_MISC_H

#include <stddef.h>
#include <stdint.h>

void ref_embedding(uint32_t tokens, uint32_t vocab, uint32_t dim, const int32_t *ids, const float *table, double *y);
// freqs as the engine's table (float32 PyTorch arithmetic); cos/sin in double of the float32 argument.
void ref_timestep_embedding(uint32_t n, uint32_t dim, int sin_first, const float *t, const float *freqs, double *y);
// a, b: [n, c, p] (channels_last: [n, p, c]) -> y [n, p].
void ref_cosine_similarity(uint32_t n, uint32_t c, uint32_t p, int channels_last, double eps, int one_minus,
                           const float *a, const float *b, double *y);
// scipy.ndimage.gaussian_filter over each H x W plane: axis 0 then axis 1, mode 'reflect'.
void ref_gaussian_blur(uint32_t planes, uint32_t h, uint32_t w, double sigma, double truncate, const float *x,
                       double *y);
void ref_argmax(uint32_t rows, uint32_t cols, const float *x, int32_t *ids);
// op 0 sum, 1 max over each row.
void ref_reduce_rows(int op, uint32_t rows, uint32_t cols, const float *x, double *y);

#endif
