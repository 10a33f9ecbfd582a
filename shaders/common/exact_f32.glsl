// Error-free fp32 building blocks on the correctly rounded fp32 add and multiply Vulkan guarantees. Every
// temporary is `precise` (SPIR-V NoContraction): no fused multiply-add, no reassociation. GLSL's fma()
// is not used, because Vulkan does not promise that it is fused.
//   vd_two_sum(a, b)  -> (s, e) with s = fl(a + b), s + e == a + b exactly (Knuth)
//   vd_fast_two_sum   -> the same when |a| >= |b| (Dekker)
//   vd_two_prod(a, b) -> (p, e) with p = fl(a * b), p + e == a * b exactly (Dekker's split, no FMA)
//   vd_div_rn(a, b)   -> a / b correctly rounded (b > 0), from the device's approximate quotient
//   vd_sqrt_rn(s)     -> sqrt(s) correctly rounded (s >= 0), likewise
// Vulkan allows OpFDiv 2.5 ulp and sqrt about 3 ulp of error; PyTorch's CPU results are correctly rounded,
// so the last two pick, among the approximation and its neighbours, the float with the smallest exact
// residual. VD_ROUNDING_TEST (0 unless the including shader maps it to a specialization constant) moves
// the approximation by that many ulps first, so the tests prove the correction on devices whose
// division is already exact.
#ifndef VD_EXACT_F32_GLSL
#define VD_EXACT_F32_GLSL

#ifndef VD_ROUNDING_TEST
#define VD_ROUNDING_TEST 0
#endif

vec2 vd_two_sum(float a, float b) {
  precise float s = a + b;
  precise float bb = s - a;
  precise float e = (a - (s - bb)) + (b - bb);
  return vec2(s, e);
}

vec2 vd_fast_two_sum(float a, float b) {
  precise float s = a + b;
  precise float e = b - (s - a);
  return vec2(s, e);
}

vec2 vd_split(float a) {
  precise float t = 4097.0 * a;
  precise float hi = t - (t - a);
  precise float lo = a - hi;
  return vec2(hi, lo);
}

vec2 vd_two_prod(float a, float b) {
  precise float p = a * b;
  vec2 as = vd_split(a), bs = vd_split(b);
  precise float e = ((as.x * bs.x - p) + as.x * bs.y + as.y * bs.x) + as.y * bs.y;
  return vec2(p, e);
}

// The float k ulps from x (x > 0 and finite; the bit pattern of positive floats is monotonic).
float vd_ulp_step(float x, int k) { return uintBitsToFloat(uint(int(floatBitsToUint(x)) + k)); }

bool vd_even(float x) { return (floatBitsToUint(x) & 1u) == 0u; }

// |a - q*b| exactly up to its own last rounding: q*b = p + e, and a - p is exact when p is within a
// factor 2 of a (Sterbenz), which holds for q near a/b.
float vd_div_residual(float a, float b, float q) {
  vec2 pe = vd_two_prod(q, b);
  precise float r = (a - pe.x) - pe.y;
  return abs(r);
}

// |s - r*r|, the same way.
float vd_sqrt_residual(float s, float r) {
  vec2 pe = vd_two_prod(r, r);
  precise float d = (s - pe.x) - pe.y;
  return abs(d);
}

// One step towards the candidate with the smaller residual (ties to the even one). Returns whether
// q moved. kind 0: division residual of (a, b); kind 1: square-root residual of a.
bool vd_round_step(uint kind, float a, float b, inout float q) {
  float up = vd_ulp_step(q, 1), dn = vd_ulp_step(q, -1);
  float r0 = kind == 0u ? vd_div_residual(a, b, q) : vd_sqrt_residual(a, q);
  float ru = kind == 0u ? vd_div_residual(a, b, up) : vd_sqrt_residual(a, up);
  float rd = kind == 0u ? vd_div_residual(a, b, dn) : vd_sqrt_residual(a, dn);
  if (ru < r0 || (ru == r0 && vd_even(up))) {
    q = up;
    return true;
  }
  if (rd < r0 || (rd == r0 && vd_even(dn))) {
    q = dn;
    return true;
  }
  return false;
}

float vd_round_nearest(uint kind, float a, float b, float q) {
  if (VD_ROUNDING_TEST != 0) q = vd_ulp_step(q, VD_ROUNDING_TEST);
  for (int it = 0; it < 8; ++it)
    if (!vd_round_step(kind, a, b, q)) break;
  return q;
}

float vd_div_rn(float a, float b) {
  precise float q = abs(a) / b;
  if (!(q > 0.0) || isinf(q) || q < 1e-37) return a / b;  // zero, NaN, overflow, (near-)denormal: as is
  float r = vd_round_nearest(0u, abs(a), b, q);
  return a < 0.0 ? -r : r;
}

float vd_sqrt_rn(float s) {
  precise float r = sqrt(s);
  if (!(r > 0.0) || isinf(r) || s < 1e-37) return r;
  return vd_round_nearest(1u, s, 0.0, r);
}

#endif
