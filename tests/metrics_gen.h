// The metric test inputs: cases of tests/data/metrics/cases.txt turned into maps and masks by the same
// seeded generator as tools/reference/metrics_reference.py (which mirrors these functions line by line;
// only exact IEEE operations on doubles, so both produce the same bits).
#ifndef VD_TESTS_METRICS_GEN_H
#define VD_TESTS_METRICS_GEN_H

#include <math.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "anomaly/metrics.h"
#include "vdtest.h"

#define MG_MAX_CASES 64  // lines of cases.txt

typedef struct mg_case {
  char name[64];  // case name
  uint64_t seed;  // generator seed
  int images;     // images in all
  int h;          // map rows
  int w;          // map columns
  int classes;    // image i is class "c<i % classes>"
  char map[16];   // map kind
  char mask[16];  // mask kind
  double lo;      // "range" maps: class minimum
  double hi;      // "range" maps: class maximum
} mg_case;

typedef struct mg_image {
  char cls[16];   // class name
  double *map;    // h × w
  float *map32;   // h × w float copy ("float32" maps are fed as float)
  uint8_t *mask;  // h × w
} mg_image;

static inline double mg_next(vdt_rng *r) { return vdt_uniform(r, 0.0, 1.0); }

static inline int mg_min(int a, int b) { return a < b ? a : b; }

static inline void mg_mask_rects(vdt_rng *r, uint8_t *m, int h, int w, bool every) {
  bool anomalous = mg_next(r) < 0.6;
  if (!(anomalous || every)) return;
  int n = 1 + (int)(mg_next(r) * 3);
  for (int k = 0; k < n; ++k) {
    int y0 = (int)(mg_next(r) * h);
    int x0 = (int)(mg_next(r) * w);
    int hh = 1 + (int)(mg_next(r) * (h / 4));
    int ww = 1 + (int)(mg_next(r) * (w / 4));
    int val = 1 + (int)(mg_next(r) * 255);
    for (int y = y0; y < mg_min(h, y0 + hh); ++y)
      for (int x = x0; x < mg_min(w, x0 + ww); ++x) m[y * w + x] = (uint8_t)val;
  }
}

static inline void mg_mask_pixels(vdt_rng *r, uint8_t *m, int h, int w) {
  if (!(mg_next(r) < 0.7)) return;
  int n = 1 + (int)(mg_next(r) * 20);
  for (int k = 0; k < n; ++k) {
    int y = (int)(mg_next(r) * h);
    int x = (int)(mg_next(r) * w);
    bool diag = mg_next(r) < 0.5;
    m[y * w + x] = 255;
    if (diag && y + 1 < h && x + 1 < w) m[(y + 1) * w + x + 1] = 255;
  }
}

static inline void mg_mask_checker(vdt_rng *r, uint8_t *m, int h, int w) {
  if (!(mg_next(r) < 0.5)) return;
  int y0 = (int)(mg_next(r) * (h - 12));
  int x0 = (int)(mg_next(r) * (w - 12));
  for (int y = 0; y < 12; ++y)
    for (int x = 0; x < 12; ++x)
      if ((y + x) % 2 == 0) m[(y0 + y) * w + x0 + x] = 200;
}

static inline void mg_gen_mask(vdt_rng *r, const char *kind, uint8_t *m, int h, int w) {
  memset(m, 0, (size_t)h * w);
  if (!strcmp(kind, "all")) {
    memset(m, 255, (size_t)h * w);
  } else if (!strcmp(kind, "random")) {
    for (int i = 0; i < h * w; ++i) {
      double u = mg_next(r);
      if (u < 0.1) m[i] = (uint8_t)(1 + (int)(u * 2540.0));
    }
  } else if (!strcmp(kind, "rects") || !strcmp(kind, "every")) {
    mg_mask_rects(r, m, h, w, !strcmp(kind, "every"));
  } else if (!strcmp(kind, "pixels")) {
    mg_mask_pixels(r, m, h, w);
  } else if (!strcmp(kind, "checker")) {
    mg_mask_checker(r, m, h, w);
  } else if (!strcmp(kind, "mixed")) {
    double u = mg_next(r);
    if (u < 0.3) {
    } else if (u < 0.6) {
      mg_mask_rects(r, m, h, w, false);
    } else if (u < 0.8) {
      mg_mask_pixels(r, m, h, w);
    } else {
      mg_mask_checker(r, m, h, w);
    }
  }
}

static inline double mg_map_value(const char *kind, double u, bool a, double lo, double hi) {
  if (!strcmp(kind, "uniform") || !strcmp(kind, "float32")) return u;
  if (!strcmp(kind, "ties")) return floor(u * 5) * 0.25;
  if (!strcmp(kind, "signed")) return floor(u * 9) - 4;
  if (!strcmp(kind, "informative")) return u + (a ? 0.6 : 0.0);
  if (!strcmp(kind, "inverse")) return u - (a ? 0.6 : 0.0);
  if (!strcmp(kind, "tiesinf")) return floor(u * 3) + (a ? 2.0 : 0.0);
  if (!strcmp(kind, "perfect")) return a ? 1.0 + u : u * 0.001;
  if (!strcmp(kind, "range")) return lo + (hi - lo) * u;
  return NAN;
}

static inline void mg_gen_map(vdt_rng *r, const mg_case *c, const uint8_t *m, bool first, double *p) {
  int h = c->h, w = c->w;
  if (!strcmp(c->map, "constant")) {
    for (int i = 0; i < h * w; ++i) p[i] = 0.5;
    return;
  }
  if (!strcmp(c->map, "smooth")) {
    double cy = mg_next(r) * h;
    double cx = mg_next(r) * w;
    for (int y = 0; y < h; ++y)
      for (int x = 0; x < w; ++x) {
        double dy = (y - cy) / h;
        double dx = (x - cx) / w;
        double q = dy * dy + dx * dx;
        p[y * w + x] = 0.3 * q + 0.1 * mg_next(r) + (m[y * w + x] ? 0.08 : 0.0);
      }
    return;
  }
  for (int i = 0; i < h * w; ++i) p[i] = mg_map_value(c->map, mg_next(r), m[i] != 0, c->lo, c->hi);
  if (!strcmp(c->map, "float32"))
    for (int i = 0; i < h * w; ++i) p[i] = (double)(float)p[i];
  if (!strcmp(c->map, "range") && first) {
    p[0] = c->lo;
    p[1] = c->hi;
  }
}

// Reads cases.txt; returns the number of cases (0 on error).
static inline int mg_read_cases(const char *path, mg_case *out, int cap) {
  FILE *f = fopen(path, "r");
  if (!f) return 0;
  char line[512];
  int n = 0;
  while (n < cap && fgets(line, sizeof(line), f)) {
    char *hash = strchr(line, '#');
    if (hash) *hash = 0;
    mg_case c;
    memset(&c, 0, sizeof(c));
    c.hi = 1.0;
    unsigned long long seed = 0;
    int k = sscanf(line, "%63s %llu %d %d %d %d %15s %15s %lf %lf", c.name, &seed, &c.images, &c.h, &c.w,
                   &c.classes, c.map, c.mask, &c.lo, &c.hi);
    if (k <= 0) continue;
    if (k < 8) break;
    c.seed = seed;
    out[n++] = c;
  }
  fclose(f);
  return n;
}

// Generates every image of a case (mg_free_images releases them).
static inline mg_image *mg_generate(const mg_case *c) {
  mg_image *im = calloc((size_t)c->images, sizeof(*im));
  vdt_rng r = {c->seed};
  size_t n = (size_t)c->h * c->w;
  for (int i = 0; i < c->images; ++i) {
    snprintf(im[i].cls, sizeof(im[i].cls), "c%d", i % c->classes);
    im[i].map = malloc(n * sizeof(double));
    im[i].map32 = malloc(n * sizeof(float));
    im[i].mask = malloc(n);
    mg_gen_mask(&r, c->mask, im[i].mask, c->h, c->w);
    mg_gen_map(&r, c, im[i].mask, i < c->classes, im[i].map);
    for (size_t k = 0; k < n; ++k) im[i].map32[k] = (float)im[i].map[k];
  }
  return im;
}

static inline void mg_free_images(mg_image *im, int count) {
  for (int i = 0; im && i < count; ++i) {
    free(im[i].map);
    free(im[i].map32);
    free(im[i].mask);
  }
  free(im);
}

// The accumulator's view of image i ("float32" cases feed the float copy).
static inline vd_metrics_image mg_view(const mg_case *c, const mg_image *im, int i, char *name, size_t size) {
  snprintf(name, size, "%.63s#%d", c->name, i);
  bool f32 = !strcmp(c->map, "float32");
  vd_metrics_image v = {im[i].cls,
                        name,
                        f32 ? (const void *)im[i].map32 : (const void *)im[i].map,
                        f32 ? VD_MAP_F32 : VD_MAP_F64,
                        (uint32_t)c->h,
                        (uint32_t)c->w,
                        im[i].mask,
                        (uint32_t)c->h,
                        (uint32_t)c->w};
  return v;
}

// Feeds a case through an accumulator of the given options, passes included.
static inline vd_status mg_run(const mg_case *c, const mg_image *im, const vd_metrics_options *o,
                               vd_metrics_result **out) {
  vd_metrics_acc *acc = NULL;
  VD_RETURN_IF_ERROR(vd_metrics_acc_create(o, &acc));
  vd_status st = NULL;
  bool again = true;
  while (!st && again) {
    for (int i = 0; !st && i < c->images; ++i) {
      char name[96];
      vd_metrics_image v = mg_view(c, im, i, name, sizeof(name));
      st = vd_metrics_acc_add(acc, &v);
    }
    if (!st) st = vd_metrics_acc_end_pass(acc, &again);
  }
  if (!st) st = vd_metrics_acc_finish(acc, out);
  vd_metrics_acc_destroy(acc);
  return st;
}

#endif
