// UTF-8 decoding and encoding for tokenizers. Invalid input is decoded the way Python's
// bytes.decode("utf-8", errors="replace") does: each maximal invalid subpart becomes one U+FFFD.
#ifndef VD_TEXT_UTF8_H
#define VD_TEXT_UTF8_H

#include <stddef.h>
#include <stdint.h>

// Decodes len bytes into out (capacity len suffices: never more code points than bytes); returns the count.
size_t vd_utf8_decode(const char *bytes, size_t len, uint32_t *out);
// Encodes one code point (surrogates and values above U+10FFFF become U+FFFD); returns 1..4 bytes written.
int vd_utf8_encode(uint32_t cp, char out[4]);
// Offset of the first byte that does not start a valid UTF-8 sequence (len when all of it is valid).
size_t vd_utf8_check(const char *bytes, size_t len);

#endif
