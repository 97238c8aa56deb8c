"""board.events: the event file writer and the incremental reader."""

from __future__ import annotations

import gc
import logging
import math
import os
import re
import socket
import struct
import subprocess
import sys
import threading
import time

import fsspec
import numpy as np
import pytest
from board.events import (
    EventFileReader,
    EventFileWriter,
    decode_scalar_event,
    encode_scalar_event,
    read_events,
)
from board.proto import event_pb2, summary_pb2
from board.records import encode_record
from hypothesis import given, settings
from hypothesis import strategies as st

pytestmark = pytest.mark.timeout(60)


def scalar_event(step: int, value: float, tag: str = "loss") -> event_pb2.Event:
    return event_pb2.Event(
        wall_time=1000.0 + step, step=step,
        summary=summary_pb2.Summary(value=[summary_pb2.Summary.Value(tag=tag,
                                                                      simple_value=value)]))


def wait_until(predicate, timeout=20.0):
    """Poll for a background effect (the deadline only stops a hang; nothing is timed)."""
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > deadline:
            return False
        time.sleep(0.02)
    return True


def test_file_name_follows_tensorflow(tmp_path):
    with EventFileWriter(str(tmp_path), filename_suffix=".v2") as w:
        name = os.path.basename(w.path)
    host = re.escape(socket.gethostname())
    assert re.fullmatch(rf"events\.out\.tfevents\.\d{{10}}\.{host}\.v2", name)
    secs = int(name.split(".")[3])
    assert abs(secs - time.time()) < 3600


def test_first_record_is_file_version(tmp_path):
    with EventFileWriter(str(tmp_path)) as w:
        w.add_event(scalar_event(1, 0.5))
    events = list(read_events(w.path))
    assert events[0].file_version == "brain.Event:2"
    assert events[0].wall_time > 0
    assert events[1] == scalar_event(1, 0.5)


def test_two_writers_in_one_second_get_two_files(tmp_path):
    a = EventFileWriter(str(tmp_path))
    b = EventFileWriter(str(tmp_path))
    a.add_event(scalar_event(1, 1.0))
    b.add_event(scalar_event(2, 2.0))
    a.close()
    b.close()
    assert a.path != b.path
    assert [e.step for e in read_events(a.path)][1:] == [1]
    assert [e.step for e in read_events(b.path)][1:] == [2]


def test_every_kind_of_event_round_trips(tmp_path):
    sent = [
        scalar_event(3, -1.25),
        event_pb2.Event(wall_time=2.0, step=4, graph_def=b"\x0a\x03\x0a\x01a"),
        event_pb2.Event(wall_time=3.0, session_log=event_pb2.SessionLog(
            status=event_pb2.SessionLog.START, msg="restart")),
        event_pb2.Event(wall_time=4.0, step=-7, tagged_run_metadata=event_pb2.TaggedRunMetadata(
            tag="step_7", run_metadata=b"\x01\x02")),
        event_pb2.Event(wall_time=5.0, step=2**40, meta_graph_def=b"meta"),
    ]
    with EventFileWriter(str(tmp_path)) as w:
        for e in sent:
            w.add_event(e)
    assert list(read_events(w.path))[1:] == sent


@settings(max_examples=200, deadline=None)
@given(tag=st.text(max_size=40), value=st.floats(allow_nan=False),
       step=st.integers(-2**63, 2**63 - 1), wall_time=st.floats(allow_nan=False))
def test_encode_scalar_event_is_byte_identical_to_protobuf(tag, value, step, wall_time):
    event = event_pb2.Event(wall_time=wall_time, step=step, summary=summary_pb2.Summary(
        value=[summary_pb2.Summary.Value(tag=tag, simple_value=value)]))
    assert encode_scalar_event(tag, value, step, wall_time) == event.SerializeToString()


@settings(max_examples=200, deadline=None)
@given(tag=st.text(max_size=40), value=st.floats(width=32),
       step=st.integers(-2**63, 2**63 - 1), wall_time=st.floats(allow_nan=False))
def test_decode_scalar_event_inverts_encode(tag, value, step, wall_time):
    row = decode_scalar_event(encode_scalar_event(tag, value, step, wall_time))
    omitted = (wall_time == 0 and math.copysign(1.0, wall_time) > 0) or not tag
    if omitted or len(tag.encode()) > 118:
        assert row is None  # a layout left to protobuf
    else:
        assert row[:3] == (tag, step, wall_time)
        assert row[3] == value or (np.isnan(row[3]) and np.isnan(value))


@settings(max_examples=300, deadline=None)
@given(st.binary(max_size=60), st.data())
def test_decode_scalar_event_never_disagrees_with_protobuf(noise, data):
    base = bytearray(encode_scalar_event("acc", 0.5, data.draw(st.integers(0, 2**40)), 12.5))
    for _ in range(data.draw(st.integers(0, 3))):
        at = data.draw(st.integers(0, len(base) - 1))
        base[at] = data.draw(st.integers(0, 255))
    for payload in (bytes(base), noise):
        row = decode_scalar_event(payload)
        if row is None:
            continue
        event = event_pb2.Event.FromString(payload)
        [value] = event.summary.value
        bits = struct.Struct("<df").pack  # compares NaNs too
        assert row[:2] == (value.tag, event.step)
        assert bits(*row[2:]) == bits(event.wall_time, value.simple_value)


@pytest.mark.parametrize("step", [0, 1, 127, 128, 16383, 16384, 2**40, -1])
@pytest.mark.parametrize("wall_time", [1234.5, 0.0, -0.0])
@pytest.mark.parametrize("value", [0.25, 1e39, -1e39, float("inf"), 0.0])
def test_add_scalar_writes_what_protobuf_would(tmp_path, step, wall_time, value):
    with EventFileWriter(str(tmp_path)) as w:
        w.add_scalar("a/b", value, step=step, wall_time=wall_time)
    [payload] = EventFileReader(w.path).read_new_serialized()[1:]
    expected = event_pb2.Event(wall_time=wall_time, step=step, summary=summary_pb2.Summary(
        value=[summary_pb2.Summary.Value(tag="a/b", simple_value=value)]))
    assert payload == expected.SerializeToString()


def test_add_scalar_rejects_a_non_number(tmp_path):
    with EventFileWriter(str(tmp_path)) as w, pytest.raises(TypeError, match="real number"):
        w.add_scalar("a", "high", step=3)


def test_read_new_scalars_splits_plain_scalars_from_other_events(tmp_path):
    other = event_pb2.Event(wall_time=3.0, step=2, summary=summary_pb2.Summary(value=[
        summary_pb2.Summary.Value(tag="x", simple_value=1.0),
        summary_pb2.Summary.Value(tag="y", simple_value=2.0)]))
    with EventFileWriter(str(tmp_path)) as w:
        w.add_scalar("loss", 0.5, step=1, wall_time=2.0)
        w.add_event(other)
        w.add_scalar("loss", 0.25, step=3, wall_time=4.0)
    rows, events = EventFileReader(w.path).read_new_scalars()
    assert rows == [("loss", 1, 2.0, 0.5), ("loss", 3, 4.0, 0.25)]
    assert [e.file_version for e in events[:1]] == ["brain.Event:2"]
    assert events[1:] == [other]


def test_add_scalar_and_add_scalars_write_summary_events(tmp_path):
    with EventFileWriter(str(tmp_path)) as w:
        w.add_scalar("loss", 0.5, step=1, wall_time=1001.0)
        w.add_scalars("loss", [1.5, 2.5], [2, 3], [1002.0, 1003.0])
    got = list(read_events(w.path))[1:]
    assert got == [scalar_event(1, 0.5), scalar_event(2, 1.5), scalar_event(3, 2.5)]


def test_add_event_serialises_at_call_time(tmp_path):
    event = scalar_event(1, 1.0)
    with EventFileWriter(str(tmp_path)) as w:
        w.add_event(event)
        event.step = 99
    assert list(read_events(w.path))[1].step == 1


def test_flush_makes_accepted_events_readable(tmp_path):
    w = EventFileWriter(str(tmp_path), flush_secs=3600)
    reader = EventFileReader(w.path)
    assert [e.file_version for e in reader.read_new()] == ["brain.Event:2"]
    for i in range(5):
        w.add_event(scalar_event(i, float(i)))
    w.flush()
    assert [e.step for e in reader.read_new()] == [0, 1, 2, 3, 4]
    assert reader.offset == os.path.getsize(w.path)
    w.close()


def test_background_thread_flushes_every_flush_secs(tmp_path):
    w = EventFileWriter(str(tmp_path), flush_secs=0.05)
    w.add_event(scalar_event(7, 7.0))
    reader = EventFileReader(w.path)
    seen: list[event_pb2.Event] = []
    assert wait_until(lambda: seen.extend(reader.read_new()) or len(seen) == 2)
    assert seen[1].step == 7
    w.close()


def test_close_keeps_every_event_from_many_threads(tmp_path):
    w = EventFileWriter(str(tmp_path), max_queue=1, flush_secs=3600)
    per_thread = 6000

    def produce(tid):
        for i in range(per_thread):
            w.add_event(scalar_event(i, float(tid), tag=f"t{tid}"))

    threads = [threading.Thread(target=produce, args=(t,)) for t in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    w.close()
    steps: dict[str, list[int]] = {}
    for e in list(read_events(w.path))[1:]:
        steps.setdefault(e.summary.value[0].tag, []).append(e.step)
    assert steps == {f"t{t}": list(range(per_thread)) for t in range(4)}


def test_adds_racing_close_are_written_exactly_when_accepted(tmp_path):
    w = EventFileWriter(str(tmp_path), flush_secs=3600)
    accepted: list[list[int]] = [[] for _ in range(3)]
    started = threading.Barrier(4)

    def produce(tid):
        started.wait()
        for i in range(200_000):
            try:
                w.add_scalar(f"t{tid}", 1.0, step=i + 1, wall_time=1.0)
            except ValueError:
                return
            accepted[tid].append(i + 1)

    threads = [threading.Thread(target=produce, args=(t,)) for t in range(3)]
    for t in threads:
        t.start()
    started.wait()
    time.sleep(0.05)
    w.close()
    for t in threads:
        t.join()
    written: dict[str, list[int]] = {}
    for tag, step, _, _ in EventFileReader(w.path).read_new_scalars()[0]:
        written.setdefault(tag, []).append(step)
    assert {f"t{t}": accepted[t] for t in range(3) if accepted[t]} == written


def test_add_after_close_raises(tmp_path):
    w = EventFileWriter(str(tmp_path))
    w.close()
    w.close()  # a second close is harmless
    with pytest.raises(ValueError, match="closed"):
        w.add_event(scalar_event(1, 1.0))


def test_abandoned_writer_is_flushed_when_collected(tmp_path):
    w = EventFileWriter(str(tmp_path), flush_secs=3600)
    w.add_event(scalar_event(5, 5.0))
    path = w.path
    del w
    gc.collect()
    assert [e.step for e in read_events(path)][1:] == [5]


def test_interpreter_exit_flushes_unclosed_writer(tmp_path):
    script = (
        "import sys\n"
        "from board.events import EventFileWriter\n"
        "w = EventFileWriter(sys.argv[1], flush_secs=3600)\n"
        "for i in range(1000):\n"
        "    w.add_scalar('x', i, step=i, wall_time=1.0)\n"
        "print(w.path)\n"
    )
    out = subprocess.run([sys.executable, "-c", script, str(tmp_path)], capture_output=True,
                         text=True, timeout=60, check=True)
    steps = [e.step for e in read_events(out.stdout.strip())][1:]
    assert steps == list(range(1000))


def test_importing_events_and_summary_pulls_in_neither_torch_nor_fastapi():
    code = ("import sys, board.events, board.summary, board.records\n"
            "bad = [m for m in ('torch', 'fastapi') if m in sys.modules]\n"
            "assert not bad, bad\n")
    subprocess.run([sys.executable, "-c", code], check=True, timeout=60)


# -- reader ----------------------------------------------------------------------------------

def test_reader_returns_only_new_events(tmp_path):
    path = tmp_path / "events.out.tfevents.1.host"
    path.write_bytes(encode_record(scalar_event(1, 1.0).SerializeToString()))
    reader = EventFileReader(str(path))
    assert [e.step for e in reader.read_new()] == [1]
    assert reader.read_new() == []
    with open(path, "ab") as f:
        f.write(encode_record(scalar_event(2, 2.0).SerializeToString()))
    assert [e.step for e in reader.read_new()] == [2]
    assert reader.offset == path.stat().st_size


def test_reader_waits_on_a_partial_last_record(tmp_path):
    path = tmp_path / "events.out.tfevents.1.host"
    second = encode_record(scalar_event(2, 2.0).SerializeToString())
    path.write_bytes(encode_record(scalar_event(1, 1.0).SerializeToString()) + second[:20])
    reader = EventFileReader(str(path))
    assert [e.step for e in reader.read_new()] == [1]
    before = reader.offset
    assert reader.read_new() == []
    assert reader.offset == before
    with open(path, "ab") as f:
        f.write(second[20:])
    assert [e.step for e in reader.read_new()] == [2]


def test_reader_resumes_from_a_given_offset(tmp_path):
    first = encode_record(scalar_event(1, 1.0).SerializeToString())
    path = tmp_path / "events.out.tfevents.1.host"
    path.write_bytes(first + encode_record(scalar_event(2, 2.0).SerializeToString()))
    assert [e.step for e in EventFileReader(str(path), offset=len(first)).read_new()] == [2]


def test_reader_skips_a_corrupt_record_with_a_warning(tmp_path, caplog):
    records = [encode_record(scalar_event(i, float(i)).SerializeToString()) for i in range(3)]
    bad = bytearray(records[1])
    bad[14] ^= 0xFF
    path = tmp_path / "events.out.tfevents.1.host"
    path.write_bytes(records[0] + bytes(bad) + records[2])
    with caplog.at_level(logging.WARNING):
        assert [e.step for e in EventFileReader(str(path)).read_new()] == [0, 2]
    assert any(str(path) in r.getMessage() and f"offset {len(records[0])}" in r.getMessage()
               for r in caplog.records)


def test_reader_skips_an_undecodable_event_with_a_warning(tmp_path, caplog):
    good = encode_record(scalar_event(1, 1.0).SerializeToString())
    garbage = encode_record(b"\xff\xff\xff\xff")  # valid framing, not an Event
    path = tmp_path / "events.out.tfevents.1.host"
    path.write_bytes(good + garbage + good)
    with caplog.at_level(logging.WARNING, logger="board.events"):
        assert [e.step for e in EventFileReader(str(path)).read_new()] == [1, 1]
    assert any(f"offset {len(good)}" in r.getMessage() and "undecodable" in r.getMessage()
               for r in caplog.records)


def test_reader_on_random_bytes_returns_nothing(tmp_path):
    path = tmp_path / "events.out.tfevents.1.host"
    path.write_bytes(os.urandom(10_000))
    reader = EventFileReader(str(path))
    assert reader.read_new() == []


def test_reader_on_fsspec_filesystem():
    fs = fsspec.filesystem("memory")
    with fs.open("/events/events.out.tfevents.1.host", "wb") as f:
        f.write(encode_record(scalar_event(3, 3.0).SerializeToString()))
    reader = EventFileReader("/events/events.out.tfevents.1.host", fs=fs)
    assert [e.step for e in reader.read_new()] == [3]
    fs.rm("/events/events.out.tfevents.1.host")


def test_reader_on_an_empty_file_returns_nothing(tmp_path):
    path = tmp_path / "events.out.tfevents.1.host"
    path.write_bytes(b"")
    reader = EventFileReader(str(path))
    assert reader.read_new() == []
    assert reader.offset == 0


def test_zero_flush_secs_flushes_promptly_and_closes(tmp_path):
    w = EventFileWriter(str(tmp_path), flush_secs=0)
    w.add_scalar("x", 1.0, step=4, wall_time=2.0)
    reader = EventFileReader(w.path)
    rows: list = []
    assert wait_until(lambda: rows.extend(reader.read_new_scalars()[0]) or rows)
    assert rows == [("x", 4, 2.0, 1.0)]
    w.close()
