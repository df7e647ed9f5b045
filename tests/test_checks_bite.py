"""Each check fails when it should: run it on a throwaway docs tree with one fault each.

A check that cannot fail proves nothing; these tests plant a broken link, a broken anchor,
a failing code block, a wrong shown output and a failing notebook, and assert that each is
reported with its file and line (or cell).
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest

from aiguide.linkcheck import check_site
from tests.conftest import ROOT, build_site

CONFIG = "site_name: Throwaway\ntheme: {name: material, font: false}\nuse_directory_urls: true\n"


def write_tree(root: Path, files: dict[str, str]) -> Path:
    for name, text in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    return root


def run_pytest_on(test_file: str, docs: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "AIGUIDE_DOCS_DIR": str(docs)}
    return subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider",
                           "-rA", str(ROOT / "tests" / test_file)],
                          cwd=docs.parent, capture_output=True, text=True, env=env, check=False)


def test_link_check_reports_broken_link_and_anchor_with_file_and_line(tmp_path):
    write_tree(tmp_path, {
        "mkdocs.yml": CONFIG,
        "docs/index.md": "# Home\n\nSee [the other page](other.md#real).\n\n"
                         "A [broken link](missing.md) and a [broken anchor](other.md#nowhere).\n",
        "docs/other.md": "# Other\n\n## Real { #real }\n",
    })
    (tmp_path / "mkdocs.yml").write_text(CONFIG + "markdown_extensions: [attr_list]\n")
    result = build_site(tmp_path / "mkdocs.yml", tmp_path / "site", strict=False)
    assert result.returncode == 0, result.stderr
    problems, _ = check_site(tmp_path / "site")
    reported = "\n".join(map(str, problems))
    assert len(problems) == 2, reported
    assert all(p.path == "index.html" and p.line > 0 for p in problems), reported
    assert "missing.md" in reported and "no element with id 'nowhere'" in reported


def test_strict_build_fails_on_broken_markdown_link(tmp_path):
    write_tree(tmp_path, {"mkdocs.yml": CONFIG + "strict: true\nvalidation: {anchors: warn}\n",
                          "docs/index.md": "# Home\n\n[x](other.md#nowhere) [y](gone.md)\n",
                          "docs/other.md": "# Other\n"})
    result = build_site(tmp_path / "mkdocs.yml", tmp_path / "site")
    assert result.returncode != 0
    assert "index.md" in result.stderr and "gone.md" in result.stderr
    assert "nowhere" in result.stderr


def test_code_block_check_reports_failure_and_wrong_output_with_file_and_line(tmp_path):
    docs = write_tree(tmp_path / "docs", {
        "good.md": "# Good\n\n```python\nprint(1 + 1)\n#> 2\n```\n",
        "bad.md": "# Bad\n\n```python\nprint(1 + 1)\n#> 3\n```\n\n"
                  "```python\nraise ValueError('boom')\n```\n\n"
                  "```python test=\"skip\" reason=\"needs a network\"\nimport nowhere\n```\n",
    })
    result = run_pytest_on("test_code_blocks.py", docs)
    output = result.stdout + result.stderr
    assert result.returncode == 1, output
    assert "FAILED" in output and "bad.md:3-6" in output, output  # wrong shown output
    assert "bad.md:8-10" in output and "ValueError" in output, output  # failing block
    assert "1 passed" in output and "1 skipped" in output, output
    assert "needs a network" in output, output  # skips are listed with their reason


def test_notebook_check_reports_failing_cell_and_wrong_output(tmp_path):
    docs = tmp_path / "docs"
    docs.mkdir()
    wrong = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(
        "print(6 * 7)", outputs=[nbformat.v4.new_output("stream", name="stdout", text="41\n")])])
    failing = nbformat.v4.new_notebook(cells=[
        nbformat.v4.new_markdown_cell("# A failing notebook"),
        nbformat.v4.new_code_cell("1 / 0")])
    nbformat.write(wrong, docs / "wrong.ipynb")
    nbformat.write(failing, docs / "failing.ipynb")
    result = run_pytest_on("test_notebooks.py", docs)
    output = result.stdout + result.stderr
    assert result.returncode == 1, output
    assert "wrong.ipynb:cell 1" in output and "'41'" in output and "'42'" in output, output
    assert "failing.ipynb" in output and "ZeroDivisionError" in output, output


@pytest.mark.parametrize("text, expected", [
    ("<__main__.A object at 0x7f3a2c1b9d90>", "<__main__.A object at 0x<address>>"),
    ("loss 2.31   \n", "loss 2.31"),
])
def test_notebook_normalisation_rules(text, expected):
    from aiguide.notebooks import normalise

    assert normalise(text) == expected


def test_a_skipped_block_in_a_group_does_not_skip_the_blocks_after_it(tmp_path):
    """A test="skip" block once ended its group's test, so later blocks never ran."""
    page = ('# Page\n\n```python group="g"\nx = 1\n```\n\n'
            '```python group="g" test="skip" reason="needs the network"\nimport nowhere\n```\n\n'
            '```python group="g"\nassert x == 2, "the later block ran"\n```\n')
    docs = write_tree(tmp_path, {"docs/page.md": page}) / "docs"
    result = run_pytest_on("test_code_blocks.py", docs)
    assert result.returncode == 1 and "the later block ran" in result.stdout, result.stdout[-2000:]


def test_link_check_reads_srcset_css_urls_and_svg_references(tmp_path):
    """Each kind of reference is checked: a good one of each passes, a broken one of each is
    reported at its file and line (the site is written by hand: no build makes these)."""
    site = write_tree(tmp_path / "site", {
        "img/a.png": "", "img/font.woff2": "",
        "css/site.css": '@import "base.css";\n\n.a { background: url("../img/a.png") }\n'
                        ".b { background: url(../img/gone.png) }\n"
                        "/* url(../img/in-a-comment.png) */ .c { content: 'url(x.png)' }\n"
                        ".d { filter: url(#some-page-filter) }\n"
                        '@font-face { src: url("../img/font.woff2") format("woff2"), '
                        'url(../img/font-gone.woff) }\n',
        "css/base.css": "",
        "index.html": (
            '<!doctype html>\n<img srcset="img/a.png 1x, img/a.png 2x" src="img/a.png">\n'
            '<picture><source srcset="img/a.png 480w, img/missing-2x.png 960w"></picture>\n'
            '<div style="background: url(img/a.png)"></div>\n'
            "<div style=\"background-image: url('img/nope.png')\"></div>\n"
            '<style>\n.x { background: url(img/a.png) }\n.y { background: url(img/style-gone.png) }\n</style>\n'
            '<svg><symbol id="icon"></symbol><use href="#icon"/><use href="#no-icon"/>\n'
            '<image href="img/a.png"/><image xlink:href="img/svg-gone.png"/>\n'
            '<use href="sprite.svg#x"/></svg>\n'),
    })
    problems, _ = check_site(site)
    found = sorted((p.path, p.line, p.message.split("'")[1]) for p in problems)
    assert found == [
        ("css/site.css", 4, "../img/gone.png"),
        ("css/site.css", 7, "../img/font-gone.woff"),
        ("index.html", 3, "img/missing-2x.png"),
        ("index.html", 5, "img/nope.png"),
        ("index.html", 8, "img/style-gone.png"),
        ("index.html", 10, "#no-icon"),
        ("index.html", 11, "img/svg-gone.png"),
        ("index.html", 12, "sprite.svg#x"),
    ], "\n".join(map(str, problems))


def test_srcset_candidates_split_as_the_html_standard_says():
    from aiguide.linkcheck import srcset_urls

    assert srcset_urls("data:image/png;base64,AA== 1x, b.png 2x") == ["data:image/png;base64,AA==", "b.png"]
    assert srcset_urls("a.png, b.png 2x,, c.png (max-width: 5px, x) 3x") == ["a.png", "b.png", "c.png"]
    assert srcset_urls("a.png,b.png 2x") == ["a.png,b.png"]  # a URL runs to whitespace
    assert srcset_urls("  ") == []


def test_link_check_doctests():
    import doctest

    from aiguide import linkcheck

    assert doctest.testmod(linkcheck).attempted >= 2
    assert doctest.testmod(linkcheck).failed == 0
