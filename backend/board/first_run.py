"""Start a built-in training job when the board opens on an empty log directory, so that a
newcomer's first `make run` shows a run training live instead of an empty page.

The job is a separate process (the board never imports scopeflow); its output goes to a log
file in the logdir, next to the run it writes.
"""

from __future__ import annotations

import logging
import os
import subprocess
import sys
from collections.abc import Callable, Mapping
from pathlib import Path

logger = logging.getLogger(__name__)

EVENT_FILE_MARKER = "tfevents"


def _mnist_argv(logdir: Path) -> list[str]:
    return [
        "-m", "scopeflow.examples.mnist.fully_connected_feed",
        "--dataset", "auto",
        "--train_dir", str(logdir / "mnist"),
        "--max_steps", "10000",
    ]


# Job name -> the interpreter arguments that run it, given the logdir.
FIRST_RUN_JOBS: dict[str, Callable[[Path], list[str]]] = {"mnist": _mnist_argv}


def has_event_files(logdir: str | os.PathLike) -> bool:
    """Whether any directory under `logdir` (at any depth) holds an event file."""
    for _, _, files in os.walk(logdir):
        if any(EVENT_FILE_MARKER in name for name in files):
            return True
    return False


def start_if_empty(
    logdir: str | os.PathLike,
    job_name: str,
    *,
    jobs: Mapping[str, Callable[[Path], list[str]]] = FIRST_RUN_JOBS,
    python: str = sys.executable,
) -> subprocess.Popen | None:
    """Start `job_name` in the background when `logdir` holds no event files yet.

    Returns the running process, or None when the logdir already has runs or is not a
    local directory (object-store logdirs are never written to by the board).
    """
    if job_name not in jobs:
        known = ", ".join(sorted(jobs)) or "none"
        raise ValueError(f"unknown first-run job {job_name!r} (known jobs: {known})")
    if "://" in str(logdir):
        logger.info("first run: %s is not a local directory; not starting %s", logdir, job_name)
        return None
    logdir = Path(logdir)
    if has_event_files(logdir):
        return None
    logdir.mkdir(parents=True, exist_ok=True)
    log_path = logdir / f"{job_name}.first_run.log"
    env = dict(os.environ, PYTHONUNBUFFERED="1")
    # One torch thread: the board and the job share what may be a small machine.
    env.setdefault("OMP_NUM_THREADS", "1")
    with open(log_path, "ab") as log:
        process = subprocess.Popen(
            [python, *jobs[job_name](logdir)],
            stdin=subprocess.DEVNULL, stdout=log, stderr=subprocess.STDOUT, env=env,
        )
    logger.warning(
        "%s holds no runs yet: started the %s example (pid %d), output in %s",
        logdir, job_name, process.pid, log_path,
    )
    return process
