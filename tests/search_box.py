"""Material's own search, driven as a reader drives it: focus the box, type, read the list.

Shared by the query tests and the on-demand loading tests. Results come back as Material
orders them: one group per page (the page and its matching sections), best first, each
link as a site-relative path plus fragment ("language-models-101/#top-p"), without the
`?h=` highlight parameter Material adds.
"""

from __future__ import annotations

from urllib.parse import urlsplit

BOX = "[data-md-component=search-query]"
META = ".md-search-result__meta"
READY = "performance.getEntriesByName('aig-search-ready').length > 0"


def wait_until_ready(page, timeout: int = 60_000) -> None:
    """Focus the box (which releases the index, see search-on-demand.js) and wait for the
    worker to say it has built the index."""
    page.focus(BOX)
    page.wait_for_function(READY, timeout=timeout)


def results(page, query: str, site_root: str) -> list[list[str]]:
    """The result groups Material shows for ``query``; ``site_root`` is the site's base URL."""
    page.fill(BOX, "")
    page.wait_for_function(f"!document.querySelector('{META}').textContent.includes('matching')")
    # One keyup with the whole query (Material reads the box on keyup): typing it key by
    # key would show the results of a prefix first, and reading those is a race.
    page.fill(BOX, query)
    page.dispatch_event(BOX, "keyup")
    page.wait_for_function(f"document.querySelector('{META}').textContent.includes('matching')")
    groups = page.eval_on_selector_all(
        ".md-search-result__list > .md-search-result__item",
        "items => items.map(item => [...item.querySelectorAll('a')].map(a => a.href))")
    root = urlsplit(site_root).path
    return [[_relative(href, root) for href in group] for group in groups]


def _relative(href: str, root: str) -> str:
    parts = urlsplit(href)
    path = parts.path.removeprefix(root).removesuffix("index.html")
    return path + (f"#{parts.fragment}" if parts.fragment else "")
