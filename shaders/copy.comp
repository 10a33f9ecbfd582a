#version 450
// out[i] = in[i] for i < n.
#include "precision.glsl"
#include "index.glsl"

layout(local_size_x = 256) in;
layout(std430, binding = 0) readonly buffer In { VD_T in_data[]; };
layout(std430, binding = 1) writeonly buffer Out { VD_T out_data[]; };
layout(push_constant) uniform Push { uint n; } pc;

void main() {
  uint i = vd_flat_index();
  if (i < pc.n) out_data[i] = in_data[i];
}
