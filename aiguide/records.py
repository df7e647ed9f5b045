"""The data contract between the precompute tool (``aiguide.compute``) and the renderers.

A figure record is one JSON file under ``data/figures/``. Its ``data`` member has one of
the shapes below, chosen by ``kind``. Renderers read only these members, so a record is
the whole interface: a renderer can be tested on a stored record with no model loaded.

Token display strings (``Token.text``) keep real spaces and newlines (the renderer makes
them visible); a byte piece that is not a whole UTF-8 character is shown as ``<0xE2>``, and
WordPiece continuations keep their ``##`` prefix.

Example record (abridged)::

    {
      "key": "tokens-3f9a0c1b2d4e",
      "kind": "tokens",
      "spec": {"kind": "tokens", "text": "I love coding", "tokenizers": ["cl100k_base"]},
      "provenance": {"tool_version": "1", "models": [...], "libraries": {...}},
      "data": {"text": "I love coding", "tokenizers": [...]}
    }
"""

from __future__ import annotations

from types import UnionType
from typing import Any, TypedDict, Union, get_args, get_origin, get_type_hints, is_typeddict


class Token(TypedDict):
    """One token: ``text[start:end]`` of the original string is what it covers.

    Example: ``{"id": 3021, "text": " love", "start": 1, "end": 6}``.
    Tokens the tokenizer adds itself (MiniLM's ``[CLS]``/``[SEP]``) have ``start == end``;
    a special token written in the text (``<|im_start|>`` in a rendered chat) covers it.
    """

    id: int
    text: str
    start: int
    end: int


class Tokenization(TypedDict):
    name: str  # registry id, e.g. "cl100k_base"
    label: str  # for readers, e.g. "GPT-4 (cl100k_base)"
    tokens: list[Token]
    count: int
    chars_per_token: float


class TokensData(TypedDict):
    text: str
    tokenizers: list[Tokenization]


class AttentionData(TypedDict):
    """One head: ``weights[q][k]`` is how much query token q attends to key token k.

    Rows sum to 1 (softmax over keys). Causal models have zeros above the diagonal.
    """

    model: str
    model_label: str
    layer: int  # 0-based
    head: int  # 0-based
    n_layers: int
    n_heads: int
    tokens: list[str]
    weights: list[list[float]]
    focus: int | None  # index of the token whose row is shown on its own, or None


class AttentionHeadsData(TypedDict):
    """Every head of one layer: ``heads[h][q][k]``."""

    model: str
    model_label: str
    layer: int
    n_layers: int
    n_heads: int
    tokens: list[str]
    heads: list[list[list[float]]]


class SimilarityData(TypedDict):
    """Cosine similarity of L2-normalised sentence embeddings: ``matrix[i][j]``, symmetric."""

    model: str
    model_label: str
    items: list[str]
    matrix: list[list[float]]


class Candidate(TypedDict):
    id: int
    text: str
    logit: float


class NextTokenData(TypedDict):
    """Top candidates for the token after ``prompt``.

    ``candidates`` are the top ``n_logits`` tokens by logit (descending). ``probs[t]`` holds,
    for temperature ``t`` (as a string key such as ``"0.7"``), the probability of each of the
    first ``top_k_shown`` candidates under softmax(logits / t) over the *full* vocabulary,
    and ``top_p_cut[t]`` is how many candidates the nucleus of mass ``top_p`` keeps.
    ``logsumexp[t]`` is log(sum(exp(logits / t))) over the full vocabulary, so that a
    browser can recompute exact probabilities for the stored candidates at that t.
    """

    model: str
    model_label: str
    prompt: str
    prompt_tokens: list[Token]
    chat: bool  # True when the prompt was rendered through the chat template
    candidates: list[Candidate]
    temperatures: list[float]
    top_k_shown: int
    top_p: float
    probs: dict[str, list[float]]
    top_p_cut: dict[str, int]
    entropy: dict[str, float]  # in bits, over the full vocabulary
    logsumexp: dict[str, float]


class TokenGroups(TypedDict):
    """Neighbouring tokens by rank, in rank order: group i holds ``counts[i]`` tokens and
    ``logits[i]`` is their log-mean-exp, so ``counts[i] * exp(logits[i])`` is their exact
    total weight at temperature 1 (and close to it at other temperatures)."""

    logits: list[float]
    counts: list[int]


class DecodingExplorerData(TypedDict):
    """Everything a browser needs to redo temperature → top-k → top-p for one prompt.

    ``candidates`` are the top tokens by logit (descending), carried exactly; ``tail``
    summarises the other ``vocab_size - len(candidates)`` tokens, so that sums over the
    whole vocabulary (the softmax normaliser, long top-p nuclei) stay close to exact.
    ``temperature``, ``top_k`` (0 = no limit) and ``top_p`` are the settings drawn
    before the reader moves a slider; ``bars`` is how many candidates are drawn.
    """

    model: str
    model_label: str
    prompt: str
    prompt_tokens: list[Token]
    chat: bool
    vocab_size: int
    candidates: list[Candidate]
    tail: TokenGroups
    temperature: float
    top_k: int
    top_p: float
    bars: int


class Alternative(TypedDict):
    id: int
    text: str
    prob: float


class GenerationStep(TypedDict):
    chosen: Alternative
    alternatives: list[Alternative]  # the top candidates at this step, chosen included


class GenerationData(TypedDict):
    model: str
    model_label: str
    prompt: str
    chat: bool
    steps: list[GenerationStep]
    output: str


class PositionsData(TypedDict):
    """Sinusoidal positional encodings (Vaswani et al. 2017): ``matrix[pos][dim]``."""

    positions: int
    dims: int
    matrix: list[list[float]]


class Provenance(TypedDict):
    tool_version: str
    models: list[dict[str, str]]  # {"name", "file", "sha256", "tokenizer"}
    libraries: dict[str, str]


class Record(TypedDict):
    key: str
    kind: str
    spec: dict
    provenance: Provenance
    data: dict


# -- Checking a stored record against its kind's shape ---------------------------------


def shape_problem(value: Any, shape: Any, where: str = "data") -> str | None:
    """The first place where ``value`` does not have ``shape`` (a TypedDict or a type hint).

    A record is checked when it is read, so a hand-edited, truncated or outdated file fails
    at the figure that uses it instead of deep inside a renderer. Extra members are an
    error too: they are what an outdated record looks like after a member is renamed.

    >>> shape_problem({"positions": 2, "dims": 2, "matrix": [[0.0, 1.0], [1, "x"]]}, PositionsData)
    "data.matrix[1][1] is str ('x'), not float"
    """
    if is_typeddict(shape):
        if not isinstance(value, dict):
            return f"{where} is {type(value).__name__}, not an object"
        hints = get_type_hints(shape)
        missing = [name for name in hints if name not in value]
        if missing:
            return f"{where} has no member {missing[0]!r}"
        extra = sorted(set(value) - set(hints))
        if extra:
            return f"{where} has an unknown member {extra[0]!r}"
        for name, hint in hints.items():
            problem = shape_problem(value[name], hint, f"{where}.{name}")
            if problem:
                return problem
        return None
    origin, args = get_origin(shape), get_args(shape)
    if origin in (Union, UnionType):
        if any(shape_problem(value, option, where) is None for option in args):
            return None
        return f"{where} is {type(value).__name__} ({value!r:.40}), not {_shown(shape)}"
    if origin is list:
        if not isinstance(value, list):
            return f"{where} is {type(value).__name__}, not a list"
        for index, item in enumerate(value):
            problem = shape_problem(item, args[0], f"{where}[{index}]")
            if problem:
                return problem
        return None
    if origin is dict:
        if not isinstance(value, dict):
            return f"{where} is {type(value).__name__}, not an object"
        for key, item in value.items():
            problem = shape_problem(item, args[1], f"{where}[{key!r}]")
            if problem:
                return problem
        return None
    return _scalar_problem(value, shape, where)


def _scalar_problem(value: Any, shape: Any, where: str) -> str | None:
    if shape is type(None):
        ok = value is None
    elif shape is float:  # JSON writes 1.0 as 1.0, but a hand edit may write 1
        ok = isinstance(value, (int, float)) and not isinstance(value, bool)
    elif shape is int:
        ok = isinstance(value, int) and not isinstance(value, bool)
    elif shape is dict or shape is list:
        ok = isinstance(value, shape)
    else:
        ok = isinstance(value, shape)
    return None if ok else f"{where} is {type(value).__name__} ({value!r:.40}), not {_shown(shape)}"


def _shown(shape: Any) -> str:
    return getattr(shape, "__name__", str(shape))
