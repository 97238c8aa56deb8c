"""Launch a registered job (board.launch.jobs) when the board opens on an empty log directory,
so that a newcomer's first `make run` shows a run training live instead of an empty page.

The job is launched through the logdir's Supervisor like a launch from the Launch tab (the
board never imports scopeflow), so the Launch tab lists it with its output; unlike those
launches it ends when the board exits, since the board started it unasked.
"""

from __future__ import annotations

import logging
import os

from board.ingest.discovery import is_event_file
from board.launch.supervisor import Supervisor

logger = logging.getLogger(__name__)

# Parameters that differ from a job's defaults for a first run: the demo keeps training while
# a newcomer looks around the dashboard (100,000 steps: a minute or two on one core, so the
# curves are still moving when the page is first opened; the board stops it on exit).
FIRST_RUN_PARAMS: dict[str, dict] = {"mnist": {"max_steps": 100_000}}


def has_event_files(logdir: str | os.PathLike) -> bool:
    """Whether any directory under `logdir` (at any depth) holds an event file."""
    for _, _, files in os.walk(logdir):
        if any(is_event_file(name) for name in files):
            return True
    return False


def start_if_empty(supervisor: Supervisor, job_name: str) -> dict | None:
    """Launch `job_name` (from the supervisor's jobs) as the run `<logdir>/<job_name>`, with
    FIRST_RUN_PARAMS, stopped when the board exits, when the logdir holds no event files yet.

    Returns the launch (as Supervisor.launch does), or None when the logdir already has runs.
    Raises ValueError for an unknown job, board.launch.errors.LaunchError when it cannot start.
    """
    jobs = supervisor.jobs
    if job_name not in jobs:
        known = ", ".join(sorted(jobs.names())) or "none"
        raise ValueError(f"unknown first-run job {job_name!r} (known jobs: {known})")
    if has_event_files(supervisor.logdir):
        return None
    # The logdir has no events, so an existing run directory is what an interrupted earlier
    # first run left (MNIST's downloaded files, say): the job resumes into it.
    launch = supervisor.launch(job_name, job_name, FIRST_RUN_PARAMS.get(job_name, {}),
                               stop_with_board=True, exist_ok=True)
    logger.warning(
        "%s holds no runs yet: started the %s example (pid %d), output in %s (and the "
        "Launch tab)", supervisor.logdir, job_name, launch["pid"],
        supervisor.log_path(launch["id"]),
    )
    return launch
