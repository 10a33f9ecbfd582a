#version 450
// Sum reduction with subgroup arithmetic: subgroupAdd inside each subgroup, then the subgroup totals
// through shared memory. Used when the policy enables subgroup reductions.
#extension GL_KHR_shader_subgroup_basic : require
#extension GL_KHR_shader_subgroup_arithmetic : require
#include "reduce_sum_body.glsl"

shared float sg_totals[128];  // one per subgroup (workgroup <= 1024, subgroup >= 8)

float vd_workgroup_sum(float v) {
  float s = subgroupAdd(v);
  if (subgroupElect()) sg_totals[gl_SubgroupID] = s;
  barrier();
  float total = 0.0;
  if (gl_LocalInvocationID.x == 0)
    for (uint i = 0; i < gl_NumSubgroups; ++i) total += sg_totals[i];
  return total;
}
