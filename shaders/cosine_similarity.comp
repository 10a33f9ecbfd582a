#version 450
// Cosine similarity over channels, per pixel (torch.nn.functional.cosine_similarity, dim = 1):
//   cos = sum_c (u_c / max(|u|, eps)) (v_c / max(|v|, eps)) = dot / (max(|u|, eps) max(|v|, eps)),
// or 1 - cos when ONE_MINUS (the anomaly map). Element (s, c, p) of a and b sits at
// s * C * P + c * c_stride + p * p_stride (NCHW: c_stride = P, p_stride = 1; channel-last: 1 and C).
// Output [N, P] in fp32 or fp16 storage; accumulation fp32.
#include "precision.glsl"
#include "index.glsl"

layout(local_size_x = 256) in;
layout(constant_id = 0) const uint ONE_MINUS = 0;
layout(std430, binding = 0) readonly buffer A { VD_T a[]; };
layout(std430, binding = 1) readonly buffer B { VD_T b[]; };
layout(std430, binding = 2) writeonly buffer Y { VD_T y[]; };
layout(push_constant) uniform Push { uint n; uint c; uint p; uint c_stride; uint p_stride; float eps; } pc;

void main() {
  uint i = vd_flat_index();
  if (i >= pc.n) return;
  uint s = i / pc.p, q = i - s * pc.p;
  uint base = s * pc.c * pc.p + q * pc.p_stride;
  float dot = 0.0, nu = 0.0, nv = 0.0;
  for (uint c = 0u; c < pc.c; ++c) {
    float u = VD_LOAD(a[base + c * pc.c_stride]), v = VD_LOAD(b[base + c * pc.c_stride]);
    dot += u * v;
    nu += u * u;
    nv += v * v;
  }
  float cs = dot / (max(sqrt(nu), pc.eps) * max(sqrt(nv), pc.eps));
  y[i] = VD_STORE(ONE_MINUS != 0u ? 1.0 - cs : cs);
}
