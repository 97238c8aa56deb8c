"""Scalar series: full resolution or M4-downsampled, optionally smoothed; downloads."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Query, Response
from fastapi.responses import StreamingResponse

from board.server import jsonenc, queries
from board.server.deps import StoreDep
from board.server.models import ScalarBatchRequest, ScalarSeriesOut

router = APIRouter(prefix="/api", tags=["scalars"])

_JSON = "application/json"
_STREAM_ABOVE = 50_000  # points
_SERIES_DOC = {200: {"model": ScalarSeriesOut, "content": {_JSON: {}}}}

Points = Annotated[int | None, Query(ge=1, description="M4 buckets; omit for every point")]
XAxis = Annotated[Literal["step", "wall_time"], Query(description="the x the range applies to")]
Smoothing = Annotated[float | None, Query(ge=0.0, lt=1.0, description="EMA weight")]


@router.get("/scalars", responses=_SERIES_DOC, response_class=Response)
def read_scalars(store: StoreDep, run: str, tag: str, points: Points = None,
                 x: XAxis = "step", start: float | None = None, end: float | None = None,
                 smoothing: Smoothing = None):
    """One tag's points. Every point without `points`; with `points=N`, the first, last,
    min and max point of each of N buckets of the x range (the exact series when it has at
    most N points). `start`/`end` select an x range. `smoothing=w` adds `smoothed`,
    TensorBoard's debiased EMA computed over the full series before downsampling.
    Non-finite values are written as null."""
    query = queries.ScalarQuery(points, x, start, end, smoothing)
    if points is not None:
        return Response(queries.read_scalars_json(store, run, tag, query), media_type=_JSON)
    head, columns = queries.read_scalars(store, run, tag, query)
    if len(columns["step"]) > _STREAM_ABOVE:
        # Column by column: a full-resolution body never sits in memory twice.
        parts = jsonenc.obj_with_columns_parts(head, columns)
        return StreamingResponse(parts, media_type=_JSON)
    return Response(jsonenc.obj_with_columns(head, columns), media_type=_JSON)


@router.post("/scalars/batch", response_class=Response,
             responses={200: {"model": list[ScalarSeriesOut], "content": {_JSON: {}}}})
def read_scalars_batch(store: StoreDep, body: ScalarBatchRequest):
    """Several series with the same options, as a list in request order (one request per
    chart card)."""
    query = queries.ScalarQuery(body.points, body.x, body.start, body.end, body.smoothing)
    parts = [queries.read_scalars_json(store, item.run, item.tag, query)
             for item in body.items]
    return Response(b"[" + b",".join(parts) + b"]", media_type=_JSON)


@router.get("/scalars.csv", response_class=Response,
            responses={200: {"content": {"text/csv": {"example": "wall_time,step,value\n"}}}})
def download_csv(store: StoreDep, run: str, tag: str):
    """Every point as CSV: `wall_time,step,value`."""
    return Response(queries.scalars_csv(store, run, tag), media_type="text/csv",
                    headers=_attachment(run, tag, "csv"))


@router.get("/scalars.json", response_class=Response)
def download_json(store: StoreDep, run: str, tag: str):
    """Every point as a JSON list of `[wall_time, step, value]` rows."""
    cols = queries.scalar_columns(store, run, tag)
    return Response(jsonenc.rows(cols.wall_time, cols.step, cols.value), media_type=_JSON,
                    headers=_attachment(run, tag, "json"))


def _attachment(run: str, tag: str, ext: str) -> dict[str, str]:
    safe = "".join(c if c.isalnum() or c in "-_." else "_" for c in f"{run}_{tag}")
    return {"Content-Disposition": f'attachment; filename="{safe}.{ext}"'}
