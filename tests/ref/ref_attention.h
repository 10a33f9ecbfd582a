// Double-precision CPU references for attention and rotary position embedding (plain loops).
#ifndef VD_TESTS_REF_ATTENTION_H
#define VD_TESTS_REF_ATTENTION_H

#include <stdbool.h>
#include <stddef.h>

// Shapes and layout as vd_attention_params (graph/op_attention.h) with every default resolved:
// token rows of q/k/v have strides qs/ks/vs and head 0 at column qc/kc/vc. out is dense [B, Lq, H*D].
typedef struct ref_attention_shape {
  size_t batch, lq, lk, heads, kv_heads, d;
  size_t qs, ks, vs, qc, kc, vc;
  double scale;
  bool causal;
  size_t offset;
} ref_attention_shape;

void ref_attention(const ref_attention_shape *s, const float *q, const float *k, const float *v, double *out);

// HF Qwen2 rotate-half RoPE on [B, L, heads*D] rows of stride `stride` (head 0 at column col), token l at
// position offset + l, inv_freq[i] = theta^(-2i/D): y = x*cos + rotate_half(x)*sin. out is dense.
void ref_rope(const float *x, size_t batch, size_t len, size_t heads, size_t d, size_t stride, size_t col,
              size_t offset, double theta, double *out);

#endif
