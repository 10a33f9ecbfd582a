#include "formats/weight_report.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>

void vd_report_line(vd_report *r, const char *fmt, ...) {
  va_list ap, ap2;
  va_start(ap, fmt);
  va_copy(ap2, ap);
  int n = vsnprintf(NULL, 0, fmt, ap);
  va_end(ap);
  if (n < 0 || r->failed) {
    va_end(ap2);
    return;
  }
  size_t need = r->len + (size_t)n + 2;
  if (need > r->cap) {
    size_t cap = need * 2;
    char *p = realloc(r->text, cap);
    if (!p) {
      r->failed = 1;
      va_end(ap2);
      return;
    }
    r->text = p;
    r->cap = cap;
  }
  vsnprintf(r->text + r->len, (size_t)n + 1, fmt, ap2);
  va_end(ap2);
  r->len += (size_t)n;
  r->text[r->len++] = '\n';
  r->text[r->len] = '\0';
  ++r->lines;
}

const char *vd_report_text(const vd_report *r) { return r->text ? r->text : ""; }

void vd_report_free(vd_report *r) {
  free(r->text);
  *r = (vd_report){0};
}
