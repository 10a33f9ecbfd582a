// Reading the line-based golden files of the text/ tests (tools/reference/make_qwen2_test_tokenizer.py):
// TAB-separated fields of hex bytes, decimal ids or hex code points.
#ifndef VD_TESTS_VDTEST_TEXT_H
#define VD_TESTS_VDTEST_TEXT_H

#include <stddef.h>
#include <stdint.h>

#define VDT_MAX_FIELDS 8

// A whole file split into lines, each line into TAB-separated fields (pointers into the buffer).
typedef struct vdt_lines {
  char *data;        // the file, modified in place
  char ***fields;    // fields[line][k]
  int *field_count;  // fields of each line
  int count;         // lines
} vdt_lines;

// Reads path; exits the test with a message when it cannot.
void vdt_lines_read(const char *path, vdt_lines *out);
void vdt_lines_free(vdt_lines *lines);
// Hex bytes ("48656c") into out (capacity cap); returns the byte count.
size_t vdt_hex_bytes(const char *hex, char *out, size_t cap);
// Space-separated integers, decimal (base 10) or hex (base 16), into out (capacity cap); returns the count.
size_t vdt_numbers(const char *s, int base, int64_t *out, size_t cap);

#endif
