"""Histograms (offset and overlay), Distributions, Images, the placeholder tab and the empty
state, in a real browser against the real board; a screenshot of each tab."""

from __future__ import annotations

import numpy as np
import pytest
from board import summary
from board.events import EventFileWriter
from board.proto import event_pb2
from board_page import BoardProcess, eventually, screenshot, traces, wait_drawn

pytestmark = pytest.mark.browser

HIST_STEPS = list(range(0, 100, 10))
IMAGE_STEPS = [0, 50, 100]


def _image(step: int) -> np.ndarray:
    """28x28 grey ramp whose brightness encodes the step (so each step's PNG differs)."""
    ramp = np.linspace(0, 255, 28, dtype=np.float64)[None, :].repeat(28, axis=0)
    return np.clip(ramp * (0.3 + step / 150), 0, 255).astype(np.uint8)


@pytest.fixture(scope="module")
def board(tmp_path_factory):
    logdir = tmp_path_factory.mktemp("tabs_logdir")
    rng = np.random.default_rng(3)
    for run, shift in (("mnist/run1", 0.0), ("mnist/run2", 2.0)):
        with EventFileWriter(str(logdir / run)) as writer:
            for step in HIST_STEPS:
                values = rng.normal(shift + step / 50, 1.0, 2000)
                writer.add_event(event_pb2.Event(
                    wall_time=1.7e9 + step, step=step,
                    summary=summary.histogram("layer1/weights", values)))
                writer.add_scalar("loss", 1.0 / (step + 1), step=step, wall_time=1.7e9 + step)
            for step in IMAGE_STEPS:
                writer.add_event(event_pb2.Event(
                    wall_time=1.7e9 + step, step=step,
                    summary=summary.image("inputs", _image(step))))
    process = BoardProcess(logdir)
    try:
        process.wait_loaded(runs=2)
        yield process
    finally:
        process.stop()


def _tab(page, name: str) -> None:
    page.click(f'button.tab[data-tab="{name}"]')
    # The default tab (scalars) keeps the URL short.
    assert f"tab={name}" in page.url if name != "scalars" else "tab=" not in page.url


def test_histograms_offset_and_overlay_views(board, open_page, screenshots):
    page = open_page(board.url + "?tab=histograms")
    wait_drawn(page, 2, panel="histograms")
    ridge = traces(page, "layer1/weights", panel="histograms")
    assert len(ridge) == 2 * len(HIST_STEPS), "a baseline and a filled curve per step"
    baselines = [t["y"][0] for t in ridge[::2]]
    assert baselines == HIST_STEPS
    screenshot(page, screenshots, "histograms_offset")
    page.click('.segmented[data-name="hist"] button[data-value="overlay"]')

    def overlay():
        lines = traces(page, "layer1/weights", panel="histograms")
        assert len(lines) == len(HIST_STEPS)
        assert all(sum(t["y"]) == pytest.approx(2000, rel=1e-6) for t in lines)

    eventually(overlay)
    assert "hist=overlay" in page.url
    screenshot(page, screenshots, "histograms_overlay")


def test_distributions_draw_percentile_bands_around_the_median(board, open_page, screenshots):
    page = open_page(board.url + "?tab=distributions")
    wait_drawn(page, 2, panel="distributions")
    cards = page.locator("#panel-distributions .card")
    by_run = {cards.nth(i).get_attribute("data-run"): i for i in range(cards.count())}
    data = page.evaluate("""(i) => document.querySelectorAll('#panel-distributions .card')[i]
      .querySelector('.plot').data.map(t => ({ name: t.name, x: t.x, y: t.y }))""",
                         by_run["mnist/run2"])
    assert len(data) == 9, "four bands (two traces each) and the median"
    median = data[-1]
    assert median["name"] == "median" and median["x"] == HIST_STEPS
    # Samples are N(2 + step/50, 1): the median read from the buckets is near that.
    assert np.allclose(median["y"], [2 + s / 50 for s in HIST_STEPS], atol=0.15)
    lower, upper = data[0]["y"], data[1]["y"]
    assert all(lo < m < hi for lo, m, hi in zip(lower, median["y"], upper, strict=True))
    screenshot(page, screenshots, "distributions")


def test_images_step_slider_shows_each_step(board, open_page, screenshots):
    page = open_page(board.url + "?tab=images")
    wait_drawn(page, 2, panel="images")
    card = page.locator('#panel-images .card[data-run="mnist/run1"]')
    assert card.locator(".step-label").text_content() == f"step {IMAGE_STEPS[-1]}"
    sources = set()
    for position, step in enumerate(IMAGE_STEPS):
        card.locator('input[type="range"]').fill(str(position))
        assert card.locator(".step-label").text_content() == f"step {step}"
        page.wait_for_function("img => img.complete && img.naturalWidth === 28",
                               arg=card.locator("img").element_handle())
        sources.add(card.locator("img").get_attribute("src"))
    assert len(sources) == len(IMAGE_STEPS)
    screenshot(page, screenshots, "images")


def test_launch_tab_opens_and_leads_back_to_scalars(board, open_page):
    page = open_page(board.url)
    wait_drawn(page, 1)
    _tab(page, "launch")  # its jobs and runs: test_dashboard_launch.py (and its screenshot)
    assert page.locator("#panel-launch").is_visible()
    page.locator('#panel-launch .launch-card[data-job="mnist"]').wait_for()
    _tab(page, "scalars")
    assert page.locator("#panel-scalars").is_visible()


def test_empty_logdir_explains_how_to_write_logs(tmp_path, open_page, screenshots):
    process = BoardProcess(tmp_path)
    try:
        process.wait_loaded(runs=0)
        page = open_page(process.url)
        empty = page.locator('[data-testid="empty-state"]')
        empty.wait_for()
        code = empty.locator("pre").text_content()
        assert "tf.train.SummaryWriter" in code and len(code.strip().splitlines()) == 3
        screenshot(page, screenshots, "empty")
        empty.locator("button", has_text="Launch tab").click()
        assert page.locator("#panel-launch").is_visible()
        assert "tab=launch" in page.url
    finally:
        process.stop()
