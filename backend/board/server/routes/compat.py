"""TensorBoard-compatible reads, for tools that already speak to TensorBoard."""

from __future__ import annotations

from fastapi import APIRouter, Response

from board.server import jsonenc, queries
from board.server.deps import StoreDep

router = APIRouter(prefix="/data", tags=["tensorboard-compatible"])


@router.get("/runs", response_model=list[str])
def runs(store: StoreDep):
    """Run names, oldest first (by the wall time of their first event), as TensorBoard."""
    with store.lock():
        started = {r: store.get(r).start_wall_time for r in store.run_names()}
    return sorted(started, key=lambda r: (started[r] is None, started[r] or 0.0, r))


@router.get("/plugin/scalars/tags")
def scalar_tags(store: StoreDep):
    """``{run: {tag: {"displayName": ..., "description": ...}}}``."""
    out = {}
    with store.lock():
        for run in store.run_names():
            data = store.get(run)
            tags = {}
            for tag in data.tags("scalars"):
                info = data.tag_info.get(("scalars", tag))
                tags[tag] = {"displayName": info.display_name if info else "",
                             "description": info.description if info else ""}
            if tags:
                out[run] = tags
    return out


@router.get("/plugin/scalars/scalars", response_class=Response)
def scalars(store: StoreDep, run: str, tag: str):
    """Every point as TensorBoard's ``[[wall_time, step, value], ...]`` (non-finite values
    spelled "NaN", "Infinity", "-Infinity" as TensorBoard does)."""
    cols = queries.scalar_columns(store, run, tag)
    return Response(jsonenc.rows(cols.wall_time, cols.step, cols.value, "tb"),
                    media_type="application/json")
