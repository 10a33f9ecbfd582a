// Row-wise normalisations and softmax over rows of n contiguous elements: layer norm and instance norm
// (mean/variance), RMS norm (mean of squares), group norm (a row is one (sample, group): cpg channels of
// `inner` elements each, with per-channel affine) and softmax (max-subtracted). Arithmetic in fp32.
//
// A workgroup owns one chunk of up to WG * PT elements of a row and keeps it in registers.
//  PHASE 0: the whole row is one chunk: statistics and normalisation in one dispatch.
//  PHASE 1: per-chunk statistics -> partials[row * chunks + chunk] (fp32 pairs):
//           mean/variance: (chunk mean, chunk M2 = sum of squared deviations from the chunk mean);
//           RMS: (mean of squares, 0); softmax: (chunk max, sum of exp(x - chunk max)).
//  PHASE 2: combine the row's partials (Chan's parallel variance formula for mean/M2, rescaled sums for
//           softmax), then normalise the chunk.
// The includer defines VD_SUBGROUP (1: subgroup arithmetic reductions, 0: shared-memory trees).
#include "precision.glsl"
#include "index.glsl"

layout(local_size_x_id = 0) in;                 // WG: 64 or 256 (a power of two)
layout(constant_id = 1) const uint MODE = 0;     // 0 mean/variance, 1 RMS, 2 softmax
layout(constant_id = 2) const uint AFFINE = 0;   // 0 none, 1 gamma, 2 gamma and beta
layout(constant_id = 3) const uint SILU = 0;     // 1: y = silu(y) after the affine
layout(constant_id = 4) const uint PHASE = 0;    // see above
layout(constant_id = 5) const uint GROUPED = 0;  // 1: channel = (row % groups) * cpg + i / inner

#define PT 16  // elements per invocation and chunk
#define WG gl_WorkGroupSize.x

layout(std430, binding = 0) readonly buffer X { VD_T x[]; };
layout(std430, binding = 1) readonly buffer Gamma { VD_T gamma[]; };
layout(std430, binding = 2) readonly buffer Beta { VD_T beta[]; };
layout(std430, binding = 3) writeonly buffer Y { VD_T y[]; };
layout(std430, binding = 4) buffer Partials { vec2 partials[]; };
layout(push_constant) uniform Push {
  uint rows;    // rows
  uint n;       // elements per row
  uint chunks;  // chunks per row (1 in PHASE 0)
  uint inner;   // group norm: elements per channel
  uint groups;  // group norm: groups per sample
  uint cpg;     // group norm: channels per group
  float eps;    // variance epsilon
} pc;

#if VD_SUBGROUP
#extension GL_KHR_shader_subgroup_basic : require
#extension GL_KHR_shader_subgroup_arithmetic : require
shared float sg_part[128];  // one per subgroup

float vd_wg_sum(float v) {
  float s = subgroupAdd(v);
  barrier();  // the previous reduction's readers are done with sg_part
  if (subgroupElect()) sg_part[gl_SubgroupID] = s;
  barrier();
  float t = 0.0;
  for (uint i = 0; i < gl_NumSubgroups; ++i) t += sg_part[i];
  return t;
}

float vd_wg_max(float v) {
  float s = subgroupMax(v);
  barrier();
  if (subgroupElect()) sg_part[gl_SubgroupID] = s;
  barrier();
  float t = sg_part[0];
  for (uint i = 1; i < gl_NumSubgroups; ++i) t = max(t, sg_part[i]);
  return t;
}
#else
shared float tree[256];

float vd_wg_sum(float v) {
  uint lid = gl_LocalInvocationID.x;
  barrier();  // the previous reduction's readers are done with tree[0]
  tree[lid] = v;
  barrier();
  for (uint s = WG / 2; s > 0; s >>= 1) {
    if (lid < s) tree[lid] += tree[lid + s];
    barrier();
  }
  return tree[0];
}

float vd_wg_max(float v) {
  uint lid = gl_LocalInvocationID.x;
  barrier();
  tree[lid] = v;
  barrier();
  for (uint s = WG / 2; s > 0; s >>= 1) {
    if (lid < s) tree[lid] = max(tree[lid], tree[lid + s]);
    barrier();
  }
  return tree[0];
}
#endif

const float NEG_INF = -1.0 / 0.0;

// exp(a - m), 0 for a == -inf (masked logits; also when m is -inf, i.e. everything so far is masked).
float vd_exp_shifted(float a, float m) { return a == NEG_INF ? 0.0 : exp(a - m); }

// Statistics of this chunk's `count` valid values v[k] (k * WG + lid < count).
vec2 vd_chunk_stats(float v[PT], uint count) {
  uint lid = gl_LocalInvocationID.x;
  if (MODE == 2) {
    float m = NEG_INF;
    for (uint k = 0; k < PT; ++k)
      if (k * WG + lid < count) m = max(m, v[k]);
    float cmax = vd_wg_max(m);
    float s = 0.0;
    for (uint k = 0; k < PT; ++k)
      if (k * WG + lid < count) s += vd_exp_shifted(v[k], cmax);
    return vec2(cmax, vd_wg_sum(s));
  }
  if (MODE == 1) {
    float s = 0.0;
    for (uint k = 0; k < PT; ++k) s += v[k] * v[k];  // invalid entries are 0
    return vec2(vd_wg_sum(s) / float(count), 0.0);
  }
  float s = 0.0;
  for (uint k = 0; k < PT; ++k) s += v[k];
  float mean = vd_wg_sum(s) / float(count);
  float m2 = 0.0;
  for (uint k = 0; k < PT; ++k) {
    float d = v[k] - mean;
    if (k * WG + lid < count) m2 += d * d;
  }
  return vec2(mean, vd_wg_sum(m2));
}

// Combines the row's chunk partials into the row's statistics (every invocation does it; few chunks).
vec2 vd_row_stats(uint row) {
  uint chunk_len = WG * PT;
  vec2 acc = partials[row * pc.chunks];
  float count = float(min(chunk_len, pc.n));
  for (uint c = 1; c < pc.chunks; ++c) {
    vec2 p = partials[row * pc.chunks + c];
    float nb = float(min(chunk_len, pc.n - c * chunk_len));
    float total = count + nb;
    if (MODE == 2) {
      float m = max(acc.x, p.x);
      acc = vec2(m, acc.y * vd_exp_shifted(acc.x, m) + p.y * vd_exp_shifted(p.x, m));
    } else if (MODE == 1) {
      acc.x += (p.x - acc.x) * (nb / total);
    } else {
      float delta = p.x - acc.x;
      acc = vec2(acc.x + delta * (nb / total), acc.y + p.y + delta * delta * (count * (nb / total)));
    }
    count = total;
  }
  return acc;
}

void main() {
  uint flat_group = vd_flat_group();
  if (flat_group >= pc.rows * pc.chunks) return;  // padding of the 2-D grid (whole workgroup)
  uint row = flat_group / pc.chunks, chunk = flat_group % pc.chunks;
  uint lid = gl_LocalInvocationID.x;
  uint start = chunk * WG * PT;
  uint count = min(WG * PT, pc.n - start);
  uint base = row * pc.n + start;

  float v[PT];
  for (uint k = 0; k < PT; ++k) {
    uint i = k * WG + lid;
    v[k] = i < count ? VD_LOAD(x[base + i]) : 0.0;
  }

  vec2 st;
  if (PHASE == 2) {
    st = vd_row_stats(row);
  } else {
    st = vd_chunk_stats(v, count);
    if (PHASE == 1) {
      if (lid == 0) partials[flat_group] = st;
      return;
    }
  }

  // Per-row normalisation: y = (v - shift) * scale (softmax: exp(v - max) * scale).
  float shift, scale;
  if (MODE == 2) {
    shift = st.x;
    scale = 1.0 / st.y;
  } else if (MODE == 1) {
    shift = 0.0;
    scale = inversesqrt(st.x + pc.eps);
  } else {
    shift = st.x;
    scale = inversesqrt(st.y / float(pc.n) + pc.eps);
  }

  for (uint k = 0; k < PT; ++k) {
    uint i = k * WG + lid;
    if (i >= count) continue;
    float r;
    if (MODE == 2) {
      r = vd_exp_shifted(v[k], shift) * scale;
    } else {
      r = (v[k] - shift) * scale;
      uint ch = GROUPED == 1 ? (row % pc.groups) * pc.cpg + (start + i) / pc.inner : start + i;
      if (AFFINE >= 1) r *= VD_LOAD(gamma[ch]);
      if (AFFINE == 2) r += VD_LOAD(beta[ch]);
      if (SILU == 1) r = r / (1.0 + exp(-r));
    }
    y[base + i] = VD_STORE(r);
  }
}
