"""Our NumPy MiniLM and SmolLM2 on two-layer slices of their real weights, against transformers.

tests/fixtures/tiny/ holds the slices and what Hugging Face transformers' BertModel and
LlamaForCausalLM compute with them (tools/make_tiny_reference.py; its README says how). The
slices load in milliseconds, so these tests run on every change and under mutmut, where the
full-model reproductions in test_models.py are too slow.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
from safetensors.numpy import load_file

from aiguide.models import minilm as minilm_module
from aiguide.models import paths
from aiguide.models import smollm2 as smollm2_module
from aiguide.models.minilm import BertConfig, MiniLM
from aiguide.models.smollm2 import KVCache, LlamaConfig, SmolLM2

TINY = Path(__file__).parent / "fixtures" / "tiny"


def _fixture(name: str) -> tuple[dict, dict[str, np.ndarray], dict[str, np.ndarray]]:
    meta = json.loads((TINY / f"{name}.json").read_text())
    arrays = load_file(TINY / f"{name}.safetensors")
    expected = {k.removeprefix("expected."): v for k, v in arrays.items() if k.startswith("expected.")}
    weights = {k: v for k, v in arrays.items() if not k.startswith("expected.")}
    return meta, weights, expected


@pytest.fixture(scope="module")
def bert() -> tuple[dict, MiniLM, dict[str, np.ndarray]]:
    meta, weights, expected = _fixture("minilm")
    return meta, MiniLM(weights, BertConfig.from_json(meta["config"])), expected


@pytest.fixture()
def llama(monkeypatch: pytest.MonkeyPatch) -> tuple[dict, SmolLM2, dict[str, np.ndarray]]:
    """The tiny SmolLM2; token texts and decoding stand in for the real GGUF tokenizer."""
    meta, weights, expected = _fixture("smollm2")
    eos = meta["vocab"].index(meta["eos_id"])
    monkeypatch.setattr(smollm2_module, "gguf_field", lambda key: {
        "tokenizer.ggml.eos_token_id": eos}[key])
    model = SmolLM2(weights, LlamaConfig(**meta["config"]))
    model.token_text = lambda i: f"<{i}>"  # type: ignore[method-assign]
    model.decode = lambda ids: "".join(f"<{i}>" for i in ids)  # type: ignore[method-assign]
    return meta, model, expected


def _tiny_ids(meta: dict, ids: list[int]) -> list[int]:
    return [meta["vocab"].index(i) for i in ids]


# -- MiniLM ------------------------------------------------------------------------------


@pytest.mark.parametrize("n", [0, 1])
def test_tiny_minilm_hidden_states_and_attention_equal_transformers(bert, n: int) -> None:
    meta, model, expected = bert
    hidden, attentions = model.forward(_tiny_ids(meta, meta["ids"][n]))
    assert attentions.shape == expected[f"{n}.attentions"].shape  # [layers, heads, n, n]
    np.testing.assert_allclose(attentions, expected[f"{n}.attentions"], atol=2e-6)
    np.testing.assert_allclose(hidden, expected[f"{n}.hidden"], atol=2e-5)


@pytest.mark.models
def test_tiny_minilm_embeddings_equal_transformers_mean_pooling(bert, monkeypatch) -> None:
    meta, model, expected = bert
    texts = meta["texts"]
    # The real tokenizer runs; its ids are mapped into the tiny vocabulary.
    monkeypatch.setattr(model, "encode", lambda text: _tiny_ids(
        meta, MiniLM.encode(model, text)))
    assert [MiniLM.encode(model, t) for t in texts] == meta["ids"]
    monkeypatch.setattr(minilm_module, "max_seq_length", lambda: 128)
    embeddings = model.embed(texts)
    np.testing.assert_allclose(embeddings, expected["embeddings"], atol=2e-6)
    np.testing.assert_allclose(np.linalg.norm(embeddings, axis=1), 1.0, atol=1e-6)


def test_tiny_minilm_embed_cuts_long_texts_as_the_tokenizer_truncates(bert, monkeypatch) -> None:
    meta, model, expected = bert
    monkeypatch.setattr(model, "encode", lambda text: _tiny_ids(
        meta, meta["ids"][meta["texts"].index(text)]))
    monkeypatch.setattr(minilm_module, "max_seq_length", lambda: meta["truncate"])
    embeddings = model.embed(meta["texts"])
    np.testing.assert_allclose(embeddings, expected["embeddings_truncated"], atol=2e-6)


def test_tiny_minilm_refuses_an_empty_or_too_long_input(bert) -> None:
    _, model, _ = bert
    with pytest.raises(AssertionError, match="MiniLM takes 1 to 16"):
        model.forward([])
    assert model.forward([0])[1].shape == (2, 2, 1, 1)
    model.forward([0] * 16)
    with pytest.raises(AssertionError, match="17 tokens"):
        model.forward([0] * 17)


def test_tiny_minilm_refuses_a_missing_or_misshapen_weight(bert) -> None:
    meta, _, _ = bert
    _, weights, _ = _fixture("minilm")
    cfg = BertConfig.from_json(meta["config"])
    with pytest.raises(AssertionError, match="encoder.layer.1.output.dense.bias"):
        MiniLM({k: v for k, v in weights.items() if k != "encoder.layer.1.output.dense.bias"}, cfg)
    with pytest.raises(AssertionError):
        MiniLM(weights | {"encoder.layer.0.output.dense.bias": np.zeros(47, np.float32)}, cfg)
    with pytest.raises(AssertionError):
        MiniLM(weights | {"encoder.layer.0.output.dense.bias": np.zeros(48, np.float64)}, cfg)


# -- SmolLM2 -----------------------------------------------------------------------------


def test_tiny_smollm2_logits_and_attention_equal_transformers(llama) -> None:
    meta, model, expected = llama
    logits, attentions = model.forward(_tiny_ids(meta, meta["prompt_ids"]))
    assert attentions.shape == expected["attentions"].shape  # [layers, heads, n, n]
    np.testing.assert_allclose(attentions, expected["attentions"], atol=2e-6)
    np.testing.assert_allclose(logits, expected["logits"], atol=2e-5)


def test_tiny_smollm2_next_token_logits_are_the_last_position(llama) -> None:
    meta, model, expected = llama
    logits = model.next_token_logits(_tiny_ids(meta, meta["prompt_ids"]))
    np.testing.assert_allclose(logits, expected["logits"][-1], atol=2e-5)


def test_tiny_smollm2_greedy_equals_transformers_generate(llama) -> None:
    meta, model, expected = llama
    steps = model.greedy(_tiny_ids(meta, meta["prompt_ids"]), len(expected["greedy_ids"]), top=3)
    ids = expected["greedy_ids"].tolist()
    assert meta["vocab"].index(meta["eos_id"]) not in ids  # else greedy would stop early
    assert [s["chosen"]["id"] for s in steps] == ids
    for step, probs in zip(steps, expected["greedy_probs"]):
        top3 = np.argsort(-probs, kind="stable")[:3]
        assert [a["id"] for a in step["alternatives"]] == top3.tolist()
        assert step["chosen"] == step["alternatives"][0]
        assert [a["text"] for a in step["alternatives"]] == [f"<{i}>" for i in top3]
        np.testing.assert_allclose([a["prob"] for a in step["alternatives"]], probs[top3], atol=2e-6)


def test_tiny_smollm2_greedy_lists_five_alternatives_unless_told(llama) -> None:
    meta, model, _ = llama
    steps = model.greedy(_tiny_ids(meta, meta["prompt_ids"]), 2)
    assert [len(s["alternatives"]) for s in steps] == [5, 5]


def test_tiny_smollm2_greedy_breaks_ties_by_the_lowest_token_id(llama) -> None:
    meta, model, expected = llama
    # Three copies of the output head: every token has two twins with the same logit.
    model.output = np.vstack([model.output] * 3)  # [3 * vocab, e]
    n = meta["config"]["n_vocab"]
    steps = model.greedy(_tiny_ids(meta, meta["prompt_ids"]), 2, top=6)
    for step, first in zip(steps, expected["greedy_ids"].tolist()):
        ids = [a["id"] for a in step["alternatives"]]
        assert ids[:3] == [first, first + n, first + 2 * n] and ids[3] < n
        assert step["alternatives"][0]["prob"] == step["alternatives"][2]["prob"]


def test_tiny_smollm2_greedy_stops_after_the_end_of_turn_token(llama) -> None:
    meta, model, expected = llama
    ids = expected["greedy_ids"].tolist()
    assert model.eos_id == meta["vocab"].index(meta["eos_id"])  # read from the file's metadata
    model.eos_id = ids[2]  # pretend the third token generated ends the turn
    steps = model.greedy(_tiny_ids(meta, meta["prompt_ids"]), 8)
    assert [s["chosen"]["id"] for s in steps] == ids[: ids.index(ids[2]) + 1]


def test_tiny_smollm2_greedy_stops_once_the_text_contains_a_stop_string(llama) -> None:
    meta, model, expected = llama
    ids = expected["greedy_ids"].tolist()
    steps = model.greedy(_tiny_ids(meta, meta["prompt_ids"]), 8, stop=("x", f"<{ids[1]}>"))
    assert [s["chosen"]["id"] for s in steps] == ids[: ids.index(ids[1]) + 1]
    steps = model.greedy(_tiny_ids(meta, meta["prompt_ids"]), 3, stop=("x",))
    assert [s["chosen"]["id"] for s in steps] == ids[:3]


def test_tiny_smollm2_greedy_from_a_prefilled_prefix_equals_the_whole_prompt(llama) -> None:
    meta, model, expected = llama
    prompt = _tiny_ids(meta, meta["prompt_ids"])
    cache = model.prefill(prompt[:3])
    assert cache.n_past == 3 and len(cache.k) == len(cache.v) == meta["config"]["n_layer"]
    steps = model.greedy(prompt[3:], 4, cache=cache)
    assert [s["chosen"]["id"] for s in steps] == expected["greedy_ids"].tolist()[:4]
    assert cache.n_past == 3  # the shared prefix is left as it was, ready for the next prompt
    again = model.greedy(prompt[3:], 4, cache=cache)
    assert [s["chosen"] for s in again] == [s["chosen"] for s in steps]


def test_tiny_smollm2_refuses_no_tokens_and_more_than_its_context(llama) -> None:
    _, model, _ = llama
    with pytest.raises(AssertionError, match="0\\+0 tokens; max 64"):
        model.forward([])
    model.next_token_logits([0] * 64)
    with pytest.raises(AssertionError, match="0\\+65 tokens"):
        model.forward([0] * 65)
    cache = model.prefill([0] * 60)
    with pytest.raises(AssertionError, match="60\\+5 tokens"):
        model._hidden([0] * 5, cache)


def test_tiny_smollm2_refuses_a_missing_or_misshapen_weight(llama) -> None:
    meta, _, _ = llama
    _, weights, _ = _fixture("smollm2")
    cfg = LlamaConfig(**meta["config"])
    with pytest.raises(AssertionError, match="blk.1.ffn_down.weight"):
        SmolLM2({k: v for k, v in weights.items() if k != "blk.1.ffn_down.weight"}, cfg)
    with pytest.raises(AssertionError):
        SmolLM2(weights | {"blk.0.attn_k.weight": np.zeros((48, 48), np.float32)}, cfg)


def test_tiny_smollm2_uses_a_separate_output_head_when_the_file_has_one(llama) -> None:
    meta, model, _ = llama
    _, weights, _ = _fixture("smollm2")
    head = weights["token_embd.weight"][::-1].copy()  # [vocab, e]
    untied = SmolLM2(weights | {"output.weight": head}, LlamaConfig(**meta["config"]))
    ids = _tiny_ids(meta, meta["prompt_ids"])
    tied_logits = model.next_token_logits(ids)
    np.testing.assert_allclose(untied.next_token_logits(ids), tied_logits[::-1], atol=1e-5)


def test_kv_cache_appends_along_the_token_axis_per_layer() -> None:
    cache = KVCache()
    assert cache.n_past == 0
    k0, v0 = np.zeros((2, 3, 4)), np.ones((2, 3, 4))
    cache.extend(0, k0, v0)
    cache.extend(1, k0 + 5, v0 + 5)
    assert cache.n_past == 3
    k, v = cache.extend(0, np.full((2, 1, 4), 7.0), np.full((2, 1, 4), 8.0))
    assert k.shape == v.shape == (2, 4, 4) and cache.n_past == 4
    assert k[:, 3].tolist() == [[7.0] * 4] * 2 and v[:, :3].tolist() == v0.tolist()
    assert cache.k[1].shape == (2, 3, 4) and cache.v[1][0, 0, 0] == 6.0


@pytest.mark.models
def test_tiny_fixtures_were_cut_from_the_installed_model_files() -> None:
    minilm_meta, weights, _ = _fixture("minilm")
    assert minilm_meta["file_sha256"] == paths.file_sha256(paths.minilm_weights())
    assert json.loads((TINY / "smollm2.json").read_text())["file_sha256"] == paths.file_sha256(
        paths.smollm2_gguf())
    real = load_file(paths.minilm_weights())
    e, f = minilm_meta["config"]["hidden_size"], minilm_meta["config"]["intermediate_size"]
    np.testing.assert_array_equal(weights["embeddings.word_embeddings.weight"],
                                  real["embeddings.word_embeddings.weight"][minilm_meta["vocab"], :e])
    np.testing.assert_array_equal(weights["encoder.layer.1.output.dense.weight"],
                                  real["encoder.layer.1.output.dense.weight"][:e, :f])


def test_tiny_fixtures_stay_small() -> None:
    assert sum(f.stat().st_size for f in TINY.iterdir()) < 300_000
