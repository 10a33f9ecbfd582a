#include "runtime/status.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct vd_status_rec {
  vd_status_code code;  // what kind of failure
  char *message;        // owned, NUL-terminated; NULL only for the static fallback
};

static struct vd_status_rec vd_status_oom = {VD_ERR_OUT_OF_MEMORY, NULL};

vd_status vd_status_makev(vd_status_code code, const char *fmt, va_list ap) {
  va_list ap2;
  va_copy(ap2, ap);
  int n = vsnprintf(NULL, 0, fmt, ap2);
  va_end(ap2);
  struct vd_status_rec *st = malloc(sizeof(*st));
  char *msg = n >= 0 ? malloc((size_t)n + 1) : NULL;
  if (!st || !msg) {
    free(st);
    free(msg);
    return &vd_status_oom;
  }
  vsnprintf(msg, (size_t)n + 1, fmt, ap);
  st->code = code;
  st->message = msg;
  return st;
}

vd_status vd_status_make(vd_status_code code, const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  vd_status st = vd_status_makev(code, fmt, ap);
  va_end(ap);
  return st;
}

vd_status vd_status_annotate(vd_status st, const char *fmt, ...) {
  if (!st || st == &vd_status_oom) return st;
  char prefix[512];
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(prefix, sizeof(prefix), fmt, ap);
  va_end(ap);
  vd_status out = vd_status_make(st->code, "%s: %s", prefix, st->message);
  vd_status_free(st);
  return out;
}

vd_status_code vd_status_code_of(vd_status st) { return st ? st->code : VD_OK; }

const char *vd_status_message(vd_status st) {
  if (!st) return "ok";
  return st->message ? st->message : "out of host memory";
}

const char *vd_status_code_name(vd_status_code code) {
  switch (code) {
    case VD_OK: return "ok";
    case VD_ERR_INVALID_ARGUMENT: return "invalid argument";
    case VD_ERR_NOT_FOUND: return "not found";
    case VD_ERR_UNAVAILABLE: return "unavailable";
    case VD_ERR_OUT_OF_MEMORY: return "out of memory";
    case VD_ERR_LIMIT: return "limit exceeded";
    case VD_ERR_IO: return "i/o error";
    case VD_ERR_FORMAT: return "bad format";
    case VD_ERR_VULKAN: return "vulkan error";
    case VD_ERR_DEVICE_LOST: return "device lost";
    case VD_ERR_INTERNAL: return "internal error";
  }
  return "unknown";
}

void vd_status_free(vd_status st) {
  if (!st || st == &vd_status_oom) return;
  free(st->message);
  free(st);
}
