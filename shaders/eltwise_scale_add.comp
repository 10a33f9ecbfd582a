#version 450
// y = alpha * a + beta * b with the scalars in push constants (fixed at record time).
layout(push_constant) uniform Push { uint n; float alpha; float beta; } pc;
#include "scale_add_body.glsl"
float vd_alpha() { return pc.alpha; }
float vd_beta() { return pc.beta; }
