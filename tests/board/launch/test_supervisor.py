"""board.launch.supervisor with real subprocesses: status, exit codes, logs, stop, restart."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest
from board.first_run import has_event_files
from board.ingest.discovery import Logdir, discover
from board.launch import processes
from board.launch.config import load_registry
from board.launch.errors import (
    InvalidOffsetError,
    InvalidParamError,
    InvalidRunError,
    RunExistsError,
    UnknownJobError,
    UnknownLaunchError,
)
from board.launch.supervisor import Supervisor

TINY_JOBS = Path(__file__).with_name("tiny_jobs.toml")
pytestmark = pytest.mark.timeout(60)


@pytest.fixture
def supervisors(tmp_path):
    made: list[Supervisor] = []

    def make(grace_seconds: float = 5.0) -> Supervisor:
        made.append(Supervisor(tmp_path, load_registry(TINY_JOBS), grace_seconds=grace_seconds,
                               poll_seconds=0.05))
        return made[-1]

    yield make
    for supervisor in made:  # end whatever a failing test left running
        for launch in supervisor.list():
            if launch["status"] == "running":
                supervisor.stop(launch["id"], wait=5)
        supervisor.close()


def _wait_for_log(supervisor: Supervisor, launch_id: str, text: str, timeout: float = 20) -> str:
    deadline = time.monotonic() + timeout
    log = ""
    while time.monotonic() < deadline:
        log = supervisor.log_path(launch_id).read_text()
        if text in log:
            return log
        time.sleep(0.02)
    raise AssertionError(f"{text!r} not in the log after {timeout}s: {log!r}")


def _wait_until_gone(pid: int, timeout: float = 10) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if processes.start_ticks(pid) is None:
            return True
        time.sleep(0.02)
    return False


def test_finished_job_writes_its_run_and_its_log(tmp_path, supervisors):
    supervisor = supervisors()
    launch = supervisor.launch("write", "exp/a", {"message": "hello"})
    assert launch["status"] == "running" and launch["exit_code"] is None
    done = supervisor.wait(launch["id"], timeout=30)
    assert (done["status"], done["exit_code"]) == ("finished", 0)
    assert done["ended"] >= done["started"]
    assert has_event_files(tmp_path / "exp" / "a")
    assert supervisor.read_log(launch["id"]) == {
        "text": "message: hello\n", "offset": len("message: hello\n"), "done": True}


def test_failing_job_is_failed_with_its_exit_code(supervisors):
    supervisor = supervisors()
    launch = supervisor.launch("write", "b", {"exit_code": 3})
    done = supervisor.wait(launch["id"], timeout=30)
    assert (done["status"], done["exit_code"]) == ("failed", 3)


def test_log_reads_resume_at_the_offset_without_splitting_characters(supervisors):
    supervisor = supervisors()
    message = "ünïcödé €uro"
    launch = supervisor.launch("write", "c", {"message": message})
    supervisor.wait(launch["id"], timeout=30)
    text, offset, chunks = "", 0, 0
    while True:
        part = supervisor.read_log(launch["id"], offset, limit=5)
        text, offset, chunks = text + part["text"], part["offset"], chunks + 1
        if part["done"]:
            break
    assert text == f"message: {message}\n" and chunks > 3
    assert offset == len(text.encode())
    with pytest.raises(InvalidOffsetError, match="outside the log"):
        supervisor.read_log(launch["id"], offset + 1)


def test_stop_ends_the_job_and_its_children(supervisors):
    supervisor = supervisors()
    launch = supervisor.launch("sleep", "d")
    child = int(_wait_for_log(supervisor, launch["id"], "child ").split()[1])
    stopped = supervisor.stop(launch["id"], wait=20)
    assert (stopped["status"], stopped["exit_code"]) == ("stopped", -15)
    assert _wait_until_gone(child), "the job's child outlived the stop"
    assert supervisor.read_log(launch["id"], 0)["done"]


def test_stop_kills_a_job_that_ignores_sigterm_after_the_grace_period(supervisors):
    supervisor = supervisors(grace_seconds=0.3)
    launch = supervisor.launch("stubborn", "e")
    _wait_for_log(supervisor, launch["id"], "ready")
    stopped = supervisor.stop(launch["id"], wait=20)
    assert (stopped["status"], stopped["exit_code"]) == ("stopped", -9)


def test_stopping_an_ended_launch_changes_nothing(supervisors):
    supervisor = supervisors()
    launch = supervisor.launch("write", "f")
    done = supervisor.wait(launch["id"], timeout=30)
    assert supervisor.stop(launch["id"]) == done


def test_a_new_supervisor_keeps_ended_launches_and_reattaches_running_ones(tmp_path, supervisors):
    first = supervisors()
    finished = first.wait(first.launch("write", "g")["id"], timeout=30)
    running = first.launch("sleep", "h")
    _wait_for_log(first, running["id"], "child ")

    second = supervisors()
    assert second.get(finished["id"]) == finished
    assert second.get(running["id"])["status"] == "running"
    stopped = second.stop(running["id"], wait=20)
    # Not the second one's child: it saw the end but not the exit status.
    assert (stopped["status"], stopped["exit_code"]) == ("stopped", None)
    saved = json.loads((tmp_path / ".board" / "launches.json").read_text())
    assert {entry["id"] for entry in saved["launches"]} == {finished["id"], running["id"]}


def test_a_running_launch_whose_process_is_gone_becomes_lost(tmp_path, supervisors):
    first = supervisors()
    launch = first.launch("write", "i")
    first.wait(launch["id"], timeout=30)
    state = tmp_path / ".board" / "launches.json"
    saved = json.loads(state.read_text())
    saved["launches"][0].update(status="running", exit_code=None, ended=None)
    state.write_text(json.dumps(saved))
    assert supervisors().get(launch["id"])["status"] == "lost"
    assert json.loads(state.read_text())["launches"][0]["status"] == "lost"


def test_a_reused_pid_is_not_mistaken_for_the_launch(tmp_path, supervisors):
    first = supervisors()
    launch = first.launch("write", "j")
    first.wait(launch["id"], timeout=30)
    # Started after the launch ended, so at a later clock tick than the launch's process.
    other = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])
    try:
        state = tmp_path / ".board" / "launches.json"
        saved = json.loads(state.read_text())
        # The recorded pid now belongs to another process, started at another time.
        saved["launches"][0].update(status="running", pid=other.pid)
        state.write_text(json.dumps(saved))
        assert supervisors().get(launch["id"])["status"] == "lost"
        assert other.poll() is None
    finally:
        other.kill()
        other.wait()


@pytest.mark.parametrize("run", [
    "../outside", "/abs", "a/../../x", "a//b", ".board/x", ".hidden", "a/./b", "sp ace",
    "", "a" * 201,
])
def test_run_names_that_are_malformed_or_leave_the_logdir_are_rejected(tmp_path, supervisors,
                                                                       run):
    with pytest.raises(InvalidRunError):
        supervisors().launch("write", run)
    assert not (tmp_path / ".board" / "launches").exists()


def test_a_symlink_out_of_the_logdir_is_rejected(tmp_path, supervisors):
    outside = tmp_path.parent / f"{tmp_path.name}-outside"
    outside.mkdir()
    os.symlink(outside, tmp_path / "link")
    with pytest.raises(InvalidRunError, match="outside the logdir"):
        supervisors().launch("write", "link/run")
    assert list(outside.iterdir()) == []


def test_an_existing_run_directory_is_refused(tmp_path, supervisors):
    (tmp_path / "taken").mkdir()
    with pytest.raises(RunExistsError, match="'taken' already exists"):
        supervisors().launch("write", "taken")


def test_bad_jobs_and_parameters_start_nothing(tmp_path, supervisors):
    supervisor = supervisors()
    with pytest.raises(UnknownJobError, match="'nope'"):
        supervisor.launch("nope", "k")
    with pytest.raises(InvalidParamError, match="'exit_code' must be <= 255"):
        supervisor.launch("write", "k", {"exit_code": 256})
    with pytest.raises(UnknownLaunchError):
        supervisor.get("0123")
    assert not (tmp_path / "k").exists() and supervisor.list() == []


def test_the_launch_log_and_state_are_not_runs(tmp_path, supervisors):
    supervisor = supervisors()
    supervisor.wait(supervisor.launch("write", "only")["id"], timeout=30)
    assert list(discover(Logdir(str(tmp_path)))) == ["only"]


def test_an_existing_run_directory_is_used_when_allowed(tmp_path, supervisors):
    (tmp_path / "kept").mkdir()
    supervisor = supervisors()
    launch = supervisor.launch("write", "kept", exist_ok=True)
    assert supervisor.wait(launch["id"], timeout=30)["status"] == "finished"
    assert has_event_files(tmp_path / "kept")


def test_board_launches_stop_with_the_board_and_the_others_keep_running(tmp_path, supervisors):
    supervisor = supervisors(grace_seconds=0.3)
    owned = supervisor.launch("stubborn", "owned", stop_with_board=True)
    kept = supervisor.launch("sleep", "kept")
    _wait_for_log(supervisor, owned["id"], "ready")
    _wait_for_log(supervisor, kept["id"], "child ")
    saved = json.loads((tmp_path / ".board" / "launches.json").read_text())
    sessions = {entry["run"]: entry["board_session"] for entry in saved["launches"]}
    assert sessions == {"owned": supervisor.session, "kept": None}
    [stopped] = supervisor.stop_board_launches()
    # SIGTERM ignored: killed after the grace period, before the call returns.
    assert (stopped["id"], stopped["status"], stopped["exit_code"]) == (owned["id"], "stopped", -9)
    assert supervisor.get(kept["id"])["status"] == "running"
