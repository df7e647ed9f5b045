"""Every failure between a spec and its HTML names the page line and the command that fixes it.

A stored record can be corrupt (a bad merge), truncated (a disk filled up), outdated (a
member renamed) or filed under the wrong kind; a fence can be left open. Each case must
fail at the figure's page line, and `make figures` must repair what it says it repairs.
"""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import pytest

from aiguide import store
from aiguide.cli import ROOT, run_figures, stale_reason
from aiguide.compute import COMPUTE_VERSION
from aiguide.spec import FigureError, find_figures, parse_spec
from tests.conftest import build_site
from tests.records_sample import tokens_record

POSITIONS = next(store.DATA_DIR.glob("positions-*.json"))


def _damaged(how: str) -> bytes:
    text = POSITIONS.read_text(encoding="utf-8")
    record = json.loads(text)
    if how == "corrupt":
        return text.replace('"kind"', "'kind'", 1).encode()
    if how == "truncated":
        return text[: len(text) // 2].encode()
    if how == "missing field":
        del record["data"]["matrix"]
    elif how == "wrong kind":
        record["kind"] = "similarity"
    elif how == "wrong type":
        record["data"]["matrix"][3][2] = "0.5"
    return store.dumps(record).encode()


PROBLEMS = {
    "corrupt": r"line \d+ is not valid JSON",
    "truncated": r"not valid JSON .*corrupt or truncated",
    "missing field": r"data has no member 'matrix'",
    "wrong kind": r"a similarity record under the key of another kind",
    "wrong type": r"data\.matrix\[3\]\[2\] is str",
}


@pytest.mark.parametrize("how", PROBLEMS)
def test_a_damaged_record_is_refused_naming_the_file_and_the_fix(how: str) -> None:
    with pytest.raises(store.RecordError, match=PROBLEMS[how]) as caught:
        store.parse_record(_damaged(how), POSITIONS)
    assert POSITIONS.name in caught.value.message and "make figures" in caught.value.fix


@pytest.mark.parametrize("how", ["truncated", "missing field"])
def test_make_figures_repairs_a_damaged_record(tmp_path: Path, how: str, capsys) -> None:
    """`make figures` is the fix the error names, so it must redo a record it cannot use."""
    data = tmp_path / "figures"
    shutil.copytree(store.DATA_DIR, data)
    (data / POSITIONS.name).write_bytes(_damaged(how))
    assert run_figures(ROOT / "docs", data, check=True, force=False, recompute=False) == 1
    assert re.search(rf"\.md:\d+: figure {POSITIONS.stem}: unusable", capsys.readouterr().err)
    assert run_figures(ROOT / "docs", data, check=False, force=False, recompute=False) == 0
    assert (data / POSITIONS.name).read_bytes() == POSITIONS.read_bytes()


def test_the_build_reports_a_damaged_record_at_the_page_line(tmp_path: Path) -> None:
    data = tmp_path / "figures"
    shutil.copytree(store.DATA_DIR, data)
    (data / POSITIONS.name).write_bytes(_damaged("truncated"))
    result = build_site(ROOT / "mkdocs.yml", tmp_path / "site",
                        env={store.DATA_DIR_VARIABLE: str(data)})
    assert result.returncode != 0
    used_at = [f"{page.relative_to(ROOT)}:{block.line}" for page in (ROOT / "docs").rglob("*.md")
               for block in find_figures(page.read_text(encoding="utf-8"), str(page))
               if parse_spec(block.source).key == POSITIONS.stem]
    assert any(where in result.stderr for where in used_at), result.stderr[-2000:]
    assert "not valid JSON" in result.stderr and "run `make figures`" in result.stderr
    assert "Traceback" not in result.stderr


def test_a_figure_whose_text_looks_like_a_number_list_is_not_stale_forever(tmp_path) -> None:
    """The serialiser once rewrote "[1,2]" inside strings, so the stored spec never matched."""
    spec = parse_spec('kind: tokens\ntext: "Lists such as [1,2] and [3,\\n 4]"')
    record = tokens_record()
    record |= {"key": spec.key, "spec": {"kind": spec.kind, **spec.params}}
    record["provenance"]["tool_version"] = COMPUTE_VERSION
    record["data"]["text"] = spec.params["text"]
    store.write_record(record, tmp_path)
    stored = store.read_record(spec.key, tmp_path)
    assert stored["data"]["text"] == spec.params["text"]
    assert stale_reason(stored, spec) is None


def test_number_rows_are_still_written_on_one_line() -> None:
    text = store.dumps({"a": [[1.0, 2.5], [3, -4e-07]], "b": "[1,\n2]"})
    assert '[1.0, 2.5]' in text and "[3, -4e-07]" in text and '"[1,\\n2]"' in text


def test_an_unclosed_figure_fence_is_reported_where_it_opens() -> None:
    page = "# Title\n\n```figure\nkind: positions\ncaption: Waves.\n\nThe prose goes on: here.\n"
    with pytest.raises(FigureError, match="never closed") as caught:
        find_figures(page, "docs/p.md")
    assert (caught.value.path, caught.value.line) == ("docs/p.md", 3)
    assert "```" in caught.value.fix


def test_an_unclosed_code_block_hides_no_figure_after_it() -> None:
    assert find_figures("```python\nx = 1\n```figure\nkind: positions\n```\n", "p.md") == []
