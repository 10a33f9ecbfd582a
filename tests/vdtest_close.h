// Comparing a result a with its reference b by three measures, each with a bound:
//
//   max rel  max|a−b| / max|b|: the largest error against the tensor's scale. Blind to the small entries of
//            wide-range outputs (a 151,936-way softmax: an entry of 1e-9 may be wrong by any factor).
//   elem rel max |a−b| / |b| over the elements that are not tiny: |b| > tiny · max|b| and |b| > floor.
//            Tiny elements are left to max rel: below a fraction of the scale, the rounding noise of sums
//            of mixed-sign terms (cancellation) is all their relative error says. The floor is fp16's
//            smallest normal, 2^-14 = 6.1e-5, for outputs that passed through fp16 (no relative precision
//            below it), 1e-30 for fp32 softmax (far above fp32 denormals, which GPUs may flush), else 0.
//   NMSE     Σ(a−b)² / Σb² (ggml's test-backend-ops measure): the error of the bulk, not of one element.
//
// Bounds (elem rel, NMSE, and what "tiny" is), calibrated on lavapipe from the measured worst values
// (VDT_PRINT_ERRORS=1 prints every comparison; every test prints its worst per bound set at the end):
//
//   set           tiny   floor   elem rel      NMSE    measured worst elem rel / NMSE, and why this bound
//   fp32 op       1e-2   0       3e-4          1e-11   1.1e-4 (bilinear 32->256: fp32 interpolation weights
//                                                      on mixed-sign inputs) / 3.2e-12 (one GELU element)
//   fp16 op       1e-3   2^-14   2^-9 = 2e-3   3e-7    4.9e-4 = 2^-11, fp16's own rounding, for every op
//                                                      whose inputs are fp16 values; 1.3e-3 for bilinear
//                                                      32->256 (fp32 cancellation noise near 1e-3 of the
//                                                      scale adds to the rounding) / 7.5e-8
//   fp16 mixed    1e-2   2^-14   5e-2          3e-7    fp16 rounding inside the computation of fp32 data
//                                                      (coopmat operands in fp32 storage, fp32 goldens stored
//                                                      as fp16, fp16 intermediates): 2.4e-2 / 1.4e-7
//   fp32 softmax  0      1e-30   1e-5          1e-13   3.8e-6 / 2.7e-14: every entry carries its own relative
//                                                      error (exp of a difference, normalised), so all are
//                                                      checked, down to e^-40 of the largest
//   fp16 softmax  0      2^-14   2^-10 = 1e-3  2e-7    4.9e-4 (one rounding) / 1.1e-7
//   fp32 net      1e-1   0       1e-4          5e-11   2.9e-5 / 1.6e-11 (reconstruct: 10 DDIM steps with
//                                                      guidance scale 9 amplify the rounding of every layer)
//   fp16 net      1e-1   2^-14   1e-1          5e-5    3.4e-2 / 2.1e-5 (same)
//
// Why tiny differs: an fp32 op's rounding noise is about 1e-6 of the tensor's scale, i.e. 1e-4 relative at 1%
// of it; in fp16 storage the output's own rounding (2^-11 relative) dominates that noise down to 1e-3 of the
// scale; a network's noise is that of many layers, so only the top decade is held element by element.
//
// Max rel keeps each test's own bound (vdt_tol: fp32 1e-5, 1e-4 for long reductions, fp16 1e-2; networks
// 1e-4 / 2e-2); a max-rel bound of 0 (copies, permutes) makes all three 0. On failure the worst element
// (index, got, want) of the failing measure is printed.
#ifndef VD_TESTS_VDTEST_CLOSE_H
#define VD_TESTS_VDTEST_CLOSE_H

#include <stdbool.h>
#include <stddef.h>

#include "tests/vdtest.h"
#include "vlmdiff.h"

typedef struct vdt_bounds {
  double max_rel;   // bound on max|a−b| / max|b|
  double elem_rel;  // bound on |a−b| / |b| of each element that is not tiny
  double nmse;      // bound on Σ(a−b)² / Σb²
  double tiny;      // elements with |b| <= tiny · max|b| are tiny
  double floor;     // and those with |b| <= floor
  const char *kind; // names the bound set in notes and messages ("fp32 op", "fp16 net", ...)
} vdt_bounds;

typedef struct vdt_diff {
  double max_rel;     // max|a−b| / max|b| (+inf on NaN or a size mismatch)
  double elem_rel;    // max |a−b| / |b| over the elements that are not tiny
  double nmse;        // Σ(a−b)² / Σb²
  size_t worst_abs;   // index of the largest |a−b|
  size_t worst_elem;  // index of the largest |a−b| / |b|
  size_t counted;     // elements that are not tiny
} vdt_diff;

// The default max-rel bound of ops: fp32 1e-5 (1e-4 for long reductions), fp16 1e-2.
double vdt_tol(vd_precision precision, int long_reduction);
// Bounds of an op's output: its max-rel bound (usually vdt_tol) with the precision's element and NMSE
// bounds; a max-rel bound of 0 (an exact op: copies, permutes) makes all three 0.
vdt_bounds vdt_op_bounds(vd_precision precision, double max_rel);
// Bounds of an op whose inputs are fp32 values that fp16 rounds inside the computation (coopmat operands
// in fp32 storage, fp32 goldens stored as fp16, fp16 intermediates of a graph): "fp16 mixed".
vdt_bounds vdt_mixed_bounds(double max_rel);
// Bounds of an op whose every element carries its own relative error (softmax: exp of a difference,
// normalised): every element is checked (tiny 0).
vdt_bounds vdt_softmax_bounds(vd_precision precision, double max_rel);
// Bounds of a whole network against its PyTorch golden: max rel 1e-4 (fp32) / 2e-2 (fp16), tiny 1e-1.
vdt_bounds vdt_net_bounds(vd_precision precision);

// The measures of got against want (n elements each).
vdt_diff vdt_diff_of(const float *got, const double *want, size_t n, vdt_bounds b);
vdt_diff vdt_diff_of_f(const float *got, const float *want, size_t n, vdt_bounds b);
// Prints "label: rel err X (bound B), element rel err X (B), NMSE X (B)" on stdout.
void vdt_diff_print(const char *label, const vdt_diff *d, vdt_bounds b);
// Measures got against want, counts one check per measure and prints the failures (worst element
// included); `what` names the comparison. Returns whether all three held.
bool vdt_check_close(const char *file, int line, vdt_bounds b, const float *got, const double *want, size_t n,
                     const char *what);
// Same with a float reference (goldens).
bool vdt_check_close_f(const char *file, int line, vdt_bounds b, const float *got, const float *want, size_t n,
                       const char *what);

// CHECK_CLOSE(bounds, got, want, n, fmt, ...): vdt_check_close with a formatted name.
#define CHECK_CLOSE(bounds, got, want, n, ...)                                     \
  do {                                                                             \
    char vdt_what_[200];                                                           \
    snprintf(vdt_what_, sizeof vdt_what_, __VA_ARGS__);                            \
    vdt_check_close(__FILE__, __LINE__, (bounds), (got), (want), (n), vdt_what_); \
  } while (0)

#endif
