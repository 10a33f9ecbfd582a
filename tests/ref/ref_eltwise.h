// Double-precision CPU references for the activations, gates, broadcasting binary ops and scale-add.
#ifndef VD_TESTS_REF_ELTWISE_H
#define VD_TESTS_REF_ELTWISE_H

#include <stddef.h>
#include <stdint.h>

// kind as vd_activation: 0 SiLU, 1 GELU (erf), 2 GELU (tanh), 3 quick-GELU.
double ref_activation(int kind, double x);
void ref_activation_array(int kind, const float *x, double *y, size_t n);
// kind as vd_gate: 0 GEGLU (erf), 1 SwiGLU, 2 GEGLU (tanh). value/gate read with row strides (elements).
void ref_gate(int kind, size_t rows, size_t f, const float *value, size_t v_stride, const float *gate,
              size_t g_stride, double *y);
// NumPy-broadcast a op b over 4-D shapes (leading 1s); op 0 add, 1 mul. y has the broadcast shape.
void ref_binary(int op, const uint32_t a_shape[4], const float *a, const uint32_t b_shape[4], const float *b,
                double *y);
void ref_scale_add(size_t n, double alpha, const float *a, double beta, const float *b, double *y);

#endif
