#include "anomaly/csv_rows.h"

#include <stdlib.h>
#include <string.h>

#include "text/utf8.h"

vd_status vd_csv_init(vd_csv *csv, const char *text, size_t len, const char *label) {
  memset(csv, 0, sizeof(*csv));
  if (len >= 3 && memcmp(text, "\xEF\xBB\xBF", 3) == 0) {
    text += 3;
    len -= 3;
  }
  size_t bad = vd_utf8_check(text, len);
  if (bad < len) {
    int line = 1;
    for (size_t i = 0; i < bad; ++i) line += text[i] == '\n';
    return vd_status_make(VD_ERR_FORMAT, "%s:%d: invalid UTF-8", label, line);
  }
  if (memchr(text, '\0', len)) return vd_status_make(VD_ERR_FORMAT, "%s: contains a NUL byte", label);
  // A row's fields never take more than its raw bytes plus one terminator per field (<= raw + 1).
  csv->scratch = malloc(2 * len + 2);
  if (!csv->scratch) return vd_status_make(VD_ERR_OUT_OF_MEMORY, "%s: out of memory", label);
  csv->p = text;
  csv->end = text + len;
  csv->label = label;
  csv->line = 1;
  return NULL;
}

void vd_csv_free(vd_csv *csv) {
  free(csv->scratch);
  csv->scratch = NULL;
}

// Consumes one line break at the cursor (\n, \r\n or \r); false when there is none.
static bool vd_csv_newline(vd_csv *csv) {
  if (csv->p >= csv->end || (*csv->p != '\n' && *csv->p != '\r')) return false;
  if (*csv->p == '\r' && csv->p + 1 < csv->end && csv->p[1] == '\n') ++csv->p;
  ++csv->p;
  ++csv->line;
  return true;
}

typedef struct vd_csv_row {
  char *out;            // where the next decoded byte goes
  const char **fields;  // the caller's field pointers
  int cap;              // how many of them
  int count;            // fields completed so far
} vd_csv_row;

static void vd_csv_end_field(vd_csv_row *row, char **field_start) {
  *row->out++ = '\0';
  if (row->count < row->cap) row->fields[row->count] = *field_start;
  ++row->count;
  *field_start = row->out;
}

// A quoted field's body up to its closing quote (the quote consumed); '""' is a literal quote.
static vd_status vd_csv_quoted(vd_csv *csv, vd_csv_row *row, int start_line) {
  ++csv->p;
  for (;;) {
    if (csv->p >= csv->end)
      return vd_status_make(VD_ERR_FORMAT, "%s:%d: unterminated quoted field", csv->label, start_line);
    if (vd_csv_newline(csv)) {
      *row->out++ = '\n';
      continue;
    }
    char c = *csv->p++;
    if (c != '"') {
      *row->out++ = c;
    } else if (csv->p < csv->end && *csv->p == '"') {
      *row->out++ = '"';
      ++csv->p;
    } else {
      return NULL;
    }
  }
}

// Reads one record (the cursor is on its first byte, not a line break).
static vd_status vd_csv_record(vd_csv *csv, vd_csv_row *row, int start_line) {
  char *field = row->out;
  for (;;) {
    if (csv->p < csv->end && *csv->p == '"') VD_RETURN_IF_ERROR(vd_csv_quoted(csv, row, start_line));
    while (csv->p < csv->end && *csv->p != ',' && *csv->p != '\n' && *csv->p != '\r') *row->out++ = *csv->p++;
    vd_csv_end_field(row, &field);
    if (csv->p < csv->end && *csv->p == ',') {
      ++csv->p;
      continue;
    }
    vd_csv_newline(csv);
    return NULL;
  }
}

vd_status vd_csv_next_row(vd_csv *csv, const char **fields, int cap, int *out_count, int *out_line, bool *out_has) {
  while (vd_csv_newline(csv)) {
  }
  *out_count = 0;
  *out_line = csv->line;
  *out_has = csv->p < csv->end;
  if (!*out_has) return NULL;
  vd_csv_row row = {csv->scratch, fields, cap, 0};
  VD_RETURN_IF_ERROR(vd_csv_record(csv, &row, *out_line));
  *out_count = row.count;
  return NULL;
}
