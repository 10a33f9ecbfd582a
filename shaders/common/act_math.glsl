// Activation math in fp32 shared by the activation and gate kernels. GLSL has no erf, and builtin
// tanh/exp overflow differently across drivers, so the pieces are written out here:
//   vd_erf        |error| < 2e-7 relative on [0, 1], < 3e-7 absolute above (fitted for this engine:
//                 x*P(x^2) on [0, 1]; 1 - erfc with erfc = exp(-x^2)*R(x - 2.5) on [1, 4] and the
//                 asymptotic series beyond); GELU uses erfc directly in its negative tail
//   vd_tanh       overflow-safe, via exp(-2|x|)
//   vd_sigmoid    1 / (1 + exp(-x)), exact limits at +-inf
#ifndef VD_ACT_MATH_GLSL
#define VD_ACT_MATH_GLSL

// erfc(t) * exp(t^2) for t in [1, 4], fitted as a polynomial in t - 2.5.
float vd_erfcx_1_4(float t) {
  float u = t - 2.5;
  float p = -4.269336955e-07;
  p = p * u + 1.671801783e-06;
  p = p * u - 3.744433343e-06;
  p = p * u + 1.435366266e-05;
  p = p * u - 5.952952779e-05;
  p = p * u + 2.129720815e-04;
  p = p * u - 7.331467350e-04;
  p = p * u + 2.465982456e-03;
  p = p * u - 8.001696318e-03;
  p = p * u + 2.493820339e-02;
  p = p * u - 7.434733957e-02;
  p = p * u + 2.108063549e-01;
  return p;
}

// erf(t) / t for t in [0, 1], a polynomial in t^2.
float vd_erf_over_x(float t) {
  float s = t * t;
  float p = 7.847259258e-05;
  p = p * s - 8.008189034e-04;
  p = p * s + 5.188099109e-03;
  p = p * s - 2.685369179e-02;
  p = p * s + 1.128358245e-01;
  p = p * s - 3.761262596e-01;
  p = p * s + 1.128379107e+00;
  return p;
}

// erfc(t) for t >= 1 without cancellation (asymptotic series beyond 4, where it is below 2e-8).
float vd_erfc_ge1(float t) {
  if (t < 4.0) return exp(-t * t) * vd_erfcx_1_4(t);
  float r = 1.0 / (t * t);
  return exp(-t * t) * 0.56418958354775629 / t * (1.0 - 0.5 * r * (1.0 - 1.5 * r));
}

float vd_erf(float x) {
  float t = abs(x);
  float r = t <= 1.0 ? t * vd_erf_over_x(t) : 1.0 - vd_erfc_ge1(t);
  return x < 0.0 ? -r : r;
}

// 1 + erf(z), computed as erfc(-z) for z < -1 so the GELU tail keeps its relative precision.
float vd_one_plus_erf(float z) { return z < -1.0 ? vd_erfc_ge1(-z) : 1.0 + vd_erf(z); }

float vd_sigmoid(float x) { return 1.0 / (1.0 + exp(-x)); }

float vd_tanh(float x) {
  float e = exp(-2.0 * abs(x));
  float r = (1.0 - e) / (1.0 + e);
  return x < 0.0 ? -r : r;
}

float vd_silu(float x) { return x * vd_sigmoid(x); }
float vd_gelu_erf(float x) { return 0.5 * x * vd_one_plus_erf(x * 0.70710678118654752); }
// 0.5 x (1 + tanh(u)) = x sigmoid(2u): no cancellation in the negative tail.
float vd_gelu_tanh(float x) { return x * vd_sigmoid(1.5957691216057307 * (x + 0.044715 * x * x * x)); }
float vd_quick_gelu(float x) { return x * vd_sigmoid(1.702 * x); }
// torch.relu: NaN stays NaN (the comparison is false for it).
float vd_relu(float x) { return x < 0.0 ? 0.0 : x; }

// kind: 0 SiLU, 1 GELU (erf), 2 GELU (tanh), 3 quick-GELU, 4 ReLU; matches vd_activation.
float vd_activate(uint kind, float x) {
  if (kind == 0u) return vd_silu(x);
  if (kind == 1u) return vd_gelu_erf(x);
  if (kind == 2u) return vd_gelu_tanh(x);
  if (kind == 4u) return vd_relu(x);
  return vd_quick_gelu(x);
}

#endif
