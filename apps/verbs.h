// apps/ — the vlmdiff command: main.c dispatches to one file per verb (verb_*.c), with the shared option
// parsing (cli.h), tensor files for forward (tensor_file.h) and the benchmarks (bench*.c). Uses every layer.
//
// The verbs of the vlmdiff command: one file per verb under apps/, each exposing one entry point.
#ifndef VD_APPS_VERBS_H
#define VD_APPS_VERBS_H

// Each verb gets argv with argv[0] == the verb name and returns the process exit code. Verbs print
// their own --help. On failure they print one line "vlmdiff VERB: reason" to stderr and return non-zero.
typedef int (*vd_verb_fn)(int argc, char **argv);

typedef struct vd_verb {
  const char *name;     // as typed on the command line
  vd_verb_fn run;       // entry point
  const char *summary;  // one line for `vlmdiff --help`
} vd_verb;

int vd_verb_devices(int argc, char **argv);
int vd_verb_inspect(int argc, char **argv);
int vd_verb_convert(int argc, char **argv);
int vd_verb_bench(int argc, char **argv);
int vd_verb_forward(int argc, char **argv);
int vd_verb_tokenize(int argc, char **argv);

#endif
