"""Same inputs, same outputs: in every process, under every hash seed, on every run.

Python randomises the hash of strings per process (PYTHONHASHSEED), so anything that
iterates a ``set`` or a ``dict`` built from one can change order between runs; float sums
taken in that order then differ in the last bit, and a ranking of two tied scores flips.
These tests run the guide's rankings in fresh processes under several seeds, and show
that the check catches the bug it exists for (the set-ordered BM25 this guide once had).
"""

from __future__ import annotations

import doctest
import itertools
import json
import math
import os
import subprocess
import sys
from collections import Counter
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import pytest

from aiguide import retrieval

ROOT = Path(__file__).resolve().parent.parent
SEEDS = ("0", "1", "2", "3", "4", "5", "6", "7")

# The BM25 rankings the RAG page prints (docs/embeddings-and-rag/index.md, "Words that do
# not match"), computed in a child process; the caller names the scoring function and the
# ordering ("order_by_score", the rule the guide uses, or "argsort", the old raw ordering).
_RANKINGS = """
import json, sys
import numpy as np
import pytest
from aiguide.retrieval import load_pages, order_by_score
module, name = sys.argv[1].rsplit(":", 1)
score = getattr(__import__(module, fromlist=[name]), name)
if sys.argv[2] == "argsort":  # the page's old ordering: raw floats, stable
    order_by_score = lambda s: np.argsort(-s, kind="stable")
passages = load_pages(["ai-basics", "language-models-101"], level=3)
texts = [p.for_embedding() for p in passages]
out = {}
for query in ["top-p", "Why do models make things up?"]:
    scores = score(query, texts)
    out[query] = {"scores": [repr(float(s)) for s in scores],
                  "top": [passages[int(i)].anchor for i in order_by_score(scores)[:5]]}
print(json.dumps(out, sort_keys=True))
"""


def set_order_bm25_scores(query: str, documents: Sequence[str], k1: float = 1.5,
                          b: float = 0.75, terms: Sequence[str] | None = None) -> np.ndarray:
    """BM25 as this guide first wrote it: terms summed in ``set`` order (or in the order
    given). Kept to prove the checks bite; never use it."""
    docs = [Counter(retrieval.words(d)) for d in documents]
    lengths = np.array([sum(d.values()) for d in docs], dtype=float)
    average = lengths.mean()
    scores = np.zeros(len(docs))
    for term in set(retrieval.words(query)) if terms is None else terms:
        having = sum(term in d for d in docs)
        idf = math.log(1 + (len(docs) - having + 0.5) / (having + 0.5))
        tf = np.array([d[term] for d in docs], dtype=float)
        scores += idf * tf * (k1 + 1) / (tf + k1 * (1 - b + b * lengths / average))
    return scores


def rankings_by_seed(function: str, ordering: str = "order_by_score",
                     seeds: Sequence[str] = SEEDS) -> dict[str, str]:
    """The page's BM25 scores and rankings, one fresh process per hash seed."""
    results = {}
    for seed in seeds:
        env = {**os.environ, "PYTHONHASHSEED": seed}
        done = subprocess.run([sys.executable, "-c", _RANKINGS, function, ordering], cwd=ROOT, env=env,
                              capture_output=True, text=True, check=True)
        results[seed] = done.stdout
    return results


def disagreements(results: dict[str, str]) -> list[str]:
    """Seeds whose output differs from the first seed's, with what differs."""
    first_seed, first = next(iter(results.items()))
    differ = []
    for seed, output in results.items():
        if output != first:
            a, b = json.loads(first), json.loads(output)
            what = [f"{q}: {'order' if a[q]['top'] != b[q]['top'] else 'last bits'}"
                    for q in a if a[q] != b[q]]
            differ.append(f"PYTHONHASHSEED={seed} vs {first_seed}: {', '.join(what)}")
    return differ


def test_bm25_scores_and_rankings_are_identical_under_every_hash_seed():
    differ = disagreements(rankings_by_seed("aiguide.retrieval:bm25_scores"))
    assert not differ, "\n".join(differ)


def test_the_seed_check_catches_set_ordered_bm25():
    """The check above fails on the old code: its sums follow the hash seed, and with the
    old raw-float ordering so does the page's printed ranking of two tied sections."""
    differ = disagreements(rankings_by_seed("tests.test_determinism:set_order_bm25_scores",
                                            "argsort"))
    assert differ, "set-ordered BM25 gave the same bits under every seed: the check is blind"


def _rag_texts() -> tuple[list[str], list[str]]:
    passages = retrieval.load_pages(["ai-basics", "language-models-101"], level=3)
    return [p.anchor for p in passages], [p.for_embedding() for p in passages]


def test_term_order_alone_changes_the_old_sums_but_not_the_guides():
    """Why the last bits matter: summed in another order, the old BM25 gives other bits,
    so two sections that tie exactly can come out either way round (a fresh machine once
    printed the RAG page's tied pair reversed). The guide's BM25 gives the same bits
    whatever order the query's words come in."""
    _, texts = _rag_texts()
    query = "How does a model pick the next word?"
    old_bits = {set_order_bm25_scores(query, texts, terms=terms).tobytes()
                for terms in itertools.permutations(dict.fromkeys(retrieval.words(query)))}
    assert len(old_bits) > 1, "every term order gave the same bits: the check is blind"
    reordered = {bm25_bits(" ".join(terms), texts)
                 for terms in itertools.permutations(retrieval.words(query)[:5])}
    assert len(reordered) == 1


def bm25_bits(query: str, texts: Sequence[str]) -> bytes:
    return retrieval.bm25_scores(query, texts).tobytes()


def test_page_order_breaks_the_tie_the_rag_page_prints():
    """'parameters' and 'reproducibility' score exactly the same for the paraphrase; the
    earlier section in the guide is listed first (the rule the page states)."""
    anchors, texts = _rag_texts()
    scores = retrieval.bm25_scores("Why do models make things up?", texts)
    tied = scores[anchors.index("parameters")], scores[anchors.index("reproducibility")]
    assert tied[0] == tied[1]
    order = [anchors[i] for i in retrieval.order_by_score(scores)]
    assert order.index("parameters") < order.index("reproducibility")
    assert anchors.index("parameters") < anchors.index("reproducibility")


def test_order_by_score_treats_last_bit_noise_as_a_tie():
    noisy = [0.3, 0.7, 0.3 + 2e-16, 0.7 - 1e-13]
    assert retrieval.order_by_score(noisy).tolist() == [1, 3, 0, 2]
    # A real difference above the tie threshold still counts.
    assert retrieval.order_by_score([0.3, 0.3 + 1e-6]).tolist() == [1, 0]


def test_fused_ranking_breaks_ties_by_index_not_by_which_list_came_first():
    assert retrieval.reciprocal_rank_fusion([[0, 1, 2], [2, 1, 0]]) == [0, 2, 1]
    assert retrieval.reciprocal_rank_fusion([[2, 1, 0], [0, 1, 2]]) == [0, 2, 1]


def test_retrieval_docstring_examples_hold():
    assert doctest.testmod(retrieval).failed == 0


# -- Same inputs, same bytes --------------------------------------------------------------

# Files that carry the build date by design: the sitemap's <lastmod>. Every other file of a
# build must be the same bytes whatever the hash seed and whatever the day.
BUILD_DATED = frozenset({"sitemap.xml", "sitemap.xml.gz"})


def tree_bytes(root: Path) -> dict[str, bytes]:
    return {p.relative_to(root).as_posix(): p.read_bytes()
            for p in sorted(root.rglob("*")) if p.is_file()}


def differing_files(a: Path, b: Path) -> list[str]:
    """Relative paths present in only one tree or with different bytes, sorted."""
    left, right = tree_bytes(a), tree_bytes(b)
    return sorted(name for name in left.keys() | right.keys()
                  if left.get(name) != right.get(name))


def _build(site: Path, seed: str, epoch: str, **env: str) -> None:
    from tests.conftest import build_site

    result = build_site(ROOT / "mkdocs.yml", site,
                        env={"PYTHONHASHSEED": seed, "SOURCE_DATE_EPOCH": epoch, **env})
    assert result.returncode == 0, result.stderr[-3000:]


def test_two_builds_differ_only_in_the_files_dated_by_design(tmp_path: Path):
    """Different hash seeds and different build days: only the sitemap's dates change."""
    _build(tmp_path / "a", "1", "1764547200")  # 2025-12-01
    _build(tmp_path / "b", "2", "1767225600")  # 2026-01-01
    assert set(differing_files(tmp_path / "a", tmp_path / "b")) == BUILD_DATED


def test_two_offline_builds_differ_only_in_the_files_dated_by_design(tmp_path: Path):
    _build(tmp_path / "a", "3", "1764547200", AIGUIDE_OFFLINE="true")
    _build(tmp_path / "b", "4", "1767225600", AIGUIDE_OFFLINE="true")
    assert set(differing_files(tmp_path / "a", tmp_path / "b")) == BUILD_DATED


def test_the_byte_comparison_sees_a_one_byte_change(tmp_path: Path):
    for name in ("a", "b"):
        (tmp_path / name / "sub").mkdir(parents=True)
        (tmp_path / name / "sub" / "page.html").write_bytes(b"<p>same</p>")
    (tmp_path / "b" / "sub" / "page.html").write_bytes(b"<p>Same</p>")
    (tmp_path / "b" / "extra.js").write_bytes(b"")
    assert differing_files(tmp_path / "a", tmp_path / "b") == ["extra.js", "sub/page.html"]


@pytest.mark.models
def test_make_figures_twice_writes_the_same_bytes(tmp_path: Path):
    """Every record computed from scratch twice, under two hash seeds: identical files."""
    for name, seed in (("a", "5"), ("b", "6")):
        env = {**os.environ, "PYTHONHASHSEED": seed, "OMP_NUM_THREADS": "1"}
        subprocess.run([sys.executable, "-m", "aiguide", "figures", "--data", str(tmp_path / name)],
                       cwd=ROOT, env=env, capture_output=True, text=True, check=True)
    assert tree_bytes(tmp_path / "a"), "no figure data was written"
    assert differing_files(tmp_path / "a", tmp_path / "b") == []
