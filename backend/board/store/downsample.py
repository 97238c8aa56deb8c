"""M4 downsampling: per bucket of the x range keep the first, last, min and max point.

Drawing those four points per pixel column draws the same line as drawing every point,
so no spike is ever hidden (Jugel et al., "M4: A Visualization-Oriented Time Series Data
Aggregation", VLDB 2014). Everything here is a pure function over numpy arrays.
"""

from __future__ import annotations

import numpy as np


def select_range(x: np.ndarray, start: float | None = None, end: float | None = None
                 ) -> np.ndarray:
    """Indices (in x order) of the points with start <= x <= end; None means unbounded."""
    order = _order(x)
    xs = x if order is None else x[order]
    lo = 0 if start is None else int(np.searchsorted(xs, start, "left"))
    hi = len(xs) if end is None else int(np.searchsorted(xs, end, "right"))
    if order is None:
        return np.arange(lo, hi)
    return order[lo:max(lo, hi)]


def m4_indices(x: np.ndarray, y: np.ndarray, buckets: int,
               x_range: tuple[float, float] | None = None) -> np.ndarray:
    """Indices of the M4 points of (x, y), in x order.

    `buckets` equal-width buckets span `x_range` (default: the data's own range); each
    non-empty bucket contributes its first, last, minimum and maximum point (NaN values are
    ignored for the min/max but still appear as first/last). A series with at most
    `buckets` points is returned whole.
    """
    if buckets < 1:
        raise ValueError(f"buckets must be >= 1, got {buckets}")
    n = len(x)
    order = _order(x)
    if n <= buckets:
        return np.arange(n) if order is None else order
    xs = x if order is None else x[order]
    ys = y if order is None else y[order]
    lo, hi = (float(xs[0]), float(xs[-1])) if x_range is None else x_range
    starts = _bucket_starts(xs, lo, hi, buckets)
    segment = np.repeat(np.arange(len(starts)), np.diff(np.append(starts, n)))
    picked = np.concatenate([
        starts,                      # first of each bucket
        np.append(starts[1:], n) - 1,  # last
        _first_index_of(ys, starts, segment, np.fmin),
        _first_index_of(ys, starts, segment, np.fmax),
    ])
    picked = np.unique(picked[picked >= 0])
    return picked if order is None else order[picked]


def _order(x: np.ndarray) -> np.ndarray | None:
    """None when x is already sorted (the usual case), else a stable sorting permutation."""
    if len(x) < 2 or bool(np.all(x[1:] >= x[:-1])):
        return None
    return np.argsort(x, kind="stable")


def _bucket_starts(xs: np.ndarray, lo: float, hi: float, buckets: int) -> np.ndarray:
    """Start index of each non-empty bucket of sorted `xs` (the last bucket is closed)."""
    width = (hi - lo) / buckets if hi > lo else 1.0
    edges = lo + width * np.arange(buckets, dtype=np.float64)
    starts = np.searchsorted(xs, edges, "left")
    starts[0] = 0
    keep = np.append(starts[1:] > starts[:-1], starts[-1] < len(xs))
    return starts[keep]


def _first_index_of(ys: np.ndarray, starts: np.ndarray, segment: np.ndarray, reduce
                    ) -> np.ndarray:
    """Per segment (given by start indices, and `segment` index per element), the first
    index holding its reduced value; -1 where a segment holds only NaN."""
    extreme = reduce.reduceat(ys, starts)
    hits = np.flatnonzero(ys == extreme[segment])
    found, first = np.unique(segment[hits], return_index=True)
    out = np.full(len(starts), -1, np.int64)
    out[found] = hits[first]
    return out
