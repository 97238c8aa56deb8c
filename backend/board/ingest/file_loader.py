"""Incremental loading of one event file into a run's data.

The loader remembers the offset after the last complete record and reads only what was
appended since; a partial record at the end waits for the next call. Buffers are framed
and checksummed with numpy (board.ingest.framing) and plain scalar events are decoded in
bulk (board.ingest.scalar_fast); every other record is parsed with protobuf. Once a file
shows a corrupt record, the rest of that file is read by board.records' skipping reader,
which logs each bad record with file and offset and resynchronises on the next good one.
"""

from __future__ import annotations

import logging
import os

import numpy as np
from google.protobuf.message import DecodeError

from board.ingest.apply import apply_event
from board.ingest.framing import HEADER, Framing, first_bad_payload, frame_records
from board.ingest.scalar_fast import FastScalars, decode_scalars
from board.proto import event_pb2
from board.records import RecordReader, open_source
from board.store.run_data import RunData
from board.store.store import Store

logger = logging.getLogger(__name__)

CHUNK_SIZE = 4 << 20


class EventFileLoader:
    def __init__(self, path: str, fs=None, chunk_size: int = CHUNK_SIZE):
        self.path = path
        self.fs = fs
        self.offset = 0
        self.chunk_size = chunk_size
        self._fallback: RecordReader | None = None
        self._seen_size = -1

    @property
    def source(self):
        return self.path if self.fs is None else (self.fs, self.path)

    def size(self) -> int:
        return os.path.getsize(self.path) if self.fs is None else int(self.fs.size(self.path))

    def load(self, store: Store, run: str, size: int | None = None) -> None:
        """Read what was appended since the last call into `run` of `store`."""
        size = self.size() if size is None else size
        if size == self._seen_size:
            return
        if self._fallback is None:
            self._load_fast(store, run)
        if self._fallback is not None:
            self._load_fallback(store, run)
        self._seen_size = size

    def _load_fast(self, store: Store, run: str) -> None:
        with open_source(self.source, "rb") as f:
            f.seek(self.offset)
            pending = b""
            want = self.chunk_size
            while True:
                chunk = f.read(want)
                if not chunk:
                    return
                buf = pending + chunk if pending else chunk
                framing = frame_records(buf, verify_payloads=False)
                self._apply(store, run, buf, framing)
                self.offset += framing.end
                if framing.corrupt:
                    self._fallback = RecordReader(self.source, self.offset, skip_corrupt=True)
                    return
                pending = buf[framing.end:]
                # A record longer than a chunk: read exactly what it still needs.
                want = max(self.chunk_size, framing.needed - len(pending))

    def _apply(self, store: Store, run: str, buf: bytes, framing: Framing) -> None:
        """Decode and store the framed records of `buf`, up to the first corrupt one."""
        a = np.frombuffer(buf, np.uint8)
        fast = decode_scalars(a, framing.starts, framing.lengths)
        bad = first_bad_payload(a, framing.starts, framing.lengths, fast.checked)
        if bad is not None:
            framing.truncate_at(bad)
            fast.fast[bad:] = False
        slow = np.flatnonzero(~fast.fast[:len(framing.starts)])
        events = []
        for i in slow.tolist():
            start = int(framing.starts[i]) + HEADER
            events.append(self._parse(buf[start:start + int(framing.lengths[i])],
                                      self.offset + int(framing.starts[i])))
        with store.lock():
            data = store.ensure_run(run)
            prev = 0
            for i, event in zip(slow.tolist(), events, strict=True):
                _append_fast(data, fast, prev, i)
                if event is not None:
                    apply_event(data, event)
                prev = i + 1
            _append_fast(data, fast, prev, len(framing.starts))

    def _load_fallback(self, store: Store, run: str) -> None:
        offsets: list[int] = []
        payloads = self._fallback.read_new(offsets)
        events = [self._parse(p, o) for p, o in zip(payloads, offsets, strict=True)]
        with store.lock():
            data = store.ensure_run(run)
            for event in events:
                if event is not None:
                    apply_event(data, event)
        self.offset = self._fallback.offset

    def _parse(self, payload: bytes, offset: int) -> event_pb2.Event | None:
        try:
            return event_pb2.Event.FromString(payload)
        except DecodeError as err:
            logger.warning("skipping undecodable event in %s at byte offset %d: %s",
                           self.path, offset, err)
            return None


def _append_fast(data: RunData, fast: FastScalars, lo: int, hi: int) -> None:
    """Append the bulk-decoded scalar records lo..hi (all fast) to their series."""
    if hi <= lo:
        return
    data.note_wall_time(float(fast.wall_time[lo]))
    # Group by tag with one stable sort; each tag's points stay in file order.
    tag_index = fast.tag_index[lo:hi]
    if len(fast.tags) < 1 << 16:  # a 16-bit key makes numpy's stable sort a radix sort
        tag_index = tag_index.astype(np.uint16)
    order = np.argsort(tag_index, kind="stable") + lo
    tags = fast.tag_index[order]
    step, wall, value = fast.step[order], fast.wall_time[order], fast.value[order]
    bounds = np.flatnonzero(np.diff(tags)) + 1
    for begin, end in zip(np.r_[0, bounds].tolist(), np.r_[bounds, len(tags)].tolist(),
                          strict=True):
        data.series(fast.tags[int(tags[begin])]).append(step[begin:end], wall[begin:end],
                                                        value[begin:end])
