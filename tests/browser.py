"""A real browser for the tests and the screenshot tool: Debian's Chromium via Playwright.

Nothing here downloads a browser: Chromium comes from the system package (`make test`
installs it) and axe-core from npm into `.cache/npm`.
"""

from __future__ import annotations

import contextlib
import functools
import http.server
import os
import re
import shutil
import threading
from collections.abc import Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
AXE = ROOT / ".cache" / "npm" / "node_modules" / "axe-core" / "axe.min.js"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]


def chromium_path() -> str | None:
    return os.environ.get("CHROMIUM") or shutil.which("chromium") or shutil.which("chromium-browser")


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args: object) -> None:
        pass


@contextlib.contextmanager
def serve(folder: Path) -> Iterator[str]:
    """Serve a built site on 127.0.0.1 (a free port) for the duration of the block."""
    handler = functools.partial(_QuietHandler, directory=str(folder))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/"
    finally:
        server.shutdown()
        server.server_close()


def content_pages(site: Path) -> list[str]:
    """Every page a reader can reach, as paths relative to the site root."""
    return sorted(str(p.relative_to(site)) for p in site.rglob("*.html")
                  if p.name != "404.html" and "assets" not in p.parts)


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
