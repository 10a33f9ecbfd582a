#!/usr/bin/python3
"""An independent, deliberately plain Python CLIP tokenizer (spec encoders-and-captioner.md §2.5) used to
write tests/data/tokenizer/real_vocab_golden.txt for texts beyond the spec's three vectors. It reads
OpenAI's bpe_simple_vocab_16e6.txt.gz, classifies characters with unicodedata (\\p{L}, \\p{N}, White_Space)
and runs the reference's rescanning BPE loop. Cleanup covers only what the chosen texts need (invalid
UTF-8 → U+FFFD, uncurled quotes, NFC, whitespace_clean, lower); ftfy is not installed here.

  /usr/bin/python3 tools/reference/clip_tokenizer_reference.py data/clip/bpe_simple_vocab_16e6.txt.gz \\
      > tests/data/tokenizer/real_vocab_golden.txt

Output: one line per text, `hex(utf-8 bytes) TAB ids separated by spaces` (BOS .. EOS, no padding).
"""
import gzip
import sys
import unicodedata

WHITE_SPACE = set([0x85, 0xA0, 0x1680, 0x2028, 0x2029, 0x202F, 0x205F, 0x3000] + list(range(9, 14)) + [32] +
                  list(range(0x2000, 0x200B)))


def byte_alphabet():
    keep = list(range(33, 127)) + list(range(161, 173)) + list(range(174, 256))
    rest = [b for b in range(256) if b not in keep]
    order = keep + rest
    chars = [chr(b) for b in keep] + [chr(256 + k) for k in range(len(rest))]
    return dict(zip(order, chars)), chars


def load(path):
    lines = gzip.open(path).read().decode("utf-8").split("\n")[1:49152 - 256 - 2 + 1]
    merges = [tuple(l.split()) for l in lines]
    enc, chars = byte_alphabet()
    vocab = chars + [c + "</w>" for c in chars] + ["".join(m) for m in merges]
    vocab += ["<|startoftext|>", "<|endoftext|>"]
    return enc, {m: i for i, m in enumerate(merges)}, {s: i for i, s in enumerate(vocab)}


def is_space(c):
    return ord(c) in WHITE_SPACE


def cat(c):
    return unicodedata.category(c)[0]


def pieces(text):
    i, n = 0, len(text)
    while i < n:
        c = text[i]
        if is_space(c):
            i += 1
            continue
        for lit in ("<|startoftext|>", "<|endoftext|>"):
            if text.startswith(lit, i):
                yield lit
                i += len(lit)
                break
        else:
            if c == "'" and any(text.startswith(k, i + 1) for k in ("s", "t", "re", "ve", "m", "ll", "d")):
                k = next(k for k in ("s", "t", "re", "ve", "m", "ll", "d") if text.startswith(k, i + 1))
                yield text[i:i + 1 + len(k)]
                i += 1 + len(k)
            elif cat(c) == "L":
                j = i
                while j < n and cat(text[j]) == "L":
                    j += 1
                yield text[i:j]
                i = j
            elif cat(c) == "N":
                yield c
                i += 1
            else:
                j = i
                while j < n and not is_space(text[j]) and cat(text[j]) not in "LN":
                    j += 1
                yield text[i:j]
                i = j


def bpe(word, ranks):
    word = list(word[:-1]) + [word[-1] + "</w>"]
    while len(word) > 1:
        pairs = set(zip(word, word[1:]))
        best = min(pairs, key=lambda p: ranks.get(p, float("inf")))
        if best not in ranks:
            break
        out, i = [], 0
        while i < len(word):
            if i + 1 < len(word) and (word[i], word[i + 1]) == best:
                out.append(word[i] + word[i + 1])
                i += 2
            else:
                out.append(word[i])
                i += 1
        word = out
    return word


def tokenize(raw, enc, ranks, vocab):
    text = raw.decode("utf-8", errors="replace")
    text = text.replace("\u2019", "'").replace("\u2018", "'").replace("\u201c", '"').replace("\u201d", '"')
    text = unicodedata.normalize("NFC", text)
    text = " ".join("".join(" " if is_space(c) else c for c in text).split(" "))
    text = " ".join(t for t in text.split(" ") if t).lower()
    ids = []
    for p in pieces(text):
        if p in ("<|startoftext|>", "<|endoftext|>"):
            ids.append(vocab[p])
            continue
        sym = "".join(enc[b] for b in p.encode("utf-8"))
        ids += [vocab.get(s, 49407) for s in bpe(sym, ranks)]
    return [49406] + ids[:75] + [49407]


TEXTS = [
    "a photo of a cat",
    "Hello, World!!! It's 2024; don't you'll we've I'm she'd they're",
    "   lots   of\tspaces\n\nand  newlines   ",
    "café naïve résumé Ångström",
    "Привет мир, ΑΘΗΝΑ and 東京タワー 12345",
    "The “curly” quotes ‘single’ and emoji 🙂👍🏽",
    "pi=3.14159... $100 #hashtag @user a-b_c/d\\e",
    "x" * 300,
    "supercalifragilisticexpialidocious antidisestablishmentarianism",
    "A scratched metal nut with a small dent near the edge; the surface is otherwise smooth and "
    "uniformly grey, with a circular hole in the centre. Lighting is even and the background is "
    "plain black. There are no other objects in the image, and the nut sits flat on the surface.",
    "bad utf8 \xff\xfe here \xe2\x82 end \xed\xa0\x80 x \xf0\x9f\x99",
    "a<|endoftext|>b <|startoftext|>c",
    "''s 's't 'RE 'LL 'Ve mmm'd",
]


def main():
    enc, ranks, vocab = load(sys.argv[1])
    for t in TEXTS:
        raw = t.encode("latin-1") if t.startswith("bad utf8") else t.encode("utf-8")
        print(raw.hex() + "\t" + " ".join(str(i) for i in tokenize(raw, enc, ranks, vocab)))


if __name__ == "__main__":
    main()
