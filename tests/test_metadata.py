"""Every built page tells search engines and link previews what it is, and is well structured.

Checked on the real build: a description, Open Graph title and description, and a
canonical URL on every page, each unique to the page; every canonical URL in the sitemap;
one <h1> per page and no skipped heading levels inside the content (h2 → h4).
"""

from __future__ import annotations

import gzip
import itertools
import re
from html.parser import HTMLParser
from pathlib import Path

import pytest

from aiguide.pages import notebook_description

UNIQUE = ("description", "og:title", "og:description", "canonical")


class _PageReader(HTMLParser):
    """The metadata in <head> and the heading levels inside the article."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.meta: dict[str, str] = {}
        self.headings: list[int] = []
        self._article_depth = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        if tag == "meta" and (a.get("name") or a.get("property")) in ("description", "og:title",
                                                                     "og:description", "og:url"):
            self.meta[a.get("name") or a["property"]] = a.get("content", "")
        elif tag == "link" and a.get("rel") == "canonical":
            self.meta["canonical"] = a.get("href", "")
        elif tag == "article":
            self._article_depth += 1
        elif self._article_depth and re.fullmatch(r"h[1-6]", tag):
            self.headings.append(int(tag[1]))

    def handle_endtag(self, tag: str) -> None:
        if tag == "article" and self._article_depth:
            self._article_depth -= 1


def read_page(html: str) -> _PageReader:
    reader = _PageReader()
    reader.feed(html)
    return reader


def metadata_problems(pages: dict[str, dict[str, str]]) -> list[str]:
    """Missing or shared metadata across pages, one message per problem."""
    problems, seen = [], {}
    for page, meta in sorted(pages.items()):
        for field in UNIQUE:
            value = meta.get(field, "").strip()
            if not value:
                problems.append(f"{page}: no {field}")
            elif (field, value) in seen:
                problems.append(f"{page}: same {field} as {seen[field, value]}: {value[:60]!r}"
                                + ("  fix: give the page its own `description:` (a notebook: its opening paragraph)"
                                   if "description" in field else ""))
            else:
                seen[field, value] = page
    return problems


def heading_problems(page: str, levels: list[int], *, one_h1: bool = True) -> list[str]:
    """One h1, and each heading at most one level deeper than the one before it."""
    problems = [] if levels.count(1) == 1 or not one_h1 else [f"{page}: {levels.count(1)} <h1> headings"]
    for before, level in itertools.pairwise(levels):
        if level > before + 1:
            problems.append(f"{page}: h{before} followed by h{level} (a level is skipped)")
    return problems


def content_pages(site: Path) -> list[Path]:
    return sorted(p for p in site.rglob("*.html") if p.name != "404.html"
                  and "assets" not in p.relative_to(site).parts)


def test_every_page_has_unique_description_title_and_canonical_url(built_site):
    pages = {str(p.relative_to(built_site)): read_page(p.read_text(encoding="utf-8")).meta
             for p in content_pages(built_site)}
    assert len(pages) > 5
    if problems := metadata_problems(pages):
        pytest.fail("\n".join(problems), pytrace=False)


def test_every_canonical_url_is_in_the_sitemap(built_site):
    sitemap = gzip.decompress((built_site / "sitemap.xml.gz").read_bytes()).decode()
    listed = set(re.findall(r"<loc>([^<]+)</loc>", sitemap))
    # The print page repeats every page, so it is left out of the sitemap on purpose.
    missing = [str(p.relative_to(built_site)) for p in content_pages(built_site)
               if "print_page" not in str(p) and read_page(p.read_text(encoding="utf-8")).meta.get("canonical") not in listed]
    assert not missing, f"pages whose canonical URL is not in sitemap.xml: {missing}"


def test_headings_are_in_order_on_every_page(built_site):
    problems = [problem for p in content_pages(built_site)
                for problem in heading_problems(str(p.relative_to(built_site)),
                                                read_page(p.read_text(encoding="utf-8")).headings,
                                                one_h1="print_page" not in str(p))]  # all pages in one
    if problems:
        pytest.fail("\n".join(problems), pytrace=False)


@pytest.mark.parametrize("pages, expected", [
    ({"a.html": {"description": "d", "og:title": "A", "og:description": "d", "canonical": "u/a"},
      "b.html": {"description": "d", "og:title": "B", "og:description": "e", "canonical": "u/b"}},
     "b.html: same description as a.html"),
    ({"a.html": {"og:title": "A", "og:description": "d", "canonical": "u/a"}}, "a.html: no description"),
])
def test_metadata_check_can_fail(pages, expected):
    assert any(problem.startswith(expected) for problem in metadata_problems(pages))


def test_heading_check_can_fail():
    assert heading_problems("p.html", [1, 2, 4]) == ["p.html: h2 followed by h4 (a level is skipped)"]
    assert heading_problems("p.html", [2, 3]) == ["p.html: 0 <h1> headings"]
    assert heading_problems("p.html", [1, 2, 3, 2, 2, 3]) == []


def test_notebook_description_is_its_opening_paragraph():
    notebook = ('{"cells": [{"cell_type": "markdown", "source": ["# Title\\n\\n'
                'Runs **a** [real model](x). Then more.\\n\\nYou will learn:"]}]}')
    assert notebook_description(notebook) == "Runs a real model. Then more."
    assert notebook_description(notebook, limit=22) == "Runs a real model."
    assert notebook_description('{"cells": []}') == ""
