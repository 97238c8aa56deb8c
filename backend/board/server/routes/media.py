"""Histograms, images, text and graphs."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Response

from board.graph_json import graph_to_json
from board.server import queries
from board.server.deps import StoreDep
from board.server.models import GraphOut, HistogramsOut, ImagesOut, TextOut

router = APIRouter(prefix="/api", tags=["media"])


@router.get("/histograms", response_model=HistogramsOut)
def read_histograms(store: StoreDep, run: str, tag: str):
    """Every histogram of a tag: per step, bucket right edges (`bucket_limit`) and counts."""
    return queries.read_histograms(store, run, tag)


@router.get("/images", response_model=ImagesOut)
def read_images(store: StoreDep, run: str, tag: str):
    """The images of a tag (metadata; fetch each with /api/images/blob)."""
    return queries.read_images(store, run, tag)


@router.get("/images/blob", response_class=Response,
            responses={200: {"content": {"image/png": {}}}})
def image_blob(store: StoreDep, run: str, tag: str,
               index: Annotated[int, Query(ge=0, description="position in /api/images")]):
    """The encoded image (PNG as written; other formats with their own type)."""
    data, content_type = queries.image_blob(store, run, tag, index)
    return Response(data, media_type=content_type,
                    headers={"Cache-Control": "private, max-age=3600"})


@router.get("/text", response_model=TextOut)
def read_text(store: StoreDep, run: str, tag: str):
    """The text summaries of a tag, per step."""
    return queries.read_text(store, run, tag)


@router.get("/graph", response_model=GraphOut)
def read_graph(store: StoreDep, run: str):
    """The run's latest GraphDef as JSON nodes."""
    return {"run": run, "nodes": graph_to_json(queries.graph_def_bytes(store, run))}
