#version 450
// out[i] = value for i < n.
#include "precision.glsl"
#include "index.glsl"

layout(local_size_x = 256) in;
layout(std430, binding = 0) writeonly buffer Out { VD_T out_data[]; };
layout(push_constant) uniform Push { uint n; float value; } pc;

void main() {
  uint i = vd_flat_index();
  if (i < pc.n) out_data[i] = VD_STORE(pc.value);
}
