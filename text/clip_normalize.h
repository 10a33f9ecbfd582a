// Text normalisation of the CLIP tokenizer, before pre-tokenisation: the subset of ftfy.fix_text that
// matters for captions, then whitespace_clean (runs of White_Space → one space, strip) and Python's
// str.lower(). See clip_normalize.c for exactly which ftfy steps are reproduced and which are not.
#ifndef VD_TEXT_CLIP_NORMALIZE_H
#define VD_TEXT_CLIP_NORMALIZE_H

#include <stddef.h>
#include <stdint.h>

#include "runtime/status.h"
#include "text/cp_buf.h"

// Normalises cps[0..n) into *out (reused; previous content discarded). Output length is at most 3·n + 1.
vd_status vd_clip_text_normalize(const uint32_t *cps, size_t n, vd_cp_buf *out);

#endif
