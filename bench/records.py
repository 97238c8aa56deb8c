"""Event-file throughput: board.events against TensorBoard's own writer and accumulator.

In one run, with the same scalars:
  (a) write N scalar events with board.events and with tensorboard's EventFileWriter;
  (b) read them back with board.events and with tensorboard's EventAccumulator
      (size_guidance keeps every scalar), checking both see exactly what was written.
Prints events/s for each and the ratios. Checksums are verified on every read.

    OMP_NUM_THREADS=1 python bench/records.py [--events N]
"""

from __future__ import annotations

import argparse
import os
import tempfile
import time

import numpy as np

TAG = "loss"


def make_scalars(n: int) -> tuple[list[float], list[int], list[float]]:
    rng = np.random.default_rng(0)
    values = rng.normal(size=n).astype(np.float32).tolist()
    steps = list(range(n))
    wall_times = (1.7e9 + np.arange(n) * 0.01).tolist()
    return values, steps, wall_times


def write_ours(logdir: str, values, steps, wall_times) -> str:
    from board.events import EventFileWriter

    w = EventFileWriter(logdir)
    add = w.add_scalar
    for value, step, wall_time in zip(values, steps, wall_times, strict=True):
        add(TAG, value, step, wall_time)
    w.close()
    return w.path


def write_ours_bulk(logdir: str, values, steps, wall_times) -> str:
    from board.events import EventFileWriter

    w = EventFileWriter(logdir)
    w.add_scalars(TAG, values, steps, wall_times)
    w.close()
    return w.path


def write_tensorboard(logdir: str, values, steps, wall_times) -> str:
    from tensorboard.compat.proto import event_pb2, summary_pb2
    from tensorboard.summary.writer.event_file_writer import EventFileWriter

    w = EventFileWriter(logdir)
    event, summary, value_msg = event_pb2.Event, summary_pb2.Summary, summary_pb2.Summary.Value
    for value, step, wall_time in zip(values, steps, wall_times, strict=True):
        w.add_event(event(wall_time=wall_time, step=step,
                          summary=summary(value=[value_msg(tag=TAG, simple_value=value)])))
    w.close()
    return w._file_name


def read_ours(path: str) -> dict[str, list[tuple[int, float, float]]]:
    """Every scalar by tag, as (step, wall_time, value), through board.events."""
    from board.events import EventFileReader

    rows, events = EventFileReader(path).read_new_scalars()
    scalars: dict[str, list[tuple[int, float, float]]] = {}
    for tag, step, wall_time, value in rows:
        points = scalars.get(tag)
        if points is None:
            points = scalars[tag] = []
        points.append((step, wall_time, value))
    for event in events:  # summaries of several values, or with metadata
        for v in event.summary.value:
            if v.WhichOneof("value") == "simple_value":
                scalars.setdefault(v.tag, []).append((event.step, event.wall_time,
                                                      v.simple_value))
    return scalars


def read_tensorboard(path: str) -> dict[str, list[tuple[int, float, float]]]:
    from tensorboard.backend.event_processing import event_accumulator as ea

    acc = ea.EventAccumulator(path, size_guidance={ea.SCALARS: 0})
    acc.Reload()
    return {tag: [(e.step, e.wall_time, e.value) for e in acc.Scalars(tag)]
            for tag in acc.Tags()["scalars"]}


def timed(fn, *args):
    """Result, wall seconds and CPU seconds (all threads of this process) of fn(*args)."""
    wall, cpu = time.perf_counter(), time.process_time()
    result = fn(*args)
    return result, time.perf_counter() - wall, time.process_time() - cpu


def check(name: str, got, values, steps, wall_times) -> None:
    expected = list(zip(steps, wall_times, values, strict=True))
    if got != {TAG: expected}:
        raise SystemExit(f"{name}: read back something other than what was written")


def measure(n: int, tmp: str, read_rounds: int) -> dict[str, tuple[float, float]]:
    """events/s by (wall clock, CPU time) for each writer and reader (best of the rounds)."""
    values, steps, wall_times = make_scalars(n)
    data = (values, steps, wall_times)
    rate = {}

    def run(name, fn, *args):
        result, wall, cpu = timed(fn, *args)
        best_wall, best_cpu = rate.get(name, (0.0, 0.0))
        rate[name] = (max(best_wall, n / wall), max(best_cpu, n / cpu))
        return result

    ours = run("write board.events add_scalar", write_ours, os.path.join(tmp, "ours"), *data)
    run("write board.events add_scalars (bulk)", write_ours_bulk, os.path.join(tmp, "bulk"),
        *data)
    theirs = run("write tensorboard EventFileWriter", write_tensorboard,
                 os.path.join(tmp, "tb"), *data)
    for _ in range(read_rounds):  # alternating, best of each: other load hits both alike
        check("board.events", run("read board.events EventFileReader", read_ours, ours), *data)
        check("tensorboard", run("read tensorboard EventAccumulator", read_tensorboard, ours),
              *data)
    check("board.events on tensorboard's file", read_ours(theirs), *data)
    return rate


def report(n: int, rate: dict[str, tuple[float, float]]) -> None:
    print(f"{n:,} scalar events, CRC32C verified on read; events/s by wall clock and by CPU "
          "time")
    for name, (wall, cpu) in rate.items():
        print(f"  {name:<40} {wall:>12,.0f} {cpu:>12,.0f}")
    ratios = [
        ("write: add_scalar / tensorboard", "write board.events add_scalar",
         "write tensorboard EventFileWriter", "target >= 10x"),
        ("write: add_scalars / tensorboard", "write board.events add_scalars (bulk)",
         "write tensorboard EventFileWriter", ""),
        ("read: board.events / accumulator", "read board.events EventFileReader",
         "read tensorboard EventAccumulator", "target >= 5x"),
    ]
    for label, ours, theirs, target in ratios:
        by_wall = rate[ours][0] / rate[theirs][0]
        by_cpu = rate[ours][1] / rate[theirs][1]
        print(f"  {label:<40} {by_wall:>11.1f}x {by_cpu:>11.1f}x  {target}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, default=1_000_000)
    parser.add_argument("--read-rounds", type=int, default=2,
                        help="times each reader runs, alternating; the best run counts")
    args = parser.parse_args()
    n = args.events
    with tempfile.TemporaryDirectory(prefix="bench-records-") as tmp:
        rate = measure(n, tmp, max(1, args.read_rounds))
    report(n, rate)


if __name__ == "__main__":
    main()
