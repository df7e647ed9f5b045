"""The real hooks in a real MkDocs build: bad input fails the build with file:line and a fix,
and nothing an author writes can inject markup into the page."""

from __future__ import annotations

import os

import pytest

from tests.conftest import ROOT, build_site

FRONT = ("---\ntitle: Test page\ndescription: A throwaway page that exercises the build's "
         "error messages.\nreviewed: 2026-11-01\nauthors: [Tester]\n---\n\n# Test page\n\n")
# Data for this spec is committed (docs/contributing/figures.md uses it); the caption is
# not part of the key, so a test can vary it freely.
POSITIONS = "```figure\nkind: positions\npositions: 24\ndims: 32\ncaption: {caption}\n```\n"


# The site's own figure fence and extension, as mkdocs.yml lists them.
MARKDOWN_EXTENSIONS = """markdown_extensions:
  - attr_list
  - md_in_html
  - pymdownx.superfences:
      custom_fences:
        - name: figure
          class: figure
          format: !!python/name:aiguide.fence.format_figure
  - aiguide
"""


def build_page(tmp_path, page: str, *, today: str = "2026-11-28"):
    (tmp_path / "mkdocs.yml").write_text(
        f"site_name: Throwaway\ntheme: {{name: material, font: false, custom_dir: {ROOT / 'overrides'}}}\n"
        "extra: {licence: {content: CC BY 4.0, content_url: 'https://example.org', code: MIT}}\n"
        f"hooks:\n  - {ROOT / 'hooks' / 'pages.py'}\n" + MARKDOWN_EXTENSIONS)
    (tmp_path / "docs").mkdir(exist_ok=True)
    (tmp_path / "docs" / "index.md").write_text(page, encoding="utf-8")
    return build_site(tmp_path / "mkdocs.yml", tmp_path / "site", env={"AIGUIDE_TODAY": today})


@pytest.mark.parametrize("body, line, message, fix", [
    ("```figure\nkind: attention\nmodel: minilm\ntext: hi\nlayer: 9\n```\n", 14,
     "layer 9 is out of range", "set layer to a number from 1 to 6"),
    ("```figure\nkind: tokens\ntext: hi\nmodle: x\n```\n", 13, "unknown option 'modle'", "options for tokens"),
    ("```figure\nkind: positions\npositions: 5\ndims: 6\n```\n", 11,
     "no data for this positions figure", "run `make figures`"),
    ("```figure\nkind: nope\n```\n", 11, "unknown figure kind 'nope'", "use one of"),
    ("Fact <!-- md:asof 2026 -->\n", 10, "`md:asof` needs one date", "<!-- md:asof 2026-11 -->"),
])
def test_bad_input_fails_the_build_with_file_line_and_fix(tmp_path, body, line, message, fix):
    result = build_page(tmp_path, FRONT + body)
    assert result.returncode != 0, result.stderr
    assert f"docs/index.md:{line}: " in result.stderr, result.stderr
    assert message in result.stderr and fix in result.stderr, result.stderr


def test_page_without_front_matter_fails_the_build(tmp_path):
    result = build_page(tmp_path, "# No front matter\n")
    assert result.returncode != 0
    assert "docs/index.md:1: the page has no front matter" in result.stderr


def test_hostile_caption_is_shown_as_text_not_markup(tmp_path):
    hostile = "</figure></script><img src=x onerror=alert(1)>"
    result = build_page(tmp_path, FRONT + POSITIONS.format(caption=f"'{hostile}'"))
    assert result.returncode == 0, result.stderr
    html = (tmp_path / "site" / "index.html").read_text(encoding="utf-8")
    assert 'class="aig-figure aig-positions"' in html
    assert "<img src=x" not in html and "onerror=alert(1)>" not in html.replace("&gt;", ">").split("&lt;img")[0]
    assert "&lt;img src=x onerror=alert(1)&gt;" in html


def test_overdue_review_warns_and_marks_the_page_but_builds(tmp_path):
    result = build_page(tmp_path, FRONT + "Text.\n", today="2027-12-01")
    assert result.returncode == 0, result.stderr
    assert "not reviewed in 12 months" in result.stderr and "docs/index.md" in result.stderr
    html = (tmp_path / "site" / "index.html").read_text(encoding="utf-8")
    assert "This page may be out of date" in html and "Last reviewed" in html


def test_recent_review_has_no_warning(tmp_path):
    result = build_page(tmp_path, FRONT + "Text.\n", today="2026-12-01")
    assert result.returncode == 0 and "not reviewed" not in result.stderr
    html = (tmp_path / "site" / "index.html").read_text(encoding="utf-8")
    assert "may be out of date" not in html



def _site_copy(tmp_path, *, history: bool):
    """The working tree's site sources, optionally as a depth-1 clone of a dated commit."""
    import shutil
    import subprocess

    source = tmp_path / "source"
    source.mkdir()
    for name in ("mkdocs.yml", "docs", "overrides", "hooks", "data"):
        copy = shutil.copytree if (ROOT / name).is_dir() else shutil.copy
        copy(ROOT / name, source / name)
    if not history:
        return source
    env = {"GIT_AUTHOR_DATE": "2025-03-04T12:00:00Z", "GIT_COMMITTER_DATE": "2025-03-04T12:00:00Z",
           "GIT_AUTHOR_NAME": "t", "GIT_AUTHOR_EMAIL": "t@example.org",
           "GIT_COMMITTER_NAME": "t", "GIT_COMMITTER_EMAIL": "t@example.org"}
    for command in (["init", "-q"], ["add", "-A"], ["commit", "-q", "-m", "snapshot"]):
        subprocess.run(["git", "-C", str(source), *command], check=True, env={**os.environ, **env})
    clone = tmp_path / "clone"
    subprocess.run(["git", "clone", "-q", "--depth", "1", f"file://{source}", str(clone)], check=True)
    return clone


@pytest.mark.parametrize("history, shown", [(True, "March 4, 2025"), (False, "today")],
                         ids=["shallow-clone", "no-git"])
def test_page_change_date_falls_back_gracefully(tmp_path, history, shown):
    """A shallow CI checkout, or a copy without .git, still builds strictly with a date shown."""
    import datetime as dt

    tree = _site_copy(tmp_path, history=history)
    result = build_site(tree / "mkdocs.yml", tmp_path / "site")
    assert result.returncode == 0, result.stderr[-3000:]
    if shown == "today":  # no history at all: the build date
        now = dt.datetime.now(dt.UTC)
        shown = f"{now:%B} {now.day}, {now.year}"
    html = (tmp_path / "site" / "ai-basics" / "index.html").read_text(encoding="utf-8")
    assert "Page last changed: " in html, "the page-date line is missing from the page"
    assert shown in html.split("Page last changed: ")[1][:300]
