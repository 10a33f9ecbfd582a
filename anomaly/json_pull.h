// A pull reader for JSON text: the caller walks objects and arrays value by value, and strings are decoded
// straight into an arena, so a file of 10^5 records is read in one linear pass without building a tree.
// It accepts what Python's json.loads accepts (NaN, Infinity and -Infinity too; duplicate keys are passed
// on in order, so the caller's last assignment wins as in Python) with three refusals, each an error with
// file:line:column: invalid UTF-8, a \u0000 escape (it would cut a C string) and nesting deeper than
// VD_JPULL_MAX_DEPTH. A lone surrogate escape (Python keeps it, UTF-8 cannot) becomes U+FFFD.
#ifndef VD_ANOMALY_JSON_PULL_H
#define VD_ANOMALY_JSON_PULL_H

#include <stdbool.h>
#include <stddef.h>

#include "anomaly/arena.h"
#include "runtime/status.h"

#define VD_JPULL_MAX_DEPTH 128  // open objects and arrays at once
#define VD_JPULL_KEY_CAP 64     // object keys are decoded into buffers of this size (longer keys read as "")

typedef enum vd_json_kind {
  VD_JSON_NONE,    // end of the text, or a byte no value starts with
  VD_JSON_OBJECT,  // '{'
  VD_JSON_ARRAY,   // '['
  VD_JSON_STRING,  // '"'
  VD_JSON_NUMBER,  // '-', a digit, NaN or Infinity
  VD_JSON_BOOL,    // true or false
  VD_JSON_NULL,    // null
} vd_json_kind;

typedef struct vd_jpull {
  const char *begin;                       // first byte of the text
  const char *p;                           // cursor
  const char *end;                         // one past the last byte
  const char *label;                       // file name for messages
  int depth;                               // containers open
  unsigned char open[VD_JPULL_MAX_DEPTH];  // per open container: bit 0 no member read yet, bit 1 an array
} vd_jpull;

void vd_jpull_init(vd_jpull *j, const char *text, size_t len, const char *label);
// "label:line:column: message" at pos (a pointer into the text, usually j->p).
vd_status vd_jpull_error_at(const vd_jpull *j, const char *pos, const char *fmt, ...) VD_PRINTF(3, 4);
// 1-based line of pos; counts newlines, so call it only on the way to an error.
int vd_jpull_line_of(const vd_jpull *j, const char *pos);

// The kind of the next value, after skipping whitespace.
vd_json_kind vd_jpull_peek(vd_jpull *j);
// True (after skipping whitespace) when nothing but whitespace is left.
bool vd_jpull_at_end(vd_jpull *j);
// Nothing but whitespace may follow.
vd_status vd_jpull_finish(vd_jpull *j);
// JSON lines: after a value only spaces, tabs and '\r' may follow on its line.
vd_status vd_jpull_line_end(vd_jpull *j);

vd_status vd_jpull_object_begin(vd_jpull *j);
// The next member of the open object: its key into key (VD_JPULL_KEY_CAP bytes, "" when longer), ':'
// consumed, the value is the caller's to read or skip. *out_has = false when the object ended ('}' read).
vd_status vd_jpull_object_next(vd_jpull *j, char key[VD_JPULL_KEY_CAP], bool *out_has);
vd_status vd_jpull_array_begin(vd_jpull *j);
// *out_has = true when another element follows, false when the array ended (']' read).
vd_status vd_jpull_array_next(vd_jpull *j, bool *out_has);

// A string value decoded to UTF-8 in the arena (NUL-terminated); *out_len may be NULL.
vd_status vd_jpull_string(vd_jpull *j, vd_arena *arena, const char **out, size_t *out_len);
// A number value; *out_integer when it is written without fraction or exponent. text (may be NULL, cap
// bytes) gets the literal as written, "" when longer than cap - 1.
vd_status vd_jpull_number(vd_jpull *j, double *out_value, bool *out_integer, char *text, size_t cap);
// Consumes null when it comes next; returns whether it did.
bool vd_jpull_null(vd_jpull *j);
// Any value, checked as thoroughly as if it were read.
vd_status vd_jpull_skip(vd_jpull *j);

#endif
