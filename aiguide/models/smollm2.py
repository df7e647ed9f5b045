"""SmolLM2-135M-Instruct as a NumPy Llama, run from the package's Q4_1 GGUF.

Each weight is dequantised to float32 once at load and kept under its GGUF name
(``blk.0.attn_q.weight``). GGUF lists shapes innermost first, so a tensor shown as
``[576, 192]`` in the file is the NumPy array ``[192, 576]`` = ``[out, in]``, hence ``x @ w.T``.

RoPE: llama.cpp's converter permutes the rows of ``attn_q`` and ``attn_k`` so that each head's
rotary pairs are adjacent dimensions (2i, 2i+1), its "normal" rope. We use the weights as
stored with that interleaved rotation. (Hugging Face checkpoints pair i with i + d/2, "rotate
half"; applying that form to these weights still writes fluent text but shifts every attention
map and probability.)

"""

from __future__ import annotations

import functools
import math
from collections import Counter
from dataclasses import dataclass, field

import numpy as np
from gguf.quants import dequantize
from threadpoolctl import threadpool_limits

from aiguide.models.numerics import softmax
from aiguide.models.paths import gguf_field, gguf_reader, smollm2_gguf
from aiguide.models.tokenizers import smollm2_decode, smollm2_token_text, tokenize
from aiguide.records import Alternative, GenerationStep

Weights = dict[str, np.ndarray]

# One OpenBLAS thread, measured on the 2-core build machine (20-token forward pass, 10 greedy
# steps): idle, 1 thread 0.15 s / 0.56 s and 2 threads 0.09 s / 0.38 s; with one other busy
# process, 1 thread 0.16 s / 0.62 s and 2 threads 0.23-0.41 s / 0.98 s. Builds run other work
# at the same time: one thread costs 1.7x on an idle machine, saves up to 2.5x on a busy one,
# and its timings do not scatter.
BLAS_THREADS = 1

# What the pages say about this model; if a different file is installed, loading fails here.
DOCUMENTED = {
    "n_layer": 30,
    "n_embd": 576,
    "n_ff": 1536,
    "n_head": 9,
    "n_head_kv": 3,
    "n_vocab": 49152,
    "rope_base": 100000.0,
}


@dataclass(frozen=True)
class LlamaConfig:
    """Hyper-parameters from the GGUF's ``llama.*`` metadata."""

    n_layer: int
    n_embd: int
    n_ff: int
    n_head: int
    n_head_kv: int
    n_vocab: int
    n_ctx: int
    rope_base: float
    rope_dim: int
    eps: float

    @property
    def head_dim(self) -> int:
        return self.n_embd // self.n_head

    @classmethod
    def from_gguf(cls) -> LlamaConfig:
        assert gguf_field("general.architecture") == "llama"
        cfg = cls(
            n_layer=gguf_field("llama.block_count"),
            n_embd=gguf_field("llama.embedding_length"),
            n_ff=gguf_field("llama.feed_forward_length"),
            n_head=gguf_field("llama.attention.head_count"),
            n_head_kv=gguf_field("llama.attention.head_count_kv"),
            n_vocab=gguf_field("llama.vocab_size"),
            n_ctx=gguf_field("llama.context_length"),
            rope_base=gguf_field("llama.rope.freq_base"),
            rope_dim=gguf_field("llama.rope.dimension_count"),
            eps=gguf_field("llama.attention.layer_norm_rms_epsilon"),
        )
        assert {k: getattr(cfg, k) for k in DOCUMENTED} == DOCUMENTED, cfg
        assert cfg.n_embd % cfg.n_head == 0 and cfg.n_head % cfg.n_head_kv == 0, cfg
        assert cfg.rope_dim == cfg.head_dim, "partial rotary embedding is not implemented"
        return cfg

    def shapes(self, tied: bool) -> dict[str, tuple[int, ...]]:
        """Every tensor in the file, by GGUF name, as a NumPy shape ``[out, in]``."""
        e, f, kv = self.n_embd, self.n_ff, self.n_head_kv * self.head_dim
        shapes = {"token_embd.weight": (self.n_vocab, e), "output_norm.weight": (e,)}
        if not tied:
            shapes["output.weight"] = (self.n_vocab, e)
        for i in range(self.n_layer):
            p = f"blk.{i}."
            shapes |= {
                p + "attn_norm.weight": (e,),
                p + "attn_q.weight": (e, e),
                p + "attn_k.weight": (kv, e),
                p + "attn_v.weight": (kv, e),
                p + "attn_output.weight": (e, e),
                p + "ffn_norm.weight": (e,),
                p + "ffn_gate.weight": (f, e),
                p + "ffn_up.weight": (f, e),
                p + "ffn_down.weight": (e, f),
            }
        return shapes


@dataclass
class KVCache:
    """Keys and values of the tokens seen so far, per layer: ``[n_head_kv, n_past, head_dim]``."""

    k: list[np.ndarray] = field(default_factory=list)
    v: list[np.ndarray] = field(default_factory=list)

    @property
    def n_past(self) -> int:
        return self.k[0].shape[1] if self.k else 0

    def extend(self, layer: int, k: np.ndarray, v: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Append the new tokens' keys and values ``[h_kv, n, d]``; return all ``[h_kv, t, d]``."""
        if layer == len(self.k):
            self.k.append(k)
            self.v.append(v)
        else:
            self.k[layer] = np.concatenate([self.k[layer], k], axis=1)  # [h_kv, t, d]
            self.v[layer] = np.concatenate([self.v[layer], v], axis=1)  # [h_kv, t, d]
        return self.k[layer], self.v[layer]


# --- the pieces of a Llama block -----------------------------------------------------------------


def rms_norm(x: np.ndarray, g: np.ndarray, eps: float) -> np.ndarray:
    rms = np.sqrt(np.mean(x * x, axis=-1, keepdims=True) + eps)  # [n, e] -> [n, 1]
    return g * (x / rms)  # [n, e]


def rope_tables(positions: np.ndarray, dim: int, base: float) -> tuple[np.ndarray, np.ndarray]:
    """cos and sin of each position's angle for each rotary pair: ``[n, dim/2]`` each."""
    inv_freq = base ** (-np.arange(0, dim, 2, dtype=np.float64) / dim)  # [dim/2]
    angles = positions[:, None].astype(np.float64) * inv_freq[None, :]  # [n, dim/2]
    return np.cos(angles).astype(np.float32), np.sin(angles).astype(np.float32)


def rope(x: np.ndarray, cos: np.ndarray, sin: np.ndarray) -> np.ndarray:
    """Rotate each adjacent pair (2i, 2i+1) of every head by its angle (llama.cpp's layout)."""
    even, odd = x[..., 0::2], x[..., 1::2]  # [h, n, d/2] each
    out = np.empty_like(x)  # [h, n, d]
    out[..., 0::2] = even * cos - odd * sin  # [h, n, d/2]
    out[..., 1::2] = even * sin + odd * cos  # [h, n, d/2]
    return out


def causal_attention(
    q: np.ndarray, k: np.ndarray, v: np.ndarray, n_past: int
) -> tuple[np.ndarray, np.ndarray]:
    """Grouped-query attention: query head j reads key/value head j // (n_head / n_head_kv).

    q ``[h, n, d]`` holds the new tokens (positions n_past ...); k, v ``[h_kv, t, d]`` hold all
    t = n_past + n tokens. Returns the mixed values ``[n, h*d]`` and weights ``[h, n, t]``.
    """
    h, n, d = q.shape
    h_kv, t, _ = k.shape
    g = h // h_kv  # query heads per key/value head
    grouped = q.reshape(h_kv, g * n, d)  # [h, n, d] -> [h_kv, g*n, d] (a view, no copy)
    scores = (grouped @ k.transpose(0, 2, 1)).reshape(h, n, t) / math.sqrt(d)  # [h, n, t]
    future = np.triu(np.ones((n, t), dtype=bool), k=n_past + 1)  # [n, t] keys after the query
    att = softmax(np.where(future, -np.inf, scores))  # [h, n, t]
    out = att.reshape(h_kv, g * n, t) @ v  # [h_kv, g*n, t] @ [h_kv, t, d] -> [h_kv, g*n, d]
    return out.reshape(h, n, d).transpose(1, 0, 2).reshape(n, h * d), att  # [n, e], [h, n, t]


def split_heads(x: np.ndarray, n_head: int) -> np.ndarray:
    n, width = x.shape
    return x.reshape(n, n_head, width // n_head).transpose(1, 0, 2)  # [n, h*d] -> [h, n, d]


def silu(x: np.ndarray) -> np.ndarray:
    return x / (1.0 + np.exp(-x))  # [n, f]


def llama_block(
    x: np.ndarray,
    w: Weights,
    i: int,
    cfg: LlamaConfig,
    cos: np.ndarray,
    sin: np.ndarray,
    cache: KVCache,
) -> tuple[np.ndarray, np.ndarray]:
    """One pre-RMSNorm block: x + attention(norm(x)), then + SwiGLU MLP(norm(x)).

    Appends this block's keys and values for the new tokens to ``cache``.
    """
    p = f"blk.{i}."
    n = x.shape[0]
    h = rms_norm(x, w[p + "attn_norm.weight"], cfg.eps)  # [n, e]
    q = split_heads(h @ w[p + "attn_q.weight"].T, cfg.n_head)  # [n, e] -> [h, n, d]
    k = split_heads(h @ w[p + "attn_k.weight"].T, cfg.n_head_kv)  # [n, e] -> [h_kv, n, d]
    v = split_heads(h @ w[p + "attn_v.weight"].T, cfg.n_head_kv)  # [n, e] -> [h_kv, n, d]
    q, k = rope(q, cos, sin), rope(k, cos, sin)  # [h, n, d], [h_kv, n, d]
    k, v = cache.extend(i, k, v)  # [h_kv, t, d] each, t = n_past + n
    a, att = causal_attention(q, k, v, n_past=k.shape[1] - n)  # [n, e], [h, n, t]
    x = x + a @ w[p + "attn_output.weight"].T  # [n, e]
    h = rms_norm(x, w[p + "ffn_norm.weight"], cfg.eps)  # [n, e]
    gate = silu(h @ w[p + "ffn_gate.weight"].T)  # [n, e] -> [n, f]
    up = h @ w[p + "ffn_up.weight"].T  # [n, e] -> [n, f]
    return x + (gate * up) @ w[p + "ffn_down.weight"].T, att  # [n, f] -> [n, e], [h, n, t]


# --- the model -----------------------------------------------------------------------------------


class SmolLM2:
    """SmolLM2-135M-Instruct: next-token logits, attention maps and greedy generation."""

    def __init__(self, weights: Weights, cfg: LlamaConfig) -> None:
        tied = "output.weight" not in weights  # no separate head: logits reuse token_embd
        shapes = cfg.shapes(tied)
        assert set(weights) == set(shapes), set(weights) ^ set(shapes)
        for name, shape in shapes.items():
            assert weights[name].shape == shape, (name, weights[name].shape, shape)
        self.w = weights
        self.cfg = cfg
        self.output = weights["token_embd.weight" if tied else "output.weight"]  # [vocab, e]
        self.eos_id: int = gguf_field("tokenizer.ggml.eos_token_id")  # <|im_end|>

    def encode(self, text: str, special: bool = True) -> list[int]:
        """Token ids; with ``special`` the chat markers (``<|im_start|>``) are single tokens."""
        return [t["id"] for t in tokenize("smollm2", text, special=special)]

    def decode(self, ids: list[int]) -> str:
        return smollm2_decode(ids)

    def token_text(self, token_id: int) -> str:
        """One token as a reader should see it, e.g. ``" Paris"`` or ``"<0xF0><0x9F>"``."""
        return smollm2_token_text(token_id)

    def _hidden(self, ids: list[int], cache: KVCache) -> tuple[np.ndarray, list[np.ndarray]]:
        """Final-normed hidden states ``[n, e]`` of new tokens, and each layer's ``[h, n, t]``."""
        n_past, n = cache.n_past, len(ids)
        assert 0 < n and n_past + n <= self.cfg.n_ctx, f"{n_past}+{n} tokens; max {self.cfg.n_ctx}"
        cos, sin = rope_tables(np.arange(n_past, n_past + n), self.cfg.rope_dim, self.cfg.rope_base)
        x = self.w["token_embd.weight"][ids]  # [n, e]
        attentions = []
        for i in range(self.cfg.n_layer):
            x, att = llama_block(x, self.w, i, self.cfg, cos, sin, cache)  # [n, e], [h, n, t]
            attentions.append(att)
        return rms_norm(x, self.w["output_norm.weight"], self.cfg.eps), attentions  # [n, e]

    def forward(self, ids: list[int]) -> tuple[np.ndarray, np.ndarray]:
        """Logits for every position ``[n, vocab]`` and attentions ``[layers, heads, n, n]``."""
        with threadpool_limits(limits=BLAS_THREADS, user_api="blas"):
            x, attentions = self._hidden(ids, KVCache())  # [n, e]
            return x @ self.output.T, np.stack(attentions)  # [n, vocab], [layers, h, n, n]

    def next_token_logits(self, ids: list[int]) -> np.ndarray:
        """Logits ``[vocab]`` for the token after ``ids``."""
        with threadpool_limits(limits=BLAS_THREADS, user_api="blas"):
            x, _ = self._hidden(ids, KVCache())  # [n, e]
            return x[-1] @ self.output.T  # [e] @ [e, vocab] -> [vocab]

    def prefill(self, ids: list[int]) -> KVCache:
        """Keys and values of ``ids``, to start several generations from one shared prefix.

        A tool-calling system prompt is the same for every question: computing its cache
        once and passing it to :meth:`greedy` saves running it again for each one.
        """
        cache = KVCache()
        with threadpool_limits(limits=BLAS_THREADS, user_api="blas"):
            self._hidden(ids, cache)
        return cache

    def greedy(
        self,
        ids: list[int],
        steps: int,
        top: int = 5,
        *,
        cache: KVCache | None = None,
        stop: tuple[str, ...] = (),
    ) -> list[GenerationStep]:
        """Pick the most probable token ``steps`` times, stopping after <|im_end|>.

        Each step is ``{"chosen": {"id", "text", "prob"}, "alternatives": [...]}``: the
        ``top`` most probable tokens (chosen first), with probabilities from softmax at
        temperature 1 over the full vocabulary. Ties go to the lowest token id (a stable
        sort). Keys and values are cached, so each step runs one token through the model.

        ``cache`` holds a prefix already run by :meth:`prefill` (it is not modified); ``ids``
        then continue it. Generation also stops once the generated text contains a string
        in ``stop``, as an API's stop sequences do (the string is kept in the steps).
        """
        cache = KVCache(k=list(cache.k), v=list(cache.v)) if cache else KVCache()
        new = list(ids)
        result = []
        chosen_ids: list[int] = []
        with threadpool_limits(limits=BLAS_THREADS, user_api="blas"):
            for _ in range(steps):
                x, _ = self._hidden(new, cache)  # [n, e]
                probs = softmax((x[-1] @ self.output.T).astype(np.float64))  # [vocab]
                best = np.argsort(-probs, kind="stable")[:top]  # [top], most probable first
                alternatives = [
                    Alternative(id=int(i), text=self.token_text(int(i)), prob=float(probs[i]))
                    for i in best
                ]
                result.append(GenerationStep(chosen=alternatives[0], alternatives=alternatives))
                new = [int(best[0])]
                chosen_ids.append(new[0])
                if new[0] == self.eos_id or (stop and _contains_any(self.decode(chosen_ids), stop)):
                    break
        return result


def _contains_any(text: str, needles: tuple[str, ...]) -> bool:
    return any(needle in text for needle in needles)


@functools.cache
def load_smollm2() -> SmolLM2:
    """The model, dequantised once per process (about 0.5 GB of float32)."""
    cfg = LlamaConfig.from_gguf()
    weights = {t.name: dequantize(t.data, t.tensor_type) for t in gguf_reader().tensors}
    return SmolLM2(weights, cfg)


def parameter_count() -> int:
    """Weights in the file; a tied output head reuses token_embd and is not counted twice."""
    return sum(int(t.n_elements) for t in gguf_reader().tensors)


def file_facts() -> dict:
    """Facts about the GGUF file that pages cite: size, precision and tensor types.

    ``bits_per_weight`` is tensor bytes × 8 / parameters: Q4_1 stores 32 weights in 20 bytes
    (5 bits each), token_embd is Q8_0 (8.5 bits) and the norms stay float32.
    """
    tensors = gguf_reader().tensors
    tensor_bytes = sum(int(t.n_bytes) for t in tensors)
    parameters = parameter_count()
    by_type: Counter[str] = Counter()
    for t in tensors:
        by_type[t.tensor_type.name] += int(t.n_elements)
    return {
        "file": smollm2_gguf().name,
        "size_bytes": smollm2_gguf().stat().st_size,
        "tensor_bytes": tensor_bytes,
        "parameters": parameters,
        "bits_per_weight": round(tensor_bytes * 8 / parameters, 3),
        "tensor_types": dict(sorted(Counter(t.tensor_type.name for t in tensors).items())),
        "parameters_by_type": dict(sorted(by_type.items())),
    }
