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

    # The options mkdocs.yml gives the plugin: stored outputs, sources shown, default theme.
    return nb2html(str(notebook), execute=False, theme="")


def notebook_page(notebook: Path, cache_dir: Path | None = None) -> str:
    """A Markdown page: the download link the MkDocs theme adds, then the rendered notebook.

    The body is one raw HTML block (``markdown="0"``), so Python-Markdown passes it through.
    """
    name = html.escape(notebook.name)
    body = slim_notebook_styles(notebook_html(notebook), cache_dir)
    return (f'<p class="{DOWNLOAD_CLASS}">\n  <a href="{name}" download>Download this notebook '
            f"({name})</a>\n  to run it yourself; its first cell says what to install.\n</p>\n\n"
            f'<div class="aig-notebook" markdown="0">\n{body}\n</div>\n')
