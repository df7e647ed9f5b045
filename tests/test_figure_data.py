"""The stored figure data: in sync with the pages, reproduced by the models, renderable."""

from __future__ import annotations

import json
import shutil

import pytest

from aiguide import store
from aiguide.cli import ROOT, collect_specs, run_figures
from aiguide.render import render

RECORDS = sorted(store.DATA_DIR.glob("*.json"))


@pytest.mark.models
def test_figure_data_is_present_current_and_reproduced_by_the_models(capsys):
    """`make figures-check`: missing, stale, orphaned or drifted data fails, naming the figure."""
    status = run_figures(ROOT / "docs", store.DATA_DIR, check=True, force=False, recompute=True)
    assert status == 0, capsys.readouterr().err


def test_every_spec_in_the_docs_parses_and_has_data():
    specs, errors = collect_specs(ROOT / "docs")
    assert not errors, "\n".join(map(str, errors))
    missing = [f"{s.where}: {k}" for k, s in specs.items() if store.read_record(k, store.DATA_DIR) is None]
    assert not missing, "run `make figures`:\n" + "\n".join(missing)


@pytest.mark.parametrize("path", RECORDS, ids=lambda p: p.stem)
def test_stored_record_renders_with_provenance_and_model_caption(path):
    record = json.loads(path.read_text(encoding="utf-8"))
    provenance = record["provenance"]
    assert provenance["tool_version"] and "numpy" in provenance["libraries"]
    for model in provenance["models"]:
        assert model["name"] and model["file"]
    html = render(record, caption="A caption")
    assert html.startswith("<figure") and html.rstrip().endswith("</figure>")
    assert f'id="fig-{record["key"]}' in html
    data = record["data"]
    labels = [data["model_label"]] if "model_label" in data else [
        t["label"] for t in data.get("tokenizers", [])]
    for label in labels:
        assert label in html, f"the caption names the model: {label}"


def test_stored_records_are_written_deterministically():
    for path in RECORDS:
        record = json.loads(path.read_text(encoding="utf-8"))
        assert store.dumps(record) == path.read_text(encoding="utf-8"), path.name


def _copy_data(tmp_path):
    data = tmp_path / "figures"
    shutil.copytree(store.DATA_DIR, data)
    return data


def test_check_reports_missing_and_orphaned_data(tmp_path, capsys):
    data = _copy_data(tmp_path)
    victim = RECORDS[0].stem
    (data / f"{victim}.json").rename(data / "tokens-000000000000.json")
    assert run_figures(ROOT / "docs", data, check=True, force=False, recompute=False) == 1
    err = capsys.readouterr().err
    assert f"figure {victim}: missing" in err and ".md:" in err
    assert "tokens-000000000000.json: orphaned" in err
    assert "make figures" in err


def test_check_reports_stale_data(tmp_path, capsys):
    data = _copy_data(tmp_path)
    path = data / RECORDS[0].name
    record = json.loads(path.read_text(encoding="utf-8"))
    record["provenance"]["tool_version"] = "0"
    path.write_text(store.dumps(record), encoding="utf-8")
    assert run_figures(ROOT / "docs", data, check=True, force=False, recompute=False) == 1
    assert f"figure {record['key']}: made by tool version 0" in capsys.readouterr().err


@pytest.mark.models
def test_check_reports_data_the_model_no_longer_reproduces(tmp_path, capsys):
    data = _copy_data(tmp_path)
    [path] = [p for p in data.glob("similarity-*.json")][:1]
    record = json.loads(path.read_text(encoding="utf-8"))
    record["data"]["matrix"][0][1] += 0.05
    path.write_text(store.dumps(record), encoding="utf-8")
    assert run_figures(ROOT / "docs", data, check=True, force=False, recompute=True) == 1
    err = capsys.readouterr().err
    assert f"figure {record['key']} is no longer reproduced: data.matrix[0][1]" in err
