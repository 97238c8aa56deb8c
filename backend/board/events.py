"""Event files: TensorFlow's `events.out.tfevents.*` files of framed `Event` protos.

`EventFileWriter` serialises events in the caller's thread (so later changes to a message do
not leak into the file) and hands framed records to a background thread that writes them in
batches and flushes every `flush_secs`, on `flush()`, on `close()` and at interpreter exit.

`EventFileReader` reads a file incrementally: each `read_new()` returns the events appended
since the last call, waits on a partial last record and skips corrupt ones with a warning.
"""

from __future__ import annotations

import logging
import os
import socket
import struct
import threading
import time
import weakref
from collections.abc import Iterator
from typing import Self

from board.proto import event_pb2
from board.records import (
    RecordReader,
    Source,
    TFRecordWriter,
    encode_record,
    source_name,
)

__all__ = ["EventFileReader", "EventFileWriter", "encode_scalar_event", "read_events"]

logger = logging.getLogger(__name__)

FILE_VERSION = "brain.Event:2"
_BATCH_RECORDS = 4096  # records gathered before the writer thread is woken


def event_file_name(filename_suffix: str = "", when: float | None = None) -> str:
    """TensorFlow's name: ``events.out.tfevents.<10-digit secs>.<hostname><suffix>``."""
    secs = int(time.time() if when is None else when)
    return f"events.out.tfevents.{secs:010d}.{socket.gethostname()}{filename_suffix}"


def _create_exclusive(logdir: str, filename_suffix: str):
    """Open a new event file; a second writer in the same second gets a numbered name."""
    base = event_file_name()
    for n in range(1000):
        name = base + (f".{n}" if n else "") + filename_suffix
        path = os.path.join(logdir, name)
        try:
            return path, TFRecordWriter(path, mode="xb")
        except FileExistsError:
            continue
    raise FileExistsError(f"no free event file name for {base}* in {logdir}")


class _Sink:
    """The part of a writer the background thread uses (it holds no reference to the writer,
    so an abandoned writer can be collected and closed)."""

    def __init__(self, records: TFRecordWriter, max_pending: int, flush_secs: float):
        self.records = records
        self.max_pending = max_pending
        self.flush_secs = flush_secs
        self.pending: list[bytes] = []
        self.cond = threading.Condition(threading.Lock())
        self.write_lock = threading.Lock()  # keeps batches in order on the file
        self.closed = False
        self.error: BaseException | None = None
        self.thread = threading.Thread(target=self._run, name="EventFileWriter", daemon=True)
        self.thread.start()

    def put(self, record: bytes) -> None:
        with self.cond:
            if self.closed:
                raise ValueError(f"event file writer for {self.records.name} is closed")
            while len(self.pending) >= self.max_pending and not self.closed:
                self._wait_for_room()
            self.pending.append(record)
            if len(self.pending) >= _BATCH_RECORDS:
                self.cond.notify_all()

    def put_many(self, records: list[bytes]) -> None:
        for start in range(0, len(records), _BATCH_RECORDS):
            batch = records[start:start + _BATCH_RECORDS]
            with self.cond:
                if self.closed:
                    raise ValueError(f"event file writer for {self.records.name} is closed")
                while self.pending and len(self.pending) + len(batch) > self.max_pending:
                    self._wait_for_room()
                self.pending.extend(batch)
                if len(self.pending) >= _BATCH_RECORDS:
                    self.cond.notify_all()

    def _wait_for_room(self) -> None:
        """Block (holding `cond`) until the writer thread takes a batch."""
        if not self.thread.is_alive():
            raise OSError(f"event file writer for {self.records.name} stopped: {self.error}")
        self.cond.notify_all()
        self.cond.wait(1.0)

    def drain(self, flush: bool) -> None:
        """Write everything accepted so far, in order; flush the file if asked."""
        with self.write_lock:
            with self.cond:
                batch, self.pending = self.pending, []
                self.cond.notify_all()  # wake callers blocked on a full queue
            if batch and not self.records.closed:
                self.records.write_framed(b"".join(batch))
            if flush and not self.records.closed:
                self.records.flush()

    def _run(self) -> None:
        next_flush = time.monotonic() + self.flush_secs
        try:
            while True:
                with self.cond:
                    while (len(self.pending) < _BATCH_RECORDS and not self.closed
                           and time.monotonic() < next_flush):
                        self.cond.wait(max(0.0, next_flush - time.monotonic()))
                    if self.closed:
                        return
                flush = time.monotonic() >= next_flush
                self.drain(flush)
                if flush:
                    next_flush = time.monotonic() + self.flush_secs
        except BaseException as exc:
            self.error = exc
            logger.exception("event file writer for %s failed", self.records.name)

    def close(self) -> None:
        with self.cond:
            if self.closed:
                return
            self.closed = True
            self.cond.notify_all()
        if self.thread is not threading.current_thread():
            self.thread.join()
        self.drain(flush=True)
        with self.write_lock:
            self.records.close()


class EventFileWriter:
    """Writes `Event` protos to a new event file in `logdir`.

    Accepted events are never lost on `close()`. At most `max_queue` batches of records wait
    for the background thread; when it falls behind, `add_event` blocks.
    """

    def __init__(self, logdir: str, filename_suffix: str = "", max_queue: int = 10,
                 flush_secs: float = 120):
        logdir = os.fspath(logdir)
        os.makedirs(logdir, exist_ok=True)
        self.logdir = logdir
        self.path, records = _create_exclusive(logdir, filename_suffix)
        self._sink = _Sink(records, max(1, max_queue) * _BATCH_RECORDS, flush_secs)
        self._finalizer = weakref.finalize(self, self._sink.close)  # also runs at exit
        header = event_pb2.Event(wall_time=time.time(), file_version=FILE_VERSION)
        self._sink.put(encode_record(header.SerializeToString()))
        self.flush()

    def get_logdir(self) -> str:
        return self.logdir

    def add_event(self, event: event_pb2.Event) -> None:
        """Queue one event (serialised now, written by the background thread)."""
        self._sink.put(encode_record(event.SerializeToString()))

    def add_serialized_event(self, data: bytes) -> None:
        """Queue an already serialised `Event`."""
        self._sink.put(encode_record(data))

    def add_scalar(self, tag: str, value: float, step: int = 0,
                   wall_time: float | None = None) -> None:
        """Queue a scalar summary event without building a message."""
        wall_time = time.time() if wall_time is None else wall_time
        self._sink.put(encode_record(encode_scalar_event(tag, value, step, wall_time)))

    def add_scalars(self, tag: str, values, steps, wall_times) -> None:
        """Queue one scalar event per (value, step, wall_time), for bulk logging."""
        prefix = _scalar_value_prefix(tag)
        encode = _encode_scalar_with_prefix
        self._sink.put_many([encode_record(encode(prefix, v, s, w))
                             for v, s, w in zip(values, steps, wall_times, strict=True)])

    def flush(self) -> None:
        """Write every accepted event to the file and flush it."""
        self._raise_if_failed()
        self._sink.drain(flush=True)

    def close(self) -> None:
        """Flush and close; later `add_event` calls raise ValueError."""
        self._finalizer()
        self._raise_if_failed()

    def _raise_if_failed(self) -> None:
        if self._sink.error is not None:
            raise OSError(f"writing {self.path} failed: {self._sink.error}") from self._sink.error

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc) -> None:
        self.close()


# -- scalar events built byte by byte (the hot path of training loops) -----------------------
_DOUBLE = struct.Struct("<d")
_FLOAT = struct.Struct("<f")
_ZERO_DOUBLE = bytes(8)


def _varint(n: int) -> bytes:
    if n < 0:
        n += 1 << 64  # int64 on the wire: two's complement in ten bytes
    if n < 0x80:
        return bytes((n,))
    out = bytearray()
    while n >= 0x80:
        out.append((n & 0x7F) | 0x80)
        n >>= 7
    out.append(n)
    return bytes(out)


def _scalar_value_prefix(tag: str) -> bytes:
    """Summary.Value bytes up to the simple_value: tag (field 1) and the float's key."""
    raw = tag.encode()
    if not raw:  # proto3 leaves an empty string out
        return b"\x15"
    return b"\x0a" + _varint(len(raw)) + raw + b"\x15"


def _encode_scalar_with_prefix(prefix: bytes, value: float, step: int, wall_time: float
                               ) -> bytes:
    try:
        value_msg = prefix + _FLOAT.pack(value)
    except OverflowError:  # beyond float32: protobuf stores an infinity
        value_msg = prefix + _FLOAT.pack(value * float("inf"))
    summary = b"\x0a" + _varint(len(value_msg)) + value_msg  # Summary.value (field 1)
    # Event: wall_time (1, double), step (2, varint), summary (5); proto3 leaves out zeros.
    time_bits = _DOUBLE.pack(wall_time)
    time_part = b"\x09" + time_bits if time_bits != _ZERO_DOUBLE else b""
    step_part = b"\x10" + _varint(step) if step else b""
    return time_part + step_part + b"\x2a" + _varint(len(summary)) + summary


def encode_scalar_event(tag: str, value: float, step: int, wall_time: float) -> bytes:
    """Serialized ``Event(wall_time, step, summary=Summary(value=[Value(tag,
    simple_value)]))``, byte-identical to what protobuf writes."""
    return _encode_scalar_with_prefix(_scalar_value_prefix(tag), value, step, wall_time)


class EventFileReader:
    """Reads the events appended to one event file since the last call.

    `read_new()` returns new events; a partial last record waits for the next call; a
    corrupt record or an undecodable event is skipped with a warning naming file and offset.
    """

    def __init__(self, path: str, fs=None, offset: int = 0):
        source: Source = (fs, path) if fs is not None else path
        self.path = path
        self.name = source_name(source)
        self._records = RecordReader(source, offset, skip_corrupt=True)

    @property
    def offset(self) -> int:
        """Byte offset just after the last complete record read."""
        return self._records.offset

    def read_new_serialized(self) -> list[bytes]:
        """Serialized events appended since the last call (checksums verified)."""
        return self._records.read_new()

    def read_new(self) -> list[event_pb2.Event]:
        offsets: list[int] = []
        payloads = self._records.read_new(offsets)
        parse = event_pb2.Event.FromString
        try:
            return [parse(p) for p in payloads]
        except Exception:  # noqa: BLE001 - find and skip the bad ones one by one
            return self._parse_skipping(payloads, offsets)

    def _parse_skipping(self, payloads, offsets) -> list[event_pb2.Event]:
        events = []
        for payload, offset in zip(payloads, offsets, strict=True):
            try:
                events.append(event_pb2.Event.FromString(payload))
            except Exception as exc:  # noqa: BLE001 - a bad record must not stop the file
                logger.warning("skipping undecodable event in %s at byte offset %d: %s",
                               self.name, offset, exc)
        return events


def read_events(path: str, fs=None) -> Iterator[event_pb2.Event]:
    """Every event in a whole file; corrupt records are skipped with a warning."""
    reader = EventFileReader(path, fs)
    while events := reader.read_new():
        yield from events
