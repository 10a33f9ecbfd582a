#version 450
// Sum (OP 0) or max (OP 1) of each row: row r covers elements [r*cols, min((r+1)*cols, n)), one
// workgroup per row, fp32 output. A whole-tensor reduction is two passes (rows of a chunk, then the
// fp32 partials as one row).
#include "precision.glsl"
#include "index.glsl"

layout(local_size_x = 256) in;
layout(constant_id = 0) const uint OP = 0;
layout(std430, binding = 0) readonly buffer X { VD_T x[]; };
layout(std430, binding = 1) writeonly buffer Y { float y[]; };
layout(push_constant) uniform Push { uint rows; uint cols; uint n; } pc;

shared float part[256];

float combine(float a, float b) { return OP == 0u ? a + b : max(a, b); }

void main() {
  uint row = vd_flat_group();
  if (row >= pc.rows) return;  // uniform per workgroup
  uint lid = gl_LocalInvocationID.x;
  uint start = row * pc.cols, end = min(start + pc.cols, pc.n);
  float acc = OP == 0u ? 0.0 : -uintBitsToFloat(0x7f800000u);
  for (uint j = start + lid; j < end; j += 256u) acc = combine(acc, VD_LOAD(x[j]));
  part[lid] = acc;
  barrier();
  for (uint s = 128u; s > 0u; s >>= 1) {
    if (lid < s) part[lid] = combine(part[lid], part[lid + s]);
    barrier();
  }
  if (lid == 0u) y[row] = part[0];
}
