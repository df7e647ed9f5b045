"""Every notebook in docs/ executes, and the outputs it stores are what a fresh run prints."""

from __future__ import annotations

import os
from pathlib import Path

import nbformat
import pytest

from aiguide.notebooks import compare, execute
from aiguide.pages import shown_path

DOCS = Path(os.environ.get("AIGUIDE_DOCS_DIR", Path(__file__).resolve().parent.parent / "docs"))
NOTEBOOKS = sorted(p for p in DOCS.rglob("*.ipynb") if ".ipynb_checkpoints" not in p.parts)



@pytest.mark.parametrize("path", NOTEBOOKS, ids=shown_path)
def test_notebook_runs_and_stored_outputs_match(path: Path):
    from nbclient.exceptions import CellExecutionError

    stored = nbformat.read(path, as_version=4)
    try:
        fresh = execute(stored, cwd=path.parent)
    except CellExecutionError as error:
        pytest.fail(f"{shown_path(path)}: a cell failed:\n{str(error)[-2000:]}", pytrace=False)
    mismatches = compare(shown_path(path), stored, fresh)
    assert not mismatches, "\n".join(map(str, mismatches)) + (
        f"\n    fix: re-run it and save its outputs: python -m aiguide notebooks {shown_path(path)}")
