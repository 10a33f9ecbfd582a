#include "vdtest_text.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void vdt_lines_read(const char *path, vdt_lines *out) {
  memset(out, 0, sizeof(*out));
  FILE *f = fopen(path, "rb");
  if (!f) {
    fprintf(stderr, "cannot open %s\n", path);
    exit(1);
  }
  fseek(f, 0, SEEK_END);
  long n = ftell(f);
  fseek(f, 0, SEEK_SET);
  out->data = malloc((size_t)n + 1);
  if (!out->data || fread(out->data, 1, (size_t)n, f) != (size_t)n) {
    fprintf(stderr, "cannot read %s\n", path);
    exit(1);
  }
  fclose(f);
  out->data[n] = '\0';
  int lines = 0;
  for (long i = 0; i < n; ++i) lines += out->data[i] == '\n';
  out->fields = calloc((size_t)lines + 1, sizeof(char **));
  out->field_count = calloc((size_t)lines + 1, sizeof(int));
  for (char *line = out->data, *nl; line && *line; line = nl ? nl + 1 : NULL) {
    nl = strchr(line, '\n');
    if (nl) *nl = '\0';
    char **fields = calloc(VDT_MAX_FIELDS, sizeof(char *));
    int k = 0;
    for (char *p = line; p && k < VDT_MAX_FIELDS; ++k) {
      fields[k] = p;
      p = strchr(p, '\t');
      if (p) *p++ = '\0';
    }
    out->fields[out->count] = fields;
    out->field_count[out->count++] = k;
  }
}

void vdt_lines_free(vdt_lines *lines) {
  for (int i = 0; i < lines->count; ++i) free(lines->fields[i]);
  free(lines->fields);
  free(lines->field_count);
  free(lines->data);
  memset(lines, 0, sizeof(*lines));
}

size_t vdt_hex_bytes(const char *hex, char *out, size_t cap) {
  size_t n = 0;
  for (const char *h = hex; h[0] && h[1] && n < cap; h += 2) {
    unsigned v;
    if (sscanf(h, "%2x", &v) != 1) break;
    out[n++] = (char)v;
  }
  return n;
}

size_t vdt_numbers(const char *s, int base, int64_t *out, size_t cap) {
  size_t n = 0;
  for (const char *p = s; *p && n < cap;) {
    char *end;
    long long v = strtoll(p, &end, base);
    if (end == p) break;
    out[n++] = (int64_t)v;
    p = end;
  }
  return n;
}
