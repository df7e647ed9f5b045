"""Similarity: cosine similarity of sentence embeddings as a shaded, numbered matrix.

The numbers are in every cell, so the matrix is its own data table. Long sentences label
the rows; the columns are numbered to match, which keeps the matrix narrow.
"""

from __future__ import annotations

from aiguide.records import SimilarityData
from aiguide.render.html import (
    DIVERGING,
    RenderError,
    check_matrix,
    div_class,
    esc,
    figure,
    fixed,
    legend,
    scroll,
    text_html,
    tip,
)


def render(data: SimilarityData, *, key: str, caption: str | None) -> str:
    items, matrix = data["items"], data["matrix"]
    check_matrix(matrix, len(items), len(items), "similarity matrix (items × items)")
    if len(items) < 2:
        raise RenderError(f"a similarity figure needs 2 or more items, not {len(items)}")
    body = (
        legend(
            DIVERGING,
            "−1",
            "1",
            "Cosine similarity is between −1 (opposite directions) and 1 (same direction); "
            "the diagonal is 1, each item compared with itself.",
        )
        + scroll(_matrix(items, matrix), f"Similarity matrix of {len(items)} items")
    )
    return figure(
        "similarity",
        key,
        summary=(
            f"A {len(items)} by {len(items)} table of cosine similarities between the "
            f"embeddings of {len(items)} texts. {_extremes(items, matrix)}"
        ),
        body=body,
        caption=caption or "How similar the meanings are: cosine similarity of embeddings.",
        credit=f"Model: {data['model_label']}",
    )


def _matrix(items: list[str], matrix: list[list[float]]) -> str:
    head = "".join(
        f'<th scope="col"><abbr title="{esc(item)}">{i + 1}</abbr></th>'
        for i, item in enumerate(items)
    )
    rows = "".join(
        f'<tr class="aig-hover" tabindex="0"><th scope="row"><span class="aig-idx">{i + 1}</span> '
        f"{text_html(item)}{tip(esc(_closest(items, matrix, i)))}</th>"
        + "".join(f'<td class="{div_class(v)}">{fixed(v, 2)}</td>' for v in matrix[i])
        + "</tr>"
        for i, item in enumerate(items)
    )
    return (
        '<table class="aig-sim"><caption class="aig-sr">Cosine similarity; rows and numbered '
        f"columns are the same items.</caption><thead><tr><td></td>{head}</tr></thead>"
        f"<tbody>{rows}</tbody></table>"
    )


def _closest(items: list[str], matrix: list[list[float]], i: int) -> str:
    others = [j for j in range(len(items)) if j != i]
    j = max(others, key=lambda j: (matrix[i][j], -j))
    return f"closest: item {j + 1} ({fixed(matrix[i][j], 2)})"


def _extremes(items: list[str], matrix: list[list[float]]) -> str:
    """The most and least similar pairs, as a plain-text sentence."""
    pairs = [(i, j) for i in range(len(items)) for j in range(i + 1, len(items))]
    most = max(pairs, key=lambda p: (matrix[p[0]][p[1]], -p[0], -p[1]))
    least = min(pairs, key=lambda p: (matrix[p[0]][p[1]], p[0], p[1]))

    def say(p: tuple[int, int]) -> str:
        return f"“{items[p[0]]}” and “{items[p[1]]}” ({fixed(matrix[p[0]][p[1]], 2)})"

    return f"Most similar: {say(most)}. Least similar: {say(least)}."
