#include "apps/cli.h"

#include <stdarg.h>
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

int vd_cli_usage_error(const char *verb, const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  fprintf(stderr, "vlmdiff %s: ", verb);
  vfprintf(stderr, fmt, ap);
  fprintf(stderr, " (see vlmdiff %s --help)\n", verb);
  va_end(ap);
  return 2;
}
