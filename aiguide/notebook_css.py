"""Slim the stylesheet mkdocs-jupyter inlines into every notebook page.

mkdocs-jupyter inlines about 575 KB of CSS per notebook page: JupyterLab's whole interface
(menus, dialogs, file browser, widgets) scoped under ``.jupyter-wrapper``. A rendered
notebook uses a few dozen of its classes, so rules whose selectors need a class the page
does not contain are dropped; everything else (custom properties, element selectors,
``@font-face``, ``@keyframes``) stays. That cuts a notebook page from about 110 KB to about
65 KB gzipped.

The CSS is parsed by tinycss2 (already installed with nbconvert). The selection itself is
ours: the Python purgers on PyPI either need the whole site's HTML at once or drop element
selectors too, and PurgeCSS is a Node tool, which the build must not need.

>>> purge_css(".a{color:red}.b{color:blue}p{margin:0}", {"a"})
'.a{color:red}p{margin:0}'
"""

from __future__ import annotations

import functools
import hashlib
import itertools
import json
import re
from dataclasses import dataclass
from pathlib import Path

import tinycss2
from tinycss2.ast import AtRule, IdentToken, LiteralToken, Node, QualifiedRule

# Only big blocks are purged: the small theme blocks mkdocs-jupyter adds are left alone.
MIN_PURGED = 100_000
_STYLE = re.compile(r'(<style type="text/css">)(.*?)(</style>)', re.DOTALL)
_CLASS_ATTR = re.compile(r'\bclass="([^"]*)"')
_GROUPING_AT_RULES = {"media", "supports", "layer", "container"}


@dataclass(frozen=True)
class _Rule:
    """A style rule, serialised once: each selector with the classes it needs, and the body."""

    selectors: tuple[tuple[frozenset[str], str], ...]
    body: str


@dataclass(frozen=True)
class _Group:
    """``@media`` and the like: kept with whatever survives inside."""

    prelude: str
    rules: tuple[_Rule | _Group | str, ...]


@functools.lru_cache(maxsize=8)
def _prepare(css: str, cache_dir: Path | None = None) -> tuple[_Rule | _Group | str, ...]:
    """Parsed and serialised once per stylesheet text: every notebook page inlines the same
    one, so each page then costs only set lookups and a join. Parsing takes about 0.4 s, so
    the result is also kept in ``cache_dir`` (keyed by the CSS's hash) for the next build."""
    path = None
    if cache_dir is not None:
        path = cache_dir / f"{hashlib.sha256(css.encode()).hexdigest()[:16]}.json"
        if path.exists():
            return _from_json(json.loads(path.read_text(encoding="utf-8")))
    prepared = _prepare_rules(tinycss2.parse_stylesheet(css, skip_comments=True, skip_whitespace=True))
    if path is not None:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(_to_json(prepared)), encoding="utf-8")
    return prepared


def _to_json(rules: tuple[_Rule | _Group | str, ...]) -> list:
    return [["r", [[sorted(n), t] for n, t in r.selectors], r.body] if isinstance(r, _Rule)
            else ["g", r.prelude, _to_json(r.rules)] if isinstance(r, _Group) else ["k", r]
            for r in rules]


def _from_json(items: list) -> tuple[_Rule | _Group | str, ...]:
    return tuple(_Rule(tuple((frozenset(n), t) for n, t in item[1]), item[2]) if item[0] == "r"
                 else _Group(item[1], _from_json(item[2])) if item[0] == "g" else item[1]
                 for item in items)


def _prepare_rules(rules: list[Node]) -> tuple[_Rule | _Group | str, ...]:
    prepared: list[_Rule | _Group | str] = []
    for rule in rules:
        if isinstance(rule, QualifiedRule):
            selectors = tuple((frozenset(_classes_needed(s)), tinycss2.serialize(s).strip())
                              for s in _selectors(rule.prelude))
            prepared.append(_Rule(selectors, tinycss2.serialize(rule.content)))
        elif isinstance(rule, AtRule) and rule.lower_at_keyword in _GROUPING_AT_RULES and rule.content:
            inner = tinycss2.parse_rule_list(rule.content, skip_comments=True, skip_whitespace=True)
            prelude = f"@{rule.at_keyword}{tinycss2.serialize(rule.prelude)}"
            prepared.append(_Group(prelude, _prepare_rules(inner)))
        elif isinstance(rule, AtRule):
            prepared.append(rule.serialize())
    return tuple(prepared)


def _selectors(prelude: list[Node]) -> list[list[Node]]:
    """A selector list split at its own commas; those inside ``:is(...)`` or ``[...]`` are
    inside nested blocks, so they are not seen here."""
    selectors: list[list[Node]] = [[]]
    for token in prelude:
        if isinstance(token, LiteralToken) and token.value == ",":
            selectors.append([])
        else:
            selectors[-1].append(token)
    return selectors


def _classes_needed(selector: list[Node]) -> set[str]:
    """Classes an element must have for ``selector`` to match. Classes inside functional
    pseudo-classes (``:not(.x)``, ``:is(.a, .b)``) are not counted: erring towards keeping."""
    return {b.value for a, b in itertools.pairwise(selector)
            if isinstance(a, LiteralToken) and a.value == "." and isinstance(b, IdentToken)}


def _keep(rules: tuple[_Rule | _Group | str, ...], used: set[str]) -> str:
    kept = []
    for rule in rules:
        if isinstance(rule, _Rule):
            selectors = [text for needed, text in rule.selectors if needed <= used]
            if selectors:
                kept.append(f"{','.join(selectors)}{{{rule.body}}}")
        elif isinstance(rule, _Group):
            inner = _keep(rule.rules, used)
            if inner:
                kept.append(f"{rule.prelude}{{{inner}}}")
        else:
            kept.append(rule)
    return "".join(kept)


def purge_css(css: str, used: set[str], cache_dir: Path | None = None) -> str:
    """``css`` without the selectors that name a class outside ``used``."""
    return _keep(_prepare(css, cache_dir), used)


def classes_in(html: str) -> set[str]:
    return {name for value in _CLASS_ATTR.findall(html) for name in value.split()}


def slim_notebook_styles(html: str, cache_dir: Path | None = None) -> str:
    """The page with each large inline stylesheet cut to the classes the page uses."""
    used = classes_in(html)

    def slim(match: re.Match[str]) -> str:
        css = match.group(2)
        if len(css) < MIN_PURGED:
            return match.group(0)
        return match.group(1) + purge_css(css, used, cache_dir) + match.group(3)

    return _STYLE.sub(slim, html)
