"""Start a registered training job (board.launch.jobs) when the board opens on an empty log directory, so that a
newcomer's first `make run` shows a run training live instead of an empty page.

The job is a separate process (the board never imports scopeflow); its output goes to a log
file in the logdir, next to the run it writes.
"""

from __future__ import annotations

import logging
import os
import subprocess
import sys
from pathlib import Path

from board.launch.jobs import Job, JobRegistry, builtin_jobs

logger = logging.getLogger(__name__)

EVENT_FILE_MARKER = "tfevents"

# Parameters that differ from a job's defaults for a first run: the demo keeps training while
# a newcomer looks around the dashboard.
FIRST_RUN_PARAMS: dict[str, dict] = {"mnist": {"max_steps": 10000}}


def first_run_argv(job: Job, logdir: Path, python: str = sys.executable) -> list[str]:
    """The command of `job` as a first run: run directory `<logdir>/<job name>`."""
    return job.argv(job.check_params(FIRST_RUN_PARAMS.get(job.name, {})), logdir / job.name,
                    python=python)


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
    jobs: JobRegistry | None = None,
    python: str = sys.executable,
) -> subprocess.Popen | None:
    """Start `job_name` (from `jobs`, the built-in jobs by default) in the background, writing
    the run `<logdir>/<job_name>`, when `logdir` holds no event files yet.

    Returns the running process, or None when the logdir already has runs or is not a
    local directory (object-store logdirs are never written to by the board).
    """
    jobs = jobs if jobs is not None else builtin_jobs()
    if job_name not in jobs:
        known = ", ".join(sorted(jobs.names())) or "none"
        raise ValueError(f"unknown first-run job {job_name!r} (known jobs: {known})")
    if "://" in str(logdir):
        logger.info("first run: %s is not a local directory; not starting %s", logdir, job_name)
        return None
    logdir = Path(logdir)
    if has_event_files(logdir):
        return None
    logdir.mkdir(parents=True, exist_ok=True)
    job = jobs.get(job_name)
    argv = first_run_argv(job, logdir, python)
    log_path = logdir / f"{job_name}.first_run.log"
    # One torch thread: the board and the job share what may be a small machine.
    env = {"OMP_NUM_THREADS": "1", **os.environ, **job.env, "PYTHONUNBUFFERED": "1"}
    with open(log_path, "ab") as log:
        process = subprocess.Popen(
            argv, cwd=job.cwd, stdin=subprocess.DEVNULL, stdout=log,
            stderr=subprocess.STDOUT, env=env,
        )
    logger.warning(
        "%s holds no runs yet: started the %s example (pid %d), output in %s",
        logdir, job_name, process.pid, log_path,
    )
    return process
