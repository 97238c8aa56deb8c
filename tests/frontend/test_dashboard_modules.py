"""The frontend's pure helpers (series merging, histogram percentiles, outlier range,
colours), run as ES modules in the real browser, served by the real board."""

from __future__ import annotations

import numpy as np
import pytest
from board_page import BoardProcess

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def board(tmp_path_factory):
    process = BoardProcess(tmp_path_factory.mktemp("empty_logdir"))
    try:
        yield process
    finally:
        process.stop()


@pytest.fixture(scope="module")
def page(board, browser_context):
    page = browser_context.new_page()
    page.goto(board.url)
    yield page
    page.close()


def run_module(page, module: str, body: str):
    """Evaluate `body` (an expression using `m`, the module) in the page."""
    return page.evaluate(f"async () => {{ const m = await import('/static/{module}'); "
                         f"return {body}; }}")


def test_merge_range_puts_the_zoomed_points_between_the_overview(page):
    merged = run_module(page, "series.js", """m.mergeRange(
        { step: [0, 10, 20, 30], wall_time: [0, 1, 2, 3], value: [5, 6, 7, 8] },
        { step: [10, 11, 12, 20], wall_time: [1, 1.1, 1.2, 2], value: [6, 1, 9, 7] },
        'step', 10, 20)""")
    assert merged["step"] == [0, 10, 11, 12, 20, 30]
    assert merged["value"] == [5, 6, 1, 9, 7, 8]


def test_append_points_skips_steps_already_held(page):
    out = run_module(page, "series.js", """m.appendPoints(
        { step: [1, 2, 3], wall_time: [1, 2, 3], value: [1, 1, 1] },
        { step: [3, 4], wall_time: [3, 4], value: [2, 2] })""")
    assert out["step"] == [1, 2, 3, 4] and out["value"] == [1, 1, 1, 2]


@pytest.mark.parametrize("axis", ["linear", "log"])
def test_autorange_matches_plotly_for_lines(page, axis):
    ours, plotly = run_module(page, "series.js", f"""(async () => {{
      const raw = [0.3, 7, 2, null, -1, 45, 0.02];
      const smooth = [0.5, 3, 4, 30];
      const div = document.createElement('div');
      document.body.append(div);
      await Plotly.react(div, [raw, smooth].map((y) => ({{ y, mode: 'lines' }})),
        {{ width: 300, height: 200, yaxis: {{ type: '{axis}' }} }});
      const range = [...div._fullLayout.yaxis.range];
      div.remove();
      return [m.autorange([raw, smooth], {str(axis == "log").lower()}), range];
    }})()""")
    assert ours == pytest.approx(plotly, rel=1e-12)


def test_autorange_leaves_a_flat_line_to_plotly(page):
    assert run_module(page, "series.js", "m.autorange([[2, 2], [2]], false)") is None


def test_robust_range_ignores_a_single_spike(page):
    low, high = run_module(page, "series.js",
                           "m.robustRange([...Array(200).keys()].map(i => i % 10).concat([1e6]))")
    assert low < 0 and 9 < high < 100


def test_histogram_percentiles_interpolate_within_buckets(page):
    rng = np.random.default_rng(0)
    values = rng.normal(3.0, 2.0, 20_000)
    from board.summary import histogram_proto

    h = histogram_proto(values)
    hist = {"min": h.min, "max": h.max, "bucket_limit": list(h.bucket_limit),
            "bucket": list(h.bucket), "step": 0}
    got = run_module(page, "histo.js", f"""[0.1587, 0.5, 0.8413, 0, 1].map(
        f => m.percentile(m.normalizeHistogram({hist!r}), f))""".replace("True", "true"))
    assert got[:3] == pytest.approx(np.percentile(values, [15.87, 50, 84.13]), abs=0.1)
    assert got[3] == pytest.approx(values.min()) and got[4] == pytest.approx(values.max())


def test_run_colours_depend_only_on_the_name_and_spread(page):
    names = [f"run_{i}" for i in range(24)]
    first = run_module(page, "colors.js", f"{names!r}.map(m.runColor)")
    again = run_module(page, "colors.js", f"{names[::-1]!r}.map(m.runColor)")
    assert first == again[::-1]
    assert len(set(first)) >= 12, "similar names must not crowd onto a few colours"


def test_fetch_queue_runs_only_the_first_task_until_its_gate_opens(page):
    log = run_module(page, "fetch_queue.js", """(async () => {
      const log = [];
      let open;
      const queue = new m.FetchQueue(2, new Promise((resolve) => { open = resolve; }));
      const task = (name) => queue.run(async () => { log.push(name); });
      const done = [task('first'), task('second'), task('third')];
      await new Promise((resolve) => setTimeout(resolve, 50));
      log.push('gate opens');
      open();
      await Promise.all(done);
      return log;
    })()""")
    assert log == ["first", "gate opens", "second", "third"]


def test_fetch_queue_puts_urgent_tasks_first_and_keeps_its_limit(page):
    log = run_module(page, "fetch_queue.js", """(async () => {
      const log = [];
      let running = 0;
      const queue = new m.FetchQueue(1);
      const task = (name, options) => queue.run(async () => {
        running++;
        log.push(`${name}:${running}`);
        await new Promise((resolve) => setTimeout(resolve, 5));
        running--;
      }, options);
      await Promise.all([task('a'), task('b'), task('zoom', { urgent: true })]);
      return log;
    })()""")
    assert log == ["a:1", "zoom:1", "b:1"]


def test_plots_are_drawn_one_at_a_time_each_settled_before_the_next(page):
    log = run_module(page, "plot.js", """(async () => {
      const log = [];
      const Plotly = await m.plotlyReady;
      const react = Plotly.react;
      Plotly.react = (div, ...rest) => {
        log.push(`start ${div.id}`);
        return react.call(Plotly, div, ...rest);
      };
      try {
        const divs = ['one', 'two', 'three'].map((id) => {
          const div = document.createElement('div');
          div.id = id;
          document.body.append(div);
          return div;
        });
        const line = [{ x: [0, 1, 2], y: [1, 3, 2], type: 'scatter', mode: 'lines' }];
        await Promise.all(divs.map((div) => m.plot(div, line, { width: 200, height: 100 })
          .then(() => log.push(`drawn ${div.id}`))));
        for (const div of divs) div.remove();
      } finally {
        Plotly.react = react;
      }
      return log;
    })()""")
    assert log == ["start one", "drawn one", "start two", "drawn two", "start three",
                   "drawn three"]
