"""MkDocs wiring for page conventions (the rules live in ``aiguide.pages``).

on_page_markdown runs a small pipeline of ``str -> str`` steps:
1. check the front matter (a malformed page fails the build with file:line and the fix);
2. check the self-check questions (each answer links to the section that explains it);
3. render ``<!-- md:... -->`` shortcodes, including the generated list of skipped examples;
4. strip test-only options from python fences.

on_page_content marks self-check answers ``data-search-exclude``, so search finds the
question but the section that explains it ranks first.

A page whose review is overdue still builds (an old page must not block an unrelated pull
request) but is listed as a warning at the end of the build and carries a visible note.
The limit is ``extra.review_max_age_months`` (default 12).
"""

from __future__ import annotations

import logging
from pathlib import Path

from mkdocs.config.defaults import MkDocsConfig
from mkdocs.exceptions import PluginError
from mkdocs.structure.files import Files
from mkdocs.structure.pages import Page
from mkdocs.utils.meta import get_data

from aiguide.pages import (
    PageError,
    check_front_matter,
    check_self_checks,
    mark_self_check_answers,
    months_between,
    notebook_description,
    render_shortcodes,
    shown_path,
    skipped_examples,
    skipped_examples_markdown,
    strip_test_options,
    today,
)

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
        return markdown
    if not page.file.src_uri.endswith(".md"):
        return markdown
    path, raw = shown_path(page.file.abs_src_path), page.file.content_string
    # MkDocs has cut the front matter off `markdown`; count it back so lines match the file.
    first_line = raw.count("\n") - markdown.count("\n") + 1
    try:
        # The raw file's own front matter: plugins (git dates) add their own keys to page.meta.
        check_front_matter(get_data(raw)[1], raw, path)
        check_self_checks(raw, path)
        # Read the whole docs folder only for the page that lists the skipped blocks.
        generated = {"skipped-examples": skipped_examples_markdown(
            skipped_examples(Path(config.docs_dir)), page.file.src_uri)} if "md:skipped-examples" in markdown else {}
        markdown = render_shortcodes(markdown, path, first_line=first_line, generated=generated)
    except PageError as error:
        raise PluginError(str(error)) from None
    _note_review_age(page, path, int(config.extra.get("review_max_age_months", 12)))
    return strip_test_options(markdown)


def on_page_content(html: str, *, page: Page, config: MkDocsConfig, files: Files) -> str:
    return mark_self_check_answers(html)


def _note_review_age(page: Page, path: str, limit: int) -> None:
    age = months_between(page.meta["reviewed"], today())
    if age >= limit:
        page.meta["review_overdue"] = limit
        _overdue.append(f"{path} (reviewed {page.meta['reviewed']}, {age} months ago)")


def on_post_build(config: MkDocsConfig) -> None:
    if _overdue:
        log.warning(
            "%d page(s) not reviewed in %s months; re-check them and update `reviewed:`\n  %s",
            len(_overdue), config.extra.get("review_max_age_months", 12), "\n  ".join(_overdue),
        )
