"""Launching registered jobs as runs in the logdir, and following them (board.launch).

POSTs change the machine (they start processes), so they are allowed only from a loopback
client that addressed the board by a loopback name (a DNS-rebinding page cannot pass), or,
when the board has a launch token, only with `Authorization: Bearer <token>`. They must be
`application/json`: a cross-site form cannot send that, and the board grants no CORS
preflight.
"""

from __future__ import annotations

import hmac
import ipaddress
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Query, Request
from pydantic import BaseModel, Field

from board.ingest.discovery import is_url
from board.launch.config import load_registry
from board.launch.errors import (
    InvalidOffsetError,
    InvalidParamError,
    InvalidRunError,
    LaunchError,
    NotLocalError,
    RunExistsError,
    UnknownJobError,
    UnknownLaunchError,
)
from board.launch.jobs import JobRegistry
from board.launch.supervisor import Supervisor
from board.server.deps import SettingsDep
from board.server.errors import (
    ConflictError,
    ForbiddenError,
    InvalidArgumentError,
    NotFoundError,
    PublicError,
    UnsupportedMediaTypeError,
)

router = APIRouter(prefix="/api/launch", tags=["launch"])
_init_lock = threading.Lock()


_HTTP_ERRORS = {
    UnknownJobError: NotFoundError, UnknownLaunchError: NotFoundError,
    InvalidParamError: InvalidArgumentError, InvalidRunError: InvalidArgumentError,
    InvalidOffsetError: InvalidArgumentError,
    RunExistsError: ConflictError, NotLocalError: ConflictError,
}


@contextmanager
def _public_errors() -> Iterator[None]:
    try:
        yield
    except LaunchError as err:
        raise _HTTP_ERRORS.get(type(err), PublicError)(str(err)) from err


class ParamOut(BaseModel):
    name: str = Field(examples=["max_steps"])
    type: Literal["int", "float", "str", "bool", "choice"]
    default: Any = Field(examples=[1000])
    min: int | float | None = Field(None, examples=[1])
    max: int | float | None = Field(None, examples=[1000000])
    choices: list[Any] | None = None
    help: str = Field(examples=["training steps"])


class JobOut(BaseModel):
    name: str = Field(examples=["mnist"])
    title: str = Field(examples=["MNIST (Mechanics 101)"])
    description: str
    params: list[ParamOut]


class LaunchIn(BaseModel):
    job: str = Field(examples=["mnist"])
    run: str = Field(examples=["mnist/lr_0.1"], description="directory under the logdir")
    params: dict[str, Any] = Field(default_factory=dict, examples=[{"learning_rate": 0.1}])


class LaunchOut(BaseModel):
    id: str = Field(examples=["3f2a9c0d1b7e"])
    job: str
    run: str
    params: dict[str, Any]
    status: Literal["running", "finished", "failed", "stopped", "lost"]
    exit_code: int | None = Field(description="negative: ended by that signal")
    pid: int
    started: float = Field(description="unix seconds")
    ended: float | None


class LogOut(BaseModel):
    text: str
    offset: int = Field(description="where the next read starts")
    done: bool = Field(description="the process ended and all its output was sent")


def get_jobs(request: Request, settings: SettingsDep) -> JobRegistry:
    with _init_lock, _public_errors():
        if getattr(request.app.state, "launch_jobs", None) is None:
            request.app.state.launch_jobs = load_registry(settings.launch_config)
        return request.app.state.launch_jobs


JobsDep = Annotated[JobRegistry, Depends(get_jobs)]


def get_supervisor(request: Request, settings: SettingsDep, jobs: JobsDep) -> Supervisor | None:
    """The logdir's supervisor: the one the app was created with (the CLI makes it at start,
    and launches the first run through it), else one created on first use; None when the
    logdir is not one local directory (launching writes into it)."""
    supervisor = getattr(request.app.state, "launch_supervisor", None)
    if supervisor is not None:
        return supervisor
    if len(settings.logdirs) != 1 or is_url(settings.logdirs[0].url):
        return None
    with _init_lock:
        if getattr(request.app.state, "launch_supervisor", None) is None:
            request.app.state.launch_supervisor = Supervisor(
                settings.logdirs[0].url, jobs, grace_seconds=settings.launch_grace_seconds)
        return request.app.state.launch_supervisor


SupervisorDep = Annotated[Supervisor | None, Depends(get_supervisor)]


def _require(supervisor: Supervisor | None) -> Supervisor:
    if supervisor is None:
        raise ConflictError("launching needs the board to serve one local logdir")
    return supervisor


def check_mutation_allowed(request: Request, settings: SettingsDep) -> None:
    """403 unless the client may start or stop processes; 415 unless the body is JSON."""
    if settings.launch_token:
        scheme, _, given = request.headers.get("authorization", "").partition(" ")
        if scheme.lower() != "bearer" or not hmac.compare_digest(
                given.strip().encode(), settings.launch_token.encode()):
            raise ForbiddenError("launching needs the header 'Authorization: Bearer <token>' "
                                 "with the board's --launch_token")
    else:
        client = request.client.host if request.client else ""
        if not _is_loopback(client):
            raise ForbiddenError(f"launching is allowed only from this machine (client "
                                 f"{client!r}); start the board with --launch_token to allow "
                                 f"other clients")
        host = _host_name(request.headers.get("host", ""))
        if not (_is_loopback(host) or host == "localhost" or host.endswith(".localhost")):
            raise ForbiddenError(f"launching without a token needs the board addressed by a "
                                 f"loopback name, not {host!r}")
    content_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if content_type != "application/json":
        raise UnsupportedMediaTypeError(
            f"launch requests must be application/json, got {content_type or 'no body type'!r}")


def _is_loopback(host: str) -> bool:
    try:
        address = ipaddress.ip_address(host)
    except ValueError:
        return False
    mapped = getattr(address, "ipv4_mapped", None)
    return (mapped or address).is_loopback


def _host_name(host: str) -> str:
    if host.startswith("["):
        return host[1:host.find("]")]
    return host.rsplit(":", 1)[0] if host.count(":") == 1 else host


Mutating = [Depends(check_mutation_allowed)]


@router.get("/jobs", response_model=list[JobOut], response_model_exclude_none=True)
def list_jobs(jobs: JobsDep):
    """The jobs that can be launched, each with its parameter schema."""
    return [job.describe() for job in jobs]


@router.get("/runs", response_model=list[LaunchOut])
def list_launches(supervisor: SupervisorDep):
    """Every launch this logdir remembers, oldest first."""
    return supervisor.list() if supervisor else []


@router.post("/runs", response_model=LaunchOut, status_code=201, dependencies=Mutating)
def launch(body: LaunchIn, supervisor: SupervisorDep):
    """Start `job` writing into the new directory `run` under the logdir. 404 unknown job,
    422 a bad parameter or run name (named), 409 the run exists or the logdir is not local."""
    with _public_errors():
        return _require(supervisor).launch(body.job, body.run, body.params)


@router.get("/runs/{launch_id}", response_model=LaunchOut)
def read_launch(launch_id: str, supervisor: SupervisorDep):
    """One launch: its status, exit code and times."""
    with _public_errors():
        return _require_found(supervisor, launch_id).get(launch_id)


@router.post("/runs/{launch_id}/stop", response_model=LaunchOut, dependencies=Mutating)
def stop_launch(launch_id: str, supervisor: SupervisorDep):
    """SIGTERM to the launch's process group, SIGKILL after a grace period; answers once it
    ended or after two seconds (then still "running")."""
    with _public_errors():
        return _require_found(supervisor, launch_id).stop(launch_id, wait=2.0)


@router.get("/runs/{launch_id}/log", response_model=LogOut)
def read_log(launch_id: str, supervisor: SupervisorDep,
             offset: Annotated[int, Query(ge=0, description="byte offset to read from")] = 0):
    """The launch's stdout and stderr from byte `offset` (up to 64 KiB per call)."""
    with _public_errors():
        return _require_found(supervisor, launch_id).read_log(launch_id, offset)


def _require_found(supervisor: Supervisor | None, launch_id: str) -> Supervisor:
    if supervisor is None:
        raise NotFoundError(f"unknown launch {launch_id!r}")
    return supervisor
