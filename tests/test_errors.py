"""The one error base: every project error says file:line, what is wrong, and the fix."""

from __future__ import annotations

from aiguide.errors import GuideError
from aiguide.render.html import RenderError
from aiguide.spec import FigureError


def test_message_names_place_problem_and_fix() -> None:
    error = GuideError("unknown kind 'x'", path="docs/a.md", line=7, fix="use one of: a, b")
    assert str(error) == "docs/a.md:7: unknown kind 'x'\n    fix: use one of: a, b"


def test_without_a_line_only_the_file_is_named() -> None:
    assert str(GuideError("corrupt", path="data/f.json")) == "data/f.json: corrupt"


def test_at_adds_the_fragment_offset_and_keeps_the_class() -> None:
    relative = RenderError("missing field 'tokens'").at("docs/p.md", 0).at("docs/p.md", 12)
    assert type(relative) is RenderError and relative.line == 12
    placed = FigureError("bad layer", line=2).at("docs/p.md", 10)
    assert (placed.path, placed.line, placed.fix) == ("docs/p.md", 12, "")
    assert str(placed).startswith("docs/p.md:12: bad layer")


def test_with_fix_replaces_only_the_fix() -> None:
    error = GuideError("stale", path="p.md", line=3, fix="a").with_fix("make figures")
    assert (error.message, error.where, error.fix) == ("stale", "p.md:3", "make figures")
