"""What the figure specs may name: models, tokenizers and their sizes.

Kept free of heavy imports so that the site build can validate a spec (an unknown model,
a layer out of range) without loading any weights.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class ModelInfo:
    label: str
    layers: int
    heads: int
    causal: bool


MODELS: dict[str, ModelInfo] = {
    "minilm": ModelInfo("all-MiniLM-L6-v2", layers=6, heads=12, causal=False),
    "smollm2": ModelInfo("SmolLM2-135M-Instruct (Q4_1)", layers=30, heads=9, causal=True),
}

TOKENIZER_LABELS: dict[str, str] = {
    "cl100k_base": "GPT-4 (cl100k_base)",
    "minilm": "all-MiniLM-L6-v2 (WordPiece)",
    "smollm2": "SmolLM2-135M (byte-level BPE)",
}

# Which models each kind can run: embeddings need an encoder, next-token needs a decoder.
KIND_MODELS: dict[str, tuple[str, ...]] = {
    "attention": ("minilm", "smollm2"),
    "attention-heads": ("minilm", "smollm2"),
    "similarity": ("minilm",),
    "next-token": ("smollm2",),
    "decoding-explorer": ("smollm2",),
    "generation": ("smollm2",),
}
