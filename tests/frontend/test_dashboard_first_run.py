"""`make run` on a fresh machine: the board on an empty logdir launches the built-in MNIST job
and the page shows that run appearing and training, live, and the Launch tab lists it running
with its output."""

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
        for child in children:  # the board stops its first run; this ends any it left
            try:
                child.terminate()
            except psutil.NoSuchProcess:  # it had already ended (or ended with the board)
                pass
        psutil.wait_procs(children, timeout=10)


@pytest.mark.skipif(not _mnist_example_exists(), reason="the MNIST example is not written yet")
def test_empty_logdir_starts_mnist_and_the_page_shows_it_live(tmp_path, open_page, screenshots):
    board = FirstRunBoard(tmp_path)
    try:
        # The Launch tab first, while the job surely still runs (the demo takes seconds here).
        page = open_page(board.url + "?tab=launch")
        launched = page.locator('.launch-run[data-run="mnist"]')
        launched.wait_for(timeout=30_000)
        [launch] = board.api("/api/launch/runs")
        assert (launch["job"], launch["run"]) == ("mnist", "mnist")
        assert launched.get_attribute("data-id") == launch["id"]
        assert launched.get_attribute("data-status") == "running"
        assert launched.locator(".launch-stop").is_visible()
        log = launched.locator("pre.launch-log")  # the newest launch's log is open
        eventually(lambda: _assert_contains(log.text_content(), "Step 0: loss"), timeout=120)
        page.screenshot(path=str(screenshots / "first_run_launch.png"))

        page.locator('.tab[data-tab="scalars"]').click()
        row = page.locator('.run-row[data-run="mnist"]')
        row.wait_for(timeout=120_000)  # appears without a reload, when its first event lands
        assert row.locator(".live-badge").count() == 1
        tag = board.api("/api/runs")[0]["tags"]["scalars"][0]
        wait_card(page, tag, timeout=60_000)
        eventually(lambda: _has_points(page, tag), timeout=30)
        page.screenshot(path=str(screenshots / "first_run.png"))
    finally:
        board.stop()
    assert (tmp_path / ".board" / "launches" / f"{launch['id']}.log").exists()


def _assert_contains(text, part):
    assert part in (text or "")


def _has_points(page, tag):
    line = lines_by_run(page, tag).get("mnist")
    assert line and len(line["x"]) >= 1
