"""TensorBoard's debiased exponential moving average, over a whole series at once.

For weight w and the finite values v_1..v_k seen so far::

    last_k     = w * last_{k-1} + (1 - w) * v_k        (last_0 = 0)
    smoothed_k = last_k / (1 - w ** k)

Non-finite values pass through unchanged and do not advance k; a constant series is
returned as is. The recurrence is evaluated block-wise with small matrix products so a
million points cost milliseconds, not a Python loop.
"""

from __future__ import annotations

import numpy as np

_BLOCK = 64


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
    return _recurrence((1.0 - w) * v, w)


def _recurrence(x: np.ndarray, a: float) -> np.ndarray:
    """y_k = a * y_{k-1} + x_k with y_{-1} = 0, for every k.

    Within blocks of _BLOCK values it is a product with a lower-triangular matrix of powers
    of `a`; the values carried from block to block obey the same recurrence with a**_BLOCK,
    solved the same way, so no Python loop runs per value or per block.
    """
    n = len(x)
    if n <= _BLOCK:
        y = np.empty(n)
        acc = 0.0
        for i, xi in enumerate(x.tolist()):
            acc = a * acc + xi
            y[i] = acc
        return y
    blocks = -(-n // _BLOCK)
    padded = np.zeros(blocks * _BLOCK)
    padded[:n] = x
    i = np.arange(_BLOCK)
    lag = i[:, None] - i[None, :]
    kernel = np.where(lag >= 0, a ** np.maximum(lag, 0).astype(np.float64), 0.0)
    partial = padded.reshape(blocks, _BLOCK) @ kernel.T
    carried = _recurrence(partial[:, -1], a ** _BLOCK)  # true value at each block's end
    partial[1:] += np.outer(carried[:-1], a ** (i + 1.0))
    return partial.reshape(-1)[:n]
