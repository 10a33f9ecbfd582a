#version 450
// Embedding lookup: y[t, j] = table[ids[t], j] for t < tokens, j < dim (ids int32). The table binding
// holds rows [v0, v1) only (tables above the device's per-binding range are looked up in several
// dispatches, each writing the tokens whose ids fall in its rows); the dispatch with ZERO_OOB set writes
// zero rows for ids outside [0, vocab) instead of reading out of bounds.
#include "precision.glsl"
#include "index.glsl"

layout(local_size_x = 256) in;
layout(std430, binding = 0) readonly buffer Ids { int ids[]; };
layout(std430, binding = 1) readonly buffer Table { VD_T table[]; };
layout(std430, binding = 2) writeonly buffer Y { VD_T y[]; };
layout(push_constant) uniform Push { uint n; uint dim; uint vocab; uint v0; uint v1; uint zero_oob; } pc;

void main() {
  uint i = vd_flat_index();
  if (i >= pc.n) return;
  uint t = i / pc.dim, j = i - t * pc.dim;
  int id = ids[t];
  if (id >= int(pc.v0) && id < int(pc.v1)) y[i] = table[uint(id - int(pc.v0)) * pc.dim + j];
  else if (pc.zero_oob != 0u && (id < 0 || uint(id) >= pc.vocab)) y[i] = VD_STORE(0.0);
}
