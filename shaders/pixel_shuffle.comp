#version 450
// Pixel (un)shuffle by factor r between a "large" tensor (H, W, C) and a "small" one (H/r, W/r, r*r*C).
// MODE 0: InternVL unshuffle, channel-last: small[n, i, j, (dy*r + dx)*C + c] = large[n, i*r+dy, j*r+dx, c]
//         (spec encoders §3.4: [X(2i,2j) | X(2i,2j+1) | X(2i+1,2j) | X(2i+1,2j+1)]).
// MODE 1: its inverse (small -> large).
// MODE 2: torch PixelUnshuffle, NCHW: small[n, c*r*r + dy*r + dx, i, j] = large[n, c, i*r+dy, j*r+dx].
// MODE 3: torch PixelShuffle, the inverse of MODE 2.
// One invocation per output element.
#include "precision.glsl"
#include "index.glsl"

layout(local_size_x = 256) in;
layout(constant_id = 0) const uint MODE = 0;
layout(std430, binding = 0) readonly buffer X { VD_T x[]; };
layout(std430, binding = 1) writeonly buffer Y { VD_T y[]; };
layout(push_constant) uniform Push { uint total; uint h; uint w; uint c; uint r; } pc;  // large geometry

// Index of the large element (n, yy, xx, ch) in the large tensor's layout and in the small one's.
uint large_index(uint n, uint yy, uint xx, uint ch) {
  return MODE < 2u ? ((n * pc.h + yy) * pc.w + xx) * pc.c + ch : ((n * pc.c + ch) * pc.h + yy) * pc.w + xx;
}

uint small_index(uint n, uint yy, uint xx, uint ch) {
  uint sh = pc.h / pc.r, sw = pc.w / pc.r, sc = pc.c * pc.r * pc.r;
  uint i = yy / pc.r, j = xx / pc.r, dy = yy % pc.r, dx = xx % pc.r;
  if (MODE < 2u) return ((n * sh + i) * sw + j) * sc + (dy * pc.r + dx) * pc.c + ch;
  return ((n * sc + ch * pc.r * pc.r + dy * pc.r + dx) * sh + i) * sw + j;
}

void main() {
  uint o = vd_flat_index();
  if (o >= pc.total) return;
  // Decompose the output index into large coordinates (n, yy, xx, ch).
  uint n, yy, xx, ch;
  uint sh = pc.h / pc.r, sw = pc.w / pc.r, sc = pc.c * pc.r * pc.r;
  if (MODE == 0u) {  // output small, channel-last
    uint k = o % sc, t = o / sc;
    uint j = t % sw; t /= sw;
    uint i = t % sh; n = t / sh;
    uint blk = k / pc.c; ch = k % pc.c;
    yy = i * pc.r + blk / pc.r; xx = j * pc.r + blk % pc.r;
  } else if (MODE == 1u) {  // output large, channel-last
    ch = o % pc.c; uint t = o / pc.c;
    xx = t % pc.w; t /= pc.w;
    yy = t % pc.h; n = t / pc.h;
  } else if (MODE == 2u) {  // output small, NCHW
    uint j = o % sw, t = o / sw;
    uint i = t % sh; t /= sh;
    uint k = t % sc; n = t / sc;
    ch = k / (pc.r * pc.r); uint blk = k % (pc.r * pc.r);
    yy = i * pc.r + blk / pc.r; xx = j * pc.r + blk % pc.r;
  } else {  // output large, NCHW
    xx = o % pc.w; uint t = o / pc.w;
    yy = t % pc.h; t /= pc.h;
    ch = t % pc.c; n = t / pc.c;
  }
  bool unshuffle = MODE == 0u || MODE == 2u;
  uint li = large_index(n, yy, xx, ch), si = small_index(n, yy, xx, ch);
  y[o] = unshuffle ? x[li] : x[si];
}
