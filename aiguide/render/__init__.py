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

from typing import Any

from aiguide.kinds import KINDS
from aiguide.records import shape_problem
from aiguide.render.html import RenderError

__all__ = ["RenderError", "render"]


def render(record: dict[str, Any], *, caption: str | None = None) -> str:
    """Render a stored record as one self-contained ``<figure>`` fragment.

    Raises :class:`RenderError` (a ``ValueError`` and a ``FigureError``, so the build
    fails loudly) for an unknown kind or data that does not fit its kind's shape.
    """
    kind = record.get("kind")
    if kind not in KINDS:
        raise RenderError(f"no renderer for figure kind {kind!r}; known: {', '.join(KINDS)}")
    problem = shape_problem(record.get("data"), KINDS[kind].record)
    if problem:
        raise RenderError(f"record {record.get('key')!r} ({kind}): {problem}")
    return KINDS[kind].render_function()(record["data"], key=record["key"], caption=caption)
