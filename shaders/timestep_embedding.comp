#version 450
// Sinusoidal timestep embedding (ldm timestep_embedding, spec §2.3.1): for sample s with timestep t[s]
// (fp32 buffer, read at run time) and half = dim / 2,
//   y[s, i] = cos(t * freq[i]) for i < half, sin(t * freq[i - half]) for half <= i < 2 half, 0 for an odd
//   last column; SIN_FIRST swaps the halves. freq (fp32, `half` entries) is precomputed on the host
//   exactly as PyTorch's fp32 arithmetic does; the argument t * freq is one fp32 product, as in PyTorch.
// sin/cos are evaluated with an explicit Cody-Waite reduction by pi/2 and Taylor polynomials, so large
// arguments (t up to 1000 rad) stay accurate to ~1e-7 whatever the driver's builtins do.
#include "precision.glsl"
#include "index.glsl"

layout(local_size_x = 256) in;
layout(constant_id = 0) const uint SIN_FIRST = 0;
layout(std430, binding = 0) readonly buffer T { float ts[]; };
layout(std430, binding = 1) readonly buffer F { float freq[]; };
layout(std430, binding = 2) writeonly buffer Y { VD_T y[]; };
layout(push_constant) uniform Push { uint n; uint dim; uint half_dim; } pc;

// Returns (sin x, cos x).
vec2 vd_sincos(float x) {
  precise float k = floor(x * 0.636619772 + 0.5);
  precise float r = ((x - k * 1.5703125) - k * 4.837512969970703e-4) - k * 7.549790126404332e-8;
  float s2 = r * r;
  float sr = r * (1.0 + s2 * (-1.0 / 6.0 + s2 * (1.0 / 120.0 + s2 * (-1.0 / 5040.0 + s2 * (1.0 / 362880.0)))));
  float cr = 1.0 + s2 * (-0.5 + s2 * (1.0 / 24.0 + s2 * (-1.0 / 720.0 + s2 * (1.0 / 40320.0 + s2 * (-1.0 / 3628800.0)))));
  int q = int(k) & 3;
  if (q == 0) return vec2(sr, cr);
  if (q == 1) return vec2(cr, -sr);
  if (q == 2) return vec2(-sr, -cr);
  return vec2(-cr, sr);
}

void main() {
  uint i = vd_flat_index();
  if (i >= pc.n) return;
  uint s = i / pc.dim, j = i - s * pc.dim;
  float v = 0.0;
  if (j < 2u * pc.half_dim) {
    bool second = j >= pc.half_dim;
    precise float arg = ts[s] * freq[second ? j - pc.half_dim : j];
    vec2 sc = vd_sincos(arg);
    bool want_sin = (SIN_FIRST != 0u) ? !second : second;
    v = want_sin ? sc.x : sc.y;
  }
  y[i] = VD_STORE(v);
}
