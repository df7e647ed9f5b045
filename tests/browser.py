"""A real browser for the tests and the screenshot tool: Debian's Chromium via Playwright.

Nothing here downloads a browser: Chromium comes from the system package (`make test`
installs it) and axe-core from npm into `.cache/npm`.
"""

from __future__ import annotations

import re
from pathlib import Path

from aiguide.browser import CHROMIUM_ARGS, chromium_path, content_pages, serve

__all__ = ["AXE", "CHROMIUM_ARGS", "chromium_path", "content_pages", "open_page", "serve",
           "serve_sitemap_for"]

ROOT = Path(__file__).resolve().parent.parent
AXE = ROOT / ".cache" / "npm" / "node_modules" / "axe-core" / "axe.min.js"


def open_page(browser, url: str, wait_until: str = "networkidle", **context_options):
    """A page plus the console errors, failed requests and requests that left the machine."""
    context = browser.new_context(**context_options)
    page = context.new_page()
    seen: dict[str, list[str]] = {"errors": [], "failed": [], "external": []}
    page.on("console", lambda m: m.type == "error" and seen["errors"].append(m.text))
    page.on("pageerror", lambda e: seen["errors"].append(str(e)))
    page.on("requestfailed", lambda r: seen["failed"].append(r.url))
    page.on("request", lambda r: r.url.startswith(("http://127.0.0.1", "file://", "data:", "blob:"))
            or seen["external"].append(r.url))
    page.goto(url, wait_until=wait_until)
    return context, page, seen


def serve_sitemap_for(site_url: str, site_dir: Path):
    """A route handler giving Material the sitemap as it would be on the published host.

    Material's instant navigation only intercepts links listed in sitemap.xml, matched with
    the page's own host and port; the built sitemap names the published address
    (site_url in mkdocs.yml), which `mkdocs serve` and GitHub Pages both match but a test
    server on a random port does not.
    """
    text = (site_dir / "sitemap.xml").read_text(encoding="utf-8")
    published = re.search(r"<loc>(.*?)</loc>", text).group(1)
    body = text.replace(published, site_url)
    return lambda route: route.fulfill(body=body, content_type="application/xml")
