// Wide floats for the anomaly map's float64 stages, one source for two representations (spec
// vlmdiff-pipeline §1.7 items 4–7: the reference sums, blurs and pools in float64):
//   VD_WIDE_DF64 0: IEEE double (the device has shaderFloat64); every operation is the reference's own.
//   VD_WIDE_DF64 1: double-float: an unevaluated sum hi + lo of two fp32 with hi = fl(hi + lo), 48
//                   significant bits, from error-free transformations (exact_f32.glsl). Each operation
//                   rounds within a few 2^-48 of the double result; exponent range stays fp32's.
// VD_W is both the working and the storage type (double or vec2; 8 bytes, std430 alignment 8).
//   w_from_float(x)     exact
//   w_prod(a, b)        a * b of two floats, exact in both representations
//   w_add(a, b), w_mul(a, b)
//   w_scale(a, s)       a * s for a power of two s (exact)
//   w_to_float(a)       the nearest float
//   w_gt(a, b), w_isnan(a)
#ifndef VD_WIDE_GLSL
#define VD_WIDE_GLSL

#if VD_WIDE_DF64
#include "exact_f32.glsl"

#define VD_W vec2

VD_W w_from_float(float x) { return vec2(x, 0.0); }
VD_W w_prod(float a, float b) { return vd_two_prod(a, b); }

VD_W w_add(VD_W a, VD_W b) {
  vec2 s = vd_two_sum(a.x, b.x), t = vd_two_sum(a.y, b.y);
  precise float e1 = s.y + t.x;
  vec2 u = vd_fast_two_sum(s.x, e1);
  precise float e2 = u.y + t.y;
  return vd_fast_two_sum(u.x, e2);
}

VD_W w_mul(VD_W a, VD_W b) {
  vec2 p = vd_two_prod(a.x, b.x);
  precise float e = p.y + (a.x * b.y + a.y * b.x);
  return vd_fast_two_sum(p.x, e);
}

VD_W w_scale(VD_W a, float s) { return vec2(a.x * s, a.y * s); }
float w_to_float(VD_W a) { return a.x; }
bool w_isnan(VD_W a) { return isnan(a.x) || isnan(a.y); }
bool w_gt(VD_W a, VD_W b) { return a.x > b.x || (a.x == b.x && a.y > b.y); }

#else

#define VD_W double

VD_W w_from_float(float x) { return double(x); }

VD_W w_prod(float a, float b) {
  precise double p = double(a) * double(b);
  return p;
}

VD_W w_add(VD_W a, VD_W b) {
  precise double s = a + b;
  return s;
}

VD_W w_mul(VD_W a, VD_W b) {
  precise double p = a * b;
  return p;
}

VD_W w_scale(VD_W a, float s) {
  precise double p = a * double(s);
  return p;
}

float w_to_float(VD_W a) { return float(a); }
bool w_isnan(VD_W a) { return isnan(a); }
bool w_gt(VD_W a, VD_W b) { return a > b; }

#endif

#endif
