// .npy reading and writing. The header is a Python dict literal; the parser below accepts what numpy
// writes (and Python 2's 'L' suffixes) and nothing looser: one key each of 'descr' (a string),
// 'fortran_order' (True / False) and 'shape' (a tuple of non-negative integers), in any order.
#include "anomaly/npy.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "anomaly/atomic_file.h"
#include "formats/mapped_file.h"

static const uint8_t vd_npy_magic[6] = {0x93, 'N', 'U', 'M', 'P', 'Y'};

size_t vd_npy_dtype_size(vd_npy_dtype dtype) { return dtype == VD_NPY_F64 ? 8 : 4; }

typedef struct vd_npy_cursor {
  const char *p;     // next character
  const char *end;   // one past the header text
  const char *name;  // file, for messages
} vd_npy_cursor;

typedef struct vd_npy_fields {
  char descr[32];                  // the 'descr' string
  int fortran;                     // 'fortran_order'
  int rank;                        // length of 'shape'
  int64_t shape[VD_NPY_MAX_RANK];  // 'shape'
  int seen;                        // bit per key found
} vd_npy_fields;

static vd_status vd_npy_bad(const vd_npy_cursor *c, const char *what) {
  return vd_status_make(VD_ERR_FORMAT, "%s: malformed .npy header: %s", c->name, what);
}

static void vd_npy_space(vd_npy_cursor *c) {
  while (c->p < c->end && (*c->p == ' ' || *c->p == '\t' || *c->p == '\n' || *c->p == '\r')) ++c->p;
}

static int vd_npy_eat(vd_npy_cursor *c, char ch) {
  vd_npy_space(c);
  if (c->p < c->end && *c->p == ch) {
    ++c->p;
    vd_npy_space(c);
    return 1;
  }
  return 0;
}

static vd_status vd_npy_string(vd_npy_cursor *c, char *out, size_t cap) {
  if (c->p >= c->end || (*c->p != '\'' && *c->p != '"')) return vd_npy_bad(c, "expected a string");
  char quote = *c->p++;
  size_t n = 0;
  while (c->p < c->end && *c->p != quote) {
    if (*c->p == '\\' || n + 1 >= cap) return vd_npy_bad(c, "unsupported or overlong string");
    out[n++] = *c->p++;
  }
  if (c->p >= c->end) return vd_npy_bad(c, "unterminated string");
  ++c->p;
  out[n] = 0;
  return NULL;
}

static vd_status vd_npy_bool(vd_npy_cursor *c, int *out) {
  size_t left = (size_t)(c->end - c->p);
  if (left >= 4 && memcmp(c->p, "True", 4) == 0) {
    c->p += 4;
    *out = 1;
    return NULL;
  }
  if (left >= 5 && memcmp(c->p, "False", 5) == 0) {
    c->p += 5;
    *out = 0;
    return NULL;
  }
  return vd_npy_bad(c, "'fortran_order' is not True or False");
}

static vd_status vd_npy_dim(vd_npy_cursor *c, int64_t *out) {
  if (c->p >= c->end || *c->p < '0' || *c->p > '9') return vd_npy_bad(c, "a shape entry is not an integer");
  int64_t v = 0;
  while (c->p < c->end && *c->p >= '0' && *c->p <= '9') {
    v = v * 10 + (*c->p++ - '0');
    if (v > VD_NPY_MAX_DIM)
      return vd_status_make(VD_ERR_LIMIT, "%s: .npy shape entry over %lld", c->name, (long long)VD_NPY_MAX_DIM);
  }
  if (c->p < c->end && *c->p == 'L') ++c->p;  // Python 2 long
  *out = v;
  return NULL;
}

static vd_status vd_npy_shape(vd_npy_cursor *c, vd_npy_fields *f) {
  if (!vd_npy_eat(c, '(')) return vd_npy_bad(c, "'shape' is not a tuple");
  f->rank = 0;
  while (!vd_npy_eat(c, ')')) {
    if (f->rank == VD_NPY_MAX_RANK)
      return vd_status_make(VD_ERR_LIMIT, "%s: .npy array of more than %d dimensions", c->name, VD_NPY_MAX_RANK);
    VD_RETURN_IF_ERROR(vd_npy_dim(c, &f->shape[f->rank++]));
    if (!vd_npy_eat(c, ',') && !(c->p < c->end && *c->p == ')')) return vd_npy_bad(c, "bad 'shape' tuple");
  }
  return NULL;
}

static vd_status vd_npy_entry(vd_npy_cursor *c, vd_npy_fields *f) {
  char key[32];
  VD_RETURN_IF_ERROR(vd_npy_string(c, key, sizeof(key)));
  if (!vd_npy_eat(c, ':')) return vd_npy_bad(c, "expected ':'");
  int bit = !strcmp(key, "descr") ? 1 : !strcmp(key, "fortran_order") ? 2 : !strcmp(key, "shape") ? 4 : 0;
  if (!bit) return vd_status_make(VD_ERR_FORMAT, "%s: .npy header has an unknown key '%s'", c->name, key);
  if (f->seen & bit) return vd_status_make(VD_ERR_FORMAT, "%s: .npy header repeats '%s'", c->name, key);
  f->seen |= bit;
  if (bit == 1) {
    if (c->p < c->end && *c->p == '[')
      return vd_status_make(VD_ERR_FORMAT, "%s: structured .npy dtypes are not supported", c->name);
    return vd_npy_string(c, f->descr, sizeof(f->descr));
  }
  return bit == 2 ? vd_npy_bool(c, &f->fortran) : vd_npy_shape(c, f);
}

static vd_status vd_npy_dict(vd_npy_cursor *c, vd_npy_fields *f) {
  memset(f, 0, sizeof(*f));
  if (!vd_npy_eat(c, '{')) return vd_npy_bad(c, "not a dict");
  while (!vd_npy_eat(c, '}')) {
    VD_RETURN_IF_ERROR(vd_npy_entry(c, f));
    if (!vd_npy_eat(c, ',') && !(c->p < c->end && *c->p == '}')) return vd_npy_bad(c, "expected ',' or '}'");
  }
  if (c->p != c->end) return vd_npy_bad(c, "text after the dict");
  if (f->seen != 7) return vd_npy_bad(c, "'descr', 'fortran_order' or 'shape' missing");
  return NULL;
}

static vd_status vd_npy_dtype_of(const char *descr, const char *name, vd_npy_dtype *out) {
  if (!strcmp(descr, "<f4") || !strcmp(descr, "<f8")) {
    *out = descr[2] == '4' ? VD_NPY_F32 : VD_NPY_F64;
    return NULL;
  }
  if (!strcmp(descr, ">f4") || !strcmp(descr, ">f8"))
    return vd_status_make(VD_ERR_FORMAT, "%s: big-endian .npy data ('%s') is not supported", name, descr);
  return vd_status_make(VD_ERR_FORMAT, "%s: .npy dtype '%s' is neither float32 ('<f4') nor float64 ('<f8')",
                        name, descr);
}

// Magic, version and header length: the header text is data[*out_text, *out_text + *out_len), the
// array data follows it.
static vd_status vd_npy_preamble(const uint8_t *d, size_t size, const char *name, size_t *out_text,
                                 size_t *out_len) {
  if (size < 10 || memcmp(d, vd_npy_magic, 6) != 0)
    return vd_status_make(VD_ERR_FORMAT, "%s: not a .npy file (bad magic)", name);
  int major = d[6];
  if (major < 1 || major > 3 || d[7] != 0)
    return vd_status_make(VD_ERR_FORMAT, "%s: unknown .npy format version %d.%d", name, major, d[7]);
  size_t at = major == 1 ? 10 : 12;
  if (size < at) return vd_status_make(VD_ERR_FORMAT, "%s: .npy file is truncated in its header", name);
  uint32_t len = major == 1 ? (uint32_t)d[8] | (uint32_t)d[9] << 8
                            : (uint32_t)d[8] | (uint32_t)d[9] << 8 | (uint32_t)d[10] << 16 | (uint32_t)d[11] << 24;
  if (len > VD_NPY_MAX_HEADER)
    return vd_status_make(VD_ERR_LIMIT, "%s: .npy header of %u bytes (limit %d)", name, len, VD_NPY_MAX_HEADER);
  if (len > size - at) return vd_status_make(VD_ERR_FORMAT, "%s: .npy file is truncated in its header", name);
  *out_text = at;
  *out_len = len;
  return NULL;
}

// Element count of the shape; refuses products that overflow.
static vd_status vd_npy_count(const vd_npy_fields *f, size_t item, const char *name, size_t *out) {
  uint64_t n = 1;
  for (int i = 0; i < f->rank; ++i) {
    if (f->shape[i] && n > (UINT64_MAX / item) / (uint64_t)f->shape[i])
      return vd_status_make(VD_ERR_LIMIT, "%s: .npy shape is too large", name);
    n *= (uint64_t)f->shape[i];
  }
  if (n > SIZE_MAX / item) return vd_status_make(VD_ERR_LIMIT, "%s: .npy shape is too large", name);
  *out = (size_t)n;
  return NULL;
}

static vd_status vd_npy_fill(const vd_npy_fields *f, vd_npy_dtype dtype, const uint8_t *data, size_t left,
                             const char *name, vd_npy_array *out) {
  size_t item = vd_npy_dtype_size(dtype), count = 0;
  VD_RETURN_IF_ERROR(vd_npy_count(f, item, name, &count));
  size_t bytes = count * item;
  if (left < bytes)
    return vd_status_make(VD_ERR_FORMAT, "%s: .npy file is truncated: %zu data bytes of %zu", name, left, bytes);
  if (left > bytes)
    return vd_status_make(VD_ERR_FORMAT, "%s: .npy file has %zu bytes after its data", name, left - bytes);
  out->dtype = dtype;
  out->rank = f->rank;
  memcpy(out->shape, f->shape, sizeof(out->shape));
  out->count = count;
  if (!bytes) return NULL;
  out->data = malloc(bytes);
  if (!out->data) return vd_status_make(VD_ERR_OUT_OF_MEMORY, "%s: no memory for %zu bytes", name, bytes);
  memcpy(out->data, data, bytes);
  return NULL;
}

vd_status vd_npy_parse(const uint8_t *data, size_t size, const char *name, vd_npy_array *out_array) {
  memset(out_array, 0, sizeof(*out_array));
  size_t at = 0, len = 0;
  VD_RETURN_IF_ERROR(vd_npy_preamble(data, size, name, &at, &len));
  vd_npy_cursor c = {(const char *)data + at, (const char *)data + at + len, name};
  vd_npy_fields f;
  VD_RETURN_IF_ERROR(vd_npy_dict(&c, &f));
  vd_npy_dtype dtype;
  VD_RETURN_IF_ERROR(vd_npy_dtype_of(f.descr, name, &dtype));
  if (f.fortran)
    return vd_status_make(VD_ERR_FORMAT, "%s: Fortran-order .npy data is not supported (save it C-ordered)", name);
  return vd_npy_fill(&f, dtype, data + at + len, size - at - len, name, out_array);
}

vd_status vd_npy_read(const char *path, vd_npy_array *out_array) {
  memset(out_array, 0, sizeof(*out_array));
  vd_mapped_file *file = NULL;
  VD_RETURN_IF_ERROR(vd_mapped_file_open(path, &file));
  vd_status st = vd_npy_parse(file->data, file->size, path, out_array);
  vd_mapped_file_destroy(file);
  return st;
}

void vd_npy_free(vd_npy_array *array) {
  if (!array) return;
  free(array->data);
  memset(array, 0, sizeof(*array));
}

// The dict text np.save writes, including its spare space for growing the first axis.
static int vd_npy_dict_text(vd_npy_dtype dtype, int rank, const int64_t *shape, char *out, size_t cap) {
  char dims[VD_NPY_MAX_RANK * 24 + 4] = "(";
  for (int i = 0; i < rank; ++i)
    snprintf(dims + strlen(dims), sizeof(dims) - strlen(dims), "%s%lld", i ? ", " : "", (long long)shape[i]);
  strcat(dims, rank == 1 ? ",)" : ")");
  int n = snprintf(out, cap, "{'descr': '%s', 'fortran_order': False, 'shape': %s, }",
                   dtype == VD_NPY_F64 ? "<f8" : "<f4", dims);
  if (rank > 0) {
    int digits = snprintf(NULL, 0, "%lld", (long long)shape[0]);
    for (int i = digits; i < 21 && (size_t)n + 1 < cap; ++i) out[n++] = ' ';  // numpy's GROWTH_AXIS_MAX_DIGITS
    out[n] = 0;
  }
  return n;
}

vd_status vd_npy_header(vd_npy_dtype dtype, int rank, const int64_t *shape, uint8_t **out_header,
                        size_t *out_size) {
  *out_header = NULL;
  if ((dtype != VD_NPY_F32 && dtype != VD_NPY_F64) || rank < 0 || rank > VD_NPY_MAX_RANK)
    return vd_status_make(VD_ERR_INVALID_ARGUMENT, ".npy header: bad dtype or rank %d", rank);
  for (int i = 0; i < rank; ++i)
    if (shape[i] < 0 || shape[i] > VD_NPY_MAX_DIM)
      return vd_status_make(VD_ERR_INVALID_ARGUMENT, ".npy header: bad extent %lld", (long long)shape[i]);
  char text[512];
  size_t n = (size_t)vd_npy_dict_text(dtype, rank, shape, text, sizeof(text));
  size_t pad = 64 - (10 + n + 1) % 64;  // numpy: always 1..64 spaces, then '\n', data 64-byte aligned
  size_t total = 10 + n + pad + 1;
  uint8_t *h = malloc(total);
  if (!h) return vd_status_make(VD_ERR_OUT_OF_MEMORY, ".npy header: out of memory");
  memcpy(h, vd_npy_magic, 6);
  h[6] = 1;
  h[7] = 0;
  h[8] = (uint8_t)((total - 10) & 0xff);
  h[9] = (uint8_t)((total - 10) >> 8);
  memcpy(h + 10, text, n);
  memset(h + 10 + n, ' ', pad);
  h[total - 1] = '\n';
  *out_header = h;
  *out_size = total;
  return NULL;
}

vd_status vd_npy_write(const char *path, vd_npy_dtype dtype, int rank, const int64_t *shape, const void *data) {
  uint8_t *header = NULL;
  size_t header_size = 0;
  VD_RETURN_IF_ERROR(vd_status_annotate(vd_npy_header(dtype, rank, shape, &header, &header_size), "%s", path));
  vd_npy_fields f = {.rank = rank};
  memcpy(f.shape, shape, sizeof(int64_t) * (size_t)rank);
  size_t count = 0, item = vd_npy_dtype_size(dtype);
  vd_status st = vd_npy_count(&f, item, path, &count);
  if (st) {
    free(header);
    return st;
  }
  vd_file_part parts[2] = {{header, header_size}, {data, count * item}};
  st = vd_write_file_atomic(path, parts, 2);
  free(header);
  return st;
}
