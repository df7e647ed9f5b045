"""One parse per page: the fences that figure discovery, the glossary, retrieval and the
code-block tests read (aiguide.markdown.census) are exactly the blocks the site renders."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from pytest_examples import find_examples

from aiguide.markdown import TABLE_HOLDER, census, figure_fences, hold_tables, prose_lines
from aiguide.pages import UnclosedFence
from tests.conftest import ROOT

DOCS = ROOT / "docs"
PAGES = sorted(p for p in DOCS.rglob("*.md") if "includes" not in p.parts)
PYTHON = ("python", "py")


def built_page(site: Path, page: Path) -> str:
    relative = page.relative_to(DOCS).with_suffix("")
    folder = relative.parent if relative.name == "index" else relative
    return (site / folder / "index.html").read_text(encoding="utf-8")


@pytest.mark.parametrize("page", PAGES, ids=lambda p: str(p.relative_to(DOCS)))
def test_census_finds_the_figures_and_code_blocks_the_build_renders(page, built_site):
    fences = census(page.read_text(encoding="utf-8"), str(page))
    html = built_page(built_site, page)
    content = html[html.index("<article"):html.index("</article>")]
    rendered_figures = re.findall(r'<figure class="aig-figure [^"]*" id="fig-[\w-]+"', content)
    rendered_code = re.findall(r'<div class="highlight">', content)  # every other block
    assert sum(f.language == "figure" for f in fences) == len(rendered_figures)
    assert sum(f.language != "figure" for f in fences) == len(rendered_code)


def test_the_code_block_tests_collect_exactly_the_python_blocks_rendered():
    """pytest-examples has its own scanner: it must agree with SuperFences on every page."""
    collected = {(str(e.path), e.start_line) for e in find_examples(DOCS)
                 if e.path.suffix == ".md"}
    rendered = set()
    for page in PAGES:
        for fence in census(page.read_text(encoding="utf-8"), str(page)):
            if fence.language in PYTHON:
                rendered.add((str(page), fence.line))
    assert collected == rendered, (sorted(collected - rendered), sorted(rendered - collected))


def test_census_gives_file_lines_below_the_front_matter_and_skips_nested_examples():
    source = ("---\ntitle: T\n---\n\nText.\n\n````markdown\n```figure\nkind: x\n```\n````\n\n"
              "```figure\nkind: positions\n```\n")
    fences = census(source, "docs/p.md")
    assert [(f.language, f.line, f.end) for f in fences] == [("markdown", 7, 11), ("figure", 13, 15)]
    assert [f.line for f in figure_fences(source, "docs/p.md")] == [13]
    assert fences[1].source == "kind: positions"


def test_test_options_do_not_hide_a_block_from_the_census():
    # Without the extension's option stripping SuperFences rejects the block (an inline code
    # span), and the census would miss what the build shows.
    fences = census('```python test="skip" reason="network"\nx = 1\n```\n', "p.md")
    assert [(f.language, f.line) for f in fences] == [("python", 1)]


def test_an_unclosed_fence_fails_with_the_line_it_opened_on():
    with pytest.raises(UnclosedFence, match=r"p.md:3: a fenced block opened with ```` is never"):
        census("a\n\n````python\nx\n```\n", "p.md")


def test_prose_lines_leave_out_every_block_line():
    assert prose_lines("a\n```\n# no\n```\nb") == [(1, "a"), (5, "b")]


def test_hold_tables_wraps_each_plain_table_once():
    import doctest
    import xml.etree.ElementTree as etree

    import aiguide.markdown

    assert doctest.testmod(aiguide.markdown).failed == 0
    root = etree.fromstring('<div><p>x</p><table/>tail<div><table/></div></div>')
    assert hold_tables(root) == 2
    assert hold_tables(root) == 0, "a held table was wrapped again"
    held = root.findall(f".//div[@class='{TABLE_HOLDER}']")
    assert [len(h) for h in held] == [1, 1] and held[0].tail == "tail"
    assert [child.tag for child in root] == ["p", "div", "div"]


@pytest.mark.parametrize("page", PAGES, ids=lambda p: str(p.relative_to(DOCS)))
def test_every_plain_table_sits_in_a_holder_of_its_own(page, built_site):
    """Material moves each plain table as the page starts; in the article itself that move
    restyles the whole page (aiguide.markdown.hold_tables says why)."""
    html = built_page(built_site, page)
    content = html[html.index("<article"):html.index("</article>")]
    tables = re.findall(r"<table(?=[\s>])[^>]*>", content)
    plain = [m.start() for m in re.finditer(r"<table>", content)]
    held = re.findall(rf'<div class="{TABLE_HOLDER}">\s*<table>', content)
    assert len(held) == len(plain), f"{len(plain) - len(held)} of {len(tables)} tables are not held"


@pytest.mark.parametrize("page", PAGES, ids=lambda p: str(p.relative_to(DOCS)))
def test_every_permalink_is_named_after_its_heading(page, built_site):
    """aiguide.markdown.label_permalinks: an aria-label naming the heading, and no title
    (which Material would turn into one more tooltip to mount as the page starts)."""
    html = built_page(built_site, page)
    content = html[html.index("<article"):html.index("</article>")]
    links = re.findall(r'<h([1-6]) id="[^"]*"[^>]*>(.*?)<a ([^>]*class="headerlink"[^>]*)>', content)
    assert links, "no permalinks found"
    for _, heading, attrs in links:
        assert "title=" not in attrs, attrs
        label = re.search(r'aria-label="Link to this section: ([^"]+)"', attrs)
        text = re.sub(r"<[^>]+>", "", heading).strip()
        assert label and label[1] == text.replace('"', "&quot;"), (attrs, text)
