#version 450
// y = a (+ or *) b with NumPy broadcasting over up to 4 dimensions: the host passes the output shape
// and, per output dimension, the element stride of a and b in it (0 where the operand broadcasts).
// OP (specialization constant 0): 0 add, 1 mul.
#include "precision.glsl"
#include "index.glsl"

layout(local_size_x = 256) in;
layout(constant_id = 0) const uint OP = 0;
layout(std430, binding = 0) readonly buffer A { VD_T a[]; };
layout(std430, binding = 1) readonly buffer B { VD_T b[]; };
layout(std430, binding = 2) writeonly buffer Y { VD_T y[]; };
layout(push_constant) uniform Push {
  uvec4 shape;     // output dims, outermost first
  uvec4 a_stride;  // elements per step along each output dim (0: broadcast)
  uvec4 b_stride;
  uint n;          // product of shape
} pc;

void main() {
  uint i = vd_flat_index();
  if (i >= pc.n) return;
  uint r = i;
  uint i3 = r % pc.shape.w; r /= pc.shape.w;
  uint i2 = r % pc.shape.z; r /= pc.shape.z;
  uint i1 = r % pc.shape.y;
  uint i0 = r / pc.shape.y;
  uvec4 c = uvec4(i0, i1, i2, i3);
  uint ia = c.x * pc.a_stride.x + c.y * pc.a_stride.y + c.z * pc.a_stride.z + c.w * pc.a_stride.w;
  uint ib = c.x * pc.b_stride.x + c.y * pc.b_stride.y + c.z * pc.b_stride.z + c.w * pc.b_stride.w;
  float va = VD_LOAD(a[ia]), vb = VD_LOAD(b[ib]);
  y[i] = VD_STORE(OP == 0u ? va + vb : va * vb);
}
