"""/data/... answers exactly what the real tensorboard server answers for the same logdir."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest
from writers import write_ours, write_tensorboard

pytestmark = pytest.mark.slow


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def tensorboard():
    exe = shutil.which("tensorboard", path=os.path.dirname(sys.executable))
    if exe is None:
        pytest.skip("tensorboard is not installed")
    procs = []

    def start(logdir) -> str:
        port = free_port()
        # Every point is kept when the reservoir exceeds the point count (scalars=0 would
        # mean "unbounded" to the loader but "downsample to 0" to the scalars plugin).
        proc = subprocess.Popen([exe, "--logdir", str(logdir), "--host", "127.0.0.1",
                                 "--port", str(port), "--load_fast=false",
                                 "--samples_per_plugin", "scalars=100000"],
                                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        procs.append(proc)
        return f"http://127.0.0.1:{port}"

    yield start
    for proc in procs:
        proc.terminate()
        proc.wait(20)


def wait_json(url, expect, timeout=90):
    deadline = time.monotonic() + timeout
    last = None
    while time.monotonic() < deadline:
        try:
            last = httpx.get(url, timeout=10).json()
            if expect(last):
                return last
        except (httpx.HTTPError, ValueError):
            pass
        time.sleep(0.3)
    raise TimeoutError(f"{url}: {last!r}")


def test_scalars_match_real_tensorboard(tensorboard, start_board, tmp_path):
    logdir = Path(tmp_path) / "logs"
    values = {s: (float("nan") if s == 7 else float("inf") if s == 8 else s ** 0.5 / 7)
              for s in range(1, 1501)}  # more than TensorBoard's default 1,000 per tag
    write_ours(logdir / "ours", steps=range(1, 1501), value=values.get)
    write_tensorboard(logdir / "group" / "theirs")
    tb = tensorboard(logdir)
    board = start_board(logdir)
    expected_runs = {"ours", "group/theirs"}
    tb_runs = wait_json(f"{tb}/data/runs", lambda r: set(r) == expected_runs)
    assert set(board.get("/data/runs").json()) == set(tb_runs)
    tb_tags = wait_json(f"{tb}/data/plugin/scalars/tags", lambda t: set(t) == expected_runs)
    ours_tags = board.get("/data/plugin/scalars/tags").json()
    assert {r: set(t) for r, t in ours_tags.items()} == {r: set(t) for r, t in tb_tags.items()}
    for run, tags in tb_tags.items():
        for tag in tags:
            params = {"run": run, "tag": tag}
            theirs = wait_json(f"{tb}/data/plugin/scalars/scalars?"
                               + httpx.QueryParams(params).__str__(), lambda rows: rows, 30)
            mine = board.get("/data/plugin/scalars/scalars", **params).json()
            assert mine == theirs, (run, tag)
    assert len(mine) in (50, 1500)
