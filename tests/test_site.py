"""The real site: it builds strictly and every internal link and anchor resolves."""

from __future__ import annotations

import pytest

from aiguide.linkcheck import check_site


def test_site_builds_strictly(built_site):
    assert (built_site / "index.html").exists()
    assert (built_site / "ai-basics" / "index.html").exists()


def test_every_internal_link_and_anchor_resolves(built_site):
    problems, _ = check_site(built_site)
    assert not problems, "broken internal links:\n" + "\n".join(map(str, problems))


def test_external_links_resolve(built_site, request):
    if not request.config.getoption("--online"):
        pytest.skip("external links are checked only with --online (this machine has no internet)")
    import urllib.request

    _, external = check_site(built_site)
    broken = []
    for url in sorted(external):
        try:
            request_ = urllib.request.Request(url, method="HEAD", headers={"User-Agent": "ai-guide-linkcheck"})
            urllib.request.urlopen(request_, timeout=20)
        except Exception as error:  # noqa: BLE001 -- any failure is a broken link, reported below
            broken.append(f"{url}: {error}")
    assert not broken, "\n".join(broken)


def test_search_indexes_figure_captions_but_not_their_number_tables(built_site):
    """Figure tables are marked data-search-exclude (aiguide/render/html.py `details`)."""
    import json

    index = json.loads((built_site / "search" / "search_index.json").read_text(encoding="utf-8"))
    text = " ".join(doc["text"] for doc in index["docs"])
    assert "Show the numbers" not in text
    assert "One sentence, three tokenizers" in text  # a caption on AI basics


def test_every_notebook_page_links_to_its_notebook_for_download(built_site):
    """The link is relative and the file next to the page is the notebook from docs/."""
    import re

    from tests.conftest import ROOT

    notebooks = sorted((ROOT / "docs" / "notebooks").glob("*.ipynb"))
    assert notebooks
    for source in notebooks:
        page = built_site / "notebooks" / source.stem / "index.html"
        links = re.findall(r'<a href="([^"]+)" download>', page.read_text(encoding="utf-8"))
        assert links == [source.name], f"{page}: download links {links}"
        assert (page.parent / links[0]).read_bytes() == source.read_bytes()
