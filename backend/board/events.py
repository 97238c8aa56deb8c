"""Event files: TensorFlow's `events.out.tfevents.*` files of framed `Event` protos.

`EventFileWriter` serialises events in the caller's thread (so later changes to a message do
not leak into the file) and hands them, in batches, to a background thread that frames and
writes them and flushes every `flush_secs`, on `flush()`, on `close()` and at interpreter exit
(or when an abandoned writer is collected). `add_scalar` builds a scalar event's bytes
directly, the hot path of training loops.

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
from board.records import RecordReader, Source, TFRecordWriter, encode_records, source_name

__all__ = [
    "EventFileReader",
    "EventFileWriter",
    "decode_scalar_event",
    "encode_scalar_event",
    "read_events",
]

logger = logging.getLogger(__name__)

FILE_VERSION = "brain.Event:2"
_BATCH_RECORDS = 4096  # records gathered before the writer thread is woken


def _create_exclusive(logdir: str, filename_suffix: str):
    """Open a new event file with TensorFlow's name,
    ``events.out.tfevents.<10-digit secs>.<hostname><suffix>``; a second writer in the same
    second gets ``<hostname>.1<suffix>`` and so on."""
    base = f"events.out.tfevents.{int(time.time()):010d}.{socket.gethostname()}"
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
    so an abandoned writer can be collected and closed).

    Callers append payloads to `pending` without a lock (a list append is atomic); every
    `_BATCH_RECORDS` of them move, under `cond`, to `batches`, which the thread frames and
    writes. At most `max_batches` batches wait; beyond that callers block.
    """

    def __init__(self, records: TFRecordWriter, max_batches: int, flush_secs: float):
        self.records = records
        self.max_batches = max_batches
        self.flush_secs = flush_secs
        self.pending: list[bytes] = []
        self.batches: list[list[bytes]] = []
        self.cond = threading.Condition(threading.Lock())
        self.write_lock = threading.Lock()  # keeps batches in order on the file
        self.closed = False  # no new events
        self.sealed = False  # the last batch is taken: anything still pending came too late
        self.error: BaseException | None = None
        self.thread = threading.Thread(target=self._run, name="EventFileWriter", daemon=True)
        self.thread.start()

    def put(self, payload: bytes) -> None:
        if self.closed:
            raise ValueError(f"event file writer for {self.records.name} is closed")
        pending = self.pending
        pending.append(payload)
        if len(pending) >= _BATCH_RECORDS or self.closed:
            self._hand_off(payload)

    def put_many(self, payloads: list[bytes]) -> None:
        for start in range(0, len(payloads), _BATCH_RECORDS):
            with self.cond:  # one lock per batch; `closed` cannot change in between
                if self.closed:
                    raise ValueError(f"event file writer for {self.records.name} is closed")
                self.pending.extend(payloads[start:start + _BATCH_RECORDS])
                self._take_pending()
                self._wait_for_room()

    def _hand_off(self, payload: bytes | None) -> None:
        """Move pending payloads to a batch for the thread; block while too many wait."""
        with self.cond:
            if self.sealed:
                # Raced with close(): refuse the event unless the last batch took it.
                if any(p is payload for p in self.pending):
                    self.pending.remove(payload)
                    raise ValueError(f"event file writer for {self.records.name} is closed")
                return
            self._take_pending()
            self._wait_for_room()

    def _wait_for_room(self) -> None:
        """Wake the thread; block (holding `cond`) while more than `max_batches` wait."""
        self.cond.notify_all()
        while len(self.batches) > self.max_batches and not self.closed:
            if not self.thread.is_alive():
                raise OSError(f"event file writer for {self.records.name} stopped: "
                              f"{self.error}")
            self.cond.wait(1.0)

    def _take_pending(self) -> None:
        """Move `pending` to `batches` (holding `cond`); appends racing with this stay."""
        n = len(self.pending)
        if n:
            self.batches.append(self.pending[:n])
            del self.pending[:n]

    def drain(self, flush: bool, take_pending: bool = True, seal: bool = False) -> None:
        """Write the waiting batches (and pending payloads), in order; flush if asked."""
        with self.write_lock:
            with self.cond:
                if take_pending:
                    self._take_pending()
                batches, self.batches = self.batches, []
                self.sealed = self.sealed or seal
                self.cond.notify_all()  # wake callers blocked on a full queue
            if self.records.closed:
                return
            for batch in batches:
                self.records.write_framed(encode_records(batch))
            if flush:
                self.records.flush()

    def _run(self) -> None:
        next_flush = time.monotonic() + self.flush_secs
        try:
            while True:
                with self.cond:
                    while (not self.batches and not self.closed
                           and time.monotonic() < next_flush):
                        self.cond.wait(max(0.0, next_flush - time.monotonic()))
                    if self.closed:
                        return
                flush = time.monotonic() >= next_flush
                self.drain(flush, take_pending=flush)
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
        try:
            self.drain(flush=True, seal=True)
        finally:
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
        # A zero or negative period would spin the thread; 10 ms is as eager as is useful.
        self._sink = _Sink(records, max(1, max_queue), max(0.01, float(flush_secs)))
        self._finalizer = weakref.finalize(self, self._sink.close)  # also runs at exit
        self._scalar_tails: dict[str, bytes] = {}
        header = event_pb2.Event(wall_time=time.time(), file_version=FILE_VERSION)
        self._sink.put(header.SerializeToString())
        self.flush()

    def get_logdir(self) -> str:
        return self.logdir

    def add_event(self, event: event_pb2.Event) -> None:
        """Queue one event (serialised now, written by the background thread)."""
        self._sink.put(event.SerializeToString())

    def add_scalar(self, tag: str, value: float, step: int = 0,
                   wall_time: float | None = None) -> None:
        """Queue ``Event(wall_time, step, summary=Summary(value=[Value(tag, simple_value)]))``
        without building a message (the hot path of training loops)."""
        if wall_time is None:
            wall_time = time.time()
        tail = self._scalar_tails.get(tag)
        if tail is None:
            tail = self._scalar_tails[tag] = _scalar_event_tail(tag)
        self._sink.put(_scalar_event(tail, value, step, wall_time))

    def add_scalars(self, tag: str, values, steps, wall_times) -> None:
        """Queue one scalar event per (value, step, wall_time), for bulk logging."""
        tail = _scalar_event_tail(tag)
        self._sink.put_many([_scalar_event(tail, v, s, w)
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
_ONE_BYTE = tuple(bytes((i,)) for i in range(0x80))
_ZERO_DOUBLE = bytes(8)


def _varint(n: int) -> bytes:
    if n < 0:
        n += 1 << 64  # int64 on the wire: two's complement in ten bytes
    if n < 0x80:
        return _ONE_BYTE[n]
    if n < 0x4000:
        return bytes(((n & 0x7F) | 0x80, n >> 7))
    if n < 0x200000:
        return bytes(((n & 0x7F) | 0x80, ((n >> 7) & 0x7F) | 0x80, n >> 14))
    out = bytearray()
    while n >= 0x80:
        out.append((n & 0x7F) | 0x80)
        n >>= 7
    out.append(n)
    return bytes(out)


_PACK_KEYED_TIME_AND_STEP_KEY = struct.Struct("<BdB").pack  # 09 <wall_time> 10


def _scalar_event(tail: bytes, value, step: int, wall_time: float) -> bytes:
    """A scalar event's bytes, given the tag's `_scalar_event_tail`."""
    try:
        value_bytes = _FLOAT.pack(value)
    except OverflowError:  # beyond float32: protobuf stores an infinity
        value_bytes = _FLOAT.pack(value * float("inf"))
    except struct.error as exc:
        raise TypeError(f"scalar value must be a real number, got {value!r}") from exc
    if step > 0 and wall_time:  # the common case, in one pack
        return (_PACK_KEYED_TIME_AND_STEP_KEY(0x09, wall_time, 0x10) + _varint(step) + tail
                + value_bytes)
    # Event fields: wall_time (1, double), step (2, varint); proto3 leaves out zeros.
    time_bits = _DOUBLE.pack(wall_time)
    time_part = b"\x09" + time_bits if time_bits != _ZERO_DOUBLE else b""
    step_part = b"\x10" + _varint(step) if step else b""
    return time_part + step_part + tail + value_bytes


def _scalar_event_tail(tag: str) -> bytes:
    """Event bytes after the step for a scalar of `tag`: summary (field 5) holding one value
    (field 1) with the tag (field 1), up to the simple_value's key (field 2, 32-bit)."""
    raw = tag.encode()
    value_prefix = b"\x0a" + _varint(len(raw)) + raw + b"\x15" if raw else b"\x15"
    value_len = len(value_prefix) + 4
    summary_len = 1 + len(_varint(value_len)) + value_len
    return b"\x2a" + _varint(summary_len) + b"\x0a" + _varint(value_len) + value_prefix


def encode_scalar_event(tag: str, value: float, step: int, wall_time: float) -> bytes:
    """Serialized ``Event(wall_time, step, summary=Summary(value=[Value(tag,
    simple_value)]))``, byte-identical to what protobuf writes."""
    return _scalar_event(_scalar_event_tail(tag), value, step, wall_time)


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
        """Events appended since the last call."""
        offsets: list[int] = []
        payloads = self._records.read_new(offsets)
        try:
            return list(map(event_pb2.Event.FromString, payloads))
        except Exception:  # noqa: BLE001 - find and skip the bad ones one by one
            return self._parse_skipping(payloads, offsets)

    def read_new_scalars(self) -> tuple[list[ScalarRow], list[event_pb2.Event]]:
        """Like `read_new`, with plain scalar events decoded straight from their bytes.

        Returns ``(rows, events)``: a ``(tag, step, wall_time, value)`` row for every event
        that holds exactly one ``simple_value`` (the bulk of most files, decoded several
        times faster than through protobuf), and every other event parsed, both in file order.
        """
        offsets: list[int] = []
        payloads = self._records.read_new(offsets)
        rows = list(map(decode_scalar_event, payloads))
        rest = [i for i, row in enumerate(rows) if row is None]
        if not rest:
            return rows, []
        events = self._parse_skipping([payloads[i] for i in rest], [offsets[i] for i in rest])
        return [row for row in rows if row is not None], events

    def _parse_skipping(self, payloads, offsets) -> list[event_pb2.Event]:
        events = []
        for payload, offset in zip(payloads, offsets, strict=True):
            try:
                events.append(event_pb2.Event.FromString(payload))
            except Exception as exc:  # noqa: BLE001 - a bad record must not stop the file
                logger.warning("skipping undecodable event in %s at byte offset %d: %s",
                               self.name, offset, exc)
        return events


ScalarRow = tuple[str, int, float, float]
_UNPACK_DOUBLE = struct.Struct("<d").unpack_from
_UNPACK_FLOAT = struct.Struct("<f").unpack_from


def decode_scalar_event(payload: bytes) -> ScalarRow | None:
    """``(tag, step, wall_time, value)`` of a serialized plain scalar event, else None.

    Matches exactly the layout every writer produces for ``Event(wall_time, step,
    summary=Summary(value=[Value(tag, simple_value)]))`` (see `encode_scalar_event`); any
    other byte sequence returns None and is left to protobuf.
    """
    n = len(payload)
    if n < 20 or payload[0] != 0x09:
        return None
    if payload[9] != 0x10:
        pos, step = 9, 0
    elif payload[10] < 0x80:
        pos, step = 11, payload[10]
    else:
        pos, step = _read_varint(payload, 10)
        if pos < 0:
            return None
    # The bytes between the step and the float name the tag; a file repeats a few of them.
    tag = _SCALAR_TAILS.get(payload[pos:n - 4])
    if tag is None:
        tag = _learn_scalar_tail(payload[pos:n - 4])
        if tag is None:
            return None
    return tag, step, _UNPACK_DOUBLE(payload, 1)[0], _UNPACK_FLOAT(payload, n - 4)[0]


_SCALAR_TAILS: dict[bytes, str] = {}


def _learn_scalar_tail(tail: bytes) -> str | None:
    """The tag in ``2a L 0a L 0a L <tag> 15`` (Event.summary, Summary.value, Value.tag and
    the simple_value key), remembered for next time; None for any other bytes."""
    tag_len = len(tail) - 7
    if (tag_len < 0 or tag_len > 118 or tail[0] != 0x2A or tail[1] != tag_len + 9
            or tail[2] != 0x0A or tail[3] != tag_len + 7 or tail[4] != 0x0A
            or tail[5] != tag_len or tail[-1] != 0x15):
        return None
    try:
        tag = tail[6:-1].decode()
    except UnicodeDecodeError:
        return None
    if len(_SCALAR_TAILS) < 4096:
        _SCALAR_TAILS[tail] = tag
    return tag


def _read_varint(data: bytes, pos: int) -> tuple[int, int]:
    """(position after, value as int64) of the varint at `pos`; position -1 if malformed."""
    value = shift = 0
    end = min(len(data), pos + 10)
    while pos < end:
        byte = data[pos]
        pos += 1
        value |= (byte & 0x7F) << shift
        if byte < 0x80:
            value &= (1 << 64) - 1
            return pos, value - (1 << 64) if value >= 1 << 63 else value
        shift += 7
    return -1, 0


def read_events(path: str, fs=None) -> Iterator[event_pb2.Event]:
    """Every event in a whole file; corrupt records are skipped with a warning."""
    reader = EventFileReader(path, fs)
    while events := reader.read_new():
        yield from events
