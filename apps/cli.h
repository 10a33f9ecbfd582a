// Small helpers shared by the verbs: option matching and the one-line failure report.
#ifndef VD_APPS_CLI_H
#define VD_APPS_CLI_H

#include <stdbool.h>

#include "runtime/status.h"

// True when argv[*i] is `name` (then *out_value = argv[*i+1], *i advanced) or `name=value`.
// Sets *missing when the option is present without a value.
bool vd_cli_value(int argc, char **argv, int *i, const char *name, const char **out_value, bool *missing);
bool vd_cli_is_help(const char *arg);
// Prints "vlmdiff VERB: message" to stderr, frees st, returns 1.
int vd_cli_fail(const char *verb, vd_status st);
// vd_cli_fail on one line: a multi-line message (the weight store's list of missing keys) keeps its first
// line and up to `details` of the others, joined by "; ", then the count of those left out.
int vd_cli_fail_one_line(const char *verb, vd_status st, int details);
int vd_cli_usage_error(const char *verb, const char *fmt, ...) VD_PRINTF(2, 3);

#endif
