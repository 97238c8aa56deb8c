"""Vectorized TFRecord framing of a buffer: where each record starts, checksums verified.

Finding record boundaries is inherently sequential (each length says where the next record
starts), and a Python loop costs over a microsecond per record. Event files are, however,
very regular: a training loop writes the same few record lengths in a fixed cycle. So we
read a short probe of records one by one, detect the cycle of lengths, *predict* the
positions of all following records, and verify every prediction at once with numpy: a
prediction is right exactly when every earlier record had the predicted length, so the
first mismatch ends the verified stretch and a new probe starts there. Irregular files
degrade to the probe loop, never to a wrong answer.

Both checksums are verified: the length checksum against a per-length table, the payload
checksum with CRC32C's linearity (per length, a 256-entry table per byte position, built
from google_crc32c itself) so records of equal length are checked together.
"""

from __future__ import annotations

import struct
from dataclasses import dataclass
from functools import lru_cache

import numpy as np

try:  # the C entry point avoids a Python wrapper call per checksum
    from google_crc32c._crc32c import value as crc32c
except ImportError:  # pragma: no cover
    from google_crc32c import value as crc32c

HEADER = 12
FOOTER = 4
_MASK_DELTA = 0xA282EAD8
_PROBE = 32
_MAX_PERIOD = 16
_MAX_PREDICTED = 1 << 16
_TABLE_MAX_LENGTH = 512  # longer payloads are checked one by one (C speed per byte anyway)
_HEADER_STRUCT = struct.Struct("<QI")


def masked(crc):
    """TFRecord's checksum masking, for an int or a uint32 numpy array."""
    if isinstance(crc, np.ndarray):
        crc = crc.astype(np.uint64)
        return ((((crc >> 15) | (crc << 17)) + _MASK_DELTA) & 0xFFFFFFFF).astype(np.uint32)
    return (((crc >> 15) | (crc << 17)) + _MASK_DELTA) & 0xFFFFFFFF


@lru_cache(maxsize=4096)
def length_checksum(length: int) -> int:
    return masked(crc32c(struct.pack("<Q", length)))


@dataclass
class Framing:
    """The verified records at the start of a buffer."""

    starts: np.ndarray   # offsets of the records' headers in the buffer
    lengths: np.ndarray  # payload lengths
    end: int             # offset just past the last verified record
    corrupt: bool        # True when `end` sits on a record whose checksum is wrong
    needed: int          # bytes from `end` needed to complete the next record (0 = unknown)


def frame_records(buf: bytes) -> Framing:
    a = np.frombuffer(buf, np.uint8)
    starts: list[np.ndarray] = []
    lengths: list[np.ndarray] = []
    pos, corrupt, needed = 0, False, 0
    while True:
        probe, pos, stop = _probe(buf, pos)
        if probe:
            starts.append(np.array([p for p, _ in probe], np.int64))
            lengths.append(np.array([n for _, n in probe], np.int64))
        if stop is not None:
            corrupt, needed = stop == "corrupt", (stop if isinstance(stop, int) else 0)
            break
        s, n, pos = _predict(a, probe, pos)
        if len(s):
            starts.append(s)
            lengths.append(n)
    s = np.concatenate(starts) if starts else np.empty(0, np.int64)
    n = np.concatenate(lengths) if lengths else np.empty(0, np.int64)
    bad = _first_bad_payload(a, s, n)
    if bad is not None:
        pos, corrupt, needed = int(s[bad]), True, 0
        s, n = s[:bad], n[:bad]
    return Framing(s, n, pos, corrupt, needed)


def _probe(buf: bytes, pos: int):
    """Up to _PROBE records read one by one. Returns them, the position after them, and
    why reading stopped early: None (it did not), "corrupt", or the byte count a partial
    record at the end needs (12 when even its header is incomplete)."""
    out = []
    size = len(buf)
    unpack = _HEADER_STRUCT.unpack_from
    while len(out) < _PROBE:
        if pos + HEADER > size:
            return out, pos, HEADER
        length, lcrc = unpack(buf, pos)
        if lcrc != length_checksum(length):
            return out, pos, "corrupt"
        end = pos + HEADER + length + FOOTER
        if end > size:
            return out, pos, end - pos
        out.append((pos, length))
        pos = end
    return out, pos, None


def _predict(a: np.ndarray, probe, pos: int):
    """Verified records from `pos` on, assuming the probe's cycle of lengths continues."""
    cycle = _cycle([n for _, n in probe])
    if cycle is None:
        return np.empty(0, np.int64), np.empty(0, np.int64), pos
    sizes = np.array(cycle, np.int64) + HEADER + FOOTER
    stride = int(sizes.sum())
    periods = min((len(a) - pos) // stride, _MAX_PREDICTED // len(cycle))
    if periods == 0:
        return np.empty(0, np.int64), np.empty(0, np.int64), pos
    rel = np.concatenate([[0], np.cumsum(sizes)[:-1]])
    starts = (pos + stride * np.arange(periods, dtype=np.int64)[:, None] + rel).ravel()
    expected = np.tile(np.array(cycle, np.uint64), periods)
    expected_crc = np.tile(np.array([length_checksum(n) for n in cycle], np.uint32), periods)
    header = a[starts[:, None] + np.arange(HEADER)]
    ok = (header[:, :8].copy().view("<u8").ravel() == expected) & (
        header[:, 8:].copy().view("<u4").ravel() == expected_crc)
    good = len(ok) if ok.all() else int(np.argmin(ok))
    end = int(starts[good]) if good < len(starts) else pos + stride * periods
    return starts[:good], expected[:good].astype(np.int64), end


def _cycle(lengths: list[int]) -> list[int] | None:
    for period in range(1, min(_MAX_PERIOD, len(lengths) // 2) + 1):
        if all(lengths[i] == lengths[i + period] for i in range(len(lengths) - period)):
            return lengths[:period]
    return None


def _first_bad_payload(a: np.ndarray, starts: np.ndarray, lengths: np.ndarray) -> int | None:
    """Index of the first record whose payload checksum does not match, or None."""
    if len(starts) == 0:
        return None
    bad = np.zeros(len(starts), bool)
    for length in np.unique(lengths):
        idx = np.flatnonzero(lengths == length)
        bad[idx] = payload_checksums(a, starts[idx] + HEADER, int(length)) != a[
            (starts[idx] + HEADER + length)[:, None] + np.arange(4)].copy().view("<u4").ravel()
    return int(np.argmax(bad)) if bad.any() else None


def payload_checksums(a: np.ndarray, payload_starts: np.ndarray, length: int) -> np.ndarray:
    """Masked CRC32C of the `length`-byte payloads at `payload_starts` (uint32 array)."""
    if length > _TABLE_MAX_LENGTH or len(payload_starts) < 8:
        return np.array([masked(crc32c(a[s:s + length].tobytes()))
                         for s in payload_starts.tolist()], np.uint32)
    table, base = _crc_table(length)
    acc = np.full(len(payload_starts), base, np.uint32)
    for j in range(length):
        acc ^= table[j][a[payload_starts + j]]
    return masked(acc)


@lru_cache(maxsize=256)
def _crc_table(length: int) -> tuple[np.ndarray, int]:
    """CRC32C is affine in the message bits for a fixed length: crc(m) = crc(0) ^ XOR_j
    T[j][m_j], with T[j][v] = crc(v at byte j, zeros elsewhere) ^ crc(0)."""
    zeros = bytearray(length)
    base = crc32c(bytes(zeros))
    bits = np.empty((length, 8), np.uint32)
    for j in range(length):
        for b in range(8):
            zeros[j] = 1 << b
            bits[j, b] = crc32c(bytes(zeros)) ^ base
        zeros[j] = 0
    has_bit = (np.arange(256)[:, None] >> np.arange(8)) & 1  # (256, 8)
    table = np.bitwise_xor.reduce(np.where(has_bit[None], bits[:, None, :], 0), axis=2)
    return table.astype(np.uint32), base
