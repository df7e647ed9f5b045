"""Run a notebook and compare the outputs it shows with the outputs it really produces.

Only values that legitimately change between runs are normalised, each by a named rule
below (and listed in ``docs/contributing/conventions.md``); everything else must match.
"""

from __future__ import annotations

import copy
import re
from dataclasses import dataclass
from pathlib import Path

import nbformat

# (rule name, pattern, replacement). Keep this list short and explain every entry.
NORMALISATIONS: list[tuple[str, re.Pattern[str], str]] = [
    # Object reprs carry a memory address that differs on every run.
    ("memory address", re.compile(r"0x[0-9a-fA-F]{6,}"), "0x<address>"),
    # Wall-clock timings printed by a notebook ("took 0.84 s") differ on every machine.
    ("timing", re.compile(r"\b\d+(\.\d+)?\s?(ms|µs|s)\b(?= *(\(timed\)|$))", re.MULTILINE), "<time>"),
    # Trailing spaces are invisible in the rendered page.
    ("trailing space", re.compile(r"[ \t]+$", re.MULTILINE), ""),
]


@dataclass(frozen=True)
class Mismatch:
    path: str
    cell: int  # 1-based, counting every cell as Jupyter shows them
    stored: str
    fresh: str

    def __str__(self) -> str:
        return (f"{self.path}:cell {self.cell}: the stored output differs from a fresh run\n"
                f"    stored: {self.stored[:300]!r}\n    fresh:  {self.fresh[:300]!r}")


def normalise(text: str) -> str:
    for _, pattern, replacement in NORMALISATIONS:
        text = pattern.sub(replacement, text)
    return text.strip("\n")


def shown_text(cell: nbformat.NotebookNode) -> str:
    """What a reader sees under a code cell: streams, results and errors, as text."""
    parts = []
    for output in cell.get("outputs", []):
        if output["output_type"] == "stream":
            parts.append(output["text"])
        elif output["output_type"] in ("execute_result", "display_data"):
            data = output.get("data", {})
            parts.append(data.get("text/plain", "") if "text/html" not in data else data["text/html"])
        elif output["output_type"] == "error":
            parts.append(f"{output['ename']}: {output['evalue']}")
    return normalise("".join(parts))


def execute(notebook: nbformat.NotebookNode, cwd: Path, timeout: int = 300) -> nbformat.NotebookNode:
    """A freshly executed copy; raises nbclient's CellExecutionError on a failing cell.

    Cell timings are not recorded: a saved notebook must be the same bytes on every run.
    """
    from nbclient import NotebookClient

    fresh = copy.deepcopy(notebook)
    NotebookClient(fresh, timeout=timeout, kernel_name="python3", record_timing=False,
                   resources={"metadata": {"path": str(cwd)}}).execute()
    return fresh


def saved_form(stored: nbformat.NotebookNode, fresh: nbformat.NotebookNode) -> nbformat.NotebookNode:
    """The fresh run as it is written to disk: the same bytes for the same outputs.

    How a kernel splits printed text into stream messages depends on timing, so consecutive
    stream outputs are joined; the notebook's own metadata is kept, since the kernel would
    stamp it with the Python version of whichever machine ran it.
    """
    saved = copy.deepcopy(fresh)
    saved.metadata = copy.deepcopy(stored.metadata)
    for cell in saved.cells:
        outputs = []
        for output in cell.get("outputs", []):
            previous = outputs[-1] if outputs else None
            if (output["output_type"] == "stream" and previous is not None
                    and previous["output_type"] == "stream" and previous["name"] == output["name"]):
                previous["text"] += output["text"]
            else:
                outputs.append(output)
        if "outputs" in cell:
            cell.outputs = outputs
    return saved


def compare(path: str, stored: nbformat.NotebookNode, fresh: nbformat.NotebookNode) -> list[Mismatch]:
    mismatches = []
    for number, (old, new) in enumerate(zip(stored.cells, fresh.cells), start=1):
        if old.cell_type != "code":
            continue
        before, after = shown_text(old), shown_text(new)
        if before != after:
            mismatches.append(Mismatch(path, number, before, after))
    return mismatches
