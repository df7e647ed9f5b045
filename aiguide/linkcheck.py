"""Check every internal link and ``#anchor`` in a built site, figures and notebooks included.

MkDocs' own validation only sees links written in Markdown; this reads the HTML the reader
gets, so links made by hooks, templates and notebook pages are checked too. (Written here
rather than taken from mkdocs-htmlproofer-plugin because that plugin runs inside the build
and also fetches external URLs, and we need an offline check we can point at any folder.)

A link is any URL the browser would load or follow: ``href`` (HTML and SVG, ``xlink:href``
too), ``src``, every candidate of a ``srcset``, ``poster``, and every ``url()`` or
``@import`` of CSS, in the site's stylesheets, in ``<style>`` elements and in ``style``
attributes (CSS read by tinycss2, so a ``url(`` inside a string or comment is not one).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote, urlsplit

import tinycss2
from tinycss2.ast import AtRule, FunctionBlock, Node, StringToken, URLToken

EXTERNAL_SCHEMES = {"http", "https", "mailto", "tel", "data", "javascript", "ftp"}


@dataclass(frozen=True)
class Problem:
    path: str
    line: int
    message: str

    def __str__(self) -> str:
        return f"{self.path}:{self.line}: {self.message}"


@dataclass
class ParsedPage:
    ids: set[str] = field(default_factory=set)
    links: list[tuple[int, str, str]] = field(default_factory=list)  # (line, attribute, url)


# Attributes that hold one URL, on any element (SVG's <use>, <image>, gradients and
# <textPath> use href or the older xlink:href). <base href> is not a link.
URL_ATTRIBUTES = ("href", "xlink:href", "src", "poster")


def srcset_urls(value: str) -> list[str]:
    """The URL of each candidate in a ``srcset``, split as the HTML standard splits them.

    A URL runs to the next whitespace (so ``data:`` URLs keep their commas); its descriptors
    run to the next comma outside parentheses.

    >>> srcset_urls("a.png 1x, b.png 2x,c.png")
    ['a.png', 'b.png', 'c.png']
    """
    urls, position, end = [], 0, len(value)
    while True:
        while position < end and (value[position].isspace() or value[position] == ","):
            position += 1
        if position == end:
            return urls
        start = position
        while position < end and not value[position].isspace():
            position += 1
        url = value[start:position]
        if url.endswith(","):
            url = url.rstrip(",")
        else:
            depth = 0
            while position < end and (value[position] != "," or depth):
                depth += {"(": 1, ")": -1 if depth else 0}.get(value[position], 0)
                position += 1
        urls.append(url)


def css_urls(nodes: Iterable[Node]) -> Iterator[tuple[int, str]]:
    """``(line, url)`` of every ``url()`` and ``@import`` in parsed CSS, nested ones included.

    >>> list(css_urls(tinycss2.parse_stylesheet('@import "a.css";\\np { b: url(x.png) }')))
    [(1, 'a.css'), (2, 'x.png')]
    """
    for node in nodes:
        if isinstance(node, URLToken):
            yield node.source_line, node.value
        elif isinstance(node, FunctionBlock) and node.lower_name == "url":
            strings = [a for a in node.arguments if isinstance(a, StringToken)]
            if strings:
                yield node.source_line, strings[0].value
        elif isinstance(node, AtRule) and node.lower_at_keyword == "import":
            # `@import "a.css"`: a bare string (the url() form is found below).
            strings = [t for t in node.prelude[:2] if isinstance(t, StringToken)]
            if strings:
                yield node.source_line, strings[0].value
        for child in ("prelude", "content", "arguments", "value"):  # value: a Declaration's
            inner = getattr(node, child, None)
            if isinstance(inner, list):
                yield from css_urls(inner)


def stylesheet_urls(css: str) -> Iterator[tuple[int, str]]:
    """``(line, url)`` for a stylesheet or a ``<style>`` element's text."""
    return css_urls(tinycss2.parse_stylesheet(css, skip_comments=True))


def style_attribute_urls(css: str) -> Iterator[tuple[int, str]]:
    """``(line, url)`` for a ``style`` attribute (declarations, no selectors)."""
    return css_urls(tinycss2.parse_blocks_contents(css, skip_comments=True))


class _Collector(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.page = ParsedPage()
        self._style: list[str] | None = None  # the text of the <style> element being read
        self._style_line = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = dict(attrs)
        line = self.getpos()[0]
        for name in ("id",) + (("name",) if tag == "a" else ()):
            if values.get(name):
                self.page.ids.add(values[name])
        for attribute in URL_ATTRIBUTES:
            if values.get(attribute) and tag != "base":
                self.page.links.append((line, attribute, values[attribute]))
        if values.get("srcset"):
            self.page.links.extend((line, "srcset", url) for url in srcset_urls(values["srcset"]))
        if values.get("style"):
            self.page.links.extend((line + offset - 1, "style", url)
                                   for offset, url in style_attribute_urls(values["style"]))
        if tag == "style":
            self._style, self._style_line = [], line

    def handle_data(self, data: str) -> None:
        if self._style is not None:
            self._style.append(data)

    def handle_endtag(self, tag: str) -> None:
        if tag == "style" and self._style is not None:
            self.page.links.extend((self._style_line + offset - 1, "<style>", url)
                                   for offset, url in stylesheet_urls("".join(self._style)))
            self._style = None


def parse_page(html: str) -> ParsedPage:
    collector = _Collector()
    collector.feed(html)
    return collector.page


def check_site(site_dir: Path) -> tuple[list[Problem], set[str]]:
    """Broken internal links in every page of ``site_dir``, and the external URLs seen."""
    site_dir = site_dir.resolve()
    pages = {p: parse_page(p.read_text(encoding="utf-8")) for p in sorted(site_dir.rglob("*.html"))}
    problems: list[Problem] = []
    external: set[str] = set()
    links = {page: parsed.links for page, parsed in pages.items()
             if page.name != "404.html"}  # served at any depth: site-absolute links by design
    for sheet in sorted(site_dir.rglob("*.css")):
        # A bare #fragment in a stylesheet names an element of whichever page uses it.
        links[sheet] = [(line, "url()", url) for line, url
                        in stylesheet_urls(sheet.read_text(encoding="utf-8"))
                        if not url.startswith("#")]
    for page, found in links.items():
        shown = str(page.relative_to(site_dir))
        for line, _, url in found:
            parts = urlsplit(url)
            if parts.scheme in EXTERNAL_SCHEMES or parts.netloc:
                if parts.scheme in ("http", "https"):
                    external.add(url)
                continue
            problem = _check_internal(page, parts.path, parts.fragment, site_dir, pages)
            if problem:
                problems.append(Problem(shown, line, f"{url!r}: {problem}"))
    return problems, external


def _check_internal(page: Path, path: str, fragment: str, site_dir: Path,
                    pages: dict[Path, ParsedPage]) -> str | None:
    target = page if not path else (page.parent / unquote(path)).resolve()
    if path and (path.endswith("/") or target.is_dir()):
        target = target / "index.html"
    if not target.is_relative_to(site_dir):
        return "points outside the site"
    if not target.exists():
        return f"no such file {target.relative_to(site_dir)}"
    fragment = unquote(fragment)
    if fragment and target.suffix == ".html":
        parsed = pages.get(target) or parse_page(target.read_text(encoding="utf-8"))
        if fragment not in parsed.ids:
            return f"no element with id {fragment!r} in {target.name}"
    return None
