"""Figure specs: find ```figure fences in Markdown, parse their YAML, validate, key them.

A spec is what an author writes::

    ```figure
    kind: attention
    model: minilm
    text: "The animal didn't cross the street because it was too tired."
    layer: 5
    head: 2
    caption: A head in which "it" looks back at "animal".
    ```

Layers and heads are numbered from 1, as readers count them. Every problem raises
:class:`FigureError` with the file, the line, what is wrong and the command that fixes it.
"""

from __future__ import annotations

import difflib
import functools
import hashlib
import json
import re
from dataclasses import dataclass, field
from typing import Any

import yaml

from aiguide.catalog import MODELS
from aiguide.errors import GuideError
from aiguide.kinds import (  # noqa: F401  (EXPLORER_*: the sliders, re-exported)
    CAPTION,
    EXPLORER_TEMPERATURE,
    EXPLORER_TOP_K,
    EXPLORER_TOP_P,
    KINDS,
    Option,
    _shown,
)

FENCE_LANGUAGE = "figure"
FIX_DATA = "make figures"


class FigureError(GuideError):
    """A figure that cannot be built. ``str()`` gives ``file:line: message`` and the fix."""

    def __init__(self, message: str, *, path: str = "", line: int = 0, fix: str = ""):
        super().__init__(message, path=path, line=line, fix=fix)


# -- Finding fences --------------------------------------------------------------------

_FENCE_OPEN = re.compile(r"^(?P<indent>[ \t]*)(?P<fence>`{3,}|~{3,})[ \t]*(?P<info>[^`\n]*)$")


@dataclass(frozen=True)
class FigureBlock:
    """One ```figure fence: ``line`` is the 1-based line of its opening fence."""

    path: str
    line: int
    source: str


def find_figures(markdown: str, path: str) -> list[FigureBlock]:
    """Every ```figure fence in a page, skipping fences nested inside other code fences.

    >>> [b.line for b in find_figures("text\\n```figure\\nkind: positions\\n```\\n", "p.md")]
    [2]
    """
    blocks: list[FigureBlock] = []
    lines = markdown.split("\n")
    i = 0
    while i < len(lines):
        opening = _FENCE_OPEN.match(lines[i])
        if not opening:
            i += 1
            continue
        end = _closing_line(lines, i, opening["fence"])
        # The first word, after any whitespace (a tab too, as SuperFences reads it).
        language = (opening["info"].split() or [""])[0].lstrip("{.").rstrip("}")
        if end is None:
            if language != FENCE_LANGUAGE:
                break  # an unclosed code block runs to the end: nothing after it is a figure
            raise FigureError(
                f"the ```{FENCE_LANGUAGE} fence opened here is never closed",
                path=path, line=i + 1,
                fix=f"end the spec with a line {opening['fence']} (as many "
                    f"{opening['fence'][0]} as the opening)",
            )
        if language == FENCE_LANGUAGE:
            indent = len(opening["indent"])
            body = "\n".join(line[indent:] for line in lines[i + 1 : end])
            blocks.append(FigureBlock(path, i + 1, body))
        i = end + 1
    return blocks


def _closing_line(lines: list[str], start: int, fence: str) -> int | None:
    """Index of the line closing the fence opened at ``start``, or None if none does."""
    closing = re.compile(rf"^[ \t]*{re.escape(fence[0])}{{{len(fence)},}}[ \t]*$")
    for j in range(start + 1, len(lines)):
        if closing.match(lines[j]):
            return j
    return None


# -- Parsing ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Spec:
    """A validated spec. ``params`` is everything that changes the data (not the caption)."""

    kind: str
    params: dict[str, Any]
    caption: str | None = None
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def key(self) -> str:
        """Stable content address of the data, e.g. ``attention-3f9a0c1b2d4e``."""
        return f"{self.kind}-{spec_hash(self.kind, self.params)}"


def spec_hash(kind: str, params: dict[str, Any]) -> str:
    canonical = json.dumps({"kind": kind, **params}, sort_keys=True, ensure_ascii=False)
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()[:12]


# libyaml's loader when PyYAML was built with it: several times faster on every figure.
_YAML_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def _pure_python_error(source: str) -> yaml.YAMLError:
    """The pure-Python loader's error for a spec libyaml rejected: its line is the useful one."""
    try:
        yaml.safe_load(source)
    except yaml.YAMLError as error:
        return error
    return yaml.YAMLError("libyaml rejected the spec")


@functools.lru_cache(maxsize=4096)
def parse_spec(source: str) -> Spec:
    """Parse and validate one fence body; errors carry a line relative to the fence.

    Cached: the build checks every figure before Markdown runs and parses it again to
    render it. Callers must not mutate the returned spec.
    """
    try:
        raw = yaml.load(source, Loader=_YAML_LOADER)
    except yaml.YAMLError:
        error = _pure_python_error(source)  # libyaml points at the end of the text instead
        mark = getattr(error, "problem_mark", None)
        raise FigureError(
            f"the figure spec is not valid YAML ({getattr(error, 'problem', error)})",
            line=(mark.line + 1 if mark else 1),
            fix="write the spec as `key: value` lines; quote text that contains ': ' or '#'",
        ) from None
    if not isinstance(raw, dict):
        raise FigureError(
            "the figure spec must be a YAML mapping such as `kind: tokens`",
            line=1,
            fix="see docs/contributing/figures.md for examples",
        )
    kind = raw.get("kind")
    if not isinstance(kind, str) or kind not in KINDS:
        raise FigureError(
            f"unknown figure kind {_shown(kind)}{_did_you_mean(kind, KINDS)}",
            line=_line_of("kind", source),
            fix=f"use one of: {', '.join(KINDS)}",
        )
    schema = KINDS[kind].schema
    params: dict[str, Any] = {}
    for name, value in raw.items():
        if name in ("kind", "caption"):
            continue
        if name not in schema:
            raise FigureError(
                f"unknown option {_shown(name)} for a {kind} figure{_did_you_mean(name, schema)}",
                line=_line_of(name, source),
                fix=f"options for {kind}: {', '.join(sorted(schema))}, caption",
            )
        params[name] = _checked(name, value, schema[name], source)
    for name, option in schema.items():
        if name not in params:
            if option.required:
                raise FigureError(
                    f"a {kind} figure needs the option {name!r} ({option.description})",
                    line=1,
                    fix=f"add a line `{name}: ...` to the spec",
                )
            if option.default is not None:
                params[name] = option.default
    caption = raw.get("caption")
    if caption is not None:
        _checked("caption", caption, CAPTION, source)
    _check_model(kind, params, source)
    if "messages" in params and not params.get("chat"):
        raise FigureError(
            "option 'messages' needs `chat: true`: the turns are rendered by the chat template",
            line=_line_of("messages", source),
            fix="add `chat: true`, or remove `messages`",
        )
    return Spec(kind=kind, params=params, caption=caption)


def _checked(name: str, value: Any, option: Option, source: str) -> Any:
    if option.type is float and isinstance(value, int) and not isinstance(value, bool):
        value = float(value)
    types = option.type if isinstance(option.type, tuple) else (option.type,)
    if isinstance(value, bool) and bool not in types or not isinstance(value, types):
        wanted = " or ".join(t.__name__ for t in types)
        raise FigureError(
            f"option {name!r} must be {wanted}, not {type(value).__name__} ({_shown(value)})",
            line=_line_of(name, source),
            fix=f"write `{name}:` as a {wanted}",
        )
    problem = option.check(value)
    if problem:
        raise FigureError(
            f"option {name!r} {problem}", line=_line_of(name, source), fix=f"change `{name}`"
        )
    return value


def _check_model(kind: str, params: dict[str, Any], source: str) -> None:
    """Model names and layer/head ranges are checked here, before any data is looked up."""
    if "model" not in params:
        return
    model = params["model"]
    allowed = KINDS[kind].models
    if model not in allowed:
        known = "unknown model" if model not in MODELS else "a model that cannot draw"
        raise FigureError(
            f"{known} {_shown(model)} for a {kind} figure{_did_you_mean(model, allowed)}",
            line=_line_of("model", source),
            fix=f"use model: {' or '.join(allowed)}",
        )
    info = MODELS[model]
    for name, top in (("layer", info.layers), ("head", info.heads)):
        if name in params and not 1 <= params[name] <= top:
            raise FigureError(
                f"{name} {params[name]} is out of range: {info.label} has {name}s 1 to {top}",
                line=_line_of(name, source),
                fix=f"set {name} to a number from 1 to {top}",
            )


def _line_of(name: str, source: str) -> int:
    """1-based line of ``name:`` in the spec body, so errors point at the option itself."""
    for number, line in enumerate(source.split("\n"), start=1):
        if re.match(rf"\s*{re.escape(str(name))}\s*:", line):
            return number
    return 1


def _did_you_mean(word: Any, choices: Any) -> str:
    close = difflib.get_close_matches(str(word), [str(c) for c in choices], n=1)
    return f" (did you mean {close[0]!r}?)" if close else ""
