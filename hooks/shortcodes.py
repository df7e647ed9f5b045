"""MkDocs wiring for ``<!-- md:... -->`` shortcodes (rules in ``aiguide.pages``)."""

from __future__ import annotations

from mkdocs.config.defaults import MkDocsConfig
from mkdocs.exceptions import PluginError
from mkdocs.structure.files import Files
from mkdocs.structure.pages import Page

from aiguide.pages import shown_path, PageError, render_shortcodes


def on_page_markdown(markdown: str, *, page: Page, config: MkDocsConfig, files: Files) -> str:
    raw = page.file.content_string
    # MkDocs has removed the front matter; count it back so errors give the file's line.
    first_line = raw.count("\n") - markdown.count("\n") + 1
    try:
        return render_shortcodes(markdown, shown_path(page.file.abs_src_path), first_line=first_line)
    except PageError as error:
        raise PluginError(str(error)) from None
