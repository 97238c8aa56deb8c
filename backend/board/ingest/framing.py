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
from numpy.lib.stride_tricks import sliding_window_view

from board.records import crc32c, length_checksum, mask_crc

HEADER = 12
FOOTER = 4
_PROBE = 32
_MAX_PERIOD = 16
_FIRST_WINDOW = 16  # periods predicted at first; x4 after each fully verified window
_MAX_PREDICTED = 1 << 16
_TABLE_MAX_LENGTH = 512  # longer payloads are checked one by one (C speed per byte anyway)
_HEADER_STRUCT = struct.Struct("<QI")




@dataclass
class Framing:
    """The verified records at the start of a buffer."""

    starts: np.ndarray   # offsets of the records' headers in the buffer
    lengths: np.ndarray  # payload lengths
    end: int             # offset just past the last verified record
    corrupt: bool        # True when `end` sits on a record whose checksum is wrong
    needed: int          # bytes from `end` needed to complete the next record (0 = unknown)

    def truncate_at(self, bad: int | None) -> None:
        """Drop record `bad` (whose payload checksum failed) and everything after it."""
        if bad is not None:
            self.end, self.corrupt, self.needed = int(self.starts[bad]), True, 0
            self.starts, self.lengths = self.starts[:bad], self.lengths[:bad]


def frame_records(buf: bytes, verify_payloads: bool = True) -> Framing:
    """Frame the complete records at the start of `buf`. Without `verify_payloads` only the
    length checksums are checked; the caller then checks payloads (`first_bad_payload`)."""
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
        cycle = _cycle([n for _, n in probe])
        periods = _FIRST_WINDOW
        while cycle is not None:
            s, n, pos, complete = _predict(a, cycle, pos, periods)
            starts.append(s)
            lengths.append(n)
            if not complete:
                break
            periods = min(periods * 4, _MAX_PREDICTED // len(cycle))
    s = np.concatenate(starts) if starts else np.empty(0, np.int64)
    n = np.concatenate(lengths) if lengths else np.empty(0, np.int64)
    framing = Framing(s, n, pos, corrupt, needed)
    if verify_payloads:
        framing.truncate_at(first_bad_payload(a, s, n))
    return framing


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


def _predict(a: np.ndarray, cycle: list[int], pos: int, max_periods: int):
    """Verified records from `pos` on, assuming the cycle of lengths continues; and whether
    all `max_periods` predicted periods were right (worth predicting further)."""
    sizes = np.array(cycle, np.int64) + HEADER + FOOTER
    stride = int(sizes.sum())
    periods = min((len(a) - pos) // stride, max_periods)
    if periods == 0:
        return np.empty(0, np.int64), np.empty(0, np.int64), pos, False
    rel = np.concatenate([[0], np.cumsum(sizes)[:-1]])
    starts = (pos + stride * np.arange(periods, dtype=np.int64)[:, None] + rel).ravel()
    expected = np.tile(np.array(cycle, np.uint64), periods)
    expected_crc = np.tile(np.array([length_checksum(n) for n in cycle], np.uint32), periods)
    header = sliding_window_view(a, HEADER)[starts]
    ok = (np.ascontiguousarray(header[:, :8]).view("<u8").ravel() == expected) & (
        np.ascontiguousarray(header[:, 8:]).view("<u4").ravel() == expected_crc)
    if ok.all():
        return starts, expected.astype(np.int64), pos + stride * periods, periods == max_periods
    good = int(np.argmin(ok))
    return starts[:good], expected[:good].astype(np.int64), int(starts[good]), False


def _cycle(lengths: list[int]) -> list[int] | None:
    """The repeating cycle of lengths of the probe's tail, phased to continue after it."""
    tail = lengths[len(lengths) // 4:]  # a file's first records (its header) break cycles
    for period in range(1, min(_MAX_PERIOD, len(tail) // 2) + 1):
        if all(tail[i] == tail[i + period] for i in range(len(tail) - period)):
            phase = len(tail) % period  # the record after the tail is tail[phase] again
            return tail[phase:phase + period]
    return None


def first_bad_payload(a: np.ndarray, starts: np.ndarray, lengths: np.ndarray,
                      known_bad: np.ndarray | None = None) -> int | None:
    """Index of the first record whose payload checksum does not match, or None.

    `known_bad`, if given, is an int8 per record with what the caller already checked:
    -1 not checked yet, 0 good, 1 bad; only the -1 records are checked here."""
    if len(starts) == 0:
        return None
    bad = np.zeros(len(starts), bool) if known_bad is None else known_bad == 1
    todo = np.ones(len(starts), bool) if known_bad is None else known_bad < 0
    for length in np.unique(lengths[todo]):
        idx = np.flatnonzero(todo & (lengths == length))
        payload = starts[idx] + HEADER
        bad[idx] = payload_checksums(a, payload, int(length)) != stored_checksums(
            a, payload + length)
    return int(np.argmax(bad)) if bad.any() else None


def stored_checksums(a: np.ndarray, at: np.ndarray) -> np.ndarray:
    return np.ascontiguousarray(a[at[:, None] + np.arange(4)]).view("<u4").ravel()


def payload_checksums(a: np.ndarray, payload_starts: np.ndarray, length: int) -> np.ndarray:
    """Masked CRC32C of the `length`-byte payloads at `payload_starts` (uint32 array)."""
    if length > _TABLE_MAX_LENGTH or len(payload_starts) < 8:
        return np.array([mask_crc(crc32c(a[s:s + length].tobytes()))
                         for s in payload_starts.tolist()], np.uint32)
    return row_checksums(a[payload_starts[:, None] + np.arange(length)], length)


def row_checksums(rows: np.ndarray, length: int) -> np.ndarray:
    """Masked CRC32C of the first `length` bytes of each row of a uint8 matrix."""
    table, base = _crc_table(length)
    acc = np.full(len(rows), base, np.uint32)
    for j in range(length):
        acc ^= table[j][rows[:, j]]
    return mask_crc(acc)


def variable_checksums(rows: np.ndarray, length: int, const_crc: int,
                       variable: tuple[int, ...]) -> np.ndarray:
    """Masked CRC32C of `length`-byte rows known to equal a template outside the byte
    positions `variable`; `const_crc` is the CRC32C of the template with those bytes zeroed.
    By linearity only the variable bytes need table lookups."""
    table, _ = _crc_table(length)
    acc = np.full(len(rows), const_crc, np.uint32)
    for j in variable:
        acc ^= table[j].take(rows[:, j])
    return mask_crc(acc)


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
