#version 450
// y[i] = act(x[i]) for i < n; the activation is specialization constant 0 (see act_math.glsl).
// Each invocation handles VD_PER elements strided by the workgroup so loads stay coalesced.
#include "precision.glsl"
#include "index.glsl"
#include "act_math.glsl"

layout(local_size_x = 256) in;
layout(constant_id = 0) const uint KIND = 0;
layout(std430, binding = 0) readonly buffer X { VD_T x[]; };
layout(std430, binding = 1) writeonly buffer Y { VD_T y[]; };
layout(push_constant) uniform Push { uint n; } pc;

void main() {
  uint i = vd_flat_index();
  if (i < pc.n) y[i] = VD_STORE(vd_activate(KIND, VD_LOAD(x[i])));
}
