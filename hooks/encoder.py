"""MkDocs wiring for the in-browser encoder (the work is in ``aiguide.web.minilm``).

- on_page_content: a page holding ``<div data-aig-encoder></div>`` gets the manifest and the
  encoder's scripts in its place (inside the content, so they would survive instant
  navigation, which the site leaves off).
- on_post_build: the weight and tokenizer files go into ``assets/encoder/``, only if a page
  used them. The export is cached in ``.cache/encoder/`` by model and exporter version.

Runs after the print-site plugin has taken each page's HTML, so the all-pages print page
keeps the bare marker: no scripts, no weights, in the PDF.
"""

from __future__ import annotations

from pathlib import Path

from mkdocs.config.defaults import MkDocsConfig
from mkdocs.exceptions import PluginError
from mkdocs.structure.pages import Page
from mkdocs.utils import get_relative_url

from aiguide.web.minilm import ASSET_DIR, ExportError, cached_export, install_files, widget_html

MARKER = "<div data-aig-encoder></div>"
SCRIPTS = "assets/javascripts/encoder/"
_CACHE = Path(__file__).resolve().parent.parent / ".cache" / "encoder"
_used: dict[str, tuple[dict, Path]] = {}


def on_config(config: MkDocsConfig) -> MkDocsConfig:
    _used.clear()  # per build: `mkdocs serve` rebuilds in the same process
    return config


def on_page_content(html: str, *, page: Page, config: MkDocsConfig, **_) -> str:
    if MARKER not in html:
        return html
    try:
        manifest, folder = _used.get("minilm") or cached_export(_CACHE)
    except ExportError as error:
        raise PluginError(f"{page.file.src_uri}: {error}") from None
    _used["minilm"] = (manifest, folder)
    widget = widget_html(manifest, assets=get_relative_url(ASSET_DIR, page.url).rstrip("/") + "/",
                         scripts=get_relative_url(SCRIPTS, page.url).rstrip("/") + "/")
    return html.replace(MARKER, widget)


def on_post_build(config: MkDocsConfig) -> None:
    if "minilm" in _used:
        manifest, folder = _used["minilm"]
        install_files(manifest, folder, Path(config.site_dir) / ASSET_DIR)
