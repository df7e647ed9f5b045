"""The notable-projects page: every project is one table row with a name, a purpose, a known
licence and an https link to a known host; names are unique and every group has entries.

The page is read as Markdown, so these tests need no build and no network. A new licence or
link host must be added to the lists below, which puts it in front of a reviewer.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from urllib.parse import urlsplit

import pytest

from tests.conftest import ROOT

PAGE = ROOT / "docs" / "notable-projects" / "index.md"
SHOWN = PAGE.relative_to(ROOT).as_posix()
HEADER = ("Project", "What it is for", "Licence", "Link")

# The H2 anchors whose tables list projects; each must have at least one entry.
SECTIONS = {"runtimes", "apps", "retrieval", "orchestration", "fine-tuning", "evaluation",
            "datasets", "models", "formats"}
# SPDX identifiers used on the page (https://spdx.org/licenses/), spelled exactly as SPDX does.
# "AGPL-3.0" is SPDX's older id, kept because the page does not say "-only" or "-or-later".
SPDX_IDS = {"AGPL-3.0", "Apache-2.0", "BSD-3-Clause", "MIT", "ODC-By-1.0", "PostgreSQL"}
# Licences with no SPDX identifier, each explained in the page's prose.
NAMED_LICENCES = {"Axolotl Community License", "Gemma Terms of Use", "Llama 3.1 Community License", "Open WebUI License",
                  "Per-source terms", "The Stack v2 Terms of Use"}
KNOWN_HOSTS = {"github.com", "huggingface.co", "arxiv.org", "allenai.org", "ai.google.dev"}
MIN_ENTRIES = 30

_H2 = re.compile(r"^## (?P<title>.+?)(?:\s*\{\s*#(?P<anchor>[\w-]+)\s*\})?\s*$")
_FENCE = re.compile(r"^\s*(```|~~~)")
_SEPARATOR = re.compile(r"^\|?\s*:?-{3,}:?\s*(\|\s*:?-{3,}:?\s*)*\|?\s*$")
_CELL_SPLIT = re.compile(r"(?<!\\)\|")
_LINK = re.compile(r"^<(?P<url>[^<>\s]+)>$")
_HOST = re.compile(r"^[a-z0-9-]+(\.[a-z0-9-]+)+$")


@dataclass(frozen=True)
class Entry:
    line: int
    section: str | None
    name: str
    purpose: str
    licence: str
    link: str
    cells: int


def _cells(line: str) -> list[str]:
    inner = line.strip()
    inner = inner.removeprefix("|")
    inner = inner[:-1] if inner.endswith("|") and not inner.endswith("\\|") else inner
    return [cell.strip() for cell in _CELL_SPLIT.split(inner)]


def parse_entries(source: str, path: str) -> tuple[list[Entry], list[str]]:
    """Every table row of the page with its line number and H2 anchor, and structural problems."""
    entries: list[Entry] = []
    problems: list[str] = []
    lines = source.split("\n")
    section: str | None = None
    in_fence = False
    number = 0
    while number < len(lines):
        line, shown = lines[number], number + 1
        number += 1
        if _FENCE.match(line):
            in_fence = not in_fence
            continue
        if in_fence:
            continue
        heading = _H2.match(line)
        if heading:
            section = heading.group("anchor")
            if section is None:
                problems.append(f"{path}:{shown}: heading {heading.group('title')!r} has no "
                                "`{ #anchor }`")
            continue
        if not line.lstrip().startswith("|"):
            continue
        # A table starts here: header, separator, then rows until the first non-table line.
        header = tuple(_cells(line))
        if number >= len(lines) or not _SEPARATOR.match(lines[number]):
            problems.append(f"{path}:{shown}: table row outside a table (no header and "
                            "`| --- |` separator above it)")
            continue
        if header != HEADER:
            problems.append(f"{path}:{shown}: table header is {' | '.join(header)!r}; "
                            f"expected {' | '.join(HEADER)!r}")
        number += 1
        while number < len(lines) and lines[number].lstrip().startswith("|"):
            cells = _cells(lines[number])
            padded = (cells + [""] * 4)[:4]
            entries.append(Entry(number + 1, section, *padded, cells=len(cells)))
            number += 1
    return entries, problems


def check_entry(entry: Entry, path: str) -> list[str]:
    """What is wrong with one row, one message per problem, each starting with file:line."""
    where = f"{path}:{entry.line}:"
    label = f'"{entry.name}"' if entry.name else "a row"
    problems = []
    if entry.cells != len(HEADER):
        problems.append(f"{where} {label} has {entry.cells} cells; expected {len(HEADER)} "
                        f"({' | '.join(HEADER)})")
    if not entry.name:
        problems.append(f"{where} a row has no project name")
    if not entry.purpose:
        problems.append(f"{where} {label} has no purpose (the 'What it is for' column)")
    if not entry.licence:
        problems.append(f"{where} {label} has no licence")
    elif unknown := [part for part in licence_parts(entry.licence)
                     if part not in SPDX_IDS | NAMED_LICENCES]:
        problems.append(f"{where} {label} has licence {unknown[0]!r}, which is neither an "
                        "SPDX id in SPDX_IDS nor a named licence in NAMED_LICENCES; use the "
                        "SPDX id (https://spdx.org/licenses/), join several with ' AND ' as "
                        "SPDX expressions do, or add it to tests/test_notable_projects.py")
    problems += _link_problems(entry.link, where, label)
    return problems


def licence_parts(licence: str) -> list[str]:
    """The licences of a cell: one name, or several joined with ' AND ' (a project whose
    folders carry different licences), as in an SPDX expression."""
    return [part.strip() for part in licence.split(" AND ")]


def _link_problems(link: str, where: str, label: str) -> list[str]:
    if not link:
        return [f"{where} {label} has no link"]
    match = _LINK.match(link)
    if not match:
        return [f"{where} {label} has link {link!r}; write it as <https://...> with no spaces"]
    url = match.group("url")
    parts = urlsplit(url)
    problems = []
    if parts.scheme != "https":
        problems.append(f"{where} {label} links to {url!r}, which is not https://")
    host = parts.hostname or ""
    if not _HOST.match(host):
        problems.append(f"{where} {label} links to {url!r}, whose host {host!r} is not a "
                        "domain name")
    elif host not in KNOWN_HOSTS:
        problems.append(f"{where} {label} links to host {host!r}, which is not in KNOWN_HOSTS; "
                        "check the spelling, or add it to tests/test_notable_projects.py")
    if url[-1] in ".,;:!?)]}'\"":
        problems.append(f"{where} {label} link {url!r} ends in punctuation")
    return problems


def check_page(entries: list[Entry], path: str) -> list[str]:
    """Row problems, plus duplicate names, sections without entries and too few entries."""
    problems = [problem for entry in entries for problem in check_entry(entry, path)]
    first_seen: dict[str, Entry] = {}
    for entry in entries:
        if entry.section not in SECTIONS:
            problems.append(f"{path}:{entry.line}: \"{entry.name}\" is in section "
                            f"#{entry.section}, which is not a project section {sorted(SECTIONS)}")
        key = entry.name.casefold()
        if key and key in first_seen:
            problems.append(f"{path}:{entry.line}: \"{entry.name}\" is listed twice "
                            f"(first on line {first_seen[key].line})")
        first_seen.setdefault(key, entry)
    found = {entry.section for entry in entries}
    problems += [f"{path}: section #{anchor} has no entries" for anchor in sorted(SECTIONS - found)]
    if len(entries) < MIN_ENTRIES:
        problems.append(f"{path}: {len(entries)} entries; expected at least {MIN_ENTRIES}")
    return problems


@pytest.fixture(scope="module")
def page() -> tuple[list[Entry], list[str]]:
    return parse_entries(PAGE.read_text(encoding="utf-8"), SHOWN)


# -- The real page -------------------------------------------------------------------------

def test_the_parser_finds_entries_in_every_project_section(page):
    entries, structure = page
    assert structure == [], "\n".join(structure)
    assert len(entries) > 0
    assert {entry.section for entry in entries} == SECTIONS
    assert any(entry.name == "llama.cpp" and entry.licence == "MIT" for entry in entries)


def test_every_entry_is_complete_unique_and_well_formed(page):
    entries, _ = page
    problems = check_page(entries, SHOWN)
    assert problems == [], "\n".join(problems)


def test_every_allowed_licence_and_host_is_used(page):
    # Unused allow-list items would let a later typo slip through unnoticed.
    entries, _ = page
    unused = (SPDX_IDS | NAMED_LICENCES) - {part for entry in entries
                                            for part in licence_parts(entry.licence)}
    unused |= KNOWN_HOSTS - {urlsplit(entry.link.strip("<>")).hostname for entry in entries}
    assert not unused, f"remove from tests/test_notable_projects.py: {sorted(unused)}"


# -- The checks catch broken rows ------------------------------------------------------------

def test_removing_a_licence_from_the_real_page_is_caught(page):
    source = PAGE.read_text(encoding="utf-8")
    [vllm] = [entry for entry in page[0] if entry.name == "vLLM"]
    lines = source.split("\n")
    lines[vllm.line - 1] = lines[vllm.line - 1].replace("| Apache-2.0 |", "|  |")
    entries, _ = parse_entries("\n".join(lines), SHOWN)
    assert f'{SHOWN}:{vllm.line}: "vLLM" has no licence' in check_page(entries, SHOWN)


SAMPLE = """# Sample

## Which programs run models? {{ #runtimes }}

| Project | What it is for | Licence | Link |
| --- | --- | --- | --- |
| llama.cpp | Local inference | MIT | <https://github.com/ggml-org/llama.cpp> |
{row}
"""


def problems_for(row: str) -> list[str]:
    entries, structure = parse_entries(SAMPLE.format(row=row), "sample.md")
    return structure + [p for entry in entries for p in check_entry(entry, "sample.md")]


def test_a_row_without_a_licence_is_reported_with_file_and_line():
    assert problems_for("| vLLM | Serving | | <https://github.com/vllm-project/vllm> |") == [
        'sample.md:8: "vLLM" has no licence']


@pytest.mark.parametrize("row, message", [
    ("| vLLM | | Apache-2.0 | <https://github.com/vllm-project/vllm> |", '"vLLM" has no purpose'),
    ("| | Serving | Apache-2.0 | <https://github.com/vllm-project/vllm> |", "a row has no project name"),
    ("| vLLM | Serving | Apache 2.0 | <https://github.com/vllm-project/vllm> |",
     "has licence 'Apache 2.0', which is neither an SPDX id"),
    ("| vLLM | Serving | Apache-2.0 AND GPL | <https://github.com/vllm-project/vllm> |",
     "has licence 'GPL', which is neither an SPDX id"),
    ("| vLLM | Serving | Apache-2.0 | |", '"vLLM" has no link'),
    ("| vLLM | Serving | Apache-2.0 | https://github.com/vllm-project/vllm |", "write it as <https://...>"),
    ("| vLLM | Serving | Apache-2.0 | <http://github.com/vllm-project/vllm> |", "is not https://"),
    ("| vLLM | Serving | Apache-2.0 | <https://github.com/vllm-project/vllm.> |", "ends in punctuation"),
    ("| vLLM | Serving | Apache-2.0 | <https://githbu.com/vllm-project/vllm> |", "not in KNOWN_HOSTS"),
    ("| vLLM | Serving | <https://github.com/vllm-project/vllm> |", '"vLLM" has 3 cells; expected 4'),
])
def test_each_kind_of_broken_row_is_reported(row, message):
    problems = problems_for(row)
    assert any(p.startswith("sample.md:8: ") and message in p for p in problems), problems


def test_duplicates_empty_sections_and_a_wrong_header_are_reported():
    source = SAMPLE.format(row="| LLAMA.CPP | Again | MIT | <https://github.com/ggml-org/llama.cpp> |")
    source += "\n## Other { #models }\n\n| Name | Licence |\n| --- | --- |\n| x | MIT |\n"
    entries, structure = parse_entries(source, "sample.md")
    problems = structure + check_page(entries, "sample.md")
    assert 'sample.md:8: "LLAMA.CPP" is listed twice (first on line 7)' in problems
    assert any(p.startswith("sample.md:12: table header is 'Name | Licence'") for p in problems)
    assert "sample.md: section #datasets has no entries" in problems
    assert any("entries; expected at least" in p for p in problems)


def test_headings_without_anchors_and_fenced_tables_are_handled():
    source = "## No anchor\n\n```markdown\n| a | b |\n| --- | --- |\n| c | d |\n```\n"
    entries, structure = parse_entries(source, "sample.md")
    assert entries == []
    assert structure == ["sample.md:1: heading 'No anchor' has no `{ #anchor }`"]
