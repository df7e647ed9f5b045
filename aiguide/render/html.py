"""Tiny HTML builders shared by every figure kind.

Everything that came from a record goes through :func:`esc` (or a builder that calls it):
token texts are untrusted strings such as ``</script><img src=x onerror=alert(1)>``.
Output is deterministic: numbers use fixed precision and nothing depends on dict order,
so the same record always renders to the same bytes.

CSS class conventions (styled in ``docs/assets/stylesheets/figures.css``):

- ``aig-figure aig-<kind>``: the ``<figure>``; every other class is ``aig-`` prefixed too.
- ``aig-q1`` … ``aig-q9``: sequential scale (weights, probabilities), darker is larger.
- ``aig-p1`` … ``aig-p5`` / ``aig-n1`` … ``aig-n5``: diverging scale for [-1, 1].
- ``aig-hover``: a row or chip that is keyboard-focusable and reveals its ``aig-tip``
  on hover and focus (the tip is screen-reader text the rest of the time).
- ``aig-sr``: text for screen readers only.
- ``aig-ws``: a visible marker for whitespace (``·``, ``↵``, ``→``) or ``##``;
  ``aig-byte``: byte pieces such as ``<0xF0>``; ``aig-special``: special tokens.
- ``aig-c0`` … ``aig-c5``: the token chip tints; ``aig-scroll``: a sideways-scrolling box.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Iterable, Sequence

from markupsafe import escape

from aiguide.spec import FIX_DATA, FigureError


class RenderError(FigureError, ValueError):
    """A record that does not fit its kind's data contract (stale or hand-edited data).

    A :class:`FigureError`, so the fence turns it into a failed build rather than a
    silently missing figure; a ``ValueError`` for callers that do not know figures.
    """

    def __init__(self, message: str):
        super().__init__(message, fix=f"run `{FIX_DATA}` to recompute the record")


def esc(text: object) -> str:
    """HTML-escape any value (quotes too, so the result is safe inside attributes)."""
    return str(escape(text))


# -- Numbers ---------------------------------------------------------------------------


def fixed(value: float, digits: int) -> str:
    """Fixed precision with a real minus sign and no negative zero.

    >>> fixed(-0.0001, 2), fixed(-0.5, 1), fixed(1, 3)
    ('0.00', '−0.5', '1.000')
    """
    text = f"{value:.{digits}f}"
    if text.startswith("-"):
        text = text[1:] if float(text) == 0 else "−" + text[1:]
    return text


def pct(p: float, digits: int = 1) -> str:
    """A probability as a percentage; tiny values say so instead of showing 0.0%.

    >>> pct(0.4213), pct(0.00004), pct(0)
    ('42.1%', '<0.1%', '0%')
    """
    if p <= 0:
        return "0%"
    floor = 10.0**-digits
    if p * 100 < floor:
        return f"<{fixed(floor, digits)}%"
    return f"{fixed(p * 100, digits)}%"


def seq_level(weight: float, levels: int = 9) -> int:
    """Shade 0..levels on a square-root scale, so that spread-out weights stay visible.

    A weight of 1/24 (uniform over 24 tokens) gets level 2, not 0.
    >>> seq_level(0.0002), seq_level(1 / 24), seq_level(1.0)
    (0, 2, 9)
    """
    return round(math.sqrt(min(max(weight, 0.0), 1.0)) * levels)


def div_class(value: float, levels: int = 5) -> str:
    """Class of a value in [-1, 1] on the diverging scale; '' near zero.

    >>> div_class(0.83), div_class(-0.31), div_class(0.05)
    ('aig-p4', 'aig-n2', '')
    """
    level = round(min(max(value, -1.0), 1.0) * levels)
    if level == 0:
        return ""
    return f"aig-p{level}" if level > 0 else f"aig-n{-level}"


# -- Ids and checks --------------------------------------------------------------------


def figure_id(key: str) -> str:
    """Element id of a figure, derived from its content-addressed record key.

    >>> figure_id("attention-3f9a0c1b2d4e")
    'fig-attention-3f9a0c1b2d4e'
    """
    slug = re.sub(r"[^a-z0-9_-]+", "-", key.lower()).strip("-")
    if not slug:
        raise RenderError(f"record key {key!r} cannot name a figure")
    return f"fig-{slug}"


def check_matrix(matrix: Sequence[Sequence[float]], rows: int, cols: int, what: str) -> None:
    """Fail with the offending shape instead of an IndexError deep in a renderer."""
    if len(matrix) != rows or any(len(row) != cols for row in matrix):
        shape = f"{len(matrix)}×{sorted({len(r) for r in matrix})}"
        raise RenderError(f"{what} should be {rows}×{cols} but is {shape}")


# -- Token text ------------------------------------------------------------------------

_WHITESPACE = re.compile(r"( +|\n|\t|\r)")
_BYTES = re.compile(r"(?:<0x[0-9A-Fa-f]{2}>)+")
_TOKEN_PIECES = re.compile(rf"( +|\n|\t|\r|{_BYTES.pattern})")
_MARKS = {"\n": "↵", "\t": "→", "\r": "␍"}
_SPECIAL = re.compile(r"\[[A-Z]+\]|<\|[^|<>]*\|>|</?s>|<unk>|<pad>")


def is_byte(text: str) -> bool:
    """Byte pieces that are not a whole UTF-8 character, e.g. ``<0xF0>`` or ``<0xF0><0x9F>``."""
    return _BYTES.fullmatch(text) is not None


def looks_special(text: str) -> bool:
    """Special tokens by their spelling, for records that only store token strings."""
    return _SPECIAL.fullmatch(text) is not None


def _mark(symbol: str) -> str:
    return f'<span class="aig-ws">{symbol}</span>'


def _piece(part: str) -> str:
    if part in _MARKS:
        return _mark(_MARKS[part])
    if part.startswith(" "):
        return _mark("·" * len(part))
    return f'<span class="aig-byte">{esc(part)}</span>'


def token_html(text: str) -> str:
    """A token with every space, newline and tab made visible, ``##`` muted and byte
    pieces set apart.

    >>> token_html(" love")
    '<span class="aig-ws">·</span>love'
    >>> token_html(" <0xF0><0x9F>")
    '<span class="aig-ws">·</span><span class="aig-byte">&lt;0xF0&gt;&lt;0x9F&gt;</span>'
    """
    if not text:
        return _mark("∅")
    prefix = ""
    # WordPiece continuation; "###" is more likely literal Markdown than a continuation.
    if len(text) > 2 and text.startswith("##") and not text.startswith("###"):
        prefix, text = _mark("##"), text[2:]
    parts = _TOKEN_PIECES.split(text)
    return prefix + "".join(_piece(p) if i % 2 else esc(p) for i, p in enumerate(parts))


def token_label(text: str) -> str:
    """A token as plain text (not yet escaped) for sentences and labels: quoted, with
    whitespace as markers.

    >>> token_label(" love\\n")
    '“·love↵”'
    """
    shown = _WHITESPACE.sub(lambda m: _MARKS.get(m.group(0), "·" * len(m.group(0))), text)
    return f"“{shown}”"


def text_html(text: str) -> str:
    """Running text (a prompt, an output) with the whitespace that matters made visible.

    Single spaces between words stay spaces, so the text reads normally; leading and
    trailing spaces, runs of spaces, tabs and newlines get markers (a trailing space
    changes which token comes next). Newlines also break the line (CSS pre-wrap).
    >>> text_html("a  b \\n").replace('<span class="aig-ws">', "[").replace("</span>", "]")
    'a[··]b[·][↵]\\n'
    """
    parts = _WHITESPACE.split(text)
    out = []
    for i, part in enumerate(parts):
        if not i % 2:
            out.append(esc(part))
        elif part == "\n":
            out.append(_mark("↵") + "\n")
        elif part in _MARKS:
            out.append(_mark(_MARKS[part]))
        elif part == " " and 0 < i < len(parts) - 1 and parts[i - 1] and parts[i + 1]:
            out.append(" ")
        else:
            out.append(_mark("·" * len(part)))
    return "".join(out)


# -- Building blocks -------------------------------------------------------------------


def figure(
    kind: str, key: str, *, summary: str, body: str, caption: str, credit: str
) -> str:
    """The figure wrapper: a screen-reader summary, the body, then caption and credit.

    ``summary``, ``caption`` and ``credit`` are plain text (escaped here); ``body`` is HTML.
    """
    return (
        f'<figure class="aig-figure aig-{esc(kind)}" id="{figure_id(key)}">'
        f'<p class="aig-sr">{esc(summary)}</p>'
        f"{body}"
        f'<figcaption><span class="aig-caption">{esc(caption)}</span> '
        f'<span class="aig-credit">{esc(credit)}</span></figcaption>'
        "</figure>"
    )


def data_json(value: object) -> str:
    """JSON for a ``data-*`` attribute that ``figures.js`` reads, HTML-escaped.

    An attribute, not a ``<script type="application/json">``: Material's instant
    navigation (off in mkdocs.yml, but one line away) re-creates every inline script in
    the new page without its ``type`` and runs it as JavaScript. Inline either way,
    because ``fetch()`` fails from file://.
    >>> data_json({"t": "</script>"})
    '{&#34;t&#34;:&#34;&lt;/script&gt;&#34;}'
    """
    return esc(json.dumps(value, sort_keys=True, separators=(",", ":"), allow_nan=False))


def scroll(content: str, label: str) -> str:
    """A box that scrolls sideways on narrow screens; focusable so keys can scroll it."""
    return (
        f'<div class="aig-scroll" tabindex="0" role="group" aria-label="{esc(label)}">'
        f"{content}</div>"
    )


def details(content: str, summary: str = "Show the numbers") -> str:
    """The figure's numbers as a table, folded. Left out of the search index: readers search
    for ideas, not for "0.27", and the tables would be most of the index."""
    return (f'<details class="aig-numbers" data-search-exclude><summary>{esc(summary)}</summary>'
            f"{content}</details>")


def table(
    head: Sequence[str], rows: Iterable[Sequence[str]], *, caption: str, row_headers: bool = True
) -> str:
    """A plain data table. Cells are HTML (escape data before); the caption is text."""
    thead = "".join(f'<th scope="col">{cell}</th>' for cell in head)
    body = []
    for row in rows:
        first, rest = (row[0], row[1:]) if row_headers else ("", row)
        th = f'<th scope="row">{first}</th>' if row_headers else ""
        body.append(f"<tr>{th}{''.join(f'<td>{cell}</td>' for cell in rest)}</tr>")
    return (
        f'<table class="aig-table"><caption>{esc(caption)}</caption>'
        f"<thead><tr>{thead}</tr></thead><tbody>{''.join(body)}</tbody></table>"
    )


def tip(text: str) -> str:
    """Hover/focus details: screen-reader text until its ``aig-hover`` parent is active."""
    return f'<span class="aig-tip">{text}</span>'


def bar(p: float) -> str:
    """A horizontal bar whose length is ``p`` (0..1) of the track."""
    width = fixed(min(max(p, 0.0), 1.0) * 100, 1)
    return f'<span class="aig-bar"><span style="width:{width}%"></span></span>'


SEQ = tuple(f"aig-q{k}" for k in range(1, 10))
DIVERGING = tuple(f"aig-n{k}" for k in range(5, 0, -1)) + ("",) + tuple(
    f"aig-p{k}" for k in range(1, 6)
)


def legend(classes: Sequence[str], low: str, high: str, note: str) -> str:
    """Swatches of a colour scale with the values at both ends spelled out."""
    swatches = "".join(f'<span class="aig-swatch {c}"></span>' for c in classes)
    return (
        f'<p class="aig-legend"><span>{esc(low)}</span>'
        f'<span class="aig-ramp" aria-hidden="true">{swatches}</span>'
        f'<span>{esc(high)}</span> <span class="aig-note">{esc(note)}</span></p>'
    )


def svg_cells(levels: Sequence[Sequence[str]], *, down: bool = False) -> str:
    """SVG paths for a grid of class names ('' = blank), one path per class.

    Runs of equal neighbours become one rectangle, which keeps big heatmaps small: along
    rows, or with ``down`` along columns (positional encodings are smooth down a column).
    Cell (row r, column c) covers x = c..c+1, y = r..r+1.
    >>> svg_cells([["aig-q1", "aig-q1", ""]])
    '<path class="aig-q1" d="M0 0h2v1h-2z"/>'
    >>> svg_cells([["aig-q1"], ["aig-q1"]], down=True)
    '<path class="aig-q1" d="M0 0h1v2h-1z"/>'
    """
    lines = [list(col) for col in zip(*levels)] if down else levels
    paths: dict[str, list[str]] = {}
    for i, line in enumerate(lines):
        j = 0
        while j < len(line):
            end = j
            while end + 1 < len(line) and line[end + 1] == line[j]:
                end += 1
            if line[j]:
                n = end - j + 1
                rect = f"M{i} {j}h1v{n}h-1z" if down else f"M{j} {i}h{n}v1h-{n}z"
                paths.setdefault(line[j], []).append(rect)
            j = end + 1
    return "".join(f'<path class="{cls}" d="{"".join(paths[cls])}"/>' for cls in sorted(paths))
