// The largest element of each float64 row [rows, cols] -> [rows] (the image score: the max over the
// pooled map, spec vlmdiff-pipeline §6.2). One workgroup per row; a NaN anywhere gives NaN (NumPy's max).
#include "index.glsl"
#include "wide.glsl"

layout(local_size_x = 256) in;
layout(std430, binding = 0) readonly buffer X { VD_W x[]; };
layout(std430, binding = 1) writeonly buffer Y { VD_W y[]; };
layout(push_constant) uniform Push { uint rows; uint cols; } pc;

shared VD_W best[256];
shared bool seen[256];

// (value, present) of the larger of two partial results; NaN wins.
void merge(inout VD_W v, inout bool have, VD_W o, bool ohave) {
  if (!ohave) return;
  if (!have || w_isnan(o) || (!w_isnan(v) && w_gt(o, v))) v = o;
  have = true;
}

void main() {
  uint row = vd_flat_group();
  if (row >= pc.rows) return;  // uniform per workgroup
  uint lid = gl_LocalInvocationID.x, base = row * pc.cols;
  VD_W v = w_from_float(0.0);
  bool have = false;
  for (uint j = lid; j < pc.cols; j += 256u) merge(v, have, x[base + j], true);
  best[lid] = v;
  seen[lid] = have;
  barrier();
  for (uint s = 128u; s > 0u; s >>= 1) {
    if (lid < s) {
      VD_W m = best[lid];
      bool h = seen[lid];
      merge(m, h, best[lid + s], seen[lid + s]);
      best[lid] = m;
      seen[lid] = h;
    }
    barrier();
  }
  if (lid == 0u) y[row] = best[0];
}
