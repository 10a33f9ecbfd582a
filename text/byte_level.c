// The byte-level alphabet computed from its definition (no tables).
#include "text/byte_level.h"

#include <stdbool.h>

static bool vd_byte_level_is_self(uint32_t b) { return (b >= 33 && b <= 126) || (b >= 161 && b <= 172) || b >= 174; }

uint32_t vd_byte_level_char(uint8_t b) {
  if (vd_byte_level_is_self(b)) return b;
  uint32_t k = 0;  // rank among the remaining bytes 0..32, 127..160, 173
  for (uint32_t x = 0; x < b; ++x)
    if (!vd_byte_level_is_self(x)) ++k;
  return 256 + k;
}

int vd_byte_level_byte(uint32_t cp) {
  if (cp < 256) return vd_byte_level_is_self(cp) ? (int)cp : -1;
  if (cp >= 256 + 68) return -1;
  uint32_t k = cp - 256;
  for (uint32_t x = 0; x < 256; ++x) {
    if (vd_byte_level_is_self(x)) continue;
    if (k-- == 0) return (int)x;
  }
  return -1;
}

int vd_byte_level_order(uint8_t b) {
  if (b >= 33 && b <= 126) return b - 33;                  // 94 printable ASCII
  if (b >= 161 && b <= 172) return 94 + (b - 161);         // 12
  if (b >= 174) return 106 + (b - 174);                    // 82
  return 188 + (int)(vd_byte_level_char(b) - 256);         // the remaining 68 in byte order
}
