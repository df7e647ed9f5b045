"""Two ggml block formats, Q4_1 and Q8_0, decoded and encoded byte by byte.

The ``gguf`` package already dequantises whole tensors; these small functions exist so that a
page can show one block as raw bytes and rebuild its weights by hand, and measure what
4-bit rounding costs. They follow ggml's layouts (``ggml-common.h``) and the ``gguf``
package's reference quantiser, and ``tests/test_quant.py`` checks them against both.

Q4_1, 20 bytes for 32 weights::

    d: float16 scale | m: float16 minimum | 16 bytes, two 4-bit values q each
    weight[j] = d * q[j] + m; q[j] for j < 16 is byte j's low nibble, for j >= 16 byte j-16's high

Q8_0, 34 bytes for 32 weights::

    d: float16 scale | 32 signed bytes q;   weight[j] = d * q[j]
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

BLOCK = 32  # weights per block, for both formats
Q4_1_BYTES = 2 + 2 + BLOCK // 2  # scale, minimum, 32 nibbles
Q8_0_BYTES = 2 + BLOCK  # scale, 32 signed bytes

# Bits each format spends per weight, block overhead included (a 16-bit float for reference).
BITS_PER_WEIGHT: dict[str, float] = {
    "F16": 16.0,
    "Q8_0": Q8_0_BYTES * 8 / BLOCK,  # 8.5
    "Q4_1": Q4_1_BYTES * 8 / BLOCK,  # 5.0
}


@dataclass(frozen=True)
class Q4_1Block:
    """One Q4_1 block split into its fields, so a reader can see each part."""

    d: float  # scale, stored as float16
    m: float  # minimum, stored as float16
    q: np.ndarray  # 32 integers 0..15, uint8, in weight order

    def weights(self) -> np.ndarray:
        """The 32 weights as float32: d * q + m, computed as ggml does (float32 arithmetic)."""
        return np.float32(self.d) * self.q.astype(np.float32) + np.float32(self.m)


def parse_q4_1(raw: bytes) -> Q4_1Block:
    """Split 20 bytes into scale, minimum and the 32 four-bit integers (low nibbles first)."""
    if len(raw) != Q4_1_BYTES:
        raise ValueError(f"a Q4_1 block is {Q4_1_BYTES} bytes, got {len(raw)}")
    d, m = np.frombuffer(raw[:4], dtype="<f2")
    packed = np.frombuffer(raw[4:], dtype=np.uint8)
    q = np.concatenate([packed & 0x0F, packed >> 4])  # weights 0-15, then 16-31
    return Q4_1Block(d=float(d), m=float(m), q=q)


def decode_q4_1(raw: bytes) -> np.ndarray:
    """The 32 float32 weights of one Q4_1 block."""
    return parse_q4_1(raw).weights()


def encode_q4_1(x: np.ndarray) -> bytes:
    """Quantise 32 floats to one Q4_1 block, as the ``gguf`` package's reference code does.

    The block's minimum becomes m and its range is cut into 15 steps of size d, so every value
    lands within half a step of a level; d and m are then rounded to float16 for storage.
    """
    x = np.asarray(x, dtype=np.float32)
    if x.shape != (BLOCK,):
        raise ValueError(f"a Q4_1 block holds {BLOCK} values, got shape {x.shape}")
    lo, hi = x.min(), x.max()
    d = (hi - lo) / np.float32(15)
    inv = np.float32(0) if d == 0 else np.float32(1) / d
    q = np.trunc((x - lo) * inv + np.float32(0.5)).astype(np.uint8).clip(0, 15)
    packed = q[:16] | (q[16:] << np.uint8(4))
    head = np.array([d, lo], dtype=np.float32).astype("<f2").tobytes()
    return head + packed.tobytes()


def decode_q8_0(raw: bytes) -> np.ndarray:
    """The 32 float32 weights of one Q8_0 block: a float16 scale times signed bytes."""
    if len(raw) != Q8_0_BYTES:
        raise ValueError(f"a Q8_0 block is {Q8_0_BYTES} bytes, got {len(raw)}")
    d = np.frombuffer(raw[:2], dtype="<f2").astype(np.float32)[0]
    return d * np.frombuffer(raw[2:], dtype=np.int8).astype(np.float32)


def weight_bytes(parameters: float, bits_per_weight: float) -> float:
    """Bytes needed to store ``parameters`` weights at an average of ``bits_per_weight``."""
    return parameters * bits_per_weight / 8


def kv_cache_bytes(
    layers: int, kv_heads: int, head_dim: int, tokens: int, bytes_per_number: float = 2
) -> float:
    """Bytes of the KV cache: one key and one value per layer, KV head and token."""
    return 2 * layers * kv_heads * head_dim * tokens * bytes_per_number
