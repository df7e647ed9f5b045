"""Positions: the sinusoidal positional-encoding matrix as a diverging heatmap.

One SVG that shrinks to the column width (no sideways scrolling); the axis labels are
HTML around it so they stay readable on a phone.
"""

from __future__ import annotations

from aiguide.records import PositionsData
from aiguide.render.html import (
    DIVERGING,
    check_matrix,
    details,
    div_class,
    figure,
    fixed,
    legend,
    scroll,
    svg_cells,
    table,
)

SAMPLE = 8  # rows and columns of the matrix spelled out in the table


def render(data: PositionsData, *, key: str, caption: str | None) -> str:
    positions, dims, matrix = data["positions"], data["dims"], data["matrix"]
    check_matrix(matrix, positions, dims, "positional encodings (positions × dims)")
    body = (
        legend(DIVERGING, "−1", "1", "value of the encoding (sine or cosine)")
        + '<div class="aig-posmap">'
        + _axis("x", "dimension →", dims)
        + _axis("y", "position →", positions)
        + _svg(matrix, positions, dims)
        + "</div>"
        + details(scroll(_sample(matrix), "Positional encoding values"))
    )
    return figure(
        "positions",
        key,
        summary=(
            f"Heatmap of sinusoidal positional encodings for {positions} positions (rows) and "
            f"{dims} dimensions (columns), values from −1 to 1. The first dimensions change "
            "quickly from one position to the next; later dimensions change slowly."
        ),
        body=body,
        caption=caption or "Sinusoidal positional encodings: one row per position.",
        credit="No model: the formula of Vaswani et al. (2017), PE(pos, 2i) = sin(pos / "
        "10000^(2i/d)) and PE(pos, 2i+1) = cos(pos / 10000^(2i/d))",
    )


def _axis(name: str, label: str, size: int) -> str:
    """An axis as HTML (readable at any width): first index, label, last index."""
    spans = "".join(f"<span>{part}</span>" for part in ("0", label, str(size - 1)))
    return f'<p class="aig-axis-{name}">{spans}</p>'


def _svg(matrix: list[list[float]], positions: int, dims: int) -> str:
    """Stretched to the column width; its height grows with the number of positions."""
    height = fixed(min(max(positions * 0.5, 6.0), 24.0), 1)
    shades = [[div_class(v) for v in row] for row in matrix]
    return (
        f'<svg class="aig-posmap-svg" viewBox="0 0 {dims} {positions}" '
        f'preserveAspectRatio="none" style="height:{height}em" role="img" '
        f'aria-label="Positional encodings, {positions} positions by {dims} dimensions">'
        f"{svg_cells(shades, down=True)}</svg>"
    )


def _sample(matrix: list[list[float]]) -> str:
    rows, cols = min(SAMPLE, len(matrix)), min(SAMPLE, len(matrix[0]) if matrix else 0)
    return table(
        ["position ↓ dimension →"] + [str(d) for d in range(cols)],
        ([str(p)] + [fixed(v, 3) for v in matrix[p][:cols]] for p in range(rows)),
        caption=f"The first {rows} positions × {cols} dimensions (the rest follow the formula).",
    )
