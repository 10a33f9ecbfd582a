// Body of y[i] = alpha * a[i] + beta * b[i]; the includer defines vd_alpha() and vd_beta().
#include "precision.glsl"
#include "index.glsl"

layout(local_size_x = 256) in;
layout(std430, binding = 0) readonly buffer A { VD_T a[]; };
layout(std430, binding = 1) readonly buffer B { VD_T b[]; };
layout(std430, binding = 2) writeonly buffer Y { VD_T y[]; };

float vd_alpha();
float vd_beta();

void main() {
  uint i = vd_flat_index();
  if (i < pc.n) y[i] = VD_STORE(vd_alpha() * VD_LOAD(a[i]) + vd_beta() * VD_LOAD(b[i]));
}
