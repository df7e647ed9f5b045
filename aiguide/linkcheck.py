"""Check every internal link and ``#anchor`` in a built site, figures and notebooks included.

MkDocs' own validation only sees links written in Markdown; this reads the HTML the reader
gets, so links made by hooks, templates and notebook pages are checked too. (Written here
rather than taken from mkdocs-htmlproofer-plugin because that plugin runs inside the build
and also fetches external URLs, and we need an offline check we can point at any folder.)
"""

from __future__ import annotations

from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote, urlsplit

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


class _Collector(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.page = ParsedPage()

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = dict(attrs)
        for name in ("id",) + (("name",) if tag == "a" else ()):
            if values.get(name):
                self.page.ids.add(values[name])
        attribute = {"a": "href", "link": "href", "img": "src", "script": "src",
                     "source": "src", "iframe": "src"}.get(tag)
        if attribute and values.get(attribute):
            self.page.links.append((self.getpos()[0], attribute, values[attribute]))


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
    for page, parsed in pages.items():
        if page.name == "404.html":
            continue  # served at any depth, so its links are site-absolute by design
        shown = str(page.relative_to(site_dir))
        for line, _, url in parsed.links:
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
