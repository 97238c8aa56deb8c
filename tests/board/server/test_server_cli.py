"""`python -m board` as a command: flags, errors without tracebacks, clean shutdown."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys

import pytest
from writers import write_ours


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


def test_sigterm_stops_the_first_run_job_the_board_started(tmp_path, start_board):
    board = start_board(tmp_path / "fresh", "--first_run_job", "mnist")
    pid = int(board.wait_for(lambda: re.search(r"\(pid (\d+)\)", board.stderr))[1])
    os.kill(pid, 0)  # the job is running
    assert board.stop(signal.SIGTERM) == 0
    with pytest.raises(ProcessLookupError):
        os.kill(pid, 0)
