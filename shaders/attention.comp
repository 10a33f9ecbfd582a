#version 450
// Fused multi-head scaled-dot-product attention with an online (flash-style) softmax: the Lq x Lk score
// matrix is never stored. One workgroup computes BQ queries of one (batch, head): it keeps the scaled
// query tile in shared memory, streams BK keys and values at a time through shared memory, computes the
// BQ x BK scores, and folds them into per-row running maxima, sums and output accumulators (fp32).
// Tensors are [B, L, row stride] with heads interleaved in the last axis (head h at columns h*D..h*D+D-1
// after a per-tensor element offset), so Q, K and V may be slices of one fused QKV tensor. Query head h
// reads key/value head h / kv_group (grouped-query attention). CAUSAL: query i (absolute position
// offset + i) sees keys 0..offset + i (a KV cache holds the first `offset` keys).
#include "precision.glsl"

layout(local_size_x_id = 0) in;               // WG invocations
layout(constant_id = 1) const uint D = 64;     // head dimension
layout(constant_id = 2) const uint BQ = 32;    // queries per workgroup (even, divides WG)
layout(constant_id = 3) const uint BK = 32;    // keys per block (even)
layout(constant_id = 4) const uint CAUSAL = 0; // 1: causal mask with the position offset

#define WG gl_WorkGroupSize.x
const uint TPR = WG / BQ;             // invocations sharing one query row in the P*V phase
const uint DPT = (D + TPR - 1) / TPR; // output columns per invocation (strided by TPR)
const uint KP = D + 1;                // padded key row pitch in shared memory (no bank conflicts)

layout(std430, binding = 0) readonly buffer Q { VD_T q[]; };
layout(std430, binding = 1) readonly buffer K { VD_T k[]; };
layout(std430, binding = 2) readonly buffer V { VD_T v[]; };
layout(std430, binding = 3) writeonly buffer O { VD_T o[]; };
layout(push_constant) uniform Push {
  uint lq, lk;          // query and key/value lengths
  uint kv_group;        // query heads per key/value head
  uint q_stride, k_stride, v_stride, o_stride;  // elements between consecutive tokens
  uint q_off, k_off, v_off, o_off;              // element offsets of head 0, token 0, batch 0
  uint offset;          // causal: absolute position of query 0
  float scale;          // score scale (1/sqrt(D) by default)
} pc;

shared float q_s[BQ * D];
shared float k_s[BK * KP];
shared float v_s[BK * D];
shared float p_s[BQ * (BK + 1)];

const float MASKED = -3.0e38;  // finite "minus infinity": exp(MASKED - m) == 0 for any real m

void vd_load_block(uint kb, uint k_base, uint v_base) {
  for (uint e = gl_LocalInvocationID.x; e < BK * D; e += WG) {
    uint j = e / D, d = e % D, kj = kb + j;
    bool in_range = kj < pc.lk;
    k_s[j * KP + d] = in_range ? VD_LOAD(k[k_base + kj * pc.k_stride + d]) : 0.0;
    v_s[j * D + d] = in_range ? VD_LOAD(v[v_base + kj * pc.v_stride + d]) : 0.0;
  }
}

// Scores of the BQ x BK tile, 2 x 2 per step (rows r, r + BQ/2; keys j, j + BK/2): each shared load feeds
// two multiply-adds. Masked entries get MASKED.
void vd_score_store(uint r, uint j, uint kb, uint q0, float s) {
  uint kj = kb + j;
  bool visible = kj < pc.lk && (CAUSAL == 0 || kj <= pc.offset + q0 + r);
  p_s[r * (BK + 1) + j] = visible ? s : MASKED;
}

void vd_scores(uint kb, uint q0) {
  const uint HQ = BQ / 2, HK = BK / 2;
  for (uint e = gl_LocalInvocationID.x; e < HQ * HK; e += WG) {
    uint r = e / HK, j = e % HK;
    float s00 = 0.0, s01 = 0.0, s10 = 0.0, s11 = 0.0;
    for (uint d = 0; d < D; ++d) {
      float q0v = q_s[r * D + d], q1v = q_s[(r + HQ) * D + d];
      float k0v = k_s[j * KP + d], k1v = k_s[(j + HK) * KP + d];
      s00 += q0v * k0v, s01 += q0v * k1v, s10 += q1v * k0v, s11 += q1v * k1v;
    }
    vd_score_store(r, j, kb, q0, s00);
    vd_score_store(r, j + HK, kb, q0, s01);
    vd_score_store(r + HQ, j, kb, q0, s10);
    vd_score_store(r + HQ, j + HK, kb, q0, s11);
  }
}

void main() {
  uint q0 = gl_WorkGroupID.x * BQ, h = gl_WorkGroupID.y, b = gl_WorkGroupID.z;
  uint t = gl_LocalInvocationID.x, row = t / TPR, lane = t % TPR;
  uint kvh = h / pc.kv_group;
  uint q_base = pc.q_off + b * pc.lq * pc.q_stride + h * D;
  uint k_base = pc.k_off + b * pc.lk * pc.k_stride + kvh * D;
  uint v_base = pc.v_off + b * pc.lk * pc.v_stride + kvh * D;

  for (uint e = t; e < BQ * D; e += WG) {
    uint r = e / D, d = e % D;
    q_s[e] = q0 + r < pc.lq ? VD_LOAD(q[q_base + (q0 + r) * pc.q_stride + d]) * pc.scale : 0.0;
  }

  float m = MASKED, l = 0.0;
  float acc[DPT];
  for (uint i = 0; i < DPT; ++i) acc[i] = 0.0;

  uint k_end = pc.lk;
  if (CAUSAL == 1) k_end = min(pc.lk, pc.offset + min(pc.lq, q0 + BQ));
  for (uint kb = 0; kb < k_end; kb += BK) {
    barrier();  // the previous block's readers are done with k_s, v_s and p_s
    vd_load_block(kb, k_base, v_base);
    barrier();
    vd_scores(kb, q0);
    barrier();
    float bm = MASKED;
    for (uint j = 0; j < BK; ++j) bm = max(bm, p_s[row * (BK + 1) + j]);
    float m_new = max(m, bm);
    float alpha = exp(m - m_new);
    l *= alpha;
    for (uint i = 0; i < DPT; ++i) acc[i] *= alpha;
    for (uint j = 0; j < BK; ++j) {
      float s = p_s[row * (BK + 1) + j];
      float p = s == MASKED ? 0.0 : exp(s - m_new);
      l += p;
      for (uint i = 0; i < DPT; ++i) {
        uint d = lane + TPR * i;
        if (d < D) acc[i] += p * v_s[j * D + d];
      }
    }
    m = m_new;
  }

  uint qi = q0 + row;
  if (qi >= pc.lq) return;
  float inv_l = 1.0 / l;
  uint o_base = pc.o_off + b * pc.lq * pc.o_stride + qi * pc.o_stride + h * D;
  for (uint i = 0; i < DPT; ++i) {
    uint d = lane + TPR * i;
    if (d < D) o[o_base + d] = VD_STORE(acc[i] * inv_l);
  }
}
