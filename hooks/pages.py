"""MkDocs wiring for what needs the build, not one page's Markdown (the rest is the
``aiguide`` Markdown extension, aiguide/markdown.py, which MkDocs and Zensical both run).

- on_page_markdown: a notebook page's description (mkdocs-jupyter gives it no front matter),
  and the review age of a Markdown page, which the theme (overrides/main.html) shows.
- on_build_error: a page error from the aiguide extension has been logged with file:line
  and its fix; end the build there, without a Python traceback that buries it.
- on_post_build: list the pages whose review is overdue. Such a page still builds (an old
  page must not block an unrelated pull request) but is reported and carries a note. The
  limit is ``extra.review_max_age_months`` (default 12).
"""

from __future__ import annotations

import logging

from mkdocs.config.defaults import MkDocsConfig
from mkdocs.exceptions import Abort
from mkdocs.structure.files import Files
from mkdocs.structure.pages import Page

from aiguide.errors import GuideError
from aiguide.pages import months_between, notebook_description, shown_path, today

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
    if page.file.src_uri.endswith(".ipynb"):
        # No front matter in a notebook: its opening paragraph is its description.
        page.meta.setdefault("description", notebook_description(page.file.content_string))
    elif page.file.src_uri.endswith(".md") and "reviewed" in page.meta:
        _note_review_age(page, shown_path(page.file.abs_src_path),
                         int(config.extra.get("review_max_age_months", 12)))
    return markdown


def _note_review_age(page: Page, path: str, limit: int) -> None:
    reviewed = page.meta["reviewed"]
    if not hasattr(reviewed, "year"):
        return  # not a date: the aiguide extension fails the page with file:line
    age = months_between(reviewed, today())
    if age >= limit:
        page.meta["review_overdue"] = limit
        _overdue.append(f"{path} (reviewed {reviewed}, {age} months ago)")


def on_post_build(config: MkDocsConfig) -> None:
    if _overdue:
        log.warning(
            "%d page(s) not reviewed in %s months; re-check them and update `reviewed:`\n  %s",
            len(_overdue), config.extra.get("review_max_age_months", 12), "\n  ".join(_overdue),
        )


def on_build_error(*, error: Exception) -> None:
    cause = error.__cause__ if error.__cause__ is not None else error
    if isinstance(cause, GuideError):
        raise Abort(f"Aborted: {cause}") from None
