"""A real browser for the tests and the screenshot tool: Debian's Chromium via Playwright.

Nothing here downloads a browser: Chromium comes from the system package (`make test`
installs it) and axe-core from npm into `.cache/npm`.
"""

from __future__ import annotations

import time
from pathlib import Path

from aiguide.browser import CHROMIUM_ARGS, chromium_path, content_pages, serve

__all__ = ["AXE", "CHROMIUM_ARGS", "chromium_path", "content_pages", "open_page", "serve",
           "show"]

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


def show(element) -> None:
    """Scroll a figure (Locator or ElementHandle) to the screen as a reader would, and wait
    until it is drawn: a figure off screen is skipped (content-visibility: auto), and its
    text reads as empty until then. Polled from here, not by a script in the page, so it
    works with JavaScript turned off too."""
    element.scroll_into_view_if_needed()
    caption = element.locator("figcaption").first if hasattr(element, "locator") else element.query_selector("figcaption")
    for _ in range(200):
        if caption.evaluate("el => el.checkVisibility({contentVisibilityAuto: true})"):
            return
        time.sleep(0.025)
    raise AssertionError("the figure was scrolled to but not drawn within 5 s")
