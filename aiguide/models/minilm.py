"""all-MiniLM-L6-v2 as a NumPy BERT: 6 post-LayerNorm encoder layers, 12 heads, width 384.

Weights are read from the package's ``model.safetensors`` (float32) under the names the file
uses, e.g. ``encoder.layer.0.attention.self.query.weight``; like every ``torch.nn.Linear``
weight, a dense weight is stored ``[out, in]``, hence ``x @ w.T`` below.
"""

from __future__ import annotations

import functools
import json
import math
from dataclasses import dataclass

import numpy as np
from safetensors.numpy import load_file
from threadpoolctl import threadpool_limits

from aiguide.models.numerics import softmax
from aiguide.models.paths import minilm_dir
from aiguide.models.tokenizers import tokenize

Weights = dict[str, np.ndarray]

# One BLAS thread, as in smollm2.py: embedding two sentences took 0.06 s on 1 thread and
# 0.05 s on 2 when idle, 0.09 s on 2 with another process busy.
BLAS_THREADS = 1

# Names in model.safetensors that a sentence embedding does not use.
UNUSED = {"embeddings.position_ids", "pooler.dense.weight", "pooler.dense.bias"}


@dataclass(frozen=True)
class BertConfig:
    """The hyper-parameters from ``config.json`` that the forward pass depends on."""

    n_layer: int
    n_head: int
    n_embd: int
    n_ff: int
    n_vocab: int
    n_ctx: int
    n_type: int
    eps: float

    @classmethod
    def from_json(cls, config: dict) -> BertConfig:
        assert config["model_type"] == "bert" and config["hidden_act"] == "gelu"
        assert config["position_embedding_type"] == "absolute"
        return cls(
            n_layer=config["num_hidden_layers"],
            n_head=config["num_attention_heads"],
            n_embd=config["hidden_size"],
            n_ff=config["intermediate_size"],
            n_vocab=config["vocab_size"],
            n_ctx=config["max_position_embeddings"],
            n_type=config["type_vocab_size"],
            eps=config["layer_norm_eps"],
        )

    def shapes(self) -> dict[str, tuple[int, ...]]:
        """Every tensor the forward pass reads, by its name in model.safetensors."""
        e, f = self.n_embd, self.n_ff
        shapes = {
            "embeddings.word_embeddings.weight": (self.n_vocab, e),
            "embeddings.position_embeddings.weight": (self.n_ctx, e),
            "embeddings.token_type_embeddings.weight": (self.n_type, e),
            "embeddings.LayerNorm.weight": (e,),
            "embeddings.LayerNorm.bias": (e,),
        }
        for i in range(self.n_layer):
            p = f"encoder.layer.{i}."
            for name in ("query", "key", "value"):
                shapes[p + f"attention.self.{name}.weight"] = (e, e)
                shapes[p + f"attention.self.{name}.bias"] = (e,)
            shapes |= {
                p + "attention.output.dense.weight": (e, e),
                p + "attention.output.dense.bias": (e,),
                p + "attention.output.LayerNorm.weight": (e,),
                p + "attention.output.LayerNorm.bias": (e,),
                p + "intermediate.dense.weight": (f, e),
                p + "intermediate.dense.bias": (f,),
                p + "output.dense.weight": (e, f),
                p + "output.dense.bias": (e,),
                p + "output.LayerNorm.weight": (e,),
                p + "output.LayerNorm.bias": (e,),
            }
        return shapes


# --- the pieces of a BERT layer ----------------------------------------------------------------


def layer_norm(x: np.ndarray, g: np.ndarray, b: np.ndarray, eps: float) -> np.ndarray:
    mean = x.mean(axis=-1, keepdims=True)  # [n, e] -> [n, 1]
    var = x.var(axis=-1, keepdims=True)  # [n, e] -> [n, 1]
    return g * (x - mean) / np.sqrt(var + eps) + b  # [n, e]


def linear(x: np.ndarray, w: np.ndarray, b: np.ndarray) -> np.ndarray:
    return x @ w.T + b  # [n, in] @ [in, out] -> [n, out]


_erf = np.frompyfunc(math.erf, 1, 1)  # NumPy has no erf; this one is exact, ~0.1 µs a value


def gelu(x: np.ndarray) -> np.ndarray:
    """BERT's exact GELU, x·Φ(x); the common tanh approximation is off by up to 5e-4."""
    return 0.5 * x * (1.0 + _erf(x / math.sqrt(2.0)).astype(x.dtype))  # [n, f]


def self_attention(x: np.ndarray, w: Weights, p: str, n_head: int) -> tuple[np.ndarray, np.ndarray]:
    """Bidirectional multi-head attention: every token attends to every token."""
    n, e = x.shape
    d = e // n_head
    q = linear(x, w[p + "query.weight"], w[p + "query.bias"])  # [n, e]
    k = linear(x, w[p + "key.weight"], w[p + "key.bias"])  # [n, e]
    v = linear(x, w[p + "value.weight"], w[p + "value.bias"])  # [n, e]
    q, k, v = (t.reshape(n, n_head, d).transpose(1, 0, 2) for t in (q, k, v))  # [h, n, d]
    att = softmax(q @ k.transpose(0, 2, 1) / math.sqrt(d))  # [h, n, d] @ [h, d, n] -> [h, n, n]
    out = (att @ v).transpose(1, 0, 2).reshape(n, e)  # [h, n, n] @ [h, n, d] -> [n, e]
    return out, att


def bert_layer(x: np.ndarray, w: Weights, i: int, cfg: BertConfig) -> tuple[np.ndarray, np.ndarray]:
    """One post-LayerNorm encoder layer (LayerNorm after each residual sum, as in BERT)."""
    p = f"encoder.layer.{i}."
    a, att = self_attention(x, w, p + "attention.self.", cfg.n_head)  # [n, e], [h, n, n]
    a = linear(a, w[p + "attention.output.dense.weight"], w[p + "attention.output.dense.bias"])
    g, b = w[p + "attention.output.LayerNorm.weight"], w[p + "attention.output.LayerNorm.bias"]
    x = layer_norm(x + a, g, b, cfg.eps)  # [n, e]
    h = linear(x, w[p + "intermediate.dense.weight"], w[p + "intermediate.dense.bias"])  # [n, f]
    h = linear(gelu(h), w[p + "output.dense.weight"], w[p + "output.dense.bias"])  # [n, e]
    g, b = w[p + "output.LayerNorm.weight"], w[p + "output.LayerNorm.bias"]
    return layer_norm(x + h, g, b, cfg.eps), att  # [n, e], [h, n, n]


# --- the model -----------------------------------------------------------------------------------


class MiniLM:
    """all-MiniLM-L6-v2: contextual token vectors, attention maps and sentence embeddings."""

    def __init__(self, weights: Weights, cfg: BertConfig) -> None:
        shapes = cfg.shapes()
        assert set(weights) == set(shapes) | UNUSED, set(weights) ^ (set(shapes) | UNUSED)
        for name, shape in shapes.items():
            assert weights[name].shape == shape, (name, weights[name].shape, shape)
            assert weights[name].dtype == np.float32, (name, weights[name].dtype)
        self.w = {name: weights[name] for name in shapes}
        self.cfg = cfg

    def encode(self, text: str) -> list[int]:
        """WordPiece ids with [CLS] first and [SEP] last, as the model was trained."""
        return [t["id"] for t in tokenize("minilm", text, special=True)]

    def forward(self, ids: list[int]) -> tuple[np.ndarray, np.ndarray]:
        """Last hidden states ``[n, 384]`` and every attention map ``[layers=6, heads=12, n, n]``."""
        n = len(ids)
        assert 0 < n <= self.cfg.n_ctx, f"{n} tokens; MiniLM takes 1 to {self.cfg.n_ctx}"
        w = self.w
        with threadpool_limits(limits=BLAS_THREADS, user_api="blas"):
            x = (
                w["embeddings.word_embeddings.weight"][ids]  # [n, e]
                + w["embeddings.position_embeddings.weight"][:n]  # [n, e]
                + w["embeddings.token_type_embeddings.weight"][0]  # [e]: one sentence, type 0
            )
            g, b = w["embeddings.LayerNorm.weight"], w["embeddings.LayerNorm.bias"]
            x = layer_norm(x, g, b, self.cfg.eps)  # [n, e]
            attentions = []
            for i in range(self.cfg.n_layer):
                x, att = bert_layer(x, w, i, self.cfg)  # [n, e], [h, n, n]
                attentions.append(att)
        return x, np.stack(attentions)  # [n, e], [layers, h, n, n]

    def embed(self, texts: list[str]) -> np.ndarray:
        """Sentence embeddings ``[len(texts), 384]``, unit length, so a dot product is a cosine.

        The sentence-transformers recipe for this model: the text cut at
        :func:`max_seq_length` word pieces, mean of the last hidden states over all tokens
        ([CLS] and [SEP] included), then L2 normalisation. Sentences run one at a time, so
        there is no padding and the attention mask is all ones. The figures and the search
        examples both embed through here.
        """
        limit = max_seq_length()
        pooled = np.stack([self.forward(truncate(self.encode(t), limit))[0].mean(axis=0)
                           for t in texts])  # [b, e]
        return pooled / np.linalg.norm(pooled, axis=1, keepdims=True)  # [b, e], unit rows


@functools.cache
def max_seq_length() -> int:
    """Word pieces the model reads per text, from its ``sentence_bert_config.json`` (256)."""
    return json.loads((minilm_dir() / "sentence_bert_config.json").read_text())["max_seq_length"]


def truncate(ids: list[int], limit: int) -> list[int]:
    """Cut token ids to ``limit`` as sentence-transformers does: keep [CLS] and the final [SEP].

    >>> truncate([101, 1, 2, 3, 4, 102], 4)
    [101, 1, 2, 102]
    """
    return ids if len(ids) <= limit else ids[: limit - 1] + ids[-1:]


@functools.cache
def load_minilm() -> MiniLM:
    """The model, loaded once per process."""
    folder = minilm_dir()
    pooling = json.loads((folder / "1_Pooling" / "config.json").read_text())
    assert [k for k, on in pooling.items() if k.startswith("pooling_mode") and on] == [
        "pooling_mode_mean_tokens"
    ], pooling  # embed() implements mean pooling only
    cfg = BertConfig.from_json(json.loads((folder / "config.json").read_text()))
    return MiniLM(load_file(folder / "model.safetensors"), cfg)
