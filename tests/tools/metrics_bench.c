// Benchmark of the metrics at dataset scale (not a test: it reports, asserts nothing). Generates
// MVTec-AD-sized input (15 classes with the real test-set image counts, 256×256 float64 maps, defect
// masks on the real share of images) or a Real-IAD-like one, feeds it to an accumulator, and prints the
// time of adding and of finishing, the peak RSS and the metrics. With --compare it runs the exact and the
// streaming mode on the same input and prints their differences next to the streaming bounds.
//
//     metrics_bench [--mode exact|streaming|auto] [--compare] [--bins N] [--classes C --images N]
//                   [--side S] [--seed K]
//
// Peak memory: run it under /usr/bin/time -v (the "Maximum resident set size" line), or read the
// getrusage figure it prints.
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>

#include "anomaly/metrics.h"
#include "../vdtest.h"

typedef struct bench_class {
  const char *name;  // class name
  int images;        // test images
  int defective;     // of them with a defect mask
} bench_class;

// MVTec AD test split (training/MVTec-AD/test.json): 1,725 images, 1,258 defective.
static const bench_class mvtec[] = {
    {"bottle", 83, 63},      {"cable", 150, 92},    {"capsule", 132, 109}, {"carpet", 117, 89},
    {"grid", 78, 57},        {"hazelnut", 110, 70}, {"leather", 124, 92},  {"metal_nut", 115, 93},
    {"pill", 167, 141},      {"screw", 160, 119},   {"tile", 117, 84},     {"toothbrush", 42, 30},
    {"transistor", 100, 40}, {"wood", 79, 60},      {"zipper", 151, 119},
};

typedef struct bench_options {
  vd_metrics_mode mode;     // accumulator mode
  bool compare;             // run exact and streaming, print differences
  uint32_t bins;            // streaming histogram bins (0: default)
  int classes;              // > 0: synthetic classes instead of MVTec
  int images;               // images per synthetic class
  int side;                 // map side
  unsigned long long seed;  // generator seed
} bench_options;

static double now_s(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return (double)t.tv_sec + 1e-9 * (double)t.tv_nsec;
}

// A smooth map (separable field + noise) with a raised, ramped blob where the mask is set; the mask is one
// or two rectangles with values 1..255 (antialiased-edge-like), or empty.
static void bench_image(vdt_rng *r, int side, bool defective, double *map, uint8_t *mask, double *row,
                        double *col) {
  memset(mask, 0, (size_t)side * side);
  for (int i = 0; i < side; ++i) {
    row[i] = vdt_uniform(r, 0.0, 0.05);
    col[i] = vdt_uniform(r, 0.0, 0.05);
  }
  int blobs = defective ? 1 + (int)vdt_uniform(r, 0, 2) : 0;
  for (int b = 0; b < blobs; ++b) {
    int h = 4 + (int)vdt_uniform(r, 0, side / 5), w = 4 + (int)vdt_uniform(r, 0, side / 5);
    int y0 = (int)vdt_uniform(r, 0, side - h), x0 = (int)vdt_uniform(r, 0, side - w);
    for (int y = y0; y < y0 + h; ++y)
      for (int x = x0; x < x0 + w; ++x) mask[y * side + x] = (uint8_t)(1 + (int)vdt_uniform(r, 0, 255));
  }
  double level = vdt_uniform(r, 0.05, 0.25);
  for (int y = 0; y < side; ++y)
    for (int x = 0; x < side; ++x) {
      double v = level + row[y] + col[x] + vdt_uniform(r, 0.0, 0.1);
      if (mask[y * side + x]) v += vdt_uniform(r, 0.0, 0.3);
      map[y * side + x] = v;
    }
}

static int bench_class_count(const bench_options *o) {
  return o->classes > 0 ? o->classes : (int)(sizeof(mvtec) / sizeof(mvtec[0]));
}

static bench_class bench_class_at(const bench_options *o, int k, char *name, size_t size) {
  if (o->classes <= 0) return mvtec[k];
  snprintf(name, size, "class%02d", k);
  bench_class c = {name, o->images, (int)(0.7 * o->images)};
  return c;
}

// Feeds every image once (a pass); the generation time is excluded from *add_s.
static vd_status bench_pass(vd_metrics_acc *acc, const bench_options *o, double *add_s) {
  int side = o->side;
  size_t n = (size_t)side * side;
  double *map = malloc(n * sizeof(*map)), *row = malloc(side * sizeof(double)),
         *col = malloc(side * sizeof(double));
  uint8_t *mask = malloc(n);
  vd_status st = NULL;
  vdt_rng r = {o->seed};
  for (int k = 0; !st && k < bench_class_count(o); ++k) {
    char cname[32];
    bench_class c = bench_class_at(o, k, cname, sizeof(cname));
    for (int i = 0; !st && i < c.images; ++i) {
      bench_image(&r, side, i < c.defective, map, mask, row, col);
      char name[64];
      snprintf(name, sizeof(name), "%s/%03d", c.name, i);
      vd_metrics_image im = {c.name, name,           map,           VD_MAP_F64, (uint32_t)side, (uint32_t)side,
                             mask,   (uint32_t)side, (uint32_t)side};
      double t0 = now_s();
      st = vd_metrics_acc_add(acc, &im);
      *add_s += now_s() - t0;
    }
  }
  free(map);
  free(row);
  free(col);
  free(mask);
  return st;
}

static vd_status bench_run(const bench_options *o, vd_metrics_mode mode, vd_metrics_result **out) {
  vd_metrics_options mo = {.mode = mode, .histogram_bins = o->bins};
  vd_metrics_acc *acc = NULL;
  VD_RETURN_IF_ERROR(vd_metrics_acc_create(&mo, &acc));
  double add_s = 0.0, t_start = now_s();
  bool again = true;
  int passes = 0;
  vd_status st = NULL;
  while (!st && again) {
    st = bench_pass(acc, o, &add_s);
    if (!st) st = vd_metrics_acc_end_pass(acc, &again);
    ++passes;
  }
  double t0 = now_s();
  if (!st) st = vd_metrics_acc_finish(acc, out);
  double finish_s = now_s() - t0;
  vd_metrics_acc_destroy(acc);
  struct rusage ru;
  getrusage(RUSAGE_SELF, &ru);
  if (!st)
    printf(
        "%s mode: %d pass(es), add %.2f s, finish %.2f s, metrics total %.2f s (wall incl. generation %.2f s), "
        "peak RSS so far %.0f MiB\n",
        (*out)->mode == VD_METRICS_EXACT ? "exact" : "streaming", passes, add_s, finish_s, add_s + finish_s,
        now_s() - t_start, ru.ru_maxrss / 1024.0);
  return st;
}

static void bench_print(const vd_metrics_result *r, bool classes) {
  printf("%-12s", "class");
  for (int m = 0; m < VD_METRIC_COUNT; ++m) printf(" %11s", vd_metric_name(m));
  printf("\n");
  for (size_t i = 0; classes && i < r->class_count; ++i) {
    printf("%-12s", r->classes[i].name);
    for (int m = 0; m < VD_METRIC_COUNT; ++m) printf(" %11.6f", r->classes[i].value[m]);
    printf("\n");
  }
  printf("%-12s", "mean");
  for (int m = 0; m < VD_METRIC_COUNT; ++m) printf(" %11.6f", r->mean[m]);
  printf("\n");
}

// Streaming minus exact, per metric: the largest difference over classes and the largest bound.
static void bench_compare(const vd_metrics_result *e, const vd_metrics_result *s) {
  printf("%-22s %12s %12s %8s\n", "metric", "max |diff|", "max bound", "within");
  for (int m = 0; m < VD_METRIC_COUNT; ++m) {
    double d = 0.0, b = 0.0;
    bool ok = true;
    for (size_t i = 0; i < e->class_count; ++i) {
      double di = fabs(s->classes[i].value[m] - e->classes[i].value[m]);
      if (di > d) d = di;
      if (s->classes[i].bound[m] > b) b = s->classes[i].bound[m];
      ok = ok && di <= s->classes[i].bound[m] + 1e-12;
    }
    printf("%-22s %12.3g %12.3g %8s\n", vd_metric_name(m), d, b, ok ? "yes" : "NO");
  }
}

static int bench_usage(const char *what, const char *arg) {
  fprintf(stderr,
          "metrics_bench: %s %s\nusage: metrics_bench [--mode exact|streaming|auto] [--compare] [--bins N] "
          "[--classes C --images N] [--side S] [--seed K]\n",
          what, arg);
  return 2;
}

static int bench_parse(int argc, char **argv, bench_options *o) {
  *o = (bench_options){.mode = VD_METRICS_EXACT, .side = 256, .seed = 12345};
  for (int i = 1; i < argc; ++i) {
    const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
    if (!strcmp(a, "--compare")) {
      o->compare = true;
      continue;
    }
    if (!v) return bench_usage("a value is missing after", a);
    ++i;
    if (!strcmp(a, "--mode"))
      o->mode = !strcmp(v, "streaming") ? VD_METRICS_STREAMING
                : !strcmp(v, "auto")    ? VD_METRICS_AUTO
                                        : VD_METRICS_EXACT;
    else if (!strcmp(a, "--bins"))
      o->bins = (uint32_t)strtoul(v, NULL, 10);
    else if (!strcmp(a, "--classes"))
      o->classes = atoi(v);
    else if (!strcmp(a, "--images"))
      o->images = atoi(v);
    else if (!strcmp(a, "--side"))
      o->side = atoi(v);
    else if (!strcmp(a, "--seed"))
      o->seed = strtoull(v, NULL, 10);
    else
      return bench_usage("unknown option", a);
  }
  if (o->side < 57 || (o->classes > 0 && o->images < 1)) return bench_usage("bad sizes", "");
  return 0;
}

int main(int argc, char **argv) {
  bench_options o;
  int rc = bench_parse(argc, argv, &o);
  if (rc) return rc;
  long long images = 0;
  for (int k = 0; k < bench_class_count(&o); ++k) {
    char cname[32];
    images += bench_class_at(&o, k, cname, sizeof(cname)).images;
  }
  printf("%d classes, %lld images of %dx%d (%.1fM pixels)\n", bench_class_count(&o), images, o.side, o.side,
         (double)images * o.side * o.side / 1e6);
  vd_metrics_result *a = NULL, *b = NULL;
  vd_status st = bench_run(&o, o.compare ? VD_METRICS_EXACT : o.mode, &a);
  if (!st && o.compare) st = bench_run(&o, VD_METRICS_STREAMING, &b);
  if (st) {
    fprintf(stderr, "metrics_bench: %s\n", vd_status_message(st));
    vd_status_free(st);
    return 1;
  }
  bench_print(a, o.classes <= 0 || o.classes <= 30);
  if (b) bench_compare(a, b);
  vd_metrics_result_destroy(a);
  vd_metrics_result_destroy(b);
  return 0;
}
