"""The read side of the REST API as pure functions of a Store (no HTTP here).

Routes parse and validate parameters, call these, and encode the result. Unknown runs and
tags raise NotFoundError naming them; bad values raise InvalidArgumentError.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from board.server import jsonenc
from board.server.errors import InvalidArgumentError, NotFoundError
from board.store import m4_indices, select_range
from board.store.cache import ByteBudgetCache
from board.store.run_data import KINDS, RunData
from board.store.scalars import ScalarColumns
from board.store.smoothing import ema_debiased
from board.store.store import Store

X_AXES = ("step", "wall_time")


def get_run(store: Store, run: str) -> RunData:
    data = store.get(run)
    if data is None:
        raise NotFoundError(f"unknown run {run!r}")
    return data


def _tag_data(store: Store, run: str, kind: str, tag: str):
    data = get_run(store, run)
    points = getattr(data, kind).get(tag)
    if points is None:
        raise NotFoundError(f"run {run!r} has no {kind} tag {tag!r}")
    return points


def list_runs(store: Store) -> list[dict]:
    out = []
    with store.lock():
        for run in sorted(store.run_names()):
            data = store.get(run)
            last_step, last_wall = data.last_point()
            out.append({
                "run": run,
                "tags": {kind: data.tags(kind) for kind in KINDS},
                "graph": data.graph_def is not None,
                "last_step": last_step,
                "last_wall_time": last_wall,
            })
    return out


def scalar_columns(store: Store, run: str, tag: str) -> ScalarColumns:
    with store.lock():
        return _tag_data(store, run, "scalars", tag).columns()


@dataclass(frozen=True)
class ScalarQuery:
    points: int | None = None
    x: str = "step"
    start: float | None = None
    end: float | None = None
    smoothing: float | None = None

    def validate(self) -> None:
        if self.points is not None and self.points < 1:
            raise InvalidArgumentError(f"points must be >= 1, got {self.points}")
        if self.x not in X_AXES:
            raise InvalidArgumentError(f"x must be one of {', '.join(X_AXES)}, got {self.x!r}")
        if self.smoothing is not None and not 0.0 <= self.smoothing < 1.0:
            raise InvalidArgumentError(f"smoothing must be in [0, 1), got {self.smoothing}")
        if self.start is not None and self.end is not None and self.start > self.end:
            raise InvalidArgumentError(f"start ({self.start}) is after end ({self.end})")


def read_scalars(store: Store, run: str, tag: str, query: ScalarQuery
                 ) -> tuple[dict, dict[str, np.ndarray]]:
    """The series (or its M4 aggregate) as a JSON head and named columns."""
    query.validate()
    return _shape(run, tag, scalar_columns(store, run, tag), query)


def read_scalars_json(store: Store, run: str, tag: str, query: ScalarQuery) -> bytes:
    """`read_scalars` encoded. Downsampled answers (bounded in size) are kept per series
    version, so a page reload or a second card of the same width costs nothing."""
    query.validate()
    cols = scalar_columns(store, run, tag)
    if query.points is None:
        return jsonenc.obj_with_columns(*_shape(run, tag, cols, query))
    return _ENCODED.get_or_compute(
        (run, tag, cols.key, query),
        lambda: jsonenc.obj_with_columns(*_shape(run, tag, cols, query)), len)


def _shape(run: str, tag: str, cols: ScalarColumns, query: ScalarQuery
           ) -> tuple[dict, dict[str, np.ndarray]]:
    x = cols.step if query.x == "step" else cols.wall_time
    smoothed = None
    if query.smoothing is not None:
        # Over the full series, before any range selection or downsampling, so the curve
        # does not depend on the chart's width or zoom.
        smoothed = _smoothed(cols, query.smoothing)
    idx = None
    if query.start is not None or query.end is not None:
        idx = select_range(x, query.start, query.end)
    selected = len(x) if idx is None else len(idx)
    downsampled = query.points is not None and selected > query.points
    if downsampled:
        xs = x if idx is None else x[idx]
        ys = cols.value if idx is None else cols.value[idx]
        x_range = None
        if query.start is not None and query.end is not None:
            x_range = (query.start, query.end)
        picked = m4_indices(xs, ys, query.points, x_range)
        idx = picked if idx is None else idx[picked]
    columns = {
        "step": _take(cols.step, idx),
        "wall_time": _take(cols.wall_time, idx),
        "value": _take(cols.value, idx),
    }
    if smoothed is not None:
        columns["smoothed"] = _take(smoothed, idx)
    head = {"run": run, "tag": tag, "downsampled": bool(downsampled), "total": len(cols)}
    return head, columns


# Budgets: a smoothed 100,000-point series is 800 KB, an encoded card line ~100 KB.
_SMOOTHED = ByteBudgetCache(64 << 20)
_ENCODED = ByteBudgetCache(64 << 20)


def _smoothed(cols: ScalarColumns, weight: float) -> np.ndarray:
    """The EMA of a series, cached per series version: a chart's pans and zooms reuse it."""
    return _SMOOTHED.get_or_compute((*cols.key, weight),
                                    lambda: ema_debiased(cols.value, weight),
                                    lambda a: a.nbytes)


def _take(column: np.ndarray, idx: np.ndarray | None) -> np.ndarray:
    return column if idx is None else column[idx]


def scalars_csv(store: Store, run: str, tag: str) -> str:
    cols = scalar_columns(store, run, tag)
    lines = ["wall_time,step,value"]
    values = cols.value.astype(np.float64).tolist()
    lines += [f"{w!r},{s},{v!r}" for w, s, v in
              zip(cols.wall_time.tolist(), cols.step.tolist(), values, strict=True)]
    return "\n".join(lines) + "\n"


def read_histograms(store: Store, run: str, tag: str) -> dict:
    with store.lock():
        points = list(_tag_data(store, run, "histograms", tag))
    return {"run": run, "tag": tag, "histograms": [{
        "wall_time": p.wall_time, "step": p.step, "min": p.min, "max": p.max, "num": p.num,
        "sum": p.sum, "sum_squares": p.sum_squares,
        "bucket_limit": p.bucket_limit.tolist(), "bucket": p.bucket.tolist(),
    } for p in points]}


def read_images(store: Store, run: str, tag: str) -> dict:
    with store.lock():
        points = list(_tag_data(store, run, "images", tag))
    return {"run": run, "tag": tag, "images": [{
        "index": i, "wall_time": p.wall_time, "step": p.step, "width": p.width,
        "height": p.height, "content_type": p.content_type,
    } for i, p in enumerate(points)]}


def image_blob(store: Store, run: str, tag: str, index: int) -> tuple[bytes, str]:
    with store.lock():
        points = _tag_data(store, run, "images", tag)
        if not 0 <= index < len(points):
            raise NotFoundError(f"run {run!r} tag {tag!r} has no image {index} "
                                f"({len(points)} images)")
        point = points[index]
    return point.encoded, point.content_type


def read_text(store: Store, run: str, tag: str) -> dict:
    with store.lock():
        points = list(_tag_data(store, run, "text", tag))
    return {"run": run, "tag": tag, "text": [{
        "wall_time": p.wall_time, "step": p.step, "strings": list(p.strings),
        "shape": list(p.shape)} for p in points]}


def graph_def_bytes(store: Store, run: str) -> bytes:
    data = get_run(store, run)
    if data.graph_def is None:
        raise NotFoundError(f"run {run!r} has no graph")
    return data.graph_def
