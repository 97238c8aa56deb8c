"""Decode plain scalar events straight from the record bytes, many at a time.

An event holding one ``simple_value`` and nothing else is serialized by every writer
(TensorFlow, TensorBoard, PyTorch, ours) as the same byte layout::

    09 <wall_time f64> 10 <step varint> 2a <len> 0a <len> 0a <len> <tag> 15 <value f32>

Records of one length that share this layout with a template record (parsed and
re-serialized to confirm it) differ only in wall time, step, tag bytes and value, so those
fields are read for all of them with numpy. Anything else goes to the full protobuf parse.
"""

from __future__ import annotations

import struct
from dataclasses import dataclass

import numpy as np
from google.protobuf.message import DecodeError

from board.ingest.framing import HEADER
from board.proto import event_pb2

_MAX_TEMPLATES = 8  # per record length and buffer; the rest take the full parse


@dataclass
class FastScalars:
    """Per record of a framed buffer: whether it was decoded here, and its fields if so."""

    fast: np.ndarray      # bool per record
    tag_index: np.ndarray  # int per record (valid where fast) into `tags`
    tags: list[str]
    step: np.ndarray
    wall_time: np.ndarray
    value: np.ndarray


@dataclass(frozen=True)
class _Layout:
    template: np.ndarray  # the template payload
    variable: np.ndarray  # bool per byte: differs between records of this layout
    step_at: int
    step_len: int
    tag_at: int
    tag_len: int


def decode_scalars(a: np.ndarray, starts: np.ndarray, lengths: np.ndarray) -> FastScalars:
    count = len(starts)
    out = FastScalars(np.zeros(count, bool), np.zeros(count, np.int64), [],
                      np.zeros(count, np.int64), np.zeros(count, np.float64),
                      np.zeros(count, np.float32))
    if count == 0:
        return out
    payload = starts + HEADER
    # Cheap screen: first byte is the wall_time key and the value key sits 5 bytes from the end.
    candidate = (lengths > 20) & (a[payload] == 0x09) & (a[payload + lengths - 5] == 0x15)
    tag_ids: dict[bytes, int] = {}
    for length in np.unique(lengths[candidate]):
        group = np.flatnonzero(candidate & (lengths == length))
        _decode_group(a, payload, int(length), group, out, tag_ids)
    out.tags = [t.decode("utf-8", "replace") for t in tag_ids]
    return out


def _decode_group(a, payload, length, group, out: FastScalars, tag_ids) -> None:
    offsets = np.arange(length)
    for _ in range(_MAX_TEMPLATES):
        if len(group) == 0:
            return
        first = int(payload[group[0]])
        layout = _layout(a[first:first + length].tobytes())
        if layout is None:
            group = group[1:]
            continue
        rows = a[payload[group][:, None] + offsets]
        match = np.all(rows[:, ~layout.variable] == layout.template[~layout.variable], axis=1)
        cont = rows[:, layout.step_at:layout.step_at + layout.step_len]
        match &= np.all(cont[:, :-1] >= 0x80, axis=1) & (cont[:, -1] < 0x80)
        _store(rows[match], layout, group[match], out, tag_ids)
        group = group[~match]


def _store(rows: np.ndarray, layout: _Layout, idx: np.ndarray, out: FastScalars,
           tag_ids) -> None:
    if len(idx) == 0:
        return
    out.fast[idx] = True
    out.wall_time[idx] = np.ascontiguousarray(rows[:, 1:9]).view("<f8").ravel()
    out.value[idx] = np.ascontiguousarray(rows[:, -4:]).view("<f4").ravel()
    step = np.zeros(len(idx), np.uint64)
    for i in range(layout.step_len):
        byte = rows[:, layout.step_at + i].astype(np.uint64) & np.uint64(0x7F)
        step |= byte << np.uint64(7 * i)
    out.step[idx] = step.view(np.int64)
    tag_bytes = np.ascontiguousarray(rows[:, layout.tag_at:layout.tag_at + layout.tag_len])
    unique, inverse = np.unique(tag_bytes.view(f"V{layout.tag_len}").ravel(),
                                return_inverse=True)
    ids = np.array([tag_ids.setdefault(u.tobytes(), len(tag_ids)) for u in unique], np.int64)
    out.tag_index[idx] = ids[inverse.ravel()]


def _layout(payload: bytes) -> _Layout | None:
    """The byte layout of `payload` if it is a plain scalar event, else None."""
    try:
        event = event_pb2.Event.FromString(payload)
    except DecodeError:
        return None
    if event.WhichOneof("what") != "summary" or event.HasField("source_metadata"):
        return None
    if not event.wall_time or not event.step or len(event.summary.value) != 1:
        return None
    value = event.summary.value[0]
    if value.WhichOneof("value") != "simple_value" or value.HasField("metadata") \
            or value.node_name:
        return None
    tag = value.tag.encode()
    inner = b"\x0a" + _varint(len(tag)) + tag + b"\x15" + struct.pack("<f", value.simple_value)
    summary = b"\x0a" + _varint(len(inner)) + inner
    step = _varint(event.step & 0xFFFFFFFFFFFFFFFF)
    expected = (b"\x09" + struct.pack("<d", event.wall_time) + b"\x10" + step + b"\x2a"
                + _varint(len(summary)) + summary)
    if expected != payload:
        return None
    variable = np.zeros(len(payload), bool)
    tag_at = len(payload) - 5 - len(tag)
    for start, size in ((1, 8), (10, len(step)), (tag_at, len(tag)), (len(payload) - 4, 4)):
        variable[start:start + size] = True
    return _Layout(np.frombuffer(payload, np.uint8), variable, 10, len(step), tag_at, len(tag))


def _varint(n: int) -> bytes:
    out = bytearray()
    while True:
        byte = n & 0x7F
        n >>= 7
        if n:
            out.append(byte | 0x80)
        else:
            out.append(byte)
            return bytes(out)
