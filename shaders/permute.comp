#version 450
// General 4-D permutation: y (contiguous, dims `shape`) at coordinates c reads x at sum_k c[k]*stride[k],
// where stride[k] is x's element stride along the input dimension that becomes output dimension k.
#include "precision.glsl"
#include "index.glsl"

layout(local_size_x = 256) in;
layout(std430, binding = 0) readonly buffer X { VD_T x[]; };
layout(std430, binding = 1) writeonly buffer Y { VD_T y[]; };
layout(push_constant) uniform Push { uvec4 shape; uvec4 stride; uint n; } pc;

void main() {
  uint i = vd_flat_index();
  if (i >= pc.n) return;
  uint r = i;
  uint c3 = r % pc.shape.w; r /= pc.shape.w;
  uint c2 = r % pc.shape.z; r /= pc.shape.z;
  uint c1 = r % pc.shape.y;
  uint c0 = r / pc.shape.y;
  y[i] = x[c0 * pc.stride.x + c1 * pc.stride.y + c2 * pc.stride.z + c3 * pc.stride.w];
}
