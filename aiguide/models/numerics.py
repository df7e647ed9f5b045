"""The numeric pieces every model and figure shares: one softmax, one log-normaliser.

Attention in both models, greedy generation and the next-token figures all turn scores
into probabilities here, so a fix (say, to how -inf is handled) reaches every figure.
"""

from __future__ import annotations

import numpy as np


def softmax(x: np.ndarray) -> np.ndarray:
    """softmax along the last axis, shifted by the maximum so exp never overflows.

    A row's -inf entries (a causal mask) come out exactly 0.

    >>> softmax(np.array([0.0, np.log(3.0), -np.inf])).round(6).tolist()
    [0.25, 0.75, 0.0]
    """
    e = np.exp(x - x.max(axis=-1, keepdims=True))  # [..., n]
    return e / e.sum(axis=-1, keepdims=True)  # [..., n], rows sum to 1


def logsumexp(x: np.ndarray) -> float:
    """log(sum(exp(x))) of a vector, computed stably: the log of softmax's normaliser.

    >>> round(logsumexp(np.array([1000.0, 1000.0])) - 1000, 6)
    0.693147
    """
    top = x.max()
    return float(top + np.log(np.exp(x - top).sum()))
