"""MkDocs wiring for the search index (the work is in ``aiguide.search_index``).

on_page_content: mark what the index should leave out before Material's search plugin
reads the page (it indexes in on_page_context, which comes later). Notebook pages are
included: mkdocs-jupyter has rendered them by now.
"""

from __future__ import annotations

from mkdocs.config.defaults import MkDocsConfig
from mkdocs.structure.files import Files
from mkdocs.structure.pages import Page

from aiguide.search_index import leave_out_of_search


def on_page_content(html: str, *, page: Page, config: MkDocsConfig, files: Files) -> str:
    return leave_out_of_search(html)
