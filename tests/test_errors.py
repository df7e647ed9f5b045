"""The one error base: every project error says file:line, what is wrong, and the fix."""

from __future__ import annotations

import importlib
import inspect
import pkgutil
import re

import pytest

import aiguide
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


# -- Every exception the package defines is a GuideError ---------------------------------

# Exceptions that may stay outside the base, by name, so that adding one is a decision.
NOT_GUIDE_ERRORS: set[str] = set()


def exception_classes() -> dict[str, type[BaseException]]:
    """Every exception class defined in a module of the aiguide package, by dotted name."""
    found = {}
    for info in pkgutil.walk_packages(aiguide.__path__, "aiguide."):
        if info.name == "aiguide.__main__":
            continue  # running it is the CLI; it defines nothing
        module = importlib.import_module(info.name)
        for name, value in vars(module).items():
            if (inspect.isclass(value) and issubclass(value, BaseException)
                    and value.__module__ == info.name):
                found[f"{info.name}.{name}"] = value
    return found


def test_the_package_defines_the_exceptions_we_know_of() -> None:
    # The walk must see the classes, or the two tests below would pass on nothing.
    found = exception_classes()
    assert {"aiguide.pages.PageError", "aiguide.glossary.GlossaryError", "aiguide.spec.FigureError",
            "aiguide.store.RecordError"} <= set(found)
    assert {"aiguide.web.minilm.ExportError", "aiguide.web.tokenizers.ExportError"} <= set(found)


def test_every_aiguide_exception_derives_from_guide_error() -> None:
    outside = {name for name, cls in exception_classes().items() if not issubclass(cls, GuideError)}
    assert outside == NOT_GUIDE_ERRORS, (
        f"derive these from aiguide.errors.GuideError: {sorted(outside - NOT_GUIDE_ERRORS)}")


_ARGUMENTS = {"message": "the value is wrong", "path": "docs/p.md", "line": 3,
              "fix": "run `make figures`", "fence": "```"}


def raised(cls: type[GuideError]) -> GuideError:
    """An instance built from whatever its constructor takes, then placed at docs/p.md:3
    when the constructor does not take the place (the caller that knows it does that)."""
    parameters = list(inspect.signature(cls).parameters.values())
    arguments = {p.name: _ARGUMENTS[p.name] for p in parameters if p.name in _ARGUMENTS}
    positional = [arguments.pop(p.name) for p in parameters
                  if p.kind is p.POSITIONAL_OR_KEYWORD and p.name in arguments]
    error = cls(*positional, **arguments)
    return error if error.path else error.at("docs/p.md", 3)


@pytest.mark.parametrize("name", sorted(set(exception_classes()) - NOT_GUIDE_ERRORS))
def test_each_error_formats_file_line_problem_and_fix(name: str) -> None:
    text = str(raised(exception_classes()[name]))
    assert re.fullmatch(r"docs/p\.md:3: \S.*\n    fix: \S.*", text, re.DOTALL), text
