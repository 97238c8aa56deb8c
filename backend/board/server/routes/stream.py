"""Server-Sent Events announcing what each reload added.

Event types (the data is one JSON object):

- ``run``: ``{"run": "train", "change": "added" | "removed"}``
- ``tag``: ``{"run": "train", "kind": "scalars" | "histograms" | "images" | "text",
  "tag": "loss"}``
- ``scalars``: ``{"run": "train", "tag": "loss", "last_step": 1200, "total": 1201}``
- ``resync``: ``{}`` when the client missed notices (refetch what it shows)

Each event carries an ``id``; a reconnecting EventSource sends it back as Last-Event-ID and
gets what it missed.
"""

from __future__ import annotations

import asyncio
from typing import Annotated

from fastapi import APIRouter, Header, Request
from fastapi.responses import StreamingResponse

from board.server import jsonenc
from board.server.deps import StoreDep

router = APIRouter(prefix="/api", tags=["stream"])

POLL_SECONDS = 0.25
HEARTBEAT_SECONDS = 15.0


@router.get("/stream", response_class=StreamingResponse,
            responses={200: {"content": {"text/event-stream": {
                "example": 'event: scalars\nid: 7\ndata: {"run":"train","tag":"loss",'
                           '"last_step":1200,"total":1201}\n\n'}}}})
async def stream(request: Request, store: StoreDep,
                 last_event_id: Annotated[str | None, Header()] = None):
    """Live notices of new runs, tags and points (see the module doc for the types)."""
    try:
        seq = int(last_event_id) if last_event_id is not None else store.feed.seq
    except ValueError:
        seq = store.feed.seq
    return StreamingResponse(_events(request, store, seq), media_type="text/event-stream",
                             headers={"Cache-Control": "no-cache", "X-Accel-Buffering": "no"})


async def _events(request: Request, store: StoreDep, seq: int):
    yield ": connected\nretry: 2000\n\n"
    idle = 0.0
    stopping = request.app.state.stopping
    while not stopping.is_set():
        notices, missed = store.feed.since(seq)
        if missed:
            yield "event: resync\ndata: {}\n\n"
        for n, kind, data in notices:
            yield f"event: {kind}\nid: {n}\ndata: {jsonenc.dumps(data)}\n\n"
            seq = n
        if notices:
            idle = 0.0
        elif idle >= HEARTBEAT_SECONDS:
            yield ": ping\n\n"
            idle = 0.0
        if await request.is_disconnected():
            return
        await asyncio.sleep(POLL_SECONDS)
        idle += POLL_SECONDS
