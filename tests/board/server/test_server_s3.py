"""An s3:// logdir, served by a moto S3 server on loopback, behaves like a local one."""

from __future__ import annotations

import socket

import numpy as np
import pytest
from writers import write_ours

boto3 = pytest.importorskip("boto3")
moto_server = pytest.importorskip("moto.server")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def s3():
    port = free_port()
    server = moto_server.ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
    server.start()
    env = {"AWS_ENDPOINT_URL": f"http://127.0.0.1:{port}", "AWS_ACCESS_KEY_ID": "testing",
           "AWS_SECRET_ACCESS_KEY": "testing", "AWS_DEFAULT_REGION": "us-east-1"}
    client = boto3.client("s3", endpoint_url=env["AWS_ENDPOINT_URL"], region_name="us-east-1",
                          aws_access_key_id="testing", aws_secret_access_key="testing")
    client.create_bucket(Bucket="logs")
    yield client, env
    server.stop()


def upload_run(client, local_dir, key_prefix):
    for path in local_dir.iterdir():
        client.put_object(Bucket="logs", Key=f"{key_prefix}/{path.name}", Body=path.read_bytes())


def test_s3_logdir_runs_values_and_growth(s3, start_board, tmp_path):
    client, env = s3
    write_ours(tmp_path / "a", steps=range(1, 51))
    write_ours(tmp_path / "b", tag="acc", steps=range(1, 4), value=lambda s: s * 2.0)
    upload_run(client, tmp_path / "a", "exp/run_a")
    upload_run(client, tmp_path / "b", "exp/nested/run_b")
    board = start_board("s3://logs/exp", env=env)
    runs = {r["run"]: r for r in board.get("/api/runs").json()}
    assert set(runs) == {"run_a", "nested/run_b"}
    body = board.get("/api/scalars", run="run_a", tag="loss").json()
    assert body["step"] == list(range(1, 51))
    assert body["value"] == [float(np.float32(1.0 / s)) for s in range(1, 51)]
    # Object stores have no append: a writer re-uploads the grown file.
    write_ours(tmp_path / "b", tag="acc", steps=range(4, 8), value=lambda s: s * 2.0)
    grown = b"".join(p.read_bytes() for p in sorted((tmp_path / "b").iterdir()))
    client.put_object(Bucket="logs", Key="exp/nested/run_b/events.out.tfevents.9.x",
                      Body=grown)
    board.wait_for(lambda: board.get("/api/scalars", run="nested/run_b",
                                     tag="acc").json()["total"] == 3 + 3 + 4)
    client.delete_object(Bucket="logs", Key=next(
        o["Key"] for o in client.list_objects_v2(Bucket="logs", Prefix="exp/run_a")["Contents"]))
    board.wait_for(lambda: [r["run"] for r in board.get("/api/runs").json()] == ["nested/run_b"])


def test_unreachable_s3_logdir_is_a_clear_error(tmp_path):
    import subprocess
    import sys

    env = {"AWS_ENDPOINT_URL": f"http://127.0.0.1:{free_port()}", "AWS_ACCESS_KEY_ID": "x",
           "AWS_SECRET_ACCESS_KEY": "x", "AWS_MAX_ATTEMPTS": "1", "PATH": "/usr/bin:/bin"}
    result = subprocess.run([sys.executable, "-m", "board", "--logdir", "s3://nobucket/x",
                             "--port", "0"], capture_output=True, text=True, timeout=120,
                            env=env, check=False)
    assert result.returncode == 2 and "s3://nobucket/x" in result.stderr
    assert "Traceback" not in result.stderr
