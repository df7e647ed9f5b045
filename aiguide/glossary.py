"""The glossary and its tooltips, as pure functions (run in every build by aiguide.markdown).

Two files work together:

- ``docs/includes/abbreviations.md`` holds one tooltip a line, ``*[LLM]: Large language
  model: ...``. The ``abbr`` extension turns every whole-word, case-sensitive occurrence of
  the term on every page into ``<abbr title="...">LLM</abbr>``, and Material's
  ``content.tooltips`` shows the title on hover.
- ``docs/glossary.md`` holds one entry per term, alphabetical, each a level-3 heading with a
  stable anchor under a level-2 letter heading::

      ## L { #l }

      ### LLM (large language model) { #llm }

While Markdown runs (``aiguide.markdown``), :func:`link_first_abbrs` wraps the first
eligible tooltip of each glossary entry on a page in a link to that entry. An abbreviation belongs to the entry
whose heading *names* it: the heading text itself, or one of the comma- or "or"-separated
names in a trailing parenthesis, compared without regard to case. A plural abbreviation
(``LLMs``) falls back to its singular (``LLM``). An abbreviation that no entry names fails
the build: :func:`link_targets` raises :class:`GlossaryError` with the abbreviation's
``file:line`` and the fix.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as etree
from collections.abc import Iterator
from dataclasses import dataclass

from aiguide.errors import GuideError
from aiguide.pages import UnclosedFence, lines_outside_fences

GLOSSARY_PAGE = "glossary.md"  # source path inside docs/
LINK_CLASS = "aig-glossary"


class GlossaryError(GuideError):
    """A glossary or abbreviation problem; positional, as every check knows its file and line."""

    def __init__(self, path: str, line: int, message: str, fix: str):
        super().__init__(message, path=path, line=line, fix=fix)


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


# -- Linking tooltips in a page's element tree -------------------------------------------

# Never linked inside these: a link in a heading or in a link is invalid or confusing, and
# code, scripts and SVG are not prose.
_SKIP = frozenset({"h1", "h2", "h3", "h4", "h5", "h6", "a", "code", "pre", "kbd", "samp",
                   "script", "style", "button", "textarea", "select", "svg", "math", "summary"})


def _eligible_abbrs(element: etree.Element) -> Iterator[tuple[etree.Element, etree.Element]]:
    """``(parent, abbr)`` for every ``<abbr>`` in document order outside ``_SKIP``."""
    for child in element:
        if child.tag == "abbr":
            yield element, child
        elif child.tag not in _SKIP:
            yield from _eligible_abbrs(child)


def link_first_abbrs(root: etree.Element, hrefs: dict[str, str]) -> int:
    """Wrap the first eligible tooltip of each glossary entry in a link to it; count them.

    ``hrefs`` maps an abbreviation to its entry's link; abbreviations sharing a link (LLM
    and LLMs) share one link per page. Tooltips in headings, links, code and SVG stay as
    they are, and so does every tooltip after the first. Works on the tree Python-Markdown
    builds, before the host rewrites ``glossary.md#llm`` into the page's relative URL:

    >>> root = etree.fromstring('<div><p><abbr title="t">LLM</abbr> <abbr>LLM</abbr></p></div>')
    >>> link_first_abbrs(root, {"LLM": "glossary.md#llm"}), etree.tostring(root, "unicode")
    (1, '<div><p><a class="aig-glossary" href="glossary.md#llm"><abbr title="t">LLM</abbr></a> \
<abbr>LLM</abbr></p></div>')
    """
    linked: set[str] = set()
    for parent, abbr in list(_eligible_abbrs(root)):
        href = hrefs.get("".join(abbr.itertext()))
        if href is None or href in linked:
            continue
        linked.add(href)
        link = etree.Element("a", {"class": LINK_CLASS, "href": href})
        link.tail, abbr.tail = abbr.tail, None
        parent.insert(list(parent).index(abbr), link)
        parent.remove(abbr)
        link.append(abbr)
    return len(linked)
