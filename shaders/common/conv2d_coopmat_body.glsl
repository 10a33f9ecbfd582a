// 2-D convolution as an implicit GEMM on cooperative matrices (matmul_coopmat_core.glsl): same
// contract as conv2d.comp (M = Cout, N = Ho·Wo per image in workgroup z, K = Cin·KH·KW, the input
// patches gathered into shared memory per K-step, bias and residual fused).
// Split-K (common/gemm_split.glsl): with SPLIT, fp32 partials of one K slice instead of the output.
#include "precision.glsl"
#include "matmul_vec4.glsl"

layout(constant_id = 4) const uint KH = 3;
layout(constant_id = 5) const bool HAS_BIAS = false;
layout(constant_id = 6) const bool HAS_RES = false;
layout(constant_id = 9) const uint KW = 3;
#define VD_B_K_CONTIG false
#include "matmul_coopmat_core.glsl"
#include "gemm_split.glsl"

layout(local_size_x_id = 3) in;

layout(std430, binding = 0) readonly buffer X { VD_T x_data[]; };
layout(std430, binding = 1) readonly buffer Wt { VD_T w_data[]; };
layout(std430, binding = 1) readonly buffer Wt4 { VD_T4 w_vec[]; };  // weights as 4-vectors when VA = 4
layout(std430, binding = 2) readonly buffer Bias { VD_T bias_data[]; };
layout(std430, binding = 3) readonly buffer Res { VD_T res_data[]; };
layout(std430, binding = 4) buffer Y { VD_T y_data[]; };

layout(push_constant) uniform Push {
  uint cin, h, w;
  uint cout, ho, wo;
  uint stride_h, stride_w;
  int pad_top, pad_left;
  uint kslice, nbatch;  // split-K (common/gemm_split.glsl): K per slice, images
} pc;

vec4 vd_cm_load_a(uint batch, uint gm, uint gk) {
  uint K = pc.cin * KH * KW;
  if (gm >= pc.cout || gk >= K) return vec4(0.0);
  if (VA == 4) return vec4(w_vec[(gm * K + gk) / 4]);  // the host checked K % 4 == 0
  return vec4(VD_LOAD(w_data[gm * K + gk]), 0.0, 0.0, 0.0);
}

// Per B read slot, the output pixel of its column decoded once (vd_cm_begin): whether it exists and
// the input row / column its patch starts at.
bool col_ok[VD_CM_SLOTS_B];
int col_iy0[VD_CM_SLOTS_B];
int col_ix0[VD_CM_SLOTS_B];

void vd_cm_begin(uint batch, uint m0, uint n0) {
  for (uint s = 0; s < VD_CM_SLOTS_B; ++s) {
    uint p = n0 + vd_cm_b_col(s);
    col_ok[s] = p < pc.ho * pc.wo;
    col_iy0[s] = int((p / pc.wo) * pc.stride_h) - pc.pad_top;
    col_ix0[s] = int((p % pc.wo) * pc.stride_w) - pc.pad_left;
  }
}

vec4 vd_cm_load_b(uint batch, uint gk, uint gn, uint slot) {  // VB = 1: one element of the patch matrix
  if (!col_ok[slot] || gk >= pc.cin * KH * KW) return vec4(0.0);
  uint ci = gk / (KH * KW), r = gk % (KH * KW);
  int iy = col_iy0[slot] + int(r / KW), ix = col_ix0[slot] + int(r % KW);
  if (iy < 0 || iy >= int(pc.h) || ix < 0 || ix >= int(pc.w)) return vec4(0.0);
  return vec4(VD_LOAD(x_data[((batch * pc.cin + ci) * pc.h + uint(iy)) * pc.w + uint(ix)]), 0.0, 0.0, 0.0);
}

void vd_cm_store(uint batch, uint gm, uint gn, float v) {
  if (SPLIT) {
    vd_split_store(pc.cout, pc.ho * pc.wo, gm, gn, v);
    return;
  }
  uint idx = (batch * pc.cout + gm) * pc.ho * pc.wo + gn;
  if (HAS_BIAS) v += VD_LOAD(bias_data[gm]);
  if (HAS_RES) v += VD_LOAD(res_data[idx]);
  y_data[idx] = VD_STORE(v);
}

void main() {
  uint kb = vd_split_k_begin(pc.nbatch, pc.kslice), ke = vd_split_k_end(pc.nbatch, pc.kslice, pc.cin * KH * KW);
  vd_cm_gemm(vd_split_batch(pc.nbatch), gl_WorkGroupID.y * BM, gl_WorkGroupID.x * BN, pc.cout, pc.ho * pc.wo, kb, ke);
}
