"""The whole guide prints to one well-formed PDF: every page, figures as text and vectors,
links visible, no navigation chrome, nothing fetched from outside (tools/pdf.py, `make pdf`)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from aiguide.printpage import fix_anchor_targets
from tests.test_metadata import content_pages

pytestmark = pytest.mark.browser


@pytest.fixture(scope="session")
def printed(offline_site, browser, tmp_path_factory):
    """(pypdf reader, whole text with spaces normalised) of the guide printed by Chromium."""
    from pypdf import PdfReader

    from tools.pdf import print_pdf

    out = tmp_path_factory.mktemp("pdf") / "ai-guide.pdf"
    blocked = print_pdf(offline_site, out, browser)
    assert not blocked, f"printing tried to fetch: {blocked}"
    reader = PdfReader(out)
    text = " ".join(" ".join(page.extract_text().split()) for page in reader.pages)
    return reader, text


def _squash(text: str) -> str:
    return re.sub(r"\s+", "", text)


def titles_of(site) -> list[str]:
    titles = []
    for path in content_pages(site):
        if "print_page" in str(path):
            continue
        match = re.search(r'<meta property="og:title" content="([^"]+)"', path.read_text(encoding="utf-8"))
        titles.append(match[1].replace("&#39;", "'").replace("&amp;", "&"))
    return titles


def test_pdf_has_every_page(printed, offline_site):
    reader, text = printed
    assert len(reader.pages) > 20
    squashed = _squash(text)
    missing = [title for title in titles_of(offline_site) if _squash(title) not in squashed]
    assert not missing, f"pages missing from the PDF: {missing}"


def test_figures_print_as_text_not_pictures(printed, offline_site):
    """Figure captions and token chips are selectable text in the PDF (vector output)."""
    _, text = printed
    html = (offline_site / "ai-basics" / "index.html").read_text(encoding="utf-8")
    captions = re.findall(r"<figcaption[^>]*>(.*?)</figcaption>", html, re.DOTALL)
    assert captions
    squashed = _squash(text)
    for caption in captions:
        plain = _squash(re.sub(r"<[^>]+>", "", caption)).replace("&#39;", "'").replace("&quot;", '"')
        assert plain[:60] in squashed.replace("&", "&amp;").replace("&amp;", "&"), plain[:60]


def test_links_are_clickable_and_written_out(printed):
    reader, text = printed
    uris = [annot.get_object().get("/A", {}).get("/URI")
            for page in reader.pages for annot in page.get("/Annots", []) or []]
    external = [u for u in uris if u and u.startswith("https://")]
    assert len(external) > 50, "external links are not clickable in the PDF"
    assert "https://arxiv.org/abs/1706.03762" in text.replace(" ", ""), "full URLs are not printed"


def test_no_navigation_chrome_in_the_pdf(printed):
    _, text = printed
    for chrome in ("Skip to content", "Type to start searching", "Initializing search", "Back to top"):
        assert chrome not in text, f"{chrome!r} is printed"


def test_every_link_and_anchor_of_the_offline_copy_resolves(offline_site):
    """Includes the all-pages print page, whose in-page links the PDF keeps."""
    from aiguide.linkcheck import check_site

    problems, _ = check_site(offline_site)
    assert not problems, "\n".join(map(str, problems[:30]))


def test_print_page_anchor_fix_renames_only_dangling_targets():
    html = ('<section class="print-page" id="a"><a href="#a-ref-1">1</a><span id="ref-1"></span>'
            '<span id="ref-2"></span></section><section class="print-page" id="a-b">'
            '<a href="#a-b-x">x</a><i id="x"></i></section>')
    fixed = fix_anchor_targets(html)
    assert '<span id="a-ref-1">' in fixed and '<span id="ref-2">' in fixed
    assert '<i id="a-b-x">' in fixed, "the longest page key wins"
    assert fix_anchor_targets(fixed) == fixed


def test_the_print_page_is_found_from_a_relative_site_path(offline_site, monkeypatch):
    """`make pdf` and `make offline` pass a relative folder; file:// URLs need absolute paths."""
    from tools.pdf import print_page_of

    monkeypatch.chdir(offline_site.parent)
    found = print_page_of(Path(offline_site.name))
    assert found.is_absolute() and found.as_uri().startswith("file:///")
