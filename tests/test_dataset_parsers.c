// The index-file parsers of anomaly/: the JSON pull reader (what Python's json.loads accepts and decodes,
// the three documented refusals, positions in errors) and the CSV rows (Python csv.reader's excel dialect
// on a file read in text mode), plus the string arena.
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "anomaly/arena.h"
#include "anomaly/csv_rows.h"
#include "anomaly/json_pull.h"
#include "vdtest.h"

static void expect_msg(vd_status st, const char *needle, const char *where) {
  CHECK_MSG(vd_status_code_of(st) == VD_ERR_FORMAT, "%s: expected a format error, got %s", where,
            vd_status_message(st));
  CHECK_MSG(st && strstr(vd_status_message(st), needle), "%s: message lacks \"%s\": %s", where, needle,
            vd_status_message(st));
  vd_status_free(st);
}

// ---- strings ------------------------------------------------------------------------------------------------

typedef struct string_case {
  const char *json;     // one JSON string value
  const char *decoded;  // its UTF-8 (NULL: an error whose message holds `error`)
  const char *error;    // a piece of the message ("in.json:1:COL: ...")
} string_case;

static void test_strings(vd_arena *arena) {
  static const string_case cases[] = {
      {"\"plain\"", "plain", NULL},
      {"\"\\\"\\\\\\/\\b\\f\\n\\r\\t\"", "\"\\/\b\f\n\r\t", NULL},
      {"\"\\u00e9\\u4E2D\"", "\xc3\xa9\xe4\xb8\xad", NULL},
      {"\"\\ud83d\\ude00 \\uD834\\uDD1E\"", "\xf0\x9f\x98\x80 \xf0\x9d\x84\x9e", NULL},
      {"\"lone \\ud800\\u0041 and \\udc00x\"",
       "lone \xef\xbf\xbd"
       "A and \xef\xbf\xbdx",
       NULL},
      {"\"high at end \\ud83d\"", "high at end \xef\xbf\xbd", NULL},
      {"\"raw \xc3\xa9 \xf0\x9f\x98\x80 \xef\xbf\xbd\"", "raw \xc3\xa9 \xf0\x9f\x98\x80 \xef\xbf\xbd", NULL},
      {"\"\"", "", NULL},
      {"\"\\u00\"", NULL, "in.json:1:2: invalid \\u escape"},
      {"\"\\x41\"", NULL, "in.json:1:2: invalid escape \\x"},
      {"\"tab\there\"", NULL, "in.json:1:5: control character 0x09"},
      {"\"nul \\u0000\"", NULL, "in.json:1:6: \\u0000 in a string is not supported"},
      {"\"bad \xc3(\"", NULL, "in.json:1:6: invalid UTF-8"},
      {"\"surrogate \xed\xa0\x80\"", NULL, "in.json:1:12: invalid UTF-8"},
      {"\"open", NULL, "in.json:1:1: unterminated string"},
      {"'single'", NULL, "in.json:1:1: expected a string, found '''"},
  };
  for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); ++i) {
    vd_jpull j;
    vd_jpull_init(&j, cases[i].json, strlen(cases[i].json), "in.json");
    const char *s = NULL;
    size_t n = 0;
    vd_status st = vd_jpull_string(&j, arena, &s, &n);
    if (cases[i].decoded) {
      CHECK_MSG(st == NULL, "string %zu: %s", i, vd_status_message(st));
      CHECK_MSG(s && n == strlen(cases[i].decoded) && strcmp(s, cases[i].decoded) == 0, "string %zu decoded to %s", i,
                s ? s : "(null)");
      CHECK_OK(vd_jpull_finish(&j));
      vd_status_free(st);
    } else {
      expect_msg(st, cases[i].error, cases[i].json);
    }
  }
}

// ---- numbers, literals, containers ---------------------------------------------------------------------------

static void test_numbers(void) {
  static const struct {
    const char *json;  // the value
    double value;      // expected value (NAN compares by isnan)
    bool integer;      // written without fraction or exponent
  } ok[] = {{"0", 0, true},
            {"-0", -0.0, true},
            {"139", 139, true},
            {"1.5e3", 1500, false},
            {"-1E-2", -0.01, false},
            {"2.50", 2.5, false},
            {"NaN", NAN, false},
            {"Infinity", INFINITY, false},
            {"-Infinity", -INFINITY, false},
            {"1e400", INFINITY, false}};
  for (size_t i = 0; i < sizeof(ok) / sizeof(ok[0]); ++i) {
    vd_jpull j;
    vd_jpull_init(&j, ok[i].json, strlen(ok[i].json), "n.json");
    double v = 0;
    bool integer = false;
    char text[16];
    CHECK_OK(vd_jpull_number(&j, &v, &integer, text, sizeof(text)));
    bool same = isnan(ok[i].value) ? isnan(v) : v == ok[i].value;
    CHECK_MSG(same && integer == ok[i].integer && strcmp(text, ok[i].json) == 0, "number %s: %g %d %s", ok[i].json, v,
              integer, text);
    CHECK_OK(vd_jpull_finish(&j));
  }
  static const struct {
    const char *json;   // a document
    const char *error;  // a piece of the message
  } bad[] = {{"01", "n.json:1:2: expected the end of the file, found '1'"},
             {"1.", "n.json:1:2: expected the end of the file, found '.'"},
             {".5", "n.json:1:1: expected a number"},
             {"+1", "n.json:1:1: expected a number"},
             {"-", "n.json:1:1: expected a number"},
             {"nan", "n.json:1:1: expected a number"}};
  for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); ++i) {
    vd_jpull j;
    vd_jpull_init(&j, bad[i].json, strlen(bad[i].json), "n.json");
    double v;
    bool integer;
    vd_status st = vd_jpull_number(&j, &v, &integer, NULL, 0);
    if (!st) st = vd_jpull_finish(&j);
    expect_msg(st, bad[i].error, bad[i].json);
  }
}

// Walks {"a": [1, {"b": null}, true, false, "x"], "k": ..., "a": 2}: skipping, duplicate keys in order.
static void test_containers(vd_arena *arena) {
  const char *doc =
      " \t\r\n{\"a\": [1, {\"b\": null}, true, false, \"x\\n\", [], {}],\n \"k\": \"v\","
      " \"0123456789012345678901234567890123456789012345678901234567890123456789\": 1, \"a\": 2}\n";
  vd_jpull j;
  vd_jpull_init(&j, doc, strlen(doc), "c.json");
  char key[VD_JPULL_KEY_CAP];
  bool has;
  const char *keys[4] = {"a", "k", "", "a"};
  CHECK(vd_jpull_peek(&j) == VD_JSON_OBJECT);
  CHECK_OK(vd_jpull_object_begin(&j));
  for (int i = 0; i < 4; ++i) {
    CHECK_OK(vd_jpull_object_next(&j, key, &has));
    CHECK_MSG(has && strcmp(key, keys[i]) == 0, "key %d: %s", i, key);
    if (i == 1) {
      const char *v;
      CHECK_OK(vd_jpull_string(&j, arena, &v, NULL));
      CHECK(strcmp(v, "v") == 0);
    } else {
      CHECK_OK(vd_jpull_skip(&j));
    }
  }
  CHECK_OK(vd_jpull_object_next(&j, key, &has));
  CHECK(!has && j.depth == 0);
  CHECK_OK(vd_jpull_finish(&j));
  CHECK(vd_jpull_at_end(&j));

  static const struct {
    const char *json;   // a document skipped as one value
    const char *error;  // a piece of the message
  } bad[] = {{"[1,]", "s.json:1:4: expected a value, found ']'"},
             {"[,1]", "s.json:1:2: expected a value, found ','"},
             {"{\"a\" 1}", "s.json:1:6: expected ':' after an object key"},
             {"{\"a\":1,}", "s.json:1:8: expected a string key, found '}'"},
             {"{1:2}", "s.json:1:2: expected a string key"},
             {"[1 2]", "s.json:1:4: expected ',' or ']'"},
             {"[tru]", "s.json:1:2: expected a value"},
             {"[nul]", "s.json:1:2: expected a value"},
             {"\xef\xbb\xbf[]", "s.json:1:1: expected a value, found byte 0xef"},
             {"{\"a\": [\n\n  1,\n  x]}", "s.json:4:3: expected a value, found 'x'"},
             {"[[]", "s.json:1:4: expected ',' or ']', found the end of the file"}};
  for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); ++i) {
    vd_jpull_init(&j, bad[i].json, strlen(bad[i].json), "s.json");
    expect_msg(vd_jpull_skip(&j), bad[i].error, bad[i].json);
  }
  // The nesting limit holds for skipped values too.
  char deep[VD_JPULL_MAX_DEPTH + 2];
  memset(deep, '[', sizeof(deep));
  vd_jpull_init(&j, deep, sizeof(deep), "d.json");
  expect_msg(vd_jpull_skip(&j), "d.json:1:129: nested deeper than 128 levels", "deep");
  memset(deep, '[', VD_JPULL_MAX_DEPTH);
  memset(deep + VD_JPULL_MAX_DEPTH / 2, ']', VD_JPULL_MAX_DEPTH / 2);
  char ok_deep[VD_JPULL_MAX_DEPTH];
  memset(ok_deep, '[', VD_JPULL_MAX_DEPTH / 2);
  memset(ok_deep + VD_JPULL_MAX_DEPTH / 2, ']', VD_JPULL_MAX_DEPTH / 2);
  vd_jpull_init(&j, ok_deep, sizeof(ok_deep), "d.json");
  CHECK_OK(vd_jpull_skip(&j));
  CHECK_OK(vd_jpull_finish(&j));
}

// JSON lines: one value per line; blank lines pass.
static void test_lines(void) {
  const char *text = "{\"a\": 1}  \r\n\n   \n{\"a\": 2}\n{\"a\": 3} {\"a\": 4}\n";
  vd_jpull j;
  vd_jpull_init(&j, text, strlen(text), "l.json");
  int values = 0;
  vd_status st = NULL;
  while (!st && !vd_jpull_at_end(&j)) {
    st = vd_jpull_skip(&j);
    if (!st) st = vd_jpull_line_end(&j);
    values += st == NULL;
  }
  CHECK(values == 2);
  expect_msg(st, "l.json:5:10: expected the end of the line", "two values on line 5");
}

// ---- CSV --------------------------------------------------------------------------------------------------

typedef struct csv_case {
  const char *text;  // the file
  const char *rows;  // expected rows: fields joined by '|', rows by ';', each row prefixed with "LINE:"
} csv_case;

static void csv_rows_text(const char *text, char *out, size_t cap) {
  vd_csv csv;
  out[0] = '\0';
  vd_status st = vd_csv_init(&csv, text, strlen(text), "r.csv");
  CHECK_OK(st);
  if (st) return;
  for (;;) {
    const char *f[8];
    int count, line;
    bool has;
    CHECK_OK(vd_csv_next_row(&csv, f, 8, &count, &line, &has));
    if (!has) break;
    size_t n = strlen(out);
    snprintf(out + n, cap - n, "%s%d:", n ? ";" : "", line);
    for (int i = 0; i < count && i < 8; ++i) {
      n = strlen(out);
      snprintf(out + n, cap - n, "%s%s", i ? "|" : "", f[i]);
    }
  }
  vd_csv_free(&csv);
}

static void test_csv(void) {
  // Expectations are Python's csv.reader(open(path, newline=None)) rows (checked with Python 3.11), except that
  // a leading byte-order mark is dropped here (Python keeps it in the first field).
  static const csv_case cases[] = {
      {"a,\"b,c\",d\n", "1:a|b,c|d"},
      {"\"x\"\"y\",z\n", "1:x\"y|z"},
      {"\"ab\"cd,e\n", "1:abcd|e"},
      {"a\"b,c\n", "1:a\"b|c"},
      {"\"q\" \"r\",s\n", "1:q \"r\"|s"},
      {"\"multi\nline\",x\nnext,row\n", "1:multi\nline|x;3:next|row"},
      {"a,b,\n", "1:a|b|"},
      {"\"a\r\nb\",c\r\nd\re\n", "1:a\nb|c;3:d;4:e"},
      {"\xef\xbb\xbfobject,split\n\n\n,\nlast", "1:object|split;4:|;5:last"},
      {"", ""},
  };
  char got[512];
  for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); ++i) {
    csv_rows_text(cases[i].text, got, sizeof(got));
    CHECK_MSG(strcmp(got, cases[i].rows) == 0, "csv %zu: got \"%s\", expected \"%s\"", i, got, cases[i].rows);
  }
  vd_csv csv;
  expect_msg(vd_csv_init(&csv, "a,b\nc,\xff\n", 8, "r.csv"), "r.csv:2: invalid UTF-8", "csv utf-8");
  expect_msg(vd_csv_init(&csv, "a,b\0c\n", 6, "r.csv"), "r.csv: contains a NUL byte", "csv nul");
  CHECK_OK(vd_csv_init(&csv, "a,b\n\"open,c\nd\n", 14, "r.csv"));
  const char *f[4];
  int count, line;
  bool has;
  CHECK_OK(vd_csv_next_row(&csv, f, 4, &count, &line, &has));
  expect_msg(vd_csv_next_row(&csv, f, 4, &count, &line, &has), "r.csv:2: unterminated quoted field", "csv quote");
  vd_csv_free(&csv);
  // More fields than the caller's array: counted, not stored.
  CHECK_OK(vd_csv_init(&csv, "1,2,3,4,5,6,7\n", 14, "r.csv"));
  CHECK_OK(vd_csv_next_row(&csv, f, 4, &count, &line, &has));
  CHECK(has && count == 7 && strcmp(f[3], "4") == 0);
  vd_csv_free(&csv);
}

// ---- the arena --------------------------------------------------------------------------------------------

static void test_arena(void) {
  vd_arena *a = vd_arena_create();
  CHECK(a != NULL);
  if (!a) return;
  char *first = vd_arena_strndup(a, "hello", 5);
  CHECK(first && strcmp(first, "hello") == 0 && vd_arena_used(a) == 8);
  char *big = vd_arena_alloc(a, (size_t)1 << 20);  // larger than a block: its own block
  CHECK(big != NULL && strcmp(first, "hello") == 0);
  char *tail = vd_arena_alloc(a, 100);
  vd_arena_shrink_last(a, tail, 3);
  vd_arena_shrink_last(a, first, 0);  // not the last allocation: ignored
  CHECK(strcmp(first, "hello") == 0);
  char *joined = vd_arena_concat(a, "a", "/", "b");
  CHECK(joined && strcmp(joined, "a/b") == 0);
  size_t before = vd_arena_used(a);
  for (int i = 0; i < 100000; ++i) vd_arena_strndup(a, "0123456789012345678901234567890", 31);
  CHECK(vd_arena_used(a) == before + 100000 * 32);
  vd_arena_reset(a);
  CHECK(vd_arena_used(a) == 0);
  char *again = vd_arena_strndup(a, "again", 5);
  CHECK(again && strcmp(again, "again") == 0);
  vd_arena_destroy(a);
}

// ---- mutations --------------------------------------------------------------------------------------------

// One random edit of buf (len bytes, capacity cap): replace, insert, delete or truncate; returns the new length.
static size_t mutate(vdt_rng *rng, char *buf, size_t len, size_t cap) {
  static const char interesting[] = "{}[]\",:\\u0d8\n\r\t \xff\xc3\xed";
  size_t at = len ? (size_t)vdt_uniform(rng, 0, (double)len) : 0;
  char c = vdt_uniform(rng, 0, 1) < 0.7 ? interesting[(size_t)vdt_uniform(rng, 0, sizeof(interesting) - 1)]
                                        : (char)(int)vdt_uniform(rng, 0, 256);
  switch ((int)vdt_uniform(rng, 0, 4)) {
    case 0:
      if (len) buf[at] = c;
      return len;
    case 1:
      if (len + 1 > cap) return len;
      memmove(buf + at + 1, buf + at, len - at);
      buf[at] = c;
      return len + 1;
    case 2:
      if (!len) return len;
      memmove(buf + at, buf + at + 1, len - at - 1);
      return len - 1;
    default: return at;
  }
}

// Every mutant of a few valid documents parses to a value or a format error; never a crash (ASan runs this).
static void test_mutations(vd_arena *arena) {
  static const char *const seeds[] = {
      "{\"filename\": \"bottle/test/good/000.png\", \"label\": 0, \"clsname\": \"bottle\"}\n{\"a\": [1.5e3, null]}\n",
      "{\"test\": [{\"anomaly_class\": \"OK\", \"image_path\": \"OK/S1/\\u00e9.jpg\", \"mask_path\": null}]}",
      "[\"caption \\ud83d\\ude00\", \"x\\n\", \"\\\"q\\\"\"]",
      "object,split,label,image,mask\r\ncandle,test,anomaly,\"a,b.JPG\",m.png\r\n"};
  vdt_rng rng = {0x5eedULL};
  char buf[512];
  size_t errors = 0, runs = 0;
  for (size_t s = 0; s < sizeof(seeds) / sizeof(seeds[0]); ++s) {
    for (int round = 0; round < 3000; ++round) {
      size_t len = strlen(seeds[s]);
      memcpy(buf, seeds[s], len);
      for (int k = 1 + round % 4; k > 0; --k) len = mutate(&rng, buf, len, sizeof(buf));
      vd_status st = NULL;
      if (s < 3) {
        vd_jpull j;
        vd_jpull_init(&j, buf, len, "m.json");
        while (!st && !vd_jpull_at_end(&j)) st = vd_jpull_skip(&j);
        vd_jpull_init(&j, buf, len, "m.json");
        vd_status st2 =
            vd_jpull_peek(&j) == VD_JSON_STRING ? vd_jpull_string(&j, arena, &(const char *){NULL}, NULL) : NULL;
        vd_status_free(st2);
      } else {
        vd_csv csv;
        st = vd_csv_init(&csv, buf, len, "m.csv");
        bool has = !st;
        while (!st && has) {
          const char *f[5];
          int count, line;
          st = vd_csv_next_row(&csv, f, 5, &count, &line, &has);
        }
        vd_csv_free(&csv);
      }
      ++runs;
      errors += st != NULL;
      CHECK_MSG(!st || vd_status_code_of(st) == VD_ERR_FORMAT, "mutant of seed %zu: %s", s, vd_status_message(st));
      vd_status_free(st);
      vd_arena_reset(arena);
    }
  }
  printf("%zu mutants parsed, %zu refused\n", runs, errors);
  CHECK(errors > 0 && errors < runs);
}

int main(void) {
  vd_arena *arena = vd_arena_create();
  test_strings(arena);
  test_numbers();
  test_containers(arena);
  test_lines();
  test_csv();
  test_arena();
  test_mutations(arena);
  vd_arena_destroy(arena);
  return vdt_finish("test_dataset_parsers");
}
