#version 450
// Sum reduction without subgroup operations: a shared-memory tree. The portable fallback.
#include "reduce_sum_body.glsl"

shared float tree[1024];

float vd_workgroup_sum(float v) {
  uint lid = gl_LocalInvocationID.x;
  tree[lid] = v;
  barrier();
  for (uint stride = gl_WorkGroupSize.x / 2; stride > 0; stride /= 2) {
    if (lid < stride) tree[lid] += tree[lid + stride];
    barrier();
  }
  return tree[0];
}
