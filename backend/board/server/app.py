"""The board's FastAPI application: `create_app(settings)`.

The app owns a Store and the reloader thread that fills it (started and stopped with the
app's lifespan). Public errors map to HTTP codes here, and only here.
"""

from __future__ import annotations

import threading
from contextlib import asynccontextmanager

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse

from board.graph_json import GraphDecodeError
from board.ingest.reloader import LogdirReloader
from board.launch.supervisor import Supervisor
from board.server.errors import PublicError
from board.server.routes import compat, frontend, graph, launch, media, runs, scalars, stream
from board.server.settings import Settings
from board.store.store import Store

DESCRIPTION = """A TensorBoard-style log server. It reads event files under the logdir
(local or any fsspec URL), keeps every scalar point, and serves them downsampled per
request with M4 aggregation. Unknown runs or tags answer 404 naming them; bad parameters
422."""


def create_app(settings: Settings, store: Store | None = None,
               reloader: LogdirReloader | None = None, start_reloader: bool = True,
               launch_supervisor: Supervisor | None = None) -> FastAPI:
    """`launch_supervisor`: the logdir's launches, when the caller made it (the CLI does, to
    launch the first run through it); else the launch routes make one on first use."""
    store = store if store is not None else Store()
    reloader = reloader if reloader is not None else LogdirReloader(
        store, settings.logdirs, settings.reload_interval, settings.max_reload_threads)

    @asynccontextmanager
    async def lifespan(app: FastAPI):
        if start_reloader:
            reloader.start()
        yield
        app.state.stopping.set()
        reloader.stop()

    app = FastAPI(title="scopeflow board", description=DESCRIPTION, version="0.1.0",
                  lifespan=lifespan)
    app.state.settings = settings
    app.state.store = store
    app.state.reloader = reloader
    app.state.stopping = threading.Event()
    if launch_supervisor is not None:
        app.state.launch_supervisor = launch_supervisor
        app.state.launch_jobs = launch_supervisor.jobs
    for router in (runs.router, scalars.router, media.router, graph.router, launch.router,
                   stream.router, compat.router, frontend.router):
        app.include_router(router)
    app.add_exception_handler(PublicError, _public_error)
    app.add_exception_handler(GraphDecodeError, _bad_stored_data)
    return app


async def _public_error(request: Request, exc: PublicError) -> JSONResponse:
    return JSONResponse({"detail": str(exc)}, status_code=exc.http_code)


async def _bad_stored_data(request: Request, exc: Exception) -> JSONResponse:
    return JSONResponse({"detail": str(exc)}, status_code=500)
