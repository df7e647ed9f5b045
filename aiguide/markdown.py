"""The guide's own Markdown as one Python-Markdown extension, run by MkDocs and Zensical alike.

``mkdocs.yml`` lists it as ``- aiguide`` (an entry point in the ``markdown.extensions`` group,
see pyproject.toml). Per page it

1. checks the front matter of the page file (a malformed page raises :class:`PageError` with
   file:line and the fix);
2. renders ``<!-- md:... -->`` shortcodes and strips test-only options from python fences;
3. watches SuperFences find each fenced block, so a figure error names the file line of its
   fence, an unclosed fence fails with the line it opened on, and :func:`census` can list
   exactly the blocks the site renders (figure discovery and the code-block tests use it);
4. links the first tooltip of each glossary entry on the page to that entry, as a link to
   ``glossary.md#anchor`` that the host's own link rewriting turns into a relative URL;
5. puts each plain table in a ``div`` of its own (:func:`hold_tables` says why), and names
   each heading's permalink with ``aria-label`` instead of ``title``
   (:func:`label_permalinks`).

The host (MkDocs or Zensical) is only asked which file is being rendered: see
:func:`_host_page`. Nothing here imports MkDocs.
"""

from __future__ import annotations

import posixpath
import re
import xml.etree.ElementTree as etree
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml
from markdown import Extension, Markdown
from markdown.postprocessors import Postprocessor
from markdown.preprocessors import Preprocessor
from markdown.treeprocessors import Treeprocessor

from aiguide import glossary
from aiguide.pages import (
    PageError,
    UnclosedFence,
    check_front_matter,
    check_self_checks,
    mark_self_check_answers,
    render_shortcodes,
    shown_path,
    skipped_examples,
    skipped_examples_markdown,
    strip_test_options,
)

# The front matter as MkDocs and Zensical both cut it off before Markdown runs.
FRONT_MATTER = re.compile(r"\A-{3}[ \t]*\n(.*?\n)(?:\.{3}|-{3})[ \t]*\n", re.DOTALL)
ROOT = Path(__file__).resolve().parent.parent


@dataclass(frozen=True)
class Fence:
    """One fenced block as SuperFences found it; lines are the page file's own (1-based)."""

    language: str
    line: int  # the opening fence
    end: int  # the closing fence
    source: str  # the body, dedented as the formatter receives it
    options: dict[str, str]


@dataclass
class PageContext:
    """What the extension knows about the page being rendered."""

    path: str  # as a contributor types it, e.g. docs/ai-basics/index.md
    src_uri: str  # under docs/, e.g. ai-basics/index.md ("" if not known)
    docs_dir: Path | None
    first_line: int = 1  # file line of the first line Markdown receives
    census: bool = False  # only list fences: no checks, no rendering of figures
    fences: list[Fence] = field(default_factory=list)

    @property
    def current(self) -> Fence | None:
        """The fence SuperFences is formatting right now (its formatter runs on closing)."""
        return self.fences[-1] if self.fences else None


def split_front_matter(source: str) -> tuple[str, str, int]:
    """``(front matter, body, file line of the body's first line)``, as the hosts split."""
    match = FRONT_MATTER.match(source)
    if not match:
        return "", source, 1
    rest = source[match.end():]
    body = rest.lstrip("\n")
    return match.group(1), body, source[: len(source) - len(body)].count("\n") + 1


# -- Which page is this? ---------------------------------------------------------------


def _host_page(md: Markdown) -> tuple[Path, str] | None:
    """``(page file, path under docs/)`` from whichever host is rendering, or None.

    MkDocs registers its link-rewriting treeprocessor, which knows the file, before
    converting; Zensical registers a preprocessor carrying its page and config.
    """
    if "relpath" in md.treeprocessors:
        file = getattr(md.treeprocessors["relpath"], "file", None)
        if file is not None and getattr(file, "abs_src_path", None):
            return Path(file.abs_src_path), file.src_uri
    if "rendering_context" in md.preprocessors:
        context = md.preprocessors["rendering_context"]
        page, config = getattr(context, "page", None), getattr(context, "config", {})
        if page is not None and config.get("docs_dir"):
            docs = Path(config["docs_dir"])
            docs = docs if docs.is_absolute() else Path(config.get("config_file_path", ".")
                                                        ).parent / docs
            return docs / page.path, page.path.replace("\\", "/")
    return None


# -- Step 1 and 2: the page's own text ---------------------------------------------------


class PagePreprocessor(Preprocessor):
    """Front matter, shortcodes, test options; then watch SuperFences on the same lines.

    Runs before pymdownx.snippets (priority 32) and whitespace normalisation (30), so the
    lines it sees are the page file's lines below the front matter, one for one.
    """

    def __init__(self, md: Markdown, extension: AiGuideExtension):
        super().__init__(md)
        self.extension = extension

    def run(self, lines: list[str]) -> list[str]:
        context = self.extension.context(self.md, lines)
        self.md.aiguide = context  # type: ignore[attr-defined]
        _watch_superfences(self.md, context)
        if not context.census and not context.src_uri.endswith(".md"):
            return lines  # a notebook page: mkdocs-jupyter renders it
        text = "\n".join(lines)
        if not context.census:
            raw = _read(context)
            if raw is not None:
                front, _, _ = split_front_matter(raw)
                meta = yaml.safe_load(front) if front else {}
                check_front_matter(meta if isinstance(meta, dict) else {}, raw, context.path)
                check_self_checks(raw, context.path)
            text = render_shortcodes(text, context.path, first_line=context.first_line,
                                     generated=_generated(text, context))
        return strip_test_options(text).split("\n")


def _generated(text: str, context: PageContext) -> dict[str, str]:
    """Text for generated shortcodes; the whole docs folder is read only for a page using one."""
    if "md:skipped-examples" not in text or context.docs_dir is None:
        return {}
    return {"skipped-examples": skipped_examples_markdown(skipped_examples(context.docs_dir),
                                                          context.src_uri)}


TABLE_HOLDER = "aig-table-holder"


def hold_tables(root: etree.Element) -> int:
    """Put each table Material restyles (``table:not([class])``) in a ``div`` of its own;
    count them.

    As a page starts, Material moves each such table into its scroll wrapper. Its
    stylesheet's ``table:not([class]) + *`` rule makes Chromium restyle everything under
    the table's parent when a table moves, and a page's tables sit directly in the article,
    so one move meant restyling the whole page. In a holder of its own, only the table is
    restyled. The holder has no style, so the page looks the same:

    >>> root = etree.fromstring('<div><table/><table class="x"/></div>')
    >>> hold_tables(root), etree.tostring(root, "unicode")
    (1, '<div><div class="aig-table-holder"><table /></div><table class="x" /></div>')
    """
    held = 0
    for parent in list(root.iter()):
        for index, child in enumerate(list(parent)):
            if child.tag != "table" or "class" in child.attrib or parent.get("class") == TABLE_HOLDER:
                continue
            holder = etree.Element("div", {"class": TABLE_HOLDER})
            holder.tail, child.tail = child.tail, None
            parent.remove(child)
            holder.append(child)
            parent.insert(index, holder)
            held += 1
    return held


def label_permalinks(root: etree.Element) -> int:
    """Name each heading's permalink after its heading, with ``aria-label``; count them.

    The toc extension gives every permalink the same ``title`` ("Link to this section"), so
    a screen reader's list of links repeats one name dozens of times, and Material mounts a
    tooltip for each titled element as the page starts (about a millisecond of main-thread
    work each on a phone). The label says where the link goes; the pilcrow that appears
    on hover stays, as in most documentation:

    >>> root = etree.fromstring('<div><h2 id="a">Why <em>this</em>?<a class="headerlink" '
    ...                         'href="#a" title="Link to this section">¶</a></h2></div>')
    >>> label_permalinks(root), root.find(".//a").attrib
    (1, {'class': 'headerlink', 'href': '#a', 'aria-label': 'Link to this section: Why this?'})
    """
    labelled = 0
    for heading in root.iter():
        for link in heading.findall("a[@class='headerlink'][@title]"):
            text = "".join(heading.itertext()).replace("".join(link.itertext()), "").strip()
            link.set("aria-label", f"{link.attrib.pop('title')}: {text}")
            labelled += 1
    return labelled


class PageStartTreeprocessor(Treeprocessor):
    """:func:`hold_tables` and :func:`label_permalinks` on every page, after the tables and
    toc extensions."""

    def run(self, root: etree.Element) -> None:
        hold_tables(root)
        label_permalinks(root)


class SelfCheckPostprocessor(Postprocessor):
    """Self-check answers leave search (``data-search-exclude``); their questions stay."""

    def run(self, text: str) -> str:
        return mark_self_check_answers(text)


def _read(context: PageContext) -> str | None:
    if context.docs_dir is None or not context.src_uri:
        return None
    path = context.docs_dir / context.src_uri
    return path.read_text(encoding="utf-8") if path.is_file() else None


def _first_line(raw: str | None, lines: list[str]) -> int:
    """The file line that ``lines[0]`` came from: the host cut the front matter off."""
    if raw is None:
        return 1
    raw_lines = raw.split("\n")
    offset = len(raw_lines) - len(lines)
    return offset + 1 if offset >= 0 and raw_lines[offset:] == lines else 1


# -- Step 3: fences, as SuperFences sees them --------------------------------------------


def _watch_superfences(md: Markdown, context: PageContext) -> None:
    """Record every block SuperFences closes, with its file lines; fail on an unclosed one.

    SuperFences tells a formatter neither where its fence is nor about a fence that never
    closes, so the preprocessor's own instance is wrapped (pymdownx is pinned; a test
    checks the wrapper still sees every fence).
    """
    if "fenced_code_block" not in md.preprocessors:
        return
    fences = md.preprocessors["fenced_code_block"]
    if getattr(fences, "_aiguide_watched", False) or not hasattr(fences, "process_nested_block"):
        return  # watched already, or not SuperFences (Python-Markdown's own fenced_code)
    process, run = fences.process_nested_block, fences.run

    def process_nested_block(ws: str, content: str, start: int, end: int) -> Any:
        page: PageContext = md.aiguide  # type: ignore[attr-defined]
        page.fences.append(Fence(fences.lang or "", page.first_line + start,
                                 page.first_line + end - 1, fences.rebuild_block(fences.code),
                                 dict(fences.options)))
        if page.census:
            fences.formatter = None  # listed, not rendered
        return process(ws, content, start, end)

    def run_and_check(lines: list[str]) -> list[str]:
        result = run(lines)
        if fences.fence is not None:
            page: PageContext = md.aiguide  # type: ignore[attr-defined]
            opened = page.first_line + len(lines) - len(fences.code) - 1
            raise UnclosedFence(opened, fences.fence, page.path)
        return result

    fences.process_nested_block = process_nested_block
    fences.run = run_and_check
    fences._aiguide_watched = True


# -- Step 4: glossary links --------------------------------------------------------------

_glossaries: dict[tuple, dict[str, str]] = {}


def glossary_targets(docs_dir: Path, abbreviation_files: list[Path]) -> dict[str, str]:
    """Abbreviation -> glossary anchor, checked; read once per build (keyed by file times)."""
    page = docs_dir / glossary.GLOSSARY_PAGE
    key = tuple((str(p), p.stat().st_mtime_ns) for p in [page, *abbreviation_files]
                if p.is_file())
    if key not in _glossaries:
        if not page.is_file():
            raise glossary.GlossaryError(shown_path(abbreviation_files[0]), 1,
                                         "tooltips are defined but there is no glossary page",
                                         f"add docs/{glossary.GLOSSARY_PAGE}")
        glossary_path = shown_path(page)
        entries = glossary.parse_glossary(page.read_text(encoding="utf-8"), glossary_path)
        glossary.check_glossary(entries, glossary_path)
        targets: dict[str, str] = {}
        for source in abbreviation_files:
            abbreviations = glossary.parse_abbreviations(source.read_text(encoding="utf-8"),
                                                         shown_path(source))
            targets.update(glossary.link_targets(abbreviations, entries, shown_path(source),
                                                 glossary_path))
        _glossaries[key] = targets
    return _glossaries[key]


def _abbreviation_files(md: Markdown, docs_source: str = "") -> list[Path]:
    """The files pymdownx.snippets appends to every page, resolved as snippets does (or, for
    a staged copy, in the docs folder it came from, so errors name the real file)."""
    if "snippet" not in md.preprocessors:
        return []
    snippets = md.preprocessors["snippet"]
    bases = [docs_source] if docs_source else snippets.base_path
    found = []
    for name in getattr(snippets, "auto_append", None) or []:
        candidates = [Path(base) / name for base in bases]
        found += [path for path in candidates if path.is_file()][:1]
    return found


class GlossaryTreeprocessor(Treeprocessor):
    """Link each entry's first eligible tooltip; after ``abbr`` (7), before link rewriting (0)."""

    def run(self, root: etree.Element) -> None:
        context: PageContext | None = getattr(self.md, "aiguide", None)
        if context is None or context.census or context.docs_dir is None:
            return
        if context.src_uri == glossary.GLOSSARY_PAGE or not context.src_uri.endswith(".md"):
            return
        sources = _abbreviation_files(self.md, self.md.aiguide_docs_source)
        if not sources:
            return
        targets = glossary_targets(context.docs_dir, sources)
        to_glossary = posixpath.relpath(glossary.GLOSSARY_PAGE,
                                        posixpath.dirname(context.src_uri) or ".")
        hrefs = {term: f"{to_glossary}#{anchor}" for term, anchor in targets.items()}
        glossary.link_first_abbrs(root, hrefs)


# -- The extension -----------------------------------------------------------------------


class AiGuideExtension(Extension):
    """``- aiguide`` in mkdocs.yml. Options are for :func:`census` and tests, not sites."""

    def __init__(self, **kwargs: Any):
        self.config = {
            "path": ["", "the page file, when no host says (tests, census)"],
            "docs_dir": ["", "the docs folder, when no host says"],
            "census": [False, "only list fences (no checks, no figure rendering)"],
            "first_line": [0, "file line of the first Markdown line (census)"],
            "docs_source": ["", "the docs folder a staged copy came from (make build-zensical)"],
        }
        super().__init__(**kwargs)

    def context(self, md: Markdown, lines: list[str]) -> PageContext:
        host = _host_page(md)
        if host is not None:
            file, src_uri = host
            docs = Path(str(file)[: -len(src_uri)]) if str(file).endswith(src_uri) else None
            if self.getConfig("docs_source"):  # a staged copy: name and read the original
                docs = Path(self.getConfig("docs_source"))
                file = docs / src_uri
            page = PageContext(shown_path(file), src_uri, docs)
            page.first_line = _first_line(_read(page), lines)
            return page
        path, docs = self.getConfig("path") or "<page>", self.getConfig("docs_dir")
        docs_dir = Path(docs) if docs else None
        src_uri = ""
        if docs_dir is not None and path != "<page>":
            src_uri = Path(path).resolve().relative_to(docs_dir.resolve()).as_posix()
        elif path.endswith(".md"):
            src_uri = Path(path).name
        page = PageContext(shown_path(path) if path != "<page>" else path, src_uri, docs_dir,
                           census=bool(self.getConfig("census")))
        page.first_line = int(self.getConfig("first_line")) or _first_line(_read(page), lines)
        return page

    def extendMarkdown(self, md: Markdown) -> None:
        md.registerExtension(self)
        md.aiguide_docs_source = self.getConfig("docs_source")  # type: ignore[attr-defined]
        md.preprocessors.register(PagePreprocessor(md, self), "aiguide_page", 35)
        md.treeprocessors.register(GlossaryTreeprocessor(md), "aiguide_glossary", 3)
        md.treeprocessors.register(PageStartTreeprocessor(md), "aiguide_page_start", 2)
        md.postprocessors.register(SelfCheckPostprocessor(md), "aiguide_self_check", 5)


def makeExtension(**kwargs: Any) -> AiGuideExtension:
    return AiGuideExtension(**kwargs)


# -- One parse for everyone: what the site renders, listed ---------------------------------


def site_superfences(config_file: Path = ROOT / "mkdocs.yml") -> dict[str, Any]:
    """The ``pymdownx.superfences`` options of the site, read from its mkdocs.yml."""
    return _site_extension_configs(config_file).get("pymdownx.superfences", {})


def _site_extension_configs(config_file: Path) -> dict[str, dict[str, Any]]:
    key = (str(config_file), config_file.stat().st_mtime_ns)
    if key not in _site_configs:
        loaded = yaml.load(config_file.read_text(encoding="utf-8"), _ConfigLoader)
        configs: dict[str, dict[str, Any]] = {}
        for item in loaded.get("markdown_extensions", []):
            name, options = next(iter(item.items())) if isinstance(item, dict) else (item, {})
            configs[name] = options or {}
        _site_configs[key] = configs
    return _site_configs[key]


_site_configs: dict[tuple[str, int], dict[str, dict[str, Any]]] = {}


class _ConfigLoader(yaml.SafeLoader):
    """mkdocs.yml's tags: ``!ENV [NAME, default]`` gives the default, python names import."""


def _python_name(loader: yaml.SafeLoader, suffix: str, node: yaml.Node) -> str:
    return suffix  # named, not imported: a census never calls a formatter


def _never_called(*args: Any, **kwargs: Any) -> str:
    raise AssertionError("a census lists fences; it does not format them")


def _env(loader: yaml.SafeLoader, node: yaml.Node) -> Any:
    import os

    values = loader.construct_sequence(node) if isinstance(node, yaml.SequenceNode) else [
        loader.construct_scalar(node)]
    return next((os.environ[v] for v in values[:-1] if v in os.environ), values[-1])


_ConfigLoader.add_multi_constructor("tag:yaml.org,2002:python/name:", _python_name)
_ConfigLoader.add_constructor("!ENV", _env)


def census(source: str, path: str, *, superfences: dict[str, Any] | None = None) -> list[Fence]:
    """Every fenced block SuperFences finds in a page file, as the site build would find it.

    Runs the site's own preprocessing (this extension, then SuperFences with the site's
    options) and stops before rendering: what figure discovery, the glossary, retrieval and
    the code-block tests read is exactly what the build renders.

    >>> [(f.language, f.line) for f in census("---\\ntitle: T\\n---\\n\\n```py\\nx\\n```\\n", "p.md")]
    [('py', 5)]
    """
    _, body, first_line = split_front_matter(source)
    options = dict(site_superfences() if superfences is None else superfences)
    options["custom_fences"] = [{**fence, "format": _never_called}
                                for fence in options.get("custom_fences", [])]
    md = Markdown(extensions=["pymdownx.superfences",
                              AiGuideExtension(path=path, census=True, first_line=first_line)],
                  extension_configs={"pymdownx.superfences": options})
    lines = body.split("\n")
    for preprocessor in md.preprocessors:
        lines = preprocessor.run(lines)
        if preprocessor is md.preprocessors["fenced_code_block"]:
            break
    return md.aiguide.fences  # type: ignore[attr-defined]


def figure_fences(source: str, path: str) -> list[Fence]:
    """The ```figure blocks of a page, exactly those the build renders as figures."""
    from aiguide.spec import FENCE_LANGUAGE

    return [fence for fence in census(source, path) if fence.language == FENCE_LANGUAGE]


def prose_lines(source: str, path: str = "<page>") -> list[tuple[int, str]]:
    """``(file line, line)`` for every line of ``source`` outside the blocks SuperFences finds.

    >>> prose_lines("a\\n````md\\n```figure\\n```\\n````\\nb")
    [(1, 'a'), (6, 'b')]
    """
    inside: set[int] = set()
    for fence in census(source, path):
        inside.update(range(fence.line, fence.end + 1))
    _, _, first_line = split_front_matter(source)
    return [(number, line) for number, line in enumerate(source.split("\n"), start=1)
            if number >= first_line and number not in inside]


__all__ = ["AiGuideExtension", "Fence", "PageError", "census", "figure_fences", "makeExtension",
           "prose_lines"]
