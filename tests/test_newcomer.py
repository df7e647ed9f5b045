"""A contributor's first page, done the way CONTRIBUTING.md says: copy templates/page.md,
add it to the nav, `make figures`, then the checks. Run on a throwaway copy of the site."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import ROOT, build_site, contributor_env


@pytest.mark.models
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


# -- The commands the README and CONTRIBUTING give -----------------------------------------

DOCS_FOR_NEWCOMERS = [ROOT / "README.md", ROOT / "CONTRIBUTING.md"]
# Run for real: quick, offline, and they write only into a temporary folder.
RUN_FOR_REAL = {"help", "stale", "build"}


def _named_make_targets() -> set[str]:
    text = "\n".join(path.read_text(encoding="utf-8") for path in DOCS_FOR_NEWCOMERS)
    return set(re.findall(r"(?:^|`)make ([a-z][\w-]*)", text, re.MULTILINE))


def _make(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(["make", "--no-print-directory", *args], cwd=ROOT, capture_output=True,
                          text=True, check=False, env={**contributor_env(), "MAKEFLAGS": ""})


@pytest.mark.parametrize("target", sorted(_named_make_targets()))
def test_every_make_command_the_docs_name_exists(target: str) -> None:
    """A renamed target would leave the README pointing at nothing: `make -n` fails on it."""
    result = _make("-n", target)
    assert result.returncode == 0, f"README/CONTRIBUTING name `make {target}`: {result.stderr}"


@pytest.mark.parametrize("target", sorted(RUN_FOR_REAL))
def test_the_offline_commands_the_docs_name_run(target: str, tmp_path: Path) -> None:
    assert target in _named_make_targets()
    result = _make(target, f"SITE_DIR={tmp_path / 'site'}")
    assert result.returncode == 0, result.stdout[-1500:] + result.stderr[-1500:]
    if target == "help":  # every target the docs name is listed with what it does
        missing = [t for t in _named_make_targets() if not re.search(rf"^\s*\S*{t}\s", result.stdout,
                                                                    re.MULTILINE)]
        assert not missing, f"`make help` does not list: {missing}"
    if target == "build":
        assert (tmp_path / "site" / "index.html").exists()


def test_the_module_command_the_readme_gives_exists() -> None:
    result = subprocess.run([sys.executable, "-m", "aiguide", "notebooks", "--help"], cwd=ROOT,
                            capture_output=True, text=True, check=False)
    assert result.returncode == 0 and "ipynb" in result.stdout
