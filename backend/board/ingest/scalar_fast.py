"""Decode plain scalar events straight from the record bytes, many at a time.

An event holding one ``simple_value`` and nothing else is serialized by every writer
(TensorFlow, TensorBoard, PyTorch, ours) as the same byte layout::

    09 <wall_time f64> 10 <step varint> 2a <len> 0a <len> 0a <len> <tag> 15 <value f32>

Records of one length that share this layout with a template record (parsed and
re-serialized to confirm it: same tag, same step width) differ only in wall time, step and
value, so those fields are read for all of them with numpy, compared and decoded in 64-bit
words. Their payload checksums are verified on the same gathered bytes. Anything else goes
to the full protobuf parse.
"""

from __future__ import annotations

import struct
from dataclasses import dataclass

import numpy as np
from google.protobuf.message import DecodeError

from board.ingest.framing import HEADER, crc32c, variable_checksums
from board.proto import event_pb2

_MAX_TEMPLATES = 64  # per record length and buffer; the rest take the full parse
_MAX_LENGTH = 512  # longer records are not plain scalars (tags are short)


@dataclass
class FastScalars:
    """Per record of a framed buffer: whether it was decoded here, and its fields if so."""

    fast: np.ndarray       # bool per record
    checked: np.ndarray    # int8 per record: -1 checksum not checked here, 0 good, 1 bad
    tag_index: np.ndarray  # int per record (valid where fast) into `tags`
    tags: list[str]
    step: np.ndarray
    wall_time: np.ndarray
    value: np.ndarray


@dataclass(frozen=True)
class _Layout:
    words: np.ndarray  # the template payload as little-endian uint64 words (zero padded)
    mask: np.ndarray   # per word: bits that must equal the template's
    step_at: int
    step_len: int
    tag: str
    variable: tuple[int, ...]  # byte positions that differ between records
    const_crc: int     # CRC32C of the template with the variable bytes zeroed


def decode_scalars(a: np.ndarray, starts: np.ndarray, lengths: np.ndarray) -> FastScalars:
    """Decode the plain scalar events among the framed records, verifying their payload
    checksums on the way (`checked`); other records are left with fast=False."""
    count = len(starts)
    out = FastScalars(np.zeros(count, bool), np.full(count, -1, np.int8),
                      np.zeros(count, np.int64), [], np.zeros(count, np.int64),
                      np.zeros(count, np.float64), np.zeros(count, np.float32))
    if count == 0:
        return out
    payload = starts + HEADER
    # Cheap screen: first byte is the wall_time key and the value key sits 5 bytes from the end.
    candidate = (lengths > 20) & (lengths <= _MAX_LENGTH) & (a[payload] == 0x09) & (
        a[payload + np.minimum(lengths, _MAX_LENGTH) - 5] == 0x15)
    tag_ids: dict[str, int] = {}
    picked = np.flatnonzero(candidate)
    # Group by length with one stable radix sort (lengths <= _MAX_LENGTH fit 16 bits).
    order = picked[np.argsort(lengths[picked].astype(np.uint16), kind="stable")]
    sorted_lengths = lengths[order]
    cuts = np.flatnonzero(np.diff(sorted_lengths)) + 1
    for group in np.split(order, cuts):
        if len(group):
            length = int(lengths[group[0]])
            _decode_group(a, payload[group], length, group, out, tag_ids)
    out.tags = list(tag_ids)
    return out


def _decode_group(a, payload, length, group, out: FastScalars, tag_ids) -> None:
    rows, words = _gather(a, payload, length)
    for _ in range(_MAX_TEMPLATES):
        if len(group) == 0:
            return
        layout = _layout(rows[0, :length].tobytes())
        if layout is None:
            rows, words, group = rows[1:], words[1:], group[1:]
            continue
        match = _matches(rows, words, layout)
        tag_id = tag_ids.setdefault(layout.tag, len(tag_ids))
        if match.all():
            _check_and_store(rows, length, layout, group, out, tag_id)
            return
        _check_and_store(rows[match], length, layout, group[match], out, tag_id)
        rows, words, group = rows[~match], words[~match], group[~match]


def _gather(a: np.ndarray, payload: np.ndarray, length: int) -> tuple[np.ndarray, np.ndarray]:
    """Each record's payload and checksum as a row of bytes, padded to whole 64-bit words,
    and the payload's words (bytes past the payload are masked out by the layouts)."""
    width = -(-(length + 4) // 8) * 8
    if int(payload[-1]) + width > len(a):  # the last rows' padding runs past the buffer
        a = np.concatenate([a[int(payload[0]):], np.zeros(width, np.uint8)])
        payload = payload - payload[0]
    # One memcpy per row: index a view whose elements are `width`-byte windows.
    windows = np.ndarray(buffer=a, dtype=f"V{width}", shape=(len(a) - width + 1,), strides=(1,))
    rows = windows[payload].view(np.uint8).reshape(len(payload), width)
    words = rows.view("<u8")[:, :-(-length // 8)]
    return rows, words


def _matches(rows: np.ndarray, words: np.ndarray, layout: _Layout) -> np.ndarray:
    match = np.ones(len(rows), bool)
    for i in range(words.shape[1]):
        match &= (words[:, i] ^ layout.words[i]) & layout.mask[i] == 0
    step = rows[:, layout.step_at:layout.step_at + layout.step_len]
    for i in range(layout.step_len - 1):
        match &= step[:, i] >= 0x80
    return match & (step[:, -1] < 0x80)


def _check_and_store(rows, length, layout: _Layout, idx, out: FastScalars, tag_id) -> None:
    """Verify the payload checksums of records matching `layout`, store the good ones."""
    stored = _field(rows, length, "<u4")
    good = variable_checksums(rows, length, layout.const_crc, layout.variable) == stored
    out.checked[idx] = ~good
    if not good.all():
        rows, idx = rows[good], idx[good]
    _store(rows, length, layout, idx, out, tag_id)


def _store(rows: np.ndarray, length: int, layout: _Layout, idx: np.ndarray, out: FastScalars,
           tag_id: int) -> None:
    out.fast[idx] = True
    out.tag_index[idx] = tag_id
    out.wall_time[idx] = _field(rows, 1, "<f8")
    out.value[idx] = _field(rows, length - 4, "<f4")
    step = rows[:, layout.step_at].astype(np.uint64) & np.uint64(0x7F)
    for i in range(1, layout.step_len):
        byte = rows[:, layout.step_at + i].astype(np.uint64) & np.uint64(0x7F)
        step |= byte << np.uint64(7 * i)
    out.step[idx] = step.view(np.int64)


def _field(rows: np.ndarray, offset: int, dtype: str) -> np.ndarray:
    """Column view of a fixed-position field in every row (unaligned reads, no copy)."""
    return np.ndarray(shape=(len(rows),), dtype=dtype, buffer=rows, offset=offset,
                      strides=(rows.strides[0],))


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
    words = -(-len(payload) // 8)
    constant = np.zeros(words * 8, np.uint8)
    constant[:len(payload)] = 0xFF
    for begin, size in ((1, 8), (10, len(step)), (len(payload) - 4, 4)):
        constant[begin:begin + size] = 0  # wall time, step, value vary; the tag does not
    template = np.zeros(words * 8, np.uint8)
    template[:len(payload)] = np.frombuffer(payload, np.uint8)
    variable = tuple(np.flatnonzero(constant[:len(payload)] == 0).tolist())
    zeroed = template[:len(payload)] & constant[:len(payload)]
    return _Layout(template.view("<u8"), constant.view("<u8"), 10, len(step), value.tag,
                   variable, crc32c(zeroed.tobytes()))


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
