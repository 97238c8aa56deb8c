"""The /api/launch routes through the real app, launching real subprocesses."""

from __future__ import annotations

import time
from pathlib import Path

import pytest
from board.first_run import start_if_empty
from board.ingest.discovery import Logdir
from board.launch.config import load_registry
from board.launch.supervisor import Supervisor
from board.server.app import create_app
from board.server.settings import Settings
from fastapi.testclient import TestClient

TINY_JOBS = Path(__file__).resolve().parents[1] / "launch" / "tiny_jobs.toml"
LOCAL = "http://127.0.0.1:6006"
pytestmark = pytest.mark.timeout(60)


@pytest.fixture
def make_client(tmp_path):
    clients: list[TestClient] = []

    def make(client=("127.0.0.1", 50000), base_url=LOCAL, logdir=None, **settings):
        logdir = logdir if logdir is not None else str(tmp_path)
        app = create_app(Settings([Logdir(logdir)], launch_config=TINY_JOBS,
                                  launch_grace_seconds=1.0, **settings), start_reloader=False)
        clients.append(TestClient(app, base_url=base_url, client=client))
        return clients[-1]

    yield make
    for client in clients:
        supervisor = getattr(client.app.state, "launch_supervisor", None)
        for launch in supervisor.list() if supervisor else []:
            if launch["status"] == "running":
                supervisor.stop(launch["id"], wait=5)


@pytest.fixture
def client(make_client):
    return make_client()


def _launch(client, job="write", run="r", params=None, **kwargs):
    return client.post("/api/launch/runs", json={"job": job, "run": run, "params": params or {}},
                       **kwargs)


def _until_ended(client, launch_id: str, timeout: float = 30) -> dict:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        launch = client.get(f"/api/launch/runs/{launch_id}").json()
        if launch["status"] != "running":
            return launch
        time.sleep(0.05)
    raise AssertionError(f"launch {launch_id} still running after {timeout}s")


def test_jobs_list_the_builtin_and_configured_jobs_with_their_schema(client):
    jobs = {job["name"]: job for job in client.get("/api/launch/jobs").json()}
    assert list(jobs) == ["mnist", "write", "sleep", "stubborn"]
    dataset = jobs["mnist"]["params"][-1]
    assert dataset["type"] == "choice" and dataset["choices"] == ["auto", "digits", "mnist"]
    assert jobs["write"]["params"][0] == {"name": "exit_code", "type": "int", "default": 0,
                                          "min": 0, "max": 255,
                                          "help": "the status to exit with"}


def test_launch_runs_to_the_end_and_serves_its_log(client, tmp_path):
    response = _launch(client, run="exp/one", params={"exit_code": "3", "message": "hi"})
    assert response.status_code == 201
    launch = response.json()
    assert (launch["job"], launch["run"], launch["status"]) == ("write", "exp/one", "running")
    assert launch["params"] == {"exit_code": 3, "loss": 0.5, "message": "hi"}
    ended = _until_ended(client, launch["id"])
    assert (ended["status"], ended["exit_code"]) == ("failed", 3)
    assert client.get("/api/launch/runs").json() == [ended]
    log = client.get(f"/api/launch/runs/{launch['id']}/log", params={"offset": 2}).json()
    assert log == {"text": "ssage: hi\n", "offset": 12, "done": True}
    assert any(p.name.startswith("events.out.tfevents") for p in (tmp_path / "exp/one").iterdir())


@pytest.mark.parametrize("body, status, detail", [
    ({"job": "nope", "run": "x"}, 404, "unknown job 'nope'"),
    ({"job": "write", "run": "x", "params": {"exit_code": 300}}, 422, "'exit_code' must be <="),
    ({"job": "write", "run": "x", "params": {"colour": 1}}, 422, "unknown parameter 'colour'"),
    ({"job": "write", "run": "../x"}, 422, "bad run name '../x'"),
    ({"job": "write", "run": "taken"}, 409, "run 'taken' already exists"),
])
def test_bad_launches_answer_with_their_reason(client, tmp_path, body, status, detail):
    (tmp_path / "taken").mkdir()
    response = client.post("/api/launch/runs", json=body)
    assert response.status_code == status and detail in response.json()["detail"]
    assert not (tmp_path / "x").exists()


def test_stop_ends_a_running_launch(client):
    launch = _launch(client, job="sleep").json()
    response = client.post(f"/api/launch/runs/{launch['id']}/stop", json={})
    assert response.status_code == 200
    stopped = response.json() if response.json()["status"] != "running" else _until_ended(
        client, launch["id"])
    assert stopped["status"] == "stopped"
    assert client.get(f"/api/launch/runs/{launch['id']}/log").json()["done"]


def test_unknown_launch_ids_are_404(client):
    for response in (client.get("/api/launch/runs/abc"),
                     client.get("/api/launch/runs/abc/log"),
                     client.post("/api/launch/runs/abc/stop", json={})):
        assert response.status_code == 404 and "'abc'" in response.json()["detail"]


def test_other_machines_may_not_launch_without_a_token(make_client, tmp_path):
    response = _launch(make_client(client=("10.0.0.5", 1234)))
    assert response.status_code == 403 and "'10.0.0.5'" in response.json()["detail"]
    assert not (tmp_path / "r").exists()


def test_a_loopback_client_naming_another_host_may_not_launch(make_client):
    # A page whose DNS name was rebound to 127.0.0.1 sends its own name as Host.
    response = _launch(make_client(base_url="http://evil.example:6006"))
    assert response.status_code == 403 and "'evil.example'" in response.json()["detail"]


def test_a_configured_token_is_required_from_every_client(make_client):
    remote = make_client(client=("10.0.0.5", 1234), launch_token="s3cret")
    assert _launch(remote).status_code == 403
    assert _launch(remote, headers={"Authorization": "Bearer wrong"}).status_code == 403
    assert _launch(make_client(launch_token="s3cret"), run="r2").status_code == 403
    response = _launch(remote, headers={"Authorization": "Bearer s3cret"})
    assert response.status_code == 201


def test_posts_must_be_json(client, tmp_path):
    response = client.post("/api/launch/runs", data={"job": "write", "run": "r"})
    assert response.status_code == 415 and "application/json" in response.json()["detail"]
    launch = _launch(client, job="sleep", run="s").json()
    assert client.post(f"/api/launch/runs/{launch['id']}/stop").status_code == 415
    assert not (tmp_path / "r").exists()


def test_a_remote_logdir_cannot_launch(make_client):
    client = make_client(logdir="s3://bucket/runs")
    assert client.get("/api/launch/runs").json() == []
    response = _launch(client)
    assert response.status_code == 409 and "one local logdir" in response.json()["detail"]


def test_a_restarted_board_still_lists_earlier_launches(make_client):
    first = make_client()
    ended = _until_ended(first, _launch(first).json()["id"])
    assert make_client().get("/api/launch/runs").json() == [ended]


def test_the_supervisor_the_app_was_made_with_serves_the_first_run(tmp_path):
    supervisor = Supervisor(tmp_path, load_registry(TINY_JOBS), grace_seconds=1.0)
    first = start_if_empty(supervisor, "write")
    app = create_app(Settings([Logdir(str(tmp_path))], launch_config=TINY_JOBS),
                     launch_supervisor=supervisor, start_reloader=False)
    client = TestClient(app, base_url=LOCAL, client=("127.0.0.1", 50000))
    try:
        ended = _until_ended(client, first["id"])
        assert client.get("/api/launch/runs").json() == [ended]
        assert (ended["job"], ended["run"]) == ("write", "write")
        log = client.get(f"/api/launch/runs/{first['id']}/log").json()
        assert log["text"] == "message: wrote the run\n" and log["done"]
        # Launches from the page go through that same supervisor.
        other = _launch(client, run="other").json()
        assert supervisor.get(other["id"])["run"] == "other"
        _until_ended(client, other["id"])
    finally:
        supervisor.stop_board_launches()
        supervisor.close()
