#version 450
// Argmax over the last axis: one workgroup per row of `cols`, output int32 per row. Ties go to the
// lowest index and NaN counts as the maximum (first NaN wins), as torch.argmax.
#include "precision.glsl"
#include "index.glsl"

layout(local_size_x = 256) in;
layout(std430, binding = 0) readonly buffer X { VD_T x[]; };
layout(std430, binding = 1) writeonly buffer Y { int ids[]; };
layout(push_constant) uniform Push { uint rows; uint cols; } pc;

shared float sval[256];
shared uint sidx[256];

// Whether (v, i) beats (bv, bi): larger, NaN above numbers, lower index on ties.
bool beats(float v, uint i, float bv, uint bi) {
  bool vn = isnan(v), bn = isnan(bv);
  if (vn || bn) return vn && (!bn || i < bi);
  return v > bv || (v == bv && i < bi);
}

void main() {
  uint row = vd_flat_group();
  if (row >= pc.rows) return;  // uniform per workgroup
  uint lid = gl_LocalInvocationID.x, base = row * pc.cols;
  float best = 0.0;
  uint bi = 0xffffffffu;
  for (uint j = lid; j < pc.cols; j += 256u) {
    float v = VD_LOAD(x[base + j]);
    if (bi == 0xffffffffu || beats(v, j, best, bi)) best = v, bi = j;
  }
  sval[lid] = best;
  sidx[lid] = bi;
  barrier();
  for (uint s = 128u; s > 0u; s >>= 1) {
    if (lid < s && sidx[lid + s] != 0xffffffffu &&
        (sidx[lid] == 0xffffffffu || beats(sval[lid + s], sidx[lid + s], sval[lid], sidx[lid]))) {
      sval[lid] = sval[lid + s];
      sidx[lid] = sidx[lid + s];
    }
    barrier();
  }
  if (lid == 0u) ids[row] = int(sidx[0]);
}
