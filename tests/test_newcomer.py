"""A contributor's first page, done the way CONTRIBUTING.md says: copy templates/page.md,
add it to the nav, `make figures`, then the checks. Run on a throwaway copy of the site."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys

import pytest

from tests.conftest import ROOT, build_site

pytestmark = pytest.mark.models


def test_template_page_with_a_figure_builds_and_passes_the_checks(tmp_path):
    site = tmp_path / "site-source"
    for name in ("docs", "overrides", "hooks"):
        shutil.copytree(ROOT / name, site / name)
    shutil.copytree(ROOT / "data" / "figures", tmp_path / "data")
    (site / "docs" / "new-topic").mkdir()
    shutil.copy(ROOT / "templates" / "page.md", site / "docs" / "new-topic" / "index.md")
    config = (ROOT / "mkdocs.yml").read_text(encoding="utf-8")
    config = config.replace("  - Contributing:\n", "  - New topic: new-topic/index.md\n  - Contributing:\n")
    (site / "mkdocs.yml").write_text(config, encoding="utf-8")
    env = {**os.environ, "AIGUIDE_DATA_DIR": str(tmp_path / "data")}

    before = build_site(site / "mkdocs.yml", tmp_path / "out-before", env=env)
    assert before.returncode != 0 and "run `make figures`" in before.stderr, \
        "a figure without data must fail the build and say which command fixes it"

    figures = subprocess.run([sys.executable, "-m", "aiguide", "figures", "--docs", str(site / "docs"),
                              "--data", str(tmp_path / "data")], capture_output=True, text=True, env=env,
                             check=False)
    assert figures.returncode == 0, figures.stdout + figures.stderr
    after = build_site(site / "mkdocs.yml", tmp_path / "out", env=env)
    assert after.returncode == 0, after.stderr[-3000:]
    html = (tmp_path / "out" / "new-topic" / "index.html").read_text(encoding="utf-8")
    assert 'class="aig-figure aig-tokens"' in html and "Last reviewed" in html

    code = subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider",
                           str(ROOT / "tests" / "test_code_blocks.py"), "-k", "new-topic"],
                          capture_output=True, text=True, cwd=ROOT,
                          env={**env, "AIGUIDE_DOCS_DIR": str(site / "docs")}, check=False)
    assert "1 passed" in code.stdout, code.stdout[-2000:]
