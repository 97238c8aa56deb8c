"""TensorBoard's debiased exponential moving average, over a whole series at once.

For weight w and the finite values v_1..v_k seen so far::

    last_k     = w * last_{k-1} + (1 - w) * v_k        (last_0 = 0)
    smoothed_k = last_k / (1 - w ** k)

Non-finite values pass through unchanged and do not advance k; a constant series is
returned as is. The recurrence runs as a first-order IIR filter (scipy.signal.lfilter), so a
million points cost milliseconds, not a Python loop.
"""

from __future__ import annotations

import numpy as np
from scipy.signal import lfilter


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


def _recurrence(x: np.ndarray, a: float) -> np.ndarray:
    """y_k = a * y_{k-1} + x_k with y_{-1} = 0, for every k: a first-order IIR filter,
    which scipy runs in C in one pass (about 50x faster than block products in numpy)."""
    return lfilter([1.0], [1.0, -a], x)
