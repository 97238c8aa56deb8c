"""board.first_run: a built-in job is launched through the logdir's Supervisor, as a real
subprocess, only on an empty logdir, and ends with the board."""

from __future__ import annotations

import importlib.util
import sys
import time

import pytest
from board.events import EventFileWriter
from board.first_run import FIRST_RUN_PARAMS, has_event_files, start_if_empty
from board.launch import processes
from board.launch.jobs import Job, JobRegistry, Param, builtin_jobs
from board.launch.supervisor import Supervisor

pytestmark = pytest.mark.timeout(120)

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


SLEEPER = Job("sleeper", "Sleeper", "", (
    "{python}", "-c", "import time; print('sleeping', flush=True); time.sleep(60)"))


@pytest.fixture
def supervisors(tmp_path):
    made: list[Supervisor] = []

    def make(jobs: JobRegistry = TINY_JOB, logdir=None, grace_seconds: float = 5.0):
        made.append(Supervisor(logdir if logdir is not None else tmp_path, jobs,
                               grace_seconds=grace_seconds, poll_seconds=0.05))
        return made[-1]

    yield make
    for supervisor in made:  # end whatever a failing test left running
        for launch in supervisor.list():
            if launch["status"] == "running":
                supervisor.stop(launch["id"], wait=10)
        supervisor.close()


def _module_exists(name: str) -> bool:
    try:
        return importlib.util.find_spec(name) is not None
    except ImportError:
        return False


def _wait_for_log(supervisor: Supervisor, launch_id: str, text: str, timeout: float = 30):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if text in supervisor.read_log(launch_id)["text"]:
            return
        time.sleep(0.05)
    raise AssertionError(f"{text!r} not in the log: {supervisor.read_log(launch_id)}")


def test_empty_logdir_launches_the_job_as_a_listed_run_with_its_log(tmp_path, supervisors):
    supervisor = supervisors()
    launch = start_if_empty(supervisor, "tiny")
    assert (launch["job"], launch["run"], launch["status"]) == ("tiny", "tiny", "running")
    assert supervisor.list() == [launch]
    done = supervisor.wait(launch["id"], timeout=60)
    assert (done["status"], done["exit_code"]) == ("finished", 0)
    assert has_event_files(tmp_path / "tiny")
    assert "tiny job wrote" in supervisor.read_log(launch["id"])["text"]
    assert not list(tmp_path.glob("*.first_run.log"))


def test_empty_logdir_is_created(tmp_path, supervisors):
    supervisor = supervisors(logdir=tmp_path / "fresh" / "runs")
    launch = start_if_empty(supervisor, "tiny")
    assert supervisor.wait(launch["id"], timeout=60)["status"] == "finished"
    assert has_event_files(tmp_path / "fresh" / "runs" / "tiny")


def test_logdir_with_runs_starts_nothing(tmp_path, supervisors):
    with EventFileWriter(str(tmp_path / "deep" / "run")) as writer:
        writer.add_scalar("x", 1.0, step=0)
    supervisor = supervisors()
    assert start_if_empty(supervisor, "tiny") is None
    assert supervisor.list() == [] and not (tmp_path / "tiny").exists()


def test_second_call_after_job_wrote_starts_nothing(supervisors):
    supervisor = supervisors()
    supervisor.wait(start_if_empty(supervisor, "tiny")["id"], timeout=60)
    assert start_if_empty(supervisors(), "tiny") is None


def test_a_run_directory_left_without_events_is_launched_into(tmp_path, supervisors):
    # An earlier first run stopped before its first event, after fetching its data.
    (tmp_path / "tiny").mkdir()
    (tmp_path / "tiny" / "data.bin").write_bytes(b"x")
    supervisor = supervisors()
    launch = start_if_empty(supervisor, "tiny")
    assert supervisor.wait(launch["id"], timeout=60)["status"] == "finished"
    assert has_event_files(tmp_path / "tiny") and (tmp_path / "tiny" / "data.bin").exists()


def test_unknown_job_is_a_clear_error(supervisors):
    with pytest.raises(ValueError, match=r"unknown first-run job 'nope'.*mnist"):
        start_if_empty(supervisors(builtin_jobs()), "nope")


def test_failing_job_output_lands_in_its_launch_log(supervisors):
    supervisor = supervisors(JobRegistry([Job("bad", "Bad", "", (
        "{python}", "-c", "raise SystemExit('no data for the bad job')"))]))
    launch = start_if_empty(supervisor, "bad")
    done = supervisor.wait(launch["id"], timeout=60)
    assert (done["status"], done["exit_code"]) == ("failed", 1)
    assert "no data for the bad job" in supervisor.read_log(launch["id"])["text"]


def test_first_run_parameters_override_the_job_defaults(supervisors, monkeypatch):
    job = Job("echo", "Echo", "", ("{python}", "-c", "import sys; print('steps', sys.argv[1])",
                                   "{steps}"), params=(Param("steps", "int", 5),))
    monkeypatch.setitem(FIRST_RUN_PARAMS, "echo", {"steps": 42})
    supervisor = supervisors(JobRegistry([job]))
    launch = start_if_empty(supervisor, "echo")
    assert launch["params"] == {"steps": 42}
    supervisor.wait(launch["id"], timeout=60)
    assert supervisor.read_log(launch["id"])["text"] == "steps 42\n"


def test_mnist_first_run_is_a_long_demo():
    mnist = builtin_jobs().get("mnist")
    values = mnist.check_params(FIRST_RUN_PARAMS["mnist"])
    assert values["max_steps"] >= 10 * mnist.check_params({})["max_steps"]
    argv = mnist.argv(values, "RUN")
    assert argv[:3] == [sys.executable, "-m", "scopeflow.examples.mnist.fully_connected_feed"]


def test_the_board_stops_its_first_run_but_not_other_launches(supervisors):
    jobs = JobRegistry([SLEEPER])
    supervisor = supervisors(jobs)
    first = start_if_empty(supervisor, "sleeper")
    other = supervisor.launch("sleeper", "other")
    for launch in (first, other):
        _wait_for_log(supervisor, launch["id"], "sleeping")
    [stopped] = supervisor.stop_board_launches()
    assert (stopped["id"], stopped["status"], stopped["exit_code"]) == (
        first["id"], "stopped", -15)
    assert supervisor.get(other["id"])["status"] == "running"
    assert processes.is_alive(other["pid"], processes.start_ticks(other["pid"]))


def test_a_restarted_board_does_not_stop_the_first_run_an_earlier_one_left(supervisors):
    jobs = JobRegistry([SLEEPER])
    first = start_if_empty(supervisors(jobs), "sleeper")
    later = supervisors(jobs)
    assert later.get(first["id"])["status"] == "running"
    assert later.stop_board_launches() == []
    assert later.get(first["id"])["status"] == "running"


@pytest.mark.slow
@pytest.mark.skipif(
    not _module_exists("scopeflow.examples.mnist.fully_connected_feed"),
    reason="the MNIST example (runtime/scopeflow/examples/mnist) is not written yet",
)
def test_mnist_job_writes_a_live_run(tmp_path, supervisors):
    supervisor = supervisors(builtin_jobs())
    launch = start_if_empty(supervisor, "mnist")
    deadline = time.monotonic() + 120
    while not has_event_files(tmp_path / "mnist") and time.monotonic() < deadline:
        assert supervisor.get(launch["id"])["status"] in ("running", "finished"), (
            supervisor.read_log(launch["id"])["text"])
        time.sleep(0.5)
    assert has_event_files(tmp_path / "mnist"), supervisor.read_log(launch["id"])["text"]
    assert supervisor.stop_board_launches()[0]["status"] == "stopped"
