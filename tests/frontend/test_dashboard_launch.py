"""The Launch tab against the real board and real launched processes: job forms built from
the schema, client- and server-side validation at the field, a run followed from running to
finished with its log, its curves one click away, Stop, and logs kept as text."""

from __future__ import annotations

import json

import httpx
import pytest
from board_page import BoardProcess, PageProblems, eventually, lines_by_run, screenshot, wait_card

pytestmark = pytest.mark.browser

# Writes `steps` loss points into the run directory, prints a line per step (and one with
# markup), then waits until the test creates `release` in the run directory, so the test
# sees it running for as long as it needs. No braces: the board expands {name} in argv.
WRITER = """
import os, sys, time
from board.events import EventFileWriter
run_dir, steps, label = sys.argv[1], int(sys.argv[2]), sys.argv[3]
print("<b>%s</b><img src=x onerror=alert(1)>" % label, flush=True)
with EventFileWriter(run_dir) as writer:
    for step in range(steps):
        writer.add_scalar("loss", 1.0 / (step + 1), step=step)
        print("step %d loss %.4f" % (step, 1.0 / (step + 1)), flush=True)
print("waiting for release", flush=True)
deadline = time.monotonic() + 60
while not os.path.exists(os.path.join(run_dir, "release")) and time.monotonic() < deadline:
    time.sleep(0.05)
print("done", flush=True)
"""

SLEEPER = 'import time; print("sleeping", flush=True); time.sleep(120)'

# More lines than the viewer keeps, then a failure on stderr.
CHATTY = ('import sys\nfor i in range(2500): print("line", i)\n'
          'print("boom", file=sys.stderr)\nsys.exit(3)')

# A screenful of lines, then more once the test creates `more` in the run directory.
TICKER = """
import os, sys, time
run_dir = sys.argv[1]
os.makedirs(run_dir, exist_ok=True)
for i in range(100):
    print("first", i)
deadline = time.monotonic() + 60
while not os.path.exists(os.path.join(run_dir, "more")) and time.monotonic() < deadline:
    time.sleep(0.05)
for i in range(100):
    print("second", i)
print("end")
"""

WRITER_PARAMS = [
    {"name": "steps", "type": "int", "default": 5, "min": 1, "max": 50,
     "help": "loss points to write"},
    {"name": "rate", "type": "float", "default": 0.5, "min": 0.0, "max": 1.0,
     "help": "unused: a float field"},
    {"name": "label", "type": "str", "default": "hello", "help": "printed in <b>bold</b>?"},
    {"name": "mode", "type": "choice", "default": "slow", "choices": ["fast", "slow"],
     "help": "unused: a select"},
    {"name": "verbose", "type": "bool", "default": True, "help": "unused: a checkbox"},
]

CONFIG = {"jobs": [
    {"name": "writer", "title": "Scalar writer <i>test</i>",
     "description": "Writes a few loss points and waits for release.",
     "argv": ["{python}", "-c", WRITER, "{run_dir}", "{steps}", "{label}"],
     "params": WRITER_PARAMS},
    {"name": "sleeper", "title": "Sleeper", "argv": ["{python}", "-c", SLEEPER]},
    {"name": "chatty", "title": "Chatty failure", "argv": ["{python}", "-c", CHATTY]},
    {"name": "ticker", "title": "Ticker", "argv": ["{python}", "-c", TICKER, "{run_dir}"]},
]}


def _start_board(root, extra_args=()):
    config = root / "jobs.json"
    config.write_text(json.dumps(CONFIG))
    logdir = root / "logdir"
    logdir.mkdir()
    process = BoardProcess(logdir, extra_args=("--launch_config", str(config), *extra_args))
    process.logdir = logdir
    process.wait_loaded(runs=0)
    return process


def _stop_board(process, token=None):
    # Launched runs outlive the board by design: stop the ones a failed test left.
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    for launch in process.api("/api/launch/runs"):
        if launch["status"] == "running":
            httpx.post(f"{process.url}api/launch/runs/{launch['id']}/stop", json={},
                       headers=headers, timeout=15)
    process.stop()


@pytest.fixture(scope="module")
def board(tmp_path_factory):
    process = _start_board(tmp_path_factory.mktemp("launch"))
    try:
        yield process
    finally:
        _stop_board(process)


@pytest.fixture
def launch_pages(browser_context):
    """launch_pages(board, allow=()) -> a board's Launch tab in a new page; after the test,
    the page must have logged no problem but those containing one of `allow` (the refusals
    a test asks for: the browser logs every HTTP error response)."""
    opened = []

    def _open(board, allow: tuple[str, ...] = ()):
        page = browser_context.new_page()
        opened.append((page, PageProblems(page), allow))
        page.goto(board.url + "?tab=launch")
        page.locator('.launch-card[data-job="chatty"]').wait_for()
        return page

    yield _open
    found = [p for _, problems, allow in opened for p in problems.problems
             if not any(a in p for a in allow)]
    for page, _, _ in opened:
        page.close()
    assert not found, "\n".join(found)


@pytest.fixture
def open_launch(board, launch_pages):
    return lambda allow=(): launch_pages(board, allow)


def _card(page, job):
    return page.locator(f'.launch-card[data-job="{job}"]')


def _field(page, job, name):
    return _card(page, job).locator(f'.launch-field[data-field="{name}"]')


def _launch(page, job, run, **values):
    card = _card(page, job)
    for name, value in values.items():
        card.locator(f'[name="{name}"]').fill(str(value))
    card.locator('[name="run"]').fill(run)
    card.locator("button.launch-button").click()
    return page.locator(f'.launch-run[data-run="{run}"]')


def _status(row, status, timeout=20_000):
    row.locator(f'xpath=self::*[@data-status="{status}"]').wait_for(timeout=timeout)


def test_pure_helpers_mirror_the_servers_rules(open_launch):
    page = open_launch()
    out = page.evaluate("""async () => {
      const m = await import('/static/launch_params.js');
      const int = { name: 'n', type: 'int', min: 1, max: 5 };
      return {
        name: m.defaultRunName('mnist', new Date(2026, 0, 2, 3, 4, 5)),
        runs: ['a/b-1.x', 'a//b', '../x', 'a/.board', '', 'x'.repeat(201)].map(m.runNameError),
        ints: ['3', '0', '6', '2.5', '', 'e'].map((v) => m.parseParam(int, v)),
        float: m.parseParam({ type: 'float', min: 0, max: 1 }, '0.25'),
        choice: m.parseParam({ type: 'choice', choices: [8, 'b'] }, '0'),
        fields: ["parameter 'steps' must be <= 50, got 60", "run 'w/x' already exists",
          "bad run name 'a..'", "unknown job 'z'", "parameter 'other' must be"].map(
          (msg) => m.fieldOfMessage(msg, ['steps', 'rate'])),
        kept: m.keepLastLines('1\\n2\\n3\\n4\\n', 2),
        partial: m.keepLastLines('1\\n2\\n3', 2),
        pattern: m.exactRunPattern('w/run.1+'),
        durations: [5, 65, 3725].map(m.formatDuration),
      };
    }""")
    assert out["name"] == "mnist/20260102-030405"
    assert out["runs"][0] is None and all(out["runs"][1:])
    assert [i.get("value") for i in out["ints"]] == [3, None, None, None, None, None]
    assert [i.get("error") for i in out["ints"][1:4]] == [
        "must be >= 1", "must be <= 5", "must be an integer"]
    assert out["float"] == {"value": 0.25} and out["choice"] == {"value": 8}
    assert out["fields"] == ["steps", "run", "run", None, None]
    assert out["kept"] == "3\n4\n" and out["partial"] == "2\n3"
    assert out["pattern"] == "^w/run\\.1\\+$"
    assert out["durations"] == ["5s", "1m 05s", "1h 02m"]


def test_job_cards_render_their_forms_from_the_schema(board, open_launch):
    page = open_launch()
    card = _card(page, "writer")
    assert card.locator(".launch-title").text_content() == "Scalar writer <i>test</i>"
    assert card.locator(".launch-title i").count() == 0
    steps = card.locator('input[name="steps"]')
    assert steps.get_attribute("type") == "number"
    assert [steps.get_attribute(a) for a in ("min", "max", "step")] == ["1", "50", "1"]
    assert steps.input_value() == "5"
    rate = card.locator('input[name="rate"]')
    assert rate.get_attribute("step") == "any" and rate.input_value() == "0.5"
    assert card.locator('input[name="label"]').input_value() == "hello"
    mode = card.locator('select[name="mode"]')
    assert mode.locator("option").all_text_contents() == ["fast", "slow"]
    assert mode.locator("option:checked").text_content() == "slow"
    assert card.locator('input[name="verbose"]').is_checked()
    hints = {p["name"]: _field(page, "writer", p["name"]).locator(".launch-hint").text_content()
             for p in WRITER_PARAMS}
    assert hints == {p["name"]: p["help"] for p in WRITER_PARAMS}
    assert card.locator('input[name="run"]').input_value().startswith("writer/")
    # The built-in MNIST job: one field per parameter the server describes.
    mnist = next(j for j in board.api("/api/launch/jobs") if j["name"] == "mnist")
    fields = _card(page, "mnist").locator(".launch-fields .launch-field")
    assert [fields.nth(i).get_attribute("data-field") for i in range(fields.count())] == [
        p["name"] for p in mnist["params"]]
    assert _card(page, "sleeper").locator(".launch-fields .launch-field").count() == 0


def test_bad_values_are_refused_at_their_field_before_any_request(open_launch):
    page = open_launch()
    posts = []
    page.on("request", lambda r: r.method == "POST" and posts.append(r.url))
    _launch(page, "writer", "../outside", steps=500)
    assert _field(page, "writer", "steps").locator(".launch-field-error").text_content() == (
        "must be <= 50")
    assert "not start with" in _field(page, "writer", "run").text_content()
    assert "Fix the marked fields" in _card(page, "writer").locator(".launch-message").text_content()
    assert not posts


def test_the_servers_refusal_is_shown_at_the_field_it_names(board, open_launch):
    page = open_launch(allow=("422", "409"))  # the refusals this test asks for

    def looser_schema(route):  # the client lets 60 through; the server still says no
        jobs = route.fetch().json()
        for job in jobs:
            for param in job["params"]:
                param.pop("max", None)
        route.fulfill(json=jobs)

    page.route("**/api/launch/jobs", looser_schema)
    page.reload()
    _launch(page, "writer", "writer/too-many", steps=60)
    error = _field(page, "writer", "steps").locator(".launch-field-error")
    eventually(lambda: _assert_contains(error.text_content(), "parameter 'steps' must be <= 50"))
    assert page.locator('.launch-run[data-run="writer/too-many"]').count() == 0
    # A run directory that exists already: the server's 409 lands on the run field.
    (board.logdir / "writer" / "taken").mkdir(parents=True)
    _launch(page, "writer", "writer/taken", steps=2)
    run_error = _field(page, "writer", "run").locator(".launch-field-error")
    eventually(lambda: _assert_contains(run_error.text_content(), "already exists"))


def _assert_contains(text, part):
    assert part in (text or "")


def test_a_launched_run_is_followed_to_the_end_and_its_curves_are_one_click_away(
        board, open_launch, screenshots):
    page = open_launch()
    row = _launch(page, "writer", "writer/first", steps=4, label="<i>x</i>")
    _status(row, "running")
    assert row.locator(".launch-stop").is_visible()
    log = row.locator("pre.launch-log")
    eventually(lambda: _assert_contains(log.text_content(), "waiting for release"), timeout=30)
    # The run is in the sidebar without a reload (its first event announced it).
    page.locator('.run-row[data-run="writer/first"]').wait_for(timeout=20_000)
    (board.logdir / "writer" / "first" / "release").touch()
    _status(row, "finished")
    assert row.locator(".launch-exit").text_content() == "exit 0"
    assert not row.locator(".launch-stop").is_visible()
    eventually(lambda: _assert_contains(log.text_content(), "done"))
    text = log.text_content()
    assert "<b><i>x</i></b><img src=x onerror=alert(1)>" in text
    assert [line for line in text.splitlines() if line.startswith("step ")] == [
        f"step {s} loss {1 / (s + 1):.4f}" for s in range(4)]
    assert log.locator("*").count() == 0, "log lines are text, never markup"
    log.scroll_into_view_if_needed()
    screenshot(page, screenshots, "launch")

    row.locator("button.launch-curves").click()
    assert page.locator("#panel-scalars").is_visible()
    assert "tab=scalars" not in page.url and "runs_re=" in page.url
    assert page.locator("#sidebar input.filter").input_value() == "^writer/first$"
    wait_card(page, "loss")
    raw = eventually(lambda: _raw_line(page, "writer/first"))
    assert raw["x"] == [0, 1, 2, 3]
    assert raw["y"] == pytest.approx([1 / (s + 1) for s in range(4)])


def _raw_line(page, run):
    line = lines_by_run(page, "loss", kind="raw").get(run)
    assert line is not None
    return line


def test_stop_turns_a_sleeping_run_into_stopped(open_launch):
    page = open_launch()
    row = _launch(page, "sleeper", "sleeper/nap")
    _status(row, "running")
    log = row.locator("pre.launch-log")
    eventually(lambda: _assert_contains(log.text_content(), "sleeping"), timeout=30)
    stops = []
    page.on("request", lambda r: "/stop" in r.url and stops.append(r.url))
    page.once("dialog", lambda dialog: dialog.dismiss())
    row.locator(".launch-stop").click()
    assert not stops, "cancelling the confirmation sends nothing"
    assert row.get_attribute("data-status") == "running"
    page.once("dialog", lambda dialog: dialog.accept())
    row.locator(".launch-stop").click()
    _status(row, "stopped")
    assert not row.locator(".launch-stop").is_visible()


def test_a_failing_run_keeps_its_last_log_lines_scrolled_to_the_end(open_launch):
    page = open_launch()
    row = _launch(page, "chatty", "chatty/fails")
    _status(row, "failed")
    assert row.locator(".launch-exit").text_content() == "exit 3"
    log = row.locator("pre.launch-log")

    def all_received():
        lines = log.text_content().splitlines()
        assert lines[-1] == "boom"
        return lines

    lines = eventually(all_received, timeout=20)
    assert len(lines) == 2000 and lines[0] == "line 501"
    at_bottom = "pre => pre.scrollTop + pre.clientHeight >= pre.scrollHeight - 4"
    assert log.evaluate(at_bottom)


def test_the_log_stays_where_the_user_scrolled_to(board, open_launch):
    page = open_launch()
    row = _launch(page, "ticker", "ticker/scroll")
    log = row.locator("pre.launch-log")
    eventually(lambda: _assert_contains(log.text_content(), "first 99"), timeout=30)
    assert log.evaluate("pre => pre.scrollTop > 0"), "it followed the output"
    log.evaluate("pre => { pre.scrollTop = 0; }")
    (board.logdir / "ticker" / "scroll" / "more").touch()
    eventually(lambda: _assert_contains(log.text_content(), "end"), timeout=30)
    assert log.evaluate("pre => pre.scrollTop") == 0


def test_a_board_with_a_launch_token_asks_for_it_once(tmp_path, launch_pages):
    board = _start_board(tmp_path, ("--launch_token", "s3cret"))
    try:
        page = launch_pages(board, allow=("403",))
        token_bar = page.locator("form.launch-token")
        assert not token_bar.is_visible()
        _launch(page, "chatty", "chatty/no-token")
        message = _card(page, "chatty").locator(".launch-message")
        eventually(lambda: _assert_contains(message.text_content(), "Authorization: Bearer"))
        assert token_bar.is_visible()
        token_bar.locator("input").fill("s3cret")
        token_bar.locator("button").click()
        row = _launch(page, "chatty", "chatty/with-token")
        _status(row, "failed")
        assert "Launched chatty/with-token" in message.text_content()
        assert page.locator('.launch-run[data-run="chatty/no-token"]').count() == 0
    finally:
        _stop_board(board, token="s3cret")
