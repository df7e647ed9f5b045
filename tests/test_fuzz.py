"""Generated bad input: every case ends as a figure or as an error that says where and why.

Hypothesis generates figure specs (random YAML of every type, real specs with one field
broken, hostile captions), page front matter, ``md:`` shortcodes and glossary markup. For
each one the rule is the same as for a contributor's typo: either the input is valid and
renders, or it raises the project's own error naming ``file:line``, what is wrong and the
fix. Never another exception (a traceback), never an empty result, and never markup from
the input in the HTML. A crash found here is kept below as an ``@example``.

The number of cases each test ran is printed at the end of the session.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import markdown
import pytest
import yaml
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from pymdownx.superfences import SuperFencesException

from aiguide import fence, pages
from aiguide.glossary import (
    GlossaryError,
    check_glossary,
    link_first_abbrs,
    parse_abbreviations,
    parse_glossary,
)
from aiguide.spec import FigureError, find_figures

ROOT = Path(__file__).resolve().parent.parent
DOCS = ROOT / "docs"

# Cases run per test, reported by conftest's terminal summary.
CASES: Counter[str] = Counter()

FUZZ = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])

HOSTILE = [
    "</script><img src=x onerror=alert(1)>",
    "<script>alert(1)</script>",
    '" onmouseover="alert(1)',
    "javascript:alert(1)",
    "{{ page }}",
    "{% include 'x' %}",
    "<!-- md:asof 2026-11 -->",
    "]]><svg onload=alert(1)>",
    "&lt;b&gt;",
    "\u202eevil\u202c",  # right-to-left override
    "e\u0301\u0301\u0301",  # stacked combining accents
    "\x00\x07\x1b[31m",  # control characters
    "عربى עִבְרִית",
    "🤖👍🏽🧑‍🚀",
]

texts = st.one_of(
    st.sampled_from(HOSTILE),
    st.text(max_size=40),
    st.text(alphabet=st.characters(codec="utf-8"), min_size=0, max_size=20).map(
        lambda t: t + HOSTILE[0]),
    st.just("x" * 10_000),
    st.just(""),
)
numbers = st.one_of(
    st.integers(min_value=-(2**70), max_value=2**70),
    st.sampled_from([0, 1, -1, 2, 12, 13, 31, 10**9]),
    st.floats(allow_nan=True, allow_infinity=True),
)
scalars = st.one_of(st.none(), st.booleans(), numbers, texts,
                    st.dates(min_value=dt.date(1, 1, 1)))
values = st.recursive(scalars, lambda inner: st.one_of(
    st.lists(inner, max_size=4), st.dictionaries(st.one_of(texts, numbers), inner, max_size=3)),
    max_leaves=8)


# -- What every outcome must look like ------------------------------------------------------

class _Markup(HTMLParser):
    """Every element and attribute a browser would build from the HTML."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[str] = []
        self.attributes: list[tuple[str, str]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append(tag)
        self.attributes += [(name, value or "") for name, value in attrs]


DANGEROUS_TAGS = {"script", "img", "iframe", "object", "embed", "link", "meta", "base", "form"}


def assert_no_injected_markup(html: str) -> None:
    parser = _Markup()
    parser.feed(html)
    assert not DANGEROUS_TAGS & set(parser.tags), parser.tags
    handlers = [name for name, _ in parser.attributes if name.startswith("on")]
    assert not handlers, handlers
    urls = [value for name, value in parser.attributes if name in ("href", "src", "xlink:href")]
    assert not [u for u in urls if u.strip().lower().startswith("javascript:")], urls


def assert_helpful(error: Exception, path: str) -> None:
    """``path:line: what is wrong`` and a fix, as every error of the project must read."""
    text = str(error)
    first, _, rest = text.partition("\n")
    where, _, message = first.partition(": ")
    assert where.startswith(path + ":") and where[len(path) + 1:].isdigit(), text
    assert int(where[len(path) + 1:]) >= 1, text
    assert message.strip(), text
    assert "fix:" in rest and rest.split("fix:", 1)[1].strip(), text


# -- Figure specs ---------------------------------------------------------------------------

def real_specs() -> list[dict[str, Any]]:
    """Every figure spec the guide's pages use, as parsed YAML."""
    found = []
    for page in sorted(DOCS.rglob("*.md")):
        for block in find_figures(page.read_text(encoding="utf-8"), str(page)):
            found.append(yaml.safe_load(block.source))
    return found


REAL = real_specs()
KEYS = sorted({key for spec in REAL for key in spec} | {"kind", "caption", "colour"})
LIBRARY = fence.FigureLibrary()


def figure_outcome(source: str, case: str) -> None:
    """Render one fence body: a figure with no injected markup, or a helpful FigureError."""
    CASES[case] += 1
    try:
        html = fence.render_figure(source, LIBRARY)
    except FigureError as error:
        assert_helpful(error.at("docs/page.md", 10), "docs/page.md")
        return
    assert "<figure" in html, html[:200]
    assert_no_injected_markup(html)


def dump(document: Any) -> str:
    return yaml.safe_dump(document, allow_unicode=True, sort_keys=False)


@FUZZ
@given(values)
@example({"kind": ["tokens"]})  # an unhashable kind once raised TypeError
@example({"kind": {"a": 1}})
def test_any_yaml_document_is_a_figure_or_a_helpful_error(document: Any):
    figure_outcome(dump(document), "random YAML documents")


@FUZZ
@given(st.text(max_size=200))
def test_any_text_is_a_figure_or_a_helpful_error(source: str):
    figure_outcome(source, "random fence bodies")


def _real(kind: str) -> dict[str, Any]:
    return next(spec for spec in REAL if spec["kind"] == kind)


@FUZZ
@given(st.sampled_from(REAL), st.sampled_from(KEYS), st.one_of(st.none(), values),
       st.booleans())
# Each of these once raised a bare exception instead of a FigureError:
@example(_real("decoding-explorer"), "temperature", float("nan"), False)  # ValueError
@example(_real("decoding-explorer"), "top_p", float("inf"), False)  # OverflowError
@example(_real("tokens"), "tokenizers", [{"a": 1}], False)  # TypeError: unhashable
def test_a_real_spec_with_one_field_broken_is_a_figure_or_a_helpful_error(
        spec: dict[str, Any], key: str, value: Any, delete: bool):
    broken = dict(spec)
    if delete:
        broken.pop(key, None)
    else:
        broken[key] = value
    figure_outcome(dump(broken), "real specs with one field broken")


@FUZZ
@given(st.sampled_from(REAL), texts)
def test_a_hostile_caption_is_drawn_as_text(spec: dict[str, Any], caption: str):
    source = dump({**spec, "caption": caption})
    figure_outcome(source, "real specs with hostile captions")
    try:
        html = fence.render_figure(source, LIBRARY)
    except FigureError:
        return  # too long a caption: reported, as checked above
    assert caption.strip() == "" or "<img" not in html


@settings(max_examples=40, deadline=None)
@given(st.sampled_from(REAL), texts, st.sampled_from(["", "\n", "```\n"]))
def test_a_page_with_a_broken_fence_builds_or_fails_with_the_page_line(
        spec: dict[str, Any], caption: str, tail: str):
    """Through Python-Markdown and SuperFences as the site configures them."""
    CASES["whole pages through Python-Markdown"] += 1
    body = dump({**spec, "caption": caption}) + tail
    page = f"# Title\n\nSome text.\n\n```figure\n{body}```\n\nMore text.\n"
    for block in find_figures(page, "docs/page.md"):
        try:
            fence.check_figure(block.source, LIBRARY)
        except FigureError as error:
            assert_helpful(error.at("docs/page.md", block.line), "docs/page.md")
            return
    md = markdown.Markdown(extensions=["pymdownx.superfences"], extension_configs={
        "pymdownx.superfences": {"custom_fences": [
            {"name": "figure", "class": "figure", "format": fence.format_figure}]}})
    try:
        html = md.convert(page)
    except SuperFencesException as error:
        pytest.fail(f"the page check passed but rendering failed: {error}")
    if find_figures(page, "docs/page.md"):
        assert "<figure" in html
    assert_no_injected_markup(html)


# -- Front matter and shortcodes ------------------------------------------------------------

front_matter = st.dictionaries(
    st.one_of(st.sampled_from(list(pages.REQUIRED + pages.OPTIONAL) + ["colour", "Title"]),
              texts), values, max_size=7)


@FUZZ
@given(front_matter)
@example({"title": "AI basics", "description": "x" * 60, "reviewed": "2026-02-30",
          "authors": ["A"]})
def test_any_front_matter_is_accepted_or_a_helpful_error(meta: dict[str, Any]):
    CASES["front matter"] += 1
    try:
        source = f"---\n{yaml.safe_dump(meta, allow_unicode=True)}---\n\n# Page\n"
    except yaml.YAMLError:
        return  # not writable as YAML at all
    from mkdocs.utils.meta import get_data

    parsed = get_data(source)[1]
    try:
        pages.check_front_matter(parsed, source, "docs/page.md")
    except pages.PageError as error:
        assert_helpful(error, "docs/page.md")


@FUZZ
@given(st.one_of(st.sampled_from(["asof", "asOf", "as-of", "badge", "x"]), st.from_regex(
    r"[\w-]{1,12}", fullmatch=True)),
       st.one_of(st.sampled_from(["2026-11", "2026-13", "2026-00", "2026-02-30", "0000-01",
                                  "9999-12-31", "2026-11 2026-12", ""]), texts))
@example("asof", "2026-13")  # a month that does not exist once raised ValueError
@example("asof", "2026-02-30")
def test_any_shortcode_renders_or_is_a_helpful_error(name: str, args: str):
    CASES["md: shortcodes"] += 1
    source = f"Intro.\n\nA dated fact. <!-- md:{name} {args} -->\n"
    try:
        html = pages.render_shortcodes(source, "docs/page.md", first_line=5)
    except pages.PageError as error:
        assert_helpful(error, "docs/page.md")
        assert error.line == 7
        return
    assert_no_injected_markup(html.replace(source.split("<!--")[0], ""))


# -- Glossary markup ------------------------------------------------------------------------

glossary_lines = st.one_of(
    st.builds(lambda t, a: f"### {t} {{ #{a} }}", texts, st.one_of(
        st.from_regex(r"[a-z0-9-]{1,12}", fullmatch=True), texts)),
    st.builds(lambda t: f"### {t}", texts),
    st.builds(lambda t: f"## {t}", st.one_of(st.sampled_from(["A", "B", "Z"]), texts)),
    st.sampled_from(["```", "~~~", "````python", "Some prose.", ""]),
    texts,
)


@FUZZ
@given(st.lists(glossary_lines, max_size=12))
def test_any_glossary_page_parses_or_is_a_helpful_error(lines: list[str]):
    CASES["glossary pages"] += 1
    source = "# Glossary\n\n" + "\n\n".join(lines) + "\n"
    try:
        check_glossary(parse_glossary(source, "docs/glossary.md"), "docs/glossary.md")
    except GlossaryError as error:
        assert_helpful(error, "docs/glossary.md")


@FUZZ
@given(st.lists(st.one_of(st.builds(lambda t, d: f"*[{t}]: {d}", texts, texts), texts),
                max_size=6))
@example(["*[</script><img src=x onerror=alert(1)>]: 0"])  # markup as a term once passed
def test_any_abbreviation_file_parses_or_is_a_helpful_error(lines: list[str]):
    CASES["abbreviation files"] += 1
    try:
        found = parse_abbreviations("\n".join(lines), "docs/includes/abbreviations.md")
    except GlossaryError as error:
        assert_helpful(error, "docs/includes/abbreviations.md")
        return
    # What passes is plain text: Python-Markdown's abbr puts it in a title attribute.
    for abbreviation in found:
        html = markdown.markdown(f"An {abbreviation.term} here.\n\n*[{abbreviation.term}]: "
                                 f"{abbreviation.title}", extensions=["abbr"])
        assert_no_injected_markup(html)


@FUZZ
@given(texts, st.from_regex(r"[a-z0-9-]{1,12}", fullmatch=True))
def test_glossary_linking_never_turns_text_into_markup(term: str, anchor: str):
    CASES["glossary links"] += 1
    import xml.etree.ElementTree as etree

    root = etree.Element("div")
    paragraph = etree.SubElement(root, "p")
    paragraph.text = "The "
    abbr = etree.SubElement(paragraph, "abbr", {"title": term})
    abbr.text, abbr.tail = term, " again."
    link_first_abbrs(root, {term: f"glossary.md#{anchor}"})
    linked = etree.tostring(root, encoding="unicode")
    assert_no_injected_markup(linked)
    assert linked.count("<a ") == (1 if term else 0) or not term.strip()


def test_the_markup_check_sees_injected_markup():
    for html in ['<p><img src=x onerror=alert(1)></p>', '<a href="javascript:alert(1)">x</a>',
                 '<svg><g onload="alert(1)"></g></svg>', "<script>alert(1)</script>"]:
        with pytest.raises(AssertionError):
            assert_no_injected_markup(html)
    assert_no_injected_markup("<p>&lt;img src=x onerror=alert(1)&gt;</p>")


def test_the_error_check_sees_an_unhelpful_error():
    for text in ["something failed", "docs/page.md: no line\n    fix: x",
                 "docs/page.md:3: no fix given", "docs/page.md:0: line zero\n    fix: x"]:
        with pytest.raises(AssertionError):
            assert_helpful(Exception(text), "docs/page.md")
    assert_helpful(Exception("docs/page.md:3: bad\n    fix: do this"), "docs/page.md")
