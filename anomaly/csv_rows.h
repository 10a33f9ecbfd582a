// Rows of a CSV file read the way Python's csv.reader (the default "excel" dialect) reads a file opened
// in text mode: ',' separates fields, '"' quotes them ("" is a literal quote; text after a closing quote
// joins the field), '\n', '\r\n' and '\r' end a record outside quotes and become '\n' inside them. Blank
// lines are passed over (csv.reader returns them as empty rows). Invalid UTF-8, a NUL byte and an
// unterminated quote are errors that name the file and line.
#ifndef VD_ANOMALY_CSV_ROWS_H
#define VD_ANOMALY_CSV_ROWS_H

#include <stdbool.h>
#include <stddef.h>

#include "runtime/status.h"

typedef struct vd_csv {
  const char *p;      // cursor
  const char *end;    // one past the last byte
  const char *label;  // file name for messages
  int line;           // 1-based line of the cursor
  char *scratch;      // the current row's fields, NUL-terminated one after another (owned)
} vd_csv;

// Checks the text is UTF-8 (a leading byte-order mark is passed over) and allocates the row buffer.
vd_status vd_csv_init(vd_csv *csv, const char *text, size_t len, const char *label);
void vd_csv_free(vd_csv *csv);
// The next non-blank row: fields[0..min(*out_count, cap)) point into the reader (valid until the next
// call), *out_count is the row's real field count, *out_line the line it starts on. *out_has = false at
// the end of the file.
vd_status vd_csv_next_row(vd_csv *csv, const char **fields, int cap, int *out_count, int *out_line, bool *out_has);

#endif
