"""The registry of figure kinds: one :class:`FigureKind` per kind, and nothing else to edit.

A kind owns everything that makes it a figure: the options an author may write in its
```figure fence (its schema), the models it may run, the function that computes its data,
the shape of that data (a TypedDict in :mod:`aiguide.records`, checked whenever a stored
record is read) and the function that renders it. The spec parser, the precompute tool,
the store and the renderers all look kinds up here, so adding a kind is one entry below
plus its compute and render functions, its page and its tests.

Compute and render functions are named, not imported: computing needs NumPy and the
models, and the renderers import the spec module, which imports this one.
"""

from __future__ import annotations

import importlib
import math
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from aiguide import records
from aiguide.catalog import TOKENIZER_LABELS
from aiguide.errors import GuideError


@dataclass(frozen=True)
class Option:
    """One spec option: its type, default and an extra check returning an error or None."""

    type: type | tuple[type, ...]
    default: Any = None
    required: bool = False
    check: Callable[[Any], str | None] = lambda value: None
    description: str = ""


def _shown(value: Any, limit: int = 60) -> str:
    """A value quoted in an error message, cut short: an error must fit on a screen."""
    text = repr(value)
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _max_length(limit: int) -> Callable[[Any], str | None]:
    def check(text: str) -> str | None:
        if not text.strip():
            return "must not be empty"
        if len(text) > limit:
            return f"is {len(text)} characters long; the limit is {limit} (keep figures small)"
        return None

    return check


def _between(low: float, high: float) -> Callable[[Any], str | None]:
    def check(value: float) -> str | None:
        return None if low <= value <= high else f"must be between {low} and {high}"

    return check


def _tokenizer_list(names: list) -> str | None:
    if not all(isinstance(n, str) for n in names):
        return f"must list tokenizer names; known: {sorted(TOKENIZER_LABELS)}"
    unknown = [n for n in names if n not in TOKENIZER_LABELS]
    if unknown:
        return f"has unknown tokenizer(s) {unknown}; known: {sorted(TOKENIZER_LABELS)}"
    if not names or len(set(names)) != len(names):
        return "must list one or more different tokenizers"
    return None


def _items(items: list) -> str | None:
    if not 2 <= len(items) <= 10:
        return f"must have 2 to 10 entries, not {len(items)}"
    for item in items:
        if not isinstance(item, str) or not item.strip() or len(item) > 200:
            return f"entry {_shown(item)} must be a non-empty string of at most 200 characters"
    return None


CHAT_ROLES = ("system", "user", "assistant")


def _messages(messages: list) -> str | None:
    """Earlier turns of a chat: ``[{role: system, content: ...}, {role: user, ...}]``."""
    if not 1 <= len(messages) <= 6:
        return f"must list 1 to 6 messages, not {len(messages)}"
    for n, message in enumerate(messages, start=1):
        if not isinstance(message, dict) or set(message) != {"role", "content"}:
            return f"message {n} must be a mapping with exactly `role` and `content`"
        if message["role"] not in CHAT_ROLES:
            return f"message {n} has role {_shown(message['role'])}; use one of {', '.join(CHAT_ROLES)}"
        if not isinstance(message["content"], str) or not message["content"].strip():
            return f"message {n} needs a non-empty `content` string"
    if sum(len(m["content"]) for m in messages) > 900:
        return "holds more than 900 characters of content (keep figures small)"
    return None


def _temperatures(values: list) -> str | None:
    if not 1 <= len(values) <= 4:
        return "must list 1 to 4 temperatures"
    if not all(isinstance(v, (int, float)) and not isinstance(v, bool) and 0 < v <= 5
               for v in values):
        return "must be numbers greater than 0 and at most 5"
    return None


def _on_grid(low: float, high: float, step: float) -> Callable[[Any], str | None]:
    """A value a slider can land on: ``low``, ``low + step``, ... ``high``."""

    def check(value: float) -> str | None:
        steps = (value - low) / step
        if (math.isfinite(steps) and low - 1e-9 <= value <= high + 1e-9
                and abs(steps - round(steps)) < 1e-6):
            return None
        return f"must be a multiple of {step:g} from {low:g} to {high:g} (a slider position)"

    return check


def _top_k_stop(value: int) -> str | None:
    if value == 0 or value in EXPLORER_TOP_K:
        return None
    return f"must be 0 (no limit) or one of {', '.join(map(str, EXPLORER_TOP_K))}"


def _even(value: int) -> str | None:
    return None if value % 2 == 0 and 2 <= value <= 256 else "must be even, 2 to 256"


# The decoding explorer's sliders: the spec's settings must be positions they can show.
EXPLORER_TEMPERATURE = (0.05, 2.0, 0.05)  # low, high, step
EXPLORER_TOP_P = (0.05, 1.0, 0.05)  # 1 keeps everything
EXPLORER_TOP_K = (1, 2, 3, 5, 10, 20, 50, 100, 200, 500, 1000)  # then 0: no limit

CAPTION = Option(str, check=_max_length(400), description="what the reader should notice")
_TEXT = Option(str, required=True, check=_max_length(200), description="the input text")
_MODEL = Option(str, required=True, description="which model computes it")
_LAYER = Option(int, default=1, description="layer, counted from 1")
_PROMPT = Option(str, required=True, check=_max_length(300), description="the prompt")
_CHAT = Option(bool, default=False, description="render the prompt through the chat template")


# -- The registry ----------------------------------------------------------------------


@dataclass(frozen=True)
class FigureKind:
    """One kind of figure: what an author writes, what it runs, what it stores, how it draws.

    ``models`` are the names its ``model:`` option accepts (empty: the kind takes none);
    ``compute`` and ``render`` are ``"module:function"`` names, resolved when first used.
    """

    name: str
    summary: str
    schema: dict[str, Option]
    models: tuple[str, ...]
    record: type
    compute: str
    render: str

    def compute_function(self) -> Callable[[dict[str, Any]], tuple[dict, list[str]]]:
        """``params -> (data, models used)``; loads NumPy and, when called, the models."""
        return _resolve(self.compute)

    def render_function(self) -> Callable[..., str]:
        """``(data, *, key, caption) -> "<figure>…</figure>"``."""
        return _resolve(self.render)


def _resolve(name: str) -> Callable[..., Any]:
    module, function = name.split(":")
    return getattr(importlib.import_module(module), function)


KINDS: dict[str, FigureKind] = {kind.name: kind for kind in (
    FigureKind(
        name="tokens",
        summary="Each tokenizer's pieces of one text, with ids and character spans.",
        schema={
            "text": Option(str, required=True, check=_max_length(500), description="the text"),
            "tokenizers": Option(
                list, default=["cl100k_base", "minilm", "smollm2"], check=_tokenizer_list
            ),
            "chat": _CHAT,
            "messages": Option(list, check=_messages,
                               description="earlier chat turns rendered before `text` (needs chat)"),
        },
        models=(),
        record=records.TokensData,
        compute="aiguide.compute:compute_tokens",
        render="aiguide.render.tokens:render",
    ),
    FigureKind(
        name="attention",
        summary="One attention head as a heatmap, optionally one token's row.",
        schema={
            "model": _MODEL,
            "text": _TEXT,
            "layer": _LAYER,
            "head": Option(int, default=1, description="head, counted from 1"),
            "focus": Option((str, int), description="a token (its text) whose row is shown alone"),
        },
        models=("minilm", "smollm2"),
        record=records.AttentionData,
        compute="aiguide.compute:compute_attention",
        render="aiguide.render.attention:render",
    ),
    FigureKind(
        name="attention-heads",
        summary="Every head of one layer, small multiples.",
        schema={
            "model": _MODEL,
            "text": Option(str, required=True, check=_max_length(120)),
            "layer": _LAYER,
        },
        models=("minilm", "smollm2"),
        record=records.AttentionHeadsData,
        compute="aiguide.compute:compute_attention_heads",
        render="aiguide.render.attention:render_heads",
    ),
    FigureKind(
        name="similarity",
        summary="Cosine similarity of sentence embeddings (an encoder's).",
        schema={"model": _MODEL, "items": Option(list, required=True, check=_items)},
        models=("minilm",),
        record=records.SimilarityData,
        compute="aiguide.compute:compute_similarity",
        render="aiguide.render.similarity:render",
    ),
    FigureKind(
        name="next-token",
        summary="The next-token distribution at a few temperatures (a decoder's).",
        schema={
            "model": _MODEL,
            "prompt": _PROMPT,
            "chat": _CHAT,
            "temperatures": Option(list, default=[1.0], check=_temperatures),
            "top_k": Option(int, default=10, check=_between(1, 50)),
            "top_p": Option(float, default=0.9, check=_between(0.01, 1.0)),
            "candidates": Option(int, default=50, check=_between(10, 400)),
        },
        models=("smollm2",),
        record=records.NextTokenData,
        compute="aiguide.compute:compute_next_token",
        render="aiguide.render.next_token:render",
    ),
    FigureKind(
        name="decoding-explorer",
        summary="Temperature, top-k and top-p on one prompt, redone in the browser.",
        schema={
            "model": _MODEL,
            "prompt": _PROMPT,
            "chat": _CHAT,
            "temperature": Option(float, default=0.7, check=_on_grid(*EXPLORER_TEMPERATURE),
                                  description="temperature before the reader moves a slider"),
            "top_k": Option(int, default=0, check=_top_k_stop, description="top-k; 0 keeps all"),
            "top_p": Option(float, default=0.9, check=_on_grid(*EXPLORER_TOP_P),
                            description="top-p; 1 keeps all"),
            "bars": Option(int, default=10, check=_between(3, 20), description="candidates drawn"),
        },
        models=("smollm2",),
        record=records.DecodingExplorerData,
        compute="aiguide.compute:compute_decoding_explorer",
        render="aiguide.render.decoding:render",
    ),
    FigureKind(
        name="generation",
        summary="Greedy generation step by step, with the runners-up.",
        schema={
            "model": _MODEL,
            "prompt": _PROMPT,
            "chat": _CHAT,
            "steps": Option(int, default=12, check=_between(1, 32)),
            "alternatives": Option(int, default=5, check=_between(1, 10)),
        },
        models=("smollm2",),
        record=records.GenerationData,
        compute="aiguide.compute:compute_generation",
        render="aiguide.render.generation:render",
    ),
    FigureKind(
        name="positions",
        summary="Sinusoidal positional encodings; no model.",
        schema={
            "positions": Option(int, default=32, check=_between(2, 128)),
            "dims": Option(int, default=64, check=_even),
        },
        models=(),
        record=records.PositionsData,
        compute="aiguide.compute:compute_positions",
        render="aiguide.render.positions:render",
    ),
)}


def figure_kind(name: object) -> FigureKind:
    """The registered kind called ``name``; anything else is an error listing the known ones."""
    try:
        return KINDS[name]  # type: ignore[index]
    except (KeyError, TypeError):
        raise GuideError(f"unknown figure kind {name!r}",
                         fix=f"use one of: {', '.join(KINDS)}") from None
