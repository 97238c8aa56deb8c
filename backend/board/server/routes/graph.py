"""The graph view's layout: the name-scope hierarchy, laid out for a set of expanded scopes."""

from __future__ import annotations

from typing import Annotated

import orjson
from fastapi import APIRouter, Query, Response

from board.graph.cache import layout_json
from board.server import queries
from board.server.deps import StoreDep

router = APIRouter(prefix="/api/graph", tags=["graph"])

_EXAMPLE = {"run": "train", "root": {"name": "", "width": 240.0, "height": 160.0, "nodes": [
    {"name": "layer1", "label": "layer1", "kind": "scope", "op": None, "op_count": 3,
     "device": "/gpu:0", "devices": {"/gpu:0": 3}, "structure": "5e249b9c6f92",
     "x": 16.0, "y": 16.0, "width": 92.0, "height": 36.0, "expanded": False, "group": None},
    {"name": "loss", "label": "loss", "kind": "op", "op": "Mean", "op_count": 1,
     "device": "", "devices": {"": 1}, "structure": "Mean",
     "x": 38.0, "y": 92.0, "width": 48.0, "height": 24.0, "expanded": False, "group": None}],
    "edges": [{"source": "layer1", "target": "loss", "count": 1, "control": False,
               "points": [[62.0, 52.0], [62.0, 92.0]]}]}}


@router.get("/layout", response_class=Response, responses={200: {
    "description": "The root Group: nodes (ops and scopes, an expanded scope holding its "
                   "own Group) and sibling edges aggregated with counts and polylines",
    "content": {"application/json": {"example": _EXAMPLE}}}})
def graph_layout(store: StoreDep, run: str,
                 expanded: Annotated[list[str] | None, Query(
                     description="a scope to show opened (repeat for more); unknown names "
                                 "are ignored")] = None):
    """The run's graph collapsed by name scope, with the `expanded` scopes opened. Layouts
    are cached per graph and expanded set."""
    root = layout_json(queries.graph_def_bytes(store, run), expanded or ())
    body = b'{"run":' + orjson.dumps(run) + b',"root":' + root + b"}"
    return Response(body, media_type="application/json")
