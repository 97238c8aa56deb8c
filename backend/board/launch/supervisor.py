"""Runs launched jobs as subprocesses writing into a local logdir, and remembers them.

Each launch gets its own process group (so a stop reaches the job's children, and a Ctrl-C
meant for the board does not reach the job), stdin from /dev/null, and stdout+stderr in
`<logdir>/.board/launches/<id>.log`: outside every run directory, and not an event file, so
ingestion never mistakes it for a run. The launches are kept in `<logdir>/.board/launches.json`,
replaced atomically on each change; a new Supervisor on the same logdir (a restarted board)
re-attaches to launches that still run and marks the others "lost". Closing the board leaves
launched runs running, except those launched with `stop_with_board` (the first run the board
starts by itself on an empty logdir): `stop_board_launches` ends them when the board exits.
"""

from __future__ import annotations

import codecs
import json
import logging
import os
import re
import signal
import subprocess
import threading
import time
import uuid
from dataclasses import asdict, dataclass, field, fields
from pathlib import Path
from typing import Any

from board.launch import processes
from board.launch.errors import (
    InvalidOffsetError,
    InvalidRunError,
    RunExistsError,
    StartFailedError,
    UnknownLaunchError,
)
from board.launch.jobs import JobRegistry

logger = logging.getLogger(__name__)

STATE_DIR = ".board"
SEGMENT = re.compile(r"^[A-Za-z0-9_-][A-Za-z0-9._-]*$")
MAX_RUN_NAME = 200
LOG_CHUNK = 64 * 1024


@dataclass
class Launch:
    id: str
    job: str
    run: str
    params: dict[str, Any]
    status: str  # running | finished | failed | stopped | lost
    exit_code: int | None
    pid: int
    started: float
    ended: float | None = None
    argv: list[str] = field(default_factory=list)
    start_ticks: int | None = None  # with pid, identifies the process across board restarts
    stop_requested: bool = False
    # The Supervisor.session that launched it with stop_with_board, else None. A session id
    # rather than a flag, so a restarted board never stops what an earlier one left running.
    board_session: str | None = None

    def public(self) -> dict:
        return {key: getattr(self, key) for key in (
            "id", "job", "run", "params", "status", "exit_code", "pid", "started", "ended")}


def run_directory(logdir: Path, run: str) -> Path:
    """`logdir/run`, for a run name made of segments of [A-Za-z0-9._-] that stays inside the
    logdir once symbolic links are resolved; segments may not start with '.' (so no '..', and
    the board's own .board directory is out of reach)."""
    if not isinstance(run, str) or not run or len(run) > MAX_RUN_NAME:
        raise InvalidRunError(f"run name must be 1 to {MAX_RUN_NAME} characters, got {run!r}")
    segments = run.split("/")
    bad = next((s for s in segments if not SEGMENT.match(s)), None)
    if bad is not None:
        raise InvalidRunError(f"bad run name {run!r}: segment {bad!r} must be letters, digits, "
                              f"'.', '_' or '-' and not start with '.'")
    root = logdir.resolve()
    path = (root / run).resolve()
    if not path.is_relative_to(root) or path == root:
        raise InvalidRunError(f"run {run!r} resolves outside the logdir")
    return path


class Supervisor:
    """The launches of one local logdir. Thread-safe; `changed` is notified on every change."""

    def __init__(self, logdir: str | os.PathLike, jobs: JobRegistry, *,
                 grace_seconds: float = 10.0, poll_seconds: float = 0.5):
        self.logdir = Path(logdir)
        self.jobs = jobs
        self.grace_seconds = grace_seconds
        self.poll_seconds = poll_seconds
        self.state_path = self.logdir / STATE_DIR / "launches.json"
        self.log_dir = self.logdir / STATE_DIR / "launches"
        self.session = uuid.uuid4().hex[:12]
        self.changed = threading.Condition()
        self._closed = threading.Event()
        self._launches: dict[str, Launch] = {}
        self._load()

    # -- queries -------------------------------------------------------------------------

    def list(self) -> list[dict]:
        with self.changed:
            return [launch.public() for launch in self._launches.values()]

    def get(self, launch_id: str) -> dict:
        with self.changed:
            return self._find(launch_id).public()

    def wait(self, launch_id: str, timeout: float) -> dict:
        """The launch once it is no longer running, or as it is after `timeout` seconds."""
        with self.changed:
            launch = self._find(launch_id)
            self.changed.wait_for(lambda: launch.status != "running", timeout)
            return launch.public()

    def log_path(self, launch_id: str) -> Path:
        return self.log_dir / f"{launch_id}.log"

    def read_log(self, launch_id: str, offset: int = 0, limit: int = LOG_CHUNK) -> dict:
        """`{"text", "offset", "done"}`: the output from byte `offset` (at most `limit` bytes,
        cut before a split UTF-8 character), where to continue, and whether that is all."""
        limit = max(limit, 4)  # room for one whole UTF-8 character, so each read progresses
        with self.changed:
            ended = self._find(launch_id).status != "running"
        # `ended` was read first, so when it is true the file is complete before we read it.
        path = self.log_path(launch_id)
        size = path.stat().st_size if path.exists() else 0
        if offset < 0 or offset > size:
            raise InvalidOffsetError(f"offset {offset} is outside the log ({size} bytes)")
        chunk = b""
        if offset < size:
            with open(path, "rb") as f:
                f.seek(offset)
                chunk = f.read(limit)
        decoder = codecs.getincrementaldecoder("utf-8")(errors="replace")
        final = offset + len(chunk) >= size and ended
        text = decoder.decode(chunk, final=final)
        used = len(chunk) - len(decoder.getstate()[0])
        next_offset = offset + used
        return {"text": text, "offset": next_offset, "done": ended and next_offset >= size}

    # -- actions -------------------------------------------------------------------------

    def launch(self, job_name: str, run: str, params: dict[str, Any] | None = None, *,
               stop_with_board: bool = False, exist_ok: bool = False) -> dict:
        """Start `job_name` writing into the new directory `run` (an existing one too with
        `exist_ok`); with `stop_with_board`, `stop_board_launches` ends it."""
        job = self.jobs.get(job_name)
        values = job.check_params(params or {})
        run_dir = run_directory(self.logdir, run)
        created = not run_dir.exists()
        try:
            run_dir.mkdir(parents=True, exist_ok=exist_ok)
        except FileExistsError:
            raise RunExistsError(f"run {run!r} already exists in the logdir") from None
        launch_id = uuid.uuid4().hex[:12]
        argv = job.argv(values, run_dir)
        env = {**os.environ, "OMP_NUM_THREADS": os.environ.get("OMP_NUM_THREADS", "1"),
               **job.env, "PYTHONUNBUFFERED": "1"}
        self.log_dir.mkdir(parents=True, exist_ok=True)
        try:
            with open(self.log_path(launch_id), "ab") as log:
                process = subprocess.Popen(
                    argv, cwd=job.cwd, env=env, stdin=subprocess.DEVNULL, stdout=log,
                    stderr=subprocess.STDOUT, start_new_session=True)
        except OSError as err:
            if created:
                run_dir.rmdir()
            raise StartFailedError(f"could not start job {job_name!r}: {err}") from None
        launch = Launch(id=launch_id, job=job_name, run=run, params=values, status="running",
                        exit_code=None, pid=process.pid, started=time.time(), argv=argv,
                        start_ticks=processes.start_ticks(process.pid),
                        board_session=self.session if stop_with_board else None)
        with self.changed:
            self._launches[launch_id] = launch
            self._save()
        logger.info("launched %s as run %r (pid %d): %s", job_name, run, process.pid, argv)
        threading.Thread(target=self._reap, args=(launch, process), daemon=True,
                         name=f"launch-{launch_id}").start()
        return launch.public()

    def stop(self, launch_id: str, wait: float = 0.0) -> dict:
        """SIGTERM to the launch's process group, SIGKILL after `grace_seconds`; returns the
        launch as it is once it ended or `wait` seconds passed."""
        with self.changed:
            launch = self._find(launch_id)
            if launch.status != "running":
                return launch.public()
            launch.stop_requested = True
            self._save()
            self._signal(launch, signal.SIGTERM)
        threading.Thread(target=self._kill_after_grace, args=(launch,), daemon=True).start()
        return self.wait(launch_id, wait)

    def stop_board_launches(self, margin_seconds: float = 5.0) -> list[dict]:
        """Stop this session's `stop_with_board` launches (all signalled at once) and return
        them once ended, waiting at most the grace period plus `margin_seconds`: the board
        calls this as it exits, and the SIGKILL after the grace period needs it still alive."""
        with self.changed:
            ids = [launch.id for launch in self._launches.values()
                   if launch.board_session == self.session and launch.status == "running"]
        for launch_id in ids:
            self.stop(launch_id)
        return [self.wait(launch_id, self.grace_seconds + margin_seconds) for launch_id in ids]

    def close(self) -> None:
        """Stop watching (re-attached launches are no longer polled); runs keep running."""
        self._closed.set()
        with self.changed:
            self.changed.notify_all()

    # -- internals -----------------------------------------------------------------------

    def _find(self, launch_id: str) -> Launch:
        launch = self._launches.get(launch_id)
        if launch is None:
            raise UnknownLaunchError(f"unknown launch {launch_id!r}")
        return launch

    def _signal(self, launch: Launch, sig: int) -> None:
        # Called with the lock held, while the process is known not to be reaped yet, so the
        # pid (also its group id: each launch starts a session) cannot have been reused.
        if launch.status == "running" and processes.is_alive(launch.pid, launch.start_ticks):
            try:
                os.killpg(launch.pid, sig)
            except ProcessLookupError:
                pass

    def _kill_after_grace(self, launch: Launch) -> None:
        with self.changed:
            if not self.changed.wait_for(lambda: launch.status != "running", self.grace_seconds):
                logger.warning("launch %s ignored SIGTERM for %gs: killing it", launch.id,
                               self.grace_seconds)
                self._signal(launch, signal.SIGKILL)

    def _reap(self, launch: Launch, process: subprocess.Popen) -> None:
        # Wait without reaping, so that the pid stays ours while _signal may use it; then reap
        # under the lock.
        if hasattr(os, "waitid"):
            try:
                os.waitid(os.P_PID, process.pid, os.WEXITED | os.WNOWAIT)
            except ChildProcessError:
                pass
        else:
            process.wait()
        with self.changed:
            code = process.wait()
            self._end(launch, code)

    def _end(self, launch: Launch, code: int | None) -> None:
        """Record the end of `launch` (lock held); `code` None: not ours, so unknown."""
        if launch.stop_requested:
            launch.status = "stopped"
        elif code is None:
            launch.status = "lost"
        else:
            launch.status = "finished" if code == 0 else "failed"
        launch.exit_code = code
        launch.ended = time.time()
        self._save()
        self.changed.notify_all()

    def _watch(self, launch: Launch) -> None:
        """Poll a launch started by an earlier board (not our child: no exit code)."""
        with self.changed:
            while launch.status == "running" and not self._closed.is_set():
                if not processes.is_alive(launch.pid, launch.start_ticks):
                    self._end(launch, None)
                    return
                self.changed.wait(self.poll_seconds)

    def _load(self) -> None:
        try:
            entries = json.loads(self.state_path.read_text())["launches"]
            known = {f.name for f in fields(Launch)}
            launches = [Launch(**{k: v for k, v in entry.items() if k in known})
                        for entry in entries]
        except FileNotFoundError:
            return
        except (OSError, ValueError, KeyError, TypeError) as err:
            logger.warning("ignoring unreadable launch state %s: %s", self.state_path, err)
            return
        lost = False
        for launch in launches:
            self._launches[launch.id] = launch
            if launch.status != "running":
                continue
            if processes.is_alive(launch.pid, launch.start_ticks):
                threading.Thread(target=self._watch, args=(launch,), daemon=True,
                                 name=f"launch-{launch.id}").start()
            else:
                launch.status = "lost"
                lost = True
        if lost:  # otherwise the file already says what we know
            with self.changed:
                self._save()

    def _save(self) -> None:
        """Replace the state file atomically (lock held)."""
        self.state_path.parent.mkdir(parents=True, exist_ok=True)
        tmp = self.state_path.with_name(f"{self.state_path.name}.{os.getpid()}.tmp")
        data = {"launches": [asdict(launch) for launch in self._launches.values()]}
        with open(tmp, "w") as f:
            json.dump(data, f, indent=1)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, self.state_path)

