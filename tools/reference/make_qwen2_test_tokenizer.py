#!/usr/bin/python3
"""Makes the Qwen2 tokenizer's test data with the Python reference (qwen2_tokenizer_reference.py):

  tests/data/qwen2/tokenizer.json      a small Qwen2-kind tokenizer: byte-level BPE with MERGES merges
                                       trained deterministically on a generated corpus (letters of many
                                       scripts, contractions, digits, punctuation, whitespace, CJK, emoji,
                                       combining marks), Qwen2's pipeline, Qwen2's and InternVL's special
                                       tokens plus added tokens exercising lstrip/rstrip, single_word,
                                       normalized and longest match. UTF-8, as HF writes it.
  tests/data/qwen2/order_tokenizer.json  four tokens whose merges make HF's (rank, position) order differ
                                       from the Python slow tokenizer's rank-batch loop, plus an emoji
                                       added token; written with \\u escapes (surrogate pairs included)
  tests/data/qwen2/encode_golden.txt   hex(text bytes) TAB ids TAB hex(decode) TAB hex(decode skip_special)
  tests/data/qwen2/decode_golden.txt   ids TAB hex(decode) TAB hex(decode skip_special)
  tests/data/qwen2/pretokenize_golden.txt  hex(text) TAB lengths (code points) of regex.findall's pieces
  tests/data/unicode/nfc_golden.txt    code points TAB NFC (Unicode 15.0) TAB NFC (Unicode 9.0, '=' if same),
                                       a sample of NormalizationTest.txt plus every line where they differ

  /usr/bin/python3 tools/reference/make_qwen2_test_tokenizer.py
"""
import bz2
import collections
import json
import os
import random
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import qwen2_tokenizer_reference as ref  # noqa: E402

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
OUT = os.path.join(ROOT, "tests", "data", "qwen2")
MERGES = 2500
SEED = 20251204

SYSTEM = "你是由上海人工智能实验室联合商汤科技开发的书生多模态大模型，英文名叫InternVL, 是一个有用无害的人工智能助手。"
PD = ("Describe the visual features of image in detail with a focus on the main object, with around 60 words "
      "and maybe 4 or 5 sentences.")
SPECIALS = ["<|endoftext|>", "<|im_start|>", "<|im_end|>", "<img>", "</img>", "<IMG_CONTEXT>", "<quad>", "</quad>",
            "<ref>", "</ref>", "<box>", "</box>"]

WORDS = """the a of to and in is it that for on with as was be by this are at from or an have not but what all
were when we there can your which their said if do will each about how up out them then she many some so these
would other into has more her two like him see time could no make than first been its who now people my made
over did down only way find use may water long little very after words called just where most know get through
back much before go good new write our used me man too any day same right look think also around another came
come work three word must because does part even place well such here take why things help put years different
away again off went old number great tell men say small every found still between name should home big give air
line set own under read last never us left end along while might next sound below saw something thought both
few those always looked show large often together asked house don't world going want school important until form
food keep children feet land side without boy once animal life enough took four head above kind began almost live
page got earth need far hand high year mother light country father let night picture being study second soon story
since white ever paper hard near sentence better best across during today however sure knew it's try told young
sun thing whole hear example heard several change answer room sea against top turned learn point city play toward
five himself usually money seen didn't car morning i'm body upon family later turn move face door cut done group
true leave color red friend pretty eat front feel fact hour rock open ground interest reached fast sign bottle
screw carpet leather tile wood hazelnut capsule pill transistor metal nut grid cable zipper toothbrush anomaly
scratch crack hole defect surface texture object image visual features detail focus main around words sentences""".split()
CONTRACTIONS = ["don't", "it's", "we're", "they've", "I'm", "you'll", "she'd", "DON'T", "IT'S", "We'Re", "You'LL",
                "He'D", "I'M", "can't", "won't", "isn't", "let's", "o'clock", "rock'n'roll", "l'avion"]
SCRIPTS = ("café naïve résumé Straße über Ærøskøbing façade crème brûlée señor niño Ελλάδα Αθήνα λόγος "
           "φιλοσοφία привет мир Москва спасибо україна مرحبا سلام العربية שלום עברית नमस्ते भारत हिन्दी "
           "สวัสดี ภาษาไทย 你好 世界 模型 图像 检测 异常 纹理 表面 こんにちは カタカナ ひらがな 日本語 "
           "안녕하세요 한국어 감사합니다 ქართული Հայերեն ትግርኛ").split()
DIGITS = ["0", "1", "7", "42", "2024", "3.14159", "1,000,000", "٣٤٥", "०१२", "０１２", "²³", "½", "Ⅻ", "⑦", "𝟗"]
PUNCT = [".", ",", "!", "?", "...", "?!", "!!!", "--", "-", "(", ")", "[", "]", "{", "}", "\"", "'", "«", "»",
         "“", "”", "‘", "’", ":", ";", "/", "\\", "@", "#", "$", "€", "%", "^", "&", "*", "+", "=", "<", ">", "|",
         "~", "`", "©", "™", "→", "∑", "、", "。", "，", "！"]
EMOJI = ["😀", "👍", "👍🏽", "❤️", "👨‍👩‍👧", "🙂", "🚀", "🇯🇵", "✔", "☕"]
SPACES = [" ", " ", " ", " ", "  ", "   ", "\t", "\n", "\n\n", "\r\n", " \n", "\u00a0", "\u3000", "\u2028"]
COMBINING = ["cafe\u0301", "e\u0301te\u0301", "A\u030a", "n\u0303", "a\u0301\u0316", "\u1100\u1161\u11a8",
             "Å", "o\u0308\u0304"]


def corpus(rng):
    pools = [WORDS] * 6 + [CONTRACTIONS, SCRIPTS, SCRIPTS, DIGITS, PUNCT, EMOJI, COMBINING]
    lines = [SYSTEM, PD] * 20
    for _ in range(3000):
        out = []
        for _ in range(rng.randint(3, 14)):
            w = rng.choice(rng.choice(pools))
            if rng.random() < 0.15:
                w = w.capitalize()
            out.append(w)
            out.append(rng.choice(SPACES) if rng.random() < 0.3 else " ")
            if rng.random() < 0.2:
                out.append(rng.choice(PUNCT))
        lines.append("".join(out))
    return lines


# ---- BPE training -----------------------------------------------------------------------------------

def train(lines, ucd, merges_wanted):
    """Classic BPE training over pre-tokenised byte-level words: merge the most frequent adjacent pair,
    ties broken by the smallest (left, right) strings; deterministic."""
    tok = ref.Tokenizer({}, [], [], ucd=ucd)
    counts = collections.Counter()
    for line in lines:
        for piece in tok.pretokenize(ucd.nfc(line)):
            counts[ref.byte_level(piece)] += 1
    words = [[list(w), c] for w, c in counts.items()]
    pair_count, pair_words = collections.Counter(), collections.defaultdict(set)
    for i, (syms, c) in enumerate(words):
        for a, b in zip(syms, syms[1:]):
            pair_count[(a, b)] += c
            pair_words[(a, b)].add(i)
    merges = []
    while len(merges) < merges_wanted and pair_count:
        best = min(pair_count, key=lambda p: (-pair_count[p], p))
        if pair_count[best] <= 0:
            break
        merges.append(best)
        a, b = best
        for i in sorted(pair_words.pop(best, ())):
            syms, c = words[i]
            for x, y in zip(syms, syms[1:]):
                pair_count[(x, y)] -= c
            new, j = [], 0
            while j < len(syms):
                if j + 1 < len(syms) and syms[j] == a and syms[j + 1] == b:
                    new.append(a + b)
                    j += 2
                else:
                    new.append(syms[j])
                    j += 1
            words[i][0] = new
            for x, y in zip(new, new[1:]):
                pair_count[(x, y)] += c
                pair_words[(x, y)].add(i)
        pair_count = collections.Counter({p: n for p, n in pair_count.items() if n > 0})
    return merges


def added_tokens(first_id):
    specs = [dict(content=s, special=True, normalized=False) for s in SPECIALS]
    specs += [
        dict(content="<mask>", special=True, normalized=False, lstrip=True, rstrip=True),
        dict(content="wordtok", special=False, normalized=False, single_word=True),
        dict(content="e\u0301t\u00e9", special=False, normalized=True),  # matched as its NFC, "été"
        dict(content="hello world", special=False, normalized=True),   # a space: decoded from its UTF-8
        dict(content="🙂🙂", special=False, normalized=False),
        dict(content="<|im", special=True, normalized=False),         # a prefix of <|im_start|>
    ]
    out = []
    for k, s in enumerate(specs):
        e = dict(id=first_id + k, content=s["content"], single_word=s.get("single_word", False),
                 lstrip=s.get("lstrip", False), rstrip=s.get("rstrip", False), normalized=s["normalized"],
                 special=s["special"])
        out.append(e)
    return out


def tokenizer_json(vocab, merges, added):
    bl = {"type": "ByteLevel", "add_prefix_space": False, "trim_offsets": False, "use_regex": False}
    return {
        "version": "1.0", "truncation": None, "padding": None, "added_tokens": added,
        "normalizer": {"type": "NFC"},
        "pre_tokenizer": {"type": "Sequence", "pretokenizers": [
            {"type": "Split", "pattern": {"Regex": ref.PRETOKENIZE_REGEX}, "behavior": "Isolated", "invert": False},
            bl]},
        "post_processor": bl, "decoder": bl,
        "model": {"type": "BPE", "dropout": None, "unk_token": None, "continuing_subword_prefix": "",
                  "end_of_word_suffix": "", "fuse_unk": False, "byte_fallback": False, "ignore_merges": False,
                  "vocab": vocab, "merges": [f"{a} {b}" for a, b in merges]},
    }


def build_vocab(merges):
    order = [b for b in range(33, 127)] + list(range(161, 173)) + list(range(174, 256))
    order += [b for b in range(256) if b not in order]
    vocab = {ref.BYTE_ENCODER[b]: i for i, b in enumerate(order)}
    for a, b in merges:
        vocab.setdefault(a + b, len(vocab))
    return vocab


def write_json(path, obj, ascii_only=False):
    with open(path, "w", encoding="utf-8") as f:
        json.dump(obj, f, ensure_ascii=ascii_only, indent=1)
        f.write("\n")


# ---- goldens ----------------------------------------------------------------------------------------

def golden_texts(rng):
    t = ["", "Hello world", "Hello, World! It's a test.", "hello", " hello", "  hello", "hello ", "hello  ",
         "I'M HERE, YOU'LL SEE, WE'RE DONE, THEY'VE GONE, SHE'D, DON'T, it'S", "'s 't 're 've 'm 'll 'd",
         "'S'T'RE'VE'M'LL'D", "x'sy 'ſ ſ's 'x", "l'avion rock'n'roll o'clock", "''s", "'", "'r 'l",
         "12345 and 3.14159", "٣٤٥ ०१२ ０１２ ²³ ½ Ⅻ ⑦ 𝟗", "1a2b3c", "a1", " 1", "  1",
         "Wait... what?!?! (yes) -- [no] {maybe} \"quoted\" «guillemets»", " !!! ", "!\n\n", "x!\r\ny",
         "a  b   c", "trailing   ", "   leading", "tabs\tand\t\ttabs", "line\nbreak", "windows\r\nbreak",
         "double\n\nnewline", "spaces before newline   \n  next", "\n\n\n", " ", "\t", "\n", "x \n", "a \n\n b",
         "mixed \u00a0nbsp\u3000ideographic\u2028sep\u0085nel", "\u00a0word", "\u3000世界", "\tword",
         "Ελλάδα Αθήνα, привет мир! مرحبا שלום नमस्ते भारत สวัสดี",
         "你好，世界。模型检测异常。", "こんにちは カタカナ 日本語", "안녕하세요 한국어", "ქართული Հայերեն ትግርኛ",
         "I ❤️ NLP 👍🏽 👨‍👩‍👧 🙂 🚀 🇯🇵", "😀😀😀",
         "cafe\u0301", "e\u0301te\u0301", "A\u030a", "\u1100\u1161\u11a8", "a\u0301\u0316", "Å", "\u0301alone",
         "o\u0308\u0304", "\u0928\u093e\u092e\u0938\u094d\u0924\u0947",
         "<|im_start|>system\nYou are helpful.<|im_end|><|im_start|>user\nHi<|im_end|><|im_start|>assistant\n",
         "a<|endoftext|>b", "<|im_start|><|im_end|>", "<|im", "<|imx", "<|im_start", "<|IM_START|>",
         "<img><IMG_CONTEXT><IMG_CONTEXT></img>\nDescribe", "<|im_end|>\u0338", ">\u0338",
         "say <mask> now", "a\t <mask> \tb", "<mask><mask>", " <mask>", "<mask> ", "x <mask>\u3000y",
         "wordtok alone", "xwordtok", "wordtoky", "(wordtok)", "wordtok_", "wordtok\u0301", "é wordtok",
         "e\u0301té", "été", "ete\u0301", "hello world", "Hello world", "say hello world!", "hello  world",
         "🙂🙂🙂", "🙂", SYSTEM, PD,
         f"<|im_start|>system\n{SYSTEM}<|im_end|><|im_start|>user\n<img>{'<IMG_CONTEXT>' * 8}</img>\n{PD}"
         "<|im_end|><|im_start|>assistant\n"]
    pool = WORDS[:60] + CONTRACTIONS + SCRIPTS + DIGITS + PUNCT + EMOJI + SPACES + COMBINING + SPECIALS + [
        "<mask>", "wordtok", "été", "hello world", "🙂🙂"]
    for _ in range(120):
        t.append("".join(rng.choice(pool) for _ in range(rng.randint(1, 8))))
    data = [s.encode("utf-8") for s in t]
    data += [b"\xff", b"abc\xc3", b"\xe2\x82", b"\xed\xa0\x80", b"\xf0\x9f\x98x", b"\xc0\xaf", b"ok\x80\x80ok",
             b"\xf5\x80", b"a\x00b", b"\xe4\xbd", b"<|im_end|>\xff<|im_end|>", b"caf\x65\xcc", b"\xf4\x90\x80\x80"]
    return data


def write_encode_golden(tok, path, rng):
    with open(path, "w", encoding="ascii") as f:
        for data in golden_texts(rng):
            ids = tok.encode(data)
            f.write("%s\t%s\t%s\t%s\n" % (data.hex(), " ".join(map(str, ids)), tok.decode(ids).encode().hex(),
                                           tok.decode(ids, True).encode().hex()))


def write_decode_golden(tok, path, rng, n_ids):
    with open(path, "w", encoding="ascii") as f:
        for k in range(80):
            ids = [rng.randrange(n_ids + 3) for _ in range(rng.randint(1, 6))]
            if k < 10:
                ids = [rng.randrange(256)]  # single bytes: most are invalid UTF-8 alone
            f.write("%s\t%s\t%s\n" % (" ".join(map(str, ids)), tok.decode(ids).encode().hex(),
                                       tok.decode(ids, True).encode().hex()))


def class_boundaries(ucd):
    """Code points either side of every boundary of \\p{L}, \\p{N} and White_Space (Unicode 15.0)."""
    def runs(pred):
        out, prev = set(), False
        for c in range(0x110001):
            cur = c < 0x110000 and pred(c)
            if cur != prev:
                out.update((c - 1, c))
            prev = cur
        return out
    gc = lambda c: ucd.gc.get(c, "Cn")
    pts = runs(lambda c: gc(c)[0] == "L") | runs(lambda c: gc(c)[0] == "N") | runs(lambda c: c in ucd.white)
    return sorted(c for c in pts if 0 <= c < 0x110000 and not 0xD800 <= c < 0xE000)


def write_pretokenize_golden(tok, ucd, path, rng):
    edges = class_boundaries(ucd)
    ascii_pool = list("'sStTrReEvVmMlLdD \r\n\t!.,0a") + ["ſ", "\u00a0", "\u0301", "世", "1"]
    rng.shuffle(edges)
    with open(path, "w", encoding="ascii") as f:
        i = 0
        while i < len(edges):
            s = []
            for _ in range(rng.randint(4, 14)):
                if rng.random() < 0.45 and i < len(edges):
                    s.append(chr(edges[i]))
                    i += 1
                else:
                    s.append(rng.choice(ascii_pool))
            s = "".join(s)
            pieces = tok.pretokenize(s)
            assert "".join(pieces) == s
            f.write("%s\t%s\n" % (s.encode("utf-8", "surrogatepass").hex(), " ".join(str(len(p)) for p in pieces)))


def write_nfc_golden(ucd, path):
    lines = bz2.open(f"{ref.UCD_DIR}/NormalizationTest.txt.bz2", "rt", encoding="utf-8").read().splitlines()
    part, rows = None, []
    for line in lines:
        if line.startswith("@Part"):
            part = line.split()[0]
            continue
        if not line or line.startswith("#"):
            continue
        src = "".join(chr(int(x, 16)) for x in line.split(";")[0].split())
        n15, n9 = ucd.nfc(src, (15, 0)), ucd.nfc(src, (9, 0))
        if part in ("@Part0", "@Part3") or (part == "@Part2" and len(rows) % 4 == 0) or n9 != n15 or \
                (part == "@Part1" and len(rows) % 12 == 0):
            rows.append((src, n15, n9))
    hexs = lambda s: " ".join("%X" % ord(c) for c in s)
    with open(path, "w", encoding="ascii") as f:
        for src, n15, n9 in rows:
            f.write("%s\t%s\t%s\n" % (hexs(src), hexs(n15), "=" if n9 == n15 else hexs(n9)))


def order_tokenizer():
    """'abab' with merges (ab, a) rank 0 and (a, b) rank 1: HF merges (a,b)@0, then (ab,a)@0 before
    (a,b)@2 → [aba, b]; the rank-batch loop merges both (a,b) first → [ab, ab]."""
    vocab = {"a": 0, "b": 1, "ab": 2, "aba": 3, "\u0120": 4}
    added = [dict(id=5, content="\U0001F642<|x|>", single_word=False, lstrip=False, rstrip=False,
                  normalized=False, special=True)]
    return tokenizer_json(vocab, [("ab", "a"), ("a", "b")], added)


def check_slow_files(tok_json, tok, texts):
    """The slow files of the same tokenizer encode every golden text the same."""
    j = json.load(open(tok_json, encoding="utf-8"))
    with tempfile.TemporaryDirectory() as d:
        json.dump(j["model"]["vocab"], open(f"{d}/vocab.json", "w", encoding="utf-8"), ensure_ascii=False)
        with open(f"{d}/merges.txt", "w", encoding="utf-8") as f:
            f.write("#version: 0.2\n" + "\n".join(j["model"]["merges"]) + "\n")
        dec = {str(a["id"]): {k: a[k] for k in a if k != "id"} for a in j["added_tokens"]}
        json.dump({"tokenizer_class": "Qwen2Tokenizer", "added_tokens_decoder": dec},
                  open(f"{d}/tokenizer_config.json", "w", encoding="utf-8"))
        slow = ref.Tokenizer.from_slow_files(d, ucd=tok.ucd)
        assert all(slow.encode(t) == tok.encode(t) for t in texts)


def main():
    ucd = ref.Ucd()
    rng = random.Random(SEED)
    lines = corpus(rng)
    merges = train(lines, ucd, MERGES)
    vocab = build_vocab(merges)
    os.makedirs(OUT, exist_ok=True)
    path = os.path.join(OUT, "tokenizer.json")
    write_json(path, tokenizer_json(vocab, merges, added_tokens(len(vocab))))
    write_json(os.path.join(OUT, "order_tokenizer.json"), order_tokenizer(), ascii_only=True)
    tok = ref.Tokenizer.load(path, ucd=ucd)
    order = ref.Tokenizer.load(os.path.join(OUT, "order_tokenizer.json"), ucd=ucd)
    assert order.encode("abab") == [3, 1] and order.encode("ab ab\U0001F642<|x|>") == [2, 4, 2, 5]
    write_encode_golden(tok, os.path.join(OUT, "encode_golden.txt"), random.Random(SEED + 1))
    write_decode_golden(tok, os.path.join(OUT, "decode_golden.txt"), random.Random(SEED + 2),
                        len(vocab) + len(tok.added))
    write_pretokenize_golden(tok, ucd, os.path.join(OUT, "pretokenize_golden.txt"), random.Random(SEED + 3))
    os.makedirs(os.path.join(ROOT, "tests", "data", "unicode"), exist_ok=True)
    write_nfc_golden(ucd, os.path.join(ROOT, "tests", "data", "unicode", "nfc_golden.txt"))
    check_slow_files(path, tok, golden_texts(random.Random(SEED + 1)))
    print(f"{len(merges)} merges, {len(vocab)} vocabulary entries, {len(tok.added)} added tokens")
    return 0


if __name__ == "__main__":
    sys.exit(main())
