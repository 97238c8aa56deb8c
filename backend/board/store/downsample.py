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
    ends = np.append(starts[1:], n) - 1
    segment = np.repeat(np.arange(len(starts)), ends - starts + 1)
    per_bucket = np.stack([
        starts,
        ends,
        _first_index_of(ys, starts, segment, np.fmin),
        _first_index_of(ys, starts, segment, np.fmax),
    ], axis=1)
    # Each bucket's indices lie inside its own [start, end], so rows sorted one by one are
    # sorted as a whole: duplicates are then neighbours (no global sort or hash needed).
    picked = np.sort(per_bucket, axis=1).ravel()
    picked = picked[np.append(True, picked[1:] != picked[:-1])]
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
    index holding its reduced value; the segment's start where it holds only NaN."""
    extreme = reduce.reduceat(ys, starts)
    hits = np.flatnonzero(ys == extreme[segment])
    hit_segment = segment[hits]
    # hits ascend, so a segment's first hit is where the segment number changes
    first = np.append(True, hit_segment[1:] != hit_segment[:-1])
    out = starts.copy()
    out[hit_segment[first]] = hits[first]
    return out
