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
import re

import tinycss2
from tinycss2.ast import AtRule, IdentToken, LiteralToken, Node, QualifiedRule

# Only big blocks are purged: the small theme blocks mkdocs-jupyter adds are left alone.
MIN_PURGED = 100_000
_STYLE = re.compile(r'(<style type="text/css">)(.*?)(</style>)', re.DOTALL)
_CLASS_ATTR = re.compile(r'\bclass="([^"]*)"')
_GROUPING_AT_RULES = {"media", "supports", "layer", "container"}


@functools.lru_cache(maxsize=8)
def _parse(css: str) -> tuple[Node, ...]:
    """Parsed once per stylesheet text: every notebook page inlines the same one."""
    return tuple(tinycss2.parse_stylesheet(css, skip_comments=True, skip_whitespace=True))


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
    return {b.value for a, b in zip(selector, selector[1:])
            if isinstance(a, LiteralToken) and a.value == "." and isinstance(b, IdentToken)}


def _purge_rules(rules: tuple[Node, ...] | list[Node], used: set[str]) -> str:
    kept = []
    for rule in rules:
        if isinstance(rule, QualifiedRule):
            selectors = [s for s in _selectors(rule.prelude) if _classes_needed(s) <= used]
            if selectors:
                prelude = ",".join(tinycss2.serialize(s).strip() for s in selectors)
                kept.append(f"{prelude}{{{tinycss2.serialize(rule.content)}}}")
        elif isinstance(rule, AtRule) and rule.lower_at_keyword in _GROUPING_AT_RULES and rule.content:
            inner = _purge_rules(tinycss2.parse_rule_list(rule.content, skip_comments=True,
                                                          skip_whitespace=True), used)
            if inner:
                kept.append(f"@{rule.at_keyword}{tinycss2.serialize(rule.prelude)}{{{inner}}}")
        elif isinstance(rule, AtRule):
            kept.append(rule.serialize())
    return "".join(kept)


def purge_css(css: str, used: set[str]) -> str:
    """``css`` without the selectors that name a class outside ``used``."""
    return _purge_rules(_parse(css), used)


def classes_in(html: str) -> set[str]:
    return {name for value in _CLASS_ATTR.findall(html) for name in value.split()}


def slim_notebook_styles(html: str) -> str:
    """The page with each large inline stylesheet cut to the classes the page uses."""
    used = classes_in(html)

    def slim(match: re.Match[str]) -> str:
        css = match.group(2)
        if len(css) < MIN_PURGED:
            return match.group(0)
        return match.group(1) + purge_css(css, used) + match.group(3)

    return _STYLE.sub(slim, html)
