"""`make run` on a fresh machine: the board on an empty logdir starts the built-in MNIST job
and the page shows that run appearing and training, live."""

from __future__ import annotations

import importlib.util

import psutil
import pytest
from board_page import BoardProcess, eventually, lines_by_run, wait_card

pytestmark = [pytest.mark.browser, pytest.mark.slow]


def _mnist_example_exists() -> bool:
    try:
        return importlib.util.find_spec("scopeflow.examples.mnist.fully_connected_feed") is not None
    except ImportError:
        return False


class FirstRunBoard(BoardProcess):
    def __init__(self, logdir):
        super().__init__(logdir, extra_args=("--first_run_job", "mnist"))

    def stop(self) -> None:
        children = psutil.Process(self.process.pid).children(recursive=True)
        super().stop()
        for child in children:  # the job outlives a terminated board; end it with the test
            try:
                child.terminate()
            except psutil.NoSuchProcess:  # it had already ended (or ended with the board)
                pass
        psutil.wait_procs(children, timeout=10)


@pytest.mark.skipif(not _mnist_example_exists(), reason="the MNIST example is not written yet")
def test_empty_logdir_starts_mnist_and_the_page_shows_it_live(tmp_path, open_page, screenshots):
    board = FirstRunBoard(tmp_path)
    try:
        page = open_page(board.url)
        row = page.locator('.run-row[data-run="mnist"]')
        row.wait_for(timeout=120_000)  # appears without a reload, when its first event lands
        assert row.locator(".live-badge").count() == 1
        tag = board.api("/api/runs")[0]["tags"]["scalars"][0]
        wait_card(page, tag, timeout=60_000)
        eventually(lambda: _has_points(page, tag), timeout=30)
        page.screenshot(path=str(screenshots / "first_run.png"))
    finally:
        board.stop()
    assert (tmp_path / "mnist.first_run.log").exists()


def _has_points(page, tag):
    line = lines_by_run(page, tag).get("mnist")
    assert line and len(line["x"]) >= 1
