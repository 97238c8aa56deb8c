"""board.first_run: a built-in job starts, as a real subprocess, only on an empty logdir."""

from __future__ import annotations

import importlib.util
import subprocess
import sys
import time

import pytest
from board.events import EventFileWriter
from board.first_run import first_run_argv, has_event_files, start_if_empty
from board.launch.jobs import Job, JobRegistry, builtin_jobs

# A stand-in job that writes one scalar into its run <logdir>/tiny, through the board's writer.
TINY_JOB = JobRegistry([Job("tiny", "Tiny", "", (
    "{python}", "-c",
    (
        "import sys\n"
        "from board.events import EventFileWriter\n"
        "with EventFileWriter(sys.argv[1]) as w:\n"
        "    w.add_scalar('loss', 0.5, step=1)\n"
        "print('tiny job wrote', sys.argv[1])\n"
    ),
    "{run_dir}",
))])


def _module_exists(name: str) -> bool:
    try:
        return importlib.util.find_spec(name) is not None
    except ImportError:
        return False


def _wait(process: subprocess.Popen, timeout: float = 60) -> int:
    try:
        return process.wait(timeout=timeout)
    finally:
        if process.poll() is None:
            process.kill()


def test_empty_logdir_starts_job_and_logs_its_output(tmp_path):
    logdir = tmp_path / "runs"
    process = start_if_empty(logdir, "tiny", jobs=TINY_JOB)
    assert process is not None
    assert _wait(process) == 0
    assert has_event_files(logdir / "tiny")
    log = (logdir / "tiny.first_run.log").read_text()
    assert "tiny job wrote" in log


def test_logdir_with_runs_starts_nothing(tmp_path):
    with EventFileWriter(str(tmp_path / "deep" / "run")) as writer:
        writer.add_scalar("x", 1.0, step=0)
    assert start_if_empty(tmp_path, "tiny", jobs=TINY_JOB) is None
    assert not (tmp_path / "tiny.first_run.log").exists()


def test_second_call_after_job_wrote_starts_nothing(tmp_path):
    process = start_if_empty(tmp_path, "tiny", jobs=TINY_JOB)
    assert _wait(process) == 0
    assert start_if_empty(tmp_path, "tiny", jobs=TINY_JOB) is None


def test_unknown_job_is_a_clear_error(tmp_path):
    with pytest.raises(ValueError, match=r"unknown first-run job 'nope'.*mnist"):
        start_if_empty(tmp_path, "nope")


def test_object_store_logdir_starts_nothing():
    assert start_if_empty("s3://bucket/runs", "tiny", jobs=TINY_JOB) is None


def test_failing_job_output_lands_in_the_log(tmp_path):
    jobs = JobRegistry([Job("bad", "Bad", "", (
        "{python}", "-c", "raise SystemExit('no data for the bad job')"))])
    process = start_if_empty(tmp_path, "bad", jobs=jobs)
    assert _wait(process) == 1
    assert "no data for the bad job" in (tmp_path / "bad.first_run.log").read_text()


def test_mnist_first_run_uses_the_current_interpreter_the_logdir_and_a_long_demo(tmp_path):
    argv = first_run_argv(builtin_jobs().get("mnist"), tmp_path)
    assert argv[:3] == [sys.executable, "-m", "scopeflow.examples.mnist.fully_connected_feed"]
    assert argv[argv.index("--train_dir") + 1] == str(tmp_path / "mnist")
    assert argv[argv.index("--max_steps") + 1] == "10000"


@pytest.mark.slow
@pytest.mark.skipif(
    not _module_exists("scopeflow.examples.mnist.fully_connected_feed"),
    reason="the MNIST example (runtime/scopeflow/examples/mnist) is not written yet",
)
def test_mnist_job_writes_a_live_run(tmp_path):
    process = start_if_empty(tmp_path, "mnist")
    try:
        deadline = time.monotonic() + 120
        while not has_event_files(tmp_path / "mnist") and time.monotonic() < deadline:
            assert process.poll() is None or process.returncode == 0, (
                (tmp_path / "mnist.first_run.log").read_text())
            time.sleep(0.5)
        assert has_event_files(tmp_path / "mnist"), (tmp_path / "mnist.first_run.log").read_text()
    finally:
        process.terminate()
        process.wait(timeout=30)
