"""MkDocs wiring for glossary links (the rules live in ``aiguide.glossary``).

- on_files: read the tooltips that pymdownx.snippets appends to every page
  (``auto_append``) and the glossary page, check the glossary, and map every tooltip to its
  entry. A tooltip without an entry fails the build with the abbreviations file's line.
- on_page_content: the first tooltip of each entry on a page becomes a relative link to it
  (relative, so the offline build works from file://). The glossary page links nothing.
"""

from __future__ import annotations

from pathlib import Path

from mkdocs.config.defaults import MkDocsConfig
from mkdocs.exceptions import PluginError
from mkdocs.structure.files import File, Files
from mkdocs.structure.pages import Page

from aiguide.glossary import (
    GLOSSARY_PAGE,
    GlossaryError,
    check_glossary,
    glossary_href,
    link_first_occurrences,
    link_targets,
    parse_abbreviations,
    parse_glossary,
)
from aiguide.pages import shown_path

_glossary: File | None = None
_targets: dict[str, str] = {}  # abbreviation -> glossary anchor


def _abbreviation_files(config: MkDocsConfig) -> list[Path]:
    """The files pymdownx.snippets appends to every page, resolved like snippets does."""
    snippets = config.mdx_configs.get("pymdownx.snippets", {})
    bases = snippets.get("base_path", ["."])
    bases = [bases] if isinstance(bases, str) else bases
    root = Path(config.config_file_path).parent
    found = []
    for name in snippets.get("auto_append", []):
        candidates = [root / base / name for base in bases]
        found += [path for path in candidates if path.is_file()][:1]
    return found


def on_files(files: Files, *, config: MkDocsConfig) -> Files:
    global _glossary, _targets
    _glossary, _targets = files.get_file_from_path(GLOSSARY_PAGE), {}
    sources = _abbreviation_files(config)
    if not sources:
        return files
    if _glossary is None:
        raise PluginError(f"{shown_path(sources[0])}:1: tooltips are defined but there is no "
                          f"glossary page\n    fix: add docs/{GLOSSARY_PAGE}")
    glossary_path = shown_path(_glossary.abs_src_path)
    try:
        entries = parse_glossary(_glossary.content_string, glossary_path)
        check_glossary(entries, glossary_path)
        for source in sources:
            abbreviations = parse_abbreviations(source.read_text(encoding="utf-8"),
                                                shown_path(source))
            _targets.update(link_targets(abbreviations, entries, shown_path(source),
                                         glossary_path))
    except GlossaryError as error:
        raise PluginError(str(error)) from None
    return files


def on_page_content(html: str, *, page: Page, config: MkDocsConfig, files: Files) -> str:
    if _glossary is None or not _targets or page.file.src_uri == _glossary.src_uri:
        return html
    hrefs = {term: glossary_href(page.file.url, _glossary.url, anchor)
             for term, anchor in _targets.items()}
    return link_first_occurrences(html, hrefs)
