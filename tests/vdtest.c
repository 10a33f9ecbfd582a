#include "tests/vdtest.h"

#include <stdarg.h>

#define VDT_SKIP_MAX 16       // distinct skip reasons kept
#define VDT_SKIP_REASON 240   // characters per reason
#define VDT_NOTE_MAX 16       // measures noted

int vdt_failures = 0;
int vdt_checks = 0;

typedef struct vdt_skip_entry {
  char reason[VDT_SKIP_REASON];  // what did not run and why
  int times;                     // how often it was recorded
} vdt_skip_entry;

static vdt_skip_entry vdt_skips[VDT_SKIP_MAX];
static int vdt_skip_kinds = 0;  // distinct reasons in vdt_skips
static int vdt_skip_total = 0;  // every vdt_skip call
static int vdt_skip_unlisted = 0;  // calls whose reason found no room in vdt_skips

void vdt_skip(const char *fmt, ...) {
  char reason[VDT_SKIP_REASON];
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(reason, sizeof reason, fmt, ap);
  va_end(ap);
  ++vdt_skip_total;
  printf("skipped: %s\n", reason);
  for (int i = 0; i < vdt_skip_kinds; ++i)
    if (strcmp(vdt_skips[i].reason, reason) == 0) {
      ++vdt_skips[i].times;
      return;
    }
  if (vdt_skip_kinds == VDT_SKIP_MAX) {
    ++vdt_skip_unlisted;
    return;
  }
  memcpy(vdt_skips[vdt_skip_kinds].reason, reason, sizeof reason);
  vdt_skips[vdt_skip_kinds++].times = 1;
}

int vdt_skip_count(void) { return vdt_skip_total; }

typedef struct vdt_note_entry {
  char measure[48];  // e.g. "fp32 element rel err"
  double value;      // largest value seen
  double bound;      // the bound it was held to then
  char where[160];   // what was measured
} vdt_note_entry;

static vdt_note_entry vdt_notes[VDT_NOTE_MAX];
static int vdt_note_count = 0;

void vdt_note(const char *measure, double value, double bound, const char *where) {
  int i = 0;
  while (i < vdt_note_count && strcmp(vdt_notes[i].measure, measure) != 0) ++i;
  if (i == VDT_NOTE_MAX) return;
  vdt_note_entry *e = &vdt_notes[i];
  if (i == vdt_note_count) {
    ++vdt_note_count;
    snprintf(e->measure, sizeof e->measure, "%s", measure);
    e->value = -1;
  }
  if (!(value <= e->value)) {  // NaN counts as the worst
    e->value = value;
    e->bound = bound;
    snprintf(e->where, sizeof e->where, "%s", where);
  }
}

static void vdt_print_notes(void) {
  for (int i = 0; i < vdt_note_count; ++i) {
    const vdt_note_entry *e = &vdt_notes[i];
    printf("worst %-24s %.3g (bound %.3g) at %s\n", e->measure, e->value, e->bound, e->where);
  }
}

static void vdt_print_skips(void) {
  printf("SKIPPED:");
  if (vdt_skip_kinds == 0) printf(" no check ran, and the test gave no reason");
  for (int i = 0; i < vdt_skip_kinds; ++i) {
    printf(" %s", vdt_skips[i].reason);
    if (vdt_skips[i].times > 1) printf(" (x%d)", vdt_skips[i].times);
    if (i + 1 < vdt_skip_kinds) printf(";");
  }
  if (vdt_skip_unlisted) printf("; %d more (printed above)", vdt_skip_unlisted);
  printf("\n");
}

int vdt_finish(const char *name) {
  vdt_print_notes();
  printf("%s: %d passed, %d failed, %d skipped\n", name, vdt_checks - vdt_failures, vdt_failures, vdt_skip_total);
  int code = vdt_failures ? 1 : vdt_skip_total || vdt_checks == 0 ? VDT_SKIP_EXIT : 0;
  if (vdt_skip_total || (!vdt_failures && vdt_checks == 0)) vdt_print_skips();
  fflush(stdout);
  return code;
}
