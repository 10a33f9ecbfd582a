#version 450
// Batched 2-D transpose x [B, R, C] -> y [B, C, R] through a 32x33 shared-memory tile so both the reads
// and the writes are coalesced (NCHW <-> N(HW)C). Workgroup 32x8; grid (ceil(C/32), ceil(R/32), B).
#include "precision.glsl"

layout(local_size_x = 32, local_size_y = 8) in;
layout(std430, binding = 0) readonly buffer X { VD_T x[]; };
layout(std430, binding = 1) writeonly buffer Y { VD_T y[]; };
layout(push_constant) uniform Push { uint rows; uint cols; } pc;

shared float tile[32][33];

void main() {
  uint b = gl_WorkGroupID.z;
  uint c0 = gl_WorkGroupID.x * 32u, r0 = gl_WorkGroupID.y * 32u;
  uint tx = gl_LocalInvocationID.x, ty = gl_LocalInvocationID.y;
  uint base = b * pc.rows * pc.cols;
  for (uint k = ty; k < 32u; k += 8u) {
    uint r = r0 + k, c = c0 + tx;
    if (r < pc.rows && c < pc.cols) tile[k][tx] = VD_LOAD(x[base + r * pc.cols + c]);
  }
  barrier();
  for (uint k = ty; k < 32u; k += 8u) {
    uint c = c0 + k, r = r0 + tx;
    if (r < pc.rows && c < pc.cols) y[base + c * pc.rows + r] = VD_STORE(tile[tx][k]);
  }
}
