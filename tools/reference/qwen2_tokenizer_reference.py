#!/usr/bin/python3
"""A plain Python Qwen2 tokenizer written from the spec (encoders-and-captioner.md §4) and from what HF
tokenizers does with a Qwen2 tokenizer.json, used to make the test goldens of the C tokenizer. HF's
`tokenizers` and `transformers` are not installable here, so this is the oracle; it shares no code or
tables with the C side:

  - the pre-tokenisation pattern is run by the `regex` module (Debian's python3-regex, Unicode 15.0);
  - NFC is the UAX #15 algorithm over Debian's UCD 15.0 files (/usr/share/unicode), restricted to the
    characters of a Unicode version (HF tokenizers' NFC crate has Unicode 9.0 tables);
  - added tokens are split as HF's AddedVocabulary::find_matches (leftmost-longest, single_word with
    Unicode \\w, lstrip/rstrip over White_Space);
  - BPE is HF's Word::merge_all: a heap of (rank, position, new id), stale entries skipped;
  - decoding is HF's ByteLevel decoder, then UTF-8 with errors="replace".

Input bytes are decoded with errors="replace" first (HF receives a Python str).

Needs Debian's python3-regex and unicode-data (`apt-get install python3-regex unicode-data`); use
/usr/bin/python3, the interpreter those belong to:

  /usr/bin/python3 tools/reference/qwen2_tokenizer_reference.py TOKENIZER_PATH encode TEXT
  /usr/bin/python3 tools/reference/qwen2_tokenizer_reference.py TOKENIZER_PATH decode ID...
  /usr/bin/python3 tools/reference/qwen2_tokenizer_reference.py --self-check   # NFC vs UCD tests
"""
import heapq
import json
import os
import sys
import unicodedata

import regex

UCD_DIR = "/usr/share/unicode"
PRETOKENIZE_REGEX = (r"(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}| ?[^\s\p{L}\p{N}]+[\r\n]*|"
                     r"\s*[\r\n]+|\s+(?!\S)|\s+")
HF_NFC_VERSION = (9, 0)
S_BASE, L_BASE, V_BASE, T_BASE = 0xAC00, 0x1100, 0x1161, 0x11A7
L_COUNT, V_COUNT, T_COUNT, N_COUNT, S_COUNT = 19, 21, 28, 588, 11172


# ---- Unicode data ----------------------------------------------------------------------------------

def _ranges(path):
    for line in open(path, encoding="utf-8"):
        line = line.split("#", 1)[0].strip()
        if line:
            fields = [f.strip() for f in line.split(";")]
            a, _, b = fields[0].partition("..")
            yield int(a, 16), int(b, 16) if b else int(a, 16), fields[1:]


class Ucd:
    """The UCD facts the tokenizer needs, straight from the data files."""

    def __init__(self, ucd_dir=UCD_DIR):
        self.gc, self.ccc, self.decomp, self.age = {}, {}, {}, {}
        first = None
        for line in open(f"{ucd_dir}/UnicodeData.txt", encoding="utf-8"):
            f = line.rstrip("\n").split(";")
            cp = int(f[0], 16)
            if f[1].endswith(", First>"):
                first = cp
                continue
            for c in range(first if f[1].endswith(", Last>") else cp, cp + 1):
                self.gc[c] = f[2]
                if int(f[3]):
                    self.ccc[c] = int(f[3])
            first = None
            if f[5] and not f[5].startswith("<"):
                self.decomp[cp] = [int(x, 16) for x in f[5].split()]
        for a, b, fields in _ranges(f"{ucd_dir}/DerivedAge.txt"):
            v = tuple(int(x) for x in fields[0].split("."))
            for c in range(a, b + 1):
                self.age[c] = v
        self.white = self._set(f"{ucd_dir}/PropList.txt", "White_Space")
        join = self._set(f"{ucd_dir}/PropList.txt", "Join_Control")
        alpha = self._set(f"{ucd_dir}/DerivedCoreProperties.txt", "Alphabetic")
        excluded = self._set(f"{ucd_dir}/DerivedNormalizationProps.txt", "Full_Composition_Exclusion")
        self.word = alpha | join | {c for c, g in self.gc.items() if g[0] == "M" or g in ("Nd", "Pc")}
        self.composite = {tuple(d): c for c, d in self.decomp.items() if len(d) == 2 and c not in excluded}

    @staticmethod
    def _set(path, name):
        out = set()
        for a, b, fields in _ranges(path):
            if fields[0] == name:
                out.update(range(a, b + 1))
        return out

    def _known(self, c, version):
        return self.age.get(c, (99, 0)) <= version

    def combining_class(self, c, version):
        return self.ccc.get(c, 0) if self._known(c, version) else 0

    def _decompose(self, c, version, out):
        if S_BASE <= c < S_BASE + S_COUNT:
            s = c - S_BASE
            out += [L_BASE + s // N_COUNT, V_BASE + (s % N_COUNT) // T_COUNT]
            if s % T_COUNT:
                out.append(T_BASE + s % T_COUNT)
        elif c in self.decomp and self._known(c, version):
            for d in self.decomp[c]:
                self._decompose(d, version, out)
        else:
            out.append(c)

    def _compose_pair(self, a, b, version):
        if L_BASE <= a < L_BASE + L_COUNT and V_BASE <= b < V_BASE + V_COUNT:
            return S_BASE + ((a - L_BASE) * V_COUNT + (b - V_BASE)) * T_COUNT
        if S_BASE <= a < S_BASE + S_COUNT and (a - S_BASE) % T_COUNT == 0 and T_BASE < b < T_BASE + T_COUNT:
            return a + b - T_BASE
        c = self.composite.get((a, b))
        return c if c is not None and self._known(c, version) else None

    def nfc(self, text, version=HF_NFC_VERSION):
        """UAX #15 NFC of a str with the normalisation data of Unicode `version` (major, minor)."""
        cps = []
        for ch in text:
            self._decompose(ord(ch), version, cps)
        cc = lambda c: self.combining_class(c, version)
        for i in range(1, len(cps)):  # canonical ordering: bubble each non-starter back past higher classes
            j = i
            while j > 0 and cc(cps[j]) != 0 and cc(cps[j - 1]) > cc(cps[j]):
                cps[j - 1], cps[j] = cps[j], cps[j - 1]
                j -= 1
        if not cps:
            return ""
        # canonical composition, as the sample code of UAX #15
        starter_pos, out = 0, [cps[0]]
        last_class = cc(cps[0]) or 0
        if last_class:
            last_class = 256
        for ch in cps[1:]:
            ch_class = cc(ch)
            comp = self._compose_pair(out[starter_pos], ch, version)
            if comp is not None and (last_class < ch_class or last_class == 0):
                out[starter_pos] = comp
                continue
            if ch_class == 0:
                starter_pos = len(out)
            last_class = ch_class
            out.append(ch)
        return "".join(map(chr, out))


# ---- the byte-level alphabet -------------------------------------------------------------------------

def bytes_to_unicode():
    keep = list(range(ord("!"), ord("~") + 1)) + list(range(0xA1, 0xAD)) + list(range(0xAE, 0x100))
    table, extra = {}, 0
    for b in range(256):
        if b in keep:
            table[b] = chr(b)
        else:
            table[b] = chr(256 + extra)
            extra += 1
    return table


BYTE_ENCODER = bytes_to_unicode()
BYTE_DECODER = {c: b for b, c in BYTE_ENCODER.items()}


def byte_level(s):
    return "".join(BYTE_ENCODER[b] for b in s.encode("utf-8"))


# ---- the tokenizer -----------------------------------------------------------------------------------

class AddedToken:
    def __init__(self, id, content, special=False, single_word=False, lstrip=False, rstrip=False, normalized=True):
        self.id, self.content, self.special = id, content, special
        self.single_word, self.lstrip, self.rstrip, self.normalized = single_word, lstrip, rstrip, normalized
        self.pattern = content


class Tokenizer:
    def __init__(self, vocab, merges, added, nfc=True, add_prefix_space=False, byte_level_decoder=True,
                 unk_token=None, fuse_unk=False, ignore_merges=False, ucd=None, nfc_version=HF_NFC_VERSION):
        self.ucd = ucd or Ucd()
        self.vocab = dict(vocab)
        self.vocab_r = {i: t for t, i in self.vocab.items()}
        self.merges = {}
        for rank, (a, b) in enumerate(merges):
            for t in (a, b, a + b):
                if t not in self.vocab:
                    raise ValueError(f"merge {rank}: {t!r} is not in the vocabulary")
            self.merges[(self.vocab[a], self.vocab[b])] = (rank, self.vocab[a + b])
        self.nfc, self.nfc_version, self.add_prefix_space = nfc, nfc_version, add_prefix_space
        self.byte_level_decoder, self.fuse_unk, self.ignore_merges = byte_level_decoder, fuse_unk, ignore_merges
        self.unk_id = self.vocab[unk_token] if unk_token is not None else None
        self.added, self.added_by_id = [], {}
        for t in added:
            self._add(t)
        for t in self.added:
            if t.normalized and self.nfc:
                t.pattern = self.ucd.nfc(t.content, self.nfc_version)
        self.special_contents = {t.content for t in self.added if t.special}

    def _add(self, t):
        """HF's AddedVocabulary::add_tokens id rule; the file's id must agree (else HF warns, we refuse)."""
        if not t.content:
            return
        same = [a for a in self.added if a.content == t.content]
        if same:
            raise ValueError(f"added token {t.content!r} listed twice")
        if t.content in self.vocab:
            want = self.vocab[t.content]
        elif not self.added:
            want = len(self.vocab)
        else:
            top = max(a.id for a in self.added)
            want = top + 1 if top >= len(self.vocab) or not self.vocab else len(self.vocab)
        if want != t.id:
            raise ValueError(f"added token {t.content!r} has id {t.id}, HF would give {want}")
        self.added.append(t)
        self.added_by_id[t.id] = t

    # -- loading
    @classmethod
    def from_tokenizer_json(cls, path, **kw):
        j = json.load(open(path, encoding="utf-8"))
        m = j["model"]
        assert m.get("type", "BPE") == "BPE" and not m.get("end_of_word_suffix") and not m.get("byte_fallback")
        merges = [tuple(x.split(" ")) if isinstance(x, str) else tuple(x) for x in m["merges"]]
        assert all(len(x) == 2 for x in merges)
        norm = j.get("normalizer")
        if norm is None:
            nfc = False
        elif norm["type"] == "NFC":
            nfc = True
        else:
            assert norm["type"] == "Sequence" and all(n["type"] == "NFC" for n in norm["normalizers"])
            nfc = bool(norm["normalizers"])
        pre = j["pre_tokenizer"]
        assert pre["type"] == "Sequence" and pre["pretokenizers"][0]["pattern"]["Regex"] == PRETOKENIZE_REGEX
        bl = pre["pretokenizers"][1]
        assert bl["type"] == "ByteLevel" and bl.get("use_regex", True) is False
        added = [AddedToken(a["id"], a["content"], a.get("special", False), a.get("single_word", False),
                            a.get("lstrip", False), a.get("rstrip", False), a.get("normalized", True))
                 for a in j.get("added_tokens") or []]
        dec = j.get("decoder")
        return cls(m["vocab"], merges, added, nfc=nfc, add_prefix_space=bl.get("add_prefix_space", False),
                   byte_level_decoder=dec is not None, unk_token=m.get("unk_token"),
                   fuse_unk=m.get("fuse_unk", False), ignore_merges=m.get("ignore_merges", False), **kw)

    @classmethod
    def from_slow_files(cls, folder, **kw):
        vocab = json.load(open(f"{folder}/vocab.json", encoding="utf-8"))
        merges = []
        for i, line in enumerate(open(f"{folder}/merges.txt", encoding="utf-8")):
            line = line.strip()
            if (i == 0 and line.startswith("#version:")) or not line:
                continue
            merges.append(tuple(line.split()))
        cfg = json.load(open(f"{folder}/tokenizer_config.json", encoding="utf-8"))
        added = []
        for k in sorted(cfg.get("added_tokens_decoder", {}), key=int):
            a = cfg["added_tokens_decoder"][k]
            special = a.get("special", False)
            added.append(AddedToken(int(k), a["content"], special, a.get("single_word", False),
                                    a.get("lstrip", False), a.get("rstrip", False), a.get("normalized", not special)))
        return cls(vocab, merges, added, **kw)

    @classmethod
    def load(cls, path, **kw):
        if os.path.isdir(path):
            if os.path.exists(f"{path}/tokenizer.json"):
                return cls.from_tokenizer_json(f"{path}/tokenizer.json", **kw)
            return cls.from_slow_files(path, **kw)
        return cls.from_tokenizer_json(path, **kw)

    # -- encoding
    def _find_matches(self, s, tokens):
        """HF's AddedVocabulary::find_matches: (start, end, token or None) covering s."""
        splits, start_offset, i = [], 0, 0
        while i < len(s):
            best = None
            for j in range(i, len(s)):
                cands = [t for t in tokens if s.startswith(t.pattern, j)]
                if cands:
                    best = (j, max(cands, key=lambda t: len(t.pattern)))
                    break
            if best is None:
                break
            start, tok = best
            stop = start + len(tok.pattern)
            i = stop
            if tok.single_word:
                if (start > 0 and ord(s[start - 1]) in self.ucd.word) or (stop < len(s) and ord(s[stop]) in self.ucd.word):
                    continue
            if tok.lstrip:
                new_start = start
                while new_start > 0 and ord(s[new_start - 1]) in self.ucd.white:
                    new_start -= 1
                start = max(new_start, start_offset)
            if tok.rstrip:
                while stop < len(s) and ord(s[stop]) in self.ucd.white:
                    stop += 1
            if start_offset < start:
                splits.append((start_offset, start, None))
            splits.append((start, stop, tok))
            start_offset = stop
        if start_offset != len(s):
            splits.append((start_offset, len(s), None))
        return splits

    def _bpe(self, piece):
        """HF's BPE::merge_word + Word::merge_all on one pre-tokenised piece (a byte-level string)."""
        if self.ignore_merges and piece in self.vocab:
            return [self.vocab[piece]]
        word, last_unknown = [], False  # [id, prev, next, len]
        for ch in piece:
            if ch in self.vocab:
                word.append(self.vocab[ch])
                last_unknown = False
            elif self.unk_id is not None:
                if not (self.fuse_unk and last_unknown):
                    word.append(self.unk_id)
                last_unknown = True
        sym = [[c, i - 1, i + 1 if i + 1 < len(word) else -1, 1] for i, c in enumerate(word)]
        heap = []
        for i in range(len(sym) - 1):
            m = self.merges.get((sym[i][0], sym[i + 1][0]))
            if m:
                heap.append((m[0], i, m[1]))
        heapq.heapify(heap)
        while heap:
            rank, pos, new_id = heapq.heappop(heap)
            if sym[pos][3] == 0 or sym[pos][2] == -1:
                continue
            nxt = sym[pos][2]
            m = self.merges.get((sym[pos][0], sym[nxt][0]))
            if m is None or m[1] != new_id:
                continue
            sym[pos][0], sym[pos][3], sym[pos][2] = new_id, sym[pos][3] + sym[nxt][3], sym[nxt][2]
            sym[nxt][3] = 0
            if sym[nxt][2] != -1:
                sym[sym[nxt][2]][1] = pos
            if sym[pos][1] >= 0:
                m = self.merges.get((sym[sym[pos][1]][0], new_id))
                if m:
                    heapq.heappush(heap, (m[0], sym[pos][1], m[1]))
            if sym[pos][2] != -1:
                m = self.merges.get((new_id, sym[sym[pos][2]][0]))
                if m:
                    heapq.heappush(heap, (m[0], pos, m[1]))
        return [s[0] for s in sym if s[3] != 0]

    def pretokenize(self, s):
        return regex.findall(PRETOKENIZE_REGEX, s)

    def _encode_text(self, s, ids):
        for piece in self.pretokenize(s):
            if self.add_prefix_space and not piece.startswith(" "):
                piece = " " + piece
            ids += self._bpe(byte_level(piece))

    def encode(self, data):
        """ids of a text (bytes are decoded with errors="replace")."""
        text = data.decode("utf-8", errors="replace") if isinstance(data, bytes) else data
        raw = [t for t in self.added if not t.normalized]
        norm = [t for t in self.added if t.normalized]
        ids = []
        for a, b, tok in self._find_matches(text, raw):
            if tok:
                ids.append(tok.id)
                continue
            piece = self.ucd.nfc(text[a:b], self.nfc_version) if self.nfc else text[a:b]
            for c, d, tok2 in self._find_matches(piece, norm):
                if tok2:
                    ids.append(tok2.id)
                else:
                    self._encode_text(piece[c:d], ids)
        return ids

    # -- decoding
    def decode(self, ids, skip_special=False):
        tokens = []
        for i in ids:
            t = self.added_by_id[i].content if i in self.added_by_id else self.vocab_r.get(i)
            if t is None or (skip_special and t in self.special_contents):
                continue
            tokens.append(t)
        if not self.byte_level_decoder:
            return " ".join(tokens)
        out = bytearray()
        for t in tokens:
            if all(c in BYTE_DECODER for c in t):
                out += bytes(BYTE_DECODER[c] for c in t)
            else:
                out += t.encode("utf-8")
        return out.decode("utf-8", errors="replace")


# ---- self-check --------------------------------------------------------------------------------------

def self_check(ucd):
    """NFC against the UCD 15.0 conformance file, and against Python's unicodedata (14.0) at version 14."""
    import bz2
    path = f"{UCD_DIR}/NormalizationTest.txt.bz2"
    lines = bz2.open(path, "rt", encoding="utf-8").read().splitlines()
    rows = [[("".join(chr(int(x, 16)) for x in f.split())) for f in l.split(";")[:5]]
            for l in lines if l and not l.startswith(("#", "@"))]
    bad = sum(1 for c in rows for src, want in ((0, 1), (1, 1), (2, 1), (3, 3), (4, 3))
              if ucd.nfc(c[src], (15, 0)) != c[want])
    print(f"NormalizationTest 15.0: {len(rows)} lines, {bad} failures")
    v14 = tuple(int(x) for x in unicodedata.unidata_version.split(".")[:2])
    strings = [chr(c) for c in range(0x110000) if not 0xD800 <= c < 0xE000] + [r[0] for r in rows]
    bad14 = sum(1 for s in strings if ucd.nfc(s, v14) != unicodedata.normalize("NFC", s))
    print(f"unicodedata {unicodedata.unidata_version} vs version {v14}: {len(strings)} strings, {bad14} differ")
    return 1 if bad or bad14 else 0


def main(argv):
    if argv[1:] == ["--self-check"]:
        return self_check(Ucd())
    tok = Tokenizer.load(argv[1])
    if argv[2] == "encode":
        print(" ".join(map(str, tok.encode(argv[3].encode("utf-8", errors="surrogateescape")))))
    else:
        print(tok.decode([int(x) for x in argv[3:]]))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
