"""Page-weight budgets on the built site (sizes are stable; times belong in `make bench`)."""

from __future__ import annotations

import gzip
import random
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


# -- A cold first visit --------------------------------------------------------------------
COLD_VISIT_GZ = 170_000  # AI basics with its figures and a working search box
COLD_VISIT_PAGE = "ai-basics/index.html"

_LOADED_IN_HTML = re.compile(r'<link\b[^>]*\brel="(?:stylesheet|icon|preload|modulepreload)"[^>]*\bhref="([^"]+)"'
                             r'|<(?:script|img|source|audio|video)\b[^>]*\bsrc="([^"]+)"')
_LOADED_IN_CSS = re.compile(r'url\(\s*["\']?(?!data:)([^"\')]+)')


def loaded_on_visit(site, page: str) -> dict[str, int]:
    """Each file a first visit to ``page`` fetches, site-relative, with its gzipped size.

    What the HTML names (stylesheets, scripts, icons, images) and what those stylesheets
    name in turn (fonts, images). The search worker and index are not named in the HTML:
    they load only once the reader focuses the search box (search-on-demand.js), and
    tests/test_search_on_demand.py checks that a page load requests nothing else.
    """
    root = site.resolve()
    html_path = (site / page).resolve()
    sizes = {page: gz(html_path.read_bytes())}
    pending = [(html_path, url) for match in _LOADED_IN_HTML.finditer(html_path.read_text(encoding="utf-8"))
               for url in match.groups() if url]
    while pending:
        referrer, url = pending.pop()
        if url.startswith(("http:", "https:", "//", "data:")):
            continue
        path = (referrer.parent / url.split("?")[0].split("#")[0]).resolve()
        key = str(path.relative_to(root))
        if key in sizes:
            continue
        sizes[key] = gz(path.read_bytes())
        if path.suffix == ".css":
            pending += [(path, u) for u in _LOADED_IN_CSS.findall(path.read_text(encoding="utf-8"))]
    return sizes


def test_cold_first_visit_to_ai_basics_stays_within_budget(built_site):
    sizes = loaded_on_visit(built_site, COLD_VISIT_PAGE)
    total = sum(sizes.values())
    breakdown = "\n".join(f"{size:8d}  {name}" for name, size in sorted(sizes.items(), key=lambda kv: -kv[1]))
    assert total <= COLD_VISIT_GZ, f"{COLD_VISIT_PAGE}: {total} B gzipped > {COLD_VISIT_GZ}:\n{breakdown}"
    assert any("bundle" in name for name in sizes) and any(name.endswith(".css") for name in sizes), breakdown


def test_the_cold_visit_sum_counts_stylesheet_references(tmp_path):
    """A font named only in a stylesheet counts, and an oversized one breaks the budget."""
    (tmp_path / "p").mkdir()
    (tmp_path / "p" / "index.html").write_text('<link rel="stylesheet" href="../s.css"><script src="../a.js"></script>')
    (tmp_path / "s.css").write_text('@font-face{src:url("f.woff2")}')
    (tmp_path / "a.js").write_text("x")
    (tmp_path / "f.woff2").write_bytes(random.Random(0).randbytes(COLD_VISIT_GZ))  # incompressible
    sizes = loaded_on_visit(tmp_path, "p/index.html")
    assert set(sizes) == {"p/index.html", "s.css", "a.js", "f.woff2"}
    assert sum(sizes.values()) > COLD_VISIT_GZ
