"""TensorBoard's debiased exponential moving average, over a whole series at once.

For weight w and the finite values v_1..v_k seen so far::

    last_k     = w * last_{k-1} + (1 - w) * v_k        (last_0 = 0)
    smoothed_k = last_k / (1 - w ** k)

Non-finite values pass through unchanged and do not advance k; a constant series is
returned as is. The recurrence runs in blocks of numpy operations (no Python loop per
value), so a million points cost milliseconds. scipy.signal.lfilter is about as fast, but
importing scipy.signal costs the server ~75 MB of memory and over a second of start-up.
"""

from __future__ import annotations

import numpy as np


def ema_debiased(values: np.ndarray, weight: float) -> np.ndarray:
    """The smoothed series (float64, same length as `values`)."""
    if not 0.0 <= weight < 1.0:
        raise ValueError(f"smoothing weight must be in [0, 1), got {weight}")
    values = np.asarray(values, np.float64)
    if len(values) == 0 or weight == 0.0 or np.all(values == values[0]):
        return values.copy()
    finite = np.isfinite(values)
    if finite.all():  # the usual case: no masking, no copies beyond the result
        return _smooth_finite(values, weight)
    out = values.copy()
    v = values[finite]
    if len(v):
        out[finite] = _smooth_finite(v, weight)
    return out


def _smooth_finite(v: np.ndarray, w: float) -> np.ndarray:
    smoothed = _ema(v, w)
    m = _debiased_prefix(len(v), w)
    smoothed[:m] /= 1.0 - np.cumprod(np.full(m, w))
    return smoothed


def _debiased_prefix(n: int, w: float) -> int:
    """How many of the divisors 1 - w**k (k = 1..n) differ from 1.0: powers below 2**-60
    leave 1.0 unchanged in float64, so only the first few are computed (a pow per point
    costs more than the filter itself)."""
    if w <= 0.0:
        return 0
    return min(n, int(np.ceil(-60.0 * np.log(2.0) / np.log(w))))


def _ema(v: np.ndarray, w: float) -> np.ndarray:
    """last_k of the recurrence above, for every k."""
    return _recurrence((1.0 - w) * v, w)


def _recurrence(x: np.ndarray, a: float, block: int = 64) -> np.ndarray:
    """y_k = a * y_{k-1} + x_k with y_{-1} = 0, for every k.

    Inside a block, y_i = a**i * cumsum(x_j * a**-j): one scaled prefix sum per row of a
    (blocks, block) array, as accurate as summing the terms a**(i-j) * x_j directly. The
    values carried from block to block obey the same recurrence with a**block, solved the
    same way (recursively, over ~1/64 as many values).
    """
    n = len(x)
    if n == 0 or a == 0.0:
        return np.array(x, np.float64)
    # a**-(block - 1) must stay far inside float64's range
    block = int(max(2, min(block, 1 + 250 / -np.log10(a))))
    if n <= block:
        return _within_blocks(np.asarray(x, np.float64)[None, :], a)[0]
    blocks = -(-n // block)
    padded = np.zeros(blocks * block)
    padded[:n] = x
    y = _within_blocks(padded.reshape(blocks, block), a)
    carried = _recurrence(y[:, -1].copy(), a ** block)  # true value at each block's end
    y[1:] += np.outer(carried[:-1], a ** np.arange(1.0, block + 1))
    return y.reshape(-1)[:n]


def _within_blocks(rows: np.ndarray, a: float) -> np.ndarray:
    """The recurrence restarted from 0 at every row."""
    powers = np.arange(rows.shape[1], dtype=np.float64)
    return np.cumsum(rows * a ** -powers, axis=1) * a ** powers
