// Shared body of the sum reductions: each workgroup of VD_WG invocations sums up to VD_WG * VD_PER_THREAD
// consecutive inputs and writes one fp32 partial. The includer defines vd_workgroup_sum(float) -> float,
// which returns the workgroup total in invocation 0.
#include "precision.glsl"
#include "index.glsl"

layout(local_size_x_id = 0) in;  // VD_WG, a power of two (specialization constant 0)
layout(std430, binding = 0) readonly buffer In { VD_T in_data[]; };
layout(std430, binding = 1) writeonly buffer Out { float partials[]; };
layout(push_constant) uniform Push { uint n; uint per_thread; } pc;

float vd_workgroup_sum(float v);

void main() {
  uint base = vd_flat_group() * gl_WorkGroupSize.x * pc.per_thread;
  float acc = 0.0;
  for (uint k = 0; k < pc.per_thread; ++k) {
    uint i = base + k * gl_WorkGroupSize.x + gl_LocalInvocationID.x;
    if (i < pc.n) acc += VD_LOAD(in_data[i]);
  }
  float total = vd_workgroup_sum(acc);
  if (gl_LocalInvocationID.x == 0) partials[vd_flat_group()] = total;
}
