#version 450
// Rotary position embedding, rotate-half (NeoX / HF Qwen2) convention: for each head vector x of D
// elements at position p, element i < D/2 pairs with i + D/2:
//   y[i] = x[i]*cos - x[i+D/2]*sin,  y[i+D/2] = x[i+D/2]*cos + x[i]*sin,  angle = p * theta^(-2i/D).
// cos/sin come from an fp32 table [positions][D/2] of (cos, sin) computed on the host in double, so the
// result does not depend on the GPU's fp32 sin/cos range reduction. One invocation per (token, head, i);
// each reads both elements before writing them, so x and y may be the same tensor (in place).
#include "precision.glsl"
#include "index.glsl"

layout(local_size_x = 256) in;
layout(std430, binding = 0) readonly buffer X { VD_T x[]; };
layout(std430, binding = 1) readonly buffer Table { vec2 cs[]; };
layout(std430, binding = 2) writeonly buffer Y { VD_T y[]; };
layout(push_constant) uniform Push {
  uint count;               // tokens * heads * half
  uint len;                 // tokens per batch entry
  uint heads;               // heads per token
  uint half_dim;            // D / 2
  uint x_stride, x_col;     // x token row stride and column of head 0
  uint y_stride, y_col;     // the same for y
  uint offset;              // position of token 0
} pc;

void main() {
  uint e = vd_flat_index();
  if (e >= pc.count) return;
  uint i = e % pc.half_dim, th = e / pc.half_dim;
  uint h = th % pc.heads, token = th / pc.heads;
  uint pos = pc.offset + token % pc.len;
  uint xi = token * pc.x_stride + pc.x_col + h * 2 * pc.half_dim + i;
  uint yi = token * pc.y_stride + pc.y_col + h * 2 * pc.half_dim + i;
  vec2 c = cs[pos * pc.half_dim + i];
  float a = VD_LOAD(x[xi]), b = VD_LOAD(x[xi + pc.half_dim]);
  y[yi] = VD_STORE(a * c.x - b * c.y);
  y[yi + pc.half_dim] = VD_STORE(b * c.x + a * c.y);
}
