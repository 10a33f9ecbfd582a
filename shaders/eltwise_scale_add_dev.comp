#version 450
// y = alpha * a + beta * b with alpha = coef[index], beta = coef[index + 1] read from an fp32 device
// buffer at run time, so a recorded graph replays with new scalars (DDIM step coefficients, CFG scale).
layout(push_constant) uniform Push { uint n; uint index; } pc;
layout(std430, binding = 3) readonly buffer Coef { float coef[]; };
#include "scale_add_body.glsl"
float vd_alpha() { return coef[pc.index]; }
float vd_beta() { return coef[pc.index + 1u]; }
