#version 450
// Matmul with few rows (decoding: M <= MV), B stored [N, K] (linear weights):
//   C[b][i][n] = sum_k A[b][i][k] · B[b][n][k] (+ bias[n]) (+ residual[b][i][n]),  i < M.
// Each group of GS invocations owns one output column n and strides over K (4-vectors when VEC = 4),
// keeping M partial sums; the group then reduces them in shared memory. The weight row is read once,
// coalesced, which is what bounds this memory-bound case.
#include "precision.glsl"
#include "matmul_vec4.glsl"

layout(constant_id = 0) const uint WG = 256;  // invocations
layout(constant_id = 1) const uint GS = 32;   // invocations per output column (power of two)
layout(constant_id = 2) const uint MV = 4;    // rows handled (M <= MV)
layout(constant_id = 3) const uint VEC = 1;   // 4: A and B rows read as 4-vectors (host-checked alignment)
layout(constant_id = 4) const bool HAS_BIAS = false;
layout(constant_id = 5) const bool HAS_RES = false;
layout(local_size_x_id = 0) in;

layout(std430, binding = 0) readonly buffer A { VD_T a_data[]; };
layout(std430, binding = 0) readonly buffer A4 { VD_T4 a_vec[]; };
layout(std430, binding = 1) readonly buffer B { VD_T b_data[]; };
layout(std430, binding = 1) readonly buffer B4 { VD_T4 b_vec[]; };
layout(std430, binding = 2) readonly buffer Bias { VD_T bias_data[]; };
layout(std430, binding = 3) readonly buffer Res { VD_T res_data[]; };
layout(std430, binding = 4) buffer C { VD_T c_data[]; };

layout(push_constant) uniform Push {
  uint M, N, K;
  uint lda, ldb, ldc;
  uint stride_a, stride_b, stride_c;
} pc;

shared float partial[WG * MV];
float sums[MV];

void main() {
  uint lid = gl_LocalInvocationID.x, lane = lid % GS;
  uint n = gl_WorkGroupID.x * (WG / GS) + lid / GS;
  uint batch = gl_WorkGroupID.y;
  for (uint i = 0; i < MV; ++i) sums[i] = 0.0;
  if (n < pc.N) {
    uint brow = batch * pc.stride_b + n * pc.ldb, abase = batch * pc.stride_a;
    if (VEC == 4) {
      for (uint k = lane * 4; k < pc.K; k += GS * 4) {
        vec4 b = vec4(b_vec[(brow + k) / 4]);
        for (uint i = 0; i < MV; ++i)
          if (i < pc.M) sums[i] += dot(vec4(a_vec[(abase + i * pc.lda + k) / 4]), b);
      }
    } else {
      for (uint k = lane; k < pc.K; k += GS) {
        float b = VD_LOAD(b_data[brow + k]);
        for (uint i = 0; i < MV; ++i)
          if (i < pc.M) sums[i] = fma(VD_LOAD(a_data[abase + i * pc.lda + k]), b, sums[i]);
      }
    }
  }
  for (uint i = 0; i < MV; ++i) partial[i * WG + lid] = sums[i];
  barrier();
  for (uint s = GS / 2; s > 0; s /= 2) {
    if (lane < s)
      for (uint i = 0; i < MV; ++i) partial[i * WG + lid] += partial[i * WG + lid + s];
    barrier();
  }
  if (lane < MV && lane < pc.M && n < pc.N) {
    uint i = lane;
    uint idx = batch * pc.stride_c + i * pc.ldc + n;
    float v = partial[i * WG + lid - lane];
    if (HAS_BIAS) v += VD_LOAD(bias_data[n]);
    if (HAS_RES) v += VD_LOAD(res_data[idx]);
    c_data[idx] = VD_STORE(v);
  }
}
