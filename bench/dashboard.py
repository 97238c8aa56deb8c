"""Dashboard benchmark: time from page load to the first chart drawn, in Debian's chromium
driven by Playwright, against the real board serving a large logdir.

    .venv/bin/python bench/dashboard.py                # 50 runs x 20 tags x 100,000 points
    .venv/bin/python bench/dashboard.py --scale 0.1    # 10,000 points per tag

Each scalar card fetches one batch of every run's line (M4 at the plotting area's pixel
width, with server-side smoothing), so the first chart costs: plotly.js, /api/runs, one
batch over 50 runs x 100,000 points, and drawing the 50 smoothed lines; the 50 faint raw
lines follow (the "complete" figure). Measured cold (a fresh browser profile: plotly.js
fetched and compiled) and warm (the same profile again: plotly.js from cache), from
navigation start to the first `.card[data-shown]` (and `[data-drawn]`), with the page's
own clock.
The board keeps encoded downsampled answers per series version, so only the very first
load finds the server cold; it is also the browser process's first page (no compiled
plotly.js in its code cache, which dominates it), and is reported on its own line.
Target: first chart within 2 s. The logdir is generated once (vectorized, the framing
helpers of bench/ingest.py) and kept under --logdir.
"""

from __future__ import annotations

import argparse
import itertools
import json
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

import httpx
import numpy as np

BENCH = Path(__file__).resolve().parent
sys.path.insert(0, str(BENCH.parent / "backend"))
sys.path.insert(0, str(BENCH))

from ingest import _header_record, _records  # record framing, vectorized

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--no-first-run"]
TAG_NAMES = ["loss", "accuracy", "learning_rate", "grad_norm", "weights/mean", "weights/std",
             "eval/loss", "eval/accuracy", "eval/precision", "eval/recall"]
# Steps 1..points in blocks sharing a varint length (proto3 would leave a step of 0 out).
VARINT_BOUNDS = [1, 128, 16384, 2097152, 1 << 62]
CHUNK = 50_000

# Runs in the page before any of its scripts: the first moment a chart card shows its
# first picture (`data-shown`) and the first moment one is complete (`data-drawn`; with
# smoothing on, the faint raw lines are drawn after the smoothed ones).
FIRST_CHART_PROBE = """
window.__bench = { first: null, complete: null };
new MutationObserver(() => {
  const now = performance.now();
  if (window.__bench.first === null && document.querySelector('.card[data-shown]')) {
    window.__bench.first = now;
  }
  if (window.__bench.complete === null && document.querySelector('.card[data-drawn]')) {
    window.__bench.complete = now;
  }
}).observe(document, { subtree: true, childList: true, attributes: true,
                       attributeFilter: ['data-shown', 'data-drawn'] });
"""


def tags(count: int) -> list[str]:
    return [TAG_NAMES[i % len(TAG_NAMES)] + (f"_{i // len(TAG_NAMES)}" if i >= len(TAG_NAMES)
                                             else "") for i in range(count)]


def generate(logdir: Path, runs: int, tag_count: int, points: int) -> None:
    """One event file per run, one scalar event per (step, tag), step-major."""
    marker = logdir / f".complete-{runs}x{tag_count}x{points}"
    if marker.exists():
        return
    shutil.rmtree(logdir, ignore_errors=True)
    names = tags(tag_count)
    for r in range(runs):
        rng = np.random.default_rng(r)
        run_dir = logdir / f"lr_{1e-3 * (1 + r % 5):.0e}" / f"seed_{r}"
        run_dir.mkdir(parents=True)
        with open(run_dir / "events.out.tfevents.1700000000.bench", "wb") as f:
            f.write(_header_record())
            for lo, hi in itertools.pairwise(VARINT_BOUNDS):
                block = np.arange(lo, min(hi, points + 1), dtype=np.int64)
                f.writelines(_step_major(block[i:i + CHUNK], names, r, rng).tobytes()
                             for i in range(0, len(block), CHUNK))
    marker.touch()


def _step_major(steps: np.ndarray, names: list[str], run: int, rng) -> np.ndarray:
    walls = 1.7e9 + run * 60 + steps * 0.05
    decay = np.exp(-steps / (steps[-1] + 2e4))
    per_tag = [_records(tag, steps, walls,
                        decay * (1 + 0.1 * t) + 0.05 * rng.standard_normal(len(steps)) + run * 1e-3)
               for t, tag in enumerate(names)]
    return np.concatenate(per_tag, axis=1).ravel()


class Board:
    def __init__(self, logdir: Path):
        self.process = subprocess.Popen(
            [sys.executable, "-m", "board", "--logdir", str(logdir), "--port", "0",
             "--reload_interval", "0", "--log_level", "warning"],
            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        for line in self.process.stdout:
            if "http://" in line:
                self.url = line[line.index("http://"):].split()[0]
                break
        else:
            raise RuntimeError("board exited before printing its URL")

    def wait_loaded(self, runs: int, timeout: float = 3600) -> float:
        start = time.monotonic()
        while time.monotonic() - start < timeout:
            status = httpx.get(self.url + "api/status", timeout=30).json()
            if status["loaded"] and status["runs"] >= runs:
                return time.monotonic() - start
            time.sleep(0.5)
        raise TimeoutError("board did not load the logdir")

    def stop(self) -> None:
        self.process.terminate()
        self.process.wait(30)


def measure_load(context, url: str) -> dict:
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda err: errors.append(str(err)))
    page.goto(url, wait_until="commit")
    page.wait_for_function("window.__bench && window.__bench.complete !== null",
                           timeout=120_000)
    probe = page.evaluate("""() => {
      const res = performance.getEntriesByType('resource');
      const at = (part) => res.find((e) => e.name.includes(part));
      const end = (e) => e ? e.responseEnd : null;
      const batch = at('/api/scalars/batch');
      return { first: window.__bench.first, complete: window.__bench.complete,
               plotly: end(at('plotly.min.js')),
               runs: end(at('/api/runs')), batch_ms: batch ? batch.duration : null,
               batch_bytes: batch ? batch.encodedBodySize : null,
               points: document.querySelector('.card[data-drawn] .card-foot').textContent };
    }""")
    page.close()
    if errors:
        raise RuntimeError(f"page errors: {errors}")
    return probe


def run_browser(url: str, repeats: int) -> dict:
    from playwright.sync_api import sync_playwright

    cold, warm = [], []
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        for _ in range(repeats):
            context = browser.new_context(viewport={"width": 1400, "height": 900})
            context.add_init_script(FIRST_CHART_PROBE)
            cold.append(measure_load(context, url))
            warm.append(measure_load(context, url))
            context.close()
        browser.close()
    return {"cold": cold, "warm": warm}


def summarize(name: str, probes: list[dict]) -> dict:
    median = {k: statistics.median(p[k] for p in probes)
              for k in ("first", "complete", "plotly", "runs", "batch_ms", "batch_bytes")}
    print(f"{name:>6}: first chart {median['first'] / 1e3:6.2f} s, complete "
          f"{median['complete'] / 1e3:.2f} s (median of {len(probes)}; "
          f"plotly.js ready {median['plotly'] / 1e3:.2f} s, /api/runs {median['runs'] / 1e3:.2f} s,"
          f" first batch {median['batch_ms']:.0f} ms, {median['batch_bytes'] / 2**20:.1f} MiB)")
    return median


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", type=float, default=1.0,
                        help="fraction of the 100,000 points per tag (default 1)")
    parser.add_argument("--runs", type=int, default=50)
    parser.add_argument("--tags", type=int, default=20)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--logdir", type=Path, default=Path("/tmp/scopeflow-bench-dashboard"))
    parser.add_argument("--json", type=Path, help="also write the figures here")
    args = parser.parse_args()
    points = max(10, int(100_000 * args.scale))
    logdir = args.logdir / f"{args.runs}x{args.tags}x{points}"
    print(f"logdir: {args.runs} runs x {args.tags} tags x {points:,} points "
          f"= {args.runs * args.tags * points:,} scalars in {logdir}")
    started = time.monotonic()
    generate(logdir, args.runs, args.tags, points)
    size = sum(p.stat().st_size for p in logdir.rglob("events.out.*"))
    print(f"  ready in {time.monotonic() - started:.1f} s, {size / 2**20:,.0f} MiB")
    board = Board(logdir)
    try:
        print(f"  board loaded it in {board.wait_loaded(args.runs):.1f} s; measuring the page")
        results = run_browser(board.url, args.repeats)
    finally:
        board.stop()
    figures = {name: summarize(name, probes) for name, probes in results.items()}
    figures["server_cold"] = summarize("first", results["cold"][:1])
    print(f"first card: {results['warm'][-1]['points']}")
    verdict = "within" if figures["warm"]["first"] <= 2000 else "over"
    print(f"target 2 s: warm {figures['warm']['first'] / 1e3:.2f} s ({verdict}); "
          f"cold {figures['cold']['first'] / 1e3:.2f} s; complete (raw lines too) warm "
          f"{figures['warm']['complete'] / 1e3:.2f} s, cold {figures['cold']['complete'] / 1e3:.2f} s")
    if args.json:
        args.json.write_text(json.dumps({"points": points, "runs": args.runs,
                                         "tags": args.tags, **figures}, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
