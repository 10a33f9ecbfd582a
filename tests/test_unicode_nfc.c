// NFC and the Unicode 15.0 tables (text/unicode_nfc.h, text/ucd.h): a sample of the UCD 15.0 conformance
// file NormalizationTest.txt and every line of it whose NFC differs between Unicode 15.0 and 9.0 (HF
// tokenizers' version), with expected values from tools/reference/qwen2_tokenizer_reference.py
// (tests/data/unicode/nfc_golden.txt). With VLMD_NORMALIZATION_TEST=path/to/NormalizationTest.txt the
// whole file is checked too.
#include <stdint.h>

#include "text/ucd.h"
#include "text/unicode_nfc.h"
#include "vdtest.h"
#include "vdtest_text.h"

#define NFC_GOLDEN VLMD_SOURCE_DIR "/tests/data/unicode/nfc_golden.txt"

static int check_nfc(const uint32_t *in, size_t n, const uint32_t *want, size_t want_n, vd_ucd_age age) {
  vd_cp_buf out = {0};
  vd_status st = vd_unicode_nfc(in, n, age, &out);
  int ok = st == NULL && out.len == want_n && memcmp(out.data, want, sizeof(uint32_t) * want_n) == 0;
  vd_status_free(st);
  vd_cp_buf_release(&out);
  return ok;
}

static size_t to_cps(const char *field, uint32_t *out, size_t cap) {
  int64_t v[64];
  size_t n = vdt_numbers(field, 16, v, cap < 64 ? cap : 64);
  for (size_t i = 0; i < n; ++i) out[i] = (uint32_t)v[i];
  return n;
}

static void test_golden(void) {
  vdt_lines lines;
  vdt_lines_read(NFC_GOLDEN, &lines);
  int bad15 = 0, bad9 = 0, differ = 0;
  for (int i = 0; i < lines.count; ++i) {
    uint32_t in[64], n15[64], n9[64];
    size_t n = to_cps(lines.fields[i][0], in, 64), m15 = to_cps(lines.fields[i][1], n15, 64);
    bool same = strcmp(lines.fields[i][2], "=") == 0;
    size_t m9 = same ? m15 : to_cps(lines.fields[i][2], n9, 64);
    differ += !same;
    if (!check_nfc(in, n, n15, m15, VD_UCD_AGE(15, 0)) && bad15++ < 5) fprintf(stderr, "NFC 15.0 line %d\n", i + 1);
    if (!check_nfc(in, n, same ? n15 : n9, m9, VD_NFC_AGE_HF_TOKENIZERS) && bad9++ < 5)
      fprintf(stderr, "NFC 9.0 line %d\n", i + 1);
  }
  CHECK_MSG(bad15 == 0 && bad9 == 0, "%d / %d of %d lines wrong (15.0 / 9.0)", bad15, bad9, lines.count);
  CHECK(lines.count > 800 && differ > 20);
  vdt_lines_free(&lines);
}

// The five columns of NormalizationTest.txt: NFC(c1) = NFC(c2) = NFC(c3) = c2, NFC(c4) = NFC(c5) = c4.
static void test_full_conformance(void) {
  const char *path = getenv("VLMD_NORMALIZATION_TEST");
  if (!path) return;
  vdt_lines lines;
  vdt_lines_read(path, &lines);
  int rows = 0, bad = 0;
  for (int i = 0; i < lines.count; ++i) {
    char *line = lines.fields[i][0];
    if (!line[0] || line[0] == '#' || line[0] == '@') continue;
    uint32_t col[5][64];
    size_t len[5];
    char *p = line;
    for (int c = 0; c < 5; ++c) {
      char *semi = strchr(p, ';');
      if (semi) *semi = '\0';
      len[c] = to_cps(p, col[c], 64);
      p = semi ? semi + 1 : p + strlen(p);
    }
    static const int src[5] = {0, 1, 2, 3, 4}, want[5] = {1, 1, 1, 3, 3};
    for (int k = 0; k < 5; ++k)
      bad += !check_nfc(col[src[k]], len[src[k]], col[want[k]], len[want[k]], VD_UCD_AGE(15, 0));
    ++rows;
  }
  fprintf(stderr, "NormalizationTest: %d lines, %d failures\n", rows, bad);
  CHECK(rows > 19000 && bad == 0);
  vdt_lines_free(&lines);
}

static void test_classes(void) {
  CHECK(vd_ucd_is_letter('a') && vd_ucd_is_letter(0x4E16) && vd_ucd_is_letter(0x1E4D0));  // 15.0: Nag Mundari
  CHECK(!vd_ucd_is_letter(0x2EBF0) && !vd_ucd_is_letter(0x301) && !vd_ucd_is_letter('1'));  // 15.1 CJK-I: no
  CHECK(vd_ucd_is_number('7') && vd_ucd_is_number(0xB2) && vd_ucd_is_number(0x216B) && !vd_ucd_is_number('x'));
  CHECK(vd_ucd_is_space(0x85) && vd_ucd_is_space(0x3000) && vd_ucd_is_space(0x2028) && !vd_ucd_is_space(0x200B));
  CHECK(!vd_ucd_is_space(0x1C) && !vd_ucd_is_space(0x180E));
  CHECK(vd_ucd_is_word('_') && vd_ucd_is_word(0x301) && vd_ucd_is_word(0x200D) && !vd_ucd_is_word('-'));
  CHECK(vd_ucd_ccc(0x301, VD_UCD_AGE(15, 0)) == 230 && vd_ucd_ccc('a', VD_UCD_AGE(15, 0)) == 0);
  CHECK(vd_ucd_ccc(0x1E4EC, VD_UCD_AGE(15, 0)) == 232 && vd_ucd_ccc(0x1E4EC, VD_UCD_AGE(9, 0)) == 0);
  CHECK(vd_ucd_compose('e', 0x301, VD_UCD_AGE(15, 0)) == 0xE9 && vd_ucd_compose(0x1100, 0x1161, 0) == 0xAC00);
  CHECK(vd_ucd_compose(0x11935, 0x11930, VD_UCD_AGE(15, 0)) == 0x11938);  // Dives Akuru, Unicode 13.0
  CHECK(vd_ucd_compose(0x11935, 0x11930, VD_UCD_AGE(9, 0)) == 0);
  CHECK(vd_ucd_compose(0x915, 0x93C, VD_UCD_AGE(15, 0)) == 0);  // U+0958 is a composition exclusion
}

static void test_edges(void) {
  uint32_t empty_want[1] = {0};
  CHECK(check_nfc(NULL, 0, empty_want, 0, VD_UCD_AGE(15, 0)));
  const uint32_t ascii[] = {'a', 'b'}, lone[] = {0x301, 'e', 0x301}, lone_want[] = {0x301, 0xE9};
  CHECK(check_nfc(ascii, 2, ascii, 2, VD_UCD_AGE(15, 0)));
  CHECK(check_nfc(lone, 3, lone_want, 2, VD_UCD_AGE(15, 0)));
  const uint32_t order[] = {'a', 0x301, 0x316}, order_want[] = {0xE1, 0x316};  // 220 sorts before 230
  CHECK(check_nfc(order, 3, order_want, 2, VD_UCD_AGE(15, 0)));
  const uint32_t hangul[] = {0x1100, 0x1161, 0x11A8}, hangul_want[] = {0xAC01};
  CHECK(check_nfc(hangul, 3, hangul_want, 1, 0));
  const uint32_t angstrom[] = {0x212B}, angstrom_want[] = {0xC5};  // a singleton decomposition
  CHECK(check_nfc(angstrom, 1, angstrom_want, 1, VD_UCD_AGE(15, 0)));
}

int main(void) {
  test_classes();
  test_edges();
  test_golden();
  test_full_conformance();
  return vdt_finish("test_unicode_nfc");
}
