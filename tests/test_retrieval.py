"""aiguide.retrieval: splitting pages into passages, ranking, evaluation, and real searches.

The pure functions are tested on small inline pages. The tests marked ``models`` embed two
of the guide's pages with all-MiniLM-L6-v2 and guard what docs/embeddings-and-rag/index.md
claims in "How do I search this guide with embeddings?" and "How should documents be split
into chunks?".
"""

from __future__ import annotations

import numpy as np
import pytest

from aiguide.models.minilm import truncate
from aiguide.retrieval import (
    Passage,
    bm25_scores,
    clean_text,
    cosine_similarity,
    docs_dir,
    drop_fences,
    rag_messages,
    rank,
    recall_at_k,
    reciprocal_rank,
    reciprocal_rank_fusion,
    split_sections,
    split_words,
)

PAGE = """---
title: Tea
description: Everything about tea.
---
# Tea

Tea is a drink. <!-- md:asof 2026-11 -->

## How hot should the water be? { #water }

**Green** tea wants 80 °C [[Smith, 2020]](#ref-smith2020); see [brewing](../brew/index.md#hot).

```python group="tea"
# a comment, not a heading
print("code")
```

```figure
kind: tokens
text: "not prose"
```

### And for black tea? { #black }

| Tea | Temperature |
| --- | --- |
| black | 100 °C |

## References { #references }

1. <span id="ref-smith2020"></span>Smith, J. (2020). *Tea*. <https://example.org>
"""


def test_sections_carry_page_title_heading_and_anchor():
    passages = split_sections(PAGE, "tea")
    assert [p.where for p in passages] == ["tea", "tea#water"]
    intro, water = passages
    assert intro.title == water.title == "Tea"
    assert intro.heading == "" and intro.text == "Tea is a drink."
    assert water.heading == "How hot should the water be?"
    assert water.for_embedding().startswith("Tea. How hot should the water be? Green tea wants")


def test_code_figures_markup_and_references_are_left_out():
    water = split_sections(PAGE, "tea")[1]
    assert "code" not in water.text and "comment" not in water.text and "kind:" not in water.text
    assert "**" not in water.text and "#ref" not in water.text and "index.md" not in water.text
    assert "(Smith, 2020)" in water.text and "see brewing." in water.text
    assert "And for black tea?" in water.text and "black; 100 °C" in water.text  # ### stays inside
    assert all(p.anchor != "references" for p in split_sections(PAGE, "tea"))


def test_level_3_makes_sub_questions_passages_of_their_own():
    passages = split_sections(PAGE, "tea", level=3)
    assert [p.where for p in passages] == ["tea", "tea#water", "tea#black"]
    assert "black" not in passages[1].text and passages[2].heading == "And for black tea?"


def test_a_heading_without_an_anchor_fails_loudly():
    with pytest.raises(ValueError, match=r"'## Why\?' has no \{ #anchor \}"):
        split_sections("# T\n\nIntro.\n\n## Why?\n\nBecause.\n", "t")


def test_a_page_without_sections_is_one_passage():
    passages = split_sections("---\ntitle: Short\n---\nJust one paragraph.\n", "short")
    assert passages == [Passage("short", "Short", "", "", "Just one paragraph.")]
    assert passages[0].where == "short"


def test_a_page_without_a_title_fails():
    with pytest.raises(ValueError, match="no title"):
        split_sections("## Why? { #why }\n\nBecause.\n", "t")


def test_fences_of_any_length_hide_headings_and_must_close():
    lines = ["````markdown", "```figure", "## Not a heading { #no }", "```", "````", "kept"]
    assert drop_fences(lines) == ["kept"]
    with pytest.raises(ValueError, match="never closed"):
        drop_fences(["```python", "print(1)"])


def test_clean_text_keeps_prose_and_list_items_on_their_own_lines():
    text = clean_text('!!! note "Remember"\n    Read *this*.\n\n- one\n- two `code`\n')
    assert text.splitlines() == ["Remember Read this.", "- one", "- two code"]


def test_windows_overlap_and_keep_the_anchor():
    passage = Passage("p", "P", "H", "h", " ".join(f"w{i}" for i in range(10)))
    windows = split_words(passage, max_words=4, overlap=1)
    assert [w.text for w in windows] == ["w0 w1 w2 w3", "w3 w4 w5 w6", "w6 w7 w8 w9"]
    assert {w.where for w in windows} == {"p#h"}
    assert split_words(passage, max_words=20) == [passage]
    with pytest.raises(ValueError):
        split_words(passage, max_words=4, overlap=4)


def test_truncate_keeps_the_first_and_last_special_tokens():
    assert truncate([101, 1, 2, 3, 4, 102], 4) == [101, 1, 2, 102]
    assert truncate([101, 1, 102], 4) == [101, 1, 102]


def test_dot_product_of_unit_vectors_is_their_cosine_and_ties_keep_order():
    a, b = np.array([3.0, 4.0]), np.array([4.0, 3.0])
    assert cosine_similarity(a, b) == pytest.approx(24 / 25)
    unit = np.stack([a / 5, b / 5, b / 5])
    order, scores = rank(np.array([0.0, 1.0]), unit)
    assert order.tolist() == [0, 1, 2] and scores[0] == pytest.approx(0.8)


def test_recall_at_k_and_reciprocal_rank():
    ranked = ["a", "b", "c", "d"]
    assert recall_at_k(ranked, {"c"}, 2) == 0 and recall_at_k(ranked, {"c"}, 3) == 1
    assert recall_at_k(ranked, {"a", "d"}, 3) == 0.5
    assert reciprocal_rank(ranked, {"c", "d"}) == pytest.approx(1 / 3)
    assert reciprocal_rank(ranked, {"z"}) == 0.0
    with pytest.raises(ValueError):
        recall_at_k(ranked, set(), 1)


def test_bm25_rewards_rare_exact_words_and_fusion_merges_ranks():
    docs = ["the cat sat", "the dog sat", "the Q4_K_M format stores weights"]
    scores = bm25_scores("What is Q4_K_M?", docs)
    assert scores.argmax() == 2 and scores[0] == scores[1] == 0
    assert reciprocal_rank_fusion([[0, 1, 2], [2, 0, 1]]) == [0, 2, 1]


def test_rag_prompt_numbers_its_sources_and_keeps_rules_apart():
    sources = [Passage("p", "Page", "Heading", "h", "Some text.")]
    system, user = rag_messages("Why?", sources)
    assert system["role"] == "system" and "do not know" in system["content"]
    assert user["content"] == "Sources:\n\n[1] Page: Heading (p#h)\nSome text.\n\nQuestion: Why?"


def test_the_guide_pages_are_found_from_the_package():
    assert (docs_dir() / "ai-basics" / "index.md").is_file()


# --- the real model --------------------------------------------------------------------------


@pytest.fixture(scope="module")
def guide():
    from aiguide.retrieval import embed, load_pages

    passages = load_pages(["ai-basics", "language-models-101"], level=3)
    return passages, embed([p.for_embedding() for p in passages])


@pytest.mark.models
@pytest.mark.parametrize("question, section", [
    ("What does nucleus sampling do?", "language-models-101#top-p"),
    ("What if a conversation no longer fits?", "language-models-101#context-window"),
    ("Why is generation limited by memory bandwidth?", "language-models-101#bandwidth"),
    ("How do logits become probabilities?", "ai-basics#output-distribution"),
])
def test_search_this_guide_finds_the_section_that_answers(guide, question, section):
    """Guards the examples in "How do I search this guide with embeddings?"."""
    from aiguide.retrieval import search

    passages, index = guide
    assert search(question, passages, index, k=1)[0][1].where == section


@pytest.mark.models
def test_text_past_the_limit_is_not_read():
    """Guards "How should documents be split into chunks?": 256 word pieces, then nothing."""
    from aiguide.models.minilm import load_minilm, max_seq_length
    from aiguide.retrieval import embed

    assert max_seq_length() == 256
    opening = "The weather was mild and nothing else happened that day. " * 30
    ends = embed([opening + "A treasure.", opening + "Tax returns."])
    assert np.array_equal(ends[0], ends[1])
    short = ["How do I reset my password?", "I forgot my login details."]
    assert np.array_equal(embed(short), load_minilm().embed(short))  # one embedding path
    whole = load_minilm().forward(load_minilm().encode(opening + 'A treasure.'))[0].mean(axis=0)
    assert not np.allclose(ends[0], whole / np.linalg.norm(whole), atol=1e-3)  # cut, not whole


@pytest.mark.models
def test_a_buried_answer_is_found_by_keywords_and_by_windows(guide):
    """Guards "Failure 3: the answer is deep in a long section" in notebooks/semantic-search:
    BM25 puts the section near the top, the whole-section embedding does not, the window
    holding the explanation outscores the whole section, and the best window ranks it first."""
    from aiguide.retrieval import bm25_scores, embed, rank, split_words

    passages, index = guide
    where = [p.where for p in passages]
    target = where.index("language-models-101#model-names")
    question = "What is a mixture of experts?"
    q = embed([question])[0]
    by_words = list(np.argsort(-bm25_scores(question, [p.for_embedding() for p in passages]), kind="stable"))
    by_meaning = list(rank(q, index)[0])
    assert by_words.index(target) < 3 < by_meaning.index(target)
    windows = split_words(passages[target], max_words=100, overlap=20)
    scores = embed([w.for_embedding() for w in windows]) @ q
    best = int(np.argmax(scores))
    assert "mixture of experts" in windows[best].text.lower()
    assert scores[best] > index[target] @ q
    fused = index @ q
    fused[target] = scores[best]
    assert int(np.argmax(fused)) == target
