"""The Scalars tab in a real browser against the real board process: runs, cards, lines,
smoothing, x axis, filters, URL state, downloads, zoom, tooltip and escaping."""

from __future__ import annotations

import csv
import io
import math
from pathlib import Path

import numpy as np
import pytest
from board.events import EventFileWriter
from board_page import (
    BoardProcess,
    debiased_ema,
    eventually,
    lines_by_run,
    screenshot,
    traces,
    wait_card,
)

pytestmark = pytest.mark.browser

T0 = 1_700_000_000.0
ODD = '<img src=x onerror="window.__xss=1">&amp;'  # a run name that must stay text
DENSE_POINTS = 20_000


def _series(seed: int, steps: np.ndarray, start: float) -> tuple:
    rng = np.random.default_rng(seed)
    values = np.exp(-steps / 30) + 0.1 * rng.standard_normal(len(steps)) + seed * 0.05
    return steps, start + 1.5 * steps, values.astype(np.float32)


LAYOUT = {
    "train": {"loss": 60, "accuracy/top1": 60, "accuracy/top5": 60, "dense": DENSE_POINTS},
    "eval": {"loss": 40, "accuracy/top1": 40},
    ODD: {"loss": 10},
}


@pytest.fixture(scope="module")
def written(tmp_path_factory):
    """logdir -> {run: {tag: (steps, wall_times, float32 values)}}"""
    logdir = tmp_path_factory.mktemp("scalars_logdir")
    data = {}
    for r, (run, tags) in enumerate(LAYOUT.items()):
        data[run] = {}
        with EventFileWriter(str(logdir / run)) as writer:
            for t, (tag, n) in enumerate(tags.items()):
                steps, walls, values = _series(r * 10 + t, np.arange(n), T0 + 100 * r)
                writer.add_scalars(tag, values.tolist(), steps.tolist(), walls.tolist())
                data[run][tag] = (steps, walls, values)
    return logdir, data


@pytest.fixture(scope="module")
def board(written):
    process = BoardProcess(written[0])
    try:
        process.wait_loaded(runs=len(LAYOUT))
        yield process
    finally:
        process.stop()


@pytest.fixture
def page(board, open_page):
    page = open_page(board.url)
    wait_card(page, "loss")
    return page


def test_sidebar_lists_every_run_with_a_stable_colour(page, board, open_page):
    names = page.locator(".run-row .run-name").all_text_contents()
    assert names == sorted(LAYOUT)
    swatches = page.locator(".run-row .swatch").evaluate_all(
        "els => els.map(e => getComputedStyle(e).backgroundColor)")
    again = open_page(board.url)
    again.wait_for_selector(".run-row")
    assert again.locator(".run-row .swatch").evaluate_all(
        "els => els.map(e => getComputedStyle(e).backgroundColor)") == swatches
    line_colors = {run: t["color"] for run, t in lines_by_run(page, "loss").items()}
    for name, swatch in zip(names, swatches, strict=True):
        hex_color = line_colors[name]
        rgb = tuple(int(hex_color[i:i + 2], 16) for i in (1, 3, 5))
        assert swatch == f"rgb({rgb[0]}, {rgb[1]}, {rgb[2]})"


def test_one_card_per_tag_grouped_by_scope_with_a_line_per_run(page, written):
    _, data = written
    tags = page.locator("#panel-scalars .card").evaluate_all("els => els.map(e => e.dataset.tag)")
    assert sorted(tags) == ["accuracy/top1", "accuracy/top5", "dense", "loss"]
    group = page.locator('#panel-scalars .group[data-group="accuracy"] .card')
    assert group.count() == 2
    for tag in tags:
        page.locator(f'#panel-scalars .card[data-tag="{tag}"]').scroll_into_view_if_needed()
    expected = {tag: sorted(r for r in LAYOUT if tag in LAYOUT[r]) for tag in tags}
    for tag, runs in expected.items():
        drawn = eventually(lambda tag=tag: _drawn_runs(page, tag))
        assert drawn == runs, tag
    train = lines_by_run(page, "loss", kind="raw")["train"]
    steps, _, values = data["train"]["loss"]
    assert train["x"] == steps.tolist()
    assert np.allclose(train["y"], values, rtol=1e-6)


def _drawn_runs(page, tag):
    lines = lines_by_run(page, tag)
    assert lines, f"{tag} not drawn yet"
    return sorted(lines)


def test_smoothing_slider_plots_the_debiased_ema(page, board):
    raw = lines_by_run(page, "loss", kind="raw")["train"]["y"]
    page.fill("input[name=smoothing]", "0.9")

    def smoothed_is_ema():
        line = lines_by_run(page, "loss")["train"]["y"]
        assert np.allclose(line, debiased_ema(raw, 0.9), rtol=1e-9, atol=1e-12)

    eventually(smoothed_is_ema)
    assert "smoothing=0.9" in page.url
    page.fill("input[name=smoothing]", "0")

    def unsmoothed_is_raw():
        assert lines_by_run(page, "loss")["train"]["y"] == raw
        assert not lines_by_run(page, "loss", kind="raw"), "no faint copy without smoothing"

    eventually(unsmoothed_is_raw)


def test_x_axis_switch_plots_relative_and_wall_time(page, written):
    _, data = written
    page.click(".segmented[data-name=x] button[data-value=relative]")

    def relative_seconds():
        lines = lines_by_run(page, "loss")
        for run in ("train", "eval"):
            _, walls, _ = data[run]["loss"]
            assert np.allclose(lines[run]["x"], walls - walls[0]), run

    eventually(relative_seconds)
    page.click(".segmented[data-name=x] button[data-value=wall]")
    shift_ms = page.evaluate("new Date().getTimezoneOffset() * 60000")

    def wall_dates():
        assert page.evaluate(
            "document.querySelector('#panel-scalars .card[data-tag=\"loss\"] .plot')"
            ".layout.xaxis.type") == "date"
        _, walls, _ = data["eval"]["loss"]
        assert np.allclose(lines_by_run(page, "loss")["eval"]["x"], walls * 1000 - shift_ms)

    eventually(wall_dates)
    assert "x=wall" in page.url
    page.click(".segmented[data-name=x] button[data-value=step]")
    eventually(lambda: _assert_equal(lines_by_run(page, "loss")["eval"]["x"], list(range(40))))


def _assert_equal(a, b):
    assert a == b


def test_log_scale_and_outlier_toggles_change_the_y_axis(page):
    layout_js = ("document.querySelector('#panel-scalars .card[data-tag=\"loss\"] .plot')"
                 ".layout.yaxis")
    page.check("input[name=logy]")
    eventually(lambda: _assert_equal(page.evaluate(layout_js + ".type"), "log"))
    page.uncheck("input[name=logy]")
    page.check("input[name=outliers]")

    def robust_range():
        axis = page.evaluate(layout_js)
        assert axis["type"] == "linear" and axis["autorange"] is False
        values = [v for t in lines_by_run(page, "loss").values() for v in t["y"]]
        assert axis["range"][1] - axis["range"][0] < (max(values) - min(values)) * 1.2

    eventually(robust_range)
    assert "logy" not in page.url and "outliers=1" in page.url


def test_regex_filters_select_runs_and_cards_and_live_in_the_url(page, board, open_page):
    page.fill(".sidebar input.filter", "^(tr|ev)")
    eventually(lambda: _assert_equal(
        page.locator(".run-row .run-name").all_text_contents(), ["eval", "train"]))
    eventually(lambda: _assert_equal(sorted(lines_by_run(page, "loss")), ["eval", "train"]))
    page.fill("#panel-scalars input.filter", "top")
    eventually(lambda: _assert_equal(
        page.locator("#panel-scalars .card").evaluate_all("els => els.map(e => e.dataset.tag)"),
        ["accuracy/top1", "accuracy/top5"]))
    page.locator('.run-row[data-run="eval"] input').uncheck()
    eventually(lambda: _assert_equal(sorted(lines_by_run(page, "accuracy/top1")), ["train"]))
    assert "hide=eval" in page.url and "tags_re=top" in page.url

    shared = open_page(page.url)  # a link reproduces the view
    wait_card(shared, "accuracy/top1")
    assert shared.input_value(".sidebar input.filter") == "^(tr|ev)"
    assert not shared.locator('.run-row[data-run="eval"] input').is_checked()
    assert sorted(lines_by_run(shared, "accuracy/top1")) == ["train"]
    assert shared.locator("#panel-scalars .card").count() == 2

    page.fill("#panel-scalars input.filter", "(")  # not a valid regex: matched literally
    eventually(lambda: _assert_equal(
        page.locator("#panel-scalars input.filter.invalid").count(), 1))


def test_csv_download_holds_every_point_of_the_run(page, written):
    _, data = written
    card = page.locator('#panel-scalars .card[data-tag="loss"]')
    card.locator("details.download summary").click()
    with page.expect_download() as info:
        card.locator('a.dl-csv[data-run="train"]').click()
    rows = list(csv.DictReader(io.StringIO(Path(info.value.path()).read_text())))
    steps, walls, values = data["train"]["loss"]
    assert [int(r["step"]) for r in rows] == steps.tolist()
    assert np.allclose([float(r["wall_time"]) for r in rows], walls)
    assert np.allclose([float(r["value"]) for r in rows], values, rtol=1e-6)


def test_zoom_refetches_the_visible_range_at_full_resolution(page, written):
    wait_card(page, "dense")
    coarse = eventually(lambda: _line(page, "dense"))
    assert len(coarse["x"]) < DENSE_POINTS / 4, "the overview is downsampled"
    assert not set(range(5000, 5300)) <= set(coarse["x"])
    page.evaluate("""() => {
      const gd = document.querySelector('#panel-scalars .card[data-tag="dense"] .plot');
      Plotly.relayout(gd, {'xaxis.range': [5000, 5300]});
    }""")
    _, _, values = written[1]["train"]["dense"]

    def every_point_in_view():
        line = _line(page, "dense")
        inside = [(x, y) for x, y in zip(line["x"], line["y"], strict=True) if 5000 <= x <= 5300]
        assert [x for x, _ in inside] == list(range(5000, 5301))
        assert np.allclose([y for _, y in inside], values[5000:5301], rtol=1e-6)
        return line

    line = eventually(every_point_in_view)
    assert line["x"][0] == 0 and line["x"][-1] == DENSE_POINTS - 1, "outside: the overview"
    page.evaluate("""() => {
      const gd = document.querySelector('#panel-scalars .card[data-tag="dense"] .plot');
      Plotly.relayout(gd, {'xaxis.autorange': true});
    }""")
    eventually(lambda: _assert_equal(len(_line(page, "dense")["x"]), len(coarse["x"])))


def test_overview_has_one_m4_bucket_per_pixel_of_the_plotting_area(page):
    wait_card(page, "dense")
    line = eventually(lambda: _line(page, "dense"))
    width = page.evaluate("""() => document.querySelector(
      '#panel-scalars .card[data-tag="dense"] .plot')._fullLayout._size.w""")
    # Noisy data fills nearly every bucket with its first, last, min and max point; buckets
    # sized to the whole card would give more points than the plotting area has room for.
    assert 3 * width < len(line["x"]) <= 4 * (width + 2)


# Records every Plotly.react: the card's tag, the kinds of lines, the y range asked for
# and the one plotly settled on.
RECORD_DRAWS = """
window.__draws = [];
let plotly;
Object.defineProperty(window, 'Plotly', { configurable: true, get: () => plotly, set(p) {
  plotly = p;
  const react = p.react;
  p.react = async (div, data, layout, config) => {
    const asked = layout.yaxis?.range ? [...layout.yaxis.range] : null; // plotly fills it in
    const drawn = await react.call(p, div, data, layout, config);
    window.__draws.push({ tag: div.closest('.card')?.dataset.tag,
      kinds: data.map((t) => t.meta?.kind), asked, range: [...div._fullLayout.yaxis.range] });
    return drawn;
  };
} });
"""


def test_first_picture_has_the_smoothed_lines_at_the_final_y_range(board, open_page):
    page = open_page(board.url, init_script=RECORD_DRAWS)
    wait_card(page, "loss")
    draws = page.evaluate("window.__draws.filter((d) => d.tag === 'loss')")
    first, complete = draws[0], draws[-1]
    assert set(first["kinds"]) == {"line"}, "smoothed lines alone come first"
    assert sorted(complete["kinds"]) == sorted(["raw", "line"] * len(first["kinds"]))
    assert complete["asked"] is None, "the complete chart autoranges"
    assert first["asked"] == pytest.approx(complete["range"], rel=1e-9), "nothing moves"


def _line(page, tag):
    lines = lines_by_run(page, tag, kind="raw")
    assert lines, f"{tag} not drawn"
    return lines["train"]


def test_tooltip_lists_every_run_at_the_hovered_step_sorted_by_value(page):
    card = wait_card(page, "loss")
    box = card.locator(".plot").bounding_box()
    page.mouse.move(box["x"] + box["width"] * 0.15, box["y"] + box["height"] * 0.5)
    tip = page.locator('#panel-scalars .card[data-tag="loss"] .tooltip')
    tip.wait_for(state="visible")
    rows = tip.locator("tbody tr").evaluate_all(
        "rows => rows.map(r => [...r.cells].map(c => c.textContent))")
    assert sorted(r[1] for r in rows) == sorted(LAYOUT)
    values = [float(r[2]) for r in rows]
    assert values == sorted(values, reverse=True)
    page.mouse.move(0, 0)
    tip.wait_for(state="hidden")


def test_run_names_and_tags_are_text_never_markup(page):
    assert page.evaluate("window.__xss") is None
    assert ODD in page.locator(".run-row .run-name").all_text_contents()
    assert page.locator(".sidebar img, #panel-scalars img").count() == 0
    assert math.isclose(len(lines_by_run(page, "loss")), 3)


def test_enlarge_gives_a_card_the_full_row(page, artifacts_dir):
    card = page.locator('#panel-scalars .card[data-tag="loss"]')
    before = card.bounding_box()["width"]
    card.locator("button.enlarge").click()
    assert "enlarged" in card.get_attribute("class")
    eventually(lambda: _assert_equal(card.locator(".plot").evaluate("gd => gd.layout.height"), 460))
    assert card.bounding_box()["width"] > before * 1.5
    assert traces(page, "loss")


def test_screenshot_of_the_scalars_tab(page, screenshots):
    page.fill("input[name=smoothing]", "0.8")
    page.wait_for_timeout(600)
    screenshot(page, screenshots, "scalars")
