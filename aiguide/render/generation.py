"""Generation: text produced one token at a time; each step shows the chosen token among
the candidates the model weighed, with their probabilities visible (no table needed).
"""

from __future__ import annotations

from aiguide.records import GenerationData, GenerationStep
from aiguide.render.html import (
    bar,
    esc,
    figure,
    pct,
    text_html,
    tip,
    token_html,
    token_label,
)


def render(data: GenerationData, *, key: str, caption: str | None) -> str:
    steps = data["steps"]
    how = " (through the chat template)" if data["chat"] else ""
    body = (
        f'<p class="aig-prompt"><span class="aig-label">Prompt{how}</span> '
        f'<span class="aig-text">{text_html(data["prompt"])}</span></p>'
        f'<ol class="aig-steps">{"".join(_step(i, s) for i, s in enumerate(steps))}</ol>'
        f'<p class="aig-output"><span class="aig-label">Output</span> '
        f'<span class="aig-text">{text_html(data["output"])}</span></p>'
    )
    return figure(
        "generation",
        key,
        summary=(
            f"{len(steps)} steps of generation after the prompt “{data['prompt']}”. "
            "Each step lists the token chosen and the candidates with their probabilities. "
            f"Output: “{data['output']}”."
        ),
        body=body,
        caption=caption or "Generating text one token at a time.",
        credit=f"Model: {data['model_label']}",
    )


def _rank(step: GenerationStep) -> int | None:
    """1-based rank of the chosen token among the alternatives, or None if absent."""
    ids = [alt["id"] for alt in step["alternatives"]]
    return ids.index(step["chosen"]["id"]) + 1 if step["chosen"]["id"] in ids else None


def _step(index: int, step: GenerationStep) -> str:
    chosen, alts = step["chosen"], step["alternatives"]
    rank = _rank(step)
    alt_items = "".join(
        f'<li class="aig-alt{" aig-picked" if alt["id"] == chosen["id"] else ""}">'
        f'<span class="aig-lab">{token_html(alt["text"])}</span>'
        f'<span class="aig-num">{esc(pct(alt["prob"]))}</span>{bar(alt["prob"])}</li>'
        for alt in alts
    )
    place = f"rank {rank} of {len(alts)}" if rank else f"not among the top {len(alts)}"
    about = f"step {index + 1}: chose {token_label(chosen['text'])}, id {chosen['id']}, {place}"
    return (
        f'<li class="aig-step aig-hover" tabindex="0"><span class="aig-stepno">{index + 1}</span>'
        f'<span class="aig-chosen{"" if rank == 1 else " aig-unlikely"}">'
        f"{token_html(chosen['text'])}</span>"
        f'<span class="aig-num">{esc(pct(chosen["prob"]))}</span>'
        f'<ul class="aig-alts" aria-label="Candidates at step {index + 1}">{alt_items}</ul>'
        f"{tip(esc(about))}</li>"
    )
