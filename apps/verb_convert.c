// vlmdiff convert IN OUT.safetensors [--dtype f32|f16] [--prefix P]: any weight file to safetensors,
// one tensor at a time (memory stays at the largest tensor), written to OUT.tmp and renamed at the end.
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "apps/verbs.h"
#include "formats/safetensors_writer.h"
#include "formats/weight_convert.h"
#include "formats/weight_file.h"

typedef struct vd_convert_args {
  const char *in;      // source weight file
  const char *out;     // destination .safetensors
  const char *prefix;  // keep only names starting with this, stripped ("" keeps all)
  int dtype;           // -1 keep stored types, else VD_WEIGHT_F32 / VD_WEIGHT_F16 for floats
} vd_convert_args;

static void vd_convert_usage(FILE *f) {
  fprintf(f,
          "usage: vlmdiff convert IN OUT.safetensors [--dtype f32|f16] [--prefix P]\n\n"
          "Converts a PyTorch checkpoint (.ckpt/.pth/.pt) or safetensors file to one safetensors file.\n"
          "Non-contiguous tensors are written dense. The output goes to OUT.tmp first and is renamed to\n"
          "OUT only when complete.\n\n"
          "  --dtype f32|f16  convert floating-point tensors (f32/f16/bf16/f64) to this type; integer\n"
          "                   tensors keep theirs (default: keep every stored type)\n"
          "  --prefix P       keep only tensors whose name starts with P, with P removed from the name\n"
          "                   (e.g. --prefix first_stage_model. writes the VAE alone)\n");
}

// 0 on success, 2 on a usage error (message printed), -1 after --help.
static int vd_convert_parse(int argc, char **argv, vd_convert_args *a) {
  *a = (vd_convert_args){NULL, NULL, "", -1};
  for (int i = 1; i < argc; ++i) {
    const char *s = argv[i];
    if (strcmp(s, "--help") == 0 || strcmp(s, "-h") == 0) return vd_convert_usage(stdout), -1;
    if ((strcmp(s, "--dtype") == 0 || strcmp(s, "--prefix") == 0) && i + 1 >= argc) {
      fprintf(stderr, "vlmdiff convert: %s needs a value\n", s);
      return 2;
    }
    if (strcmp(s, "--dtype") == 0) {
      const char *v = argv[++i];
      a->dtype = strcmp(v, "f32") == 0 ? VD_WEIGHT_F32 : strcmp(v, "f16") == 0 ? VD_WEIGHT_F16 : -2;
      if (a->dtype == -2) {
        fprintf(stderr, "vlmdiff convert: --dtype must be f32 or f16, not \"%s\"\n", v);
        return 2;
      }
    } else if (strcmp(s, "--prefix") == 0) {
      a->prefix = argv[++i];
    } else if (s[0] == '-' || (a->in && a->out)) {
      fprintf(stderr, "vlmdiff convert: unexpected argument \"%s\" (see vlmdiff convert --help)\n", s);
      return 2;
    } else if (!a->in) a->in = s;
    else a->out = s;
  }
  if (!a->out) {
    fprintf(stderr, "vlmdiff convert: needs IN and OUT (see vlmdiff convert --help)\n");
    return 2;
  }
  return 0;
}

static vd_weight_dtype vd_convert_target(const vd_convert_args *a, const vd_weight_tensor *t) {
  return a->dtype < 0 ? t->dtype : vd_weight_convert_dtype(t->dtype, (vd_weight_dtype)a->dtype);
}

// Lists the selected tensors as writer entries; *out_sel[i] is the source of entry i.
static vd_status vd_convert_select(const vd_convert_args *a, const vd_weight_file *f, vd_safetensors_entry **out_e,
                                   const vd_weight_tensor ***out_sel, size_t *out_n) {
  size_t n = 0, plen = strlen(a->prefix), total = vd_weight_file_count(f);
  vd_safetensors_entry *e = calloc(total ? total : 1, sizeof(*e));
  const vd_weight_tensor **sel = calloc(total ? total : 1, sizeof(*sel));
  *out_e = e;
  *out_sel = sel;
  if (!e || !sel) return vd_status_make(VD_ERR_OUT_OF_MEMORY, "out of memory");
  for (size_t i = 0; i < total; ++i) {
    const vd_weight_tensor *t = vd_weight_file_tensor(f, i);
    if (strncmp(t->name, a->prefix, plen) != 0 || !t->name[plen]) continue;
    e[n] = (vd_safetensors_entry){t->name + plen, vd_convert_target(a, t), t->rank, {0}};
    memcpy(e[n].shape, t->shape, sizeof(e[n].shape));
    sel[n++] = t;
  }
  *out_n = n;
  if (!n) return vd_status_make(VD_ERR_NOT_FOUND, "%s: no tensor name starts with \"%s\"", a->in, a->prefix);
  return NULL;
}

static vd_status vd_convert_one(const vd_convert_args *a, const vd_weight_file *f, const vd_weight_tensor *t,
                                vd_safetensors_writer *w) {
  vd_weight_dtype out = vd_convert_target(a, t);
  uint64_t bytes = t->numel * vd_weight_dtype_size(out);
  void *buf = malloc(bytes ? (size_t)bytes : 1);
  if (!buf) return vd_status_make(VD_ERR_OUT_OF_MEMORY, "tensor \"%s\": cannot allocate %llu bytes", t->name,
                                  (unsigned long long)bytes);
  vd_status st = vd_weight_convert(t, out, buf, bytes);
  if (!st) st = vd_safetensors_writer_write(w, buf, bytes);
  free(buf);
  vd_weight_file_release(f, t);
  return st;
}

static vd_status vd_convert_run(const vd_convert_args *a) {
  vd_weight_file *f;
  VD_RETURN_IF_ERROR(vd_weight_file_open(a->in, &f));
  vd_safetensors_entry *entries = NULL;
  const vd_weight_tensor **sel = NULL;
  size_t n = 0;
  vd_safetensors_writer *w = NULL;
  vd_status st = vd_convert_select(a, f, &entries, &sel, &n);
  if (!st) st = vd_safetensors_writer_create(a->out, entries, n, &w);
  for (size_t i = 0; !st && i < n; ++i) st = vd_convert_one(a, f, sel[i], w);
  if (!st) {
    st = vd_safetensors_writer_finish(w);
    w = NULL;
  }
  vd_safetensors_writer_destroy(w);
  free(entries);
  free(sel);
  vd_weight_file_destroy(f);
  if (!st) printf("wrote %zu tensors to %s\n", n, a->out);
  return st;
}

int vd_verb_convert(int argc, char **argv) {
  vd_convert_args a;
  int rc = vd_convert_parse(argc, argv, &a);
  if (rc) return rc < 0 ? 0 : rc;
  vd_status st = vd_convert_run(&a);
  if (!st) return 0;
  fprintf(stderr, "vlmdiff convert: %s\n", vd_status_message(st));
  vd_status_free(st);
  return 1;
}
