"""aiguide.quant decodes and encodes ggml blocks exactly as ggml and the gguf package do.

The pages rebuild weights from raw bytes with these functions, so they must agree bit for bit
with the gguf package's dequantize (which the model itself loads with) and its reference
Q4_1 quantiser, on real blocks from the SmolLM2 file and on edge cases.
"""

from __future__ import annotations

import numpy as np
import pytest
from gguf import GGMLQuantizationType
from gguf.quants import dequantize, quantize

from aiguide import quant


def test_block_sizes_and_bits_per_weight():
    assert (quant.Q4_1_BYTES, quant.Q8_0_BYTES) == (20, 34)
    assert quant.BITS_PER_WEIGHT == {"F16": 16.0, "Q8_0": 8.5, "Q4_1": 5.0}


def test_hand_made_q4_1_block_follows_the_documented_layout():
    d, m = np.float16(0.5), np.float16(-1.0)
    packed = bytes([0x10 * hi + lo for lo, hi in zip(range(16), range(15, -1, -1))])
    block = quant.parse_q4_1(np.array([d, m], dtype="<f2").tobytes() + packed)
    assert list(block.q) == list(range(16)) + list(range(15, -1, -1))  # low nibbles first
    assert block.weights()[0] == -1.0 and block.weights()[15] == 6.5 and block.weights()[16] == 6.5


def test_wrong_sizes_are_refused():
    with pytest.raises(ValueError, match="20 bytes"):
        quant.parse_q4_1(bytes(19))
    with pytest.raises(ValueError, match="34 bytes"):
        quant.decode_q8_0(bytes(20))
    with pytest.raises(ValueError, match="32 values"):
        quant.encode_q4_1(np.zeros(31))


def test_constant_block_round_trips_without_dividing_by_zero():
    x = np.full(32, 0.25, dtype=np.float32)
    assert np.array_equal(quant.decode_q4_1(quant.encode_q4_1(x)), x)


def test_memory_helpers():
    assert quant.weight_bytes(8e9, 16) == 16e9
    assert quant.kv_cache_bytes(layers=30, kv_heads=3, head_dim=64, tokens=1) == 23040


@pytest.fixture(scope="module")
def tensors():
    from aiguide.models.paths import gguf_reader

    return {t.name: t for t in gguf_reader().tensors}


@pytest.mark.models
class TestOnTheRealFile:
    def test_q4_1_decoding_matches_gguf_dequantize(self, tensors):
        t = tensors["blk.0.attn_q.weight"]
        raw = np.asarray(t.data[:4]).reshape(-1, quant.Q4_1_BYTES)  # 4 rows, 72 blocks
        mine = np.concatenate([quant.decode_q4_1(b.tobytes()) for b in raw])
        assert np.array_equal(mine, dequantize(t.data[:4], t.tensor_type).reshape(-1))

    def test_q8_0_decoding_matches_gguf_dequantize(self, tensors):
        t = tensors["token_embd.weight"]
        raw = np.asarray(t.data[655:657]).reshape(-1, quant.Q8_0_BYTES)
        mine = np.concatenate([quant.decode_q8_0(b.tobytes()) for b in raw])
        assert np.array_equal(mine, dequantize(t.data[655:657], t.tensor_type).reshape(-1))

    def test_q4_1_encoding_matches_the_gguf_reference_quantiser(self, tensors):
        t = tensors["token_embd.weight"]
        blocks = dequantize(t.data[:50], t.tensor_type).reshape(-1, quant.BLOCK)
        mine = np.stack([np.frombuffer(quant.encode_q4_1(b), np.uint8) for b in blocks])
        reference = quantize(blocks, GGMLQuantizationType.Q4_1).reshape(mine.shape)
        assert np.array_equal(mine, reference)

    def test_q4_1_rounding_error_stays_within_half_a_step(self, tensors):
        t = tensors["token_embd.weight"]
        for x in dequantize(t.data[:20], t.tensor_type).reshape(-1, quant.BLOCK):
            block = quant.parse_q4_1(quant.encode_q4_1(x))
            # half a step, plus what rounding d and m to float16 can add across 15 steps
            bound = block.d / 2 + 16 * abs(block.d) * 2**-11 + abs(block.m) * 2**-11
            assert np.abs(block.weights() - x).max() <= bound
