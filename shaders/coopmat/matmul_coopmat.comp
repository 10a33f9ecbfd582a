#version 450
// matmul on cooperative matrices: the body is common/matmul_coopmat_body.glsl (shared with the
// emulated test variant shaders/matmul_cmemu.comp).
#include "matmul_coopmat_body.glsl"
