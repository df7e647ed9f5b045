"""What "Language models 101" says about decoding, checked on the real SmolLM2 logits.

Each test names, in its docstring, the page section it guards
(docs/language-models-101/index.md#<anchor>). The prompt is the page's own example, whose
next-token distribution is spread out, so the claims are tested where they are visible.
The helpers for top-k, min-p, the penalties and seeded sampling are the functions the
page itself defines, read from its code blocks.
"""

from __future__ import annotations

import ast
import itertools
import json
from collections import Counter

import numpy as np
import pytest

from aiguide import store
from aiguide.cli import ROOT
from aiguide.compute import (
    entropy_bits,
    nucleus_size,
    sampling_distribution,
    softmax_with_temperature,
)
from aiguide.render.decoding import (
    TIE_MAX_PROB,
    TIE_MAX_TOKENS,
    TOLERANCE_ENTROPY,
    TOLERANCE_PROB,
    TOLERANCE_TIE,
    explore,
)
from aiguide.spec import (
    EXPLORER_TEMPERATURE,
    EXPLORER_TOP_K,
    EXPLORER_TOP_P,
    find_figures,
    parse_spec,
)

pytestmark = pytest.mark.models

PROMPT = "Once upon a time, there was a"
PAGE = "docs/language-models-101/index.md"


@pytest.fixture(scope="module")
def model():
    from aiguide.models.smollm2 import load_smollm2

    return load_smollm2()


@pytest.fixture(scope="module")
def prompt_ids(model) -> list[int]:
    return model.encode(PROMPT, special=False)


@pytest.fixture(scope="module")
def logits(model, prompt_ids) -> np.ndarray:
    return model.next_token_logits(prompt_ids).astype(np.float64)  # [vocab]


def probs_at(logits: np.ndarray, temperature: float) -> np.ndarray:
    return softmax_with_temperature(logits, temperature)[0]


# -- the page's formulas: the functions its code blocks define, not copies of them ----------


def page_functions(*names: str) -> dict:
    """The named functions as the page's ```python blocks define them (NumPy as ``np``).

    A change to a formula on the page is what these tests then check; a copy here would
    keep passing while the page said something else.
    """
    from pytest_examples import find_examples

    wanted: dict[str, ast.FunctionDef] = {}
    for example in find_examples(ROOT / PAGE):
        for node in ast.parse(example.source).body:
            if isinstance(node, ast.FunctionDef) and node.name in names:
                wanted[node.name] = node
    missing = sorted(set(names) - set(wanted))
    assert not missing, f"{PAGE} no longer defines {missing}"
    namespace: dict = {"np": np}
    module = ast.Module(body=list(wanted.values()), type_ignores=[])
    exec(compile(module, PAGE, "exec"), namespace)  # noqa: S102 -- the page's own code is the subject
    return {name: namespace[name] for name in names}


_PAGE = page_functions("top_k_filter", "min_p_keep", "frequency_presence", "repetition_penalty",
                       "sample_token")
top_k_filter, min_p_keep = _PAGE["top_k_filter"], _PAGE["min_p_keep"]
frequency_presence, repetition_penalty = _PAGE["frequency_presence"], _PAGE["repetition_penalty"]


# -- temperature ---------------------------------------------------------------------------


def test_higher_temperature_raises_entropy(logits):
    """#temperature: above 1 flattens the distribution, below 1 sharpens it."""
    temperatures = [0.2, 0.5, 0.7, 1.0, 1.5, 2.0]
    entropies = [entropy_bits(probs_at(logits, t)) for t in temperatures]
    assert all(a < b for a, b in itertools.pairwise(entropies)), entropies


def test_temperature_never_reorders_the_stored_candidates():
    """#temperature: "Temperature never changes the order of the candidates", in the figure
    data the page shows: at every temperature the probabilities fall in candidate order."""
    records = [json.loads(p.read_text(encoding="utf-8"))["data"]
               for p in sorted(store.DATA_DIR.glob("next-token-*.json"))]
    assert records
    for data in records:
        for t, probs in data["probs"].items():
            assert probs == sorted(probs, reverse=True), (data["prompt"], t)


def test_temperature_near_zero_leaves_only_the_greedy_token(model, prompt_ids, logits):
    """#temperature: as T approaches 0, sampling becomes greedy decoding (the explorer's
    own truncation keeps one token, the one greedy decoding picks)."""
    _, kept = sampling_distribution(logits, 0.01, 0, 0.9)
    greedy_id = model.greedy(prompt_ids, steps=1, top=1)[0]["chosen"]["id"]
    assert list(kept) == [greedy_id]
    # and at T = 1 this prompt really is uncertain, so the limit is not trivial
    assert probs_at(logits, 1.0)[greedy_id] < 0.5


def test_lower_temperature_shrinks_the_nucleus(logits):
    """#top-p: temperature changes the distribution before the cut, so they interact."""
    sizes = [nucleus_size(probs_at(logits, t), 0.9) for t in (0.2, 0.5, 0.7, 1.0, 1.5)]
    assert all(a < b for a, b in itertools.pairwise(sizes)), sizes


# -- truncation: top-k, top-p, min-p --------------------------------------------------------


@pytest.mark.parametrize("k", [1, 10, 40])
def test_top_k_keeps_exactly_k(logits, k):
    """#top-k: keep the k most probable tokens, zero the rest, rescale to sum to 1."""
    p = probs_at(logits, 1.0)
    kept = top_k_filter(p, k)
    assert np.count_nonzero(kept) == k
    assert kept.sum() == pytest.approx(1.0)
    survivors = set(np.flatnonzero(kept))
    assert survivors == set(np.argsort(-p)[:k])
    smallest_kept = min(p[i] for i in survivors)
    assert all(p[i] <= smallest_kept for i in range(len(p)) if i not in survivors)
    if k > 1:  # relative odds among the survivors are unchanged
        a, b = np.argsort(-p)[:2]
        assert kept[a] / kept[b] == pytest.approx(p[a] / p[b])


def brute_force_nucleus(probs: np.ndarray, top_p: float) -> int:
    """The definition, spelled out: add tokens from the most probable until the sum reaches p."""
    total, count = 0.0, 0
    for p in sorted(probs.tolist(), reverse=True):
        total += p
        count += 1
        if total >= top_p:
            return count
    return count


@pytest.mark.parametrize("temperature", [0.5, 1.0, 1.5])
@pytest.mark.parametrize("top_p", [0.5, 0.9, 0.95])
def test_top_p_keeps_the_smallest_set_reaching_p(logits, temperature, top_p):
    """#top-p: the smallest set of most probable tokens whose probabilities reach p."""
    p = probs_at(logits, temperature)
    size = nucleus_size(p, top_p)
    assert abs(size - brute_force_nucleus(p, top_p)) <= 1  # float summation order only
    ordered = np.sort(p)[::-1]
    assert ordered[:size].sum() >= top_p - 1e-9
    assert ordered[: size - 1].sum() < top_p  # one token fewer does not reach p


@pytest.mark.parametrize("min_p", [0.05, 0.1, 0.3])
def test_min_p_threshold_scales_with_the_top_probability(logits, min_p):
    """#min-p: keep every token with p >= min_p × p_max."""
    for t in (0.5, 1.0, 1.5):
        p = probs_at(logits, t)
        kept = min_p_keep(p, min_p)
        threshold = min_p * p.max()
        assert kept[np.argmax(p)]
        assert np.all(p[kept] >= threshold) and np.all(p[~kept] < threshold)
    counts = [int(min_p_keep(probs_at(logits, t), min_p).sum()) for t in (0.5, 1.0, 1.5)]
    assert counts[0] <= counts[1] <= counts[2], counts  # flatter distribution, lower bar


def test_min_p_keeps_fewer_than_top_p_at_high_temperature(logits):
    """#min-p: proposed because top-p admits a very long tail at high temperature."""
    p = probs_at(logits, 1.5)
    assert min_p_keep(p, 0.1).sum() < nucleus_size(p, 0.9)


# -- the decoding explorer ------------------------------------------------------------------


@pytest.fixture(scope="module")
def explorer() -> dict:
    """The stored data of the page's explorer: what the browser actually computes from."""
    page = (ROOT / PAGE).read_text(encoding="utf-8")
    specs = [parse_spec(block.source) for block in find_figures(page, PAGE)]
    spec = next(s for s in specs if s.kind == "decoding-explorer")
    assert spec.params["prompt"] == PROMPT and not spec.params["chat"]
    record = store.read_record(spec.key, store.DATA_DIR)
    assert record is not None, "run `make figures`"
    return record["data"]


def grid(low: float, high: float, step: float) -> list[float]:
    return [round(low + i * step, 2) for i in range(round((high - low) / step) + 1)]


@pytest.mark.parametrize("temperature, top_k, top_p", [(0.7, 0, 0.9), (1.5, 50, 0.9), (1.0, 10, 0.5)])
def test_sampling_distribution_is_temperature_then_top_k_then_top_p(logits, temperature, top_k, top_p):
    """#top-p: the explorer's order, built from the page's own top-k and nucleus steps."""
    probs, kept = sampling_distribution(logits, temperature, top_k, top_p)
    p_t = probs_at(logits, temperature)
    after_k = top_k_filter(p_t, top_k) if top_k else p_t  # top_k 0 keeps every token
    size = nucleus_size(after_k, top_p)
    assert len(kept) == size and set(kept) == set(np.argsort(-after_k)[:size])
    assert probs.sum() == pytest.approx(1.0) and np.count_nonzero(probs) == size
    assert probs[kept[0]] / probs[kept[1]] == pytest.approx(after_k[kept[0]] / after_k[kept[1]])


def test_explorer_matches_all_logits_at_every_slider_position(logits, explorer):
    """#top-p: the explorer, computed from 300 logits and a summarised tail, agrees with
    the whole vocabulary within the tolerance its note states, at every slider position.

    A top-p cut can land on a near-tie, where the stored logits' rounding tips one token
    in or out; that is allowed only within TOLERANCE_TIE, and the numbers are then
    compared for the kept set the explorer chose.
    """
    ranked = np.sort(logits)[::-1]  # [vocab], as the explorer ranks them
    assert np.allclose([c["logit"] for c in explorer["candidates"]], ranked[:300], atol=1e-4)
    bars = explorer["bars"]
    failures, ties, checked = [], 0, 0
    for t in grid(*EXPLORER_TEMPERATURE):
        full = probs_at(ranked, t)
        for k in [*EXPLORER_TOP_K, 0]:
            q = full[: k or None] / full[: k or None].sum()  # after top-k, rescaled
            running = np.cumsum(q)
            for p in grid(*EXPLORER_TOP_P):
                got = explore(explorer, t, k, p)
                exact = len(q) if p >= 1 else int(min(np.searchsorted(running, p) + 1, len(q)))
                checked += 1
                if got.kept != exact:
                    ties += 1
                    margin = abs(running[min(got.kept, exact) - 1] - p)
                    if abs(got.kept - exact) > TIE_MAX_TOKENS or margin > TOLERANCE_TIE:
                        failures.append(f"T={t} k={k} p={p}: kept {got.kept}, exactly {exact}")
                        continue
                n = got.kept
                final = q[:n] / q[:n].sum()
                shown = np.zeros(bars)
                shown[: min(n, bars)] = final[:bars]
                errors = {
                    "probability": np.abs(np.array(got.probs) - shown).max(),
                    "mass": abs(got.mass - full[:n].sum()),
                    "entropy": abs(got.entropy - entropy_bits(final)),
                }
                limits = {"probability": TOLERANCE_PROB, "mass": TOLERANCE_PROB,
                          "entropy": TOLERANCE_ENTROPY}
                failures += [f"T={t} k={k} p={p}: {name} off by {errors[name]:.2g}"
                             for name in errors if errors[name] > limits[name]]
    assert checked == 40 * 12 * 20
    assert not failures, "\n".join(failures[:20])
    assert ties < checked // 100, f"{ties} near-ties is too many to be rounding"


EXPLORER_PAGES = [PAGE, "docs/contributing/figures.md"]


def near_tie_differences(model, page: str) -> list[tuple[int, float]]:
    """For every explorer on ``page``: the largest kept-count and bar difference at near-ties."""
    source = (ROOT / page).read_text(encoding="utf-8")
    found = []
    for spec in (parse_spec(block.source) for block in find_figures(source, page)):
        if spec.kind != "decoding-explorer":
            continue
        assert not spec.params.get("chat"), "extend this test to chat prompts"
        data = store.read_record(spec.key, store.DATA_DIR)["data"]
        logits = model.next_token_logits(model.encode(spec.params["prompt"], special=False))
        ranked = np.sort(logits.astype(np.float64))[::-1]
        most_tokens, most_prob = 0, 0.0
        for t in grid(*EXPLORER_TEMPERATURE):
            full = probs_at(ranked, t)
            for k in [*EXPLORER_TOP_K, 0]:
                q = full[: k or None] / full[: k or None].sum()
                running = np.cumsum(q)
                for p in grid(*EXPLORER_TOP_P):
                    got = explore(data, t, k, p)
                    exact = len(q) if p >= 1 else int(min(np.searchsorted(running, p) + 1, len(q)))
                    if got.kept == exact:
                        continue
                    shown = np.zeros(data["bars"])
                    shown[: min(exact, data["bars"])] = (q[:exact] / q[:exact].sum())[: data["bars"]]
                    most_tokens = max(most_tokens, abs(got.kept - exact))
                    most_prob = max(most_prob, float(np.abs(np.array(got.probs) - shown).max()))
        found.append((most_tokens, most_prob))
    return found


def test_explorer_note_states_the_largest_near_tie_differences(model):
    """#top-p: the note under every explorer bounds its near-tie differences, and tightly:
    the stated token count is reached, and the bar bound is within 0.05 points of the worst."""
    found = [d for page in EXPLORER_PAGES for d in near_tie_differences(model, page)]
    assert len(found) == 2, found  # the page's explorer and the one rendered on the figures guide
    assert all(tokens <= TIE_MAX_TOKENS and prob <= TIE_MAX_PROB for tokens, prob in found), found
    assert max(tokens for tokens, _ in found) == TIE_MAX_TOKENS
    assert TIE_MAX_PROB - max(prob for _, prob in found) < TOLERANCE_PROB


def test_explorer_static_figure_matches_the_exact_computation(logits, explorer):
    """#top-p: the no-script figure at the spec's settings, against all logits."""
    t, k, p = explorer["temperature"], explorer["top_k"], explorer["top_p"]
    probs, kept = sampling_distribution(logits, t, k, p)
    got = explore(explorer, t, k, p)
    assert got.kept == len(kept)
    assert got.entropy == pytest.approx(entropy_bits(probs), abs=TOLERANCE_ENTROPY)
    top = np.argsort(-logits, kind="stable")[: explorer["bars"]]
    assert np.allclose(got.probs, probs[top], atol=TOLERANCE_PROB)


# -- penalties ------------------------------------------------------------------------------


def test_frequency_penalty_lowers_used_tokens_and_raises_the_rest(model, prompt_ids, logits):
    """#penalties: logit − count × frequency_penalty; the freed probability goes elsewhere."""
    counts = Counter(prompt_ids)
    before = probs_at(logits, 1.0)
    after = probs_at(frequency_presence(logits, counts, frequency_penalty=0.5), 1.0)
    used = np.array(sorted(counts))
    unused = np.setdiff1d(np.arange(len(logits)), used)
    assert np.all(after[used] < before[used])
    assert np.all(after[unused] > before[unused])
    time_id = model.encode(" time", special=False)[0]
    assert time_id in counts and after[time_id] < before[time_id]
    # the penalty grows with the count: " a" appears twice and loses more logit than " time"
    shifted = frequency_presence(logits, counts, frequency_penalty=0.5) - logits
    a_id = model.encode(" a", special=False)[0]
    assert counts[a_id] == 2 and shifted[a_id] == pytest.approx(2 * shifted[time_id])


def test_presence_penalty_is_a_one_off_charge(prompt_ids, logits):
    """#penalties: (count > 0) × presence_penalty, whatever the count."""
    counts = Counter(prompt_ids)
    shifted = frequency_presence(logits, counts, presence_penalty=0.7) - logits
    for token in counts:
        assert shifted[token] == pytest.approx(-0.7)
    assert np.count_nonzero(shifted) == len(counts)


def test_repetition_penalty_lowers_positive_and_negative_logits(prompt_ids, logits):
    """#penalties: divide positive logits by θ, multiply negative ones, so both go down."""
    counts = Counter(prompt_ids)
    signs = {np.sign(logits[t]) for t in counts}
    assert signs == {1.0, -1.0}, "the prompt should contain both kinds of logit"
    penalised = repetition_penalty(logits, counts, 1.3)
    for token in counts:
        assert penalised[token] < logits[token]
    naive = logits.copy()  # plain division, as in the CTRL paper, raises a negative logit
    negative = [t for t in counts if logits[t] < 0]
    naive[negative] = naive[negative] / 1.3
    assert all(naive[t] > logits[t] for t in negative)


# -- reproducibility ------------------------------------------------------------------------


def test_greedy_decoding_with_its_cache_picks_what_a_full_rerun_picks(model, prompt_ids):
    """#reproducibility (and #greedy): each cached greedy step is the argmax of the logits a
    fresh pass over the whole text gives, so the output depends on the prompt alone."""
    steps = [s["chosen"]["id"] for s in model.greedy(prompt_ids, steps=4, top=1)]
    for i, chosen in enumerate(steps):
        assert int(np.argmax(model.next_token_logits(prompt_ids + steps[:i]))) == chosen


def test_the_pages_seeded_sampler_repeats_a_draw_and_other_seeds_vary(model, logits):
    """#reproducibility: the page's sample_token gives one answer per seed, several across seeds."""
    sample_token = _PAGE["sample_token"]
    sample_token.__globals__["model"] = model  # the page's blocks share `model`
    p = probs_at(logits, 1.0)
    assert len({sample_token(p, 7) for _ in range(5)}) == 1
    assert len({sample_token(p, seed) for seed in range(20)}) > 1
