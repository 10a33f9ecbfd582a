// Unicode Normalization Form C (UAX #15): full canonical decomposition, canonical ordering, canonical
// composition, over the text/ucd.h data of a chosen Unicode version. HF tokenizers' NFC normaliser (crate
// unicode-normalization-alignments 0.1.12) has Unicode 9.0 tables: VD_NFC_AGE_HF_TOKENIZERS.
#ifndef VD_TEXT_UNICODE_NFC_H
#define VD_TEXT_UNICODE_NFC_H

#include <stddef.h>
#include <stdint.h>

#include "runtime/status.h"
#include "text/cp_buf.h"
#include "text/ucd.h"

#define VD_NFC_AGE_HF_TOKENIZERS VD_UCD_AGE(9, 0)  // the Unicode version of HF tokenizers' NFC tables

// NFC of in[0..n) as Unicode version `age` defines it, into *out (previous content discarded).
vd_status vd_unicode_nfc(const uint32_t *in, size_t n, vd_ucd_age age, vd_cp_buf *out);

#endif
