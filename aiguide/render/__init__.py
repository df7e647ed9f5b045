"""HTML renderers: one pure function per figure kind, from a stored record to a fragment.

Each renderer reads only ``record["data"]`` (shapes in :mod:`aiguide.records`) and the
record key (for a stable element id), and returns one ``<figure>`` with inline HTML/SVG:
no scripts, no external requests. The decoding explorer also carries its numbers in a
``data-explorer`` attribute for ``docs/assets/javascripts/figures.js``; without the script
it is still a complete figure. The styles live in ``docs/assets/stylesheets/figures.css``.

Example: a record with ``"key": "tokens-3f9a0c1b2d4e"`` renders as
``<figure class="aig-figure aig-tokens" id="fig-tokens-3f9a0c1b2d4e">…</figure>``.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from aiguide.render import (
    attention,
    decoding,
    generation,
    next_token,
    positions,
    similarity,
    tokens,
)
from aiguide.render.html import RenderError

Renderer = Callable[..., str]

_RENDERERS: dict[str, Renderer] = {
    "tokens": tokens.render,
    "attention": attention.render,
    "attention-heads": attention.render_heads,
    "similarity": similarity.render,
    "next-token": next_token.render,
    "decoding-explorer": decoding.render,
    "generation": generation.render,
    "positions": positions.render,
}

KINDS: tuple[str, ...] = tuple(_RENDERERS)

__all__ = ["KINDS", "RenderError", "render"]


def render(record: dict[str, Any], *, caption: str | None = None) -> str:
    """Render a stored record as one self-contained ``<figure>`` fragment.

    Raises :class:`RenderError` (a ``ValueError`` and a ``FigureError``, so the build
    fails loudly) for an unknown kind or data that does not fit its kind's shape.
    """
    kind = record.get("kind")
    renderer = _RENDERERS.get(kind)  # type: ignore[arg-type]
    if renderer is None:
        raise RenderError(f"no renderer for figure kind {kind!r}; known: {', '.join(KINDS)}")
    try:
        return renderer(record["data"], key=record["key"], caption=caption)
    except KeyError as error:
        raise RenderError(
            f"record {record.get('key')!r} ({kind}) has no member {error} in its data"
        ) from error
