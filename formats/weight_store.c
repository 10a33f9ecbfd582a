#include "formats/weight_store.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "formats/weight_convert.h"
#include "formats/weight_report.h"

struct vd_weight_store {
  vd_host_tensor *tensors;        // spec order
  const vd_host_tensor **sorted;  // by name
  size_t count;                   // tensors
  size_t bytes;                   // total data bytes
  vd_report notes;                // unexpected keys
};

typedef struct vd_store_check {
  const vd_weight_file *file;      // source
  const char *prefix;              // network prefix
  const vd_weight_spec *expected;  // specs
  size_t count;                    // specs
  const vd_weight_spec **by_name;  // specs sorted by name
  vd_report problems;              // missing and mismatched (fatal)
  vd_report unexpected;            // present but not expected (notes)
  int missing, mismatched;         // counts
} vd_store_check;

static int vd_spec_cmp(const void *a, const void *b) {
  return strcmp((*(const vd_weight_spec *const *)a)->name, (*(const vd_weight_spec *const *)b)->name);
}

static const vd_weight_spec *vd_spec_find(const vd_store_check *c, const char *name) {
  size_t lo = 0, hi = c->count;
  while (lo < hi) {
    size_t mid = lo + (hi - lo) / 2;
    int r = strcmp(c->by_name[mid]->name, name);
    if (r == 0) return c->by_name[mid];
    if (r < 0) lo = mid + 1;
    else hi = mid;
  }
  return NULL;
}

static bool vd_shape_equal(int ra, const int64_t *a, int rb, const int64_t *b) {
  if (ra != rb) return false;
  for (int i = 0; i < ra; ++i)
    if (a[i] != b[i]) return false;
  return true;
}

// The file's tensor for a spec, or NULL.
static const vd_weight_tensor *vd_store_lookup(const vd_store_check *c, const vd_weight_spec *s) {
  char key[1024];
  if (snprintf(key, sizeof(key), "%s%s", c->prefix, s->name) >= (int)sizeof(key)) return NULL;
  return vd_weight_file_find(c->file, key);
}

static void vd_store_check_expected(vd_store_check *c) {
  char want[160], got[160];
  for (size_t i = 0; i < c->count; ++i) {
    const vd_weight_spec *s = &c->expected[i];
    const vd_weight_tensor *t = vd_store_lookup(c, s);
    vd_weight_shape_format(s->rank, s->shape, want, sizeof(want));
    if (!t) {
      ++c->missing;
      vd_report_line(&c->problems, "  missing:        %s%s %s", c->prefix, s->name, want);
    } else if (!vd_shape_equal(t->rank, t->shape, s->rank, s->shape)) {
      ++c->mismatched;
      vd_report_line(&c->problems, "  shape mismatch: %s%s is %s in the file, the network expects %s", c->prefix,
                     s->name, vd_weight_shape_format(t->rank, t->shape, got, sizeof(got)), want);
    }
  }
}

static void vd_store_check_unexpected(vd_store_check *c) {
  size_t plen = strlen(c->prefix);
  char shape[160];
  for (size_t i = 0; i < vd_weight_file_count(c->file); ++i) {
    const vd_weight_tensor *t = vd_weight_file_tensor(c->file, i);
    if (strncmp(t->name, c->prefix, plen) != 0 || vd_spec_find(c, t->name + plen)) continue;
    vd_report_line(&c->unexpected, "  unexpected:     %s %s", t->name,
                   vd_weight_shape_format(t->rank, t->shape, shape, sizeof(shape)));
  }
}

static vd_status vd_store_check_run(vd_store_check *c) {
  const char *path = vd_weight_file_path(c->file);
  if (!(c->by_name = calloc(c->count ? c->count : 1, sizeof(*c->by_name))))
    return vd_status_make(VD_ERR_OUT_OF_MEMORY, "%s: out of memory", path);
  for (size_t i = 0; i < c->count; ++i) c->by_name[i] = &c->expected[i];
  qsort(c->by_name, c->count, sizeof(*c->by_name), vd_spec_cmp);
  for (size_t i = 1; i < c->count; ++i)
    if (strcmp(c->by_name[i - 1]->name, c->by_name[i]->name) == 0)
      return vd_status_make(VD_ERR_INVALID_ARGUMENT, "network lists \"%s\" twice", c->by_name[i]->name);
  vd_store_check_expected(c);
  vd_store_check_unexpected(c);
  if (c->problems.failed || c->unexpected.failed)
    return vd_status_make(VD_ERR_OUT_OF_MEMORY, "%s: out of memory", path);
  if (!c->missing && !c->mismatched) return NULL;
  char net[160];
  snprintf(net, sizeof net, c->prefix[0] ? "network \"%.140s\"" : "the network (keys without a prefix)", c->prefix);
  return vd_status_make(VD_ERR_FORMAT, "%s: cannot load %s: %d missing, %d with the wrong shape, %d unexpected\n%s%s",
                        path, net, c->missing, c->mismatched, c->unexpected.lines,
                        vd_report_text(&c->problems), vd_report_text(&c->unexpected));
}

static int vd_host_cmp(const void *a, const void *b) {
  return strcmp((*(const vd_host_tensor *const *)a)->name, (*(const vd_host_tensor *const *)b)->name);
}

static vd_status vd_store_fill(vd_weight_store *st, const vd_store_check *c, vd_weight_dtype precision) {
  const char *path = vd_weight_file_path(c->file);
  for (size_t i = 0; i < c->count; ++i) {
    const vd_weight_tensor *t = vd_store_lookup(c, &c->expected[i]);
    vd_host_tensor *h = &st->tensors[st->count];
    *h = (vd_host_tensor){c->expected[i].name, vd_weight_convert_dtype(t->dtype, precision), t->rank, {0}, NULL, 0};
    memcpy(h->shape, t->shape, sizeof(h->shape));
    h->bytes = (size_t)(t->numel * vd_weight_dtype_size(h->dtype));
    void *data = malloc(h->bytes ? h->bytes : 1);
    if (!data) return vd_status_make(VD_ERR_OUT_OF_MEMORY, "%s: tensor \"%s\": cannot allocate %zu bytes", path,
                                     t->name, h->bytes);
    h->data = data;
    ++st->count;
    VD_RETURN_IF_ERROR(vd_weight_convert(t, h->dtype, data, h->bytes));
    vd_weight_file_release(c->file, t);
    st->bytes += h->bytes;
    st->sorted[i] = h;
  }
  qsort(st->sorted, st->count, sizeof(*st->sorted), vd_host_cmp);
  return NULL;
}

static vd_status vd_store_build(vd_weight_store *st, vd_store_check *c, vd_weight_dtype precision) {
  if (precision != VD_WEIGHT_F32 && precision != VD_WEIGHT_F16)
    return vd_status_make(VD_ERR_INVALID_ARGUMENT, "weight precision must be F32 or F16");
  VD_RETURN_IF_ERROR(vd_store_check_run(c));
  st->tensors = calloc(c->count ? c->count : 1, sizeof(*st->tensors));
  st->sorted = calloc(c->count ? c->count : 1, sizeof(*st->sorted));
  if (!st->tensors || !st->sorted)
    return vd_status_make(VD_ERR_OUT_OF_MEMORY, "%s: out of memory", vd_weight_file_path(c->file));
  if (c->unexpected.lines)
    vd_report_line(&st->notes, "%s: %d unexpected tensors under \"%s\" ignored:\n%s", vd_weight_file_path(c->file),
                   c->unexpected.lines, c->prefix, vd_report_text(&c->unexpected));
  return vd_store_fill(st, c, precision);
}

vd_status vd_weight_store_load(const vd_weight_file *file, const char *prefix, const vd_weight_spec *expected,
                               size_t count, vd_weight_dtype precision, vd_weight_store **out_store) {
  *out_store = NULL;
  vd_weight_store *st = calloc(1, sizeof(*st));
  if (!st) return vd_status_make(VD_ERR_OUT_OF_MEMORY, "out of memory");
  vd_store_check c = {.file = file, .prefix = prefix ? prefix : "", .expected = expected, .count = count};
  vd_status s = vd_store_build(st, &c, precision);
  free(c.by_name);
  vd_report_free(&c.problems);
  vd_report_free(&c.unexpected);
  if (s) {
    vd_weight_store_destroy(st);
    return s;
  }
  *out_store = st;
  return NULL;
}

void vd_weight_store_destroy(vd_weight_store *st) {
  if (!st) return;
  for (size_t i = 0; i < st->count; ++i) free((void *)st->tensors[i].data);
  free(st->tensors);
  free(st->sorted);
  vd_report_free(&st->notes);
  free(st);
}

size_t vd_weight_store_count(const vd_weight_store *st) { return st->count; }
const vd_host_tensor *vd_weight_store_tensor(const vd_weight_store *st, size_t index) {
  return index < st->count ? &st->tensors[index] : NULL;
}

const vd_host_tensor *vd_weight_store_find(const vd_weight_store *st, const char *name) {
  size_t lo = 0, hi = st->count;
  while (lo < hi) {
    size_t mid = lo + (hi - lo) / 2;
    int r = strcmp(st->sorted[mid]->name, name);
    if (r == 0) return st->sorted[mid];
    if (r < 0) lo = mid + 1;
    else hi = mid;
  }
  return NULL;
}

const char *vd_weight_store_notes(const vd_weight_store *st) { return vd_report_text(&st->notes); }
size_t vd_weight_store_bytes(const vd_weight_store *st) { return st->bytes; }
