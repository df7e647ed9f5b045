"""Write tests/fixtures/reference/smollm2_digits.json: SmolLM2 token ids from a second BPE.

transformers' GGUF tokenizer drops the model's ``smollm`` pre-tokenizer rule (every digit
is split off before the GPT-2 byte-level regex), so it cannot check our tokenizer on text
with digits or odd whitespace. This is an independent implementation of what llama.cpp
does for ``tokenizer.ggml.pre == smollm``: its two regexes (a lone digit, then GPT-2's
pattern), GPT-2's byte-to-unicode table, and the plain BPE loop (merge the lowest-ranked
adjacent pair until none is in the merge list), written from those definitions with the
``regex`` module and no Hugging Face code. Only the GGUF file is shared with aiguide.

Usage (the model package installed by `make figures-deps`):
    .venv/bin/python tools/make_digit_reference.py
"""

from __future__ import annotations

import itertools
import json
import sys
from pathlib import Path

import regex

from aiguide.models.paths import gguf_field

OUT = Path(__file__).resolve().parents[1] / "tests" / "fixtures" / "reference" / "smollm2_digits.json"

# llama.cpp, LLAMA_VOCAB_PRE_TYPE_SMOLLM: first a single digit, then GPT-2's pattern.
PRE_TOKENIZE = [
    r"\p{N}",
    r"'s|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+",
]

TEXTS = [
    "\n\n1.", "In 2024, 12 apples", "3.14159", "a  1", "x\n 22", "1 000 000", "  7  ", "\t9\t",
    "v2.0.1-rc3", "2^10 = 1024", "\n\n\n", "  leading", "trailing  ", "tab\tand\nnewline",
    "¹²³ ٣ 5", "£30,000.50", "12:30pm", "no digits at all", "a\n\n\nb", " \n 1",
]


def split(text: str, patterns: list[str]) -> list[str]:
    """Apply each regex in turn to the pieces the previous one left (matches and gaps)."""
    pieces = [text]
    for pattern in patterns:
        out: list[str] = []
        for piece in pieces:
            position = 0
            for match in regex.finditer(pattern, piece):
                if match.start() > position:
                    out.append(piece[position:match.start()])
                out.append(match.group())
                position = match.end()
            if position < len(piece):
                out.append(piece[position:])
        pieces = out
    return pieces


def byte_to_unicode() -> dict[int, str]:
    """GPT-2's table: printable bytes stand for themselves, the rest move to U+0100 on."""
    keep = [*range(ord("!"), ord("~") + 1), *range(0xA1, 0xAC + 1), *range(0xAE, 0xFF + 1)]
    table, shift = {}, 0
    for b in range(256):
        if b in keep:
            table[b] = chr(b)
        else:
            table[b] = chr(256 + shift)
            shift += 1
    return table


def bpe(word: str, ranks: dict[tuple[str, str], int]) -> list[str]:
    parts = list(word)
    while len(parts) > 1:
        pairs = [(ranks.get(pair, 1 << 30), i) for i, pair in enumerate(itertools.pairwise(parts))]
        rank, i = min(pairs)
        if rank == 1 << 30:
            break
        parts[i:i + 2] = [parts[i] + parts[i + 1]]
    return parts


def encode(text: str, vocab: dict[str, int], ranks: dict[tuple[str, str], int]) -> list[int]:
    table = byte_to_unicode()
    ids: list[int] = []
    for piece in split(text, PRE_TOKENIZE):
        word = "".join(table[b] for b in piece.encode("utf-8"))
        ids += [vocab[part] for part in bpe(word, ranks)]
    return ids


def main() -> int:
    tokens = gguf_field("tokenizer.ggml.tokens")
    merges = gguf_field("tokenizer.ggml.merges")
    vocab = {t: i for i, t in enumerate(tokens)}
    ranks = {tuple(m.split(" ")): rank for rank, m in enumerate(merges)}
    cases = [{"text": t, "ids": encode(t, vocab, ranks)} for t in TEXTS]
    OUT.write_text(json.dumps({"made_by": "tools/make_digit_reference.py", "cases": cases},
                              ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    print(f"{OUT}: {len(cases)} texts")
    return 0


if __name__ == "__main__":
    sys.exit(main())
