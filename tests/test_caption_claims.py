"""What figure captions say about their numbers, checked against the stored figure records.

A caption is prose, so it is read here claim by claim. Each claim names the page, the
caption and the words it guards; its check loads the figure's record from data/figures/
through the page's own spec (so editing the spec without `make figures` fails too) and
returns what the caption gets wrong. Numbers a caption prints are matched in the caption
text, rounded as shown. Every claim also carries a way to make it false (a changed number
in the caption, or data the sentence would not describe), and a test shows the check
catches it.
"""

from __future__ import annotations

import copy
import itertools
import re
from collections.abc import Callable
from dataclasses import dataclass

import pytest

from aiguide import store
from aiguide.cli import ROOT
from aiguide.spec import find_figures, parse_spec

Check = Callable[[str, dict], list[str]]
Breaker = Callable[[str, dict], tuple[str, dict]]


def figure(page: str, kind: str, caption_starts: str) -> tuple[str, dict]:
    """The caption and stored data of the figure on ``page`` whose caption starts so."""
    source = (ROOT / page).read_text(encoding="utf-8")
    for block in find_figures(source, page):
        spec = parse_spec(block.source)
        caption = spec.caption or ""
        if spec.kind == kind and caption.startswith(caption_starts):
            record = store.read_record(spec.key, store.data_dir())
            assert record is not None, f"{page}:{block.line}: no stored record for {spec.key}: run `make figures`"
            return caption, record["data"]
    raise AssertionError(f"{page}: no {kind} figure whose caption starts {caption_starts!r}")


def says(caption: str, *phrases: str) -> list[str]:
    """The phrases, built from the data, that the caption does not contain."""
    return [f"the caption should say {p!r}" for p in phrases if p not in caption]


def unless(condition: bool, problem: str) -> list[str]:
    return [] if condition else [problem]


def tokens_of(data: dict, name: str) -> list[str]:
    return [t["text"] for t in next(t for t in data["tokenizers"] if t["name"] == name)["tokens"]]


def with_tokens(data: dict, name: str, texts: list[str]) -> dict:
    """A copy of a tokens record in which tokenizer ``name`` gave ``texts``."""
    broken = copy.deepcopy(data)
    entry = next(t for t in broken["tokenizers"] if t["name"] == name)
    entry["tokens"] = [{**entry["tokens"][0], "text": t} for t in texts]
    return broken


def with_cell(data: dict, i: int, j: int, value: float) -> dict:
    broken = copy.deepcopy(data)
    broken["matrix"][i][j] = broken["matrix"][j][i] = value
    return broken


# -- AI basics: sentence similarity -------------------------------------------------------

PAIRS = [(0, 1), (2, 3), (4, 5)]  # loan, riverside, medicine: each a sentence and its paraphrase


def cross_topic(m: list[list[float]]) -> list[float]:
    return [m[a][b] for g, h in itertools.combinations(PAIRS, 2) for a in g for b in h]


def similarity_numbers(caption: str, data: dict) -> list[str]:
    """"the loan pair scores 0.74 and the medicine pair 0.65, while the riverside pair, at
    0.47, is only 0.10 above the two unrelated sentences that share 'bank'"."""
    m, items = data["matrix"], data["items"]
    shared = [i for i in range(6) if "bank" in items[i]]
    assert shared == [0, 2], items
    return says(caption, f"the loan pair scores {m[0][1]:.2f}", f"the medicine pair {m[4][5]:.2f}",
                f"the riverside pair, at {m[2][3]:.2f}", f"is only {m[2][3] - m[0][2]:.2f} above")


def paraphrases_beat_cross_topic(caption: str, data: dict) -> list[str]:
    """"Each paraphrase pair beats every pair on different topics"."""
    m = data["matrix"]
    weakest, strongest = min(m[a][b] for a, b in PAIRS), max(cross_topic(m))
    return unless(weakest > strongest, f"a paraphrase pair ({weakest:.2f}) does not beat every "
                  f"cross-topic pair ({strongest:.2f})")


# -- AI basics: three tokenizers ----------------------------------------------------------

def digit_pieces(pieces: list[str], run: str) -> list[str]:
    """The pieces that spell the digit run ``run`` where it first appears."""
    for start in range(len(pieces)):
        got, joined = [], ""
        for piece in pieces[start:]:
            if not run.startswith(joined + piece.strip()) or not piece.strip():
                break
            got.append(piece.strip())
            joined += piece.strip()
            if joined == run:
                return got
    return []


def cl100k_digits(caption: str, data: dict) -> list[str]:
    """"one cuts each run of digits into pieces of up to three counted from the left, so 2024
    becomes 202 and 4"."""
    pieces = tokens_of(data, "cl100k_base")
    runs = re.findall(r"\d+", data["text"])
    wrong = [f"{run}: {digit_pieces(pieces, run)}" for run in runs
             if digit_pieces(pieces, run) != [run[i:i + 3] for i in range(0, len(run), 3)]]
    return (unless(not wrong, f"cl100k_base does not cut digits in threes from the left: {wrong}")
            + says(caption, f"2024 becomes {' and '.join(digit_pieces(pieces, '2024'))}"))


def other_tokenizers(caption: str, data: dict) -> list[str]:
    """"three tokenizers ... one gives every digit its own token, one lowercases the text and
    drops accents, and a single emoji can be spread over several byte pieces"."""
    smollm2 = [p.strip() for p in tokens_of(data, "smollm2") if p.strip().isdigit()]
    minilm = "".join(p for p in tokens_of(data, "minilm") if not re.fullmatch(r"\[[A-Z]+\]", p))
    emoji = [p for p in tokens_of(data, "cl100k_base") if re.search(r"<0x[0-9A-F]{2}>", p)]
    return (says(caption, f"{['no', 'one', 'two', 'three'][len(data['tokenizers'])]} tokenizers")
            + unless(bool(smollm2) and all(len(p) == 1 for p in smollm2), f"SmolLM2 digits: {smollm2}")
            + unless("zurich" in minilm and "cafe" in minilm and minilm == minilm.lower(), "MiniLM keeps case or accents")
            + unless(len(emoji) >= 2, f"the emoji's bytes are in {len(emoji)} token(s)"))


# -- AI basics: attention, positions, next token ------------------------------------------

def attention_animal(caption: str, data: dict) -> list[str]:
    """"Follow the row for 'it': in this head, much of its weight goes to 'animal' rather than
    to 'street'": 'animal' gets the most, over half, and over ten times what 'street' gets."""
    row = dict(zip(data["tokens"], data["weights"][data["focus"]]))
    return (unless(data["tokens"][data["focus"]] == "it", "the focus row is not 'it'")
            + unless(row["animal"] == max(row.values()) and row["animal"] > max(0.5, 10 * row["street"]),
                     f"'animal' {row['animal']:.2f}, 'street' {row['street']:.2f}"))


def positions_speeds(caption: str, data: dict) -> list[str]:
    """"for 32 positions and 64 dimensions. The low-numbered dimensions change quickly from one
    position to the next and the high-numbered ones slowly"."""
    m = data["matrix"]
    step = [sum(abs(m[p + 1][d] - m[p][d]) for p in range(len(m) - 1)) for d in range(len(m[0]))]
    quarter = len(step) // 4
    return (says(caption, f"for {len(m)} positions and {len(m[0])} dimensions")
            + unless(min(step[:quarter]) > max(step[-quarter:]), "the low dimensions are not the fast ones"))


def no_single_token_takes_all(caption: str, data: dict) -> list[str]:
    """"no single object takes all the probability": the favourite has under half of it."""
    top = data["probs"]["1.0"][0]
    return unless(top < 0.5, f"the favourite takes {top:.2f}")


# -- Other pages --------------------------------------------------------------------------

def rag_similarity(caption: str, data: dict) -> list[str]:
    """embeddings-and-rag: the question and its answer score high (over 0.5), the opposite
    medicine sentences higher still, the python pair far lower (under 0.5)."""
    m = data["matrix"]
    return unless(m[2][3] > m[0][1] > 0.5 > m[4][5], f"{m[0][1]:.2f}, {m[2][3]:.2f}, {m[4][5]:.2f}")


def system_turn_share(data: dict) -> float:
    pieces = tokens_of(data, "smollm2")
    return (pieces.index("<|im_end|>") + 1) / len(pieces)


def chat_system_prompt(caption: str, data: dict) -> list[str]:
    """language-models-101: "the default system prompt that the template adds takes up much of
    the prompt": more than half of its tokens, and each marker is one token."""
    pieces = tokens_of(data, "smollm2")
    return (unless(pieces[:2] == ["<|im_start|>", "system"] and system_turn_share(data) > 0.5,
                   f"the system turn is {system_turn_share(data):.0%} of the prompt")
            + unless(pieces.count("<|im_start|>") == 3, "the markers are not single tokens"))


def tool_prompt(caption: str, data: dict) -> list[str]:
    """tools-and-agents: "the tags <tools>, <tool_call> and <tool_response> are ordinary text cut
    into several pieces, and the tool descriptions take up most of the prompt"."""
    pieces = tokens_of(data, "smollm2")
    tags = [t for t in ("<tools>", "<tool_call>", "<tool_response>") if t in pieces]
    return (unless(not tags, f"single-token tags: {tags}")
            + unless(system_turn_share(data) > 0.5, f"the tool descriptions are {system_turn_share(data):.0%}"))


def order_never_changes(caption: str, data: dict) -> list[str]:
    """language-models-101: "The order of the candidates never changes" across temperatures."""
    unsorted = [t for t, p in data["probs"].items() if p != sorted(p, reverse=True)]
    return unless(not unsorted, f"the candidates are out of order at T={unsorted}")


def ends_on_end_of_turn(caption: str, data: dict) -> list[str]:
    """language-models-101: "The reply ends when the most likely token is <|im_end|>, even if
    the step limit has not been reached"."""
    last = data["steps"][-1]
    return unless(last["chosen"]["text"] == "<|im_end|>" == last["alternatives"][0]["text"],
                  f"the reply ends on {last['chosen']['text']!r}")


def sure_then_unsure(caption: str, data: dict) -> list[str]:
    """language-models-101: sure "while it restates the question", unsure "when it reaches the
    name": every restating step is likelier than every step of the invented name."""
    steps = [s["chosen"] for s in data["steps"]]
    texts = [s["text"] for s in steps]
    name = texts.index(" named") + 1
    restating = [s["prob"] for s in steps[1:texts.index(" Mars") + 1]]  # "first person to walk on Mars"
    invented = [s["prob"] for s in steps[name:name + 2]]
    return unless(min(restating) > 0.5 and max(invented) < 0.1,
                  f"restating {min(restating):.2f}, name {max(invented):.2f}")


def tea_is_favourite(caption: str, data: dict) -> list[str]:
    """choosing-models: "The true next token, ' tea', is the favourite"."""
    return (says(caption, f'"{data["candidates"][0]["text"]}", is the favourite')
            + unless(data["probs"]["1.0"][0] == max(data["probs"]["1.0"]), "the first candidate is not the likeliest"))


# -- The figures guide's examples ---------------------------------------------------------

def counts_differ(caption: str, data: dict) -> list[str]:
    """"The same text costs a different number of tokens in each tokenizer"."""
    counts = [len(t["tokens"]) for t in data["tokenizers"]]
    return unless(len(set(counts)) == len(counts), f"token counts {counts}")


def nothing_above_the_diagonal(caption: str, data: dict) -> list[str]:
    """"A decoder only looks backwards, so everything above the diagonal is zero"."""
    w = data["weights"]
    above = [(i, j) for i in range(len(w)) for j in range(i + 1, len(w[i])) if w[i][j] != 0]
    return unless(not above, f"weights above the diagonal at {above[:3]}")


def lower_temperature_concentrates(caption: str, data: dict) -> list[str]:
    """"A lower temperature concentrates the probability on the top candidates"."""
    temps = sorted(data["probs"], key=float)
    shares = [sum(data["probs"][t][:3]) for t in temps]
    return unless(shares == sorted(shares, reverse=True) and len(set(shares)) == len(shares),
                  f"top-3 shares {shares} at T={temps}")


def account_questions_close(caption: str, data: dict) -> list[str]:
    """"The two account questions are close": far nearer each other than the unrelated one."""
    m = data["matrix"]
    return unless(m[0][1] > 0.5 and max(m[0][2], m[1][2]) < 0.2, f"{m[0][1]:.2f} against {m[0][2]:.2f}, {m[1][2]:.2f}")


# -- The claims, each with a way to make it false ------------------------------------------

def caption_edit(old: str, new: str) -> Breaker:
    return lambda caption, data: (caption.replace(old, new), data)


def data_edit(change: Callable[[dict], dict]) -> Breaker:
    return lambda caption, data: (caption, change(copy.deepcopy(data)))


def _set(data: dict, path: tuple, value: object) -> dict:
    target = data
    for key in path[:-1]:
        target = target[key]
    target[path[-1]] = value
    return data


@dataclass(frozen=True)
class Claim:
    page: str
    kind: str
    caption: str
    check: Check
    breaker: Breaker

    def __str__(self) -> str:
        return f"{self.page.split('/')[-2]}:{self.check.__name__}"


BASICS = "docs/ai-basics/index.md"
LM101 = "docs/language-models-101/index.md"
FIGURES = "docs/contributing/figures.md"
SIMILARITY, TOKENS = "Cosine similarity between sentence embeddings.", "One sentence, three tokenizers"
CLAIMS = [
    Claim(BASICS, "similarity", SIMILARITY, similarity_numbers, caption_edit("is only 0.10", "is only 0.20")),
    Claim(BASICS, "similarity", SIMILARITY, paraphrases_beat_cross_topic, data_edit(lambda d: with_cell(d, 0, 2, 0.5))),
    Claim("docs/try-it/encoder.md", "similarity", "Cosine similarity between sentence",
          paraphrases_beat_cross_topic, data_edit(lambda d: with_cell(d, 0, 2, 0.5))),
    Claim(BASICS, "tokens", TOKENS, cl100k_digits, caption_edit("202 and 4", "20 and 24")),
    Claim(BASICS, "tokens", TOKENS, other_tokenizers,
          data_edit(lambda d: with_tokens(d, "smollm2", ["Un", "12", "34", "<0xF0>"]))),
    Claim(BASICS, "attention", "Attention weights in layer 4, head 2", attention_animal,
          data_edit(lambda d: _set(d, ("weights", d["focus"], d["tokens"].index("street")), 0.9))),
    Claim(BASICS, "positions", "Sinusoidal position encodings", positions_speeds,
          caption_edit("64 dimensions", "128 dimensions")),
    Claim(BASICS, "next-token", "Next-token probabilities after the prompt", no_single_token_takes_all,
          data_edit(lambda d: _set(d, ("probs", "1.0", 0), 0.95))),
    Claim("docs/embeddings-and-rag/index.md", "similarity", "The question and its answer", rag_similarity,
          data_edit(lambda d: with_cell(d, 4, 5, 0.95))),
    Claim(LM101, "tokens", "A one-line question rendered", chat_system_prompt,
          data_edit(lambda d: with_tokens(d, "smollm2", ["<|im_start|>", "system", "<|im_end|>"] + ["x"] * 9))),
    Claim(LM101, "next-token", "Next-token probabilities for the same logits", order_never_changes,
          data_edit(lambda d: _set(d, ("probs", "1.5", 0), 0.0))),
    Claim(LM101, "generation", "Greedy decoding of a chat answer", ends_on_end_of_turn,
          data_edit(lambda d: _set(d, ("steps",), d["steps"][:-1]))),
    Claim(LM101, "generation", "A question with a false premise", sure_then_unsure,
          data_edit(lambda d: _set(d, ("steps", 9, "chosen", "prob"), 0.6))),
    Claim("docs/tools-and-agents/index.md", "tokens", "A tool call and its result", tool_prompt,
          data_edit(lambda d: with_tokens(d, "smollm2", ["<|im_start|>", "system", "<tool_call>", "<|im_end|>"]
                                          + ["x"] * 9))),
    Claim("docs/choosing-models/index.md", "next-token", "One position of the test sentence", tea_is_favourite,
          caption_edit('" tea"', '" coffee"')),
    Claim(FIGURES, "tokens", "The same text costs a different number", counts_differ,
          data_edit(lambda d: with_tokens(d, "minilm", ["x"] * len(d["tokenizers"][0]["tokens"])))),
    Claim(FIGURES, "attention", "A decoder only looks backwards", nothing_above_the_diagonal,
          data_edit(lambda d: _set(d, ("weights", 0, 1), 0.1))),
    Claim(FIGURES, "next-token", "A lower temperature concentrates", lower_temperature_concentrates,
          data_edit(lambda d: _set(d, ("probs", "0.5"), d["probs"]["1.0"]))),
    Claim(FIGURES, "similarity", "The two account questions are close", account_questions_close,
          data_edit(lambda d: with_cell(d, 0, 1, 0.1))),
]


def problems(claim: Claim, caption: str, data: dict) -> list[str]:
    return [f"{claim.page}: {claim.caption!r}: {p}" for p in claim.check(caption, data)]


@pytest.mark.parametrize("claim", CLAIMS, ids=str)
def test_caption_claim_holds_for_the_stored_figure(claim):
    caption, data = figure(claim.page, claim.kind, claim.caption)
    found = problems(claim, caption, data)
    assert not found, "\n".join(found) + "\nfix the caption, or run `make figures` if the data is stale"


@pytest.mark.parametrize("claim", CLAIMS, ids=str)
def test_a_caption_made_false_is_caught(claim):
    caption, data = figure(claim.page, claim.kind, claim.caption)
    broken_caption, broken_data = claim.breaker(caption, data)
    assert (broken_caption, broken_data) != (caption, data), "the breaker changed nothing"
    assert problems(claim, broken_caption, broken_data), f"{claim}: a false caption passed"
