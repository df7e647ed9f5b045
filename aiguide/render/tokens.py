"""Tokens: one text cut by several tokenizers, each as a row of coloured chips."""

from __future__ import annotations

from aiguide.records import Token, Tokenization, TokensData
from aiguide.render.html import esc, figure, fixed, is_byte, looks_special, tip, token_html

# Six tints; chip i gets tint i % 6, so neighbours always differ.
TINTS = 6


def render(data: TokensData, *, key: str, caption: str | None) -> str:
    rows = "".join(_row(t) for t in data["tokenizers"])
    labels = [t["label"] for t in data["tokenizers"]]
    counts = ", ".join(f"{t['label']}: {t['count']} tokens" for t in data["tokenizers"])
    text = data["text"]
    shown = text if len(text) <= 80 else text[:80] + "…"
    return figure(
        "tokens",
        key,
        summary=f"The text “{shown}” ({len(text)} characters) split into tokens. {counts}.",
        body=rows,
        caption=caption or "The same text, split into tokens by different tokenizers.",
        credit=("Tokenizers: " if len(labels) > 1 else "Tokenizer: ") + ", ".join(labels),
    )


def _row(tokenization: Tokenization) -> str:
    """Label, count and characters per token, then the chips."""
    label, count = tokenization["label"], tokenization["count"]
    chips = "".join(_chip(i, token) for i, token in enumerate(tokenization["tokens"]))
    return (
        '<div class="aig-tokrow">'
        f'<p class="aig-toklabel"><strong>{esc(label)}</strong> '
        f'<span class="aig-stat">{count} tokens · '
        f"{fixed(tokenization['chars_per_token'], 2)} characters per token</span></p>"
        f'<ol class="aig-chips" aria-label="{esc(label)}: {count} tokens">{chips}</ol>'
        "</div>"
    )


def _chip(index: int, token: Token) -> str:
    """One chip; after a newline the next chip starts a new line, as in the text."""
    outside = token["start"] == token["end"] and not is_byte(token["text"])
    special = outside or looks_special(token["text"])  # [UNK] covers text yet is special
    kind = "aig-special" if special else f"aig-c{index % TINTS}"
    chip = (
        f'<li class="aig-hover aig-chip {kind}" tabindex="0">'
        f"{token_html(token['text'])}{tip(_about(token, outside))}</li>"
    )
    if token["text"].endswith("\n"):
        chip += '<li class="aig-break" aria-hidden="true"></li>'
    return chip


def _about(token: Token, outside: bool) -> str:
    """What hover and focus reveal: the id and which characters of the text it covers."""
    start, end = token["start"], token["end"]
    if outside:
        where = "special token, not part of the text"
    elif end <= start:
        where = "one byte of a character"
    elif end - start == 1:
        where = f"character {start + 1}"
    else:
        where = f"characters {start + 1}–{end}"
    return f"id {token['id']} · {where}"
