#version 450
// Embedding lookup: y[t, j] = table[ids[t], j] for t < tokens, j < dim (ids int32). An id outside
// [0, vocab) yields a zero row instead of reading out of bounds.
#include "precision.glsl"
#include "index.glsl"

layout(local_size_x = 256) in;
layout(std430, binding = 0) readonly buffer Ids { int ids[]; };
layout(std430, binding = 1) readonly buffer Table { VD_T table[]; };
layout(std430, binding = 2) writeonly buffer Y { VD_T y[]; };
layout(push_constant) uniform Push { uint n; uint dim; uint vocab; } pc;

void main() {
  uint i = vd_flat_index();
  if (i >= pc.n) return;
  uint t = i / pc.dim, j = i - t * pc.dim;
  int id = ids[t];
  y[i] = (id >= 0 && uint(id) < pc.vocab) ? table[uint(id) * pc.dim + j] : VD_STORE(0.0);
}
