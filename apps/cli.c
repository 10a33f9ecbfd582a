#include "apps/cli.h"

#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>

bool vd_cli_value(int argc, char **argv, int *i, const char *name, const char **out_value, bool *missing) {
  const char *a = argv[*i];
  size_t n = strlen(name);
  if (strncmp(a, name, n) != 0) return false;
  if (a[n] == '=') {
    *out_value = a + n + 1;
    return true;
  }
  if (a[n] != '\0') return false;
  if (*i + 1 >= argc) {
    *missing = true;
    return true;
  }
  *out_value = argv[++*i];
  return true;
}

bool vd_cli_is_help(const char *arg) { return strcmp(arg, "--help") == 0 || strcmp(arg, "-h") == 0; }

int vd_cli_fail(const char *verb, vd_status st) {
  fprintf(stderr, "vlmdiff %s: %s\n", verb, vd_status_message(st));
  vd_status_free(st);
  return 1;
}

// Prints len bytes of line with each run of spaces as one space.
static void vd_cli_put_squeezed(const char *line, size_t len) {
  for (size_t i = 0; i < len; ++i)
    if (line[i] != ' ' || (i > 0 && line[i - 1] != ' ')) fputc(line[i], stderr);
}

int vd_cli_fail_one_line(const char *verb, vd_status st, int details) {
  const char *m = vd_status_message(st), *nl = strchr(m, '\n');
  fprintf(stderr, "vlmdiff %s: %.*s", verb, (int)(nl ? nl - m : (ptrdiff_t)strlen(m)), m);
  int shown = 0, left = 0;
  while (nl && nl[1]) {
    const char *line = nl + 1, *end = strchr(line, '\n');
    size_t len = end ? (size_t)(end - line) : strlen(line);
    while (len && *line == ' ') ++line, --len;
    if (len && shown < details) {
      fputs(shown++ ? "; " : ": ", stderr);
      vd_cli_put_squeezed(line, len);
    } else if (len) {
      ++left;
    }
    nl = end;
  }
  if (left) fprintf(stderr, " (and %d more)", left);
  fputc('\n', stderr);
  vd_status_free(st);
  return 1;
}

int vd_cli_usage_error(const char *verb, const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  fprintf(stderr, "vlmdiff %s: ", verb);
  vfprintf(stderr, fmt, ap);
  fprintf(stderr, " (see vlmdiff %s --help)\n", verb);
  va_end(ap);
  return 2;
}
