"""The glossary and its tooltips: entries are checked, every tooltip has an entry, and the
first tooltip of each term on a page links to it with a relative URL."""

from __future__ import annotations

import re
import xml.etree.ElementTree as etree
from pathlib import Path

import pytest

from aiguide.glossary import (
    MAX_TOOLTIP,
    Abbreviation,
    Entry,
    GlossaryError,
    check_glossary,
    link_first_abbrs,
    link_targets,
    parse_abbreviations,
    parse_glossary,
)
from tests.conftest import ROOT, build_site

GLOSSARY = ROOT / "docs" / "glossary.md"
ABBREVIATIONS = ROOT / "docs" / "includes" / "abbreviations.md"

HREFS = {"LLM": "../glossary/#llm", "LLMs": "../glossary/#llm", "RAG": "../glossary/#rag"}


def abbr(term: str) -> str:
    return f'<abbr title="About {term}">{term}</abbr>'


def link(term: str, href: str | None = None) -> str:
    return f'<a class="aig-glossary" href="{href or HREFS[term]}">{abbr(term)}</a>'


# -- Linking tooltips in the element tree ---------------------------------------------------

def link_first_occurrences(html: str, hrefs: dict[str, str]) -> str:
    """The tree function applied to an XHTML fragment, serialised back for comparison."""
    root = etree.fromstring(f"<div>{html}</div>")
    link_first_abbrs(root, hrefs)
    return etree.tostring(root, encoding="unicode")[len("<div>"):-len("</div>")]


def test_only_the_first_occurrence_is_linked():
    html = f"<p>An {abbr('LLM')} is big.</p><p>Every {abbr('LLM')} and {abbr('RAG')}.</p>"
    assert link_first_occurrences(html, HREFS) == (
        f"<p>An {link('LLM')} is big.</p><p>Every {abbr('LLM')} and {link('RAG')}.</p>")


def test_plural_and_singular_share_one_link_per_page():
    html = f"<p>{abbr('LLMs')} and an {abbr('LLM')}</p>"
    assert link_first_occurrences(html, HREFS) == f"<p>{link('LLMs')} and an {abbr('LLM')}</p>"


@pytest.mark.parametrize("wrapper", [
    '<h2 id="x">What is an {}?<a class="headerlink" href="#x">¶</a></h2>',
    '<h1>{}</h1>',
    '<p><a href="other/">see the {} page</a></p>',
    '<p><code>{}</code></p>',
    '<pre><code>{}</code></pre>',
    '<div class="highlight"><pre><span>{}</span></pre></div>',
    '<svg viewBox="0 0 9 9"><text>{}</text></svg>',
])
def test_never_linked_in_headings_links_or_code_but_the_next_one_is(wrapper):
    html = wrapper.format(abbr("LLM")) + f"<p>An {abbr('LLM')}.</p>"
    expected = wrapper.format(abbr("LLM")) + f"<p>An {link('LLM')}.</p>"
    assert link_first_occurrences(html, HREFS) == expected


def test_unknown_abbreviations_are_left_alone_and_text_around_the_link_is_kept():
    html = f'<p>one <abbr title="x">ZZZ</abbr> two <em>{abbr("LLM")}</em> three</p>'
    assert link_first_occurrences(html, HREFS) == (
        f'<p>one <abbr title="x">ZZZ</abbr> two <em>{link("LLM")}</em> three</p>')


def test_the_href_is_escaped():
    out = link_first_occurrences(f"<p>{abbr('LLM')}</p>", {"LLM": 'g.html#a"b'})
    assert out == f'<p><a class="aig-glossary" href="g.html#a&quot;b">{abbr("LLM")}</a></p>'


# -- The abbreviations file ----------------------------------------------------------------

def test_abbreviations_are_parsed_with_their_lines():
    source = "*[LLM]: Large language model\n\n*[KV cache]: Stored keys and values\n"
    assert parse_abbreviations(source, "a.md") == [
        Abbreviation("LLM", "Large language model", 1),
        Abbreviation("KV cache", "Stored keys and values", 3)]


@pytest.mark.parametrize("source, line, message", [
    ("*[LLM]: Large\nLLM: a model\n", 2, "not an abbreviation line"),
    ("*[LLM]: Large\n*[LLM]: Again\n", 2, "`LLM` is already defined on line 1"),
    ("*[LLM]:\n", 1, "`LLM` has no tooltip text"),
    ("*[LLM]: " + "x" * (MAX_TOOLTIP + 1) + "\n", 1, "characters long"),
    ("*[LLM]: A *large* model\n", 1, "not plain text"),
    ("*[ LLM]: Large\n", 1, "has spaces at its ends"),
])
def test_bad_abbreviation_lines_fail_with_file_line_and_fix(source, line, message):
    with pytest.raises(GlossaryError) as caught:
        parse_abbreviations(source, "docs/includes/abbreviations.md")
    assert str(caught.value).startswith(f"docs/includes/abbreviations.md:{line}: ")
    assert message in caught.value.message and caught.value.fix


# -- The glossary page and the mapping --------------------------------------------------

PAGE = """---
title: Glossary
---

# Glossary

## K { #k }

### KV cache { #kv-cache }

Text.

## L { #l }

### LLM (large language model) { #llm }

```text
### Not an entry
```

### Logit { #logit }
"""


def test_glossary_entries_are_parsed_under_their_letters():
    entries = parse_glossary(PAGE, "g.md")
    assert [(e.heading, e.anchor, e.line, e.letter) for e in entries] == [
        ("KV cache", "kv-cache", 9, "K"), ("LLM (large language model)", "llm", 15, "L"),
        ("Logit", "logit", 21, "L")]
    check_glossary(entries, "g.md")


def test_an_entry_is_named_by_its_heading_and_its_parenthesis():
    assert Entry("Grouped-query attention (GQA)", "gqa", 1, "G").names == (
        "Grouped-query attention (GQA)", "Grouped-query attention", "GQA")
    assert Entry("Top-p (nucleus sampling)", "top-p", 1, "T").names[-1] == "nucleus sampling"


@pytest.mark.parametrize("old, new, line, message", [
    ("### Logit { #logit }", "### Logit { #llm }", 21, "anchor `#llm` is also used on line 15"),
    ("### Logit { #logit }", "### Abacus { #abacus }", 21, "is under the letter heading 'L'"),
    ("### Logit { #logit }", "### Lamp { #lamp }", 21, "comes after `LLM (large language model)`"),
    ("### Logit { #logit }", "### Logit { #Logit }", 21, "anchor `#Logit` is not a slug"),
])
def test_glossary_check_fails_with_file_line_and_fix(old, new, line, message):
    entries = parse_glossary(PAGE.replace(old, new), "docs/glossary.md")
    with pytest.raises(GlossaryError) as caught:
        check_glossary(entries, "docs/glossary.md")
    assert str(caught.value).startswith(f"docs/glossary.md:{line}: ")
    assert message in caught.value.message and caught.value.fix


def test_an_entry_without_anchor_fails():
    with pytest.raises(GlossaryError) as caught:
        parse_glossary(PAGE.replace("### Logit { #logit }", "### Logit"), "docs/glossary.md")
    assert str(caught.value).startswith("docs/glossary.md:21: ")
    assert "{ #logit }" in caught.value.fix


def test_abbreviations_map_to_the_entry_that_names_them_plurals_included():
    entries = parse_glossary(PAGE, "g.md")
    abbreviations = parse_abbreviations("*[LLMs]: Models\n*[KV cache]: Cache\n", "a.md")
    assert link_targets(abbreviations, entries, "a.md") == {"LLMs": "llm", "KV cache": "kv-cache"}


def test_an_abbreviation_without_entry_fails_naming_file_line_and_fix():
    entries = parse_glossary(PAGE, "g.md")
    where = "docs/includes/abbreviations.md"
    abbreviations = parse_abbreviations("*[LLM]: Model\n*[RAG]: Retrieval\n", where)
    with pytest.raises(GlossaryError) as caught:
        link_targets(abbreviations, entries, where, "docs/glossary.md")
    assert str(caught.value).startswith(f"{where}:2: `RAG` has no entry in docs/glossary.md")
    assert "### RAG (...) { #rag }" in caught.value.fix


def test_an_abbreviation_named_by_two_entries_fails():
    entries = [Entry("Grouped-query attention (GQA)", "grouped-query-attention", 5, "G"),
               Entry("GQA", "gqa", 9, "G")]
    with pytest.raises(GlossaryError) as caught:
        link_targets([Abbreviation("GQA", "t", 3)], entries, "a.md")
    assert str(caught.value).startswith("a.md:3: ") and "line 5, line 9" in caught.value.message


# -- The real files -----------------------------------------------------------------------

def real_entries() -> list[Entry]:
    return parse_glossary(GLOSSARY.read_text(encoding="utf-8"), "docs/glossary.md")


def test_glossary_anchors_are_unique_slugs_and_entries_alphabetical():
    entries = real_entries()
    check_glossary(entries, "docs/glossary.md")
    assert len({e.anchor for e in entries}) == len(entries) > 80


def test_every_abbreviation_has_a_glossary_entry():
    abbreviations = parse_abbreviations(ABBREVIATIONS.read_text(encoding="utf-8"),
                                        "docs/includes/abbreviations.md")
    targets = link_targets(abbreviations, real_entries(), "docs/includes/abbreviations.md")
    assert targets["LLM"] == targets["LLMs"] == "llm" and len(targets) == len(abbreviations)


# Anchors of the terms the guide's pages rely on (the list the glossary was written from).
REQUIRED = [
    "activation", "agent", "alignment", "attention", "autoregressive", "backpropagation",
    "base-model", "batch", "beam-search", "benchmark", "bpe", "byte", "chat-template",
    "checkpoint", "chunking", "classifier-free-guidance", "clip", "context-window",
    "contamination", "cosine-similarity", "decoder", "diffusion-model", "dpo", "embedding",
    "encoder", "entropy", "epoch", "fine-tuning", "flops", "frequency-penalty", "gguf", "gpu",
    "gradient", "gradient-descent", "greedy-decoding", "grouped-query-attention",
    "hallucination", "attention-head", "inference", "instruction-tuning", "kv-cache", "latent",
    "layer", "llm", "logit", "lora", "loss", "min-p", "mlp", "model-card", "multimodal",
    "neural-network", "next-token-prediction", "open-weights", "overfitting", "parameter",
    "perplexity", "positional-encoding", "pre-training", "presence-penalty", "prompt",
    "prompt-injection", "qlora", "quantisation", "rag", "reasoning-model", "recall-at-k",
    "mrr", "repetition-penalty", "reward-model", "rlhf", "rope", "sampling", "scaling-laws",
    "seed", "softmax", "stop-sequence", "system-prompt", "temperature", "token", "tokenizer",
    "top-k", "top-p", "training", "transformer", "vector", "vector-database", "weights",
    "speech-recognition", "wordpiece", "zero-shot", "few-shot-prompting", "tool-calling",
    "function-calling", "mcp",
]


def test_glossary_covers_every_term_the_guide_relies_on():
    missing = sorted(set(REQUIRED) - {e.anchor for e in real_entries()})
    assert not missing, f"no glossary entry for: {missing}"


def broken_links(glossary: Path) -> list[str]:
    """Links in the glossary source that are absolute, or whose page or anchor is missing.

    Pages still being written are linked at page level, so their anchors can change freely.
    """
    broken = []
    for target in re.findall(r"\]\(([^)]+)\)", glossary.read_text(encoding="utf-8")):
        path, _, anchor = target.partition("#")
        source = (glossary.parent / path) if path else glossary
        if target.startswith(("/", "http")) or not source.is_file() or (
                anchor and f"{{ #{anchor} }}" not in source.read_text(encoding="utf-8")):
            broken.append(target)
    return broken


def test_glossary_links_point_at_existing_pages_and_anchors():
    assert len(re.findall(r"\]\(", GLOSSARY.read_text(encoding="utf-8"))) > 80
    assert not broken_links(GLOSSARY)


def test_glossary_link_check_can_fail(tmp_path):
    (tmp_path / "page.md").write_text("## Real { #real }\n", encoding="utf-8")
    glossary = tmp_path / "glossary.md"
    glossary.write_text("[a](page.md#real) [b](page.md#gone) [c](gone.md) [d](/abs.md) [e](#x)\n",
                        encoding="utf-8")
    assert broken_links(glossary) == ["page.md#gone", "gone.md", "/abs.md", "#x"]


def test_glossary_coverage_check_can_fail():
    assert "llm" in REQUIRED
    assert sorted(set(REQUIRED) - {e.anchor for e in real_entries() if e.anchor != "llm"}) == ["llm"]


# -- Builds ------------------------------------------------------------------------------

def front(title: str) -> str:
    return (f"---\ntitle: {title}\ndescription: A throwaway page for the glossary link tests "
            "of this build.\nreviewed: 2026-11-01\nauthors: [Tester]\n---\n\n")


def build_tree(tmp_path, *, directory_urls: bool, abbreviations: str):
    files = {
        "mkdocs.yml": (
            f"site_name: Throwaway\nuse_directory_urls: {str(directory_urls).lower()}\n"
            "exclude_docs: |\n  includes/\n"
            "markdown_extensions:\n  - abbr\n  - attr_list\n  - pymdownx.snippets:\n"
            "      base_path: [docs]\n      auto_append: [includes/abbreviations.md]\n"
            "  - aiguide\n"),
        "docs/index.md": front("Home") + "# Home\n\nAn LLM at home.\n",
        "docs/guide/page.md": front("Page") + "# What is an LLM?\n\nAn LLM reads tokens. "
                              "Another LLM.\n",
        "docs/glossary.md": front("Glossary") + "# Glossary\n\n## L { #l }\n\n"
                            "### LLM (large language model) { #llm }\n\n"
                            "A large language model. Every LLM here stays plain.\n",
        "docs/includes/abbreviations.md": abbreviations,
    }
    for name, text in files.items():
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text(text, encoding="utf-8")
    return build_site(tmp_path / "mkdocs.yml", tmp_path / "site")


@pytest.mark.parametrize("directory_urls, page, home, href", [
    (True, "guide/page/index.html", "index.html", "../../glossary/#llm"),
    (False, "guide/page.html", "index.html", "../glossary.html#llm"),
])
def test_build_links_first_tooltip_relative_in_both_url_styles(tmp_path, directory_urls, page,
                                                               home, href):
    result = build_tree(tmp_path, directory_urls=directory_urls,
                        abbreviations="*[LLM]: Large language model\n")
    assert result.returncode == 0, result.stderr
    html = (tmp_path / "site" / page).read_text(encoding="utf-8")
    assert html.count('class="aig-glossary"') == 1
    tooltip = '<abbr title="Large language model">LLM</abbr>'
    assert f'<p>An <a class="aig-glossary" href="{href}">{tooltip}</a> reads' in html
    assert f"{tooltip}?" in html  # the heading: tooltip only
    glossary = "glossary/index.html" if directory_urls else "glossary.html"
    assert "aig-glossary" not in (tmp_path / "site" / glossary).read_text(encoding="utf-8")
    home_html = (tmp_path / "site" / home).read_text(encoding="utf-8")
    assert 'class="aig-glossary" href="glossary' in home_html


def test_build_fails_when_an_abbreviation_has_no_entry(tmp_path):
    result = build_tree(tmp_path, directory_urls=True,
                        abbreviations="*[LLM]: Large language model\n*[RAG]: Retrieval\n")
    assert result.returncode != 0
    assert ("docs/includes/abbreviations.md:2: `RAG` has no entry in docs/glossary.md"
            in result.stderr)
    assert "fix: add an entry whose heading names it" in result.stderr


def test_real_site_links_the_first_llm_on_a_page_to_the_glossary(built_site):
    html = (built_site / "ai-basics" / "index.html").read_text(encoding="utf-8")
    content = html[html.index('<article'):]
    first = re.search(r"<abbr [^>]*>LLMs?</abbr>", content)
    before = content[: first.start()]
    assert before.endswith('<a class="aig-glossary" href="../glossary/#llm">'), before[-200:]
    assert len(re.findall(r'class="aig-glossary" href="[^"]*#llm"', html)) == 1
    glossary = (built_site / "glossary" / "index.html").read_text(encoding="utf-8")
    assert 'id="llm"' in glossary and "aig-glossary" not in glossary


def test_build_fails_when_tooltips_exist_but_the_glossary_page_does_not(tmp_path):
    build_tree(tmp_path, directory_urls=True, abbreviations="*[LLM]: Large language model\n")
    (tmp_path / "docs" / "glossary.md").unlink()
    result = build_site(tmp_path / "mkdocs.yml", tmp_path / "site")
    assert result.returncode != 0
    assert "docs/includes/abbreviations.md:1: tooltips are defined but there is no glossary page" \
        in result.stderr
