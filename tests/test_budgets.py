"""Page-weight budgets on the built site (sizes are stable; times belong in `make bench`)."""

from __future__ import annotations

import gzip
import re

from tests.browser import content_pages

PAGE_HTML_GZ = 100_000  # a content page's own HTML, figures included
ASSETS_GZ = 150_000  # CSS + JS + fonts one page loads
FIGURE_GZ = 40_000

_ASSET = re.compile(r'<(?:link[^>]+href|script[^>]+src)="([^"]+\.(?:css|js|woff2?))"')
_FIGURE = re.compile(r'<figure class="aig-figure.*?</figure>', re.DOTALL)


def gz(data: bytes) -> int:
    return len(gzip.compress(data, 9))


def test_page_html_and_figures_stay_within_budget(built_site):
    over = []
    for path in content_pages(built_site):
        html = (built_site / path).read_text(encoding="utf-8")
        # Notebook pages included: hooks/notebooks.py cuts mkdocs-jupyter's inlined CSS.
        if gz(html.encode()) > PAGE_HTML_GZ:
            over.append(f"{path}: {gz(html.encode())} B gzipped > {PAGE_HTML_GZ}")
        for figure in _FIGURE.findall(html):
            if gz(figure.encode()) > FIGURE_GZ:
                over.append(f"{path}: a figure is {gz(figure.encode())} B gzipped > {FIGURE_GZ}")
    assert not over, "\n".join(over)


def test_assets_a_page_loads_stay_within_budget(built_site):
    over = []
    for path in content_pages(built_site):
        page = built_site / path
        html = page.read_text(encoding="utf-8")
        total = sum(gz((page.parent / url).resolve().read_bytes())
                    for url in _ASSET.findall(html) if not url.startswith("http"))
        if total > ASSETS_GZ:
            over.append(f"{path}: CSS+JS {total} B gzipped > {ASSETS_GZ}")
    assert not over, "\n".join(over)
