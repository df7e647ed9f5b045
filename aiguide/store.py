"""The figure data store: one JSON record per spec key under ``data/figures/``.

Records are written deterministically (sorted keys, fixed float precision, number rows on
one line) so that diffs stay readable, and only when their content changed, so that
``mkdocs serve`` does not rebuild in a loop and ``git status`` stays quiet. A record read
back is checked against its kind's shape (:mod:`aiguide.records`), so a corrupt, truncated
or outdated file fails at the figure that uses it, with the command that fixes it.
"""

from __future__ import annotations

import json
import os
import re
from pathlib import Path
from typing import Any

from aiguide.kinds import KINDS
from aiguide.pages import shown_path
from aiguide.records import Record, shape_problem
from aiguide.spec import FIX_DATA, FigureError

# The committed store. Callers pass a folder explicitly; :func:`data_dir` is the default.
DATA_DIR = Path(__file__).resolve().parent.parent / "data" / "figures"
DATA_DIR_VARIABLE = "AIGUIDE_DATA_DIR"

# Floats are stored with 6 significant digits: far below what a figure can show and far
# above the tolerance that `--check` uses, so reruns on another machine do not churn.
_SIGNIFICANT = 6

FIX_RECORD = (f"run `{FIX_DATA}`: it recomputes a record it cannot use (or delete the file "
              "and run it), then commit data/figures/")


class RecordError(FigureError):
    """A stored record that cannot be used; raised where the figure's page line is known."""

    def __init__(self, message: str):
        super().__init__(message, fix=FIX_RECORD)


def data_dir() -> Path:
    """The store a build or ``python -m aiguide figures`` uses when not told otherwise.

    ``AIGUIDE_DATA_DIR`` points it elsewhere (the tests try a contributor's new page
    without touching the committed data); it is read when called, not when imported.
    """
    return Path(os.environ.get(DATA_DIR_VARIABLE) or DATA_DIR)


def record_path(key: str, folder: Path) -> Path:
    return folder / f"{key}.json"


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


# A JSON string (skipped whole: text such as "[1,2]" must stay as written) or a list of numbers.
_STRING_OR_NUMBER_ROW = re.compile(
    r'(?P<string>"(?:[^"\\]|\\.)*")'
    r"|\[\s*(?P<row>-?[\d.eE+-]+(?:,\s*-?[\d.eE+-]+)*)\s*\]"
)


def _collapse_number_rows(text: str) -> str:
    """Put lists of plain numbers on one line: a 24×24 matrix then diffs row by row.

    >>> _collapse_number_rows('[\\n 1,\\n 2\\n] "[1,\\n2]"')
    '[1, 2] "[1,\\n2]"'
    """

    def collapsed(match: re.Match[str]) -> str:
        if match["string"] is not None:
            return match["string"]
        return "[" + re.sub(r",\s*", ", ", match["row"]) + "]"

    return _STRING_OR_NUMBER_ROW.sub(collapsed, text)


def write_record(record: dict[str, Any], folder: Path) -> bool:
    """Write a record; return True only if the file was created or its content changed."""
    path = record_path(record["key"], folder)
    text = dumps(record)
    if path.exists() and path.read_text(encoding="utf-8") == text:
        return False
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return True


def parse_record(raw: bytes | str, path: Path | str) -> dict[str, Any]:
    """A record from a file's bytes, checked against its kind's data shape.

    Raises :class:`RecordError` naming the file (and the line, for broken JSON); the
    caller places it at the page line of the figure.
    """
    shown = shown_path(path)
    try:
        record = json.loads(raw)
    except json.JSONDecodeError as error:
        raise RecordError(f"{shown} line {error.lineno} is not valid JSON ({error.msg}); "
                          "the file is corrupt or truncated") from None
    except UnicodeDecodeError as error:
        raise RecordError(f"{shown} is not UTF-8 text ({error.reason})") from None
    problem = record_problem(record, Path(path).stem)
    if problem:
        raise RecordError(f"{shown}: {problem}")
    return record


def record_problem(record: Any, key: str) -> str | None:
    """Why a parsed record does not fit its file name and its kind, or None."""
    if not isinstance(record, dict):
        return f"the record is {type(record).__name__}, not an object"
    envelope = shape_problem(record, Record, "record")
    if envelope:
        return envelope
    if record["key"] != key:
        return f"the record's key {record['key']!r} is not its file name {key!r}"
    kind = KINDS.get(record["kind"])
    if kind is None:
        return f"unknown figure kind {record['kind']!r} (known: {', '.join(KINDS)})"
    if not record["key"].startswith(f"{kind.name}-"):
        return f"a {kind.name} record under the key of another kind ({record['key']})"
    return shape_problem(record["data"], kind.record, "data")


def read_record(key: str, folder: Path) -> dict[str, Any] | None:
    """The checked record stored under ``key``, or None if there is none."""
    path = record_path(key, folder)
    if not path.exists():
        return None
    return parse_record(path.read_bytes(), path)


def stored_keys(folder: Path) -> set[str]:
    return {p.stem for p in folder.glob("*.json")} if folder.is_dir() else set()

