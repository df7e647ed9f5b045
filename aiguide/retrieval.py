"""Semantic search over the guide's own pages: split, clean, embed, rank and evaluate.

The page on embeddings and retrieval-augmented generation, its notebook and the tests all use
these functions, so the numbers the reader sees come from one implementation. Only
:func:`embed` and :func:`search` need the model; the rest is plain text and NumPy.

>>> [p.anchor for p in split_sections("# T\\n\\nIntro.\\n\\n## Why? { #why }\\n\\nBecause.", "t")]
['', 'why']
"""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Collection, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from aiguide.pages import lines_outside_fences

if TYPE_CHECKING:  # the model is only needed by embed() and search()
    from aiguide.models.minilm import MiniLM

# A section heading as the guide writes it: "## What is a token? { #what-is-a-token }".
HEADING = re.compile(r"^(#{1,6})\s+(.*?)\s*(?:\{\s*#([\w-]+)\s*\})?\s*$")
FRONT_MATTER = re.compile(r"\A---\n(.*?)\n---\n", re.DOTALL)


@dataclass(frozen=True)
class Passage:
    """One searchable piece of a page; ``page#anchor`` is where a link to it goes."""

    page: str  # the page's path under docs/ without "/index.md", e.g. "ai-basics"
    title: str  # the page title
    heading: str  # the section's question, "" for the text before the first section
    anchor: str  # the section's anchor, "" for the text before the first section
    text: str  # the section's prose, without code, figures or Markdown syntax

    @property
    def where(self) -> str:
        """``page#anchor``: short, and stable while the section keeps its anchor."""
        return f"{self.page}#{self.anchor}" if self.anchor else self.page

    def for_embedding(self) -> str:
        """Title and heading first: a bare paragraph often does not say what it is about."""
        parts = [part for part in (self.title, self.heading, self.text) if part]
        return " ".join(p if p[-1] in ".?!:" else p + "." for p in parts[:-1]) + " " + parts[-1]


# --- cleaning Markdown ----------------------------------------------------------------------


def strip_front_matter(markdown: str) -> tuple[str, str | None]:
    """The page without its YAML front matter, and the front matter's ``title`` if any."""
    match = FRONT_MATTER.match(markdown)
    if not match:
        return markdown, None
    title = re.search(r"^title:\s*(.+?)\s*$", match.group(1), re.MULTILINE)
    return markdown[match.end():], title.group(1).strip("\"'") if title else None


def drop_fences(lines: Sequence[str]) -> list[str]:
    """Lines outside fenced blocks: code and figure specs are not prose."""
    return [line for _, line in lines_outside_fences(list(lines))]


def clean_text(markdown: str) -> str:
    """Prose a reader would read aloud: no comments, tags, link targets or emphasis marks.

    Paragraphs are kept, one per line, so that a passage can still be cut at a paragraph.
    """
    text = re.sub(r"<!--.*?-->", "", markdown, flags=re.DOTALL)  # md:asof badges, notes
    text = re.sub(r"</?[a-zA-Z][^>\n]*>", "", text)  # <span id=...>, <https://...> autolinks
    text = re.sub(r"\[\[([^\]]+)\]\]\([^)]*\)", r"(\1)", text)  # [[Author, 2020]](#ref-x)
    text = re.sub(r"!?\[([^\]]*)\]\([^)]*\)", r"\1", text)  # [text](url) and images
    text = re.sub(r"\*\*|__|(?<!\w)[*_]|[*_](?!\w)|`", "", text)  # emphasis and code marks
    paragraphs: list[str] = []
    current: list[str] = []
    for line in text.splitlines():
        line = line.strip()
        admonition = re.match(r'^[!?]{3}\+?\s+\w+(?:\s+"(.*)")?$', line)
        if admonition:  # !!! note "Title": keep the title as a sentence
            line = admonition.group(1) or ""
        if re.fullmatch(r"\|?[\s:|-]+\|?", line) and "-" in line:  # a table's --- row
            continue
        if line.startswith("|"):
            line = "; ".join(cell.strip() for cell in line.strip("|").split(" | "))
        heading = HEADING.match(line)
        if heading:
            line = heading.group(2)
        if current and re.match(r"^([-*+]|\d+\.)\s", line):  # a list item starts a line
            paragraphs.append(" ".join(current))
            current = []
        if line:
            current.append(line)
        elif current:
            paragraphs.append(" ".join(current))
            current = []
    if current:
        paragraphs.append(" ".join(current))
    return "\n".join(re.sub(r"\s+", " ", p).strip() for p in paragraphs)


# --- splitting a page into passages ----------------------------------------------------------


def split_sections(markdown: str, page: str, level: int = 2,
                   skip: Collection[str] = ("references", "self-check")) -> list[Passage]:
    """One passage per ``##`` section, plus the text before the first one (anchor "").

    With ``level=3`` each ``###`` sub-question is a passage of its own; otherwise it stays
    inside its ``##`` section. Sections are what the guide links to, so every result can
    point at its anchor: a heading without ``{ #anchor }`` raises ValueError rather than
    produce a result with nowhere to link. A page without sections becomes one passage.
    ``skip`` leaves sections out: a reference list matches any query naming an author, and
    a self-check section, which sums up the whole page, would outrank the section it quizzes.
    """
    body, title = strip_front_matter(markdown)
    lines = drop_fences(body.splitlines())
    sections: list[tuple[str, str, list[str]]] = [("", "", [])]  # (heading, anchor, lines)
    for line in lines:
        heading = HEADING.match(line)
        if heading and len(heading.group(1)) == 1:  # the page title: not part of any section
            title = title or heading.group(2)
            continue
        if heading and 2 <= len(heading.group(1)) <= level:
            if not heading.group(3):
                raise ValueError(f"{page}: the heading {line.strip()!r} has no {{ #anchor }}; "
                                 "add one so that search results can link to the section")
            sections.append((heading.group(2), heading.group(3), []))
            continue
        sections[-1][2].append(line)
    if title is None:
        raise ValueError(f"{page}: no title (front matter `title:` or a `# Title` line)")
    passages = []
    for heading, anchor, section_lines in sections:
        text = clean_text("\n".join(section_lines))
        if text and anchor not in skip:
            passages.append(Passage(page, title, heading, anchor, text))
    return passages


def split_words(passage: Passage, max_words: int, overlap: int = 0) -> list[Passage]:
    """Windows of at most ``max_words`` words, each repeating the last ``overlap`` words of the
    one before, so that a sentence cut at a boundary is whole in one of them. Every window
    keeps its section's anchor."""
    if not 0 <= overlap < max_words:
        raise ValueError(f"overlap must be from 0 to max_words - 1, not {overlap}")
    words = passage.text.split()
    step = max_words - overlap
    starts = range(0, max(len(words) - overlap, 1), step)
    return [replace(passage, text=" ".join(words[s:s + max_words])) for s in starts]


def docs_dir() -> Path:
    """The guide's docs/ folder, found from the package, so it works from any working directory."""
    import aiguide

    return Path(aiguide.__file__).resolve().parents[1] / "docs"


def load_pages(pages: Sequence[str], level: int = 2, docs: Path | None = None) -> list[Passage]:
    """Passages of pages named by their folder under docs/, e.g. ``["ai-basics"]``."""
    docs = docs or docs_dir()
    passages: list[Passage] = []
    for page in pages:
        passages += split_sections((docs / page / "index.md").read_text(encoding="utf-8"),
                                   page, level)
    return passages


# --- embedding and ranking --------------------------------------------------------------------


def __getattr__(name: str) -> object:
    """``max_seq_length`` and ``truncate`` moved to the model's module (one embedding path);
    pages and notebooks still import them from here, without loading the model at import."""
    if name in ("max_seq_length", "truncate"):
        from aiguide.models import minilm

        return getattr(minilm, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def embed(texts: Sequence[str], model: MiniLM | None = None) -> np.ndarray:
    """Unit-length MiniLM vectors ``[len(texts), 384]`` (:meth:`MiniLM.embed`, text cut at
    the model's ``max_seq_length`` as sentence-transformers cuts it)."""
    if model is None:
        from aiguide.models.minilm import load_minilm

        model = load_minilm()
    return model.embed(list(texts))


def cosine_similarity(a: np.ndarray, b: np.ndarray) -> float:
    """cos of the angle between two vectors: direction only, length ignored."""
    return float(a @ b / (np.linalg.norm(a) * np.linalg.norm(b)))


# Scores that agree to this many decimals count as a tie. Two passages can score the same in
# exact arithmetic and still differ in the last bit, depending on the order a sum was taken
# in (which can follow a hash seed or a BLAS kernel); rounding first makes the tie exact.
TIE_DECIMALS = 9


def order_by_score(scores: Sequence[float] | np.ndarray) -> np.ndarray:
    """Indices from the highest score to the lowest; ties keep index order.

    This is the tie-break rule for every ranking in the guide: equal scores (to
    :data:`TIE_DECIMALS` decimals) are listed in the order the passages appear in the
    guide, so a printed ranking never depends on float noise.

    >>> order_by_score([0.5, 0.9, 0.5 + 1e-12, 0.1]).tolist()
    [1, 0, 2, 3]
    """
    rounded = np.round(np.asarray(scores, dtype=float), TIE_DECIMALS)  # [n]
    return np.argsort(-rounded, kind="stable")


def rank(query: np.ndarray, vectors: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Row indices from most to least similar, and every row's score.

    For unit vectors the dot product is the cosine, so one matrix-vector product scores all
    rows; ties are broken by :func:`order_by_score`'s rule (original order).
    """
    scores = vectors @ query  # [n, d] @ [d] -> [n]
    return order_by_score(scores), scores


def search(question: str, passages: Sequence[Passage], vectors: np.ndarray, k: int = 3,
           model: MiniLM | None = None) -> list[tuple[float, Passage]]:
    """The ``k`` passages most similar to the question, with their cosine similarities."""
    order, scores = rank(embed([question], model)[0], vectors)
    return [(float(scores[i]), passages[i]) for i in order[:k]]


# --- lexical search --------------------------------------------------------------------------


def words(text: str) -> list[str]:
    """Lower-cased words and numbers, the unit a keyword index matches on."""
    return re.findall(r"\w+", text.lower())


def bm25_scores(query: str, documents: Sequence[str], k1: float = 1.5,
                b: float = 0.75) -> np.ndarray:
    """Okapi BM25: exact word matches, rare words weighted up, long documents damped.

    It finds an identifier or a rare name that an embedding blurs, and misses a paraphrase.
    Terms are summed in sorted order, so a score is the same to the last bit in every
    process (a ``set`` would follow the hash seed, and float addition is not associative).
    """
    docs = [Counter(words(d)) for d in documents]
    lengths = np.array([sum(d.values()) for d in docs], dtype=float)
    average = lengths.mean() if len(docs) else 0.0
    scores = np.zeros(len(docs))
    for term in sorted(set(words(query))):
        having = sum(term in d for d in docs)
        idf = math.log(1 + (len(docs) - having + 0.5) / (having + 0.5))
        tf = np.array([d[term] for d in docs], dtype=float)
        scores += idf * tf * (k1 + 1) / (tf + k1 * (1 - b + b * lengths / average))
    return scores


def reciprocal_rank_fusion(rankings: Sequence[Sequence[int]], k: int = 60) -> list[int]:
    """One ranking from several (say, BM25 and embeddings), by summing 1 / (k + rank).

    Ranks rather than scores are combined, so scores on different scales need no tuning.
    Equal fused scores are common (first in one list and third in the other, or the other
    way round); they are broken by :func:`order_by_score`'s rule, the lower index first.

    >>> reciprocal_rank_fusion([[0, 1, 2], [2, 1, 0]])  # 0 and 2 tie; 1 is second twice
    [0, 2, 1]
    """
    fused: Counter[int] = Counter()
    for ranking in rankings:
        for position, item in enumerate(ranking, start=1):
            fused[int(item)] += 1 / (k + position)
    items = sorted(fused)
    return [items[i] for i in order_by_score([fused[item] for item in items])]


# --- evaluation ------------------------------------------------------------------------------


def recall_at_k(ranked: Sequence[str], relevant: Collection[str], k: int) -> float:
    """Share of the relevant items that appear in the first ``k`` results.

    It answers the question retrieval exists for: did the text the answer needs reach the
    prompt? The order inside the top ``k`` does not count.
    """
    if not relevant:
        raise ValueError("recall is undefined without at least one relevant item")
    return len(set(ranked[:k]) & set(relevant)) / len(set(relevant))


def reciprocal_rank(ranked: Sequence[str], relevant: Collection[str]) -> float:
    """1 / the rank of the first relevant result (1, 1/2, 1/3, ...), 0 if none is found.

    Unlike recall@k it rewards putting the right passage first; its mean over queries is MRR.
    """
    for position, item in enumerate(ranked, start=1):
        if item in relevant:
            return 1 / position
    return 0.0


# --- the prompt ------------------------------------------------------------------------------


def rag_messages(question: str, passages: Sequence[Passage]) -> list[dict[str, str]]:
    """A chat for answering from retrieved passages: rules in the system turn, then numbered
    sources with their page and anchor, then the question.

    Numbers let the answer cite its sources, so a reader can check them; keeping the rules
    apart from the retrieved text makes it a little harder for that text to pose as rules.
    """
    sources = "\n\n".join(
        f"[{n}] {p.title}: {p.heading or p.title} ({p.where})\n{p.text}"
        for n, p in enumerate(passages, start=1)
    )
    return [
        {"role": "system", "content": "Answer the question from the numbered sources and cite "
                                      "them like [1]. If the sources do not contain the answer, "
                                      "say that you do not know."},
        {"role": "user", "content": f"Sources:\n\n{sources}\n\nQuestion: {question}"},
    ]
