"""Next token: the model's top candidates after a prompt, one bar chart per temperature,
with the top-p cut and the entropy of the whole distribution.
"""

from __future__ import annotations

from aiguide.records import Candidate, DecodingExplorerData, NextTokenData
from aiguide.render.html import (
    RenderError,
    bar,
    details,
    esc,
    figure,
    fixed,
    pct,
    scroll,
    table,
    text_html,
    tip,
    token_html,
    token_label,
)


def render(data: NextTokenData, *, key: str, caption: str | None) -> str:
    shown = data["candidates"][: data["top_k_shown"]]
    temps = _temperatures(data, len(shown))
    panels = "".join(_panel(data, shown, t, k) for t, k in temps)
    t, k = min(temps, key=lambda tk: (abs(tk[0] - 1.0), tk[0]))  # the one nearest 1
    best = shown[0] if shown else None
    summary = (
        f"Bar charts of the {len(shown)} most likely next tokens after the prompt "
        f"“{data['prompt']}”, at temperature {', '.join(_t(x) for x, _ in temps)}."
    )
    if best is not None:
        summary += (
            f" At temperature {_t(t)} the most likely is {token_label(best['text'])} "
            f"({pct(data['probs'][k][0])}), top-p {_t(data['top_p'])} keeps "
            f"{data['top_p_cut'][k]} candidates and the entropy is "
            f"{fixed(data['entropy'][k], 2)} bits. The numbers are in the table below."
        )
    body = (
        prompt_html(data)
        + f'<div class="aig-panels">{panels}</div>'
        + details(scroll(_numbers(shown, data, temps), "Next-token probabilities table"))
    )
    return figure(
        "next-token",
        key,
        summary=summary,
        body=body,
        caption=caption or "What could come next: the model’s top candidates for the next token.",
        credit=f"Model: {data['model_label']}",
    )


def _t(value: float) -> str:
    """A temperature or top-p as written by people: 1, 0.7, 1.5."""
    return f"{value:g}"


def _temperatures(data: NextTokenData, shown: int) -> list[tuple[float, str]]:
    """Each temperature with its key in ``probs`` ("0.7"), matched by value not spelling."""
    keys = {float(k): k for k in data["probs"]}
    out = []
    for t in data["temperatures"]:
        k = keys.get(float(t))
        if k is None or k not in data["top_p_cut"] or k not in data["entropy"]:
            raise RenderError(f"no probabilities stored for temperature {t}")
        if len(data["probs"][k]) < shown:
            raise RenderError(
                f"temperature {t} has {len(data['probs'][k])} probabilities, "
                f"fewer than the {shown} candidates shown"
            )
        out.append((float(t), k))
    if not out:
        raise RenderError("a next-token record needs at least one temperature")
    return out


def prompt_html(data: NextTokenData | DecodingExplorerData) -> str:
    how = "through the chat template, " if data["chat"] else ""
    return (
        '<p class="aig-prompt"><span class="aig-label">Prompt</span> '
        f'<span class="aig-text">{text_html(data["prompt"])}</span> '
        f'<span class="aig-note">({how}{len(data["prompt_tokens"])} tokens)</span></p>'
    )


def _panel(data: NextTokenData, shown: list[Candidate], t: float, k: str) -> str:
    """One temperature: bars, the top-p cut as a labelled line, the mass not shown."""
    probs, cut, top_p = data["probs"][k], data["top_p_cut"][k], _t(data["top_p"])
    rows = []
    for i, cand in enumerate(shown):
        out = " aig-out" if i >= cut else ""
        about = f"id {cand['id']} · logit {fixed(cand['logit'], 2)}"
        rows.append(
            f'<li class="aig-hover{out}" tabindex="0"><span class="aig-lab">'
            f"{token_html(cand['text'])}</span>{bar(probs[i])}"
            f'<span class="aig-num">{esc(pct(probs[i]))}</span>{tip(about)}</li>'
        )
        if i + 1 == cut and cut < len(shown):
            rows.append(f'<li class="aig-cut">top-p {top_p} keeps the {cut} above</li>')
    rest = 1.0 - sum(probs[: len(shown)])
    note = f"All other tokens: {pct(max(rest, 0.0))}."
    # A cut inside the list is drawn as a line between the bars; otherwise it is said here.
    if cut == len(shown):
        note += f" Top-p {top_p} keeps all {cut} shown."
    elif cut > len(shown):
        note += f" Top-p {top_p} keeps {cut} candidates, more than the {len(shown)} shown."
    return (
        f'<div class="aig-panel" role="group" aria-label="Temperature {_t(t)}">'
        f'<p class="aig-panel-title"><strong>Temperature {_t(t)}</strong> '
        f"<span>entropy {fixed(data['entropy'][k], 2)} bits</span></p>"
        f'<ol class="aig-bars">{"".join(rows)}</ol>'
        f'<p class="aig-note">{esc(note.strip())}</p></div>'
    )


def _numbers(shown: list[Candidate], data: NextTokenData, temps: list[tuple[float, str]]) -> str:
    return table(
        ["rank", "token", "id", "logit"] + [f"p at T={_t(t)}" for t, _ in temps],
        (
            [str(i + 1), token_html(c["text"]), str(c["id"]), fixed(c["logit"], 2)]
            + [esc(pct(data["probs"][k][i], 2)) for _, k in temps]
            for i, c in enumerate(shown)
        ),
        caption="Top candidates, their logits and probabilities at each temperature.",
    )
