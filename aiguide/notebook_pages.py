"""A notebook as a Markdown page with its stored outputs, for a generator without mkdocs-jupyter.

Zensical renders only Markdown, so ``make build-zensical`` writes, beside each notebook, a
page holding the HTML mkdocs-jupyter itself makes from the notebook (its converter is a plain
function over nbconvert, no MkDocs build needed): the same cells, outputs and classes, so
the page looks as it does in the MkDocs build, with the stylesheet slimmed as there. The
notebooks are never executed here: what is shown is what was saved (and checked in CI by
tests/test_notebooks.py).
"""

from __future__ import annotations

import html
from pathlib import Path

from aiguide.notebook_css import slim_notebook_styles

DOWNLOAD_CLASS = "aig-download"


def notebook_html(notebook: Path) -> str:
    """The notebook's cells and stored outputs as mkdocs-jupyter renders them (execute off)."""
    from mkdocs_jupyter.convert import nb2html

    # The plugin's options as mkdocs.yml leaves them: stored outputs, default theme, and no
    # MathJax URL (the function's own default loads MathJax from a CDN).
    return nb2html(str(notebook), execute=False, theme="", allow_errors=True,
                   include_requirejs=False, custom_mathjax_url="")


def notebook_page(notebook: Path, title: str, cache_dir: Path | None = None) -> str:
    """A Markdown page: the title and description MkDocs gives the notebook page (its nav
    title; the hook's description), the download link the theme adds, then the notebook.

    The body is one raw HTML block (``markdown="0"``), so Python-Markdown passes it through.
    """
    import json

    from aiguide.pages import notebook_description

    name = html.escape(notebook.name)
    body = slim_notebook_styles(notebook_html(notebook), cache_dir)
    description = notebook_description(notebook.read_text(encoding="utf-8"))
    front = f"---\ntitle: {json.dumps(title)}\ndescription: {json.dumps(description)}\n---\n\n"
    return front + (f'<p class="{DOWNLOAD_CLASS}">\n  <a href="{name}" download>Download this notebook '
            f"({name})</a>\n  to run it yourself; its first cell says what to install.\n</p>\n\n"
            f'<div class="aig-notebook" markdown="0">\n{body}\n</div>\n')
