"""Attention: one head as a heatmap (kind "attention"), or every head of a layer as small
multiples (kind "attention-heads").

Rows are queries and columns are keys, as in ``weights[q][k]``. Shading uses a square-root
scale so that attention spread thinly over many tokens is still visible.
"""

from __future__ import annotations

from collections.abc import Sequence

from aiguide.records import AttentionData, AttentionHeadsData
from aiguide.render.html import (
    SEQ,
    RenderError,
    bar,
    check_matrix,
    details,
    esc,
    figure,
    fixed,
    legend,
    looks_special,
    pct,
    scroll,
    seq_level,
    svg_cells,
    table,
    tip,
    token_html,
    token_label,
)

Matrix = Sequence[Sequence[float]]

_SCALE_NOTE = "of a row’s attention (square-root shading, so small weights stay visible)"


def render(data: AttentionData, *, key: str, caption: str | None) -> str:
    tokens, weights = data["tokens"], data["weights"]
    check_matrix(weights, len(tokens), len(tokens), "attention weights (tokens × tokens)")
    focus = data["focus"]
    if focus is not None and not 0 <= focus < len(tokens):
        raise RenderError(f"focus {focus} is not a token index (0 to {len(tokens) - 1})")
    place = f"layer {data['layer'] + 1}, head {data['head'] + 1}"
    where = f"{place} (of {data['n_layers']} layers × {data['n_heads']} heads)"
    body = (
        '<p class="aig-sub">Each row is a token asking (the query); each column is a token '
        "it can look at (the key). Hover or focus a row to see where it looks most.</p>"
        + legend(SEQ, "0%", "100%", _SCALE_NOTE)
        + scroll(_heatmap(tokens, weights), f"Attention heatmap, {len(tokens)} × {len(tokens)}")
        + ("" if focus is None else _focus_view(tokens, weights, focus))
        + details(scroll(_numbers(tokens, weights), "Attention weights table"))
    )
    return figure(
        "attention",
        key,
        summary=(
            f"Heatmap of the attention weights of {data['model_label']}, {where}, "
            f"over {len(tokens)} tokens. {_strongest(tokens, weights)} "
            "The exact weights are in the table after the heatmap."
        ),
        body=body,
        caption=caption or f"Attention weights of one head: {place}.",
        credit=f"Model: {data['model_label']} · {where}",
    )


def render_heads(data: AttentionHeadsData, *, key: str, caption: str | None) -> str:
    tokens, heads = data["tokens"], data["heads"]
    for h, weights in enumerate(heads):
        check_matrix(weights, len(tokens), len(tokens), f"head {h + 1} weights")
    where = f"layer {data['layer'] + 1} (of {data['n_layers']})"
    names = _pattern_names(heads)
    minis = "".join(_mini(h, w, tokens, names) for h, w in enumerate(heads))
    token_list = "".join(
        f'<li><span class="aig-idx">{i + 1}</span> {_label(t)}</li>' for i, t in enumerate(tokens)
    )
    body = (
        f'<p class="aig-sub">One small heatmap per head of {where}. In each, rows are the '
        "tokens asking (queries, top to bottom) and columns the tokens they look at (keys, "
        "left to right), in the order of the token list.</p>"
        + legend(SEQ, "0%", "100%", _SCALE_NOTE)
        + f'<ol class="aig-heads">{minis}</ol>'
        + f'<p class="aig-sub">Tokens, in order:</p><ol class="aig-toklist">{token_list}</ol>'
        + details(scroll(_head_table(heads, tokens, names), "Attention patterns per head"))
    )
    return figure(
        "attention-heads",
        key,
        summary=(
            f"{len(heads)} small heatmaps, one per attention head of {data['model_label']}, "
            f"{where}, over {len(tokens)} tokens. The table after them gives, for each head, "
            "the average attention to the first, previous and same token and its strongest link."
        ),
        body=body,
        caption=caption or f"Every attention head of layer {data['layer'] + 1}.",
        credit=f"Model: {data['model_label']} · {where}, {data['n_heads']} heads",
    )


# -- One head --------------------------------------------------------------------------


def _label(text: str) -> str:
    """A token label; special tokens ([CLS], <|im_start|>) get their own style."""
    cls = ' class="aig-special"' if looks_special(text) else ""
    return f"<span{cls}>{token_html(text)}</span>"


def _heatmap(tokens: list[str], weights: Matrix) -> str:
    head = "".join(f'<th scope="col">{_label(t)}</th>' for t in tokens)
    rows = "".join(
        f'<tr class="aig-hover" tabindex="0"><th scope="row">{_label(t)}'
        f"{tip(_row_tip(tokens, weights[q]))}</th>{_cells(weights[q])}</tr>"
        for q, t in enumerate(tokens)
    )
    return (
        f'<table class="aig-heat"><thead><tr><td></td>{head}</tr></thead>'
        f"<tbody>{rows}</tbody></table>"
    )


def _cells(row: Sequence[float]) -> str:
    """Cells with a shade class; near-zero cells stay bare to keep the page small."""
    return "".join(
        f'<td class="aig-q{level}"></td>' if (level := seq_level(w)) else "<td></td>" for w in row
    )


def _top(row: Sequence[float], n: int = 3) -> list[int]:
    """Indices of the n largest weights, ties broken by position (deterministic)."""
    return sorted(range(len(row)), key=lambda k: (-row[k], k))[:n]


def _row_tip(tokens: list[str], row: Sequence[float]) -> str:
    top = ", ".join(f"{token_label(tokens[k])} {pct(row[k])}" for k in _top(row))
    return esc(f"looks most at {top}")


def _strongest_pair(weights: Matrix) -> tuple[int, int] | None:
    """The (query, key) of the largest weight between two different tokens."""
    pairs = [(q, k) for q in range(len(weights)) for k in range(len(weights)) if q != k]
    return max(pairs, key=lambda p: (weights[p[0]][p[1]], -p[0], -p[1]), default=None)


def _strongest(tokens: list[str], weights: Matrix) -> str:
    """The strongest link as a plain-text sentence (escaped by the caller)."""
    pair = _strongest_pair(weights)
    if pair is None:
        return ""
    q, k = pair
    return (
        f"The strongest link is from {token_label(tokens[q])} to {token_label(tokens[k])} "
        f"({pct(weights[q][k])})."
    )


def _focus_view(tokens: list[str], weights: Matrix, focus: int) -> str:
    """One query's row as bars; keys after its last non-zero weight (masked) are left out."""
    row = weights[focus]
    last = max((k for k, w in enumerate(row) if w > 0), default=0)
    bars = "".join(
        f'<li><span class="aig-lab">{_label(tokens[k])}</span>{bar(row[k])}'
        f'<span class="aig-num">{esc(pct(row[k]))}</span></li>'
        for k in range(last + 1)
    )
    return (
        f'<div class="aig-focusview"><p class="aig-sub">Where {esc(token_label(tokens[focus]))} '
        f"(token {focus + 1}) looks: its row of the heatmap, as bars.</p>"
        f'<ol class="aig-bars">{bars}</ol></div>'
    )


def _weight(w: float) -> str:
    return "0" if w < 0.0005 else fixed(w, 3)


def _numbers(tokens: list[str], weights: Matrix) -> str:
    return table(
        ["query ↓ key →"] + [_label(t) for t in tokens],
        ([_label(tokens[q])] + [_weight(w) for w in row] for q, row in enumerate(weights)),
        caption="Attention weights: each row (query) sums to 1 over the keys.",
    )


# -- Every head of a layer -------------------------------------------------------------


def _is_causal(heads: Sequence[Matrix]) -> bool:
    return all(w[q][k] == 0 for w in heads for q in range(len(w)) for k in range(q + 1, len(w)))


def _pattern_names(heads: Sequence[Matrix]) -> tuple[str, ...]:
    """Patterns worth measuring: "next" and "last" mean nothing in a causal model."""
    if heads and len(heads[0]) > 1:
        return ("first", "previous", "self") + (() if _is_causal(heads) else ("next", "last"))
    return ("first", "self")


def _patterns(weights: Matrix, names: tuple[str, ...]) -> dict[str, float]:
    """Average attention (over queries) to a token at a fixed place relative to the query."""
    n = len(weights)
    where = {
        "first": [(q, 0) for q in range(n)],
        "previous": [(q, q - 1) for q in range(1, n)],
        "self": [(q, q) for q in range(n)],
        "next": [(q, q + 1) for q in range(n - 1)],
        "last": [(q, n - 1) for q in range(n)],
    }
    return {name: sum(weights[q][k] for q, k in where[name]) / len(where[name]) for name in names}


def _dominant(patterns: dict[str, float]) -> str:
    name = max(patterns, key=lambda p: (patterns[p], p))
    return f"{name} {pct(patterns[name], 0)}" if patterns[name] >= 0.4 else "mixed"


def _mini(h: int, weights: Matrix, tokens: list[str], names: tuple[str, ...]) -> str:
    n = len(tokens)
    patterns = _patterns(weights, names)
    shades = [[f"aig-q{level}" if (level := seq_level(w)) else "" for w in row] for row in weights]
    label = f"Head {h + 1}: " + ", ".join(
        f"{pct(patterns[name], 0)} to the {name} token" for name in names
    ) + ". " + _strongest(tokens, weights)
    return (
        f'<li class="aig-head"><svg viewBox="0 0 {n} {n}" role="img" aria-label="{esc(label)}">'
        f'<rect class="aig-frame" width="{n}" height="{n}"/>{svg_cells(shades)}</svg>'
        f'<span class="aig-headname">head {h + 1}</span> '
        f'<span class="aig-pattern">{esc(_dominant(patterns))}</span></li>'
    )


def _head_table(heads: Sequence[Matrix], tokens: list[str], names: tuple[str, ...]) -> str:
    rows = []
    for h, weights in enumerate(heads):
        patterns = _patterns(weights, names)
        pair = _strongest_pair(weights)
        link = "—"
        if pair is not None:
            q, k = pair
            link = f"{_label(tokens[q])} → {_label(tokens[k])} {esc(pct(weights[q][k]))}"
        rows.append([f"head {h + 1}"] + [esc(pct(patterns[n])) for n in names] + [link])
    return table(
        ["head"] + [f"to {name} token" for name in names] + ["strongest link"],
        rows,
        caption="Average attention (over all queries) to a token at a fixed place, per head.",
    )
