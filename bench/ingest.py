"""Ingest benchmark: our board server against the real TensorBoard on the same logdir.

    .venv/bin/python bench/ingest.py                # 4 runs x 10 tags x 250,000 steps
    .venv/bin/python bench/ingest.py --scale 0.1    # 25,000 steps per tag

Measures, for each server: time from process start until every point is served, peak
resident memory of the server and all its child processes, and median/p99 latency of a
1,000-point request and of a full-resolution request on one tag. TensorBoard runs with
--load_fast=true (its Rust data server) and --samples_per_plugin scalars=<steps> so it
keeps every point; its 1,000-point figure comes from a second instance with its default
of 1,000 samples per tag (it has no per-request downsampling). Prints a table and ratios.
"""

from __future__ import annotations

import argparse
import itertools
import json
import os
import random
import shutil
import socket
import statistics
import subprocess
import sys
import threading
import time
from pathlib import Path

import httpx
import numpy as np
import psutil

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "backend"))

from board.ingest.framing import payload_checksums
from board.records import masked_crc32c

TAGS = ["loss", "accuracy", "learning_rate", "grad_norm/dense_1", "grad_norm/dense_2",
        "eval/loss", "eval/accuracy", "throughput/examples_per_sec", "weights/mean", "lr"]


# -- generating the logdir (vectorized: 10M events in seconds) --------------------------------
def _varint(n: int) -> bytes:
    out = bytearray()
    while True:
        byte, n = n & 0x7F, n >> 7
        out.append(byte | (0x80 if n else 0))
        if not n:
            return bytes(out)


def _records(tag: str, steps: np.ndarray, walls: np.ndarray, values: np.ndarray) -> np.ndarray:
    """Framed scalar events for steps that share one varint length: (n, record) uint8."""
    k = len(_varint(int(steps[0])))
    raw = tag.encode()
    inner = b"\x0a" + _varint(len(raw)) + raw + b"\x15" + bytes(4)
    summary = b"\x0a" + _varint(len(inner)) + inner
    payload = b"\x09" + bytes(8) + b"\x10" + bytes(k) + b"\x2a" + _varint(len(summary)) + summary
    length = len(payload)
    rows = np.tile(np.frombuffer(payload, np.uint8), (len(steps), 1))
    rows[:, 1:9] = walls.astype("<f8").view(np.uint8).reshape(-1, 8)
    s = steps.astype(np.uint64)
    for i in range(k):
        byte = (s >> np.uint64(7 * i)) & np.uint64(0x7F)
        rows[:, 10 + i] = byte | (0x80 if i < k - 1 else 0)
    rows[:, -4:] = values.astype("<f4").view(np.uint8).reshape(-1, 4)
    crc = payload_checksums(rows.ravel(), np.arange(len(steps)) * length, length)
    header = np.frombuffer(np.uint64(length).tobytes()
                           + np.uint32(masked_crc32c(np.uint64(length).tobytes())).tobytes(),
                           np.uint8)
    out = np.empty((len(steps), 12 + length + 4), np.uint8)
    out[:, :12] = header
    out[:, 12:12 + length] = rows
    out[:, -4:] = crc.astype("<u4").view(np.uint8).reshape(-1, 4)
    return out


def generate(logdir: Path, runs: int, steps: int) -> None:
    marker = logdir / f".complete-{runs}x{len(TAGS)}x{steps}"
    if marker.exists():
        return
    shutil.rmtree(logdir, ignore_errors=True)
    rng = np.random.default_rng(0)
    bounds = [1, 128, 16384, 2097152, 1 << 62]
    for r in range(runs):
        run_dir = logdir / f"run_{r}"
        run_dir.mkdir(parents=True)
        with open(run_dir / "events.out.tfevents.1700000000.bench", "wb") as f:
            f.write(bytes(_header_record()))
            for lo, hi in itertools.pairwise(bounds):
                block = np.arange(lo, min(hi, steps + 1), dtype=np.int64)
                for start in range(0, len(block), 50_000):
                    part = block[start:start + 50_000]
                    if len(part):
                        f.write(_interleaved(part, rng).tobytes())
        print(f"  wrote {run_dir}", flush=True)
    marker.touch()


def _header_record() -> bytes:
    from board.proto import event_pb2
    from board.records import encode_record

    return encode_record(event_pb2.Event(wall_time=1.7e9, file_version="brain.Event:2")
                         .SerializeToString())


def _interleaved(steps: np.ndarray, rng) -> np.ndarray:
    """One record per (step, tag), step-major, as a training loop writes them."""
    walls = 1.7e9 + steps * 0.01
    per_tag = [_records(t, steps, walls, rng.normal(size=len(steps))) for t in TAGS]
    width = sum(p.shape[1] for p in per_tag)
    out = np.empty((len(steps), width), np.uint8)
    col = 0
    for p in per_tag:
        out[:, col:col + p.shape[1]] = p
        col += p.shape[1]
    return out.ravel()


# -- measuring a server ------------------------------------------------------------------------
def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class PeakMemory(threading.Thread):
    """Samples the summed RSS of a process and its descendants."""

    def __init__(self, pid: int):
        super().__init__(daemon=True)
        self.root = psutil.Process(pid)
        self.peak = 0
        self.stop = threading.Event()

    def run(self):
        while not self.stop.is_set():
            try:
                procs = [self.root, *self.root.children(recursive=True)]
                total = 0
                for p in procs:
                    try:
                        total += p.memory_info().rss
                    except psutil.Error:
                        pass
                self.peak = max(self.peak, total)
            except psutil.Error:
                return
            time.sleep(0.05)


def wait_all_points(server, pairs, steps, deadline=1800.0) -> tuple[float, float, float]:
    """When every tag served `steps` points, in seconds from now, polling tag by tag.

    Returns three figures. `confirmed`: when the last tag's confirming request started;
    everything was loaded by then (an upper bound, but for TensorBoard it includes the
    earlier confirmations, each a transfer of a whole series, as it has no count-only
    query). `incomplete`: when the last poll that found a tag incomplete started; loading
    was not done then (a lower bound). `estimate`: `confirmed` minus the time spent in
    earlier confirmations, the figure the table shows.
    """
    start = time.monotonic()
    confirming = 0.0
    incomplete = 0.0
    confirmed = 0.0
    with httpx.Client(timeout=300) as client:
        for run, tag in pairs:
            while True:
                if time.monotonic() - start > deadline:
                    raise TimeoutError(f"{run}/{tag} never completes")
                t0 = time.monotonic()
                try:
                    complete = server.count_points(client, run, tag) == steps
                except (httpx.HTTPError, ValueError, KeyError):
                    complete = False
                if complete:
                    confirmed = t0 - start
                    confirming += time.monotonic() - t0
                    break
                incomplete = t0 - start
                time.sleep(0.25)
    last_confirmation = time.monotonic() - start - confirmed
    return confirmed, incomplete, confirmed - (confirming - last_confirmation)


class Ours:
    name = "scopeflow board"

    def start(self, logdir: Path, steps: int, port: int):
        cmd = [sys.executable, "-m", "board", "--logdir", str(logdir), "--port", str(port),
               "--reload_interval", "0", "--log_level", "warning"]
        return subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                                env={**os.environ, "OMP_NUM_THREADS": "1"})

    def count_points(self, client, run, tag) -> int:
        r = client.get(f"{self.base}/api/scalars", params={"run": run, "tag": tag, "points": 1})
        return r.json()["total"] if r.status_code == 200 else -1

    def thin(self, client, run, tag, rng):
        return f"{self.base}/api/scalars", {"run": run, "tag": tag, "points": 1000}

    def full(self, run, tag):
        return f"{self.base}/api/scalars", {"run": run, "tag": tag}

    @staticmethod
    def full_count(response) -> int:
        return len(response.json()["step"])


class TensorBoard:
    name = "tensorboard"

    def __init__(self, samples: int | None):
        self.samples = samples

    def start(self, logdir: Path, steps: int, port: int):
        exe = shutil.which("tensorboard", path=os.path.dirname(sys.executable))
        cmd = [exe, "--logdir", str(logdir), "--port", str(port), "--host", "127.0.0.1",
               "--load_fast=true"]
        if self.samples:
            cmd += ["--samples_per_plugin", f"scalars={self.samples}"]
        return subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)

    def count_points(self, client, run, tag) -> int:
        r = client.get(f"{self.base}/data/plugin/scalars/scalars", params={"run": run, "tag": tag})
        return len(r.json()) if r.status_code == 200 else -1

    def full(self, run, tag):
        return f"{self.base}/data/plugin/scalars/scalars", {"run": run, "tag": tag}

    @staticmethod
    def full_count(response) -> int:
        return len(response.json())


def measure(server, logdir: Path, pairs, steps: int, expect_points: int, requests: int,
            full_requests: int) -> dict:
    port = free_port()
    server.base = f"http://127.0.0.1:{port}"
    proc = server.start(logdir, steps, port)
    memory = PeakMemory(proc.pid)
    memory.start()
    try:
        # The clock starts at the spawn.
        confirmed, incomplete, load = wait_all_points(server, pairs, expect_points)
        rng = random.Random(0)
        with httpx.Client(timeout=120) as client:
            picks = [rng.choice(pairs) for _ in range(max(requests, full_requests))]

            def full_check(response):
                assert server.full_count(response) == expect_points, "incomplete response"

            full = _latency_many(client, server.full, picks[:full_requests], full_check)
            thin = None
            if isinstance(server, Ours):
                thin = _latency_many(client, lambda r, t: server.thin(client, r, t, rng), picks,
                                     lambda response: response.raise_for_status())
        time.sleep(0.3)
        return {"load_s": load, "load_bounds_s": [incomplete, confirmed],
                "peak_rss_mib": memory.peak / 2**20, "full": full,
                "thin": thin}
    finally:
        memory.stop.set()
        proc.terminate()
        try:
            proc.wait(30)
        except subprocess.TimeoutExpired:
            proc.kill()


def _latency_many(client, url_params, picks, check) -> tuple[float, float]:
    times = []
    for run, tag in picks:
        url, params = url_params(run, tag)
        t0 = time.perf_counter()
        response = client.get(url, params=params)
        times.append(time.perf_counter() - t0)
        check(response)
    times.sort()
    return statistics.median(times), times[min(len(times) - 1, int(0.99 * len(times)))]


def tensorboard_thin(logdir: Path, pairs, requests: int) -> tuple[float, float]:
    """TensorBoard with its default 1,000 samples per scalar tag: the 1,000-point request."""
    tb = TensorBoard(None)
    port = free_port()
    tb.base = f"http://127.0.0.1:{port}"
    proc = tb.start(logdir, 0, port)
    try:
        wait_all_points(tb, pairs, 1000)
        rng = random.Random(1)
        picks = [rng.choice(pairs) for _ in range(requests)]
        with httpx.Client(timeout=120) as client:
            return _latency_many(client, tb.full, picks,
                                 lambda response: response.raise_for_status())
    finally:
        proc.terminate()
        proc.wait(30)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", type=float, default=1.0,
                        help="fraction of the 250,000 steps per tag (default 1)")
    parser.add_argument("--runs", type=int, default=4)
    parser.add_argument("--logdir", type=Path, default=Path("/tmp/scopeflow-bench-ingest"))
    parser.add_argument("--requests", type=int, default=200, help="1,000-point requests")
    parser.add_argument("--full_requests", type=int, default=10)
    parser.add_argument("--skip_tensorboard", action="store_true")
    parser.add_argument("--json", type=Path, help="also write the figures here")
    args = parser.parse_args()
    steps = max(10, int(250_000 * args.scale))
    print(f"generating {args.runs} runs x {len(TAGS)} tags x {steps} steps in {args.logdir}")
    generate(args.logdir, args.runs, steps)
    size = sum(p.stat().st_size for p in args.logdir.rglob("events.out.*"))
    print(f"  {size / 2**20:.0f} MiB, {args.runs * len(TAGS) * steps:,} scalar events")
    pairs = [(f"run_{r}", t) for r in range(args.runs) for t in TAGS]
    results = {"ours": measure(Ours(), args.logdir, pairs, steps, steps, args.requests,
                               args.full_requests)}
    if not args.skip_tensorboard:
        results["tensorboard"] = measure(TensorBoard(steps), args.logdir, pairs, steps, steps,
                                         0, args.full_requests)
        results["tensorboard"]["thin"] = tensorboard_thin(args.logdir, pairs, args.requests)
    report(results, args.runs * len(TAGS) * steps)
    if args.json:
        args.json.write_text(json.dumps(results, indent=2))
    return 0


def report(results: dict, points: int) -> None:
    print(f"\n{'':28}{'load s':>10}{'peak MiB':>10}{'B/point':>9}"
          f"{'1k p50 ms':>11}{'1k p99 ms':>11}{'full p50 s':>12}{'full p99 s':>12}")
    for name, r in results.items():
        thin = r["thin"] or (float("nan"), float("nan"))
        print(f"{name:28}{r['load_s']:10.2f}{r['peak_rss_mib']:10.0f}"
              f"{r['peak_rss_mib'] * 2**20 / points:9.1f}{thin[0] * 1e3:11.1f}"
              f"{thin[1] * 1e3:11.1f}{r['full'][0]:12.3f}{r['full'][1]:12.3f}")
    for name, r in results.items():
        low, high = r["load_bounds_s"]
        print(f"{name}: found a tag incomplete at {low:.2f} s, all confirmed by {high:.2f} s")
    if "tensorboard" in results:
        ours, tb = results["ours"], results["tensorboard"]
        print(f"\nratios (tensorboard / ours): load {tb['load_s'] / ours['load_s']:.2f}x, "
              f"memory {tb['peak_rss_mib'] / ours['peak_rss_mib']:.2f}x, "
              f"1k-point p50 {tb['thin'][0] / ours['thin'][0]:.2f}x, "
              f"full p50 {tb['full'][0] / ours['full'][0]:.2f}x")


if __name__ == "__main__":
    sys.exit(main())
