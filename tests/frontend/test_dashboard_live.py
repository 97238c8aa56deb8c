"""Live updates: points appended to an event file while the page is open extend the lines
(through the SSE stream, without reloading the page); a new run appears with a live badge."""

from __future__ import annotations

import time

import pytest
from board.events import EventFileWriter
from board.proto import event_pb2
from board_page import BoardProcess, eventually, lines_by_run, wait_drawn

pytestmark = pytest.mark.browser


@pytest.fixture
def live_logdir(tmp_path):
    writer = EventFileWriter(str(tmp_path / "train"), flush_secs=3600)
    now = time.time()
    for step in range(30):
        writer.add_scalar("loss", 1.0 / (step + 1), step=step, wall_time=now - 60 + step)
    writer.flush()
    yield tmp_path, writer
    writer.close()


@pytest.fixture
def board(live_logdir):
    process = BoardProcess(live_logdir[0], reload_interval=0.5)
    try:
        process.wait_loaded(runs=1)
        yield process
    finally:
        process.stop()


def test_appended_points_extend_the_line_without_a_reload(board, live_logdir, open_page):
    _, writer = live_logdir
    page = open_page(board.url)
    wait_drawn(page, 1)
    assert lines_by_run(page, "loss", kind="raw")["train"]["x"] == list(range(30))
    page.evaluate("window.__sameDocument = true")
    now = time.time()
    for step in range(30, 45):
        writer.add_scalar("loss", 1.0 / (step + 1), step=step, wall_time=now)
    writer.flush()

    def extended():
        line = lines_by_run(page, "loss", kind="raw")["train"]
        assert line["x"] == list(range(45))
        assert line["y"][-1] == pytest.approx(1.0 / 45, rel=1e-6)

    eventually(extended, timeout=20)
    assert page.evaluate("window.__sameDocument") is True


def test_a_new_run_appears_live_in_the_sidebar_and_the_chart(board, live_logdir, open_page):
    logdir, _ = live_logdir
    page = open_page(board.url)
    wait_drawn(page, 1)
    with EventFileWriter(str(logdir / "late")) as late:
        for step in range(5):
            late.add_scalar("loss", 2.0, step=step)
    row = page.locator('.run-row[data-run="late"]')
    row.wait_for(timeout=20_000)
    assert row.locator(".live-badge").count() == 1
    eventually(lambda: _same(sorted(lines_by_run(page, "loss")), ["late", "train"]), timeout=20)


def test_a_restarted_run_replaces_its_later_points(board, live_logdir, open_page):
    _, writer = live_logdir
    page = open_page(board.url)
    wait_drawn(page, 1)
    now = time.time()
    # The run restarts from its step-10 checkpoint: TensorBoard's rule drops steps >= 10.
    writer.add_event(event_pb2.Event(wall_time=now, step=10, session_log=event_pb2.SessionLog(
        status=event_pb2.SessionLog.START)))
    for step in range(10, 40):
        writer.add_scalar("loss", 5.0, step=step, wall_time=now + step)
    writer.flush()

    def replaced():
        line = lines_by_run(page, "loss", kind="raw")["train"]
        assert line["x"] == list(range(40))
        assert line["y"][9] == pytest.approx(0.1, rel=1e-6)
        assert line["y"][10:] == [5.0] * 30

    eventually(replaced, timeout=20)


def _same(a, b):
    assert a == b
