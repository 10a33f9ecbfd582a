// Helper for the command-line tests of `vlmdiff forward` (tests/cli_forward.sh):
//   nets_tool weights PATH [LDM.yaml]          write the tiny model's weights (tests/nets_tiny.c), or those
//                                              of another ldm config with the same generator
//   nets_tool compare OUT GOLDEN NAME [TOL]    tensor NAME within the fp32 network bounds (tests/vdtest_close.h),
//                                              max-abs error / max-abs golden <= TOL (1e-4)
//   nets_tool subset IN OUT NAME...            copy the named F32/I32 tensors of IN into OUT
//   nets_tool close OUT GOLDEN NAME TOL [GNAME] F32 or F64 tensor NAME of OUT against GNAME (default NAME) of
//                                              GOLDEN: shapes equal, NaN where the golden has NaN, max-abs
//                                              error / max-abs golden <= TOL
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "formats/config_yaml.h"
#include "formats/safetensors.h"
#include "formats/safetensors_writer.h"
#include "tests/nets_tiny.h"
#include "tests/vdtest_golden.h"

static int compare(const char *out, const char *golden, const char *name, double tol) {
  vdt_goldens *a = vdt_goldens_load(out), *b = vdt_goldens_load(golden);
  size_t n = vdt_golden_count(b, name);
  if (vdt_golden_count(a, name) != n) {
    fprintf(stderr, "%s: element counts differ\n", name);
    return 1;
  }
  vdt_bounds bounds = vdt_net_bounds(VD_PRECISION_F32);
  bounds.max_rel = tol;
  vdt_diff d = vdt_diff_of_f(vdt_golden(a, name, NULL, NULL), vdt_golden(b, name, NULL, NULL), n, bounds);
  vdt_diff_print(name, &d, bounds);
  vdt_goldens_free(a);
  vdt_goldens_free(b);
  return d.max_rel <= tol && d.elem_rel <= bounds.elem_rel && d.nmse <= bounds.nmse ? 0 : 1;
}

static int subset(const char *in, const char *out, int count, char **names) {
  vd_safetensors *f = NULL;
  vd_status st = vd_safetensors_open(in, &f);
  vd_safetensors_entry e[16];
  const vd_weight_tensor *t[16];
  for (int i = 0; !st && i < count && i < 16; ++i) {
    t[i] = vd_safetensors_find(f, names[i]);
    if (!t[i]) st = vd_status_make(VD_ERR_NOT_FOUND, "%s not in %s", names[i], in);
    else e[i] = (vd_safetensors_entry){.name = t[i]->name, .dtype = t[i]->dtype, .rank = t[i]->rank};
    if (!st) memcpy(e[i].shape, t[i]->shape, sizeof(int64_t) * (size_t)t[i]->rank);
  }
  vd_safetensors_writer *w = NULL;
  if (!st) st = vd_safetensors_writer_create(out, e, (size_t)count, &w);
  for (int i = 0; !st && i < count; ++i) st = vd_safetensors_writer_write(w, t[i]->data, vd_weight_tensor_bytes(t[i]));
  if (!st) st = vd_safetensors_writer_finish(w);
  else vd_safetensors_writer_destroy(w);
  vd_safetensors_destroy(f);
  if (st) fprintf(stderr, "subset: %s\n", vd_status_message(st));
  return st ? 1 : 0;
}

// Tensor `name` of f as doubles (F32 or F64, any shape); NULL with a message otherwise.
static double *read_doubles(const vd_safetensors *f, const char *file, const char *name, const vd_weight_tensor **out_t) {
  const vd_weight_tensor *t = vd_safetensors_find(f, name);
  if (!t || (t->dtype != VD_WEIGHT_F32 && t->dtype != VD_WEIGHT_F64) || !t->contiguous) {
    fprintf(stderr, "close: %s has no dense F32/F64 tensor %s\n", file, name);
    return NULL;
  }
  double *d = malloc(t->numel * sizeof(double) + 8);
  for (uint64_t i = 0; i < t->numel; ++i) {
    float v32;
    if (t->dtype == VD_WEIGHT_F64) memcpy(&d[i], t->data + 8 * i, 8);
    else memcpy(&v32, t->data + 4 * i, 4), d[i] = v32;
  }
  *out_t = t;
  return d;
}

static int close_to(const char *out, const char *golden, const char *name, double tol, const char *gname) {
  vd_safetensors *fa = NULL, *fb = NULL;
  vd_status st = vd_safetensors_open(out, &fa);
  if (!st) st = vd_safetensors_open(golden, &fb);
  if (st) {
    fprintf(stderr, "close: %s\n", vd_status_message(st));
    vd_status_free(st);
    vd_safetensors_destroy(fa);
    return 1;
  }
  const vd_weight_tensor *ta = NULL, *tb = NULL;
  double *a = read_doubles(fa, out, name, &ta), *b = a ? read_doubles(fb, golden, gname, &tb) : NULL;
  int rc = 1;
  if (a && b && ta->rank == tb->rank && !memcmp(ta->shape, tb->shape, sizeof(int64_t) * (size_t)ta->rank)) {
    double scale = 0, worst = 0;
    for (uint64_t i = 0; i < tb->numel; ++i) {
      if (isnan(a[i]) || isnan(b[i])) {
        if (isnan(a[i]) != isnan(b[i])) worst = INFINITY;
        continue;
      }
      scale = fmax(scale, fabs(b[i]));
      worst = fmax(worst, fabs(a[i] - b[i]));
    }
    double rel = scale > 0 ? worst / scale : worst;
    printf("%s: max rel %.3g (bound %.3g)\n", name, rel, tol);
    rc = rel <= tol ? 0 : 1;
  } else if (a && b) {
    fprintf(stderr, "close: %s differs in shape\n", name);
  }
  free(a), free(b);
  vd_safetensors_destroy(fa);
  vd_safetensors_destroy(fb);
  return rc;
}

int main(int argc, char **argv) {
  if (argc >= 3 && strcmp(argv[1], "weights") == 0) {
    vd_ldm_config cfg;
    vd_clip_text_config clip;
    vdt_tiny_configs(&cfg, &clip);
    if (argc >= 4) {
      vd_ldm_config_default(&cfg);
      vd_status st = vd_ldm_config_read_yaml(argv[3], &cfg, NULL);
      if (st) {
        fprintf(stderr, "weights: %s\n", vd_status_message(st));
        vd_status_free(st);
        return 1;
      }
    }
    vdt_tiny_weights(&cfg, &clip, argv[2]);
    return 0;
  }
  if (argc >= 5 && strcmp(argv[1], "compare") == 0) return compare(argv[2], argv[3], argv[4], argc > 5 ? atof(argv[5]) : 1e-4);
  if (argc >= 5 && strcmp(argv[1], "subset") == 0) return subset(argv[2], argv[3], argc - 4, argv + 4);
  if ((argc == 6 || argc == 7) && strcmp(argv[1], "close") == 0)
    return close_to(argv[2], argv[3], argv[4], atof(argv[5]), argc == 7 ? argv[6] : argv[4]);
  fprintf(stderr, "usage: nets_tool weights PATH [LDM.yaml] | compare OUT GOLDEN NAME [TOL] | subset IN OUT NAME... | "
                  "close OUT GOLDEN NAME TOL [GNAME]\n");
  return 2;
}
