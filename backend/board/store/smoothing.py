"""TensorBoard's debiased exponential moving average, over a whole series at once.

For weight w and the finite values v_1..v_k seen so far::

    last_k     = w * last_{k-1} + (1 - w) * v_k        (last_0 = 0)
    smoothed_k = last_k / (1 - w ** k)

Non-finite values pass through unchanged and do not advance k; a constant series is
returned as is. The recurrence is evaluated block-wise with a small matrix product so a
million points cost milliseconds, not a Python loop.
"""

from __future__ import annotations

import numpy as np

_BLOCK = 256


def ema_debiased(values: np.ndarray, weight: float) -> np.ndarray:
    """The smoothed series (float64, same length as `values`)."""
    if not 0.0 <= weight < 1.0:
        raise ValueError(f"smoothing weight must be in [0, 1), got {weight}")
    values = np.asarray(values, np.float64)
    out = values.copy()
    if len(values) == 0 or weight == 0.0 or np.all(values == values[0]):
        return out
    finite = np.isfinite(values)
    v = values[finite]
    if len(v) == 0:
        return out
    ema = _ema(v, weight)
    debias = 1.0 - weight ** np.arange(1, len(v) + 1, dtype=np.float64)
    out[finite] = ema / debias
    return out


def _ema(v: np.ndarray, w: float) -> np.ndarray:
    """last_k of the recurrence above, for every k."""
    n = len(v)
    blocks = -(-n // _BLOCK)
    padded = np.zeros(blocks * _BLOCK)
    padded[:n] = v
    i = np.arange(_BLOCK)
    lag = i[:, None] - i[None, :]
    # Within a block, last = (1-w) * sum_j w^(i-j) v_j plus the carried-in term w^(i+1) * c.
    kernel = np.where(lag >= 0, (1.0 - w) * w ** np.maximum(lag, 0), 0.0)
    partial = padded.reshape(blocks, _BLOCK) @ kernel.T
    carry_gain = w ** (i + 1.0)
    carry = 0.0
    for b in range(blocks):
        partial[b] += carry_gain * carry
        carry = partial[b, -1]
    return partial.reshape(-1)[:n]
