#include "tests/ref/ref_attention.h"

#include <math.h>
#include <stdlib.h>

void ref_attention(const ref_attention_shape *s, const float *q, const float *k, const float *v, double *out) {
  double *w = malloc(s->lk * sizeof(double));
  size_t group = s->heads / s->kv_heads;
  for (size_t b = 0; b < s->batch; ++b)
    for (size_t h = 0; h < s->heads; ++h)
      for (size_t i = 0; i < s->lq; ++i) {
        const float *qi = q + (b * s->lq + i) * s->qs + s->qc + h * s->d;
        size_t kvh = h / group, visible = s->lk;
        if (s->causal && s->offset + i + 1 < visible) visible = s->offset + i + 1;
        double m = -INFINITY, sum = 0;
        for (size_t j = 0; j < visible; ++j) {
          const float *kj = k + (b * s->lk + j) * s->ks + s->kc + kvh * s->d;
          double dot = 0;
          for (size_t c = 0; c < s->d; ++c) dot += (double)qi[c] * kj[c];
          w[j] = dot * s->scale;
          m = fmax(m, w[j]);
        }
        for (size_t j = 0; j < visible; ++j) sum += (w[j] = exp(w[j] - m));
        double *o = out + (b * s->lq + i) * s->heads * s->d + h * s->d;
        for (size_t c = 0; c < s->d; ++c) {
          double acc = 0;
          for (size_t j = 0; j < visible; ++j) acc += w[j] * v[(b * s->lk + j) * s->vs + s->vc + kvh * s->d + c];
          o[c] = acc / sum;
        }
      }
  free(w);
}

void ref_rope(const float *x, size_t batch, size_t len, size_t heads, size_t d, size_t stride, size_t col,
              size_t offset, double theta, double *out) {
  size_t half = d / 2;
  for (size_t b = 0; b < batch; ++b)
    for (size_t l = 0; l < len; ++l)
      for (size_t h = 0; h < heads; ++h) {
        const float *xi = x + (b * len + l) * stride + col + h * d;
        double *o = out + ((b * len + l) * heads + h) * d;
        for (size_t i = 0; i < half; ++i) {
          double angle = (double)(offset + l) * pow(theta, -2.0 * (double)i / (double)d);
          double c = cos(angle), s = sin(angle);
          o[i] = xi[i] * c - xi[i + half] * s;
          o[i + half] = xi[i + half] * c + xi[i] * s;
        }
      }
}
