"""Real readers' queries against Material's own search, in Chromium, on the built site.

Each query is typed into the search box; the section a reader wants must be among the
first TOP result groups (one group per page). The list mixes glossary terms, paraphrased
questions, code identifiers, spellings and a typo, so that a change to what goes into the
search index (aiguide/search_index.py) that loses an answer fails here. Queries Material's
lexical search cannot answer (no synonyms, no fuzzy matching without `~`) are strict
xfails: they document the gap and fail if it closes, so the list is then updated.
"""

from __future__ import annotations

import pytest

from tests.browser import open_page
from tests.search_box import results, wait_until_ready

pytestmark = pytest.mark.browser

TOP = 5
NO_FUZZY = "Material's search has no fuzzy matching unless the reader types ~1"
NO_SYNONYMS = "lexical search: the section says 'hallucination', not 'make things up'"

QUERIES = [
    # Glossary terms and the headings that explain them.
    ("attention", "ai-basics/#attention-layers"),
    ("hallucination", "language-models-101/#hallucination"),
    ("temperature", "language-models-101/#temperature"),
    pytest.param("tokenizer", "ai-basics/#tokenization", marks=pytest.mark.xfail(
        strict=True, reason="no stemming: tokenizer* does not match the heading's "
        "'tokenization', and five pages that say 'tokenizer' come first")),
    ("GGUF", "running-llms-locally/#gguf"),
    ("LoRA", "fine-tuning/#lora"),
    ("KV cache", "language-models-101/#kv-cache"),
    ("RLHF", "language-models-101/#rlhf"),
    ("prompt injection", "glossary/#prompt-injection"),
    ("perplexity", "choosing-models/#perplexity"),
    ("diffusion", "beyond-text/#diffusion"),
    ("scaling laws", "models-from-scratch/#scaling-laws"),
    ("chat template", "language-models-101/#chat-templates"),
    ("softmax", "glossary/#softmax"),
    ("beam search", "language-models-101/#beam-search"),
    ("mixture of experts", "glossary/#mixture-of-experts"),
    ("speech recognition", "beyond-text/#speech-recognition"),
    ("cross-entropy", "notebooks/tiny-language-model/#how-good-is-a-guess-the-cross-entropy-loss"),
    # Paraphrases: the reader's words, not the heading's.
    ("retrieval augmented generation", "embeddings-and-rag/#what-is-rag"),
    ("how much memory does a model need", "running-llms-locally/#memory"),
    pytest.param("why do models make things up", "language-models-101/#hallucination",
                 marks=pytest.mark.xfail(strict=True, reason=NO_SYNONYMS)),
    # Code identifiers and names with punctuation.
    ("top_p", "contributing/figures/#decoding-explorer"),
    ("load_minilm", "notebooks/attention-from-scratch/#the-model-and-its-weights"),
    ("llama.cpp", "running-llms-locally/#llama-cpp"),
    # Spellings, a word cut short, a typo.
    ("quantisation", "glossary/#quantisation"),
    ("halluc", "language-models-101/#hallucination"),
    pytest.param("atention", "ai-basics/#attention-layers",
                 marks=pytest.mark.xfail(strict=True, reason=NO_FUZZY)),
]


@pytest.fixture(scope="module")
def search_page(browser, site_url):
    """One page with the index loaded, shared by every query (each retypes the box)."""
    context, page, _ = open_page(browser, site_url + "ai-basics/")
    wait_until_ready(page)
    yield page
    context.close()


@pytest.mark.parametrize("query, expected", QUERIES)
def test_query_finds_the_section_among_the_first_results(search_page, site_url, query, expected):
    groups = results(search_page, query, site_url)[:TOP]
    assert any(expected in group for group in groups), \
        f"{query!r}: {expected} is not in the first {TOP} results: {groups}"


def test_the_query_list_is_long_enough_and_its_answers_exist(built_site):
    """At least 20 queries, and every expected section is a real page and anchor (a renamed
    heading must fail here, not turn a query test into a vacuous miss)."""
    pairs = [q.values if hasattr(q, "values") else q for q in QUERIES]
    assert len(pairs) >= 20
    missing = []
    for _, expected in pairs:
        path, _, anchor = expected.partition("#")
        html = (built_site / path / "index.html").read_text(encoding="utf-8")
        if f'id="{anchor}"' not in html:
            missing.append(expected)
    assert not missing, missing
