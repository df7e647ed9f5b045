"""MkDocs wiring for notebook pages (the work is in ``aiguide.notebook_css``).

on_post_page: cut the stylesheet mkdocs-jupyter inlines into each notebook page down to the
rules the page can use. Hooks run after plugins, so this sees mkdocs-jupyter's final HTML.
"""

from __future__ import annotations

from pathlib import Path

from mkdocs.config.defaults import MkDocsConfig
from mkdocs.structure.pages import Page

from aiguide.notebook_css import slim_notebook_styles


def on_post_page(output: str, *, page: Page, config: MkDocsConfig) -> str:
    if page.file.src_uri.endswith(".ipynb"):
        cache = Path(config.config_file_path).parent / ".cache" / "notebook-css"
        return slim_notebook_styles(output, cache)
    return output
