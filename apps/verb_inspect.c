// vlmdiff inspect FILE [--json]: what a weight file holds, without loading it.
#include <cjson/cJSON.h>
#include <stdio.h>
#include <string.h>

#include "apps/verbs.h"
#include "formats/weight_file.h"

static void vd_inspect_usage(FILE *f) {
  fprintf(f,
          "usage: vlmdiff inspect FILE [--json]\n\n"
          "Lists the tensors of a weight file: a PyTorch checkpoint (.ckpt/.pth/.pt, zip format), a\n"
          ".safetensors file or a sharded set's *.safetensors.index.json. Prints the format, the tensor count,\n"
          "the total size and each tensor's name, dtype and shape. Nothing is executed or loaded.\n\n"
          "  --json    print one JSON object instead of text\n");
}

static void vd_inspect_text(const char *path, const vd_weight_file *f) {
  uint64_t total = vd_weight_file_total_bytes(f);
  printf("file:    %s\nformat:  %s\ntensors: %zu\ntotal:   %llu bytes (%.2f GiB)\n", path,
         vd_weight_format_name(vd_weight_file_format(f)), vd_weight_file_count(f), (unsigned long long)total,
         (double)total / (1024.0 * 1024.0 * 1024.0));
  for (size_t i = 0; i < vd_weight_file_count(f); ++i) {
    const vd_weight_tensor *t = vd_weight_file_tensor(f, i);
    char shape[200];
    printf("  %-4s %-22s %s%s\n", vd_weight_dtype_name(t->dtype),
           vd_weight_shape_format(t->rank, t->shape, shape, sizeof(shape)), t->name,
           t->contiguous ? "" : "  (non-contiguous)");
  }
}

static int vd_inspect_json(const char *path, const vd_weight_file *f) {
  cJSON *root = cJSON_CreateObject(), *list = cJSON_CreateArray();
  if (!root || !list) return 1;
  cJSON_AddStringToObject(root, "file", path);
  cJSON_AddStringToObject(root, "format", vd_weight_format_name(vd_weight_file_format(f)));
  cJSON_AddNumberToObject(root, "tensor_count", (double)vd_weight_file_count(f));
  cJSON_AddNumberToObject(root, "total_bytes", (double)vd_weight_file_total_bytes(f));
  for (size_t i = 0; i < vd_weight_file_count(f); ++i) {
    const vd_weight_tensor *t = vd_weight_file_tensor(f, i);
    cJSON *o = cJSON_CreateObject(), *shape = cJSON_CreateArray();
    cJSON_AddStringToObject(o, "name", t->name);
    cJSON_AddStringToObject(o, "dtype", vd_weight_dtype_name(t->dtype));
    for (int d = 0; d < t->rank; ++d) cJSON_AddItemToArray(shape, cJSON_CreateNumber((double)t->shape[d]));
    cJSON_AddItemToObject(o, "shape", shape);
    cJSON_AddBoolToObject(o, "contiguous", t->contiguous);
    cJSON_AddItemToArray(list, o);
  }
  cJSON_AddItemToObject(root, "tensors", list);
  char *text = cJSON_Print(root);
  cJSON_Delete(root);
  if (!text) return 1;
  puts(text);
  cJSON_free(text);
  return 0;
}

int vd_verb_inspect(int argc, char **argv) {
  const char *path = NULL;
  bool json = false;
  for (int i = 1; i < argc; ++i) {
    if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0) {
      vd_inspect_usage(stdout);
      return 0;
    }
    if (strcmp(argv[i], "--json") == 0) json = true;
    else if (argv[i][0] == '-' || path) {
      fprintf(stderr, "vlmdiff inspect: unexpected argument \"%s\" (see vlmdiff inspect --help)\n", argv[i]);
      return 2;
    } else path = argv[i];
  }
  if (!path) {
    fprintf(stderr, "vlmdiff inspect: missing FILE (see vlmdiff inspect --help)\n");
    return 2;
  }
  vd_weight_file *f;
  vd_status st = vd_weight_file_open(path, &f);
  if (st) {
    fprintf(stderr, "vlmdiff inspect: %s\n", vd_status_message(st));
    vd_status_free(st);
    return 1;
  }
  int rc = 0;
  if (json) rc = vd_inspect_json(path, f);
  else vd_inspect_text(path, f);
  vd_weight_file_destroy(f);
  if (rc) fprintf(stderr, "vlmdiff inspect: out of memory formatting JSON\n");
  return rc;
}
