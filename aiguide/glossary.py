"""The glossary and its tooltips, as pure functions (wired into MkDocs by hooks/glossary.py).

Two files work together:

- ``docs/includes/abbreviations.md`` holds one tooltip a line, ``*[LLM]: Large language
  model: ...``. The ``abbr`` extension turns every whole-word, case-sensitive occurrence of
  the term on every page into ``<abbr title="...">LLM</abbr>``, and Material's
  ``content.tooltips`` shows the title on hover.
- ``docs/glossary.md`` holds one entry per term, alphabetical, each a level-3 heading with a
  stable anchor under a level-2 letter heading::

      ## L { #l }

      ### LLM (large language model) { #llm }

After Markdown has run, :func:`link_first_occurrences` wraps the first eligible tooltip of
each glossary entry on a page in a link to that entry. An abbreviation belongs to the entry
whose heading *names* it: the heading text itself, or one of the comma- or "or"-separated
names in a trailing parenthesis, compared without regard to case. A plural abbreviation
(``LLMs``) falls back to its singular (``LLM``). An abbreviation that no entry names fails
the build: :func:`link_targets` raises :class:`GlossaryError` with the abbreviation's
``file:line`` and the fix.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from html import escape, unescape

from aiguide.pages import UnclosedFence, lines_outside_fences

GLOSSARY_PAGE = "glossary.md"  # source path inside docs/
LINK_CLASS = "aig-glossary"


class GlossaryError(Exception):
    """A glossary or abbreviation problem: ``str()`` gives ``file:line: problem`` and the fix."""

    def __init__(self, path: str, line: int, message: str, fix: str):
        self.path, self.line, self.message, self.fix = path, line, message, fix
        super().__init__(f"{path}:{line}: {message}\n    fix: {fix}")


# -- The abbreviations file --------------------------------------------------------------

@dataclass(frozen=True)
class Abbreviation:
    """One ``*[TERM]: tooltip`` line."""

    term: str
    title: str
    line: int


MAX_TOOLTIP = 160
# A tooltip is a title attribute: markup would show as literal characters.
_MARKUP = re.compile(r"[<>`*\[\]]")
_ABBR_LINE = re.compile(r"^\*\[(?P<term>[^\]]+)\]:[ \t]*(?P<title>.*?)[ \t]*$")


def parse_abbreviations(source: str, path: str) -> list[Abbreviation]:
    """Every tooltip in an abbreviations file; a line of anything else raises.

    >>> parse_abbreviations("*[LLM]: Large language model\\n", "a.md")
    [Abbreviation(term='LLM', title='Large language model', line=1)]
    """
    found: dict[str, Abbreviation] = {}
    for number, line in enumerate(source.split("\n"), start=1):
        if not line.strip():
            continue
        match = _ABBR_LINE.match(line)
        if not match:
            raise GlossaryError(path, number, f"not an abbreviation line: {line.strip()[:60]!r}",
                                "write one tooltip a line as `*[TERM]: one short sentence`")
        term, title = match["term"], match["title"]
        if term != term.strip() or not term:
            raise GlossaryError(path, number, f"the term {term!r} has spaces at its ends",
                                "write the term exactly as it appears in the text, e.g. `*[LLM]`")
        if _MARKUP.search(term):
            raise GlossaryError(path, number, f"the term {term[:60]!r} is not plain text",
                                "write the term exactly as the prose spells it, without markup")
        if not title:
            raise GlossaryError(path, number, f"`{term}` has no tooltip text",
                                f"write one short sentence after `*[{term}]:`")
        if len(title) > MAX_TOOLTIP or _MARKUP.search(title):
            raise GlossaryError(path, number, f"the tooltip of `{term}` is "
                                + (f"{len(title)} characters long" if len(title) > MAX_TOOLTIP
                                   else f"not plain text ({_MARKUP.search(title)[0]!r})"),
                                f"write one plain sentence of at most {MAX_TOOLTIP} characters; "
                                "the glossary entry holds the rest")
        if term in found:
            raise GlossaryError(path, number, f"`{term}` is already defined on line "
                                f"{found[term].line}", "keep one of the two lines")
        found[term] = Abbreviation(term, title, number)
    return list(found.values())


# -- The glossary page -------------------------------------------------------------------

@dataclass(frozen=True)
class Entry:
    """One glossary entry: a level-3 heading with an explicit anchor."""

    heading: str
    anchor: str
    line: int
    letter: str  # the letter heading the entry sits under ("" if none)

    @property
    def names(self) -> tuple[str, ...]:
        """What the entry is called: its heading, and the names in a trailing parenthesis.

        >>> Entry("LLM (large language model)", "llm", 1, "L").names
        ('LLM (large language model)', 'LLM', 'large language model')
        """
        names = [self.heading]
        match = re.fullmatch(r"(?P<main>.+?)\s*\((?P<also>[^()]+)\)", self.heading)
        if match:
            names.append(match["main"])
            names += [n.strip() for n in re.split(r",|\bor\b", match["also"]) if n.strip()]
        return tuple(names)


_HEADING = re.compile(r"^(?P<hashes>#{2,3})[ \t]+(?P<text>.+?)[ \t]*(?:\{[ \t]*#(?P<anchor>[^\s}]+)"
                      r"[^}]*\})?[ \t]*$")
_SLUG = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")


def sort_key(heading: str) -> str:
    """Letter-by-letter order: case, spaces and punctuation are ignored.

    >>> sorted(["Top-p", "Token", "Top-k"], key=sort_key)
    ['Token', 'Top-k', 'Top-p']
    """
    return "".join(ch for ch in heading.casefold() if ch.isalnum())


def parse_glossary(source: str, path: str) -> list[Entry]:
    """The entries of the glossary page, in file order (letter headings are not entries)."""
    entries: list[Entry] = []
    letter = ""
    try:
        prose = lines_outside_fences(source.split("\n"))
    except UnclosedFence as error:
        raise GlossaryError(path, error.line, f"a fenced block opened with {error.fence} is never "
                            "closed", f"close it with a line of {error.fence}") from None
    for number, line in prose:
        match = _HEADING.match(line)
        if not match:
            continue
        if len(match["hashes"]) == 2:
            letter = match["text"] if len(match["text"]) == 1 else ""
            continue
        if not match["anchor"]:
            raise GlossaryError(path, number, f"the entry `{match['text']}` has no explicit anchor",
                                f"end the heading with `{{ #{_slugify(match['text'])} }}`")
        entries.append(Entry(match["text"], match["anchor"], number, letter))
    return entries


def _slugify(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.casefold()).strip("-")


def check_glossary(entries: list[Entry], path: str) -> None:
    """Raise :class:`GlossaryError` unless anchors are unique slugs and entries alphabetical."""
    seen: dict[str, Entry] = {}
    previous: Entry | None = None
    for entry in entries:
        if not _SLUG.match(entry.anchor):
            raise GlossaryError(path, entry.line, f"anchor `#{entry.anchor}` is not a slug",
                                f"use lowercase letters, digits and hyphens, e.g. "
                                f"`{{ #{_slugify(entry.heading)} }}`")
        if entry.anchor in seen:
            raise GlossaryError(path, entry.line, f"anchor `#{entry.anchor}` is also used on line "
                                f"{seen[entry.anchor].line}", "give each entry its own anchor")
        seen[entry.anchor] = entry
        initial = sort_key(entry.heading)[:1].upper()
        if entry.letter != initial:
            raise GlossaryError(path, entry.line, f"`{entry.heading}` is under the letter heading "
                                f"{entry.letter or '(none)'!r}",
                                f"move it under `## {initial} {{ #{initial.lower()} }}`")
        if previous and sort_key(entry.heading) < sort_key(previous.heading):
            raise GlossaryError(path, entry.line, f"`{entry.heading}` comes after "
                                f"`{previous.heading}` (line {previous.line}), out of order",
                                "keep entries in alphabetical order, ignoring case and punctuation")
        previous = entry


def link_targets(abbreviations: list[Abbreviation], entries: list[Entry],
                 abbreviations_path: str, glossary_path: str = f"docs/{GLOSSARY_PAGE}"
                 ) -> dict[str, str]:
    """Map each abbreviation to the anchor of the glossary entry that names it.

    >>> link_targets([Abbreviation("LLMs", "...", 2)], [Entry("LLM", "llm", 9, "L")], "a.md")
    {'LLMs': 'llm'}
    """
    by_name: dict[str, list[Entry]] = {}
    for entry in entries:
        for name in dict.fromkeys(n.casefold() for n in entry.names):
            by_name.setdefault(name, []).append(entry)
    targets = {}
    for abbr in abbreviations:
        candidates = [abbr.term] + ([abbr.term[:-1]] if abbr.term.endswith("s") else [])
        matches = next((by_name[c.casefold()] for c in candidates if c.casefold() in by_name), [])
        if not matches:
            raise GlossaryError(
                abbreviations_path, abbr.line, f"`{abbr.term}` has no entry in {glossary_path}",
                f"add an entry whose heading names it, e.g. `### {abbr.term} (...) "
                f"{{ #{_slugify(abbr.term)} }}` under its letter, "
                f"or remove the line")
        if len(matches) > 1:
            raise GlossaryError(
                abbreviations_path, abbr.line, f"`{abbr.term}` is named by several glossary "
                f"entries: " + ", ".join(f"line {e.line}" for e in matches),
                "name the term in one entry heading only")
        targets[abbr.term] = matches[0].anchor
    return targets


def glossary_href(page_url: str, glossary_url: str, anchor: str) -> str:
    """A relative link from one page to a glossary entry, for either URL style.

    >>> glossary_href("ai-basics/", "glossary/", "llm")
    '../glossary/#llm'
    >>> glossary_href("ai-basics/index.html", "glossary.html", "llm")
    '../glossary.html#llm'
    """
    from mkdocs.utils import get_relative_url

    return f"{get_relative_url(glossary_url, page_url)}#{anchor}"


# -- Linking tooltips in a page's HTML ---------------------------------------------------

# Never linked inside these: a link in a heading or in a link is invalid or confusing, and
# code, scripts and SVG are not prose.
_SKIP = ("h1", "h2", "h3", "h4", "h5", "h6", "a", "code", "pre", "kbd", "samp",
         "script", "style", "button", "textarea", "select", "svg", "math", "summary")
# Only the tags that matter are tokenized: every <abbr>, the opening and closing tags of the
# elements above, and comments (which may contain anything). Hand-written rather than
# html.parser or BeautifulSoup: the page is edited by splicing the original string, so only
# offsets are needed, and skipping the other tags makes this ~10x faster than html.parser
# on figure-heavy pages. Markdown, Material and our renderers write lowercase tag names.
_TOKEN = re.compile(r"<!--.*?-->|<(/?)(abbr|" + "|".join(_SKIP) + r")(?=[\s>/])", re.DOTALL)
_RAW_TEXT = ("script", "style")  # their content is text: jump to the closing tag


@dataclass(frozen=True)
class _Abbr:
    start: int  # offset of "<abbr"
    end: int  # offset just past "</abbr>"
    text: str
    skipped: bool


def _find_abbrs(html: str) -> Iterator[_Abbr]:
    """Every ``<abbr>`` in order, and whether it sits inside an element in ``_SKIP``."""
    open_count = dict.fromkeys(_SKIP, 0)
    position = 0
    while match := _TOKEN.search(html, position):
        closing, tag = match.group(1), match.group(2)
        position = match.end()
        if tag is None:  # a comment
            continue
        if tag == "abbr":
            if closing:
                continue
            end = html.find("</abbr>", position)
            if end < 0:
                return
            text = re.sub(r"<[^>]*>", "", html[html.index(">", position) + 1:end])
            yield _Abbr(match.start(), end + len("</abbr>"), unescape(text),
                        any(open_count.values()))
            position = end + len("</abbr>")
        elif closing:
            open_count[tag] = max(open_count[tag] - 1, 0)
        elif tag in _RAW_TEXT:
            close = html.find(f"</{tag}", position)
            position = len(html) if close < 0 else close
            open_count[tag] += 1
        else:
            tag_end = html.find(">", position)
            if tag_end > 0 and html[tag_end - 1] != "/":  # <a/> opens nothing
                open_count[tag] += 1


def link_first_occurrences(html: str, hrefs: dict[str, str]) -> str:
    """Wrap the first eligible tooltip of each glossary entry in a link to it.

    ``hrefs`` maps an abbreviation to its entry's URL; abbreviations sharing a URL (LLM and
    LLMs) share one link per page. Tooltips in headings, links, code and SVG stay as they
    are, and so does every tooltip after the first.

    >>> link_first_occurrences('<p><abbr title="t">LLM</abbr> <abbr title="t">LLM</abbr></p>',
    ...                        {"LLM": "g.html#llm"})
    '<p><a class="aig-glossary" href="g.html#llm"><abbr title="t">LLM</abbr></a> <abbr title="t">LLM</abbr></p>'
    """
    if "<abbr" not in html:
        return html
    linked: set[str] = set()
    chosen: list[tuple[_Abbr, str]] = []
    for abbr in _find_abbrs(html):
        href = hrefs.get(abbr.text)
        if href is None or abbr.skipped or href in linked:
            continue
        linked.add(href)
        chosen.append((abbr, href))
    for abbr, href in reversed(chosen):
        html = (f'{html[:abbr.start]}<a class="{LINK_CLASS}" href="{escape(href)}">'
                f"{html[abbr.start:abbr.end]}</a>{html[abbr.end:]}")
    return html
