// The GPT-2 byte-level alphabet (bytes_to_unicode) shared by CLIP's and Qwen2's BPE: every byte is one
// printable character. Bytes 33..126, 161..172 and 174..255 stand for themselves; the other 68 bytes
// (0..32, 127..160, 173) map to U+0100, U+0101, ... in byte order (space → U+0120 'Ġ', '\n' → U+010A 'Ċ').
#ifndef VD_TEXT_BYTE_LEVEL_H
#define VD_TEXT_BYTE_LEVEL_H

#include <stdint.h>

// The character of byte b.
uint32_t vd_byte_level_char(uint8_t b);
// The byte whose character is cp, or -1 when cp is not in the alphabet.
int vd_byte_level_byte(uint32_t cp);
// Position of byte b in bytes_to_unicode's insertion order (its id in a vocabulary derived from merges).
int vd_byte_level_order(uint8_t b);

#endif
