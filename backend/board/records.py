"""TFRecord framing, as TensorFlow writes it: uint64 length (little endian), masked CRC32C
of the 8 length bytes, the payload, masked CRC32C of the payload.

Reading is incremental (`RecordReader.read_new`) from a byte offset. What each damage does:

- partial last record (a record still being written): nothing is returned for it and
  `offset` stays before it, so the next read resumes there; a whole-file `read_records`
  raises `RecordTruncatedError` instead (a warning in skip mode);
- empty file: no records;
- length or payload checksum mismatch, random bytes: `RecordCorruptError` naming the file
  and byte offset (records before it are returned first); in skip mode a warning naming
  file and offset, then reading resynchronises on the next record whose checksums hold.

A source is a local path or a ``(fsspec filesystem, path)`` pair."""

from __future__ import annotations

import logging
import os
import struct
from collections.abc import Iterator
from typing import Any, Self

import numpy as np

try:  # the C entry point: the package's wrapper adds a Python call per checksum
    from google_crc32c._crc32c import value as crc32c
except ImportError:  # pragma: no cover - only without the compiled extension
    from google_crc32c import value as crc32c

__all__ = [
    "RecordCorruptError",
    "RecordError",
    "RecordReader",
    "RecordTruncatedError",
    "TFRecordWriter",
    "encode_record",
    "encode_records",
    "length_checksum",
    "mask_crc",
    "masked_crc32c",
    "read_records",
]

logger = logging.getLogger(__name__)

HEADER_SIZE = 12  # length + its checksum
FOOTER_SIZE = 4
_MASK_DELTA = 0xA282EAD8
_HEADER = struct.Struct("<QI")
_LENGTH = struct.Struct("<Q")
_CRC = struct.Struct("<I")
_CHUNK_SIZE = 8 << 20

Source = str | os.PathLike | tuple[Any, str]


class RecordError(Exception):
    """Base class for errors reading a record file."""


class RecordCorruptError(RecordError):
    """A record's length or payload does not match its checksum."""

    def __init__(self, path: str, offset: int, reason: str):
        super().__init__(f"corrupt record in {path} at byte offset {offset}: {reason}")
        self.path = path
        self.offset = offset
        self.reason = reason


class RecordTruncatedError(RecordError):
    """A whole-file read ended inside a record."""

    def __init__(self, path: str, offset: int, available: int):
        super().__init__(
            f"truncated record in {path} at byte offset {offset}: "
            f"only {available} bytes follow"
        )
        self.path = path
        self.offset = offset


def mask_crc(crc):
    """TensorFlow's checksum masking (records, tables, bundles): rotate right by 15 bits and
    add a constant, so a CRC of data that itself holds CRCs stays well spread. Takes an int
    or a numpy array of CRCs (returned as uint32)."""
    if isinstance(crc, np.ndarray):
        crc = crc.astype(np.uint64)
        return ((((crc >> 15) | (crc << 17)) + _MASK_DELTA) & 0xFFFFFFFF).astype(np.uint32)
    return (((crc >> 15) | (crc << 17)) + _MASK_DELTA) & 0xFFFFFFFF


def unmask_crc(masked: int) -> int:
    """The CRC that `mask_crc` turned into `masked`."""
    rot = (masked - _MASK_DELTA) & 0xFFFFFFFF
    return ((rot >> 17) | (rot << 15)) & 0xFFFFFFFF


def masked_crc32c(data: bytes) -> int:
    """TFRecord's masked CRC32C of `data`."""
    return mask_crc(crc32c(data))


def length_checksum(length: int) -> int:
    """The masked checksum of a record's length field (cached: files repeat few lengths)."""
    return _LENGTH_CRCS[length]


class _LengthChecksums(dict):
    """Masked checksums of length fields, by length: most files repeat a few lengths."""

    def __missing__(self, length: int) -> int:
        crc = masked_crc32c(_LENGTH.pack(length))
        if len(self) < 65536:
            self[length] = crc
        return crc


_LENGTH_CRCS = _LengthChecksums()


def encode_record(payload: bytes) -> bytes:
    """Frame one payload as a TFRecord."""
    n = len(payload)
    return b"".join(
        (_HEADER.pack(n, _LENGTH_CRCS[n]), payload, _CRC.pack(masked_crc32c(payload)))
    )


_HEADER_FIELDS = np.dtype([("length", "<u8"), ("crc", "<u4")])  # packed: 12 bytes
_HEADER_BYTE = np.arange(HEADER_SIZE)
_FOOTER_BYTE = np.arange(FOOTER_SIZE)


def encode_records(payloads: list[bytes]) -> bytes:
    """Frame many payloads at once: the same bytes as joining `encode_record` of each.

    Checksums cost one C call per payload; headers, footers and payloads are laid out with
    numpy instead of a Python expression per record.
    """
    k = len(payloads)
    if k < 32:
        return b"".join(map(encode_record, payloads))
    lengths = np.fromiter(map(len, payloads), np.int64, k)
    crc = np.fromiter(map(crc32c, payloads), np.uint64, k)
    headers = np.empty(k, _HEADER_FIELDS)
    headers["length"] = lengths
    headers["crc"] = np.fromiter(map(_LENGTH_CRCS.__getitem__, lengths.tolist()), np.uint32, k)
    sizes = lengths + (HEADER_SIZE + FOOTER_SIZE)
    ends = np.cumsum(sizes)
    out = np.empty(int(ends[-1]), np.uint8)
    header_at = ((ends - sizes)[:, None] + _HEADER_BYTE).ravel()
    footer_at = ((ends - FOOTER_SIZE)[:, None] + _FOOTER_BYTE).ravel()
    is_payload = np.ones(len(out), bool)
    is_payload[header_at] = False
    is_payload[footer_at] = False
    out[is_payload] = np.frombuffer(b"".join(payloads), np.uint8)
    out[header_at] = headers.view(np.uint8)
    out[footer_at] = mask_crc(crc).astype("<u4").view(np.uint8)
    return out.tobytes()


def source_name(source: Source) -> str:
    """A printable name for a source, for error messages."""
    if isinstance(source, tuple):
        fs, path = source
        protocol = getattr(fs, "protocol", None)
        if isinstance(protocol, (tuple, list)):
            protocol = protocol[0]
        if protocol and protocol != "file" and "://" not in path:
            return f"{protocol}://{path}"
        return str(path)
    return os.fspath(source)


def open_source(source: Source, mode: str):
    """Open a local path or an fsspec (filesystem, path) pair."""
    if isinstance(source, tuple):
        fs, path = source
        return fs.open(path, mode)
    return open(source, mode)


class TFRecordWriter:
    """Writes framed records to a new file.

    `mode` is "wb" (replace any file already there) or "xb" (fail if one exists).
    """

    def __init__(self, source: Source, mode: str = "wb"):
        if mode not in ("wb", "xb"):
            raise ValueError(f"TFRecordWriter mode must be 'wb' or 'xb', not {mode!r}")
        self.name = source_name(source)
        self._file = open_source(source, mode)

    def write(self, payload: bytes) -> None:
        self._file.write(encode_record(payload))

    def write_many(self, payloads) -> None:
        self._file.write(encode_records(list(payloads)))

    def write_framed(self, data: bytes) -> None:
        """Append bytes that are already framed records (from `encode_record`)."""
        self._file.write(data)

    def flush(self) -> None:
        self._file.flush()

    def close(self) -> None:
        if not self._file.closed:
            self._file.flush()
            self._file.close()

    @property
    def closed(self) -> bool:
        return self._file.closed

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc) -> None:
        self.close()


def _find_next_record(buf: bytes, start: int) -> tuple[int, bool]:
    """Where reading can go on after corruption: ``(position, complete)``.

    The first position at or after `start` holding a complete record whose checksums both
    hold (complete=True); failing that, the first whose header holds but whose payload runs
    past the buffer (maybe a record still being written, or a payload that happens to look
    like a header), or the earliest position whose header cannot be checked yet.
    """
    n = len(buf)
    crcs = _LENGTH_CRCS
    unpack = _HEADER.unpack_from
    first_partial = None
    for pos in range(start, n - HEADER_SIZE + 1):
        length, lcrc = unpack(buf, pos)
        if lcrc != crcs[length]:
            continue
        end = pos + HEADER_SIZE + length
        if end + FOOTER_SIZE > n:
            if first_partial is None:
                first_partial = pos
        elif _CRC.unpack_from(buf, end)[0] == masked_crc32c(buf[pos + HEADER_SIZE:end]):
            return pos, True
    if first_partial is not None:
        return first_partial, False
    return max(start, n - HEADER_SIZE + 1), False


def _frame(buf, pos: int) -> tuple[list[bytes], int]:
    """Slice records from `pos` while their length checksums hold and they are complete.

    Returns the payloads and where framing stopped; payload checksums are not checked yet.
    """
    limit = len(buf) - HEADER_SIZE
    last = len(buf) - FOOTER_SIZE
    crcs = _LENGTH_CRCS
    unpack = _HEADER.unpack_from
    payloads: list[bytes] = []
    append = payloads.append
    while pos <= limit:
        length, lcrc = unpack(buf, pos)
        if lcrc != crcs[length]:
            break
        start = pos + HEADER_SIZE
        end = start + length
        if end > last:
            break
        append(buf[start:end])
        pos = end + FOOTER_SIZE
    return payloads, pos


def _bad_payloads(buf, first: int, payloads: list[bytes]) -> tuple[np.ndarray, np.ndarray]:
    """Record offsets (relative to `buf`) and indices of payloads failing their checksum.

    The checksums are computed by one C call per record and masked and compared with numpy,
    which costs a fraction of doing the arithmetic per record in Python.
    """
    k = len(payloads)
    lengths = np.fromiter(map(len, payloads), np.int64, k)
    ends = first + np.cumsum(lengths + (HEADER_SIZE + FOOTER_SIZE))
    starts = ends - (lengths + (HEADER_SIZE + FOOTER_SIZE))
    raw = np.frombuffer(buf, np.uint8)
    footer = ends - FOOTER_SIZE
    stored = (raw[footer].astype(np.uint64) | raw[footer + 1].astype(np.uint64) << 8
              | raw[footer + 2].astype(np.uint64) << 16 | raw[footer + 3].astype(np.uint64) << 24)
    crc = np.fromiter(map(crc32c, payloads), np.uint64, k)
    masked = (((crc >> 15) | (crc << 17)) + _MASK_DELTA) & 0xFFFFFFFF
    return starts, np.flatnonzero(masked != stored)


def _take_verified(buf, pos, base, name, skip, out, offsets) -> int:
    """Append the verified records from `pos` on to `out`; return where framing stopped."""
    payloads, stop = _frame(buf, pos)
    if not payloads:
        return stop
    starts, bad = _bad_payloads(buf, pos, payloads)
    if len(bad):
        keep = np.ones(len(payloads), bool)
        for i in bad.tolist():
            if not skip:
                out.extend(payloads[:i])
                if offsets is not None:
                    offsets.extend((starts[:i] + base).tolist())
            _corrupt(name, base + int(starts[i]), "payload checksum mismatch", skip)
            keep[i] = False
        payloads = [p for p, k in zip(payloads, keep.tolist(), strict=True) if k]
        starts = starts[keep]
    out.extend(payloads)
    if offsets is not None:
        offsets.extend((starts + base).tolist())
    return stop


def _parse(buf, base, name, skip, resyncing, out, offsets=None) -> tuple[int, bool]:
    """Append the complete, verified payloads of `buf` (at file offset `base`) to `out`.

    Returns where parsing stopped and whether it stopped while looking for a valid record.
    """
    n = len(buf)
    pos = 0
    if resyncing:
        pos, found = _find_next_record(buf, 0)
        if not found:
            return pos, True
    while pos + HEADER_SIZE <= n:
        pos = _take_verified(buf, pos, base, name, skip, out, offsets)
        if pos + HEADER_SIZE > n:
            break
        length, lcrc = _HEADER.unpack_from(buf, pos)
        if lcrc == _LENGTH_CRCS[length]:
            break  # a record still being written
        _corrupt(name, base + pos, "length checksum mismatch", skip)
        pos, found = _find_next_record(buf, pos + 1)
        if not found:
            return pos, True
    return pos, False


def _corrupt(name: str, offset: int, reason: str, skip: bool) -> None:
    if not skip:
        raise RecordCorruptError(name, offset, reason)
    logger.warning("skipping corrupt record in %s at byte offset %d: %s", name, offset, reason)


class RecordReader:
    """Reads the records appended to a file since the last call.

    `read_new()` returns every complete record from `offset` on and advances `offset` past
    the last one; a partial record at the end stays unread until it is complete. With
    ``skip_corrupt=True`` a bad record is logged (file and offset) and skipped; otherwise it
    raises `RecordCorruptError` and `offset` stays at the last good record.
    """

    def __init__(self, source: Source, offset: int = 0, *, skip_corrupt: bool = False,
                 chunk_size: int = _CHUNK_SIZE):
        self.source = source
        self.name = source_name(source)
        self.offset = offset
        self.skip_corrupt = skip_corrupt
        self.chunk_size = chunk_size
        self._resyncing = False
        self.pending_bytes = 0  # bytes after `offset` not yet forming a complete record

    def read_new(self, offsets: list[int] | None = None) -> list[bytes]:
        """Payloads of the records completed since the last call (see the class doc).

        If `offsets` is given, the byte offset of each returned record is appended to it.
        """
        out: list[bytes] = []
        with open_source(self.source, "rb") as f:
            f.seek(self.offset)
            leftover = b""
            while True:
                chunk = f.read(self.chunk_size)
                if not chunk:
                    break
                buf = leftover + chunk if leftover else chunk
                try:
                    pos, self._resyncing = _parse(buf, self.offset, self.name,
                                                  self.skip_corrupt, self._resyncing, out,
                                                  offsets)
                except RecordCorruptError as err:
                    # Hand out the good records first; the next call raises again here.
                    self.offset = err.offset
                    if out:
                        return out
                    raise
                self.offset += pos
                leftover = buf[pos:]
        self.pending_bytes = len(leftover)
        return out

    def __iter__(self) -> Iterator[bytes]:
        return iter(self.read_new())


def read_records(source: Source, offset: int = 0, *, skip_corrupt: bool = False
                 ) -> Iterator[bytes]:
    """Every record of a whole file, from `offset`.

    A corrupt record raises `RecordCorruptError` (or is skipped with a warning when
    `skip_corrupt`); a file that ends inside a record raises `RecordTruncatedError` (or logs
    a warning when `skip_corrupt`).
    """
    reader = RecordReader(source, offset, skip_corrupt=skip_corrupt)
    while records := reader.read_new():
        yield from records
    if reader.pending_bytes:
        if not skip_corrupt:
            raise RecordTruncatedError(reader.name, reader.offset, reader.pending_bytes)
        logger.warning("ignoring truncated record in %s at byte offset %d (%d bytes)",
                       reader.name, reader.offset, reader.pending_bytes)
