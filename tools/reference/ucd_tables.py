#!/usr/bin/python3
"""Generates text/ucd_tables.c: the Unicode 15.0 facts the Qwen2 tokenizer needs, read from Debian's
unicode-data package (/usr/share/unicode, UCD 15.0.0; Python 3.11's own unicodedata is only 14.0;
`apt-get install unicode-data`).

  /usr/bin/python3 tools/reference/ucd_tables.py > text/ucd_tables.c
  /usr/bin/python3 tools/reference/ucd_tables.py --ucd DIR > text/ucd_tables.c

Tables (all sorted by code point, searched by binary search in text/ucd.c):
  letters   General_Category L* (Lu Ll Lt Lm Lo): the pattern's \\p{L}
  numbers   General_Category N* (Nd Nl No): \\p{N}
  spaces    White_Space (PropList.txt): \\s of Oniguruma, Python's regex and Rust's regex alike
  word      Alphabetic + M* + Nd + Pc + Join_Control: Rust regex's Unicode \\w (single_word added tokens)
  ccc       non-zero Canonical_Combining_Class, as runs of equal class and equal age
  decomps   canonical decompositions (one level, 1 or 2 code points; Hangul syllables excluded: they are
            algorithmic), with the composite's age and whether the pair is a primary composite (two
            code points and not Full_Composition_Exclusion)
  compose   indexes of the primary composites in decomps, sorted by (first, second)

Every ccc run and decomposition carries the Unicode version that introduced its character
(DerivedAge.txt), packed as major * 16 + minor. Normalisation data of an assigned character never changes
(the Unicode stability policy), so NFC "as of version V" is NFC over the entries of age <= V: the NFC of HF
tokenizers (crate unicode-normalization-alignments 0.1.12, Unicode 9.0) is the age <= 9.0 subset, whose
sizes (814 ccc code points, 2060 decompositions, 940 composites) the generator checks.
"""
import argparse
import sys

MAX = 0x110000
HANGUL_FIRST, HANGUL_LAST = 0xAC00, 0xD7A3


def parse_ranges(path):
    """Yields (first, last, fields[1:]) of a UCD property file (`XXXX..YYYY ; value # comment`)."""
    for line in open(path, encoding="utf-8"):
        line = line.split("#", 1)[0].strip()
        if not line:
            continue
        fields = [f.strip() for f in line.split(";")]
        a, _, b = fields[0].partition("..")
        yield int(a, 16), int(b, 16) if b else int(a, 16), fields[1:]


def unicode_data(ucd):
    """General category, ccc and canonical decomposition of every code point (ranges expanded)."""
    gc, ccc, decomp = {}, {}, {}
    first = None
    for line in open(f"{ucd}/UnicodeData.txt", encoding="utf-8"):
        f = line.rstrip("\n").split(";")
        cp = int(f[0], 16)
        if f[1].endswith(", First>"):
            first = cp
            continue
        lo = first if f[1].endswith(", Last>") else cp
        first = None
        for c in range(lo, cp + 1):
            gc[c] = f[2]
            if int(f[3]):
                ccc[c] = int(f[3])
        if f[5] and not f[5].startswith("<"):
            decomp[cp] = [int(x, 16) for x in f[5].split()]
    return gc, ccc, decomp


def property_set(path, name):
    out = set()
    for a, b, fields in parse_ranges(path):
        if fields[0] == name:
            out.update(range(a, b + 1))
    return out


def ages(ucd):
    age = {}
    for a, b, fields in parse_ranges(f"{ucd}/DerivedAge.txt"):
        major, minor = (int(x) for x in fields[0].split("."))
        for c in range(a, b + 1):
            age[c] = major * 16 + minor
    return age


def ranges(pred):
    out, start = [], None
    for cp in range(MAX + 1):
        if cp < MAX and pred(cp):
            if start is None:
                start = cp
        elif start is not None:
            out.append((start, cp - 1))
            start = None
    return out


def ccc_runs(ccc, age):
    runs = []
    for c in sorted(ccc):
        if runs and runs[-1][1] == c - 1 and runs[-1][2] == ccc[c] and runs[-1][3] == age[c]:
            runs[-1][1] = c
        else:
            runs.append([c, c, ccc[c], age[c]])
    return runs


def emit_rows(items, per_line):
    for i in range(0, len(items), per_line):
        print("    " + " ".join(items[i:i + per_line]))


def emit_ranges(name, rs):
    print(f"const vd_ucd_range {name}[] = {{")
    emit_rows([f"{{0x{a:X}, 0x{b:X}}}," for a, b in rs], 4)
    print("};")
    print(f"const int {name}_count = {len(rs)};\n")


def check_hf_subset(ccc, decomp, composes, age):
    v9 = 9 * 16
    sizes = (sum(1 for c in ccc if age[c] <= v9), sum(1 for c in decomp if age[c] <= v9),
             sum(1 for c in composes if age[c] <= v9))
    if sizes != (814, 2060, 940):
        sys.exit(f"ucd_tables.py: the Unicode 9.0 subset has sizes {sizes}, expected (814, 2060, 940)")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--ucd", default="/usr/share/unicode")
    ucd = ap.parse_args().ucd
    version = open(f"{ucd}/DerivedAge.txt", encoding="utf-8").readline().strip("# \n")
    gc, ccc, decomp = unicode_data(ucd)
    age = ages(ucd)
    white = property_set(f"{ucd}/PropList.txt", "White_Space")
    join = property_set(f"{ucd}/PropList.txt", "Join_Control")
    alpha = property_set(f"{ucd}/DerivedCoreProperties.txt", "Alphabetic")
    excluded = property_set(f"{ucd}/DerivedNormalizationProps.txt", "Full_Composition_Exclusion")
    decomp = {c: d for c, d in decomp.items() if not HANGUL_FIRST <= c <= HANGUL_LAST}
    assert all(len(d) in (1, 2) for d in decomp.values())
    composes = {c for c, d in decomp.items() if len(d) == 2 and c not in excluded}
    check_hf_subset(ccc, decomp, composes, age)

    cat = lambda c: gc.get(c, "Cn")
    print(f"// Generated by tools/reference/ucd_tables.py from Debian's unicode-data ({version}). Do not edit.")
    print('#include "text/ucd.h"\n')
    emit_ranges("vd_ucd_letters", ranges(lambda c: cat(c)[0] == "L"))
    emit_ranges("vd_ucd_numbers", ranges(lambda c: cat(c)[0] == "N"))
    emit_ranges("vd_ucd_spaces", ranges(lambda c: c in white))
    emit_ranges("vd_ucd_word", ranges(lambda c: c in alpha or cat(c)[0] == "M" or cat(c) in ("Nd", "Pc") or
                                      c in join))
    runs = ccc_runs(ccc, age)
    print("const vd_ucd_ccc_run vd_ucd_ccc_runs[] = {")
    emit_rows([f"{{0x{a:X}, 0x{b:X}, {k}, 0x{g:X}}}," for a, b, k, g in runs], 4)
    print("};")
    print(f"const int vd_ucd_ccc_runs_count = {len(runs)};\n")
    order = sorted(decomp)
    print("const vd_ucd_decomposition vd_ucd_decompositions[] = {")
    rows = []
    for c in order:
        d = decomp[c] + [0]
        rows.append(f"{{0x{c:X}, 0x{d[0]:X}, 0x{d[1]:X}, 0x{age[c]:X}, {int(c in composes)}}},")
    emit_rows(rows, 3)
    print("};")
    print(f"const int vd_ucd_decompositions_count = {len(order)};\n")
    index = sorted((i for i, c in enumerate(order) if c in composes), key=lambda i: tuple(decomp[order[i]]))
    print("const uint16_t vd_ucd_compose_index[] = {")
    emit_rows([f"{i}," for i in index], 14)
    print("};")
    print(f"const int vd_ucd_compose_index_count = {len(index)};")


if __name__ == "__main__":
    sys.exit(main())
