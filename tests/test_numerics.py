"""The numeric pieces of both models, on inputs whose answers are worked out by hand.

Every expected value here is derived independently of the code: a closed form (a rotation
by 90 degrees, a mean and a variance of four numbers, softmax of logs of small integers) or
a published constant (the standard normal CDF at 1 and 2). Each test is small enough that
a wrong axis, sign, scale or mask changes its answer.
"""

from __future__ import annotations

import math

import numpy as np
import pytest

from aiguide.models import smollm2 as smollm2_module
from aiguide.models.minilm import BertConfig, gelu, layer_norm, linear, truncate
from aiguide.models.numerics import logsumexp, softmax
from aiguide.models.smollm2 import (
    DOCUMENTED,
    LlamaConfig,
    causal_attention,
    rms_norm,
    rope,
    rope_tables,
    silu,
    split_heads,
)

LN3 = math.log(3.0)

# -- softmax, logsumexp ------------------------------------------------------------------


def test_softmax_of_logs_gives_the_ratios_and_a_masked_entry_exactly_zero() -> None:
    assert softmax(np.array([0.0, LN3, -np.inf])).tolist() == pytest.approx([0.25, 0.75, 0.0])
    assert softmax(np.array([0.0, LN3, -np.inf]))[2] == 0.0


def test_softmax_normalises_each_row_on_its_own() -> None:
    # Column-wise, the first column would be [0.5, 0.5] and the second [0.6, 0.4].
    got = softmax(np.array([[0.0, LN3], [0.0, 0.0]]))
    assert got.tolist() == [pytest.approx([0.25, 0.75]), pytest.approx([0.5, 0.5])]
    got = softmax(np.array([[[0.0, LN3]], [[5.0, 5.0]]]))  # [2, 1, 2]: the last axis only
    assert got.reshape(2, 2).tolist() == [pytest.approx([0.25, 0.75]), pytest.approx([0.5, 0.5])]


def test_softmax_of_huge_scores_does_not_overflow() -> None:
    got = softmax(np.array([[1000.0, 1000.0 + LN3], [-1000.0, -1000.0]]))
    assert got.tolist() == [pytest.approx([0.25, 0.75]), pytest.approx([0.5, 0.5])]


def test_logsumexp_of_small_logs_and_of_huge_values() -> None:
    assert logsumexp(np.array([0.0, LN3])) == pytest.approx(math.log(4.0))
    assert logsumexp(np.array([1000.0, 1000.0])) == pytest.approx(1000.0 + math.log(2.0))
    assert logsumexp(np.array([-np.inf, 2.0])) == pytest.approx(2.0)
    assert logsumexp(np.array([-1000.0, -1000.0 + LN3])) == pytest.approx(-1000.0 + math.log(4.0))
    assert isinstance(logsumexp(np.array([1.0])), float)


# -- MiniLM's pieces ---------------------------------------------------------------------


def test_layer_norm_centres_and_scales_each_row_then_applies_gain_and_bias() -> None:
    x = np.array([[1.0, 2.0, 3.0, 4.0], [0.0, 0.0, 2.0, 2.0]])
    # Row 1: mean 2.5, variance 1.25; row 2: mean 1, variance 1.
    plain = layer_norm(x, np.ones(4), np.zeros(4), eps=0.0)
    s = 1 / math.sqrt(1.25)
    assert plain.tolist() == [pytest.approx([-1.5 * s, -0.5 * s, 0.5 * s, 1.5 * s]),
                              pytest.approx([-1.0, -1.0, 1.0, 1.0])]
    scaled = layer_norm(x, np.array([1.0, 2.0, 3.0, 4.0]), np.array([0.5, 0.0, 0.0, -1.0]), eps=0.0)
    assert scaled[1].tolist() == pytest.approx([-0.5, -2.0, 3.0, 3.0])


def test_layer_norm_of_a_single_vector() -> None:
    assert layer_norm(np.array([0.0, 2.0]), np.ones(2), np.zeros(2), eps=0.0).tolist() == [-1.0, 1.0]


def test_layer_norm_adds_eps_to_the_variance() -> None:
    # Variance 1, plus eps 3: divide by 2.
    assert layer_norm(np.array([[0.0, 2.0]]), np.ones(2), np.zeros(2), eps=3.0).tolist() == [
        [-0.5, 0.5]]


def test_linear_multiplies_by_the_stored_out_by_in_weight_and_adds_the_bias() -> None:
    w = np.array([[1.0, 0.0], [0.0, 1.0], [1.0, 1.0]])  # [out=3, in=2], as torch stores it
    assert linear(np.array([[1.0, 2.0]]), w, np.array([0.0, 0.0, 10.0])).tolist() == [[1.0, 2.0, 13.0]]


def test_gelu_is_x_times_the_normal_cdf() -> None:
    # Phi(1) = 0.8413447460685429, Phi(2) = 0.9772498680518208 (standard normal CDF tables).
    x = np.array([0.0, 1.0, -1.0, 2.0])
    expected = [0.0, 0.8413447460685429, -(1 - 0.8413447460685429), 2 * 0.9772498680518208]
    assert gelu(x).tolist() == pytest.approx(expected, abs=1e-12)


def test_gelu_keeps_float32() -> None:
    assert gelu(np.array([1.0], dtype=np.float32)).dtype == np.float32


@pytest.mark.parametrize(("ids", "limit", "expected"), [
    ([101, 1, 2, 3, 4, 102], 4, [101, 1, 2, 102]),
    ([101, 1, 2, 3, 4, 102], 5, [101, 1, 2, 3, 102]),
    ([101, 1, 2, 102], 4, [101, 1, 2, 102]),
    ([101, 102], 4, [101, 102]),
])
def test_truncate_keeps_cls_and_the_final_sep(ids, limit, expected) -> None:
    assert truncate(ids, limit) == expected


BERT_JSON = {"model_type": "bert", "hidden_act": "gelu", "position_embedding_type": "absolute",
             "num_hidden_layers": 6, "num_attention_heads": 12, "hidden_size": 384,
             "intermediate_size": 1536, "vocab_size": 30522, "max_position_embeddings": 512,
             "type_vocab_size": 2, "layer_norm_eps": 1e-12}


def test_bert_config_reads_every_field_and_lists_16_tensors_a_layer() -> None:
    cfg = BertConfig.from_json(BERT_JSON)
    assert (cfg.n_layer, cfg.n_head, cfg.n_embd, cfg.n_ff, cfg.n_vocab, cfg.n_ctx, cfg.n_type,
            cfg.eps) == (6, 12, 384, 1536, 30522, 512, 2, 1e-12)
    shapes = cfg.shapes()
    assert len(shapes) == 5 + 6 * 16
    assert shapes["encoder.layer.5.intermediate.dense.weight"] == (1536, 384)
    assert shapes["encoder.layer.5.output.dense.weight"] == (384, 1536)
    assert shapes["embeddings.token_type_embeddings.weight"] == (2, 384)


@pytest.mark.parametrize("change", [{"model_type": "roberta"}, {"hidden_act": "gelu_new"},
                                    {"position_embedding_type": "relative_key"}])
def test_bert_config_refuses_an_architecture_the_forward_pass_does_not_implement(change) -> None:
    with pytest.raises(AssertionError):
        BertConfig.from_json(BERT_JSON | change)


# -- SmolLM2's pieces --------------------------------------------------------------------


def test_rms_norm_divides_each_row_by_its_root_mean_square() -> None:
    x = np.array([[3.0, -3.0, 3.0, -3.0], [1.0, 1.0, 1.0, 1.0]])  # RMS 3 and 1
    assert rms_norm(x, np.array([1.0, 2.0, 3.0, 4.0]), eps=0.0).tolist() == [
        [1.0, -2.0, 3.0, -4.0], [1.0, 2.0, 3.0, 4.0]]
    assert rms_norm(np.array([[1.0, 1.0]]), np.ones(2), eps=3.0).tolist() == [[0.5, 0.5]]
    assert rms_norm(np.array([3.0, -3.0]), np.ones(2), eps=0.0).tolist() == [1.0, -1.0]  # one vector


def test_rope_tables_use_angle_position_times_base_to_the_minus_2i_over_d() -> None:
    cos, sin = rope_tables(np.array([0, 1, 2]), dim=4, base=100.0)
    angles = [[0.0, 0.0], [1.0, 0.1], [2.0, 0.2]]  # inverse frequencies 100^0 and 100^(-1/2)
    assert cos.dtype == sin.dtype == np.float32
    assert cos.tolist() == [pytest.approx([math.cos(a) for a in row]) for row in angles]
    assert sin.tolist() == [pytest.approx([math.sin(a) for a in row]) for row in angles]


def test_rope_rotates_adjacent_pairs() -> None:
    x = np.array([[[1.0, 0.0, 0.0, 1.0]]])  # [h=1, n=1, d=4]: pairs (1, 0) and (0, 1)
    cos, sin = np.array([[0.0, -1.0]]), np.array([[1.0, 0.0]])  # 90 and 180 degrees
    assert rope(x, cos, sin).tolist() == [[[0.0, 1.0, 0.0, -1.0]]]
    x = np.array([[[2.0, 3.0]]])  # one pair, rotated by 90 degrees: (2, 3) -> (-3, 2)
    assert rope(x, np.array([[0.0]]), np.array([[1.0]])).tolist() == [[[-3.0, 2.0]]]


def test_rope_scores_depend_only_on_the_distance_between_positions() -> None:
    q = np.array([[[0.3, -1.2, 0.7, 0.5]]])
    k = np.array([[[1.1, 0.4, -0.6, 0.9]]])

    def score(m: int, n: int) -> float:
        cos_m, sin_m = rope_tables(np.array([m]), 4, 10000.0)
        cos_n, sin_n = rope_tables(np.array([n]), 4, 10000.0)
        return float((rope(q, cos_m, sin_m) * rope(k, cos_n, sin_n)).sum())

    assert score(3, 1) == pytest.approx(score(7, 5), abs=1e-5)
    assert score(3, 1) != pytest.approx(score(3, 2), abs=1e-3)


def test_causal_attention_lets_each_token_see_itself_and_earlier_tokens_only() -> None:
    q = np.zeros((1, 2, 1))  # every score 0: weights uniform over the visible keys
    v = np.array([[[2.0], [4.0]]])
    out, att = causal_attention(q, np.zeros((1, 2, 1)), v, n_past=0)
    assert att.tolist() == [[[1.0, 0.0], [0.5, 0.5]]]
    assert out.tolist() == [[2.0], [3.0]]


def test_causal_attention_with_a_cache_shifts_the_mask_by_the_past_tokens() -> None:
    q = np.zeros((1, 1, 1))
    _, att = causal_attention(q, np.zeros((1, 3, 1)), np.zeros((1, 3, 1)), n_past=2)
    assert att.tolist() == [[pytest.approx([1 / 3, 1 / 3, 1 / 3])]]
    _, att = causal_attention(q, np.zeros((1, 3, 1)), np.zeros((1, 3, 1)), n_past=1)
    assert att.tolist() == [[[0.5, 0.5, 0.0]]]


def test_causal_attention_scales_scores_by_the_root_of_the_head_dimension() -> None:
    q = np.array([[[0.0, 0.0, 0.0, 0.0], [2 * LN3, 0.0, 0.0, 0.0]]])  # d = 4: divide by 2
    k = np.array([[[0.0, 0.0, 0.0, 0.0], [1.0, 0.0, 0.0, 0.0]]])
    _, att = causal_attention(q, k, np.zeros((1, 2, 4)), n_past=0)
    assert att[0, 1].tolist() == pytest.approx([0.25, 0.75])


def test_grouped_query_heads_share_their_groups_key_value_head() -> None:
    q = np.zeros((4, 1, 1))  # 4 query heads, 2 key/value heads: heads 0, 1 -> 0 and 2, 3 -> 1
    v = np.array([[[1.0]], [[2.0]]])
    out, att = causal_attention(q, np.zeros((2, 1, 1)), v, n_past=0)
    assert out.tolist() == [[1.0, 1.0, 2.0, 2.0]]  # [n, h*d], heads in order
    assert att.shape == (4, 1, 1)
    q = np.array([[[0.0, 0.0], [0.0, 0.0]], [[0.0, 0.0], [5.0, 0.0]]])  # 2 heads, 2 tokens, d=2
    k = np.array([[[0.0, 0.0], [1.0, 0.0]]])
    v = np.array([[[1.0, 10.0], [3.0, 30.0]]])
    out, att = causal_attention(q, k, v, n_past=0)
    w = 1 / (1 + math.exp(-5 / math.sqrt(2)))  # head 1, token 1: weight on key 1
    assert att[0, 1].tolist() == [0.5, 0.5]
    assert att[1, 1].tolist() == pytest.approx([1 - w, w])
    assert out[1].tolist() == pytest.approx([2.0, 20.0, 1 + 2 * w, 10 + 20 * w])


def test_split_heads_cuts_each_row_into_consecutive_head_slices() -> None:
    x = np.arange(12.0).reshape(2, 6)  # [n=2, h*d=6] -> [h=3, n=2, d=2]
    heads = split_heads(x, 3)
    assert heads.shape == (3, 2, 2)
    assert heads[1, 0].tolist() == [2.0, 3.0] and heads[2, 1].tolist() == [10.0, 11.0]


def test_silu_is_x_times_the_logistic_function() -> None:
    x = np.array([0.0, LN3, -LN3])  # logistic(ln 3) = 3/4, logistic(-ln 3) = 1/4
    assert silu(x).tolist() == pytest.approx([0.0, 0.75 * LN3, -0.25 * LN3])


GGUF_FIELDS = {
    "general.architecture": "llama", "llama.block_count": 30, "llama.embedding_length": 576,
    "llama.feed_forward_length": 1536, "llama.attention.head_count": 9,
    "llama.attention.head_count_kv": 3, "llama.vocab_size": 49152, "llama.context_length": 8192,
    "llama.rope.freq_base": 100000.0, "llama.rope.dimension_count": 64,
    "llama.attention.layer_norm_rms_epsilon": 1e-5,
}


def test_llama_config_reads_each_metadata_field(monkeypatch) -> None:
    monkeypatch.setattr(smollm2_module, "gguf_field", GGUF_FIELDS.__getitem__)
    cfg = LlamaConfig.from_gguf()
    assert {k: getattr(cfg, k) for k in DOCUMENTED} == DOCUMENTED
    assert (cfg.n_ctx, cfg.rope_dim, cfg.eps, cfg.head_dim) == (8192, 64, 1e-5, 64)
    tied, untied = cfg.shapes(tied=True), cfg.shapes(tied=False)
    assert len(tied) == 2 + 30 * 9 and set(untied) - set(tied) == {"output.weight"}
    assert untied["output.weight"] == (49152, 576) and tied["blk.29.attn_k.weight"] == (192, 576)
    assert tied["blk.0.ffn_down.weight"] == (576, 1536) and tied["blk.0.ffn_up.weight"] == (1536, 576)


@pytest.mark.parametrize("change", [
    {"general.architecture": "gpt2"},
    {"llama.block_count": 31},
    {"llama.rope.dimension_count": 32},  # partial rotary embedding
    {"llama.attention.head_count_kv": 4, "llama.attention.head_count": 9},
])
def test_llama_config_refuses_a_file_unlike_the_documented_one(monkeypatch, change) -> None:
    monkeypatch.setattr(smollm2_module, "gguf_field", (GGUF_FIELDS | change).__getitem__)
    with pytest.raises(AssertionError) as error:
        LlamaConfig.from_gguf()
    if "llama.rope.dimension_count" in change:
        assert str(error.value) == "partial rotary embedding is not implemented"
