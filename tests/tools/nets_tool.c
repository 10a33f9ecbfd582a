// Helper for the command-line tests of `vlmdiff forward` (tests/cli_forward.sh):
//   nets_tool weights PATH [LDM.yaml]          write the tiny model's weights (tests/nets_tiny.c), or those
//                                              of another ldm config with the same generator
//   nets_tool compare OUT GOLDEN NAME [TOL]    tensor NAME within the fp32 network bounds (tests/vdtest_close.h),
//                                              max-abs error / max-abs golden <= TOL (1e-4)
//   nets_tool subset IN OUT NAME...            copy the named F32/I32 tensors of IN into OUT (NAME=NEW renames,
//                                              @FILE takes the following names from FILE)
//   nets_tool dino-weights PATH CONFIG.json    the tiny DINO's generated weights (tests/data/dino) as a flat
//                                              torch zip .pth in the official key layout
//   nets_tool resnet-weights PATH CONFIG.json  the tiny ResNet's (tests/data/resnet) likewise
//   nets_tool pair GOLDEN OUT                  a batch-2 golden as one pair: image[0] -> image, image[1] ->
//                                              samples, every other T: T[0] -> T, T[1] -> samples_T
// compare's NAME may be OUT_NAME=GOLDEN_NAME when the two files name the tensor differently.
//   nets_tool close OUT GOLDEN NAME TOL [GNAME] F32 or F64 tensor NAME of OUT against GNAME (default NAME) of
//                                              GOLDEN: shapes equal, NaN where the golden has NaN, max-abs
//                                              error / max-abs golden <= TOL
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "formats/config_yaml.h"
#include "formats/safetensors.h"
#include "formats/config_json.h"
#include "formats/safetensors_writer.h"
#include "models/dino.h"
#include "tests/nets_tiny.h"
#include "tests/resnet_ckpt.h"
#include "tests/torch_ckpt.h"
#include "tests/vdtest_golden.h"

static int compare(const char *out, const char *golden, const char *spec, double tol) {
  char name[128], gname[128];
  snprintf(name, sizeof name, "%s", spec);
  char *eq = strchr(name, '=');
  snprintf(gname, sizeof gname, "%s", eq ? eq + 1 : name);
  if (eq) *eq = '\0';
  vdt_goldens *a = vdt_goldens_load(out), *b = vdt_goldens_load(golden);
  size_t n = vdt_golden_count(b, gname);
  if (vdt_golden_count(a, name) != n) {
    fprintf(stderr, "%s: element counts differ\n", name);
    return 1;
  }
  vdt_bounds bounds = vdt_net_bounds(VD_PRECISION_F32);
  bounds.max_rel = tol;
  vdt_diff d = vdt_diff_of_f(vdt_golden(a, name, NULL, NULL), vdt_golden(b, gname, NULL, NULL), n, bounds);
  vdt_diff_print(name, &d, bounds);
  vdt_goldens_free(a);
  vdt_goldens_free(b);
  return d.max_rel <= tol && d.elem_rel <= bounds.elem_rel && d.nmse <= bounds.nmse ? 0 : 1;
}

// NAME: copy tensor NAME; SRC=DST: copy SRC under the name DST; @FILE: take the following names from FILE.
static int subset(const char *in, const char *out, int count, char **names) {
  vd_safetensors *files[4] = {0};
  int nf = 0, n = 0;
  vd_status st = vd_safetensors_open(in, &files[nf++]);
  vd_safetensors_entry e[16];
  const vd_weight_tensor *t[16];
  char dst[16][128];
  for (int i = 0; !st && i < count && n < 16; ++i) {
    if (names[i][0] == '@') {
      st = nf < 4 ? vd_safetensors_open(names[i] + 1, &files[nf++]) : vd_status_make(VD_ERR_LIMIT, "4 files at most");
      continue;
    }
    char src[128];
    snprintf(src, sizeof src, "%s", names[i]);
    char *eq = strchr(src, '=');
    snprintf(dst[n], sizeof dst[n], "%s", eq ? eq + 1 : src);
    if (eq) *eq = '\0';
    t[n] = vd_safetensors_find(files[nf - 1], src);
    if (!t[n]) st = vd_status_make(VD_ERR_NOT_FOUND, "%s not in %s", src, in);
    else e[n] = (vd_safetensors_entry){.name = dst[n], .dtype = t[n]->dtype, .rank = t[n]->rank};
    if (!st) memcpy(e[n].shape, t[n]->shape, sizeof(int64_t) * (size_t)t[n]->rank), ++n;
  }
  vd_safetensors_writer *w = NULL;
  if (!st) st = vd_safetensors_writer_create(out, e, (size_t)n, &w);
  for (int i = 0; !st && i < n; ++i) st = vd_safetensors_writer_write(w, t[i]->data, vd_weight_tensor_bytes(t[i]));
  if (!st) st = vd_safetensors_writer_finish(w);
  else vd_safetensors_writer_destroy(w);
  for (int i = 0; i < nf; ++i) vd_safetensors_destroy(files[i]);
  if (st) fprintf(stderr, "subset: %s\n", vd_status_message(st));
  return st ? 1 : 0;
}

static int die(vd_status st, const char *what) {
  fprintf(stderr, "%s: %s\n", what, vd_status_message(st));
  vd_status_free(st);
  return 1;
}

typedef struct dino_ckpt {
  const vd_graph *g;           // the tiny DINO graph
  const uint32_t *ids;         // its weight tensors, in checkpoint order
} dino_ckpt;

static void dino_fill(void *user, size_t i, void *data, uint64_t numel) {
  const dino_ckpt *d = user;
  (void)numel;
  vdt_weight_values(vd_graph_get_tensor(d->g, d->ids[i]), &d->g, 1, data);
}

// The tiny DINO's weights (every tensor the graph declares, generated) as a flat .pth.
static int dino_weights(const char *path, const char *config) {
  vd_dino_config c;
  vd_status st = vd_dino_config_read_json(config, &c, NULL);
  if (st) return die(st, config);
  vd_graph *g = NULL;
  st = vd_graph_create(VD_PRECISION_F32, &g);
  if (!st) st = vd_dino_build_graph(g, &c, 1, (uint32_t)c.img_size, (uint32_t)c.img_size);
  if (st) return vd_graph_destroy(g), die(st, "dino graph");
  uint32_t nt = vd_graph_tensor_count(g), n = 0, *ids = calloc(nt + 1, sizeof(uint32_t));
  vdt_ckpt_entry *e = calloc(nt + 1, sizeof(vdt_ckpt_entry));
  for (uint32_t t = 0; t < nt; ++t) {
    const vd_tensor *x = vd_graph_get_tensor(g, t);
    if (x->kind != VD_TENSOR_WEIGHT) continue;
    e[n] = (vdt_ckpt_entry){.name = x->name, .rank = (int)x->rank};
    memcpy(e[n].shape, x->shape, x->rank * sizeof(int64_t));
    ids[n++] = t;
  }
  dino_ckpt d = {g, ids};
  vdt_write_torch_ckpt(path, e, n, dino_fill, &d);
  free(e), free(ids);
  vd_graph_destroy(g);
  return 0;
}

static int resnet_weights(const char *path, const char *config) {
  vd_resnet_config c = {.variant = VD_RESNET_TIMM};
  vd_status st = vd_resnet_config_read_json(config, &c, NULL);
  if (st) return die(st, config);
  vdt_resnet_ckpt k = vdt_resnet_ckpt_layout(&c, 10, NULL);
  vdt_resnet_ckpt_write(&k, path);
  vdt_resnet_ckpt_free(&k);
  return 0;
}

// Item k of a [2, ...] golden tensor as a [1, ...] entry named `as`.
static vd_status pair_item(vd_safetensors_writer *w, const vd_weight_tensor *t, int k) {
  size_t half = vd_weight_tensor_bytes(t) / 2;
  return vd_safetensors_writer_write(w, t->data + (size_t)k * half, half);
}

static int pair(const char *in, const char *out) {
  vd_safetensors *f = NULL;
  vd_status st = vd_safetensors_open(in, &f);
  if (st) return die(st, in);
  size_t n = vd_safetensors_count(f);
  vd_safetensors_entry e[32];
  char names[32][128];
  for (size_t i = 0; i < n && i < 16 && !st; ++i) {
    const vd_weight_tensor *t = vd_safetensors_tensor(f, i);
    if (t->rank < 1 || t->shape[0] != 2 || t->dtype != VD_WEIGHT_F32)
      st = vd_status_make(VD_ERR_INVALID_ARGUMENT, "%s: %s is not an F32 batch of 2", in, t->name);
    snprintf(names[2 * i], 128, "%s", t->name);
    snprintf(names[2 * i + 1], 128, strcmp(t->name, "image") == 0 ? "samples" : "samples_%s", t->name);
    for (int k = 0; k < 2 && !st; ++k) {
      e[2 * i + k] = (vd_safetensors_entry){.name = names[2 * i + k], .dtype = VD_WEIGHT_F32, .rank = t->rank};
      memcpy(e[2 * i + k].shape, t->shape, sizeof(int64_t) * (size_t)t->rank);
      e[2 * i + k].shape[0] = 1;
    }
  }
  if (!st && n > 16) st = vd_status_make(VD_ERR_LIMIT, "%s: more than 16 tensors", in);
  vd_safetensors_writer *w = NULL;
  if (!st) st = vd_safetensors_writer_create(out, e, 2 * n, &w);
  for (size_t i = 0; i < n && !st; ++i)
    for (int k = 0; k < 2 && !st; ++k) st = pair_item(w, vd_safetensors_tensor(f, i), k);
  if (!st) st = vd_safetensors_writer_finish(w);
  else vd_safetensors_writer_destroy(w);
  vd_safetensors_destroy(f);
  return st ? die(st, "pair") : 0;
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
  if (argc >= 4 && strcmp(argv[1], "dino-weights") == 0) return dino_weights(argv[2], argv[3]);
  if (argc >= 4 && strcmp(argv[1], "resnet-weights") == 0) return resnet_weights(argv[2], argv[3]);
  if (argc >= 4 && strcmp(argv[1], "pair") == 0) return pair(argv[2], argv[3]);
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
  fprintf(stderr, "usage: nets_tool weights PATH [LDM.yaml] | compare OUT GOLDEN NAME[=GOLDEN_NAME] [TOL] | subset IN "
                  "OUT NAME... | dino-weights PATH CONFIG | resnet-weights PATH CONFIG | pair GOLDEN OUT | close OUT "
                  "GOLDEN NAME TOL [GNAME]\n");
  return 2;
}
