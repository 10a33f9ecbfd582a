// Streaming mode against exact mode on the same inputs: the image metrics and AU-PRO agree (both exact),
// and pixel AUROC / AP / F1 differ by no more than the bound the streaming mode reports — on every case of
// cases.txt and on adversarial inputs (everything in one bin, labels alternating inside bins, scores on bin
// edges, heavy ties), for histograms from 1 to 65536 bins. The bound must also be useful: small for
// smooth maps with many bins, zero where every bin holds one score.
#include "anomaly/metrics.h"
#include "metrics_gen.h"
#include "vdtest.h"

static double worst_ratio;  // largest |streaming − exact| / bound seen (≤ 1 when the bound holds)

static void compare(const char *label, uint32_t bins, const vd_metrics_result *e, const vd_metrics_result *s) {
  CHECK(e->class_count == s->class_count && s->mode == VD_METRICS_STREAMING);
  for (size_t i = 0; i < e->class_count && i < s->class_count; ++i) {
    const vd_metrics_class *a = &e->classes[i], *b = &s->classes[i];
    CHECK(a->regions == b->regions && a->pro_thresholds == b->pro_thresholds && a->pro_kept == b->pro_kept);
    for (int m = 0; m < VD_METRIC_COUNT; ++m) {
      double x = a->value[m], y = b->value[m], bound = b->bound[m];
      bool pixel_curve = m == VD_METRIC_PIXEL_AUROC || m == VD_METRIC_PIXEL_AP || m == VD_METRIC_PIXEL_F1 ||
                         m == VD_METRIC_MAD;
      if (isnan(x) || isnan(y)) {
        CHECK_MSG(isnan(x) && isnan(y), "%s/%s %s (%u bins): exact %.17g, streaming %.17g", label, a->name,
                  vd_metric_name(m), bins, x, y);
        continue;
      }
      double d = fabs(x - y);
      CHECK_MSG(pixel_curve ? d <= bound + 1e-12 : d <= 1e-12 && bound == 0.0,
                "%s/%s %s (%u bins): exact %.17g, streaming %.17g, bound %.3g", label, a->name,
                vd_metric_name(m), bins, x, y, bound);
      if (bound > 0 && d / bound > worst_ratio) worst_ratio = d / bound;
    }
  }
}

// Runs a case exact and streaming (at several histogram sizes).
static void check_case(const mg_case *c, const mg_image *im) {
  static const uint32_t bins[] = {1, 2, 16, 1000, 65536};
  vd_metrics_options eo = {.mode = VD_METRICS_EXACT};
  vd_metrics_result *e = NULL;
  CHECK_OK(mg_run(c, im, &eo, &e));
  for (size_t k = 0; e && k < sizeof(bins) / sizeof(bins[0]); ++k) {
    vd_metrics_options so = {.mode = VD_METRICS_STREAMING, .histogram_bins = bins[k]};
    vd_metrics_result *s = NULL;
    CHECK_OK(mg_run(c, im, &so, &s));
    if (s) compare(c->name, bins[k], e, s);
    if (s && bins[k] == 65536 && !strcmp(c->name, "smooth_256"))
      CHECK_MSG(
          s->classes[0].bound[VD_METRIC_PIXEL_AUROC] < 1e-4 && s->classes[0].bound[VD_METRIC_PIXEL_AP] < 1e-3,
          "smooth maps, 65536 bins: bounds %.3g / %.3g are not useful",
          s->classes[0].bound[VD_METRIC_PIXEL_AUROC], s->classes[0].bound[VD_METRIC_PIXEL_AP]);
    if (s && (!strcmp(c->map, "ties") || !strcmp(c->map, "signed") || !strcmp(c->map, "constant")) &&
        bins[k] >= 16)
      for (size_t i = 0; i < s->class_count; ++i)  // a bin per distinct score: exact, bound 0
        CHECK_MSG(
            s->classes[i].bound[VD_METRIC_PIXEL_AP] == 0.0 && s->classes[i].bound[VD_METRIC_PIXEL_AUROC] == 0.0,
            "%s (%u bins): tied scores got a bound", c->name, bins[k]);
    vd_metrics_result_destroy(s);
  }
  vd_metrics_result_destroy(e);
}

// Adversarial maps written over generated masks: kind 0 = one outlier sets the range, the rest crowd
// into the lowest bin; 1 = scores rising in raster order with labels alternating, so every bin mixes
// both; 2 = scores exactly on the edges of a 16-bin histogram; 3 = two values only.
static void adversarial(mg_case *c, mg_image *im, int kind) {
  size_t n = (size_t)c->h * c->w;
  vdt_rng r = {1000 + (unsigned)kind};
  for (int i = 0; i < c->images; ++i)
    for (size_t k = 0; k < n; ++k) {
      double u = vdt_uniform(&r, 0, 1), v;
      if (kind == 0)
        v = i == 0 && k == 0 ? 1.0 : u * 1e-7;
      else if (kind == 1)
        v = (double)(i * n + k) / (double)(c->images * n);
      else if (kind == 2)
        v = floor(u * 17) / 16.0;
      else
        v = u < 0.5 ? 0.25 : 0.75;
      im[i].map[k] = v;
      if (kind == 1) im[i].mask[k] = (uint8_t)(k % 2 ? 0 : 9);
    }
}

int main(void) {
  static mg_case cases[MG_MAX_CASES];
  int n = mg_read_cases("data/metrics/cases.txt", cases, MG_MAX_CASES);
  CHECK_MSG(n >= 15, "data/metrics/cases.txt: %d cases", n);
  for (int i = 0; i < n; ++i) {
    mg_image *im = mg_generate(&cases[i]);
    check_case(&cases[i], im);
    mg_free_images(im, cases[i].images);
  }
  for (int kind = 0; kind < 4; ++kind) {
    mg_case c = cases[1];  // ties_mixed's masks (several classes, normal and defective images)
    snprintf(c.name, sizeof(c.name), "adversarial%d", kind);
    strcpy(c.map, "uniform");
    mg_image *im = mg_generate(&c);
    adversarial(&c, im, kind);
    check_case(&c, im);
    mg_free_images(im, c.images);
  }
  printf("largest |streaming - exact| / bound: %.3g\n", worst_ratio);
  return vdt_finish("test_metrics_stream");
}
