#include "tests/vdtest_close.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>

#define VDT_F16_MIN_NORMAL 6.103515625e-05  // 2^-14

double vdt_tol(vd_precision precision, int long_reduction) {
  if (precision == VD_PRECISION_F16) return 1e-2;
  return long_reduction ? 1e-4 : 1e-5;
}

// One bound set; a max-rel bound of 0 (an exact op) makes the others 0 too.
static vdt_bounds vdt_bounds_make(const char *kind, double max_rel, double tiny, double floor, double elem_rel,
                                  double nmse) {
  if (max_rel == 0) elem_rel = nmse = 0;
  return (vdt_bounds){.max_rel = max_rel, .elem_rel = elem_rel, .nmse = nmse, .tiny = tiny, .floor = floor, .kind = kind};
}

vdt_bounds vdt_op_bounds(vd_precision precision, double max_rel) {
  if (precision == VD_PRECISION_F16) return vdt_bounds_make("fp16 op", max_rel, 1e-3, VDT_F16_MIN_NORMAL, 0x1p-9, 3e-7);
  return vdt_bounds_make("fp32 op", max_rel, 1e-2, 0, 3e-4, 1e-11);
}

vdt_bounds vdt_mixed_bounds(double max_rel) {
  return vdt_bounds_make("fp16 mixed", max_rel, 1e-2, VDT_F16_MIN_NORMAL, 5e-2, 3e-7);
}

vdt_bounds vdt_softmax_bounds(vd_precision precision, double max_rel) {
  if (precision == VD_PRECISION_F16) return vdt_bounds_make("fp16 softmax", max_rel, 0, VDT_F16_MIN_NORMAL, 0x1p-10, 2e-7);
  return vdt_bounds_make("fp32 softmax", max_rel, 0, 1e-30, 1e-5, 1e-13);
}

vdt_bounds vdt_net_bounds(vd_precision precision) {
  if (precision == VD_PRECISION_F16) return vdt_bounds_make("fp16 net", 2e-2, 1e-1, VDT_F16_MIN_NORMAL, 1e-1, 5e-5);
  return vdt_bounds_make("fp32 net", 1e-4, 1e-1, 0, 1e-4, 5e-11);
}

// The measures, with the reference given as doubles or floats.
static vdt_diff vdt_measure(const float *got, const double *wd, const float *wf, size_t n, vdt_bounds b) {
  vdt_diff d = {0};
  double scale = 0, sum_e2 = 0, sum_w2 = 0, worst_abs = -1;
  for (size_t i = 0; i < n; ++i) scale = fmax(scale, fabs(wd ? wd[i] : wf[i]));
  double tiny = fmax(b.tiny * scale, b.floor);
  for (size_t i = 0; i < n; ++i) {
    double want = wd ? wd[i] : wf[i], e = fabs((double)got[i] - want);
    if (isnan(e)) e = INFINITY;  // an unwritten (NaN-poisoned) element
    if (e > worst_abs) worst_abs = e, d.worst_abs = i;
    sum_e2 += e * e, sum_w2 += want * want;
    if (fabs(want) <= tiny || fabs(want) == 0) continue;
    ++d.counted;
    if (e / fabs(want) > d.elem_rel || isinf(e)) d.elem_rel = e / fabs(want), d.worst_elem = i;
  }
  d.max_rel = n ? fmax(worst_abs, 0) / (scale > 0 ? scale : 1.0) : 0;
  d.nmse = sum_w2 > 0 ? sum_e2 / sum_w2 : sum_e2 > 0 ? INFINITY : 0;
  return d;
}

vdt_diff vdt_diff_of(const float *got, const double *want, size_t n, vdt_bounds b) {
  return vdt_measure(got, want, NULL, n, b);
}

vdt_diff vdt_diff_of_f(const float *got, const float *want, size_t n, vdt_bounds b) {
  return vdt_measure(got, NULL, want, n, b);
}

void vdt_diff_print(const char *label, const vdt_diff *d, vdt_bounds b) {
  printf("%s: rel err %.3g (bound %.0e), element rel err %.3g (%.0e), NMSE %.3g (%.0e)\n", label, d->max_rel,
         b.max_rel, d->elem_rel, b.elem_rel, d->nmse, b.nmse);
}

// One measure against its bound: counted as a check; on failure, the element that sets it.
static bool vdt_hold(const char *file, int line, const char *what, const char *measure, double value, double bound,
                     size_t at, double got, double want) {
  ++vdt_checks;
  if (value <= bound) return true;
  ++vdt_failures;
  fprintf(stderr, "%s:%d: %s: %s %.3g > %.3g; worst element [%zu]: got %.9g, want %.9g\n", file, line, what,
          measure, value, bound, at, got, want);
  return false;
}

static void vdt_print_diff(const char *what, vdt_bounds b, const vdt_diff *d) {
  static int on = -1;
  if (on < 0) on = getenv("VDT_PRINT_ERRORS") != NULL;
  if (on)
    printf("errors %-8s %-60s max rel %.3g/%.1g  elem rel %.3g/%.1g (%zu elems)  nmse %.3g/%.1g\n", b.kind, what,
           d->max_rel, b.max_rel, d->elem_rel, b.elem_rel, d->counted, d->nmse, b.nmse);
}

static bool vdt_check(const char *file, int line, vdt_bounds b, const float *got, const double *wd, const float *wf,
                      size_t n, const char *what) {
  vdt_diff d = vdt_measure(got, wd, wf, n, b);
  vdt_print_diff(what, b, &d);
  char key[48];
  snprintf(key, sizeof key, "%s element rel", b.kind);
  vdt_note(key, d.elem_rel, b.elem_rel, what);
  snprintf(key, sizeof key, "%s NMSE", b.kind);
  vdt_note(key, d.nmse, b.nmse, what);
  size_t a = d.worst_abs, e = d.worst_elem;
  double wa = n ? (wd ? wd[a] : wf[a]) : 0, we = n ? (wd ? wd[e] : wf[e]) : 0;
  bool ok = vdt_hold(file, line, what, "max rel err", d.max_rel, b.max_rel, a, n ? got[a] : 0, wa);
  ok &= vdt_hold(file, line, what, "element rel err", d.elem_rel, b.elem_rel, e, n ? got[e] : 0, we);
  ok &= vdt_hold(file, line, what, "NMSE", d.nmse, b.nmse, a, n ? got[a] : 0, wa);
  return ok;
}

bool vdt_check_close(const char *file, int line, vdt_bounds b, const float *got, const double *want, size_t n,
                     const char *what) {
  return vdt_check(file, line, b, got, want, NULL, n, what);
}

bool vdt_check_close_f(const char *file, int line, vdt_bounds b, const float *got, const float *want, size_t n,
                       const char *what) {
  return vdt_check(file, line, b, got, NULL, want, n, what);
}
