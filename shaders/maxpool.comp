#version 450
// F.max_pool2d on NCHW planes (dilation 1, floor mode): y [planes, oh, ow]; taps outside the input are
// skipped (PyTorch pads with -inf), a NaN in the window wins as in PyTorch's kernel.
#include "precision.glsl"
#include "index.glsl"

layout(local_size_x = 256) in;
layout(std430, binding = 0) readonly buffer X { VD_T x[]; };
layout(std430, binding = 1) writeonly buffer Y { VD_T y[]; };
layout(push_constant) uniform Push { uint n; uint h; uint w; uint oh; uint ow; uint k; uint stride; uint pad; } pc;

void main() {
  uint i = vd_flat_index();
  if (i >= pc.n) return;
  uint ox = i % pc.ow, r = i / pc.ow;
  uint oy = r % pc.oh, p = r / pc.oh;
  int y0 = int(oy * pc.stride) - int(pc.pad), x0 = int(ox * pc.stride) - int(pc.pad);
  float best = 0.0;
  bool any = false;
  for (uint a = 0u; a < pc.k; ++a) {
    int yy = y0 + int(a);
    if (yy < 0 || yy >= int(pc.h)) continue;
    for (uint b = 0u; b < pc.k; ++b) {
      int xx = x0 + int(b);
      if (xx < 0 || xx >= int(pc.w)) continue;
      float v = VD_LOAD(x[(p * pc.h + uint(yy)) * pc.w + uint(xx)]);
      if (!any || v > best || isnan(v)) best = v;
      any = true;
    }
  }
  y[i] = VD_STORE(best);
}
