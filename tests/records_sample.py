"""Realistic figure records for renderer tests, built without any model.

Shapes follow ``aiguide.records``; numbers are made with a seeded generator and rounded
like the store does, so rows sum to 1 (to rounding), causal rows have exact zeros above
the diagonal and similarity matrices are symmetric with a diagonal of 1.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

EVIL = "</script><img src=x onerror=alert(1)>"

SENTENCE = [  # 24 tokens, byte-level BPE style: words carry their leading space
    "<|im_start|>", "The", " animal", " didn", "'t", " cross", " the", " street",
    " because", " it", " was", " too", " tired", ".", "\n", "It", " slept", " under",
    " a", " tree", " ", "<0xF0>", "<0x9F>", "<|im_end|>",
]
WORDPIECE = [  # 16 tokens, WordPiece style
    "[CLS]", "the", "animal", "didn", "'", "t", "cross", "the", "street", "because",
    "it", "was", "too", "tire", "##d", "[SEP]",
]


def _round(values: np.ndarray) -> list:
    """Round like ``aiguide.store`` (6 significant digits), as plain Python floats."""
    return [_round(v) for v in values] if values.ndim > 1 else [float(f"{v:.6g}") for v in values]


def _softmax_rows(logits: np.ndarray, causal: bool) -> np.ndarray:
    n = logits.shape[-1]
    if causal:
        logits = np.where(np.tril(np.ones((n, n), dtype=bool)), logits, -np.inf)
    e = np.exp(logits - logits.max(axis=-1, keepdims=True))
    return e / e.sum(axis=-1, keepdims=True)


def _attention(n: int, seed: int, causal: bool, boost: tuple[int, int] | None = None):
    rng = np.random.default_rng(seed)
    logits = rng.normal(0, 2.0, (n, n))  # [n_query, n_key]
    if boost:
        logits[boost] += 5.0
    return _softmax_rows(logits, causal)


def _record(kind: str, data: dict[str, Any], spec: dict[str, Any] | None = None) -> dict:
    return {
        "key": f"{kind}-0123456789ab",
        "kind": kind,
        "spec": {"kind": kind, **(spec or {})},
        "provenance": {"tool_version": "1", "models": [], "libraries": {}},
        "data": data,
    }


def tokens_record() -> dict:
    text = "I love tokenizing\n🙂"
    cl100k = [
        (40, "I", 0, 1), (3021, " love", 1, 6), (4037, " token", 6, 12),
        (4954, "izing", 12, 17), (198, "\n", 17, 18), (9468, "<0xF0>", 18, 18),
        (247, "<0x9F>", 18, 18), (224, "<0x82>", 18, 19),
    ]
    minilm = [
        (101, "[CLS]", 0, 0), (1045, "i", 0, 1), (2293, "love", 2, 6),
        (19204, "token", 7, 12), (6026, "##izing", 12, 17), (100, "[UNK]", 18, 19),
        (102, "[SEP]", 19, 19),
    ]
    return _record("tokens", {
        "text": text,
        "tokenizers": [
            _tokenization("cl100k_base", "GPT-4 (cl100k_base)", text, cl100k),
            _tokenization("minilm", "all-MiniLM-L6-v2 (WordPiece)", text, minilm),
        ],
    })


def _tokenization(name: str, label: str, text: str, rows: list[tuple]) -> dict:
    tokens = [{"id": i, "text": t, "start": s, "end": e} for i, t, s, e in rows]
    return {
        "name": name,
        "label": label,
        "tokens": tokens,
        "count": len(tokens),
        "chars_per_token": round(len(text) / len(tokens), 4),
    }


def attention_record(focus: int | None = 9, causal: bool = True) -> dict:
    tokens = SENTENCE
    weights = _attention(len(tokens), seed=1, causal=causal, boost=(9, 2))  # " it" -> " animal"
    return _record("attention", {
        "model": "smollm2",
        "model_label": "SmolLM2-135M-Instruct (Q4_1)",
        "layer": 2,
        "head": 6,
        "n_layers": 30,
        "n_heads": 9,
        "tokens": tokens,
        "weights": _round(weights),
        "focus": focus,
    })


def heads_record(causal: bool = False) -> dict:
    tokens = WORDPIECE
    heads = [_attention(len(tokens), seed=10 + h, causal=causal) for h in range(12)]
    return _record("attention-heads", {
        "model": "minilm",
        "model_label": "all-MiniLM-L6-v2",
        "layer": 4,
        "n_layers": 6,
        "n_heads": 12,
        "tokens": tokens,
        "heads": [_round(w) for w in heads],
    })


def similarity_record() -> dict:
    items = [
        "The cat sits on the mat.",
        "A kitten is resting on a rug.",
        "Stock markets fell sharply today.",
        "Investors sold shares as prices dropped.",
        "I love  coding\n in Python.",
    ]
    rng = np.random.default_rng(3)
    base = rng.normal(size=(3, 32))
    emb = np.stack([base[0], base[0] + 0.6 * rng.normal(size=32), base[1],
                    base[1] + 0.7 * rng.normal(size=32), -0.3 * base[0] + base[2]])
    emb /= np.linalg.norm(emb, axis=1, keepdims=True)
    matrix = emb @ emb.T  # [items, items]
    np.fill_diagonal(matrix, 1.0)
    return _record("similarity", {
        "model": "minilm",
        "model_label": "all-MiniLM-L6-v2",
        "items": items,
        "matrix": _round((matrix + matrix.T) / 2),
    })


def next_token_record(temperatures: tuple[float, ...] = (0.7, 1.0, 1.5)) -> dict:
    rng = np.random.default_rng(4)
    vocab = 49152
    logits = np.sort(rng.normal(0, 2.5, vocab))[::-1].copy()
    logits[:4] += [9.0, 7.5, 6.0, 4.0]
    texts = [" Paris", " a", " the", " located", "\n", " not", " one", " known", " Lyon",
             " also", " situated", " called", " ", " in", " famous", "…"]
    n_logits, top_k, top_p = 50, 10, 0.9
    candidates = [
        {"id": 100 + i, "text": texts[i] if i < len(texts) else f" word{i}",
         "logit": float(f"{logits[i]:.6g}")}
        for i in range(n_logits)
    ]
    probs, cuts, entropy, lse = {}, {}, {}, {}
    for t in temperatures:
        key = str(t)
        z = logits / t
        m = z.max()
        log_z = m + math.log(np.exp(z - m).sum())
        p = np.exp(z - log_z)  # [vocab], descending
        probs[key] = _round(p[:top_k])
        cuts[key] = int(np.searchsorted(np.cumsum(p), top_p) + 1)
        entropy[key] = float(f"{-(p * np.log2(np.maximum(p, 1e-300))).sum():.6g}")
        lse[key] = float(f"{log_z:.6g}")
    return _record("next-token", {
        "model": "smollm2",
        "model_label": "SmolLM2-135M-Instruct (Q4_1)",
        "prompt": "The capital of France is ",
        "prompt_tokens": [
            {"id": 504, "text": "The", "start": 0, "end": 3},
            {"id": 3575, "text": " capital", "start": 3, "end": 11},
            {"id": 282, "text": " of", "start": 11, "end": 14},
            {"id": 4649, "text": " France", "start": 14, "end": 21},
            {"id": 314, "text": " is", "start": 21, "end": 24},
            {"id": 216, "text": " ", "start": 24, "end": 25},
        ],
        "chat": False,
        "candidates": candidates,
        "temperatures": list(temperatures),
        "top_k_shown": top_k,
        "top_p": top_p,
        "probs": probs,
        "top_p_cut": cuts,
        "entropy": entropy,
        "logsumexp": lse,
    })


def decoding_explorer_record(temperature: float = 0.7, top_k: int = 0, top_p: float = 0.9,
                             bars: int = 10) -> dict:
    """A spread-out distribution over a 49,152-token vocabulary: 300 exact candidates and
    the tail in rank groups, as ``aiguide.compute.tail_groups`` makes them."""
    from aiguide.compute import tail_groups

    rng = np.random.default_rng(6)
    logits = np.sort(rng.normal(0, 2.5, 49152))[::-1].copy()
    logits[:6] += [6.0, 5.8, 5.2, 5.1, 4.0, 3.0]
    logits = np.sort(logits)[::-1]
    texts = [" small", " town", " woman", " young", " time", " place", " company", "\n",
             " <0xE2>", " man", " group", " person"]
    candidates = [
        {"id": 1000 + i, "text": texts[i] if i < len(texts) else f" word{i}",
         "logit": float(f"{logits[i]:.6g}")}
        for i in range(300)
    ]
    tail = tail_groups(logits[300:], start=300)
    return _record("decoding-explorer", {
        "model": "smollm2",
        "model_label": "SmolLM2-135M-Instruct (Q4_1)",
        "prompt": "Once upon a time, there was a",
        "prompt_tokens": [{"id": 100 + i, "text": t, "start": 0, "end": 0}
                          for i, t in enumerate(["Once", " upon", " a", " time", ",", " there",
                                                 " was", " a"])],
        "chat": False,
        "vocab_size": 49152,
        "candidates": candidates,
        "tail": {"logits": [float(f"{v:.6g}") for v in tail["logits"]], "counts": tail["counts"]},
        "temperature": temperature,
        "top_k": top_k,
        "top_p": top_p,
        "bars": bars,
    })


def generation_record() -> dict:
    words = [" Paris", ".", " It", " is", " known", " for", " the", " Eiffel", " Tower",
             ",", "\n", "<|im_end|>"]
    steps = []
    rng = np.random.default_rng(5)
    for i, word in enumerate(words):
        p = np.sort(rng.dirichlet(np.ones(5) * 0.6))[::-1]
        alts = [{"id": 1000 * i + j, "text": word if j == 0 else f" alt{j}",
                 "prob": float(f"{p[j]:.6g}")} for j in range(5)]
        chosen = alts[1] if i == 3 else alts[0]  # one sampled step that was not the top
        steps.append({"chosen": chosen, "alternatives": alts})
    return _record("generation", {
        "model": "smollm2",
        "model_label": "SmolLM2-135M-Instruct (Q4_1)",
        "prompt": "What is the capital of France?",
        "chat": True,
        "steps": steps,
        "output": "".join(s["chosen"]["text"] for s in steps),
    })


def positions_record(positions: int = 32, dims: int = 64) -> dict:
    pos = np.arange(positions)[:, None]  # [positions, 1]
    i = np.arange(dims // 2)[None, :]  # [1, dims/2]
    angle = pos / 10000 ** (2 * i / dims)  # [positions, dims/2]
    matrix = np.empty((positions, dims))
    matrix[:, 0::2], matrix[:, 1::2] = np.sin(angle), np.cos(angle)
    return _record("positions", {"positions": positions, "dims": dims, "matrix": _round(matrix)})


SAMPLES = {
    "tokens": tokens_record,
    "attention": attention_record,
    "attention-heads": heads_record,
    "similarity": similarity_record,
    "next-token": next_token_record,
    "decoding-explorer": decoding_explorer_record,
    "generation": generation_record,
    "positions": positions_record,
}


def model_names(record: dict) -> list[str]:
    """What the caption must name: the model, the tokenizers, or the formula."""
    data = record["data"]
    if record["kind"] == "tokens":
        return [t["label"] for t in data["tokenizers"]]
    if record["kind"] == "positions":
        return ["Vaswani et al. (2017)"]
    return [data["model_label"]]


def poisoned(record: dict) -> dict:
    """The same record with markup injected into every string a reader can see."""
    data = record["data"]
    kind = record["kind"]
    if "model_label" in data:
        data["model_label"] = EVIL
    if kind == "tokens":
        data["text"] = EVIL + data["text"]
        for t in data["tokenizers"]:
            t["label"] = EVIL
            t["tokens"][1]["text"] = EVIL
    elif kind in ("attention", "attention-heads"):
        data["tokens"] = [EVIL] + data["tokens"][1:]
    elif kind == "similarity":
        data["items"][0] = EVIL
    elif kind in ("next-token", "decoding-explorer"):
        data["prompt"] = EVIL
        data["candidates"][0]["text"] = EVIL
    elif kind == "generation":
        data["prompt"] = data["output"] = EVIL
        data["steps"][0]["chosen"]["text"] = EVIL
        data["steps"][0]["alternatives"][0]["text"] = EVIL
    return record
