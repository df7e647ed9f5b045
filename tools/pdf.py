"""Print the whole guide to one PDF with Chromium (`make pdf`, and `make offline` attaches it).

Usage: python tools/pdf.py SITE_DIR OUT.pdf
SITE_DIR is a built site (online or offline build); its all-pages print page
(mkdocs-print-site-plugin) is opened from file:// with every other request blocked, and
printed with Material's print styles: no navigation, figures as vector HTML/CSS, and
full URLs after links (the plugin's `add_full_urls`).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from aiguide.browser import CHROMIUM_ARGS, chromium_path


def print_page_of(site: Path) -> Path:
    """The print page's absolute path (a file:// URL needs one; `make pdf` passes site/)."""
    for candidate in (site / "print_page.html", site / "print_page" / "index.html"):
        if candidate.exists():
            return candidate.resolve()
    raise SystemExit(f"{site}: no print page (print_page.html): build the site first (`make build`)")


def print_pdf(site: Path, out: Path, browser=None) -> list[str]:
    """Write ``out`` and return the requests that were blocked (none expected).

    ``browser`` is a running Playwright Chromium (the tests share theirs); without one,
    Chromium is launched for this call.
    """
    if browser is None:
        from playwright.sync_api import sync_playwright

        with sync_playwright() as playwright:
            chromium = playwright.chromium.launch(executable_path=chromium_path(), args=CHROMIUM_ARGS)
            try:
                return print_pdf(site, out, chromium)
            finally:
                chromium.close()

    blocked: list[str] = []
    context = browser.new_context()
    context.route("**/*", lambda route: route.continue_() if route.request.url.startswith(("file:", "data:"))
                  else (blocked.append(route.request.url), route.abort()))
    page = context.new_page()
    page.goto(print_page_of(site).as_uri(), wait_until="load")
    page.wait_for_selector("section.print-page", state="attached")
    page.emulate_media(media="print", color_scheme="light")
    out.parent.mkdir(parents=True, exist_ok=True)
    # Page size, margins and page numbers come from the print page's own @page CSS.
    page.pdf(path=str(out), prefer_css_page_size=True, print_background=True, outline=True,
             tagged=True)
    context.close()
    return blocked


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("site", type=Path)
    parser.add_argument("out", type=Path)
    args = parser.parse_args()
    blocked = print_pdf(args.site, args.out)
    for url in blocked:
        print(f"blocked a request that would leave the machine: {url}", file=sys.stderr)
    print(f"{args.out}: {args.out.stat().st_size / 1e6:.1f} MB")
    return 1 if blocked else 0


if __name__ == "__main__":
    raise SystemExit(main())
