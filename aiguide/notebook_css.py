"""Slim the stylesheet mkdocs-jupyter inlines into every notebook page.

mkdocs-jupyter inlines about 575 KB of CSS per notebook page: JupyterLab's whole interface
(menus, dialogs, file browser, widgets) scoped under ``.jupyter-wrapper``. A rendered
notebook uses a few dozen of its classes, so rules whose selectors need a class the page
does not contain are dropped; everything else (custom properties, element selectors,
``@font-face``, ``@keyframes``) stays. That cuts a notebook page from about 110 KB to about
65 KB gzipped. Written here because no maintained Python CSS purger exists (PurgeCSS is a
Node tool, and the build must not need Node).

>>> purge_css(".a{color:red}.b{color:blue}p{margin:0}", {"a"})
'.a{color:red}p{margin:0}'
"""

from __future__ import annotations

import functools
import re

# Only big blocks are purged: the small theme blocks mkdocs-jupyter adds are left alone.
MIN_PURGED = 100_000
_STYLE = re.compile(r'(<style type="text/css">)(.*?)(</style>)', re.DOTALL)
_CLASS_ATTR = re.compile(r'\bclass="([^"]*)"')
_CLASS_IN_SELECTOR = re.compile(r"\.(-?[_a-zA-Z][\w-]*)")
_CHARSET = re.compile(r'\s*@charset "[^"]*";')
_PARENTHESISED = re.compile(r"\([^()]*\)")
_GROUPING_AT_RULES = ("@media", "@supports", "@layer", "@container")


@functools.lru_cache(maxsize=8)
def split_rules(css: str) -> tuple[tuple[str, str], ...]:
    """Top-level ``(prelude, body)`` pairs; a nested block's body is returned raw."""
    rules: list[tuple[str, str]] = []
    i, n = 0, len(css)
    while i < n:
        brace = css.find("{", i)
        if brace < 0:
            break
        depth, k = 1, brace + 1
        while depth and k < n:
            char = css[k]
            if char == "{":
                depth += 1
            elif char == "}":
                depth -= 1
            elif char in "\"'":  # a string may hold braces
                k = css.index(char, k + 1)
            k += 1
        rules.append((css[i:brace].strip(), css[brace + 1:k - 1]))
        i = k
    return tuple(rules)


def purge_css(css: str, used: set[str]) -> str:
    """``css`` without the selectors that name a class outside ``used``."""
    charset = _CHARSET.match(css)  # no block of its own, and it must stay first
    if charset:
        return charset.group(0).strip() + purge_css(css[charset.end():], used)
    kept = []
    for prelude, body in split_rules(css):
        if prelude.startswith(_GROUPING_AT_RULES):
            inner = purge_css(body, used)
            if inner:
                kept.append(f"{prelude}{{{inner}}}")
        elif prelude.startswith("@"):
            kept.append(f"{prelude}{{{body}}}")
        else:
            selectors = [s for s in _split_selectors(prelude) if _classes_needed(s) <= used]
            if selectors:
                kept.append(f"{','.join(selectors)}{{{body}}}")
    return "".join(kept)


def _split_selectors(prelude: str) -> list[str]:
    """A selector list split at its own commas, not those inside ``:is(.a, .b)`` or ``[x="a,b"]``."""
    parts, depth, start = [], 0, 0
    for i, char in enumerate(prelude):
        if char in "([":
            depth += 1
        elif char in ")]":
            depth -= 1
        elif char == "," and depth == 0:
            parts.append(prelude[start:i])
            start = i + 1
    return parts + [prelude[start:]]


def _classes_needed(selector: str) -> set[str]:
    """Classes an element must have for ``selector`` to match. Whatever is inside
    parentheses (``:not(.x)``, ``:is(.a, .b)``) is not counted: erring towards keeping."""
    while _PARENTHESISED.search(selector):
        selector = _PARENTHESISED.sub("", selector)
    return set(_CLASS_IN_SELECTOR.findall(selector))


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
