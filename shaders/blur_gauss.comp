#version 450
// One pass of a separable Gaussian filter with SciPy's gaussian_filter semantics (mode 'reflect':
// half-sample symmetric, extended periodically with period 2n; weights exp(-k^2 / (2 sigma^2)),
// k = -radius..radius, normalised to sum 1). Planes of H x W.
//   PASS 0: along H, src (storage precision) -> scratch (fp32)
//   PASS 1: along W, scratch (fp32) -> dst (storage precision)
#include "precision.glsl"
#include "index.glsl"

#define VD_BLUR_MAX_RADIUS 1023u

layout(local_size_x = 256) in;
layout(constant_id = 0) const uint PASS = 0;
layout(std430, binding = 0) readonly buffer Src { VD_T src[]; };
layout(std430, binding = 1) buffer Scratch { float scratch[]; };
layout(std430, binding = 2) writeonly buffer Dst { VD_T dst[]; };
layout(push_constant) uniform Push { uint n; uint h; uint w; uint radius; float sigma; } pc;

shared float wts[VD_BLUR_MAX_RADIUS + 1u];

// Half-sample symmetric reflection (period 2n). GLSL leaves % undefined for negative operands (NVIDIA
// and lavapipe disagree), so negative indices are first mirrored about -0.5: i -> -1 - i.
int reflect_index(int i, int n) {
  if (i < 0) i = -1 - i;
  int m = i % (2 * n);
  return m < n ? m : 2 * n - 1 - m;
}

void main() {
  float c = -0.5 / (pc.sigma * pc.sigma);
  for (uint k = gl_LocalInvocationID.x; k <= pc.radius; k += gl_WorkGroupSize.x) wts[k] = exp(c * float(k * k));
  barrier();
  uint i = vd_flat_index();
  if (i >= pc.n) return;
  float total = wts[0];
  for (uint k = 1u; k <= pc.radius; ++k) total += 2.0 * wts[k];
  uint x = i % pc.w, r = i / pc.w;
  uint yy = r % pc.h, p = r / pc.h;
  uint plane = p * pc.h * pc.w;
  int r_ = int(pc.radius);
  float acc = 0.0;
  if (PASS == 0u) {
    for (int k = -r_; k <= r_; ++k)
      acc += wts[abs(k)] * VD_LOAD(src[plane + uint(reflect_index(int(yy) + k, int(pc.h))) * pc.w + x]);
    scratch[i] = acc / total;
  } else {
    for (int k = -r_; k <= r_; ++k)
      acc += wts[abs(k)] * scratch[plane + yy * pc.w + uint(reflect_index(int(x) + k, int(pc.w)))];
    dst[i] = VD_STORE(acc / total);
  }
}
