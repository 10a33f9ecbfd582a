#version 450
// Test-only: coopmat/matmul_coopmat.comp with the cooperative-matrix operations emulated in shared
// memory (common/matmul_coopmat_core.glsl, VD_CM_EMULATE), so lavapipe checks the kernel's tiling and epilogue.
#define VD_CM_EMULATE 1
#include "matmul_coopmat_body.glsl"
