#version 450
// y[i] = a * x[i] + y[i] for i < n (fp32 arithmetic).
#include "precision.glsl"
#include "index.glsl"

layout(local_size_x = 256) in;
layout(std430, binding = 0) readonly buffer X { VD_T x[]; };
layout(std430, binding = 1) buffer Y { VD_T y[]; };
layout(push_constant) uniform Push { uint n; float a; } pc;

void main() {
  uint i = vd_flat_index();
  if (i < pc.n) y[i] = VD_STORE(pc.a * VD_LOAD(x[i]) + VD_LOAD(y[i]));
}
