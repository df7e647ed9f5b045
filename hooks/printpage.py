"""MkDocs hook: after mkdocs-print-site-plugin writes the all-pages page, fix its anchors.

The work is in aiguide/printpage.py; see there for why it is needed.
"""

from __future__ import annotations

from pathlib import Path

from mkdocs.config.defaults import MkDocsConfig

from aiguide.printpage import fix_anchor_targets


def on_post_build(config: MkDocsConfig) -> None:
    plugin = config.plugins.get("print-site")
    if plugin is None or not plugin.config.get("enabled"):
        return
    path = Path(plugin.print_page.file.abs_dest_path)
    html = path.read_text(encoding="utf-8")
    fixed = fix_anchor_targets(html)
    if fixed != html:
        path.write_text(fixed, encoding="utf-8")
