"""The figure data store: one JSON record per spec key under ``data/figures/``.

Records are written deterministically (sorted keys, fixed float precision, number rows on
one line) so that diffs stay readable, and only when their content changed, so that
``mkdocs serve`` does not rebuild in a loop and ``git status`` stays quiet.
"""

from __future__ import annotations

import json
import os
import re
from pathlib import Path
from typing import Any

# AIGUIDE_DATA_DIR points the build and `python -m aiguide figures` at another store (the
# tests use it to try a contributor's new page without touching the committed data).
DATA_DIR = Path(os.environ.get("AIGUIDE_DATA_DIR") or Path(__file__).resolve().parent.parent / "data" / "figures")

# Floats are stored with 6 significant digits: far below what a figure can show and far
# above the tolerance that `--check` uses, so reruns on another machine do not churn.
_SIGNIFICANT = 6


def record_path(key: str, data_dir: Path = DATA_DIR) -> Path:
    return data_dir / f"{key}.json"


def dumps(record: dict[str, Any]) -> str:
    """Serialise a record: rounded floats, sorted keys, one line per row of numbers."""
    text = json.dumps(_rounded(record), indent=1, sort_keys=True, ensure_ascii=False)
    return _collapse_number_rows(text) + "\n"


def _rounded(value: Any) -> Any:
    if isinstance(value, float):
        return float(f"{value:.{_SIGNIFICANT}g}")
    if isinstance(value, dict):
        return {k: _rounded(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_rounded(v) for v in value]
    return value


_NUMBER_ROW = re.compile(r"\[\s*(-?[\d.eE+-]+(?:,\s*-?[\d.eE+-]+)*)\s*\]")


def _collapse_number_rows(text: str) -> str:
    """Put lists of plain numbers on one line: a 24×24 matrix then diffs row by row."""
    return _NUMBER_ROW.sub(lambda m: "[" + re.sub(r",\s*", ", ", m.group(1)) + "]", text)


def write_record(record: dict[str, Any], data_dir: Path = DATA_DIR) -> bool:
    """Write a record; return True only if the file was created or its content changed."""
    path = record_path(record["key"], data_dir)
    text = dumps(record)
    if path.exists() and path.read_text(encoding="utf-8") == text:
        return False
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return True


def read_record(key: str, data_dir: Path = DATA_DIR) -> dict[str, Any] | None:
    path = record_path(key, data_dir)
    if not path.exists():
        return None
    return json.loads(path.read_text(encoding="utf-8"))


def stored_keys(data_dir: Path = DATA_DIR) -> set[str]:
    return {p.stem for p in data_dir.glob("*.json")} if data_dir.is_dir() else set()
