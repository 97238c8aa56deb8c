"""Every point of one scalar tag, kept as three numpy columns.

A point costs 20 bytes (int64 step, float64 wall time, float32 value) or 24 with float64
values. Appended batches wait in a list until the columns are next read, then are copied
in at once: a bulk load therefore ends with exactly-sized columns, and later growth is
geometric so appending stays amortised O(1). Readers get views of the columns; a purge
builds new arrays instead of compacting in place, so a view handed out earlier never
changes under its reader.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass

import numpy as np

_SERIALS = itertools.count()
_GROWTH = 1.5  # small factor: the spare capacity is memory a full logdir pays for


@dataclass(frozen=True)
class ScalarColumns:
    """A consistent snapshot of a series (views; do not write to them)."""

    step: np.ndarray
    wall_time: np.ndarray
    value: np.ndarray
    key: tuple = ()  # identifies this exact content (series identity and version)

    def __len__(self) -> int:
        return len(self.step)


class ScalarSeries:
    """Append-only (except for purges) columnar storage of one tag's points."""

    def __init__(self, value_dtype=np.float32):
        self._step = np.empty(0, np.int64)
        self._wall = np.empty(0, np.float64)
        self._value = np.empty(0, value_dtype)
        self._size = 0  # points in the columns, pending batches excluded
        self._pending: list[tuple[np.ndarray, np.ndarray, np.ndarray]] = []
        self._pending_size = 0
        self.version = 0  # bumped by every change, so derived results can be cached
        self._serial = next(_SERIALS)  # unlike id(), never reused

    def __len__(self) -> int:
        return self._size + self._pending_size

    @property
    def value_dtype(self) -> np.dtype:
        self._flush()
        return self._value.dtype

    @property
    def nbytes(self) -> int:
        """Bytes held by the columns, spare capacity included."""
        self._flush()
        return self._step.nbytes + self._wall.nbytes + self._value.nbytes

    def append(self, step, wall_time, value) -> None:
        """Append points given as equal-length array-likes (or scalars)."""
        step = np.atleast_1d(np.asarray(step, np.int64))
        wall_time = np.atleast_1d(np.asarray(wall_time, np.float64))
        value = np.atleast_1d(np.asarray(value))
        n = len(step)
        if not (len(wall_time) == len(value) == n):
            raise ValueError(f"column lengths differ: {n}, {len(wall_time)}, {len(value)}")
        # Copies: the caller's arrays may be views that would keep whole buffers alive.
        self._pending.append((step.copy(), wall_time.copy(), value.copy()))
        self._pending_size += n
        self.version += 1

    def flush(self) -> None:
        """Move appended batches into the columns now (reads do it anyway)."""
        self._flush()

    def _flush(self) -> None:
        if not self._pending:
            return
        pending, self._pending = self._pending, []
        if self._value.dtype == np.float32 and any(
                v.dtype == np.float64 and self._is_lossy(v) for _, _, v in pending):
            self._value = self._value.astype(np.float64)
        end = self._size + self._pending_size
        if end > len(self._step):
            self._reserve(end)
        for step, wall, value in pending:
            stop = self._size + len(step)
            self._step[self._size:stop] = step
            self._wall[self._size:stop] = wall
            self._value[self._size:stop] = value
            self._size = stop
        self._pending_size = 0

    @staticmethod
    def _is_lossy(value: np.ndarray) -> bool:
        with np.errstate(over="ignore"):
            narrowed = value.astype(np.float32).astype(np.float64)
        return not np.array_equal(narrowed, value, equal_nan=True)

    def _reserve(self, needed: int) -> None:
        # The first batch (usually a whole file) gets an exact fit; later ones grow by 1.5x.
        capacity = needed if self._size == 0 else max(needed, int(len(self._step) * _GROWTH))
        for name in ("_step", "_wall", "_value"):
            old = getattr(self, name)
            new = np.empty(capacity, old.dtype)
            new[:self._size] = old[:self._size]
            setattr(self, name, new)

    def columns(self) -> ScalarColumns:
        self._flush()
        n = self._size
        return ScalarColumns(self._step[:n], self._wall[:n], self._value[:n],
                             (self._serial, self.version))

    def purge_from_step(self, step: int) -> int:
        """Drop every point with step >= `step` (a restarted run); returns how many."""
        self._flush()
        n = self._size
        keep = self._step[:n] < step
        dropped = int(n - np.count_nonzero(keep))
        if dropped:
            self._step = self._step[:n][keep]
            self._wall = self._wall[:n][keep]
            self._value = self._value[:n][keep]
            self._size = len(self._step)
            self.version += 1
        return dropped

    def last_step(self) -> int | None:
        self._flush()
        return int(self._step[self._size - 1]) if self._size else None

    def last_wall_time(self) -> float | None:
        self._flush()
        return float(self._wall[self._size - 1]) if self._size else None

    def trim(self) -> None:
        """Release spare capacity (after a bulk load)."""
        self._flush()
        if len(self._step) > self._size:
            n = self._size
            self._step = self._step[:n].copy()
            self._wall = self._wall[:n].copy()
            self._value = self._value[:n].copy()
