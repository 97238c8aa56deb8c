"""`python -m board` as a command: flags, errors without tracebacks, clean shutdown."""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import sys
from pathlib import Path

import pytest
from writers import write_ours

TINY_JOBS = Path(__file__).resolve().parents[1] / "launch" / "tiny_jobs.toml"


def run_board(*args, timeout=30):
    return subprocess.run([sys.executable, "-m", "board", *args], capture_output=True,
                          text=True, timeout=timeout, check=False)


def test_help_documents_every_flag():
    out = run_board("--help").stdout
    for flag in ["--logdir", "--host", "--port", "--reload_interval", "--max_reload_threads",
                 "--first_run_job"]:
        assert flag in out


@pytest.mark.parametrize("make_logdir, message", [
    (lambda tmp: tmp / "missing", "does not exist"),
    (lambda tmp: [(tmp / "file").write_text("x"), tmp / "file"][1], "is not a directory"),
])
def test_bad_logdir_is_a_clear_error_without_traceback(tmp_path, make_logdir, message):
    logdir = make_logdir(tmp_path)
    result = run_board("--logdir", str(logdir), "--port", "0")
    assert result.returncode == 2
    assert message in result.stderr and str(logdir) in result.stderr
    assert "Traceback" not in result.stderr


def test_port_in_use_is_a_clear_error(start_board, logdir):
    write_ours(logdir / "r")
    board = start_board(logdir)
    port = board.url.rsplit(":", 1)[1]
    result = run_board("--logdir", str(logdir), "--port", port)
    assert result.returncode == 2 and "cannot listen" in result.stderr
    assert "Traceback" not in result.stderr


@pytest.mark.parametrize("sig", [signal.SIGINT, signal.SIGTERM])
def test_signal_shuts_down_cleanly(start_board, logdir, sig):
    write_ours(logdir / "r")
    board = start_board(logdir)
    stream = subprocess.Popen(["curl", "-sN", f"{board.url}/api/stream"],
                              stdout=subprocess.DEVNULL)  # an open SSE client must not block
    try:
        assert board.get("/api/runs").status_code == 200
        assert board.stop(sig) == 0
        assert "Traceback" not in board.stderr
    finally:
        stream.kill()
        stream.wait()


def test_first_run_creates_logdir_and_reports_unknown_job(tmp_path, start_board):
    logdir = tmp_path / "fresh" / "runs"
    board = start_board(logdir, "--first_run_job", "no-such-job")
    assert logdir.is_dir()
    assert board.get("/api/runs").json() == []
    board.wait_for(lambda: "unknown first-run job 'no-such-job'" in board.stderr)
    assert "Traceback" not in board.stderr


def _first_run(board) -> dict:
    """The first run as the Launch tab sees it, once its log shows the board's line for it."""
    pid = int(board.wait_for(lambda: re.search(r"\(pid (\d+)\)", board.stderr))[1])
    [launch] = board.get("/api/launch/runs").json()
    assert launch["pid"] == pid
    return launch


def test_first_run_is_a_launch_with_its_live_log(tmp_path, start_board):
    logdir = tmp_path / "fresh"
    board = start_board(logdir, "--first_run_job", "write",
                        "--launch_config", str(TINY_JOBS))
    launch = _first_run(board)
    assert (launch["job"], launch["run"]) == ("write", "write")
    log_path = logdir / ".board" / "launches" / f"{launch['id']}.log"
    assert f"output in {log_path}" in board.stderr
    log = board.wait_for(lambda: board.get(f"/api/launch/runs/{launch['id']}/log").json()["done"]
                         and board.get(f"/api/launch/runs/{launch['id']}/log").json())
    assert log["text"] == "message: wrote the run\n"
    assert board.get(f"/api/launch/runs/{launch['id']}").json()["status"] == "finished"
    assert not list(logdir.glob("*.first_run.log"))


def test_sigterm_stops_the_first_run_job_the_board_started(tmp_path, start_board):
    board = start_board(tmp_path / "fresh", "--first_run_job", "mnist")
    launch = _first_run(board)
    os.kill(launch["pid"], 0)  # the job is running
    assert launch["status"] == "running"
    assert board.stop(signal.SIGTERM) == 0
    with pytest.raises(ProcessLookupError):
        os.kill(launch["pid"], 0)
    saved = json.loads((tmp_path / "fresh" / ".board" / "launches.json").read_text())
    assert [entry["status"] for entry in saved["launches"]] == ["stopped"]


def test_runs_launched_from_the_page_outlive_the_board(tmp_path, start_board):
    board = start_board(tmp_path / "fresh", "--first_run_job", "sleep",
                        "--launch_config", str(TINY_JOBS))
    first = _first_run(board)
    response = board.client.post("/api/launch/runs", json={"job": "sleep", "run": "page"})
    assert response.status_code == 201
    page = response.json()
    try:
        assert board.stop(signal.SIGTERM) == 0
        with pytest.raises(ProcessLookupError):
            os.kill(first["pid"], 0)
        os.kill(page["pid"], 0)  # still running
    finally:
        os.killpg(page["pid"], signal.SIGKILL)
