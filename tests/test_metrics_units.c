// The metric building blocks and the accumulator's contract: 8-connected labels against a flood fill,
// the pooled image score against a literal eight-pass implementation (torch's summation order), sort
// keys, the curve statistics on scikit-learn's documented example, AU-PRO's NaN cases, ±0 and float32
// inputs, every error, the streaming protocol and the AUTO switch.
#include "anomaly/labels.h"
#include "anomaly/metric_curves.h"
#include "anomaly/metric_pro.h"
#include "anomaly/metric_score.h"
#include "anomaly/metric_sort.h"
#include "anomaly/metrics.h"
#include "metrics_gen.h"
#include "vdtest.h"

// ---- labels -----------------------------------------------------------------------------------------

// Reference labelling: flood fill with an explicit stack, components numbered in raster order.
static uint32_t flood_labels(const uint8_t *m, int h, int w, uint32_t *out) {
  memset(out, 0, (size_t)h * w * sizeof(*out));
  int *stack = malloc((size_t)h * w * sizeof(int));
  uint32_t count = 0;
  for (int s = 0; s < h * w; ++s) {
    if (!m[s] || out[s]) continue;
    out[s] = ++count;
    int top = 0;
    stack[top++] = s;
    while (top) {
      int p = stack[--top], y = p / w, x = p % w;
      for (int dy = -1; dy <= 1; ++dy)
        for (int dx = -1; dx <= 1; ++dx) {
          int yy = y + dy, xx = x + dx;
          if (yy < 0 || yy >= h || xx < 0 || xx >= w) continue;
          int q = yy * w + xx;
          if (m[q] && !out[q]) {
            out[q] = count;
            stack[top++] = q;
          }
        }
    }
  }
  free(stack);
  return count;
}

static uint32_t label_text(const char *const *rows, int h, int w, uint32_t *labels) {
  uint8_t m[64];
  for (int y = 0; y < h; ++y)
    for (int x = 0; x < w; ++x) m[y * w + x] = rows[y][x] == '#' ? 7 : 0;
  uint32_t parent[65];
  return vd_label_components(m, (uint32_t)h, (uint32_t)w, labels, parent);
}

static void test_labels(void) {
  uint32_t lab[64];
  static const char *const diag[] = {"#...", ".#..", "..#.", "...#"};
  CHECK(label_text(diag, 4, 4, lab) == 1);  // 8-connected: one region (4-connectivity would give 4)
  static const char *const anti[] = {"...#", "..#.", ".#..", "#..."};
  CHECK(label_text(anti, 4, 4, lab) == 1);
  static const char *const two[] = {"##..", "##..", "....", "..##"};
  CHECK(label_text(two, 4, 4, lab) == 2);
  CHECK(lab[0] == 1 && lab[15] == 2 && lab[2] == 0);
  static const char *const u[] = {"#..#.#", "#..#.#", "####.#", "......", "#.#.#."};  // merges, gaps
  CHECK(label_text(u, 5, 6, lab) == 5);
  static const char *const w[] = {"#.#.#", ".#.#.", "#.#.#"};  // checkerboard: one region
  CHECK(label_text(w, 3, 5, lab) == 1);
  vdt_rng r = {42};
  for (int t = 0; t < 60; ++t) {
    int h = 1 + (int)vdt_uniform(&r, 0, 40), wd = 1 + (int)vdt_uniform(&r, 0, 40);
    double density = vdt_uniform(&r, 0.05, 0.7);
    uint8_t *m = malloc((size_t)h * wd);
    uint32_t *a = malloc((size_t)h * wd * 4), *b = malloc((size_t)h * wd * 4),
             *p = malloc(((size_t)h * wd + 1) * 4);
    for (int i = 0; i < h * wd; ++i) m[i] = vdt_uniform(&r, 0, 1) < density ? (uint8_t)(1 + i % 255) : 0;
    uint32_t ca = vd_label_components(m, (uint32_t)h, (uint32_t)wd, a, p);
    uint32_t cb = flood_labels(m, h, wd, b);
    CHECK_MSG(ca == cb && !memcmp(a, b, (size_t)h * wd * 4), "random mask %dx%d: %u regions, flood fill %u", h,
              wd, ca, cb);
    // Grouping by component keeps raster order inside each component.
    double *v = malloc((size_t)h * wd * sizeof(double)), *g = malloc((size_t)h * wd * sizeof(double));
    uint32_t *areas = malloc(((size_t)ca + 1) * 4);
    for (int i = 0; i < h * wd; ++i) v[i] = i;
    size_t np = vd_group_by_component(v, a, (size_t)h * wd, ca, g, areas, p);
    size_t o = 0;
    bool ok = true;
    for (uint32_t k = 1; k <= ca; ++k)
      for (int i = 0; i < h * wd; ++i)
        if (a[i] == k) ok = ok && g[o++] == i;
    CHECK(ok && o == np);
    free(v);
    free(g);
    free(areas);
    free(m);
    free(a);
    free(b);
    free(p);
  }
}

// ---- pooled image score -----------------------------------------------------------------------------

// torch's avg_pool2d(8, stride 1) eight times: each output the row-major sum of its 64 inputs / 64.
static double literal_score(const double *map, int h, int w) {
  double *a = malloc((size_t)h * w * sizeof(double)), *b = malloc((size_t)h * w * sizeof(double));
  memcpy(a, map, (size_t)h * w * sizeof(double));
  for (int p = 0; p < 8; ++p) {
    int oh = h - 7, ow = w - 7;
    for (int y = 0; y < oh; ++y)
      for (int x = 0; x < ow; ++x) {
        double s = 0.0;
        for (int i = 0; i < 8; ++i)
          for (int j = 0; j < 8; ++j) s += a[(y + i) * w + x + j];
        b[y * ow + x] = s / 64;
      }
    double *t = a;
    a = b;
    b = t;
    h = oh;
    w = ow;
  }
  double best = a[0];
  for (int i = 0; i < h * w; ++i)
    if (a[i] > best) best = a[i];
  free(a);
  free(b);
  return best;
}

static void test_score(void) {
  static const int sizes[][2] = {{57, 57}, {57, 80}, {64, 64}, {71, 100}, {256, 256}};
  vdt_rng r = {7};
  double worst = 0.0;
  for (int s = 0; s < 5; ++s)
    for (int kind = 0; kind < 3; ++kind) {
      int h = sizes[s][0], w = sizes[s][1];
      double *m = malloc((size_t)h * w * sizeof(double)), *work = malloc((size_t)h * w * sizeof(double));
      for (int i = 0; i < h * w; ++i)
        m[i] = kind == 0   ? vdt_uniform(&r, 0, 1)
               : kind == 1 ? vdt_uniform(&r, -5, 3)
                           : 1e6 + vdt_uniform(&r, 0, 1);
      m[(h / 2) * w + w / 3] += 40.0;  // a peak the max must find
      double a = vd_image_score(m, (uint32_t)h, (uint32_t)w, work), b = literal_score(m, h, w);
      double rel = fabs(a - b) / fmax(1.0, fabs(b));
      if (rel > worst) worst = rel;
      CHECK_MSG(rel <= 1e-14, "%dx%d kind %d: separable %.17g, literal %.17g", h, w, kind, a, b);
      free(m);
      free(work);
    }
  printf("pooled score: separable vs literal eight-pass, largest relative difference %.3g\n", worst);
}

// ---- sort keys --------------------------------------------------------------------------------------

static int cmp_double(const void *a, const void *b) {
  double x = *(const double *)a, y = *(const double *)b;
  return (x > y) - (x < y);
}

static void test_sort(void) {
  CHECK(vd_sort_key(-0.0) == vd_sort_key(0.0));
  CHECK(vd_sort_key(-1e-310) < vd_sort_key(0.0) && vd_sort_key(0.0) < vd_sort_key(4.9e-324));
  CHECK(vd_sort_key(-INFINITY) < vd_sort_key(-1e308) && vd_sort_key(1e308) < vd_sort_key(INFINITY));
  vdt_rng r = {3};
  size_t n = 200000;
  double *v = malloc(n * sizeof(double));
  uint64_t *k = malloc(n * 8), *t = malloc(n * 8);
  for (size_t i = 0; i < n; ++i) {
    double u = vdt_uniform(&r, -1, 1);
    v[i] = i % 7 == 0 ? floor(u * 4) : i % 11 == 0 ? u * 1e-310 : u * pow(10.0, (double)(i % 40) - 20);
  }
  v[5] = -0.0;
  v[6] = 0.0;
  for (size_t i = 0; i < n; ++i) k[i] = vd_sort_key(v[i]);
  vd_sort_keys(k, t, n);
  qsort(v, n, sizeof(double), cmp_double);
  bool ok = true;
  for (size_t i = 0; i < n; ++i) ok = ok && vd_sort_value(k[i]) == v[i];
  CHECK_MSG(ok, "radix order differs from qsort");
  free(v);
  free(k);
  free(t);
}

// ---- curves -----------------------------------------------------------------------------------------

static void curve_of(const double *s, const int *y, int n, vd_curve_result *out) {
  uint64_t pos[16], neg[16], tmp[16];
  size_t np = 0, nn = 0;
  for (int i = 0; i < n; ++i) {
    if (y[i])
      pos[np++] = vd_sort_key(s[i]);
    else
      neg[nn++] = vd_sort_key(s[i]);
  }
  vd_sort_keys(pos, tmp, np);
  vd_sort_keys(neg, tmp, nn);
  vd_curve_from_sorted(pos, np, neg, nn, out);
}

static void test_curves(void) {
  // scikit-learn's documented example: roc_auc_score = 0.75, average_precision_score = 0.8333…
  const double s[4] = {0.1, 0.4, 0.35, 0.8};
  const int y[4] = {0, 0, 1, 1};
  vd_curve_result r;
  curve_of(s, y, 4, &r);
  CHECK(fabs(r.auroc - 0.75) < 1e-15 && fabs(r.ap - 0.8333333333333333) < 1e-15 && fabs(r.f1 - 0.8) < 1e-15);
  // Inverted scores: AUROC 0.25 is reported flipped.
  const int yi[4] = {1, 1, 0, 0};
  curve_of(s, yi, 4, &r);
  CHECK(fabs(r.auroc - 0.75) < 1e-15);
  // Ties: one group of everything gives AUROC 0.5 (the diagonal), AP = precision = P/(P+N).
  const double t[4] = {2, 2, 2, 2};
  const int yt[4] = {0, 1, 1, 1};
  curve_of(t, yt, 4, &r);
  CHECK(r.auroc == 0.5 && r.ap == 0.75 && fabs(r.f1 - 2 * 0.75 / 1.75) < 1e-15);
  // One label only: AUROC NaN; AP and F1 as scikit-learn 1.2: 0 without positives, 1 without negatives.
  const int y0[4] = {0, 0, 0, 0}, y1[4] = {1, 1, 1, 1};
  curve_of(s, y0, 4, &r);
  CHECK(isnan(r.auroc) && r.ap == 0.0 && r.f1 == 0.0);
  curve_of(s, y1, 4, &r);
  CHECK(isnan(r.auroc) && r.ap == 1.0 && r.f1 == 1.0);
}

// ---- AU-PRO edge cases ------------------------------------------------------------------------------

static double pro_of(double lo, double hi, const double *neg, size_t nn, const double *region, uint32_t area,
                     uint32_t *kept) {
  vd_pro_thresholds t;
  vd_pro_counts c;
  CHECK_OK(vd_pro_thresholds_make(lo, hi, 200, &t));
  CHECK_OK(vd_pro_counts_init(&c, t.count));
  if (area) vd_pro_add_region(&c, &t, region, area);
  vd_pro_add_negatives(&c, &t, neg, nn);
  double a = vd_pro_area(&c, 0.3, kept);
  vd_pro_counts_free(&c);
  vd_pro_thresholds_free(&t);
  return a;
}

static void test_pro(void) {
  double neg[10], reg[4] = {0.5, 0.7, 0.9, 1.0};
  uint32_t kept = 0;
  // Normal pixels spread evenly over [0, 1): FPR falls linearly, about 60 thresholds are kept.
  for (int i = 0; i < 10; ++i) neg[i] = i / 10.0;
  double a = pro_of(0.0, 1.0, neg, 10, reg, 4, &kept);
  CHECK(kept > 2 && a > 0.0 && a <= 1.0);
  // No region: NaN (mean of nothing), thresholds still counted.
  CHECK(isnan(pro_of(0.0, 1.0, neg, 10, NULL, 0, &kept)) && kept > 0);
  // Every normal pixel at the minimum: FPR is 0 at every threshold, the largest kept FPR 0: NaN.
  for (int i = 0; i < 10; ++i) neg[i] = 0.0;
  CHECK(isnan(pro_of(0.0, 1.0, neg, 10, reg, 4, &kept)) && kept == 200);
  // Only the last threshold below the FPR limit: one point, sklearn's auc raises: NaN.
  for (int i = 0; i < 10; ++i) neg[i] = i < 8 ? 0.992 : 0.0;  // between the last two thresholds
  CHECK(isnan(pro_of(0.0, 1.0, neg, 10, reg, 4, &kept)) && kept == 1);
  // Constant class: no thresholds.
  CHECK(isnan(pro_of(1.0, 1.0, neg, 10, reg, 4, &kept)) && kept == 0);
}

// ---- accumulator ------------------------------------------------------------------------------------

#define S 64  // side of the accumulator tests' maps

typedef struct small_image {
  double map[S * S];    // map
  float map32[S * S];   // float copy
  uint8_t mask[S * S];  // mask
} small_image;

static void small_fill(small_image *im, vdt_rng *r, bool defect) {
  memset(im->mask, 0, sizeof(im->mask));
  if (defect)
    for (int y = 10; y < 20; ++y)
      for (int x = 30; x < 34 + y % 3; ++x) im->mask[y * S + x] = (uint8_t)(y * 10);
  for (int i = 0; i < S * S; ++i) {
    im->map32[i] = (float)vdt_uniform(r, -1, 1) + (im->mask[i] ? 0.5f : 0.0f);
    im->map[i] = im->map32[i];
  }
}

static vd_metrics_image small_view(small_image *im, const char *cls, const char *name, bool f32) {
  vd_metrics_image v = {cls,
                        name,
                        f32 ? (const void *)im->map32 : (const void *)im->map,
                        f32 ? VD_MAP_F32 : VD_MAP_F64,
                        S,
                        S,
                        im->mask,
                        S,
                        S};
  return v;
}

// Runs n images (classes alternate a/b) through one accumulator, both passes if asked for.
static vd_metrics_result *small_run(small_image *ims, int n, const vd_metrics_options *o, bool f32) {
  vd_metrics_acc *acc = NULL;
  CHECK_OK(vd_metrics_acc_create(o, &acc));
  if (!acc) return NULL;
  bool again = true;
  while (again) {
    for (int i = 0; i < n; ++i) {
      vd_metrics_image v = small_view(&ims[i], i % 2 ? "b" : "a", NULL, f32);
      CHECK_OK(vd_metrics_acc_add(acc, &v));
    }
    CHECK_OK(vd_metrics_acc_end_pass(acc, &again));
  }
  vd_metrics_result *r = NULL;
  CHECK_OK(vd_metrics_acc_finish(acc, &r));
  vd_metrics_acc_destroy(acc);
  return r;
}

static bool same_results(const vd_metrics_result *a, const vd_metrics_result *b) {
  if (!a || !b || a->class_count != b->class_count) return false;
  for (size_t i = 0; i < a->class_count; ++i)
    for (int m = 0; m < VD_METRIC_COUNT; ++m) {
      double x = a->classes[i].value[m], y = b->classes[i].value[m];
      if (!(x == y || (isnan(x) && isnan(y)))) return false;
    }
  return true;
}

static void test_inputs(small_image *ims, int n) {
  vd_metrics_options exact = {.mode = VD_METRICS_EXACT};
  vd_metrics_result *a = small_run(ims, n, &exact, false), *b = small_run(ims, n, &exact, true);
  CHECK_MSG(same_results(a, b), "float32 maps give other metrics than the same values as float64");
  CHECK(a && a->class_count == 2 && !strcmp(a->classes[0].name, "a") && !strcmp(a->classes[1].name, "b"));
  // −0 and +0 are one score.
  for (int i = 0; i < n; ++i)
    for (int k = 0; k < 200; ++k) ims[i].map[k] = k % 2 ? 0.0 : -0.0;
  vd_metrics_result *c = small_run(ims, n, &exact, false);
  for (int i = 0; i < n; ++i)
    for (int k = 0; k < 200; ++k) ims[i].map[k] = 0.0;
  vd_metrics_result *d = small_run(ims, n, &exact, false);
  CHECK_MSG(same_results(c, d), "-0.0 and +0.0 are scored differently");
  vd_metrics_result_destroy(a);
  vd_metrics_result_destroy(b);
  vd_metrics_result_destroy(c);
  vd_metrics_result_destroy(d);
}

static void test_auto(small_image *ims, int n) {
  vd_metrics_options exact = {.mode = VD_METRICS_EXACT};
  vd_metrics_options tiny = {.memory_budget = 11 * S * S * sizeof(double) / 2};  // AUTO: five maps fit
  vd_metrics_acc *acc = NULL;
  CHECK_OK(vd_metrics_acc_create(&tiny, &acc));
  for (int i = 0; i < n; ++i) {
    CHECK(vd_metrics_acc_mode(acc) == (i <= 5 ? VD_METRICS_EXACT : VD_METRICS_STREAMING));
    vd_metrics_image v = small_view(&ims[i], i % 2 ? "b" : "a", NULL, false);
    CHECK_OK(vd_metrics_acc_add(acc, &v));
  }
  bool again = false;
  CHECK_OK(vd_metrics_acc_end_pass(acc, &again));
  CHECK(again && vd_metrics_acc_mode(acc) == VD_METRICS_STREAMING);
  vd_metrics_result *r = NULL;
  CHECK_ERR(vd_metrics_acc_finish(acc, &r), VD_ERR_INVALID_ARGUMENT);  // the second pass is missing
  vd_metrics_acc_destroy(acc);
  vd_metrics_options hint = {.expected_pixels = 6 * S * S, .memory_budget = tiny.memory_budget};
  CHECK_OK(vd_metrics_acc_create(&hint, &acc));
  CHECK(acc && vd_metrics_acc_mode(acc) == VD_METRICS_STREAMING);  // known to be too big: streams at once
  vd_metrics_acc_destroy(acc);
  hint.expected_pixels = 5 * S * S;
  CHECK_OK(vd_metrics_acc_create(&hint, &acc));
  CHECK(acc && vd_metrics_acc_mode(acc) == VD_METRICS_EXACT);
  vd_metrics_acc_destroy(acc);
  vd_metrics_result *a = small_run(ims, n, &tiny, false), *e = small_run(ims, n, &exact, false);
  CHECK(a && e && a->mode == VD_METRICS_STREAMING && e->mode == VD_METRICS_EXACT);
  for (size_t i = 0; a && e && i < a->class_count; ++i)
    for (int m = 0; m < VD_METRIC_COUNT; ++m)
      CHECK_MSG(fabs(a->classes[i].value[m] - e->classes[i].value[m]) <= a->classes[i].bound[m] + 1e-12,
                "AUTO (streaming) %s differs from exact beyond its bound", vd_metric_name(m));
  CHECK(a && e && a->classes[0].regions == e->classes[0].regions && a->classes[0].regions > 0);
  vd_metrics_result_destroy(a);
  vd_metrics_result_destroy(e);
}

static bool message_has(vd_status st, const char *a, const char *b) {
  const char *m = vd_status_message(st);
  bool ok = st && strstr(m, a) && (!b || strstr(m, b));
  if (!ok) fprintf(stderr, "unexpected message: %s\n", m);
  vd_status_free(st);
  return ok;
}

static void test_errors(small_image *ims) {
  vd_metrics_acc *acc = NULL;
  CHECK_OK(vd_metrics_acc_create(NULL, &acc));
  vd_metrics_image v = small_view(&ims[0], "a", "img0.npz", false);
  ims[0].map[3 * S + 5] = NAN;
  CHECK(message_has(vd_metrics_acc_add(acc, &v), "img0.npz", "row 3, column 5"));
  ims[0].map[3 * S + 5] = INFINITY;
  CHECK(message_has(vd_metrics_acc_add(acc, &v), "img0.npz", "inf"));
  ims[0].map[3 * S + 5] = 0.25;
  ims[0].map32[7] = NAN;
  vd_metrics_image f = small_view(&ims[0], "a", "f32.npz", true);
  CHECK(message_has(vd_metrics_acc_add(acc, &f), "f32.npz", "column 7"));
  ims[0].map32[7] = 0.0f;
  vd_metrics_image bad = v;
  bad.mask_width = S - 1;
  CHECK(message_has(vd_metrics_acc_add(acc, &bad), "img0.npz", "64x64 but the mask is 64x63"));
  bad = v;
  bad.map_height = bad.mask_height = 56;
  CHECK(message_has(vd_metrics_acc_add(acc, &bad), "56x64", "57"));
  bad = v;
  bad.map = NULL;
  CHECK_ERR(vd_metrics_acc_add(acc, &bad), VD_ERR_INVALID_ARGUMENT);
  bad = v;
  bad.map_dtype = (vd_map_dtype)7;
  CHECK_ERR(vd_metrics_acc_add(acc, &bad), VD_ERR_INVALID_ARGUMENT);
  bad = v;
  bad.class_name = "";
  CHECK_ERR(vd_metrics_acc_add(acc, &bad), VD_ERR_INVALID_ARGUMENT);
  char longname[VD_METRICS_MAX_NAME + 8];
  memset(longname, 'x', sizeof(longname) - 1);
  longname[sizeof(longname) - 1] = 0;
  bad.class_name = longname;
  CHECK_ERR(vd_metrics_acc_add(acc, &bad), VD_ERR_INVALID_ARGUMENT);
  CHECK_OK(vd_metrics_acc_add(acc, &v));
  bad = v;
  bad.map_height = bad.mask_height = 60;  // the class's maps are 64x64
  CHECK(message_has(vd_metrics_acc_add(acc, &bad), "60x64", "class a's maps are 64x64"));
  bool again = true;
  CHECK_OK(vd_metrics_acc_end_pass(acc, &again));
  CHECK(!again);
  CHECK_ERR(vd_metrics_acc_add(acc, &v), VD_ERR_INVALID_ARGUMENT);  // after the last pass
  vd_metrics_result *r = NULL;
  CHECK_OK(vd_metrics_acc_finish(acc, &r));
  CHECK(r && r->class_count == 1 && r->classes[0].images == 1);  // the rejected images left no trace
  vd_metrics_result *r2 = NULL;
  CHECK_ERR(vd_metrics_acc_finish(acc, &r2), VD_ERR_INVALID_ARGUMENT);
  CHECK(r2 == NULL);
  vd_metrics_result_destroy(r);
  vd_metrics_acc_destroy(acc);
  vd_metrics_options o = {.mode = (vd_metrics_mode)9};
  CHECK_ERR(vd_metrics_acc_create(&o, &acc), VD_ERR_INVALID_ARGUMENT);
  o = (vd_metrics_options){.pro_fpr_limit = 2.0};
  CHECK_ERR(vd_metrics_acc_create(&o, &acc), VD_ERR_INVALID_ARGUMENT);
}

// Second-pass mismatches in streaming mode.
static void test_second_pass(small_image *ims) {
  vd_metrics_options o = {.mode = VD_METRICS_STREAMING};
  for (int k = 0; k < 4; ++k) {
    vd_metrics_acc *acc = NULL;
    CHECK_OK(vd_metrics_acc_create(&o, &acc));
    vd_metrics_image a = small_view(&ims[0], "a", "a0", false), b = small_view(&ims[1], "a", "a1", false);
    CHECK_OK(vd_metrics_acc_add(acc, &a));
    CHECK_OK(vd_metrics_acc_add(acc, &b));
    bool again = false;
    CHECK_OK(vd_metrics_acc_end_pass(acc, &again));
    CHECK(again);
    CHECK_OK(vd_metrics_acc_add(acc, &a));
    if (k == 0) {  // one image missing
      CHECK(message_has(vd_metrics_acc_end_pass(acc, &again), "second pass had 1 images", NULL));
    } else if (k == 1) {  // a new class
      vd_metrics_image c = small_view(&ims[1], "zz", "z0", false);
      CHECK(message_has(vd_metrics_acc_add(acc, &c), "class zz was not in the first pass", NULL));
    } else if (k == 2) {  // a map that changed
      ims[1].map[9] = 99.0;
      CHECK(message_has(vd_metrics_acc_add(acc, &b), "a1", "outside the first pass's range"));
      ims[1].map[9] = 0.0;
    } else {  // one image too many
      CHECK_OK(vd_metrics_acc_add(acc, &b));
      CHECK(message_has(vd_metrics_acc_add(acc, &b), "more images of class a", NULL));
    }
    vd_metrics_acc_destroy(acc);
  }
}

static void test_class_limit(void) {
  vd_metrics_acc *acc = NULL;
  CHECK_OK(vd_metrics_acc_create(NULL, &acc));
  static double map[57 * 57];
  static uint8_t mask[57 * 57];
  char name[32];
  vd_status last = NULL;
  for (int i = 0; i <= VD_METRICS_MAX_CLASSES && !last; ++i) {
    snprintf(name, sizeof(name), "k%d", i);
    vd_metrics_image v = {name, NULL, map, VD_MAP_F64, 57, 57, mask, 57, 57};
    last = vd_metrics_acc_add(acc, &v);
  }
  CHECK(vd_status_code_of(last) == VD_ERR_LIMIT);
  vd_status_free(last);
  vd_metrics_acc_destroy(acc);
}

int main(void) {
  test_labels();
  test_score();
  test_sort();
  test_curves();
  test_pro();
  enum { N = 12 };
  small_image *ims = calloc(N, sizeof(*ims));
  vdt_rng r = {11};
  for (int i = 0; i < N; ++i) small_fill(&ims[i], &r, i % 3 != 0);
  test_auto(ims, N);
  test_inputs(ims, N);
  test_errors(ims);
  test_second_pass(ims);
  test_class_limit();
  free(ims);
  return vdt_finish("test_metrics_units");
}
