"""MkDocs wiring for Material's palette stylesheet (the work is in ``aiguide.palette_css``).

on_post_build: Material has copied its stylesheets into the site by then; rewrite the
palette one in place, so every page keeps linking the file Material names.
"""

from __future__ import annotations

from pathlib import Path

from mkdocs.config.defaults import MkDocsConfig
from mkdocs.exceptions import PluginError

from aiguide.errors import GuideError
from aiguide.palette_css import without_switching_rule


def on_post_build(*, config: MkDocsConfig) -> None:
    sheets = sorted((Path(config.site_dir) / "assets" / "stylesheets").glob("palette.*.min.css"))
    try:
        if not sheets:
            raise GuideError("no palette stylesheet in the built site", path="mkdocs.yml",
                             fix="keep theme.palette in mkdocs.yml, or take hooks/palette.py out of it")
        for sheet in sheets:
            sheet.write_text(without_switching_rule(sheet.read_text(encoding="utf-8"), str(sheet)),
                             encoding="utf-8")
    except GuideError as error:
        raise PluginError(str(error)) from None
