"""MkDocs wiring for the front-matter schema and review dates (rules in ``aiguide.pages``).

A malformed page fails the build. A page whose review is overdue still builds (an old page
must not block an unrelated pull request) but is listed as a warning at the end of the build
and carries a visible note. The limit is ``extra.review_max_age_months`` (default 12).
"""

from __future__ import annotations

import logging

from mkdocs.config.defaults import MkDocsConfig
from mkdocs.exceptions import PluginError
from mkdocs.structure.files import Files
from mkdocs.structure.pages import Page

from aiguide.pages import shown_path, PageError, check_front_matter, months_between, today

# Not under "mkdocs.": strict mode turns those warnings into errors, and an overdue review
# is meant to be reported, not to break the build.
log = logging.getLogger("aiguide.review")
if not log.handlers:
    _handler = logging.StreamHandler()
    _handler.setFormatter(logging.Formatter("WARNING -  %(message)s"))
    log.addHandler(_handler)
    log.propagate = False

_overdue: list[str] = []


def on_pre_build(config: MkDocsConfig) -> None:
    _overdue.clear()


def on_page_markdown(markdown: str, *, page: Page, config: MkDocsConfig, files: Files) -> str:
    if not page.file.src_uri.endswith(".md"):
        return markdown  # notebooks carry their metadata in the notebook itself
    path = shown_path(page.file.abs_src_path)
    try:
        check_front_matter(page.meta, page.file.content_string, path)
    except PageError as error:
        raise PluginError(str(error)) from None
    limit = int(config.extra.get("review_max_age_months", 12))
    age = months_between(page.meta["reviewed"], today())
    if age >= limit:
        page.meta["review_overdue"] = limit
        _overdue.append(f"{path} (reviewed {page.meta['reviewed']}, {age} months ago)")
    return markdown


def on_post_build(config: MkDocsConfig) -> None:
    if _overdue:
        log.warning(
            "%d page(s) not reviewed in %s months; re-check them and update `reviewed:`\n  %s",
            len(_overdue), config.extra.get("review_max_age_months", 12), "\n  ".join(_overdue),
        )
