#!/usr/bin/python3
"""Makes the caption-writer goldens: the bytes Python's json.dump writes for VLMDiff's caption files
(captioner.py: json.dump(list, fp) with the defaults: ensure_ascii, ", " and ": " separators, no newline).

  tests/data/captions/inputs.bin       the input strings as raw bytes (some deliberately invalid UTF-8):
                                       per item a 4-byte little-endian length, then the bytes
  tests/data/captions/decoded.bin      the same items after bytes.decode("utf-8", errors="replace"),
                                       re-encoded as UTF-8 (what a reader of the JSON must get back)
  tests/data/captions/captions.json    json.dump(decoded items)                 (a *_captions_*.json)
  tests/data/captions/labels_lists.json  json.dump([[item] for item in decoded])  (captioner.py's COCO labels)
  tests/data/captions/empty.json       json.dump([])

  /usr/bin/python3 tools/reference/make_caption_goldens.py
"""
import json
import os
import struct

HERE = os.path.dirname(os.path.abspath(__file__))
OUT = os.path.join(HERE, "..", "..", "tests", "data", "captions")

ITEMS = [
    b"A plain ASCII caption.",
    'quote " backslash \\ slash / apostrophe \' braces {} [] colon: comma,'.encode(),
    b"controls \x01\x07\x08\t\n\x0b\x0c\r\x1b\x1f and DEL \x7f end",
    "caf\u00e9 na\u00efve \u2014 \u201cquoted\u201d \u2018x\u2019 \u00bd \u00a9".encode(),
    "emoji \U0001F600 \U0001F389 clef \U0001D11E flag \U0001F1EB\U0001F1F7".encode(),
    "CJK \u6f22\u5b57 \u304b\u306a \ud55c\uae00".encode(),
    "edges \u007e \u0080 \u07ff \u0800 \uffff \U00010000 \U0010ffff".encode(),
    "BOM \ufeff NBSP \u00a0 ZWSP \u200b real replacement \ufffd".encode(),
    b"",
    b"invalid: lone \xff, truncated \xe2\x82, surrogate \xed\xa0\x80, overlong \xc0\xaf, 5-byte \xf8\x88\x80\x80\x80 end",
    ("The image shows a transparent glass bottle viewed from above, with a circular opening in the "
     "center. The bottle's rim is smooth and uniform, and there are no visible cracks, chips or "
     "contamination. The lighting is even, highlighting the clear glass and its reflections.").encode(),
    b"zipper/test/squeezed_teeth/000.png",
]


def write_items(path, items):
    with open(path, "wb") as f:
        for b in items:
            f.write(struct.pack("<I", len(b)))
            f.write(b)


def main():
    os.makedirs(OUT, exist_ok=True)
    decoded = [b.decode("utf-8", errors="replace") for b in ITEMS]
    write_items(os.path.join(OUT, "inputs.bin"), ITEMS)
    write_items(os.path.join(OUT, "decoded.bin"), [s.encode("utf-8") for s in decoded])
    with open(os.path.join(OUT, "captions.json"), "w") as fp:
        json.dump(decoded, fp)
    with open(os.path.join(OUT, "labels_lists.json"), "w") as fp:
        json.dump([[s] for s in decoded], fp)
    with open(os.path.join(OUT, "empty.json"), "w") as fp:
        json.dump([], fp)


if __name__ == "__main__":
    main()
