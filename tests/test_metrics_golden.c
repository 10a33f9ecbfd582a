// The metrics against scikit-learn / scikit-image (tests/data/metrics/goldens.txt, written by
// tools/reference/metrics_reference.py from the same generated inputs): every case of cases.txt in exact
// mode (all eight numbers within 1e-6, NaN where the reference gives NaN or raises, counts equal) and in
// streaming mode (image metrics and AU-PRO within 1e-6, pixel AUROC/AP/F1 within the reported bound); the
// pooled image score against torch's avg_pool2d (scores.txt); the AU-PRO thresholds against NumPy's arange
// (thresholds.txt, bit for bit).
#include "anomaly/metric_pro.h"
#include "anomaly/metric_score.h"
#include "anomaly/metrics.h"
#include "metrics_gen.h"
#include "vdtest.h"

#define GOLDEN_TOL 1e-6  // the brief's tolerance against the reference
#define MAX_GOLDEN 256   // golden lines

typedef struct golden_row {
  char cls_case[64];            // case name
  char cls[16];                 // class name
  unsigned long long count[7];  // images, anomalous images, pixels, anomalous pixels, regions, thresholds, kept
  double value[VD_METRIC_COUNT];  // the eight numbers
} golden_row;

static int read_goldens(const char *path, golden_row *rows, int cap) {
  FILE *f = fopen(path, "r");
  if (!f) return 0;
  char line[1024];
  int n = 0;
  while (n < cap && fgets(line, sizeof(line), f)) {
    if (line[0] == '#') continue;
    golden_row *g = &rows[n];
    char *p = line;
    int used = 0;
    if (sscanf(p, "%63s %15s%n", g->cls_case, g->cls, &used) != 2) continue;
    p += used;
    for (int k = 0; k < 7; ++k) g->count[k] = strtoull(p, &p, 10);
    for (int k = 0; k < VD_METRIC_COUNT; ++k) g->value[k] = strtod(p, &p);
    ++n;
  }
  fclose(f);
  return n;
}

static bool same_value(double a, double b, double tol) {
  if (isnan(a) || isnan(b)) return isnan(a) && isnan(b);
  return fabs(a - b) <= tol;
}

static double worst[VD_METRIC_COUNT];         // exact mode: largest |engine − reference| per metric
static double worst_stream[VD_METRIC_COUNT];  // streaming mode: the same
static double worst_bound[VD_METRIC_COUNT];   // streaming mode: largest reported bound

static void check_class(const mg_case *c, const vd_metrics_class *k, const golden_row *g, bool streaming) {
  CHECK_MSG(!strcmp(k->name, g->cls), "%s: class %s, golden %s", c->name, k->name, g->cls);
  unsigned long long got[7] = {k->images,  k->anomalous_images, k->pixels,  k->anomalous_pixels,
                               k->regions, k->pro_thresholds,   k->pro_kept};
  static const char *const what[7] = {"images",  "anomalous images",  "pixels",         "anomalous pixels",
                                      "regions", "AU-PRO thresholds", "kept thresholds"};
  for (int i = 0; i < 7; ++i)
    CHECK_MSG(got[i] == g->count[i], "%s/%s: %s %llu, reference %llu", c->name, k->name, what[i], got[i],
              g->count[i]);
  for (int m = 0; m < VD_METRIC_COUNT; ++m) {
    double tol = GOLDEN_TOL + k->bound[m];
    CHECK_MSG(same_value(k->value[m], g->value[m], tol), "%s/%s %s: %s %.17g, reference %.17g (bound %.3g)",
              c->name, k->name, vd_metric_name(m), streaming ? "streaming" : "exact", k->value[m], g->value[m],
              k->bound[m]);
    if (isnan(g->value[m])) continue;
    double d = fabs(k->value[m] - g->value[m]);
    double *w = streaming ? worst_stream : worst;
    if (d > w[m]) w[m] = d;
    if (streaming && k->bound[m] > worst_bound[m]) worst_bound[m] = k->bound[m];
  }
}

static void check_result(const mg_case *c, const vd_metrics_result *r, const golden_row *rows, int nrows,
                         bool streaming) {
  int matched = 0;
  for (int i = 0; i < nrows; ++i) {
    if (strcmp(rows[i].cls_case, c->name)) continue;
    CHECK_MSG((size_t)matched < r->class_count, "%s: fewer classes than the reference", c->name);
    if ((size_t)matched < r->class_count) check_class(c, &r->classes[matched], &rows[i], streaming);
    ++matched;
  }
  CHECK_MSG((size_t)matched == r->class_count && matched > 0, "%s: %zu classes, reference %d", c->name,
            r->class_count, matched);
  // The mean over classes is the plain mean of the class values (NaN if one is NaN).
  for (int m = 0; m < VD_METRIC_COUNT; ++m) {
    double sum = 0.0;
    for (size_t i = 0; i < r->class_count; ++i) sum += r->classes[i].value[m];
    CHECK(same_value(r->mean[m], sum / (double)r->class_count, 1e-15));
  }
}

static void test_cases(const mg_case *cases, int ncases) {
  static golden_row rows[MAX_GOLDEN];
  int nrows = read_goldens("data/metrics/goldens.txt", rows, MAX_GOLDEN);
  CHECK_MSG(nrows > 20, "goldens.txt: %d rows", nrows);
  for (int i = 0; i < ncases; ++i) {
    mg_image *im = mg_generate(&cases[i]);
    vd_metrics_result *r = NULL;
    vd_metrics_options exact = {.mode = VD_METRICS_EXACT};
    CHECK_OK(mg_run(&cases[i], im, &exact, &r));
    if (r) {
      CHECK(r->mode == VD_METRICS_EXACT);
      check_result(&cases[i], r, rows, nrows, false);
    }
    vd_metrics_result_destroy(r);
    r = NULL;
    vd_metrics_options stream = {.mode = VD_METRICS_STREAMING, .histogram_bins = 4096};
    CHECK_OK(mg_run(&cases[i], im, &stream, &r));
    if (r) {
      CHECK(r->mode == VD_METRICS_STREAMING);
      check_result(&cases[i], r, rows, nrows, true);
    }
    vd_metrics_result_destroy(r);
    mg_free_images(im, cases[i].images);
  }
}

static const mg_case *find_case(const mg_case *cases, int n, const char *name) {
  for (int i = 0; i < n; ++i)
    if (!strcmp(cases[i].name, name)) return &cases[i];
  return NULL;
}

// Pooled image scores against torch's avg_pool2d (float64).
static void test_scores(const mg_case *cases, int ncases) {
  FILE *f = fopen("data/metrics/scores.txt", "r");
  CHECK_MSG(f != NULL, "data/metrics/scores.txt missing");
  if (!f) return;
  char line[256], name[64];
  int k = 0, checked = 0;
  double ref = 0.0, worst_rel = 0.0;
  while (fgets(line, sizeof(line), f)) {
    if (line[0] == '#' || sscanf(line, "%63s %d %lf", name, &k, &ref) != 3) continue;
    const mg_case *c = find_case(cases, ncases, name);
    CHECK_MSG(c && k < c->images, "scores.txt: unknown case %s", name);
    if (!c || k >= c->images) continue;
    mg_image *im = mg_generate(c);
    double *work = malloc((size_t)c->h * c->w * sizeof(double));
    double s = vd_image_score(im[k].map, (uint32_t)c->h, (uint32_t)c->w, work);
    double rel = fabs(s - ref) / fmax(1.0, fabs(ref));
    if (rel > worst_rel) worst_rel = rel;
    CHECK_MSG(rel <= 1e-13, "%s image %d: pooled score %.17g, torch %.17g", name, k, s, ref);
    ++checked;
    free(work);
    mg_free_images(im, c->images);
  }
  fclose(f);
  CHECK_MSG(checked > 20, "scores.txt: %d scores", checked);
  printf("pooled score vs torch avg_pool2d: %d images, largest relative difference %.3g\n", checked, worst_rel);
}

// AU-PRO thresholds against np.arange, bit for bit.
static void test_thresholds(void) {
  FILE *f = fopen("data/metrics/thresholds.txt", "r");
  CHECK_MSG(f != NULL, "data/metrics/thresholds.txt missing");
  if (!f) return;
  char line[1024];
  int pairs = 0, n201 = 0;
  while (fgets(line, sizeof(line), f)) {
    if (line[0] == '#') continue;
    char *p = line;
    double lo = strtod(p, &p), hi = strtod(p, &p);
    unsigned count = (unsigned)strtoul(p, &p, 10);
    vd_pro_thresholds t;
    CHECK_OK(vd_pro_thresholds_make(lo, hi, 200, &t));
    CHECK_MSG(t.count == count, "arange(%.17g, %.17g): %u thresholds, NumPy %u", lo, hi, t.count, count);
    n201 += count == 201;
    if (count && t.count == count) {
      unsigned at[7] = {0, 1, 2, 3, 100, count - 2, count - 1};
      for (int i = 0; i < 7; ++i) {
        double want = strtod(p, &p);
        CHECK_MSG(t.value[at[i]] == want, "arange(%.17g, %.17g)[%u] = %.17g, NumPy %.17g", lo, hi, at[i],
                  t.value[at[i]], want);
      }
    }
    vd_pro_thresholds_free(&t);
    ++pairs;
  }
  fclose(f);
  CHECK_MSG(pairs >= 40 && n201 > 0, "thresholds.txt: %d pairs, %d with 201 thresholds", pairs, n201);
}

int main(void) {
  static mg_case cases[MG_MAX_CASES];
  int n = mg_read_cases("data/metrics/cases.txt", cases, MG_MAX_CASES);
  CHECK_MSG(n >= 15, "data/metrics/cases.txt: %d cases", n);
  test_cases(cases, n);
  test_scores(cases, n);
  test_thresholds();
  printf("largest |engine - reference| per metric (exact mode; streaming mode with 4096 bins, its bound):\n");
  for (int m = 0; m < VD_METRIC_COUNT; ++m)
    printf("  %-12s %.3g   streaming %.3g (bound up to %.3g)\n", vd_metric_name(m), worst[m], worst_stream[m],
           worst_bound[m]);
  return vdt_finish("test_metrics_golden");
}
