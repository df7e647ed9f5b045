"""Page conventions, as pure functions: the front-matter schema and the ``md:`` shortcodes.

Front matter every content page carries (see ``docs/contributing/conventions.md``)::

    ---
    title: AI basics
    description: What LLMs are and what happens inside one when you send a prompt.
    reviewed: 2026-11-28
    authors: [AI Guide maintainers]
    tags: [basics]          # optional
    ---

Shortcodes are HTML comments, so a page still reads well on GitHub::

    GPT-4o is the default model in ChatGPT <!-- md:asof 2026-11 -->
"""

from __future__ import annotations

import datetime as dt
import html
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from aiguide.errors import GuideError

TEMPLATE = "templates/page.md"


class PageError(GuideError):
    """A malformed page; positional, since every page check knows its file and line."""

    def __init__(self, path: str, line: int, message: str, fix: str):
        super().__init__(message, path=path, line=line, fix=fix)


def shown_path(path: str | Path) -> str:
    """A path as a contributor would type it: relative to the working directory if inside."""
    try:
        return str(Path(path).resolve().relative_to(Path.cwd()))
    except ValueError:
        return str(path)


# -- Front matter ----------------------------------------------------------------------

REQUIRED = ("title", "description", "reviewed", "authors")
OPTIONAL = ("tags", "hide", "search", "icon", "status", "template")


def front_matter_lines(source: str) -> dict[str, int]:
    """Line number of each top-level key in a page's front matter (empty if none)."""
    lines = source.split("\n")
    if not lines or lines[0].strip() != "---":
        return {}
    found: dict[str, int] = {}
    for number, line in enumerate(lines[1:], start=2):
        if line.strip() in ("---", "..."):
            found["---"] = number  # the closing line: where a missing key belongs
            break
        match = re.match(r"([A-Za-z_][\w-]*)\s*:", line)
        if match:
            found[match.group(1)] = number
    return found


def check_front_matter(meta: dict[str, Any], source: str, path: str) -> None:
    """Raise :class:`PageError` for a missing or malformed field."""
    lines = front_matter_lines(source)
    if not lines:
        raise PageError(path, 1, "the page has no front matter",
                        f"start the file with the block shown in {TEMPLATE}")
    end = lines.get("---", max(lines.values()))
    for key in REQUIRED:
        if key not in meta:
            raise PageError(path, end, f"front matter lacks `{key}`",
                            f"add `{key}: ...` (see {TEMPLATE})")
    for key in meta:
        if key not in REQUIRED + OPTIONAL + ("review_overdue",):
            raise PageError(path, lines.get(key, 1), f"unknown front-matter field `{key}`",
                            f"remove it, or use one of: {', '.join(REQUIRED + OPTIONAL)}")
    problems = {
        "title": _text(meta["title"], 3, 80),
        "description": _text(meta["description"], 50, 200),
        "reviewed": _date(meta["reviewed"]),
        "authors": _names(meta["authors"]),
        "tags": _names(meta.get("tags", [])) if "tags" in meta else None,
    }
    for key, problem in problems.items():
        if problem:
            raise PageError(path, lines.get(key, 1), f"`{key}` {problem}", _FIXES[key])


_FIXES = {
    "title": "write a short title, e.g. `title: AI basics`",
    "description": "write one sentence of 50 to 200 characters: it is the search snippet",
    "reviewed": "write the date you last checked the page, e.g. `reviewed: 2026-11-28`",
    "authors": "list names, e.g. `authors: [Ada Lovelace]`",
    "tags": "list words, e.g. `tags: [basics]`",
}


def _text(value: Any, low: int, high: int) -> str | None:
    if not isinstance(value, str):
        return f"must be text, not {type(value).__name__}"
    if not low <= len(value.strip()) <= high:
        return f"is {len(value.strip())} characters long; it must be {low} to {high}"
    return None


def _date(value: Any) -> str | None:
    # YAML turns 2026-11-28 into a date already; anything else is not ISO.
    if isinstance(value, dt.date) and not isinstance(value, dt.datetime):
        return None
    return f"must be an ISO date like 2026-11-28, not {value!r}"


def _names(value: Any) -> str | None:
    if not isinstance(value, list) or not value:
        return "must be a non-empty list"
    if not all(isinstance(v, str) and v.strip() for v in value):
        return "must list non-empty names"
    return None


def months_between(earlier: dt.date, later: dt.date) -> int:
    """Whole months from ``earlier`` to ``later`` (0 if later is earlier)."""
    months = (later.year - earlier.year) * 12 + later.month - earlier.month
    if later.day < earlier.day:
        months -= 1
    return max(months, 0)


def today() -> dt.date:
    """The build date; ``AIGUIDE_TODAY=YYYY-MM-DD`` pins it so tests are deterministic."""
    import os

    pinned = os.environ.get("AIGUIDE_TODAY")
    return dt.date.fromisoformat(pinned) if pinned else dt.date.today()


# -- Shortcodes ------------------------------------------------------------------------

# Not after a backtick: `<!-- md:asof YYYY-MM -->` in inline code is shown, not run.
_SHORTCODE = re.compile(r"(?<!`)<!--\s*md:(?P<name>[\w-]+)(?P<args>[^>]*?)\s*-->")
_ASOF = re.compile(r"^\d{4}-\d{2}(-\d{2})?$")


@dataclass(frozen=True)
class DatedFact:
    """A statement marked ``<!-- md:asof YYYY-MM -->``: it will go stale."""

    path: str
    line: int
    date: str
    text: str


def _asof_date(date: str) -> dt.date | None:
    """The day ``2026-11`` or ``2026-11-28`` names, or None if none (2026-13, 2026-02-30)."""
    try:
        return dt.date.fromisoformat(date + "-01" if len(date) == 7 else date)
    except ValueError:
        return None


def _asof_badge(day: dt.date) -> str:
    shown = day.strftime("%b %Y")
    return (f'<span class="aig-asof" title="This fact was checked in {html.escape(shown)} '
            f'and may have changed since">as of {html.escape(shown)}</span>')


GENERATED_SHORTCODES = ("skipped-examples",)


def render_shortcodes(markdown: str, path: str, *, first_line: int = 1,
                      generated: dict[str, str] | None = None) -> str:
    """Replace every ``<!-- md:... -->`` shortcode; an unknown or malformed one raises.

    ``generated`` maps the names in :data:`GENERATED_SHORTCODES` to the Markdown that
    replaces them (built from the whole docs folder by the hook, so it cannot drift).
    """

    def replace(match: re.Match[str]) -> str:
        line = first_line + markdown.count("\n", 0, match.start())
        name, args = match["name"], match["args"].split()
        if name in GENERATED_SHORTCODES:
            if args:
                raise PageError(path, line, f"`md:{name}` takes no arguments, got {args!r}",
                                f"write `<!-- md:{name} -->` on a line of its own")
            if generated is None or name not in generated:
                raise PageError(path, line, f"`md:{name}` has no generated text here",
                                "build the page with hooks/pages.py, which supplies it")
            return generated[name]
        if name != "asof":
            raise PageError(path, line, f"unknown shortcode `md:{name}`",
                            "shortcodes are `<!-- md:asof YYYY-MM -->` and "
                            + ", ".join(f"`<!-- md:{n} -->`" for n in GENERATED_SHORTCODES))
        day = _asof_date(args[0]) if len(args) == 1 and _ASOF.match(args[0]) else None
        if day is None:
            raise PageError(path, line, f"`md:asof` needs one date YYYY-MM, got {args!r:.80}",
                            "write e.g. `<!-- md:asof 2026-11 -->`")
        return _asof_badge(day)

    return _SHORTCODE.sub(replace, markdown)


# -- Test-only fence options ------------------------------------------------------------

_PY_FENCE = re.compile(r"^(?P<head>[ \t]*(`{3,}|~{3,})[ \t]*(?:py|python)\b)(?P<options>.*)$", re.MULTILINE)
_TEST_OPTION = re.compile(r'\s*\b(?:test|reason|group)=(["\'])[^"\']*\1')


def strip_test_options(markdown: str) -> str:
    """Drop ``test=``/``reason=``/``group=`` from python fences before rendering.

    They are read by tests/test_code_blocks.py; SuperFences does not know them and would
    otherwise render the whole block as inline code.
    """
    return _PY_FENCE.sub(lambda m: m["head"] + _TEST_OPTION.sub("", m["options"]), markdown)


def dated_facts(source: str, path: str) -> list[DatedFact]:
    """Every ``md:asof`` marker in a file with the sentence it follows (for `make stale`)."""
    facts = []
    for number, line in enumerate(source.split("\n"), start=1):
        for match in _SHORTCODE.finditer(line):
            if match["name"] == "asof":
                before = _SHORTCODE.sub("", line[: match.start()]).strip()
                sentence = re.split(r"(?<=[.!?])\s+", before)[-1] if before else ""
                facts.append(DatedFact(path, number, match["args"].strip(), sentence[-160:]))
    return facts


def stale_report(docs_dir: Path) -> list[DatedFact]:
    """All dated facts under ``docs_dir``, oldest first."""
    facts = [
        fact
        for page in sorted(docs_dir.rglob("*.md"))
        for fact in dated_facts(page.read_text(encoding="utf-8"), str(page))
    ]
    return sorted(facts, key=lambda f: (f.date, f.path, f.line))


_MARKDOWN_NOISE = re.compile(r"[*_`]|\[([^\]]*)\]\([^)]*\)")


def notebook_description(notebook_json: str, *, limit: int = 200) -> str:
    r"""The search and social description of a notebook page: its first paragraph of prose.

    Notebooks have no front matter; the first Markdown cell's first paragraph after the
    title is what every notebook here opens with ("This notebook computes ...").
    Links keep their text, emphasis marks go, and long text keeps its whole sentences:

    >>> nb = '{"cells": [{"cell_type": "markdown", "source": ["# T\\n\\nRuns **a** [model](x)."]}]}'
    >>> notebook_description(nb)
    'Runs a model.'
    """
    import json

    for cell in json.loads(notebook_json).get("cells", []):
        if cell.get("cell_type") != "markdown":
            continue
        source = "".join(cell.get("source", []))
        for paragraph in re.split(r"\n\s*\n", source):
            paragraph = paragraph.strip()
            if paragraph and not paragraph.startswith(("#", "-", "*", "|", "```", "<")):
                return _first_sentences(" ".join(_MARKDOWN_NOISE.sub(r"\1", paragraph).split()), limit)
    return ""


def _first_sentences(text: str, limit: int) -> str:
    """As many whole sentences as fit in ``limit`` characters (or the first, cut at a word)."""
    kept = ""
    for sentence in re.split(r"(?<=[.!?])\s+", text):
        if len(kept) + len(sentence) + 1 > limit:
            break
        kept = f"{kept} {sentence}".strip()
    return kept or text[: limit - 1].rsplit(" ", 1)[0].rstrip(",;:") + "…"


class UnclosedFence(PageError, ValueError):
    """A fenced block that runs to the end of the file; ``line`` is where it opened."""

    def __init__(self, line: int, fence: str, path: str = "<page>"):
        super().__init__(path, line, f"a fenced block opened with {fence} is never closed",
                         f"close it with a line of {fence}")
        self.fence = fence


def lines_outside_fences(lines: list[str]) -> list[tuple[int, str]]:
    """``(line number, line)`` for every line outside the fenced blocks the site renders.

    Code and figure specs are not prose, and a ``# comment`` in a code block is not a
    heading. The blocks are the ones SuperFences itself finds (``aiguide.markdown.census``),
    so a ```` ````markdown ```` example may contain ```` ``` ```` fences. Raises
    :class:`UnclosedFence` if a block never closes.

    >>> lines_outside_fences(["a", "````md", "```figure", "```", "````", "b"])
    [(1, 'a'), (6, 'b')]
    """
    from aiguide.markdown import prose_lines

    return prose_lines("\n".join(lines))


# -- Skipped code examples ----------------------------------------------------------------

_HEADING = re.compile(r"^#{1,6}\s+(?P<title>.*?)\s*\{\s*#(?P<anchor>[\w-]+)[^}]*\}\s*$")
_TITLE = re.compile(r"^title:\s*(?P<title>.+?)\s*$")
_SKIP_OPTION = re.compile(r"""\btest=(["'])skip\1""")
_REASON_OPTION = re.compile(r"""\breason=(["'])(?P<reason>.*?)\1""")


@dataclass(frozen=True)
class SkippedExample:
    """A python block marked ``test="skip"``: shown on the site, never run by the tests."""

    page: str  # docs-relative, e.g. "fine-tuning/index.md"
    title: str  # the page's front-matter title
    line: int  # the opening fence, as pytest-examples reports it
    anchor: str  # the section it sits in
    section: str  # that section's heading
    reason: str


def skipped_examples_in(source: str, page: str) -> list[SkippedExample]:
    r"""Every skipped python block of one page, read from the same fence options the test reads.

    >>> src = '## Try it { #try }\n\n```python test="skip" reason="needs a GPU"\nx\n```\n'
    >>> skipped_examples_in(src, "p.md")[0]
    SkippedExample(page='p.md', title='', line=3, anchor='try', section='Try it', reason='needs a GPU')
    """
    lines = source.split("\n")
    outside = dict(lines_outside_fences(lines))
    title = next((m["title"] for m in map(_TITLE.match, lines[: front_matter_lines(source).get("---", 0)]) if m), "")
    found, anchor, section = [], "", ""
    for number, line in enumerate(lines, start=1):
        if number in outside:
            heading = _HEADING.match(line)
            if heading:
                anchor, section = heading["anchor"], heading["title"]
            continue
        fence = _PY_FENCE.match(line)
        opens = number - 1 in outside or number == 1
        if fence and opens and _SKIP_OPTION.search(fence["options"]):
            reason = _REASON_OPTION.search(fence["options"])
            found.append(SkippedExample(page, title, number, anchor, section,
                                        reason["reason"] if reason else ""))
    return found


def skipped_examples(docs_dir: Path) -> list[SkippedExample]:
    """Every skipped python block under ``docs_dir``, in page order."""
    return [
        example
        for page in sorted(docs_dir.rglob("*.md"))
        for example in skipped_examples_in(page.read_text(encoding="utf-8"),
                                           page.relative_to(docs_dir).as_posix())
    ]


def skipped_examples_markdown(examples: list[SkippedExample], from_page: str) -> str:
    """A Markdown list of the skipped blocks, each linked to its section from ``from_page``."""
    import posixpath

    if not examples:
        return "Every Python block is run; none is skipped."
    base = posixpath.dirname(from_page)
    return "\n".join(
        f"- {example.title}, [{example.section}]({posixpath.relpath(example.page, base or '.')}#{example.anchor}):"
        f" {example.reason}."
        for example in examples
    )


# -- Self-check questions -----------------------------------------------------------------

SELF_CHECK_HEADING = "## Check your understanding { #self-check }"
_QUESTION = re.compile(r'^\?\?\?\+?\s+question\s+"(?P<question>[^"]+)"\s*$')
_LINK_TO_SECTION = re.compile(r"\]\((?P<target>[^)\s]*#[\w-]+)\)")


@dataclass(frozen=True)
class SelfCheck:
    """One ``??? question "..."`` block: the question, its answer, the sections it links to."""

    line: int
    question: str
    answer: str
    links: tuple[str, ...]


def self_checks(source: str) -> list[SelfCheck]:
    r"""The questions of a page's self-check section, in order (empty if it has none).

    >>> src = '## Check your understanding { #self-check }\n\n??? question "Why?"\n    See [here](#a).\n'
    >>> self_checks(src)[0].links
    ('#a',)
    """
    lines = source.split("\n")
    try:
        start = lines.index(SELF_CHECK_HEADING)
    except ValueError:
        return []
    checks: list[SelfCheck] = []
    number = start + 1
    while number < len(lines) and not lines[number].startswith("## "):
        match = _QUESTION.match(lines[number])
        number += 1
        if not match:
            continue
        opened, body = number, []
        while number < len(lines) and (lines[number].startswith("    ") or not lines[number].strip()):
            body.append(lines[number].strip())
            number += 1
        answer = " ".join(" ".join(body).split())
        checks.append(SelfCheck(opened, match["question"], answer,
                                tuple(m["target"] for m in _LINK_TO_SECTION.finditer(answer))))
    return checks


def check_self_checks(source: str, path: str) -> None:
    """Raise :class:`PageError` for a self-check answer that links to no section."""
    for check in self_checks(source):
        if not check.answer:
            raise PageError(path, check.line, f"the question {check.question!r} has no answer",
                            "indent the answer by four spaces under `??? question \"...\"`")
        if not check.links:
            raise PageError(path, check.line, f"the answer to {check.question!r} links to no section",
                            "link the section that explains it, e.g. [why](#anchor)")


_ANSWER = re.compile(r'(<details class="question"[^>]*>\s*<summary>.*?</summary>)(.*?)(</details>)', re.DOTALL)


def mark_self_check_answers(html_text: str) -> str:
    """Wrap each self-check answer in ``data-search-exclude``: the question stays searchable.

    Otherwise every answer, which repeats its section in a sentence, would compete with
    that section in search results.

    >>> mark_self_check_answers('<details class="question"><summary>Q?</summary><p>A.</p></details>')
    '<details class="question"><summary>Q?</summary><div class="aig-answer" data-search-exclude><p>A.</p></div></details>'
    """
    return _ANSWER.sub(lambda m: f'{m[1]}<div class="aig-answer" data-search-exclude>{m[2]}</div>{m[3]}',
                       html_text)
