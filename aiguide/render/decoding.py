"""Decoding explorer: one prompt's next-token distribution with sliders for temperature,
top-k and top-p.

The server draws the bars at the spec's settings, so the figure reads fine without
JavaScript; ``figures.js`` then shows the sliders and redraws the same elements with
:func:`explore`'s arithmetic, done again in the browser from the JSON in the controls'
``data-explorer`` attribute.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from aiguide.records import DecodingExplorerData
from aiguide.render.html import (
    RenderError,
    bar,
    data_json,
    details,
    esc,
    figure,
    figure_id,
    fixed,
    pct,
    table,
    tip,
    token_html,
    token_label,
)
from aiguide.render.next_token import prompt_html
from aiguide.spec import EXPLORER_TEMPERATURE, EXPLORER_TOP_K, EXPLORER_TOP_P

# How far the explorer may be from the same settings computed over all logits; stated
# under the figure and tested at every slider position in tests/test_decoding_claims.py.
TOLERANCE_PROB = 0.0005  # each probability and the kept mass: 0.05 percentage points
TOLERANCE_ENTROPY = 0.001  # bits
TOLERANCE_TIE = 0.0001  # the kept set may differ only if the running sum of
# probabilities lands this close to top-p (a near-tie that rounding can tip), and then by
TIE_MAX_TOKENS = 2  # at most this many tokens (measured: 2 at T=2, top-p 0.95 on one prompt)
TIE_MAX_PROB = 0.003  # with bars this close to the exact kept set's (measured: 0.0029)


@dataclass(frozen=True)
class Sampled:
    """What the sampler draws from at one setting, as the figure reports it."""

    kept: int  # tokens that survive top-k and top-p
    mass: float  # their share of softmax(logits / T) before rescaling
    entropy: float  # bits, of the rescaled distribution over the kept tokens
    probs: list[float]  # final probability of each drawn candidate (0 when cut)


def explore(data: DecodingExplorerData, temperature: float, top_k: int, top_p: float) -> Sampled:
    """Temperature, then top-k (0 keeps all), then top-p on what top-k kept.

    Tokens are taken in rank order as (weight, count) pairs: each candidate alone, then the
    tail's groups, whose tokens all get the group's weight. ``figures.js`` (``aigExplore``)
    is this function line by line; keep the two in step.
    """
    groups = [(c["logit"], 1) for c in data["candidates"]]
    groups += list(zip(data["tail"]["logits"], data["tail"]["counts"]))
    top = groups[0][0]
    weighted = [(math.exp((logit - top) / temperature), count) for logit, count in groups]
    total = sum(w * n for w, n in weighted)
    kept = []
    left = top_k or math.inf
    for w, n in weighted:
        if left <= 0:
            break
        kept.append((w, min(n, left)))
        left -= kept[-1][1]
    if top_p < 1:
        kept = _nucleus(kept, top_p)
    z = sum(w * n for w, n in kept)
    entropy = 0.0
    for w, n in kept:
        r = w / z
        if r > 0:
            entropy -= n * r * math.log2(r)
    probs: list[float] = []
    for w, n in kept:
        probs += [w / z] * min(n, data["bars"] - len(probs))
    probs += [0.0] * (data["bars"] - len(probs))
    return Sampled(sum(n for _, n in kept), z / total, entropy, probs)


def _nucleus(kept: list[tuple[float, int]], top_p: float) -> list[tuple[float, int]]:
    """The smallest top set whose rescaled mass reaches ``top_p``, taking part of a group."""
    z = sum(w * n for w, n in kept)
    out, mass = [], 0.0
    for w, n in kept:
        q = w / z
        take = n if q == 0 else min(n, max(1, math.ceil((top_p - mass) / q)))
        out.append((w, take))
        mass += q * take
        if mass >= top_p:
            break
    return out


# -- HTML ------------------------------------------------------------------------------


def render(data: DecodingExplorerData, *, key: str, caption: str | None) -> str:
    _check(data)
    shown = data["candidates"][: data["bars"]]
    t, k, p = data["temperature"], data["top_k"], data["top_p"]
    now = explore(data, t, k, p)
    base = figure_id(key)
    summary = (
        f"Bar chart of the {len(shown)} most likely next tokens after the prompt "
        f"“{data['prompt']}”, with sliders for temperature, top-k and top-p that recompute "
        f"it. At {_settings(t, k, p)}, the most likely is {token_label(shown[0]['text'])} "
        f"({pct(now.probs[0])}); the sampler keeps {now.kept:,} of "
        f"{data['vocab_size']:,} tokens and the entropy is {fixed(now.entropy, 2)} bits."
    )
    body = (
        prompt_html(data)
        + _controls(base, data, t, k, p)
        + _status(data, now, t, k, p)
        + _bars(shown, now)
        + f'<p class="aig-note">{esc(_method(data))}</p>'
        + details(_numbers(shown))
    )
    return figure(
        "decoding-explorer",
        key,
        summary=summary,
        body=body,
        caption=caption or "Move the sliders to see what the sampler would draw from.",
        credit=f"Model: {data['model_label']}",
    )


def _check(data: DecodingExplorerData) -> None:
    tail = data["tail"]
    if len(tail["logits"]) != len(tail["counts"]):
        raise RenderError("the tail has a different number of logits and counts")
    if len(data["candidates"]) + sum(tail["counts"]) != data["vocab_size"]:
        raise RenderError("candidates and tail do not add up to the vocabulary size")
    if not 1 <= data["bars"] <= len(data["candidates"]):
        raise RenderError(f"cannot draw {data['bars']} bars from the stored candidates")


def _g(value: float) -> str:
    return f"{value:g}"


def _top_k_text(k: int) -> str:
    return f"{k:,}" if k else "all"


def _settings(t: float, k: int, p: float) -> str:
    return f"temperature {_g(t)}, top-k {_top_k_text(k)}, top-p {_g(p)}"


def _slider(base: str, name: str, label: str, attrs: str, shown: str) -> str:
    """A labelled range input and the ``<output>`` that shows its value."""
    ident = f"{base}-{name}"
    return (
        f'<p class="aig-control"><label for="{ident}">{esc(label)}</label>'
        f'<input type="range" id="{ident}" data-aig="{name}" {attrs}>'
        f'<output for="{ident}" data-aig="{name}-out">{esc(shown)}</output></p>'
    )


def _controls(base: str, data: DecodingExplorerData, t: float, k: int, p: float) -> str:
    """Hidden until figures.js takes over: without it, sliders would move nothing."""
    low, high, step = EXPLORER_TEMPERATURE
    stops = [*EXPLORER_TOP_K, 0]
    p_low, p_high, p_step = EXPLORER_TOP_P
    return (
        '<div class="aig-controls" role="group" aria-label="Decoding settings" '
        f'data-explorer="{data_json(_explorer_data(data))}" hidden>'
        + _slider(base, "temperature", "Temperature",
                  f'min="{_g(low)}" max="{_g(high)}" step="{_g(step)}" value="{_g(t)}"', _g(t))
        + _slider(base, "top-k", "Top-k",
                  f'min="0" max="{len(stops) - 1}" step="1" value="{stops.index(k)}" '
                  f'aria-valuetext="{_top_k_text(k)}" data-stops="{" ".join(map(str, stops))}"',
                  _top_k_text(k))
        + _slider(base, "top-p", "Top-p",
                  f'min="{_g(p_low)}" max="{_g(p_high)}" step="{_g(p_step)}" value="{_g(p)}"',
                  _g(p))
        + "</div>"
    )


def _status(data: DecodingExplorerData, now: Sampled, t: float, k: int, p: float) -> str:
    """The live summary; figures.js rewrites the ``data-aig`` parts and screen readers
    announce the sentence when the reader pauses."""
    return (
        '<p class="aig-status" role="status" aria-live="polite" aria-atomic="true">'
        f'<span data-aig="settings">{esc(_settings(t, k, p).capitalize())}</span>: '
        f'keeps <strong data-aig="kept">{now.kept:,}</strong> of {data["vocab_size"]:,} '
        f'tokens, which held <strong data-aig="mass">{esc(pct(now.mass))}</strong> of the '
        f'probability; entropy <strong data-aig="entropy">{fixed(now.entropy, 2)}</strong> '
        "bits.</p>"
    )


def _bars(shown: list, now: Sampled) -> str:
    rows = []
    for i, cand in enumerate(shown):
        out = " aig-out" if i >= now.kept else ""
        about = f"id {cand['id']} · logit {fixed(cand['logit'], 2)}"
        rows.append(
            f'<li class="aig-hover{out}" tabindex="0"><span class="aig-lab">'
            f"{token_html(cand['text'])}</span>{bar(now.probs[i])}"
            f'<span class="aig-num">{esc(pct(now.probs[i]))}</span>{tip(about)}</li>'
        )
    cut = f'<li class="aig-cut" data-aig="cut">the sampler keeps the {now.kept} above</li>'
    if now.kept < len(shown):
        rows.insert(now.kept, cut)
    else:
        rows.append(cut.replace("<li ", "<li hidden ", 1))
    return f'<ol class="aig-bars" data-aig="bars">{"".join(rows)}</ol>'


def _method(data: DecodingExplorerData) -> str:
    exact = len(data["candidates"])
    rest = data["vocab_size"] - exact
    return (
        "Order: temperature, then top-k, then top-p on the tokens top-k kept; the kept "
        f"tokens are rescaled to sum to 100%. The top {exact} logits are carried exactly and "
        f"the other {rest:,} tokens in {len(data['tail']['counts'])} groups of neighbours. "
        f"Checked against all {data['vocab_size']:,} logits at every slider position: "
        f"probabilities agree within {TOLERANCE_PROB * 100:g} percentage points and the "
        f"entropy within {TOLERANCE_ENTROPY:g} bits. Where the running sum lands within "
        f"{TOLERANCE_TIE * 100:g} points of top-p, a near-tie, the kept count can differ by up "
        f"to {TIE_MAX_TOKENS} tokens and the bars by up to {TIE_MAX_PROB * 100:g} points."
    )


def _explorer_data(data: DecodingExplorerData) -> dict:
    """Only numbers: the bars' labels are already in the HTML."""
    return {
        "logits": [c["logit"] for c in data["candidates"]],
        "tail_logits": data["tail"]["logits"],
        "tail_counts": data["tail"]["counts"],
        "bars": data["bars"],
        "vocab_size": data["vocab_size"],
    }


def _numbers(shown: list) -> str:
    return table(
        ["rank", "token", "id", "logit"],
        (
            [str(i + 1), token_html(c["text"]), str(c["id"]), fixed(c["logit"], 2)]
            for i, c in enumerate(shown)
        ),
        caption="The drawn candidates and their logits, which no setting changes.",
    )
