"""MkDocs wiring for real-model figures: thin by design, the work is in ``aiguide``.

- on_config: register ```figure fences with SuperFences and open the data store once.
- on_page_markdown: check every figure on the page before Markdown runs, so that an error
  names the page file and line (a fence formatter never learns where it is).
"""

from __future__ import annotations

from mkdocs.config.defaults import MkDocsConfig
from mkdocs.exceptions import PluginError
from mkdocs.structure.files import Files
from mkdocs.structure.pages import Page

from aiguide.fence import FigureLibrary, check_figure, format_figure, use_library
from aiguide.pages import shown_path
from aiguide.spec import FENCE_LANGUAGE, FigureError, find_figures

_library = FigureLibrary()


def on_config(config: MkDocsConfig) -> MkDocsConfig:
    global _library
    _library = FigureLibrary()  # fresh per build, so `mkdocs serve` sees new data
    use_library(_library)
    fences = config.mdx_configs.setdefault("pymdownx.superfences", {})
    fences.setdefault("custom_fences", []).append(
        {"name": FENCE_LANGUAGE, "class": FENCE_LANGUAGE, "format": format_figure}
    )
    return config


def on_page_markdown(markdown: str, *, page: Page, config: MkDocsConfig, files: Files) -> str:
    # The raw file, not `markdown`: MkDocs has cut the front matter off, shifting lines.
    path = shown_path(page.file.abs_src_path)
    for block in find_figures(page.file.content_string, path):
        try:
            check_figure(block.source, _library)
        except FigureError as error:
            raise PluginError(str(error.at(path, block.line))) from None
    return markdown
