"""MkDocs wiring for the tokenizer playground: thin by design, the work is in ``aiguide.web``.

- on_config: export the tokenizers' data once per set of installed packages (cached).
- on_page_content: on the playground page and on pages with a ``tokens`` figure only, add the
  small boot script and its settings; every other page stays byte for byte as it was.
- on_post_build: copy the content-hashed data files into the site.
"""

from __future__ import annotations

import json
from pathlib import Path

from markupsafe import escape
from mkdocs.config.defaults import MkDocsConfig
from mkdocs.exceptions import PluginError
from mkdocs.structure.files import Files
from mkdocs.structure.pages import Page
from mkdocs.utils import get_relative_url

from aiguide.render.html import figure_id
from aiguide.spec import FigureError, find_figures, parse_spec
from aiguide.web.tokenizers import ExportError, cached_export, install_files

ROOT = Path(__file__).resolve().parent.parent
PLAYGROUND = "try-it/tokenizers.md"
ENCODER = "try-it/encoder.md"
ASSETS = "assets/tokenizers/"
SCRIPTS = "assets/javascripts/"

_state: dict = {}


def on_config(config: MkDocsConfig) -> MkDocsConfig:
    try:
        manifest, cache = cached_export(ROOT / ".cache" / "tokplay")
    except ExportError as error:
        raise PluginError(f"hooks/tokplay.py: {error}") from None
    _state.update(manifest=manifest, cache=cache)
    return config


def _token_figures(page: Page) -> dict[str, dict]:
    """The tokens figures of a page by element id, with what the live mode needs."""
    found = {}
    for block in find_figures(page.file.content_string, page.file.src_uri):
        try:
            spec = parse_spec(block.source)
        except FigureError:
            continue  # hooks/figures.py reports it, with file:line
        if spec.kind == "tokens":
            found[figure_id(spec.key)] = {"text": spec.params["text"],
                                          "chat": bool(spec.params.get("chat")),
                                          "tokenizers": list(spec.params["tokenizers"])}
    return found


def on_page_content(html: str, *, page: Page, config: MkDocsConfig, files: Files) -> str:
    figures = _token_figures(page)
    if page.file.src_uri != PLAYGROUND and not figures:
        return html
    url = page.url
    encoder = files.get_file_from_path(ENCODER)
    settings = {
        "data": get_relative_url(ASSETS, url).rstrip("/") + "/",
        "scripts": get_relative_url(SCRIPTS, url).rstrip("/") + "/",
        "files": {n: {"file": e["file"], "size": e["size"]}
                  for n, e in _state["manifest"]["tokenizers"].items()},
        "figures": figures,
        "encoder": get_relative_url(encoder.url, url) if encoder else None,
    }
    data = escape(json.dumps(settings, sort_keys=True, separators=(",", ":")))
    boot = escape(get_relative_url(SCRIPTS + "playground/boot.js", url))
    return html + (f'<div class="aig-tokplay-settings" hidden data-settings="{data}"></div>'
                   f'<script src="{boot}"></script>')


def on_post_build(*, config: MkDocsConfig) -> None:
    install_files(_state["manifest"], _state["cache"], Path(config.site_dir) / ASSETS)
