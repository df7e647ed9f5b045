"""The search worker and index load only when the reader reaches for search.

docs/assets/javascripts/search-on-demand.js holds back Material's search worker and index
until the search box gets focus (a click, or Material's `/` shortcut). Checked in Chromium
on the served site (the index is JSON over HTTP) and on the offline copy from file:// (the
index is a script, the worker runs in the iframe-worker shim's frame).
"""

from __future__ import annotations

import re
from urllib.parse import urlsplit

import pytest

from tests.search_box import BOX, READY, results
from tests.test_budgets import COLD_VISIT_PAGE, loaded_on_visit

pytestmark = pytest.mark.browser

SEARCH = re.compile(r"/search/search_index\.js(on)?$|/workers/search\.[^/]*\.js$")
# Fetched by Material (instant navigation, version selector) when the site uses them; not a page asset.
NOT_AN_ASSET = {"sitemap.xml"}


def is_search(url: str) -> bool:
    return bool(SEARCH.search(urlsplit(url).path))


def visit(browser, url: str):
    """A fresh page at ``url`` (fully loaded, then a second for anything started late),
    with the list of every URL its frames requested."""
    context = browser.new_context()
    requested: list[str] = []
    context.on("request", lambda r: requested.append(r.url))
    page = context.new_page()
    page.goto(url, wait_until="load")
    page.wait_for_load_state("networkidle")
    page.wait_for_timeout(1000)
    return context, page, requested


def reach_for_search(page, how: str) -> None:
    if how == "focus":
        page.click(BOX)
    else:
        page.keyboard.press("/")  # Material's shortcut: focuses the box


@pytest.mark.parametrize("how", ["focus", "slash"])
def test_served_site_requests_search_only_when_the_reader_reaches_for_it(browser, site_url, how):
    context, page, requested = visit(browser, site_url + COLD_VISIT_PAGE.removesuffix("index.html"))
    assert not [u for u in requested if is_search(u)], "search loaded with the page"
    reach_for_search(page, how)
    page.wait_for_function(READY, timeout=60_000)
    assert page.evaluate(f"document.activeElement.matches('{BOX}')")
    loaded = {urlsplit(u).path.rsplit("/", 2)[-2] + "/" + urlsplit(u).path.rsplit("/", 1)[-1]
              for u in requested if is_search(u)}
    assert any("workers/search." in u for u in loaded) and any("search_index" in u for u in loaded), loaded
    assert results(page, "attention", site_url), "and it answers"
    context.close()


def test_a_page_load_fetches_only_what_the_budget_counts(browser, built_site, site_url):
    """tests/test_budgets.py sums what the HTML names; a script that quietly fetched more
    on load (or the search index coming back) would escape that sum, so fail here."""
    context, _, requested = visit(browser, site_url + COLD_VISIT_PAGE.removesuffix("index.html"))
    counted = set(loaded_on_visit(built_site, COLD_VISIT_PAGE))
    fetched = {urlsplit(u).path.removeprefix("/") or "index.html" for u in requested}
    fetched = {p + "index.html" if p.endswith("/") else p for p in fetched}
    assert fetched - counted - NOT_AN_ASSET == set(), sorted(fetched - counted)
    context.close()


@pytest.mark.parametrize("how", ["focus", "slash"])
def test_offline_copy_requests_search_only_when_the_reader_reaches_for_it(browser, offline_site, how):
    start = (offline_site / COLD_VISIT_PAGE).as_uri()
    context, page, requested = visit(browser, start)
    assert not [u for u in requested if is_search(u)], "search loaded with the page"
    reach_for_search(page, how)
    page.wait_for_function(READY, timeout=60_000)
    assert [u for u in requested if u.endswith("/search/search_index.js")], requested
    assert [u for u in requested if "/workers/search." in u], requested
    assert not [u for u in requested if not u.startswith(("file://", "data:", "blob:", "about:"))]
    assert results(page, "attention", offline_site.as_uri() + "/"), "and it answers from file://"
    context.close()
