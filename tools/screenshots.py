"""Full-page screenshots of every page, light and dark, desktop and phone (`make screenshots`).

Usage: python tools/screenshots.py [SITE_DIR] [OUT_DIR] [--only SUBSTRING]
A reviewer can then look at the whole site in a minute.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from aiguide.browser import CHROMIUM_ARGS, chromium_path, content_pages, serve

VIEWPORTS = {"desktop": {"width": 1280, "height": 900}, "phone": {"width": 360, "height": 740}}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("site", nargs="?", type=Path, default=Path("site"))
    parser.add_argument("out", nargs="?", type=Path, default=Path("screenshots"))
    parser.add_argument("--only", default="", help="only pages whose path contains this")
    parser.add_argument("--viewports", default="desktop,phone")
    args = parser.parse_args()
    from playwright.sync_api import sync_playwright

    args.out.mkdir(parents=True, exist_ok=True)
    pages = [p for p in content_pages(args.site) if args.only in p]
    with serve(args.site) as url, sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=chromium_path(), args=CHROMIUM_ARGS)
        for scheme in ("light", "dark"):
            for name in args.viewports.split(","):
                context = browser.new_context(viewport=VIEWPORTS[name], color_scheme=scheme)
                page = context.new_page()
                for path in pages:
                    page.goto(url + path, wait_until="networkidle")
                    slug = path.removesuffix("index.html").strip("/").replace("/", "-") or "home"
                    target = args.out / f"{slug}--{scheme}--{name}.png"
                    page.screenshot(path=str(target), full_page=True)
                    print(target)
                context.close()
        browser.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
