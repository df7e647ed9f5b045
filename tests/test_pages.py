"""Page conventions: the front-matter schema, review age and the `md:asof` shortcode."""

from __future__ import annotations

import datetime as dt

import pytest
import yaml

from aiguide.pages import (
    PageError,
    check_front_matter,
    dated_facts,
    months_between,
    render_shortcodes,
)

GOOD = """---
title: AI basics
description: What large language models are and what happens inside one when you prompt it.
reviewed: 2026-11-28
authors: [AI Guide maintainers]
tags: [basics]
---
# AI basics
"""


def meta_of(source: str) -> dict:
    return yaml.safe_load(source.split("---")[1])


def test_good_front_matter_passes():
    check_front_matter(meta_of(GOOD), GOOD, "docs/p.md")


@pytest.mark.parametrize("old, new, line, message", [
    ("reviewed: 2026-11-28", "reviewed: 28/11/2026", 4, "`reviewed` must be an ISO date"),
    ("reviewed: 2026-11-28\n", "", 6, "front matter lacks `reviewed`"),
    ("description: What", "description: Short. x", 3, "`description` is"),
    ("authors: [AI Guide maintainers]", "authors: []", 5, "`authors` must be a non-empty list"),
    ("tags: [basics]", "tags: [basics]\nreviewer: me", 7, "unknown front-matter field `reviewer`"),
    ("title: AI basics", "title: 3", 2, "`title` must be text"),
])
def test_malformed_front_matter_names_line_and_fix(old, new, line, message):
    source = GOOD.replace(old, new, 1)
    if "description: Short" in source:
        source = source.replace(source.split("\n")[2], "description: Short.")
    with pytest.raises(PageError) as caught:
        check_front_matter(meta_of(source), source, "docs/p.md")
    assert str(caught.value).startswith(f"docs/p.md:{line}: ")
    assert message in caught.value.message
    assert caught.value.fix


def test_page_without_front_matter_points_to_the_template():
    with pytest.raises(PageError) as caught:
        check_front_matter({}, "# No front matter\n", "docs/p.md")
    assert caught.value.line == 1 and "templates/page.md" in caught.value.fix


@pytest.mark.parametrize("earlier, later, months", [
    ("2025-11-28", "2026-11-28", 12), ("2025-11-29", "2026-11-28", 11),
    ("2026-01-31", "2026-02-28", 0), ("2027-01-01", "2026-01-01", 0),
])
def test_months_between(earlier, later, months):
    assert months_between(dt.date.fromisoformat(earlier), dt.date.fromisoformat(later)) == months


def test_asof_shortcode_renders_a_visible_dated_badge():
    html = render_shortcodes("GPT-4o was the default <!-- md:asof 2026-11 -->.", "docs/p.md")
    assert 'class="aig-asof"' in html and "as of Nov 2026" in html and "<!--" not in html


def test_shortcode_in_inline_code_is_left_alone():
    text = "Write `<!-- md:asof YYYY-MM -->` after the fact."
    assert render_shortcodes(text, "docs/p.md") == text


@pytest.mark.parametrize("text, message", [
    ("<!-- md:asoff 2026-11 -->", "unknown shortcode `md:asoff`"),
    ("<!-- md:asof November -->", "`md:asof` needs one date YYYY-MM"),
])
def test_bad_shortcode_fails_with_file_line(text, message):
    with pytest.raises(PageError) as caught:
        render_shortcodes("para\n\n" + text, "docs/p.md", first_line=8)
    assert str(caught.value).startswith("docs/p.md:10: ") and message in str(caught.value)


def test_dated_facts_are_found_with_their_sentence():
    source = "Intro.\n\nThe biggest open model has 405B parameters. <!-- md:asof 2025-06 -->\n"
    [fact] = dated_facts(source, "docs/p.md")
    assert (fact.line, fact.date) == (3, "2025-06")
    assert fact.text == "The biggest open model has 405B parameters."


def test_test_only_fence_options_are_stripped_before_rendering():
    from aiguide.pages import strip_test_options

    source = '```python test="skip" reason="needs a network"\nimport x\n```\n```py group="a"\n'
    assert strip_test_options(source) == "```python\nimport x\n```\n```py\n"


# -- Skipped examples: the home page's list comes from the fences the code test reads -----

def test_skipped_examples_are_exactly_the_blocks_the_code_test_skips():
    """aiguide.pages reads fences itself; pytest-examples is the reader the test uses."""
    from pytest_examples import find_examples

    from aiguide.pages import skipped_examples
    from tests.test_code_blocks import DOCS

    by_test = sorted(
        (example.path.relative_to(DOCS).as_posix(), example.start_line, example.prefix_settings().get("reason", ""))
        for example in find_examples(DOCS)
        if example.prefix_settings().get("test") == "skip"
    )
    # pytest-examples lower-cases option values; the page shows the reason as written.
    ours = [(e.page, e.line, e.reason.lower()) for e in skipped_examples(DOCS)]
    assert by_test, "no skipped block found: the comparison would prove nothing"
    assert ours == by_test


def test_skipped_examples_list_links_each_block_to_its_section():
    from aiguide.pages import skipped_examples_in, skipped_examples_markdown

    page = ('---\ntitle: Tools\n---\n\n## Try it { #try }\n\n```python\nok\n```\n\n'
            '```python test="skip" reason="needs a GPU"\nx\n```\n')
    found = skipped_examples_in(page, "tools/index.md")
    assert [(e.line, e.anchor, e.title) for e in found] == [(11, "try", "Tools")]
    assert skipped_examples_markdown(found, "index.md") == "- Tools, [Try it](tools/index.md#try): needs a GPU."
    assert "](../tools/index.md#try)" in skipped_examples_markdown(found, "guide/index.md")


def test_generated_shortcode_is_replaced_and_misuse_fails_with_file_line():
    text = "Skipped:\n\n<!-- md:skipped-examples -->\n"
    assert render_shortcodes(text, "docs/p.md", generated={"skipped-examples": "- a"}) == "Skipped:\n\n- a\n"
    with pytest.raises(PageError, match=r"^docs/p.md:3: `md:skipped-examples` has no generated text"):
        render_shortcodes(text, "docs/p.md")
    with pytest.raises(PageError, match="takes no arguments"):
        render_shortcodes("<!-- md:skipped-examples all -->", "docs/p.md", generated={"skipped-examples": ""})


# -- Self-check questions ---------------------------------------------------------------

SELF_CHECK_PAGE = """# Page

## Check your understanding { #self-check }

??? question "Why is the sky blue?"
    Short wavelengths scatter more ([why](#scattering)).

    A second paragraph.

??? question "What is 2 + 2?"
    Four, as [counting](../maths/index.md#counting) shows.

## References { #references }

??? question "Not a self-check: after the section"
    Ignored.
"""


def test_self_checks_are_read_with_their_answers_and_links():
    from aiguide.pages import self_checks

    checks = self_checks(SELF_CHECK_PAGE)
    assert [(c.line, c.question, c.links) for c in checks] == [
        (5, "Why is the sky blue?", ("#scattering",)),
        (10, "What is 2 + 2?", ("../maths/index.md#counting",)),
    ]
    assert checks[0].answer == "Short wavelengths scatter more ([why](#scattering)). A second paragraph."


def test_self_check_answer_without_a_section_link_fails_with_file_line():
    from aiguide.pages import check_self_checks

    check_self_checks(SELF_CHECK_PAGE, "docs/p.md")  # links present: passes
    broken = SELF_CHECK_PAGE.replace("([why](#scattering))", "(see above)")
    with pytest.raises(PageError, match=r"^docs/p.md:5: the answer to 'Why is the sky blue\?' links to no section"):
        check_self_checks(broken, "docs/p.md")


def test_self_check_answers_are_left_out_of_search_but_questions_stay():
    from aiguide.pages import mark_self_check_answers

    html = ('<details class="question">\n<summary>Q?</summary>\n<p>A.</p>\n</details>'
            '<details class="aig-numbers"><summary>N</summary><p>1</p></details>')
    out = mark_self_check_answers(html)
    assert '<summary>Q?</summary><div class="aig-answer" data-search-exclude>\n<p>A.</p>\n</div></details>' in out
    assert out.endswith('<details class="aig-numbers"><summary>N</summary><p>1</p></details>')
