#version 450
// Gated activations over rows of F features: y[r, j] = value[r, j] * act(gate[r, j]).
//   KIND 0: GEGLU (exact-erf GELU), 1: SwiGLU (SiLU), 2: GEGLU with tanh GELU.
// value and gate are read at element offset + r * stride + j, so one concatenated [rows, 2F] tensor
// (bound twice) and two separate [rows, F] tensors go through the same kernel.
#include "precision.glsl"
#include "index.glsl"
#include "act_math.glsl"

layout(local_size_x = 256) in;
layout(constant_id = 0) const uint KIND = 0;
layout(std430, binding = 0) readonly buffer V { VD_T value[]; };
layout(std430, binding = 1) readonly buffer G { VD_T gate[]; };
layout(std430, binding = 2) writeonly buffer Y { VD_T y[]; };
layout(push_constant) uniform Push {
  uint n;          // rows * F
  uint f;          // features per output row
  uint v_offset, v_stride;  // elements
  uint g_offset, g_stride;
} pc;

void main() {
  uint i = vd_flat_index();
  if (i >= pc.n) return;
  uint r = i / pc.f, j = i - r * pc.f;
  float v = VD_LOAD(value[pc.v_offset + r * pc.v_stride + j]);
  float g = VD_LOAD(gate[pc.g_offset + r * pc.g_stride + j]);
  float a = KIND == 1u ? vd_silu(g) : (KIND == 2u ? vd_gelu_tanh(g) : vd_gelu_erf(g));
  y[i] = VD_STORE(v * a);
}
