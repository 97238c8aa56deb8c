"""Driving the dashboard in tests: the real board process on a free port, a page's problems
(console errors, failed requests), and reading what the charts plot from plotly's data."""

from __future__ import annotations

import re
import subprocess
import sys
import threading
import time
from pathlib import Path

import httpx

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--no-first-run"]
VIEWPORT = {"width": 1400, "height": 900}

# A card's plotted traces: [{run, kind: 'line'|'raw', x, y}], or null before it is drawn.
TRACES_JS = """([panel, tag]) => {
  const cards = [...document.querySelectorAll(`#panel-${panel} .card`)];
  const card = cards.find((c) => c.dataset.tag === tag);
  const gd = card && card.querySelector('.plot');
  if (!gd || !gd.data) return null;
  return gd.data.map((t) => ({ run: t.meta?.run ?? null, kind: t.meta?.kind ?? null,
    color: t.line?.color ?? null, x: Array.from(t.x ?? []), y: Array.from(t.y ?? []) }));
}"""


class BoardProcess:
    """`python -m board` on a logdir, on a free port; `url` is read from its output."""

    def __init__(self, logdir: Path, reload_interval: float = 1, extra_args: tuple = ()):
        self.lines: list[str] = []
        self.url: str | None = None
        self._ready = threading.Event()
        self.process = subprocess.Popen(
            [sys.executable, "-m", "board", "--logdir", str(logdir), "--port", "0",
             "--reload_interval", str(reload_interval), *extra_args],
            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        threading.Thread(target=self._read, daemon=True).start()
        if not self._ready.wait(30) or self.url is None:
            self.stop()
            raise RuntimeError("board did not print its URL:\n" + "".join(self.lines))

    def _read(self) -> None:
        for line in self.process.stdout:
            self.lines.append(line)
            match = re.search(r"(http://\S+?)/?(\s|$)", line)
            if match and self.url is None:
                self.url = match.group(1) + "/"
                self._ready.set()
        self._ready.set()

    def api(self, path: str):
        return httpx.get(self.url + path.lstrip("/"), timeout=10).json()

    def wait_loaded(self, runs: int, timeout: float = 30) -> None:
        """Until the first load is done and `runs` runs are known."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.api("/api/status").get("loaded") and len(self.api("/api/runs")) >= runs:
                return
            time.sleep(0.2)
        raise TimeoutError(f"board did not load {runs} runs:\n" + "".join(self.lines))

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(10)
            except subprocess.TimeoutExpired:
                self.process.kill()
        # Shown by pytest when a test of this server fails: the server's side of the story.
        print("board output (tail):\n" + "".join(self.lines)[-4000:])


class PageProblems:
    """Console errors, uncaught exceptions, failed and HTTP-error requests of one page."""

    def __init__(self, page):
        self.problems: list[str] = []
        page.on("console", self._console)
        page.on("pageerror", lambda err: self.problems.append(f"page error: {err}"))
        page.on("requestfailed", self._failed)
        page.on("response", lambda r: r.status >= 400 and self.problems.append(
            f"HTTP {r.status} {r.url}"))

    def _console(self, message) -> None:
        if message.type in ("error", "warning"):
            self.problems.append(f"console {message.type}: {message.text}")

    def _failed(self, request) -> None:
        # Leaving or reloading the page cuts the live stream; that is not a failure.
        if request.url.endswith("/api/stream") and "ERR_ABORTED" in (request.failure or ""):
            return
        self.problems.append(f"request failed: {request.url} {request.failure}")


def traces(page, tag: str, panel: str = "scalars"):
    return page.evaluate(TRACES_JS, [panel, tag])


def lines_by_run(page, tag: str, kind: str = "line") -> dict[str, dict]:
    return {t["run"]: t for t in traces(page, tag) or [] if t["kind"] == kind}


def wait_drawn(page, count: int, panel: str = "scalars", timeout: float = 15_000) -> None:
    page.wait_for_function(
        "([panel, n]) => document.querySelectorAll(`#panel-${panel} .card[data-drawn]`)"
        ".length >= n", arg=[panel, count], timeout=timeout)


def wait_card(page, tag: str, panel: str = "scalars", timeout: float = 20_000):
    """Scroll the tag's card into view (cards load when seen) and wait until it is drawn."""
    card = page.locator(f'#panel-{panel} .card[data-tag="{tag}"]')
    card.scroll_into_view_if_needed(timeout=timeout)
    page.locator(f'#panel-{panel} .card[data-tag="{tag}"][data-drawn]').wait_for(timeout=timeout)
    return card


def eventually(check, timeout: float = 10, interval: float = 0.1):
    """Call `check` until it returns without AssertionError (returning its value)."""
    deadline = time.monotonic() + timeout
    while True:
        try:
            return check()
        except AssertionError:
            if time.monotonic() > deadline:
                raise
            time.sleep(interval)


def debiased_ema(values, weight: float) -> list[float]:
    """TensorBoard's smoothing, written out as its formula (the reference for the charts)."""
    last, out = 0.0, []
    for k, value in enumerate(values, start=1):
        last = last * weight + (1 - weight) * value
        out.append(last / (1 - weight ** k))
    return out


def screenshot(page, directory: Path, name: str) -> None:
    page.wait_for_timeout(200)  # let plotly finish its transitions
    page.screenshot(path=str(directory / f"{name}.png"), full_page=False)
