#version 450
// PyTorch F.interpolate on NCHW planes, one output element per invocation.
//   MODE 0 bilinear: src = align ? dst*scale : max(scale*(dst+0.5)-0.5, 0); i0 = floor(src),
//          i1 = min(i0+1, in-1), weights (1-l, l) with l = src - i0.
//   MODE 1 bicubic (A = -0.75): src = align ? dst*scale : scale*(dst+0.5)-0.5 (unclamped); taps
//          floor(src)-1 .. +2 clamped to the border.
// scale is computed by the host the way PyTorch does (align: (in-1)/(out-1); else in/out or
// 1/scale_factor). Equal sizes are a copy, as in PyTorch.
#include "precision.glsl"
#include "index.glsl"

layout(local_size_x = 256) in;
layout(constant_id = 0) const uint MODE = 0;
layout(std430, binding = 0) readonly buffer X { VD_T x[]; };
layout(std430, binding = 1) writeonly buffer Y { VD_T y[]; };
layout(push_constant) uniform Push {
  uint n;  // planes * oh * ow
  uint ih, iw, oh, ow;
  float scale_h, scale_w;
  uint align;
} pc;

float src_coord(uint dst, float scale, bool cubic) {
  if (pc.align != 0u) return float(dst) * scale;
  float s = scale * (float(dst) + 0.5) - 0.5;
  return (!cubic && s < 0.0) ? 0.0 : s;
}

float cubic1(float t) { return ((1.25 * t - 2.25) * t) * t + 1.0; }               // |t| <= 1, A = -0.75
float cubic2(float t) { return ((-0.75 * t + 3.75) * t - 6.0) * t + 3.0; }        // 1 < |t| < 2

vec4 cubic_weights(float t) { return vec4(cubic2(t + 1.0), cubic1(t), cubic1(1.0 - t), cubic2(2.0 - t)); }

float load(uint base, int yy, int xx) {
  yy = clamp(yy, 0, int(pc.ih) - 1);
  xx = clamp(xx, 0, int(pc.iw) - 1);
  return VD_LOAD(x[base + uint(yy) * pc.iw + uint(xx)]);
}

float bilinear(uint base, uint oy, uint ox) {
  float sy = pc.ih == pc.oh ? float(oy) : src_coord(oy, pc.scale_h, false);
  float sx = pc.iw == pc.ow ? float(ox) : src_coord(ox, pc.scale_w, false);
  int y0 = min(int(sy), int(pc.ih) - 1), x0 = min(int(sx), int(pc.iw) - 1);
  int y1 = y0 + (y0 < int(pc.ih) - 1 ? 1 : 0), x1 = x0 + (x0 < int(pc.iw) - 1 ? 1 : 0);
  float ly = clamp(sy - float(y0), 0.0, 1.0), lx = clamp(sx - float(x0), 0.0, 1.0);
  float top = (1.0 - lx) * load(base, y0, x0) + lx * load(base, y0, x1);
  float bot = (1.0 - lx) * load(base, y1, x0) + lx * load(base, y1, x1);
  return (1.0 - ly) * top + ly * bot;
}

float bicubic(uint base, uint oy, uint ox) {
  if (pc.ih == pc.oh && pc.iw == pc.ow) return load(base, int(oy), int(ox));
  float sy = src_coord(oy, pc.scale_h, true), sx = src_coord(ox, pc.scale_w, true);
  float fy = floor(sy), fx = floor(sx);
  vec4 wy = cubic_weights(sy - fy), wx = cubic_weights(sx - fx);
  int y0 = int(fy) - 1, x0 = int(fx) - 1;
  float acc = 0.0;
  for (int j = 0; j < 4; ++j) {
    float row = 0.0;
    for (int k = 0; k < 4; ++k) row += wx[k] * load(base, y0 + j, x0 + k);
    acc += wy[j] * row;
  }
  return acc;
}

void main() {
  uint i = vd_flat_index();
  if (i >= pc.n) return;
  uint ox = i % pc.ow, r = i / pc.ow;
  uint oy = r % pc.oh, p = r / pc.oh;
  uint base = p * pc.ih * pc.iw;
  y[i] = VD_STORE(MODE == 0u ? bilinear(base, oy, ox) : bicubic(base, oy, ox));
}
