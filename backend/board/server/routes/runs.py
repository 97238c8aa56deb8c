"""Runs and server status."""

from __future__ import annotations

from fastapi import APIRouter, Request

from board.server import queries
from board.server.deps import StoreDep
from board.server.models import RunInfo, Status

router = APIRouter(prefix="/api", tags=["runs"])


@router.get("/runs", response_model=list[RunInfo])
def list_runs(store: StoreDep):
    """Every run with its tags per kind, whether it has a graph, and its latest point."""
    return queries.list_runs(store)


@router.get("/status", response_model=Status)
def status(request: Request, store: StoreDep):
    """Whether the first load has finished, how many reloads ran and how long the last took
    (also the container health check)."""
    reloader = request.app.state.reloader
    return Status(loaded=reloader.loaded.is_set(), reloads=reloader.reloads,
                  last_reload_seconds=reloader.last_reload_seconds, runs=len(store.run_names()))
