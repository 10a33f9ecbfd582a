#version 450
// Split-K epilogue of matmul and conv2d (graph/op_gemm.h): sums the fp32 partial tiles of the K slices
// in slice order, adds bias and residual, and stores in the output precision:
//   y[b][m][n] = sum_s part[s][b][m][n] (+ bias[m] when BIAS_ROWS, else bias[n]) (+ residual[b][m][n])
// part is dense [slices, batch, M, N]; y and residual have rows ldc apart and batches stride_c apart.
// residual may be the same memory as y (each element is read before the same invocation writes it).
#include "precision.glsl"
#include "index.glsl"

layout(constant_id = 0) const uint WG = 256;
layout(constant_id = 1) const bool HAS_BIAS = false;
layout(constant_id = 2) const bool HAS_RES = false;
layout(constant_id = 3) const bool BIAS_ROWS = false;  // bias per row (conv output channel), else per column

layout(local_size_x_id = 0) in;

layout(std430, binding = 0) readonly buffer Part { float part[]; };
layout(std430, binding = 1) readonly buffer Bias { VD_T bias_data[]; };
layout(std430, binding = 2) readonly buffer Res { VD_T res_data[]; };
layout(std430, binding = 3) buffer Y { VD_T y_data[]; };

layout(push_constant) uniform Push {
  uint M, N, batch, slices;
  uint ldc, stride_c;
} pc;

void main() {
  uint i = vd_flat_index();
  uint mn = pc.M * pc.N, total = pc.batch * mn;
  if (i >= total) return;
  uint b = i / mn, r = i % mn, m = r / pc.N, n = r % pc.N;
  float v = 0.0;
  for (uint s = 0; s < pc.slices; ++s) v += part[s * total + i];
  if (HAS_BIAS) v += VD_LOAD(bias_data[BIAS_ROWS ? m : n]);
  uint idx = b * pc.stride_c + m * pc.ldc + n;
  if (HAS_RES) v += VD_LOAD(res_data[idx]);
  y_data[idx] = VD_STORE(v);
}
