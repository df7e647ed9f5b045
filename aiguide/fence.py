"""From a fence body to HTML: parse the spec, look up its stored record, render it.

This module is the whole integration surface: mkdocs.yml registers :func:`format_figure` as
a SuperFences custom fence, which MkDocs and Zensical both read::

    pymdownx.superfences:
      custom_fences:
        - name: figure
          class: figure
          format: !!python/name:aiguide.fence.format_figure

The ``aiguide`` Markdown extension (``aiguide.markdown``) tells the formatter which file
and line its fence is on, so an error names them.
"""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Any

from aiguide import render as renderers
from aiguide import store
from aiguide.pages import shown_path
from aiguide.spec import FIX_DATA, FigureError, Spec, parse_spec

# Rendered HTML by (fence body, digest of the record file). It outlives one build, so
# `mkdocs serve` re-renders only figures whose spec, caption or data changed.
_rendered: dict[tuple[str, str], str] = {}


class FigureLibrary:
    """The stored records a build reads, each loaded from disk at most once."""

    def __init__(self, data_dir: Path | None = None):
        self.data_dir = data_dir or store.data_dir()
        self._records: dict[str, tuple[dict[str, Any], str]] = {}

    def _load(self, spec: Spec) -> tuple[dict[str, Any], str]:
        """The record and a digest of its file's bytes (the render cache's data key)."""
        if spec.key not in self._records:
            path = store.record_path(spec.key, self.data_dir)
            if not path.exists():
                raise FigureError(
                    f"no data for this {spec.kind} figure (expected {shown_path(self.data_dir)}"
                    f"/{spec.key}.json)",
                    line=1,
                    fix=f"run `{FIX_DATA}` to compute it from the real model, then commit the file",
                )
            raw = path.read_bytes()
            digest = hashlib.blake2b(raw, digest_size=16).hexdigest()
            self._records[spec.key] = (store.parse_record(raw, path), digest)
        return self._records[spec.key]

    def record_for(self, spec: Spec) -> dict[str, Any]:
        return self._load(spec)[0]

    def digest_for(self, spec: Spec) -> str:
        return self._load(spec)[1]


def check_figure(source: str, library: FigureLibrary) -> Spec:
    """Validate a fence body and find its data, without rendering."""
    spec = parse_spec(source)
    library.record_for(spec)
    return spec


def render_figure(source: str, library: FigureLibrary) -> str:
    """Render one fence body. Raises :class:`FigureError` (line relative to the fence)."""
    spec = parse_spec(source)
    cache_key = (source, library.digest_for(spec))
    if cache_key not in _rendered:
        _rendered[cache_key] = renderers.render(library.record_for(spec), caption=spec.caption)
    return _rendered[cache_key]


_default_library: FigureLibrary | None = None


def use_library(library: FigureLibrary | None) -> None:
    """Set the records the fence reads; the hook calls this once per build."""
    global _default_library
    _default_library = library


def format_figure(
    source: str, language: str, class_name: str, options: dict, md: Any, **kwargs: Any
) -> str:
    """SuperFences custom-fence formatter.

    SuperFences turns ordinary exceptions from a formatter into a silently missing figure,
    so errors are re-raised as ``SuperFencesException``, which it lets through.
    """
    from pymdownx.superfences import SuperFencesException

    library = _default_library or _build_library()
    try:
        return render_figure(source, library)
    except FigureError as error:
        page = getattr(md, "aiguide", None)  # set by the aiguide extension, if listed
        if page is not None and page.current is not None:
            error = error.at(page.path, page.current.line)
        raise SuperFencesException(str(error)) from error


_libraries: dict[tuple[str, int], FigureLibrary] = {}


def _build_library(data_dir: Path | None = None) -> FigureLibrary:
    """One library per state of the data folder: a build reads each record once, and a
    rebuild after `make figures` (which rewrites the folder) sees the new data."""
    data_dir = data_dir or store.data_dir()  # read when used: AIGUIDE_DATA_DIR may point elsewhere
    key = (str(data_dir), data_dir.stat().st_mtime_ns if data_dir.exists() else 0)
    if key not in _libraries:
        _libraries.clear()
        _libraries[key] = FigureLibrary(data_dir)
    return _libraries[key]

